"""`stackctl vendor`: download an operator's pinned upstream files, verify them, write them under its base."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer


def _shown(path: Path) -> str:
    """A path as the user typed it relative to: relative to the working directory where it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.path.normpath(path)


def vendor(
    operator: Annotated[
        str,
        typer.Argument(help="Operator key (cert-manager, external-secrets, ...) or its OLM package name."),
    ],
    version: Annotated[
        str | None,
        typer.Option("--version", help="Version to vendor (1.21.1 or v1.21.1). Default: the pinned version."),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Take the files from DIR (laid out like the vendor output, or an upstream checkout at the "
            "tag) instead of downloading them. Same verification.",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    lock: Annotated[
        Path | None,
        typer.Option(
            "--lock", help="Lock file with the pinned sha256 values. Default: the one shipped with stackctl."
        ),
    ] = None,
    root: Annotated[
        Path, typer.Option("--root", help="Repository root holding overlays/.", file_okay=False)
    ] = Path("."),
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            help="Fetch through this URL in place of https://raw.githubusercontent.com/ (same hashes).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a connection and for each read.")
    ] = 60.0,
) -> None:
    """Download an operator's pinned upstream release files, verify their sha256, write them under its base.

    Files go to <base>/vendor/<tag>/ (e.g. overlays/operators/cert-manager/vendor/v1.21.1/). Nothing is
    written unless every file verified; files already in place and intact are left alone.
    """
    from stackctl import vendor as core
    from stackctl.catalog import load_catalog

    op = load_catalog().operator(operator)
    plan = core.plan_vendor(op, version, core.load_lock(lock), root, mirror=mirror)
    fetcher: core.Fetcher = core.DirFetcher(from_dir) if from_dir is not None else core.HttpFetcher(timeout)
    outcome = core.vendor(plan, fetcher)
    for path in outcome.written:
        print(f"wrote {_shown(path)}", file=sys.stderr)
    where = _shown(plan.target_dir)
    done, kept = len(outcome.written), len(outcome.unchanged)
    if done:
        summary = f"{done} written, {kept} already up to date"
    else:
        summary = f"nothing to do, {kept} files already vendored and verified"
    print(f"{op.key} {plan.version}: {summary} in {where}", file=sys.stderr)
