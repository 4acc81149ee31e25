"""`stackctl render`: what `kustomize build` prints, byte for byte."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_PATH = Path("overlays/envs/dev")


class Output(str, Enum):
    yaml = "yaml"
    json = "json"


class LoadRestrictor(str, Enum):
    root_only = "LoadRestrictionsRootOnly"
    none = "LoadRestrictionsNone"


def render(
    path: Annotated[
        Path | None,
        typer.Argument(help="Kustomization directory. Default: the default environment, overlays/envs/dev."),
    ] = None,
    output: Annotated[Output, typer.Option("-o", "--output", help="Output format.")] = Output.yaml,
    load_restrictor: Annotated[
        LoadRestrictor,
        typer.Option("--load-restrictor", help="As kustomize: whether files must lie below their kustomization."),
    ] = LoadRestrictor.root_only,
) -> None:
    """Build a kustomization and print its objects exactly as `kustomize build` does."""
    from stackctl import yamlio
    from stackctl.kustomize.build import build

    result = build(path if path is not None else DEFAULT_PATH, load_restrictor=load_restrictor.value)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    text = yamlio.dump_json(result.objects) if output is Output.json else yamlio.dump_documents(result.objects)
    sys.stdout.write(text)
