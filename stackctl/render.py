"""Rendering as the CLI uses it: one or several kustomizations to text, and hydrated files on disk.

Several paths are built in one process sharing parsed files, so hydrating three environments over one base
parses the base once. Files are written to temporary names and renamed only once every build succeeded:
a failed run leaves the previous output as it was.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stackctl import yamlio
from stackctl.errors import StackctlError
from stackctl.kustomize.build import build_many


@dataclass(frozen=True)
class Rendered:
    path: Path
    text: str
    warnings: list[str]


def render_many(paths: Sequence[Path], *, fmt: str, load_restrictor: str) -> list[Rendered]:
    results = build_many(paths, load_restrictor=load_restrictor)
    dump = yamlio.dump_json if fmt == "json" else yamlio.dump_documents
    return [Rendered(p, dump(r.objects), r.warnings) for p, r in zip(paths, results, strict=True)]


def output_name(path: Path, fmt: str) -> str:
    return f"{path.resolve().name}.{fmt}"


def write_outputs(out_dir: Path, outputs: Sequence[Rendered], *, fmt: str) -> list[Path]:
    names = [output_name(r.path, fmt) for r in outputs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise StackctlError(
            f"several PATHs would write {', '.join(dupes)}",
            field="--out-dir",
            hint="give directories with distinct names",
        )
    import tempfile  # only --out-dir pays for it

    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, rendered in zip(names, outputs, strict=True):
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(rendered.text)
            staged.append((tmp, out_dir / name))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [final for _, final in staged]
