"""stackctl.kustomize.k8s_schema against the real kustomize: scope through the `namespace:` field, list rules
through strategic merges whose outcome tells merged-by-key, merged-as-set and replaced apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stackctl import yamlio
from stackctl.kustomize import k8s_schema
from stackctl.model import Gvk, Obj
from tests.refkustomize import kustomize_build


def _build(root: Path, kust: dict[str, Any], files: dict[str, str]) -> list[Obj]:
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "kustomization.yaml").write_text(json.dumps(kust))
    built = kustomize_build(root)
    assert built.returncode == 0, built.stderr
    return yamlio.load_documents(built.stdout, source="kustomize output")


def test_scope_matches_kustomize_namespace_field(tmp_path: Path) -> None:
    data = k8s_schema._data()
    type_metas = {tm for tm in data["types"] if not tm.endswith("List")} | set(data["clusterScoped"])
    type_metas |= {
        "cert-manager.io/v1 ClusterIssuer",
        "cert-manager.io/v1 Issuer",
        "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy",
        "flowcontrol.apiserver.k8s.io/v1 FlowSchema",
        "rbac.authorization.k8s.io/v1alpha1 ClusterRole",
        "storage.k8s.io/v1 CSIStorageCapacity",
        "v1 Namespace",
        "v2 Namespace",
        "apps/v1 Deployment",
    }
    objs = []
    for i, tm in enumerate(sorted(type_metas)):
        api_version, kind = tm.split(" ")
        objs.append({"apiVersion": api_version, "kind": kind, "metadata": {"name": f"o{i}"}})
    out = _build(
        tmp_path, {"namespace": "ns", "resources": ["r.yaml"]}, {"r.yaml": yamlio.dump_documents(objs)}
    )
    assert len(out) == len(objs)
    for obj in out:
        gvk = Gvk.from_api_version(obj["apiVersion"], obj["kind"])
        assert ("namespace" in obj["metadata"]) == k8s_schema.is_namespaced(gvk), gvk


# (apiVersion, kind, path to the list, two elements with different merge keys)
LISTS: list[tuple[str, str, tuple[str, ...], Any, Any]] = [
    ("apps/v1", "Deployment", ("spec", "template", "spec", "containers"), {"name": "a"}, {"name": "b"}),
    ("apps/v1", "Deployment", ("spec", "template", "spec", "volumes"), {"name": "a"}, {"name": "b"}),
    ("apps/v1", "Deployment", ("spec", "template", "spec", "tolerations"), {"key": "a"}, {"key": "b"}),
    ("apps/v1", "Deployment", ("spec", "template", "spec", "imagePullSecrets"), {"name": "a"}, {"name": "b"}),
    ("apps/v1", "Deployment", ("metadata", "finalizers"), "a", "b"),
    ("apps/v1", "Deployment", ("metadata", "ownerReferences"), {"uid": "a"}, {"uid": "b"}),
    (
        "apps/v1",
        "StatefulSet",
        ("spec", "volumeClaimTemplates"),
        {"metadata": {"name": "a"}},
        {"metadata": {"name": "b"}},
    ),
    (
        "batch/v1",
        "CronJob",
        ("spec", "jobTemplate", "spec", "template", "spec", "initContainers"),
        {"name": "a"},
        {"name": "b"},
    ),
    ("v1", "Service", ("spec", "ports"), {"port": 1}, {"port": 2}),
    ("v1", "Service", ("spec", "externalIPs"), "a", "b"),
    ("v1", "Pod", ("spec", "containers"), {"name": "a", "args": ["x"]}, {"name": "b"}),
    (
        "v1",
        "Pod",
        ("spec", "topologySpreadConstraints"),
        {"topologyKey": "a", "whenUnsatisfiable": "x"},
        {"topologyKey": "b", "whenUnsatisfiable": "x"},
    ),
    ("v1", "Pod", ("spec", "hostAliases"), {"ip": "a"}, {"ip": "b"}),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", ("rules",), {"verbs": ["get"]}, {"verbs": ["list"]}),
    ("networking.k8s.io/v1", "Ingress", ("spec", "rules"), {"host": "a"}, {"host": "b"}),
    ("apps/v2", "Deployment", ("spec", "template", "spec", "containers"), {"name": "a"}, {"name": "b"}),
    ("example.com/v1", "Widget", ("spec", "containers"), {"name": "a"}, {"name": "b"}),
]


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    for part in reversed(path):
        value = {part: value}
    return value


def test_list_rules_match_kustomize_merges(tmp_path: Path) -> None:
    bases, patches = [], []
    for i, (api_version, kind, path, first, second) in enumerate(LISTS):
        head = {"apiVersion": api_version, "kind": kind}
        for docs, element in ((bases, first), (patches, second)):
            obj = {**head, **_nest(path, [element])}
            obj.setdefault("metadata", {})["name"] = f"o{i}"
            docs.append(obj)
    files = {"b.yaml": yamlio.dump_documents(bases), "p.yaml": yamlio.dump_documents(patches)}
    out = _build(tmp_path, {"resources": ["b.yaml"], "patches": [{"path": "p.yaml"}]}, files)
    by_name = {o["metadata"]["name"]: o for o in out}
    for i, (api_version, kind, path, first, second) in enumerate(LISTS):
        merged = by_name[f"o{i}"]
        for part in path:
            merged = merged[part]
        rule = k8s_schema.list_rule_at(Gvk.from_api_version(api_version, kind), path)
        outcome = "replace" if merged == [second] else "merged" if merged == [second, first] else merged
        expected = "replace" if rule.merge == "replace" else "merged"
        assert outcome == expected, (api_version, kind, path, rule)


def test_multi_key_lists_match_kustomize(tmp_path: Path) -> None:
    """Two elements that differ only in the second merge key stay apart only if the list has both keys."""
    cases = [
        (
            "apps/v1",
            "Deployment",
            ("spec", "template", "spec"),
            "ports",
            ("containerPort", "protocol"),
            (80, "TCP", "UDP"),
        ),
        ("apps/v1", "Deployment", ("spec", "template", "spec"), "env", ("name", "value"), ("A", "1", "2")),
        ("v1", "Pod", ("spec",), "volumeMounts", ("mountPath", "name"), ("/a", "x", "y")),
    ]
    bases, patches = [], []
    for i, (api_version, kind, pod, field, keys, (first, second_a, second_b)) in enumerate(cases):
        for docs, second in ((bases, second_a), (patches, second_b)):
            container = {"name": "c", field: [{keys[0]: first, keys[1]: second}]}
            obj = {"apiVersion": api_version, "kind": kind, **_nest(pod, {"containers": [container]})}
            obj.setdefault("metadata", {})["name"] = f"o{i}"
            docs.append(obj)
    files = {"b.yaml": yamlio.dump_documents(bases), "p.yaml": yamlio.dump_documents(patches)}
    out = _build(tmp_path, {"resources": ["b.yaml"], "patches": [{"path": "p.yaml"}]}, files)
    by_name = {o["metadata"]["name"]: o for o in out}
    for i, (api_version, kind, pod, field, keys, _) in enumerate(cases):
        node: Any = by_name[f"o{i}"]
        for part in pod:
            node = node[part]
        elements = node["containers"][0][field]
        rule = k8s_schema.list_rule_at(
            Gvk.from_api_version(api_version, kind), (*pod, "containers", "[]", field)
        )
        assert rule.merge == "keyed"
        assert (len(elements) == 2) == (rule.keys == keys), (field, rule, elements)
