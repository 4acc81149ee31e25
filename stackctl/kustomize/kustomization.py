"""The kustomization file: which fields exist, which stackctl supports, and their shapes.

kustomize refuses unknown fields; stackctl does too, and it refuses (naming the field) the fields kustomize
knows but stackctl does not implement yet, rather than silently building something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stackctl.errors import KustomizeError, UnsupportedFieldError

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

_LIST, _MAP, _STR, _BOOL = "list", "map", "string", "boolean"

SUPPORTED: dict[str, str] = {
    "apiVersion": _STR,
    "kind": _STR,
    "metadata": _MAP,
    "namePrefix": _STR,
    "nameSuffix": _STR,
    "namespace": _STR,
    "commonLabels": _MAP,
    "labels": _LIST,
    "commonAnnotations": _MAP,
    "patchesStrategicMerge": _LIST,
    "patchesJson6902": _LIST,
    "patches": _LIST,
    "images": _LIST,
    "imageTags": _LIST,
    "replacements": _LIST,
    "replicas": _LIST,
    "sortOptions": _MAP,
    "resources": _LIST,
    "bases": _LIST,
    "components": _LIST,
    "configMapGenerator": _LIST,
    "secretGenerator": _LIST,
    "generatorOptions": _MAP,
}

UNSUPPORTED: dict[str, str] = {
    "openapi": "custom OpenAPI schemas",
    "vars": "vars (deprecated by kustomize; use replacements)",
    "crds": "CRD field specs",
    "helmGlobals": "Helm chart inflation",
    "helmCharts": "Helm chart inflation",
    "helmChartInflationGenerator": "Helm chart inflation",
    "configurations": "custom transformer configurations",
    "generators": "generator plugins",
    "transformers": "transformer plugins",
    "validators": "validator plugins",
    "buildMetadata": "build metadata annotations",
}

DEPRECATED: dict[str, str] = {
    "bases": "resources",
    "commonLabels": "labels",
    "imageTags": "images",
    "patchesJson6902": "patches",
    "patchesStrategicMerge": "patches",
}


@dataclass(frozen=True)
class Kustomization:
    """A parsed, shape-checked kustomization: raw field values plus where they came from."""

    fields: dict[str, Any]
    kfile: str
    """Display path of the kustomization file."""

    @property
    def kind(self) -> str:
        return str(self.fields.get("kind") or "Kustomization")

    def deprecations(self) -> list[str]:
        """kustomize's deprecation warnings for this file, one per deprecated field present."""
        return [
            f"{self.kfile}: {key}: deprecated; use '{new}' instead (kustomize edit fix rewrites it)"
            for key, new in DEPRECATED.items()
            if key in self.fields
        ]

    def get_list(self, name: str) -> list[Any]:
        value = self.fields.get(name)
        return list(value) if value else []

    def get_map(self, name: str) -> dict[str, Any]:
        value = self.fields.get(name)
        return dict(value) if value else {}

    def get_str(self, name: str) -> str:
        value = self.fields.get(name)
        return str(value) if value else ""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, dict):
        return _MAP
    if isinstance(value, list):
        return _LIST
    if isinstance(value, str):
        return _STR
    return type(value).__name__


def parse_kustomization(doc: Any, kfile: str) -> Kustomization:
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise KustomizeError(f"a kustomization must be a map of fields, not a {_type_name(doc)}", file=kfile)
    for key, value in doc.items():
        if key in UNSUPPORTED:
            if value in (None, [], {}, ""):
                continue
            raise UnsupportedFieldError(
                f"field '{key}' ({UNSUPPORTED[key]}) is not supported by stackctl yet",
                file=kfile,
                field=key,
                hint="remove it, or build this tree with kustomize itself",
            )
        expected = SUPPORTED.get(key)
        if expected is None:
            raise KustomizeError(
                f"unknown field '{key}'",
                file=kfile,
                field=key,
                hint="kustomize refuses unknown kustomization fields; check the spelling",
            )
        if value is None:
            continue
        got = _type_name(value)
        if got != expected:
            article = "an" if got[:1] in "aeiou" else "a"
            raise KustomizeError(f"expected a {expected}, got {article} {got}", file=kfile, field=key)
    kind = doc.get("kind") or "Kustomization"
    if kind not in ("Kustomization", "Component"):
        raise KustomizeError(
            f"kind '{kind}' is not a kustomization (want Kustomization or Component)",
            file=kfile,
            field="kind",
        )
    fields = dict(doc)
    # Deprecated spellings kustomize still honours (its FixKustomization).
    if fields.get("bases"):
        fields["resources"] = [*(fields.get("resources") or []), *fields["bases"]]
    if fields.get("imageTags"):
        fields["images"] = [*(fields.get("images") or []), *fields["imageTags"]]
    return Kustomization(fields, kfile)
