"""`stackctl render`: what `kustomize build` prints, byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackctl.cli import entry
from stackctl.cli.entry import LoadRestrictor, Output


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
    if len(paths or ()) > 1 and out_dir is None:
        raise typer.BadParameter("several PATHs need --out-dir", param_hint="PATHS")
    entry.render(entry.RenderArgs(tuple(paths or ()), output.value, out_dir, load_restrictor.value))
