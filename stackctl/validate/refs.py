"""References between the stack's resources that the API server accepts but the operators cannot follow.

A Certificate naming an issuer that is not there, an ExternalSecret naming a store that is not there, a
RedisSentinel watching a RedisReplication that is not there: each applies cleanly and then never becomes
Ready. A ServiceMonitor, PodMonitor, Probe or PrometheusRule that no Prometheus selects (or an
AlertmanagerConfig no Alertmanager selects), and a resource in a namespace the render does not create, apply
and then do nothing or fail to apply: warnings. Everything is looked up in the same render.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackctl.model import Obj
from stackctl.validate.findings import ObjectRef, Severity

CERT_MANAGER = "cert-manager.io"
ESO = "external-secrets.io"
MONITORING = "monitoring.coreos.com"
REDIS = "redis.redis.opstreelabs.in"

ALWAYS_THERE = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
"""Namespaces every cluster has."""
METADATA_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class RefProblem:
    severity: Severity
    code: str
    path: tuple[str | int, ...]
    message: str
    hint: str | None = None


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _meta(obj: Obj) -> Mapping[str, Any]:
    return _map(obj.get("metadata"))


class RenderIndex:
    """The render's objects by group and kind, and its namespaces with their labels."""

    def __init__(self, objects: Sequence[Obj]) -> None:
        self._by_gk: dict[tuple[str, str], list[Obj]] = {}
        self.namespaces: dict[str, dict[str, str]] = {}
        for obj in objects:
            ref = ObjectRef.of(obj)
            self._by_gk.setdefault((ref.group, ref.kind), []).append(obj)
            if ref.group == "" and ref.kind == "Namespace" and ref.name:
                labels = {str(k): str(v) for k, v in _map(_meta(obj).get("labels")).items()}
                self.namespaces[ref.name] = {**labels, METADATA_NAME_LABEL: ref.name}

    def of_kind(self, group: str, kind: str) -> list[Obj]:
        return self._by_gk.get((group, kind), [])

    def names(self, group: str, kind: str, namespace: str | None = None) -> list[str]:
        """Names of the kind's objects (in `namespace` when given), sorted."""
        return sorted(
            ObjectRef.of(o).name
            for o in self.of_kind(group, kind)
            if namespace is None or ObjectRef.of(o).namespace == namespace
        )

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        return self.namespaces.get(namespace, {METADATA_NAME_LABEL: namespace})


def _listing(kind: str, names: list[str], where: str = "") -> str:
    if not names:
        return f"the render has no {kind}{where}"
    shown = ", ".join(f'"{n}"' for n in names[:8]) + (", ..." if len(names) > 8 else "")
    return f"{kind}s in the render{where}: {shown}"


# -- cert-manager -------------------------------------------------------------------------------------------


def issuer_ref(obj: Obj, render: RenderIndex) -> Iterator[RefProblem]:
    """Certificate / CertificateRequest spec.issuerRef: an Issuer in the same namespace or a ClusterIssuer."""
    ref = _map(_map(obj.get("spec")).get("issuerRef"))
    name = ref.get("name")
    if not isinstance(name, str) or not name or (ref.get("group") or CERT_MANAGER) != CERT_MANAGER:
        return  # missing name: the schema reports it; another group: an external issuer stackctl cannot see
    kind = ref.get("kind") or "Issuer"
    namespace = ObjectRef.of(obj).namespace
    if kind == "Issuer":
        if name in render.names(CERT_MANAGER, "Issuer", namespace):
            return
        hint = (
            f'a ClusterIssuer "{name}" exists: set spec.issuerRef.kind: ClusterIssuer'
            if name in render.names(CERT_MANAGER, "ClusterIssuer")
            else _listing("Issuer", render.names(CERT_MANAGER, "Issuer", namespace), f' in "{namespace}"')
        )
        yield RefProblem(
            Severity.error,
            "missing-issuer",
            ("spec", "issuerRef", "name"),
            f'Issuer "{name}" not found in namespace "{namespace}"',
            hint,
        )
    elif kind == "ClusterIssuer":
        if name not in render.names(CERT_MANAGER, "ClusterIssuer"):
            yield RefProblem(
                Severity.error,
                "missing-issuer",
                ("spec", "issuerRef", "name"),
                f'ClusterIssuer "{name}" not found',
                _listing("ClusterIssuer", render.names(CERT_MANAGER, "ClusterIssuer")),
            )
    else:
        yield RefProblem(
            Severity.error,
            "missing-issuer",
            ("spec", "issuerRef", "kind"),
            f'unsupported issuer kind "{kind}" of group {CERT_MANAGER}',
            "use Issuer or ClusterIssuer",
        )


