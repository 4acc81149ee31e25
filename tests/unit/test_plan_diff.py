"""Diff normalisation, Secret masking and the per-object unified diff."""

from __future__ import annotations

from typing import Any

from stackctl.model import Obj, ResId, copy_tree
from stackctl.plan.diff import Action, diff_object, kubectl_name, summarize, unified
from stackctl.plan.mask import mask_secret
from stackctl.plan.normalize import decode_fields_v1, managed_paths, normalize, prune, would_change

APPLIED: Obj = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}},
}


def _server(obj: Obj, *, manager_fields: dict[str, Any], rv: str = "7") -> Obj:
    """What a server returns for `obj`: bookkeeping, defaults, status."""
    obj = copy_tree(obj)
    out: Obj = {
        **obj,
        "metadata": {
            **obj["metadata"],
            "uid": "u-1",
            "resourceVersion": rv,
            "generation": 3,
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "managedFields": [
                {
                    "manager": "stackctl",
                    "operation": "Apply",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": manager_fields,
                }
            ],
        },
        "spec": {**obj["spec"], "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
        "status": {"replicas": 2},
    }
    return out


OWNED = {
    "f:metadata": {"f:labels": {"f:app": {}}},
    "f:spec": {
        "f:replicas": {},
        "f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {"f:image": {}}}}},
    },
}


def test_decode_fields_v1_ends_paths_at_lists() -> None:
    assert decode_fields_v1(OWNED) == {
        ("metadata", "labels", "app"),
        ("spec", "replicas"),
        ("spec", "template", "spec", "containers"),
    }
    live = _server(APPLIED, manager_fields=OWNED)
    assert managed_paths(live, "stackctl") == decode_fields_v1(OWNED)
    assert managed_paths(live, "kubectl") == set()


def test_create_shows_only_what_the_manifest_sets() -> None:
    merged = _server(APPLIED, manager_fields=OWNED, rv="")
    before, after = normalize(APPLIED, None, merged, manager="stackctl")
    assert before is None
    assert after == APPLIED


def test_update_drops_noise_and_equal_defaults_but_never_a_change() -> None:
    live = _server(APPLIED, manager_fields=OWNED)
    live["spec"]["paused"] = False  # someone else's field, unchanged by the apply: left out
    live["metadata"]["annotations"] = {"injected": "x"}  # changed by the server's dry run: shown
    changed: Obj = {**APPLIED, "spec": {**APPLIED["spec"], "replicas": 3}}
    merged = _server(changed, manager_fields=OWNED, rv="8")
    merged["spec"]["paused"] = False
    merged["metadata"]["annotations"] = {"injected": "y"}
    before, after = normalize(changed, live, merged, manager="stackctl")
    assert before is not None
    assert before["spec"] == {"replicas": 2, "template": APPLIED["spec"]["template"]}
    assert after["spec"] == {"replicas": 3, "template": APPLIED["spec"]["template"]}
    assert before["metadata"] == {**APPLIED["metadata"], "annotations": {"injected": "x"}}
    assert "status" not in after and "resourceVersion" not in after["metadata"]


def test_a_field_the_manager_stops_setting_shows_as_removed() -> None:
    live = _server(APPLIED, manager_fields=OWNED)
    dropped: Obj = {**APPLIED, "metadata": {"name": "web", "namespace": "default"}}
    merged = _server(dropped, manager_fields={}, rv="8")
    diff = diff_object(ResId.of(APPLIED), dropped, live, merged, manager="stackctl")
    assert diff.action is Action.CHANGE
    assert "-  labels:\n-    app: web\n" in diff.text


def test_defaults_inside_list_elements_are_left_out_unless_they_change() -> None:
    container = {"name": "web", "image": "nginx:1"}
    defaulted = {
        **container,
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
    }
    merged = _server(APPLIED, manager_fields=OWNED)
    merged["spec"]["template"]["spec"]["containers"] = [defaulted]
    _, created = normalize(APPLIED, None, merged, manager="stackctl")
    assert created["spec"]["template"]["spec"]["containers"] == [container]

    live = _server(APPLIED, manager_fields=OWNED)
    live["spec"]["template"]["spec"]["containers"] = [{**defaulted, "imagePullPolicy": "Always"}]
    before, after = normalize(APPLIED, live, merged, manager="stackctl")
    assert before is not None
    assert before["spec"]["template"]["spec"]["containers"] == [{**container, "imagePullPolicy": "Always"}]
    assert after["spec"]["template"]["spec"]["containers"] == [
        {**container, "imagePullPolicy": "IfNotPresent"}
    ]


def test_prune_keeps_whole_subtrees_and_drops_emptied_maps() -> None:
    obj = {"a": {"b": 1, "c": {"d": 2}}, "e": {"f": 3}}
    assert prune(obj, {("a",), ("a", "b"), ("e", "x")}) == {"a": {"b": 1, "c": {"d": 2}}}


def test_would_change_ignores_only_bookkeeping() -> None:
    live = _server(APPLIED, manager_fields=OWNED, rv="7")
    same = _server(APPLIED, manager_fields=OWNED, rv="8")
    same["metadata"]["managedFields"][0]["time"] = "later"
    assert not would_change(live, same)
    shared = _server(APPLIED, manager_fields=OWNED)
    shared["metadata"]["managedFields"].append({"manager": "other", "operation": "Apply", "fieldsV1": {}})
    assert would_change(live, shared)


def _secret(data: dict[str, str] | None, **meta: Any) -> Obj:
    obj: Obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n", **meta}}
    if data is not None:
        obj["data"] = data
    return obj


def test_masking_as_kubectl_does() -> None:
    before, after = mask_secret(
        _secret({"same": "YQ==", "changed": "Yg==", "gone": "Yw=="}),
        _secret({"same": "YQ==", "changed": "ZA==", "new": "ZQ=="}),
    )
    assert before is not None and after is not None
    assert before["data"] == {"same": "***", "changed": "*** (before)", "gone": "***"}
    assert after["data"] == {"same": "***", "changed": "*** (after)", "new": "***"}
    _, created = mask_secret(None, _secret({"k": "djE="}))
    assert created is not None and created["data"] == {"k": "***"}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}}
    assert mask_secret(cm, cm) == (cm, cm)


