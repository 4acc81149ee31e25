"""The command line: the only place that imports typer and rich, and the only place that prints."""

from __future__ import annotations

from pathlib import Path

from stackctl import DEFAULT_ENV
from stackctl.errors import StackctlError


def target_or_default(path: Path | None) -> Path:
    """The kustomization a command works on: the given PATH, else the default environment."""
    if path is not None:
        return path
    if DEFAULT_ENV.is_dir():
        return DEFAULT_ENV
    raise StackctlError(
        f"no PATH given, and the default environment {DEFAULT_ENV} is not below the working directory",
        hint="run from the repository root, or pass a kustomization directory",
    )