# -- External Secrets ---------------------------------------------------------------------------------------


def _store_problems(
    ref: Mapping[str, Any], namespace: str | None, render: RenderIndex, path: tuple[str | int, ...]
) -> Iterator[RefProblem]:
    name = ref.get("name")
    if not isinstance(name, str) or not name:
        return
    kind = ref.get("kind") or "SecretStore"
    if kind == "ClusterSecretStore":
        if name not in render.names(ESO, "ClusterSecretStore"):
            yield RefProblem(
                Severity.error,
                "missing-secret-store",
                (*path, "name"),
                f'ClusterSecretStore "{name}" not found',
                _listing("ClusterSecretStore", render.names(ESO, "ClusterSecretStore")),
            )
    elif kind == "SecretStore":
        if namespace is None:
            return  # a ClusterExternalSecret's namespaced store: one per selected namespace, not checked
        if name in render.names(ESO, "SecretStore", namespace):
            return
        hint = (
            f'a ClusterSecretStore "{name}" exists: set kind: ClusterSecretStore'
            if name in render.names(ESO, "ClusterSecretStore")
            else _listing("SecretStore", render.names(ESO, "SecretStore", namespace), f' in "{namespace}"')
        )
        yield RefProblem(
            Severity.error,
            "missing-secret-store",
            (*path, "name"),
            f'SecretStore "{name}" not found in namespace "{namespace}"',
            hint,
        )


def secret_store_refs(obj: Obj, render: RenderIndex) -> Iterator[RefProblem]:
    """ExternalSecret spec.secretStoreRef and the storeRefs of data[]/dataFrom[] sourceRefs;
    ClusterExternalSecret spec.externalSecretSpec.secretStoreRef."""
    ref = ObjectRef.of(obj)
    spec = _map(obj.get("spec"))
    if ref.kind == "ClusterExternalSecret":
        inner = _map(spec.get("externalSecretSpec"))
        yield from _store_problems(
            _map(inner.get("secretStoreRef")), None, render, ("spec", "externalSecretSpec", "secretStoreRef")
        )
        return
    yield from _store_problems(
        _map(spec.get("secretStoreRef")), ref.namespace, render, ("spec", "secretStoreRef")
    )
    for field in ("data", "dataFrom"):
        items = spec.get(field)
        for i, item in enumerate(items if isinstance(items, list) else []):
            store = _map(_map(_map(item).get("sourceRef")).get("storeRef"))
            yield from _store_problems(
                store, ref.namespace, render, ("spec", field, i, "sourceRef", "storeRef")
            )


# -- Redis --------------------------------------------------------------------------------------------------


def sentinel_replication(obj: Obj, render: RenderIndex) -> Iterator[RefProblem]:
    """RedisSentinel spec.redisSentinelConfig.redisReplicationName: a RedisReplication in its namespace."""
    config = _map(_map(obj.get("spec")).get("redisSentinelConfig"))
    name = config.get("redisReplicationName")
    if not isinstance(name, str) or not name:
        return
    namespace = ObjectRef.of(obj).namespace
    if name in render.names(REDIS, "RedisReplication", namespace):
        return
    hint = (
        f'"{name}" is a RedisCluster: a Sentinel watches a RedisReplication, not a RedisCluster'
        if name in render.names(REDIS, "RedisCluster", namespace)
        else _listing(
            "RedisReplication", render.names(REDIS, "RedisReplication", namespace), f' in "{namespace}"'
        )
    )
    yield RefProblem(
        Severity.error,
        "missing-replication",
        ("spec", "redisSentinelConfig", "redisReplicationName"),
        f'RedisReplication "{name}" not found in namespace "{namespace}"',
        hint,
    )


# -- Prometheus Operator selection --------------------------------------------------------------------------

