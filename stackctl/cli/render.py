"""`stackctl render`: what `kustomize build` prints, byte for byte."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stackctl.cli import target_or_default


class Output(StrEnum):
    yaml = "yaml"
    json = "json"


class LoadRestrictor(StrEnum):
    root_only = "LoadRestrictionsRootOnly"
    none = "LoadRestrictionsNone"


def render(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Kustomization directories. Default: the default environment, overlays/envs/dev.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[Output, typer.Option("-o", "--output", help="Output format.")] = Output.yaml,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            help="Write each build to DIR/<directory name>.<format> instead of stdout (for several PATHs).",
        ),
    ] = None,
    load_restrictor: Annotated[
        LoadRestrictor,
        typer.Option(
            "--load-restrictor", help="As kustomize: whether files must lie below their kustomization."
        ),
    ] = LoadRestrictor.root_only,
) -> None:
    """Build kustomizations and print their objects exactly as `kustomize build` does."""
    from stackctl import render as core

    targets = paths or [target_or_default(None)]
    outputs = core.render_many(targets, fmt=output.value, load_restrictor=load_restrictor.value)
    for rendered in outputs:
        for warning in rendered.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    if out_dir is not None:
        written = core.write_outputs(out_dir, outputs, fmt=output.value)
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
        return
    if len(outputs) > 1:
        raise typer.BadParameter("several PATHs need --out-dir", param_hint="PATHS")
    sys.stdout.write(outputs[0].text)
