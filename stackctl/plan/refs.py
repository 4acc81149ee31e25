"""Reference edges between custom resources: who must exist before whom.

Ordering by kind alone cannot say that a Certificate needs its ClusterIssuer, or that an issuer's DNS-01
solver needs the Secret an ExternalSecret writes. These edges come from the objects' own fields, kind by
kind, and only ever point at objects of the same render: a reference to something created out of band
(the AWS root credentials) orders nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from stackctl.model import Obj, ResId

CERT_MANAGER = "cert-manager.io"
ESO = "external-secrets.io"


@dataclass(frozen=True)
class Ref:
    """A reference found in an object: to `kind` named `name` in `namespace` ("" when cluster-scoped or when
    the referrer is cluster-scoped and did not say: then any namespace matches)."""

    group: str
    kind: str
    name: str
    namespace: str
    field: str  # where in the referrer, for messages: `spec.issuerRef`


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _issuer_ref(obj: Obj, ns: str) -> Iterator[Ref]:
    ref = _dict(_dict(obj.get("spec")).get("issuerRef"))
    name = ref.get("name")
    if not isinstance(name, str) or ref.get("group", CERT_MANAGER) != CERT_MANAGER:
        return
    kind = str(ref.get("kind") or "Issuer")
    yield Ref(CERT_MANAGER, kind, name, ns if kind == "Issuer" else "", "spec.issuerRef")


def _store_refs(obj: Obj, ns: str) -> Iterator[Ref]:
    spec = _dict(obj.get("spec"))
    found: list[tuple[str, Any]] = [("spec.secretStoreRef", spec.get("secretStoreRef"))]
    for key in ("data", "dataFrom"):
        for i, item in enumerate(_list(spec.get(key))):
            found.append(
                (f"spec.{key}[{i}].sourceRef.storeRef", _dict(_dict(item).get("sourceRef")).get("storeRef"))
            )
    for i, item in enumerate(_list(spec.get("secretStoreRefs"))):  # PushSecret
        found.append((f"spec.secretStoreRefs[{i}]", item))
    for where, raw in found:
        ref = _dict(raw)
        name = ref.get("name")
        if isinstance(name, str):
            kind = str(ref.get("kind") or "SecretStore")
            yield Ref(ESO, kind, name, ns if kind == "SecretStore" else "", where)


def _secret_refs(value: Any, ns: str, path: str) -> Iterator[Ref]:
    """Secrets named by `...SecretRef` / `secretKeyRef` fields and `{name, key}` selectors, anywhere."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            lowered = str(key).lower()
            named = isinstance(sub, Mapping) and isinstance(sub.get("name"), str)
            if named and (lowered.endswith(("secretref", "secretkeyref")) or _key_selector(sub)):
                yield Ref("", "Secret", sub["name"], str(sub.get("namespace") or ns), where)
                continue
            yield from _secret_refs(sub, ns, where)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _secret_refs(sub, ns, f"{path}[{i}]")


def _key_selector(value: Mapping[str, Any]) -> bool:
    """`{name, key}` (and `optional`): a SecretKeySelector, as prometheus-operator's `apiURL` is."""
    return "key" in value and set(value) <= {"name", "key", "optional"}


def references(obj: Obj, namespaced: bool) -> list[Ref]:
    """The references an object makes, by its kind; `namespaced` is its scope (from its CRD or discovery)."""
    rid = ResId.of(obj)
    ns = rid.namespace if namespaced else ""
    group, kind = rid.gvk.group, rid.gvk.kind
    refs: list[Ref] = []
    if group == CERT_MANAGER and kind in ("Certificate", "CertificateRequest"):
        refs.extend(_issuer_ref(obj, ns))
    if group == ESO and kind in ("ExternalSecret", "PushSecret"):
        refs.extend(_store_refs(obj, ns))
    if group == "redis.redis.opstreelabs.in" and kind == "RedisSentinel":
        name = _dict(_dict(obj.get("spec")).get("redisSentinelConfig")).get("redisReplicationName")
        if isinstance(name, str):
            refs.append(
                Ref(group, "RedisReplication", name, ns, "spec.redisSentinelConfig.redisReplicationName")
            )
    refs.extend(_secret_refs(obj.get("spec"), ns, "spec"))
    return refs


def secret_producers(obj: Obj) -> list[tuple[str, str]]:
    """(namespace, name) of the Secrets an object writes: an ExternalSecret its target (default: its own
    name), a Certificate its `secretName`, a Secret itself."""
    rid = ResId.of(obj)
    spec = _dict(obj.get("spec"))
    if rid.gvk.group == ESO and rid.gvk.kind == "ExternalSecret":
        target = _dict(spec.get("target"))
        return [(rid.namespace, str(target.get("name") or rid.name))]
    if (
        rid.gvk.group == CERT_MANAGER
        and rid.gvk.kind == "Certificate"
        and isinstance(spec.get("secretName"), str)
    ):
        return [(rid.namespace, spec["secretName"])]
    if rid.gvk.group == "" and rid.gvk.kind == "Secret":
        return [(rid.namespace, rid.name)]
    return []
