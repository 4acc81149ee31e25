"""CustomResourceDefinitions as the validator needs them: which kinds exist, in which versions, served or
not, deprecated or not, with which schema, and whether each CRD is one the API server would accept at all.

The index is built once per run from the render's CRDs plus any given on the side (`--crds DIR`, e.g. the
real upstream CRDs); those given on the side replace a render CRD of the same name, as vendoring would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackctl.model import Obj
from stackctl.validate.findings import Finding, ObjectRef, Severity, Sources, source_of

CRD_GROUP = "apiextensions.k8s.io"
CRD_KIND = "CustomResourceDefinition"

BUILTIN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "extensions",
        "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)
"""API groups Kubernetes itself serves; an object of any other group needs a CRD (or an aggregated API)."""


def is_crd(obj: Obj) -> bool:
    api_version = str(obj.get("apiVersion") or "")
    return obj.get("kind") == CRD_KIND and api_version.startswith(CRD_GROUP + "/")


@dataclass(frozen=True)
class CrdVersion:
    name: str
    served: bool
    storage: bool
    deprecated: bool
    deprecation_warning: str | None
    schema: Mapping[str, Any] | None
    """The version's openAPIV3Schema, None when the CRD gives none."""
    status_subresource: bool


@dataclass(frozen=True)
class Crd:
    name: str
    group: str
    kind: str
    plural: str
    namespaced: bool
    versions: tuple[CrdVersion, ...]
    obj: Obj
    source: str | None

    def version(self, name: str) -> CrdVersion | None:
        return next((v for v in self.versions if v.name == name), None)

    @property
    def served(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.versions if v.served)

    @property
    def preferred(self) -> str | None:
        """The version to suggest: the storage version if served, else the first served one."""
        storage = next((v.name for v in self.versions if v.storage and v.served), None)
        return storage or next(iter(self.served), None)


def _as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_crd(obj: Obj, source: str | None) -> tuple[Crd | None, list[Finding]]:
    """A CRD object as a `Crd`, with findings for what the API server would refuse in it."""
    ref = ObjectRef.of(obj)
    spec = _as_map(obj.get("spec"))
    names = _as_map(spec.get("names"))
    group = str(spec.get("group") or "")
    kind = str(names.get("kind") or "")
    plural = str(names.get("plural") or "")
    findings: list[Finding] = []

    def bad(field: str, message: str, hint: str | None = None) -> None:
        findings.append(Finding(Severity.error, "invalid-crd", ref, field, message, hint, source))

    for field, value in (("spec.group", group), ("spec.names.kind", kind), ("spec.names.plural", plural)):
        if not value:
            bad(field, "required value")
    if not group or not kind:
        return None, findings
    if plural and ref.name != f"{plural}.{group}":
        bad("metadata.name", f'must be "{plural}.{group}" (spec.names.plural + "." + spec.group)')
    versions = _parse_versions(spec)
    if not versions:
        bad("spec.versions", "required value: a CRD lists at least one version")
    elif sum(v.storage for v in versions) != 1:
        bad(
            "spec.versions",
            f"exactly one version must be the storage version, not {sum(v.storage for v in versions)}",
        )
    if versions and not any(v.served for v in versions):
        bad("spec.versions", "no version is served")
    namespaced = str(spec.get("scope") or "Namespaced") != "Cluster"
    return Crd(ref.name, group, kind, plural, namespaced, tuple(versions), obj, source), findings


def _parse_versions(spec: Mapping[str, Any]) -> list[CrdVersion]:
    raw = spec.get("versions")
    shared_schema = _as_map(_as_map(spec.get("validation")).get("openAPIV3Schema")) or None  # v1beta1 CRDs
    shared_status = "status" in _as_map(spec.get("subresources"))
    if not isinstance(raw, list) or not raw:
        legacy = spec.get("version")  # apiextensions.k8s.io/v1beta1 with a single `version`
        if not legacy:
            return []
        raw = [{"name": legacy, "served": True, "storage": True}]
    out = []
    for item in raw:
        item = _as_map(item)
        schema = _as_map(_as_map(item.get("schema")).get("openAPIV3Schema")) or shared_schema
        warning = item.get("deprecationWarning")
        out.append(
            CrdVersion(
                name=str(item.get("name") or ""),
                served=item.get("served") is True,
                storage=item.get("storage") is True,
                deprecated=item.get("deprecated") is True,
                deprecation_warning=str(warning) if warning else None,
                schema=schema,
                status_subresource="status" in _as_map(item.get("subresources")) or shared_status,
            )
        )
    return out


class CrdIndex:
    """The CRDs of one run by group and kind (kinds are case-sensitive, as the API server has them)."""

    def __init__(self, crds: Iterable[Crd]) -> None:
        self._by_gk: dict[tuple[str, str], Crd] = {}
        for crd in crds:
            self._by_gk.setdefault((crd.group, crd.kind), crd)

    def __len__(self) -> int:
        return len(self._by_gk)

    def get(self, group: str, kind: str) -> Crd | None:
        return self._by_gk.get((group, kind))

    def has_group(self, group: str) -> bool:
        return any(g == group for g, _ in self._by_gk)

    def similar_kinds(self, group: str, kind: str) -> list[str]:
        """Kinds of the group spelled like `kind` but for case (`PostgreSQL` for `postgresql`)."""
        return sorted(k for g, k in self._by_gk if g == group and k.lower() == kind.lower() and k != kind)


def build_index(
    objects: Sequence[Obj], extra_crds: Sequence[Obj], sources: Sources | None
) -> tuple[CrdIndex, list[Finding]]:
    """Extra CRDs first (the first of a name wins), then the render's own CRDs of names not seen yet.

    `sources` may name the files of extra CRDs too: an extra CRD replaces the render's of the same name,
    and so does its entry in `sources`."""
    findings: list[Finding] = []
    seen: set[str] = set()
    crds: list[Crd] = []
    for obj in [*(o for o in extra_crds if is_crd(o)), *(o for o in objects if is_crd(o))]:
        name = ObjectRef.of(obj).name
        if name in seen:
            continue
        seen.add(name)
        crd, problems = parse_crd(obj, source_of(obj, sources))
        findings.extend(problems)
        if crd is not None:
            crds.append(crd)
    return CrdIndex(crds), findings
