"""The plan's waves: phases, reference edges, deterministic order, waves as data."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from stackctl.kustomize.build import build
from stackctl.model import Obj, ResId
from stackctl.plan.graph import Gate, Phase, PlanError, build_plan, phase_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev() -> list[Obj]:
    return build(REPO / "overlays" / "envs" / "dev").objects


def _obj(api_version: str, kind: str, name: str, namespace: str = "", **fields: object) -> Obj:
    meta: dict[str, object] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **fields}


def test_dev_stack_waves(dev: list[Obj]) -> None:
    plan = build_plan(dev)
    assert [w.name for w in plan.waves] == [
        "namespaces",
        "crds",
        "config",
        "workloads",
        "webhooks",
        "resources",
        "resources.1",
        "resources.2",
        "resources.3",
    ]
    assert [w.gate for w in plan.waves[:5]] == [
        Gate.NONE,
        Gate.ESTABLISHED,
        Gate.NONE,
        Gate.AVAILABLE,
        Gate.ENDPOINTS,
    ]
    assert sum(len(w.steps) for w in plan.waves) == len(dev)
    kinds = {w.name: {s.id.gvk.kind for s in w.steps} for w in plan.waves}
    assert kinds["namespaces"] == {"Namespace"}
    assert kinds["crds"] == {"CustomResourceDefinition"}
    assert kinds["workloads"] == {"Deployment"}
    assert kinds["webhooks"] == {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}
    assert {"ServiceAccount", "ClusterRole", "ConfigMap", "Secret", "Service"} <= kinds["config"]
    wave = plan.wave_of()

    def at(kind: str, name: str) -> int:
        return next(i for rid, i in wave.items() if rid.gvk.kind == kind and rid.name == name)

    assert at("ClusterSecretStore", "aws-ssm-store") < at("ExternalSecret", "route53-credentials")
    # the issuer's DNS-01 solver reads the Secret that ExternalSecret writes; the Certificate names the issuer
    assert at("ExternalSecret", "route53-credentials") < at("ClusterIssuer", "letsencrypt-staging")
    assert at("ClusterIssuer", "letsencrypt-staging") < at("Certificate", "eco2-tls")
    assert at("ExternalSecret", "alertmanager-slack") < at("AlertmanagerConfig", "slack")
    assert at("RedisReplication", "redis-replication") < at("RedisSentinel", "redis-sentinel")
    cert = next(s for s in plan.steps if s.id.gvk.kind == "Certificate")
    assert [d.display for d in cert.depends_on] == ["ClusterIssuer.cert-manager.io/letsencrypt-staging"]


def test_order_does_not_depend_on_input_order(dev: list[Obj]) -> None:
    expected = [[s.id for s in w.steps] for w in build_plan(dev).waves]
    for seed in range(5):
        shuffled = list(dev)
        random.Random(seed).shuffle(shuffled)
        assert [[s.id for s in w.steps] for w in build_plan(shuffled).waves] == expected


def test_same_wave_order_is_helm_kind_order_then_names(dev: list[Obj]) -> None:
    config = next(w for w in build_plan(dev).waves if w.phase is Phase.CONFIG)
    kinds = [s.id.gvk.kind for s in config.steps]
    first = {k: kinds.index(k) for k in dict.fromkeys(kinds)}
    assert first["ServiceAccount"] < first["Secret"] < first["ConfigMap"] < first["ClusterRole"]
    assert first["ClusterRoleBinding"] < first["Role"] < first["RoleBinding"] < first["Service"]
    sas = [s.id for s in config.steps if s.id.gvk.kind == "ServiceAccount"]
    assert sas == sorted(sas, key=lambda r: (r.namespace, r.name))


def test_waves_as_data(dev: list[Obj]) -> None:
    data = build_plan(dev).to_data()
    assert data[0]["name"] == "namespaces" and data[0]["gate"] == "none" and data[0]["index"] == 0
    last = data[-1]
    assert last["objects"] == [
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "namespace": "istio-system",
            "name": "eco2-tls",
            "dependsOn": ["ClusterIssuer.cert-manager.io/letsencrypt-staging"],
        }
    ]


def test_issuer_refs_resolve_by_scope() -> None:
    objs = [
        _obj("cert-manager.io/v1", "Issuer", "ca", "a"),
        _obj("cert-manager.io/v1", "Issuer", "ca", "b"),
        _obj("cert-manager.io/v1", "Certificate", "c", "a", spec={"issuerRef": {"name": "ca"}}),
        _obj(
            "cert-manager.io/v1",
            "Certificate",
            "d",
            "b",
            spec={"issuerRef": {"name": "ca", "kind": "ClusterIssuer"}},
        ),
    ]
    steps = {s.id.name + "/" + s.id.namespace: s for s in build_plan(objs).steps}
    assert [d.namespace for d in steps["c/a"].depends_on] == ["a"]
    assert steps["d/b"].depends_on == ()  # a ClusterIssuer named ca is not in the render: no edge


def test_reference_cycle_is_an_error() -> None:
    objs = [
        _obj("external-secrets.io/v1", "ExternalSecret", "x", "ns", spec={"secretStoreRef": {"name": "s"}}),
        _obj(
            "external-secrets.io/v1",
            "SecretStore",
            "s",
            "ns",
            spec={"provider": {"aws": {"auth": {"secretRef": {"accessKeyIDSecretRef": {"name": "x"}}}}}},
        ),
    ]
    with pytest.raises(PlanError, match="reference cycle among custom resources: ") as info:
        build_plan(objs)
    assert "ExternalSecret.external-secrets.io/ns/x" in str(info.value)


def test_duplicates_are_an_error() -> None:
    cm = _obj("v1", "ConfigMap", "c", "ns")
    with pytest.raises(PlanError, match="appears twice"):
        build_plan([cm, dict(cm)])


def test_phase_of_unknown_kinds_is_resources() -> None:
    assert phase_of(ResId.of(_obj("networking.k8s.io/v1", "Ingress", "i", "ns"))) is Phase.RESOURCES
    assert phase_of(ResId.of(_obj("example.com/v1", "Widget", "w"))) is Phase.RESOURCES
    assert phase_of(ResId.of(_obj("policy/v1", "PodDisruptionBudget", "p", "ns"))) is Phase.CONFIG
