"""Plain values the OLM builder and validator pass around: generated files, loaded bundles, findings.

Building and validating are pure functions over these values; only `stackctl.olm.io` touches the disk. A
bundle on disk and a bundle just generated look the same to the validator (a `BundleSource`: relative path
to text), so `stackctl bundle validate` and the generator's own tests run the very same checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stackctl.errors import StackctlError

Obj = dict[str, Any]


class OlmError(StackctlError):
    """An install base or catalog entry that cannot become a bundle, or a bundles/ tree we cannot write."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One validation result. `bundle` names the bundle (its CSV, else its directory), `file` the file
    inside it, `field` the field path inside that file."""

    severity: Severity
    check: str  # short id of the check, e.g. "kinds", "alm-examples", "channel-graph"
    message: str
    bundle: str = ""
    file: str = ""
    field: str = ""

    def text(self) -> str:
        where = ": ".join(p for p in (self.bundle, self.file, self.field) if p)
        return f"{where}: {self.message}" if where else self.message

    def as_output(self) -> dict[str, str]:
        return {"type": self.severity.value, "message": self.text()}


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # relative to the output root, "/"-separated
    text: str


@dataclass(frozen=True)
class BundleSource:
    """A bundle's files as text, keyed by their path relative to the bundle directory."""

    name: str  # how messages name it before its CSV is known: the directory as given
    files: dict[str, str] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()  # paths that are not UTF-8 text, or not regular files


@dataclass(frozen=True)
class CatalogSource:
    """A file-based catalog's documents, with the file each came from."""

    name: str
    documents: tuple[tuple[str, Obj], ...]