_SELECTED_BY: dict[str, tuple[tuple[str, str, str], ...]] = {
    "ServiceMonitor": (
        ("Prometheus", "serviceMonitorSelector", "serviceMonitorNamespaceSelector"),
        ("PrometheusAgent", "serviceMonitorSelector", "serviceMonitorNamespaceSelector"),
    ),
    "PodMonitor": (
        ("Prometheus", "podMonitorSelector", "podMonitorNamespaceSelector"),
        ("PrometheusAgent", "podMonitorSelector", "podMonitorNamespaceSelector"),
    ),
    "Probe": (
        ("Prometheus", "probeSelector", "probeNamespaceSelector"),
        ("PrometheusAgent", "probeSelector", "probeNamespaceSelector"),
    ),
    "PrometheusRule": (
        ("Prometheus", "ruleSelector", "ruleNamespaceSelector"),
        ("ThanosRuler", "ruleSelector", "ruleNamespaceSelector"),
    ),
    "AlertmanagerConfig": (
        ("Alertmanager", "alertmanagerConfigSelector", "alertmanagerConfigNamespaceSelector"),
    ),
}


def selector_matches(selector: Any, labels: Mapping[str, str]) -> bool:
    """A metav1.LabelSelector: absent selects nothing, `{}` everything."""
    if not isinstance(selector, Mapping):
        return False
    for key, value in _map(selector.get("matchLabels")).items():
        if labels.get(str(key)) != str(value):
            return False
    expressions = selector.get("matchExpressions")
    for expr in expressions if isinstance(expressions, list) else []:
        expr = _map(expr)
        key, op = str(expr.get("key") or ""), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        present = key in labels
        ok = {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }.get(str(op), False)
        if not ok:
            return False
    return True


def _selects(selector_owner: Obj, fields: tuple[str, str, str], obj: Obj, render: RenderIndex) -> bool:
    _, selector_field, ns_selector_field = fields
    spec = _map(selector_owner.get("spec"))
    labels = {str(k): str(v) for k, v in _map(_meta(obj).get("labels")).items()}
    if not selector_matches(spec.get(selector_field), labels):
        return False
    namespace = ObjectRef.of(obj).namespace
    ns_selector = spec.get(ns_selector_field)
    if ns_selector is None:  # only the selecting object's own namespace
        return namespace == ObjectRef.of(selector_owner).namespace
    return selector_matches(ns_selector, render.namespace_labels(namespace))


def _selector_text(owner: Obj, fields: tuple[str, str, str]) -> str:
    spec = _map(owner.get("spec"))
    _, selector_field, ns_field = fields
    ns = spec.get(ns_field)
    where = "its own namespace" if ns is None else f"{ns_field} {json.dumps(ns, sort_keys=True)}"
    selector = json.dumps(spec.get(selector_field), sort_keys=True)
    return f"{ObjectRef.of(owner).display} selects {selector_field} {selector} in {where}"


def selected(obj: Obj, render: RenderIndex) -> Iterator[RefProblem]:
    kind = ObjectRef.of(obj).kind
    candidates = _SELECTED_BY.get(kind, ())
    owners = [(o, f) for f in candidates for o in render.of_kind(MONITORING, f[0])]
    if any(_selects(owner, fields, obj, render) for owner, fields in owners):
        return
    selector_kinds = " or ".join(dict.fromkeys(f[0] for f in candidates))
    hint = (
        "; ".join(_selector_text(owner, fields) for owner, fields in owners[:3])
        if owners
        else f"the render has no {selector_kinds}; fine if it runs elsewhere"
    )
    yield RefProblem(
        Severity.warning,
        "not-selected",
        ("metadata", "labels"),
        f"not selected by any {selector_kinds} in the render",
        hint,
    )


# -- namespaces ---------------------------------------------------------------------------------------------


def namespace_exists(obj: Obj, render: RenderIndex) -> Iterator[RefProblem]:
    namespace = ObjectRef.of(obj).namespace
    if not namespace or namespace in ALWAYS_THERE or namespace in render.namespaces:
        return
    yield RefProblem(
        Severity.warning,
        "missing-namespace",
        ("metadata", "namespace"),
        f'namespace "{namespace}" is not in the render',
        "add the Namespace to the render, or make sure it exists before this syncs",
    )


def reference_problems(obj: Obj, render: RenderIndex, *, namespaced: bool) -> Iterator[RefProblem]:
    ref = ObjectRef.of(obj)
    if ref.group == CERT_MANAGER and ref.kind in ("Certificate", "CertificateRequest"):
        yield from issuer_ref(obj, render)
    elif ref.group == ESO and ref.kind in ("ExternalSecret", "ClusterExternalSecret"):
        yield from secret_store_refs(obj, render)
    elif ref.group == REDIS and ref.kind == "RedisSentinel":
        yield from sentinel_replication(obj, render)
    elif ref.group == MONITORING and ref.kind in _SELECTED_BY:
        yield from selected(obj, render)
    if namespaced:
        yield from namespace_exists(obj, render)
