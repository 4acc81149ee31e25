"""`stackctl validate`: the render's custom resources against their CRDs and each other; exit 1 on errors."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stackctl.cli import target_or_default
from stackctl.errors import EXIT_ERROR


class Output(StrEnum):
    text = "text"
    json = "json"


def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Kustomization directory. Default: the default environment, overlays/envs/dev.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[Output, typer.Option("-o", "--output", help="Output format.")] = Output.text,
    crds: Annotated[
        list[Path] | None,
        typer.Option(
            "--crds",
            help="A folder (searched recursively) or file of CRDs to validate against; they replace the "
            "render's CRDs of the same name. Repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check custom resources against their CRDs and the stack's references.

    Served versions, schemas and metadata per CRD; issuers, secret stores, replications, Prometheus
    selectors and namespaces across the stack. Exit code 1 when any error is found."""
    from stackctl.validate import check, inputs, report

    target = target_or_default(path)
    rendered = inputs.render(target)
    for warning in rendered.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    extra = inputs.load_crds(crds) if crds else inputs.CrdFiles([], {}, 0)
    result = check(rendered.objects, extra.crds, sources={**rendered.sources, **extra.sources})
    if output is Output.json:
        sys.stdout.write(report.to_json(result, str(target)))
    else:
        sys.stdout.write(report.to_text(result))
    if result.errors:  # SystemExit, not typer.Exit: click returns typer.Exit's code without exiting
        raise SystemExit(EXIT_ERROR)
