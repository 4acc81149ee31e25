"""The pure ApplySet helpers: kubectl's id, annotations, and the prune set in reverse wave order."""

from __future__ import annotations

import pytest

from stackctl.model import ResId
from stackctl.plan.applyset import (
    PART_OF_LABEL,
    ApplySet,
    label_members,
    parse_group_kind,
    prune_set,
    read_parent,
)
from stackctl.plan.graph import PlanError


def _obj(api_version: str, kind: str, name: str, ns: str = "", member: str = "") -> dict[str, object]:
    meta: dict[str, object] = {"name": name}
    if ns:
        meta["namespace"] = ns
    if member:
        meta["labels"] = {PART_OF_LABEL: member}
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def test_id_matches_kubectl_for_a_known_parent() -> None:
    # sha256("demo.kube-system.Secret.") in unpadded URL-safe base64
    assert ApplySet("demo", "kube-system").id == "applyset-H5kcEhGkfWl-Bk4k79rVwaJHRe3Pmx86Mgv0wSsjcb4-v1"


def test_parent_annotations_sorted_core_kinds_bare() -> None:
    s = ApplySet("p", "kube-system").with_members(
        [
            _obj("apps/v1", "Deployment", "a", "b"),
            _obj("v1", "Namespace", "b"),
            _obj("v1", "ConfigMap", "c", "kube-system"),
        ]
    )
    ann = s.parent("1.0")["metadata"]["annotations"]  # type: ignore[index]
    assert ann["applyset.kubernetes.io/contains-group-kinds"] == "ConfigMap,Deployment.apps,Namespace"
    assert ann["applyset.kubernetes.io/additional-namespaces"] == "b"
    assert ann["applyset.kubernetes.io/tooling"] == "stackctl/1.0"
    assert parse_group_kind("Certificate.cert-manager.io") == ("cert-manager.io", "Certificate")
    assert read_parent("p", "kube-system", s.parent("1.0")) == s


def test_parent_of_another_tool_is_refused() -> None:
    live = ApplySet("p", "ns").parent("v1.30")
    live["metadata"]["annotations"]["applyset.kubernetes.io/tooling"] = "kubectl/v1.30"  # type: ignore[index]
    with pytest.raises(PlanError, match="kubectl"):
        read_parent("p", "ns", live)


def test_label_members_copies_and_refuses_a_preset_label() -> None:
    s = ApplySet("p", "ns")
    obj = _obj("v1", "ConfigMap", "c", "ns")
    (labelled,) = label_members([obj], s)
    assert labelled["metadata"]["labels"] == {PART_OF_LABEL: s.id}
    assert "labels" not in obj["metadata"]  # type: ignore[operator]
    with pytest.raises(PlanError):
        label_members([labelled], s)


def test_prune_set_only_unrendered_members_in_reverse_wave_order() -> None:
    s = ApplySet("p", "ns")
    live = [
        _obj("v1", "Namespace", "gone", member=s.id),
        _obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "ws.x.io", member=s.id),
        _obj("v1", "ConfigMap", "old", "gone", member=s.id),
        _obj("v1", "ConfigMap", "kept", "ns", member=s.id),
        _obj("v1", "ConfigMap", "foreign", "ns"),
        _obj("v1", "ConfigMap", "other-set", "ns", member="applyset-x-v1"),
        _obj("x.io/v1", "Widget", "w", "gone", member=s.id),
        _obj("apps/v1", "Deployment", "d", "gone", member=s.id),
    ]
    current = [ResId.of(_obj("v1", "ConfigMap", "kept", "ns"))]
    got = [ResId.of(o).display for o in prune_set(live, current, s)]
    assert got == [
        "Widget.x.io/gone/w",
        "Deployment.apps/gone/d",
        "ConfigMap/gone/old",
        "CustomResourceDefinition.apiextensions.k8s.io/ws.x.io",
        "Namespace/gone",
    ]
