"""Every bundle and catalog of the chosen operators, as files: the pure core of `stackctl bundle`.

Input is plain data: the catalog, and for each operator the objects of its rendered install base, of the
stack's custom resources for it, and of the environment whose container sizing the bundle carries. Output is
the list of files under the bundles/ root. `stackctl.olm.io` renders the inputs and writes the output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stackctl.catalog import Operator
from stackctl.olm import bundle as bd
from stackctl.olm import csv as cv
from stackctl.olm import versions as ver
from stackctl.olm.model import GeneratedFile, Obj


@dataclass(frozen=True)
class OperatorInputs:
    op: Operator
    base: Sequence[Obj]  # the rendered install base (the pinned version)
    stack: Sequence[Obj]  # the stack's custom resources for this operator (alm-examples)
    sizing: Sequence[Obj]  # an environment's render: resources for containers the base leaves unsized


@dataclass(frozen=True)
class Generated:
    files: tuple[GeneratedFile, ...]  # relative to the bundles/ root
    bundles: tuple[bd.BuiltBundle, ...]
    notes: tuple[str, ...]  # what the user should know (omitted fields and why)


def generate_operator(inputs: OperatorInputs, registry: str) -> Generated:
    op = inputs.op
    sized = cv.apply_sizing(inputs.base, inputs.sizing)
    built: list[bd.BuiltBundle] = []
    files: list[GeneratedFile] = []
    notes: list[str] = []
    for version in sorted(op.versions, key=lambda v: ver.key(v.version)):
        objects = cv.retarget(sized, op, version)
        result = cv.build_csv(op, version, objects, inputs.stack)
        b = bd.bundle_files(op, version, result)
        built.append(b)
        prefix = bd.bundle_dir(op.package, version.version)
        files.extend(GeneratedFile(f"{prefix}/{f.path}", f.text) for f in b.files)
        if version.released is None:
            notes.append(f"{op.package} {version.version}: no createdAt (the catalog has no release date)")
    docs = bd.catalog_documents(op, built, registry)
    files.append(GeneratedFile(f"catalog/{op.package}/catalog.yaml", bd.catalog_text(docs)))
    return Generated(tuple(files), tuple(built), tuple(notes))


def generate(inputs: Sequence[OperatorInputs], registry: str) -> Generated:
    files: list[GeneratedFile] = []
    built: list[bd.BuiltBundle] = []
    notes: list[str] = []
    for item in sorted(inputs, key=lambda i: i.op.package):
        g = generate_operator(item, registry)
        files.extend(g.files)
        built.extend(g.bundles)
        notes.extend(g.notes)
    return Generated(tuple(sorted(files, key=lambda f: f.path)), tuple(built), tuple(notes))


def owned_paths(packages: Sequence[str]) -> list[str]:
    """The paths under bundles/ a run for these packages owns (and replaces as a whole)."""
    return sorted([p for pkg in packages for p in (pkg, f"catalog/{pkg}")])


def files_by_path(files: Sequence[GeneratedFile]) -> Mapping[str, str]:
    return {f.path: f.text for f in files}
