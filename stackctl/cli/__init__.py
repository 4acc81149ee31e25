"""The command line: the only place that imports typer and rich, and the only place that prints."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stackctl import DEFAULT_ENV
from stackctl.errors import EXIT_ERROR, EXIT_INTERRUPTED, StackctlError


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


@contextmanager
def exit_on_errors(debug: Callable[[], bool]) -> Iterator[None]:
    """One line on stderr and the error's exit code for a StackctlError, 130 for Ctrl-C, and exit 1 for
    anything unexpected; with --debug, the traceback instead."""
    try:
        yield
    except StackctlError as exc:
        if debug():
            raise
        message = f"error: {exc}"
        if exc.hint:
            message += f" (hint: {exc.hint})"
        print(message, file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        if debug():
            raise
        print(f"error: internal error: {exc!r} (rerun with --debug for a traceback)", file=sys.stderr)
        sys.exit(EXIT_ERROR)