def test_masking_covers_string_data_and_last_applied_annotation() -> None:
    last = "kubectl.kubernetes.io/last-applied-configuration"
    live = _secret(None, annotations={last: '{"data":{"k":"c2VjcmV0"}}'})
    live["stringData"] = {"token": "secret"}
    _, masked = mask_secret(None, live)
    assert masked is not None
    assert masked["stringData"] == {"token": "***"}
    assert masked["metadata"]["annotations"][last] == "***"
    assert "c2VjcmV0" not in str(masked) and "secret" not in str(masked["stringData"])


def test_secret_diff_is_masked_unless_show_secrets() -> None:
    rid = ResId.of(_secret({}))
    live = _secret({"k": "djE="})
    new = _secret({"k": "djI="})
    masked = diff_object(rid, new, live, new, manager="stackctl")
    assert masked.action is Action.CHANGE
    assert "-  k: '*** (before)'\n+  k: '*** (after)'\n" in masked.text
    assert "djE=" not in masked.text and "djI=" not in masked.text
    shown = diff_object(rid, new, live, new, manager="stackctl", show_secrets=True)
    assert "-  k: djE=\n+  k: djI=\n" in shown.text


def test_unified_diff_has_kubectl_headers() -> None:
    rid = ResId.of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}})
    before = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "n"},
        "data": {"a": "1"},
    }
    after = {**before, "data": {"a": "2"}}
    assert unified(rid, before, after) == (
        "diff -u -N LIVE/v1.ConfigMap.n.c MERGED/v1.ConfigMap.n.c\n"
        "--- LIVE/v1.ConfigMap.n.c\n"
        "+++ MERGED/v1.ConfigMap.n.c\n"
        "@@ -1,6 +1,6 @@\n"
        " apiVersion: v1\n"
        " data:\n"
        '-  a: "1"\n'
        '+  a: "2"\n'
        " kind: ConfigMap\n"
        " metadata:\n"
        "   name: c\n"
    )
    assert unified(rid, before, before) == ""
    assert unified(rid, None, after).splitlines()[3] == "@@ -0,0 +1,7 @@"
    ns = ResId.of(
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}
    )
    assert kubectl_name(ns) == "rbac.authorization.k8s.io.v1.ClusterRole..r"


def test_waiting_create_and_summary() -> None:
    cr = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "n"}}
    waiting = diff_object(
        ResId.of(cr),
        cr,
        None,
        None,
        manager="stackctl",
        waits_for="CustomResourceDefinition widgets.example.com",
    )
    assert waiting.action is Action.CREATE and waiting.text.count("\n+") == 6
    same = diff_object(ResId.of(cr), cr, cr, cr, manager="stackctl")
    assert same.action is Action.UNCHANGED and same.text == ""
    summary = summarize([waiting, same])
    assert summary.line() == "1 to create (1 after their CRD or namespace), 0 to change, 1 unchanged"
    assert summary.differs
