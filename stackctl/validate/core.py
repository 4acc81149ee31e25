"""The checks as one pure function over a render: objects (and CRDs given on the side) in, findings out.

For every custom resource (an object of a group Kubernetes does not serve itself, or of a kind a CRD in the
run defines): its CRD must be there, its apiVersion served (deprecated versions warn), its metadata must
follow Kubernetes' rules, its body the CRD version's schema, and its references to other stack resources
must resolve in the same render. Findings come in render order, object by object, checks in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jsonschema.exceptions import SchemaError, UnknownType  # type: ignore[import-untyped]

from stackctl.model import Obj
from stackctl.validate.crds import BUILTIN_GROUPS, Crd, CrdIndex, build_index, is_crd
from stackctl.validate.findings import Finding, ObjectRef, Severity, Sources, field_path, source_of
from stackctl.validate.metadata import check_metadata
from stackctl.validate.refs import RenderIndex, reference_problems
from stackctl.validate.schema import CompiledSchema


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    objects: int
    custom_resources: int
    """Objects checked against a CRD (or found to lack one)."""
    crds: int
    """CRDs available to the run: the render's, replaced or completed by those given on the side."""

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.error for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.warning for f in self.findings)


class _Schemas:
    """Each CRD version's schema converted once per run, and only if an object uses it."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, str], CompiledSchema] = {}

    def get(self, crd: Crd, version: str) -> CompiledSchema | None:
        key = (crd.name, version)
        if key not in self._compiled:
            found = crd.version(version)
            if found is None or found.schema is None:
                return None
            self._compiled[key] = CompiledSchema(found.schema)
        return self._compiled[key]


def validate(
    objects: Sequence[Obj], extra_crds: Sequence[Obj] = (), *, sources: Sources | None = None
) -> list[Finding]:
    """Every finding about the render's custom resources (see `check` for the counts as well)."""
    return check(objects, extra_crds, sources=sources).findings


def check(
    objects: Sequence[Obj], extra_crds: Sequence[Obj] = (), *, sources: Sources | None = None
) -> Report:
    index, findings = build_index(objects, extra_crds, sources)
    render = RenderIndex(objects)
    schemas = _Schemas()
    custom = 0
    for obj in objects:
        if is_crd(obj):
            continue
        ref = ObjectRef.of(obj)
        crd = index.get(ref.group, ref.kind)
        if crd is None and ref.group in BUILTIN_GROUPS:
            continue
        custom += 1
        findings.extend(_check_object(obj, ref, crd, index, render, schemas, source_of(obj, sources)))
    return Report(findings, len(objects), custom, len(index))


def _check_object(
    obj: Obj,
    ref: ObjectRef,
    crd: Crd | None,
    index: CrdIndex,
    render: RenderIndex,
    schemas: _Schemas,
    source: str | None,
) -> list[Finding]:
    out: list[Finding] = []

    def add(severity: Severity, code: str, path: Sequence[str | int], message: str, hint: str | None) -> None:
        out.append(Finding(severity, code, ref, field_path(path), message, hint, source))

    if crd is None:
        similar = index.similar_kinds(ref.group, ref.kind)
        hint = (
            f"kinds are case-sensitive: did you mean {similar[0]}?"
            if similar
            else "add the operator's CRDs to the render, or give them with --crds DIR"
        )
        add(
            Severity.error,
            "missing-crd",
            ["kind"],
            f"no CustomResourceDefinition for {ref.kind}.{ref.group}",
            hint,
        )
        return out
    version = crd.version(ref.version)
    use = f"use apiVersion: {crd.group}/{crd.preferred}" if crd.preferred else None
    served = ", ".join(crd.served) or "none"
    if version is None or not version.served:
        state = "is not a version of" if version is None else "is listed but not served by"
        add(
            Severity.error,
            "unserved-version",
            ["apiVersion"],
            f"{ref.api_version} {state} CRD {crd.name} (served: {served})",
            use,
        )
        return out
    if version.deprecated:
        message = version.deprecation_warning or f"{ref.api_version} {ref.kind} is deprecated"
        better = use if crd.preferred and crd.preferred != version.name else None
        add(Severity.warning, "deprecated-version", ["apiVersion"], message, better)
    for problem in check_metadata(obj, namespaced=crd.namespaced):
        severity = Severity.warning if problem.code == "cluster-scoped-namespace" else Severity.error
        add(severity, problem.code, problem.path, problem.message, problem.hint)
    compiled = schemas.get(crd, version.name)
    if compiled is not None:
        try:
            problems = compiled.problems(obj, drop_status=version.status_subresource)
        except (SchemaError, UnknownType, TypeError, ValueError) as exc:
            add(
                Severity.error,
                "invalid-crd",
                [],
                f"the schema of CRD {crd.name} {version.name} cannot be used: {exc}",
                None,
            )
            problems = []
        for problem in problems:
            add(Severity.error, problem.code, problem.path, problem.message, problem.hint)
    for rp in reference_problems(obj, render, namespaced=crd.namespaced):
        add(rp.severity, rp.code, rp.path, rp.message, rp.hint)
    return out
