"""`stackctl bundle`: OLM bundles and catalogs for the operators; `stackctl bundle validate`: check them."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stackctl.errors import EXIT_ERROR

app = typer.Typer(
    name="bundle",
    help="Emit OLM registry+v1 bundles and file-based catalogs, or validate bundles.",
    no_args_is_help=False,
    add_completion=False,
)


class Output(StrEnum):
    text = "text"
    json = "json"


@app.callback(invoke_without_command=True)
def bundle(
    ctx: typer.Context,
    operator: Annotated[
        list[str] | None,
        typer.Option(
            "--operator",
            help="Operator key or OLM package name (repeatable). Default: all five.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Bundles root: <package>/<version>/ and catalog/<package>/.", file_okay=False
        ),
    ] = Path("bundles"),
    registry: Annotated[
        str,
        typer.Option(
            "--registry",
            help="Where the bundle images live: <registry>/<package>-bundle:v<version>, or a template "
            "with {package} and {version}.",
        ),
    ] = "quay.io/ecoeco",
    root: Annotated[
        Path, typer.Option("--root", help="Repository root holding overlays/.", file_okay=False)
    ] = Path("."),
    sizing: Annotated[
        str,
        typer.Option(
            "--sizing",
            help="Environment (under --root) whose container resources the bundles carry where the install "
            "base sets none; '' for none.",
        ),
    ] = "overlays/envs/prod",
) -> None:
    """Write a registry+v1 bundle per operator and version, and a file-based catalog per package.

    The output replaces the chosen packages under OUT atomically: a failed run leaves the old bundles.
    """
    if ctx.invoked_subcommand is not None:
        return
    from stackctl.catalog import load_catalog
    from stackctl.olm import generate, io

    catalog = load_catalog()
    ops = io.operators_for(catalog, operator)
    inputs = io.render_inputs(catalog, root, [op.key for op in ops], sizing or None)
    result = generate.generate(inputs, registry)
    io.write_tree(out, result.files, generate.owned_paths([op.package for op in ops]))
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"wrote {len(result.bundles)} bundles and {len(ops)} catalogs ({len(result.files)} files) to {out}",
        file=sys.stderr,
    )


@app.command("validate")
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Bundle directories, file-based catalog directories, or directories holding them.",
            show_default=False,
        ),
    ],
    select_optional: Annotated[
        list[str] | None,
        typer.Option(
            "--select-optional",
            help="Add an optional suite of checks: suite=operatorframework (OperatorHub, deprecated APIs, "
            "good practices).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    output: Annotated[Output, typer.Option("-o", "--output", help="Output format.")] = Output.text,
) -> None:
    """Run operator-sdk's bundle checks (and, with --select-optional, its operatorframework suite), the
    checks it misses, and the channel graph over several bundles of a package or a catalog.

    Exit 1 on any error."""
    from stackctl.olm import io
    from stackctl.olm import validate as core

    suites: set[str] = set()
    for selector in select_optional or []:
        key, _, value = selector.partition("=")
        if key != "suite" or value not in core.OPTIONAL_SUITES:
            raise typer.BadParameter(
                f"{selector!r}: only suite=operatorframework is known", param_hint="--select-optional"
            )
        suites.add(value)
    options = core.Options(frozenset(suites), strict)
    bundles, catalogs = io.discover(paths)
    findings = []
    loaded = []
    for source in bundles:
        b, found = core.validate_bundle(source, options)
        loaded.append(b)
        findings.extend(found)
    findings.extend(core.check_bundle_graphs(loaded))
    for catalog in catalogs:
        findings.extend(core.validate_catalog(catalog))
    findings = core.apply_strict(findings, strict)
    errors = [f for f in findings if f.severity.value == "error"]
    if output is Output.json:
        doc = {"passed": not errors, "outputs": [f.as_output() for f in findings]}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        for f in findings:
            sys.stdout.write(f"{f.severity.value}: {f.text()}\n")
        warnings = len(findings) - len(errors)
        checked = f"{len(bundles)} bundle(s), {len(catalogs)} catalog(s)"
        verdict = "failed" if errors else "passed"
        sys.stdout.write(f"{verdict}: {checked}: {len(errors)} error(s), {warnings} warning(s)\n")
    if errors:  # SystemExit, not typer.Exit: click returns typer.Exit's code without exiting
        raise SystemExit(EXIT_ERROR)
