"""What a check reports: one finding per problem, as plain values that every output format reads.

A finding names the object (apiVersion, kind, namespace, name), the field path inside it, and where known
the file the object came from, so a user can go straight to the line to fix; `code` is a stable name of the
check for scripts that filter on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stackctl.model import Obj, ResId


class Severity(StrEnum):
    error = "error"
    """The API server (with strict field validation) or the operator refuses the object."""
    warning = "warning"
    """It applies, but probably does not do what was meant (deprecated version, nothing selects it...)."""


@dataclass(frozen=True, order=True)
class ObjectRef:
    """The object a finding is about, as written in the render."""

    api_version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: Obj) -> ObjectRef:
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        return cls(
            str(obj.get("apiVersion") or ""),
            str(obj.get("kind") or ""),
            str(meta.get("namespace") or ""),
            str(meta.get("name") or ""),
        )

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    @property
    def display(self) -> str:
        """`Kind/namespace/name`, or `Kind/name` for an object without a namespace."""
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"

    def to_json(self) -> dict[str, str | None]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace or None,
            "name": self.name,
        }


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    """Stable name of the check: `missing-crd`, `unserved-version`, `schema`, `unknown-field`, ..."""
    object: ObjectRef
    field: str
    """Path inside the object (`spec.issuerRef.name`, `spec.data[0].remoteRef.key`); "" for all of it."""
    message: str
    hint: str | None = None
    source: str | None = None
    """The file the object came from, where known."""

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "object": self.object.to_json(),
            "field": self.field or None,
            "message": self.message,
            "hint": self.hint,
            "source": self.source,
        }


Sources = Mapping[ResId, str]
"""Where each rendered object came from (the file kustomize read it from), keyed by its id."""


def source_of(obj: Obj, sources: Sources | None) -> str | None:
    if not sources:
        return None
    return sources.get(ResId.of(obj))


_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def field_path(parts: Iterable[str | int]) -> str:
    """`spec.data[0].remoteRef.key`; a map key that is not a plain word is bracketed as the API server does
    (`metadata.labels[app.kubernetes.io/name]`)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part}]"
    return out
