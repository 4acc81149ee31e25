"""The validator's edge: the render with the file each object came from, and CRDs read from folders.

Everything else in stackctl.validate is pure; this module does the reads. The render is kustomize's own
build (stackctl.kustomize), kept with each object's origin file so findings can name it.
`--crds DIR` folders are walked in a fixed order (a folder's files by name, then its subfolders by name)
and the first CRD of a name wins, so a folder holding both upstream's split files and a bundle of the same
CRDs, or a `full/` variant below, always resolves the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stackctl import yamlio
from stackctl.errors import StackctlError
from stackctl.kustomize.build import Builder
from stackctl.kustomize.loader import ROOT_ONLY, Workspace, display_path
from stackctl.model import Obj, ResId
from stackctl.validate.crds import is_crd

CRD_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Rendered:
    objects: list[Obj]
    warnings: list[str]
    sources: dict[ResId, str]


def render(path: Path, *, load_restrictor: str = ROOT_ONLY) -> Rendered:
    """What `stackctl render PATH` prints, as objects, with each object's source file."""
    builder = Builder(Workspace(load_restrictor))
    resources = builder.build(path)
    return Rendered([r.obj for r in resources], builder.warnings, {r.id: r.origin for r in resources})


def _walk(folder: Path) -> Iterator[Path]:
    entries = sorted(os.scandir(folder), key=lambda e: e.name)
    for entry in entries:
        if entry.is_file() and entry.name.endswith(CRD_SUFFIXES) and not entry.name.startswith("."):
            yield Path(entry.path)
    for entry in entries:
        if entry.is_dir() and not entry.name.startswith("."):
            yield from _walk(Path(entry.path))


@dataclass(frozen=True)
class CrdFiles:
    crds: list[Obj]
    sources: dict[ResId, str]
    files: int


def load_crds(paths: Sequence[Path]) -> CrdFiles:
    """Every CustomResourceDefinition in the given files and folders (folders recursively)."""
    crds: list[Obj] = []
    sources: dict[ResId, str] = {}
    files = 0
    for given in paths:
        if given.is_dir():
            found = list(_walk(given))
        elif given.is_file():
            found = [given]
        else:
            raise StackctlError(
                f"'{display_path(given)}' does not exist",
                field="--crds",
                hint="give a folder or file of CRDs",
            )
        before = len(crds)
        for file in found:
            shown = display_path(file)
            for doc in yamlio.load_documents(file.read_bytes(), source=shown):
                if isinstance(doc, dict) and is_crd(doc):
                    crds.append(doc)
                    sources.setdefault(ResId.of(doc), shown)
            files += 1
        if len(crds) == before:
            raise StackctlError(
                f"no CustomResourceDefinition in '{display_path(given)}'",
                field="--crds",
                hint="give a folder holding CRD manifests (.yaml, .yml or .json)",
            )
    return CrdFiles(crds, sources, files)
