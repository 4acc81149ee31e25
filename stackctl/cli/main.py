"""`stackctl` entry point: global options, error printing and exit codes.

Commands live in their own modules and import the core lazily, so `stackctl --version` and `--help` stay
fast and `stackctl render` never imports the kubernetes client.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from stackctl import __version__
from stackctl.cli import apply as apply_cmd
from stackctl.cli import bundle as bundle_cmd
from stackctl.cli import diff as diff_cmd
from stackctl.cli import render as render_cmd
from stackctl.cli import validate as validate_cmd
from stackctl.cli import vendor as vendor_cmd
from stackctl.errors import EXIT_ERROR, EXIT_INTERRUPTED, StackctlError

app = typer.Typer(
    name="stackctl",
    help="Render, bundle and apply a GitOps operator stack exactly as kustomize and Argo CD see it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stackctl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    _state["debug"] = debug


app.command("render")(render_cmd.render)
app.command("vendor")(vendor_cmd.vendor)
app.command("validate")(validate_cmd.validate)
app.add_typer(bundle_cmd.app, name="bundle")
app.command("diff")(diff_cmd.diff)
app.command("apply")(apply_cmd.apply)


def run() -> None:
    try:
        app(standalone_mode=False)
    except StackctlError as exc:
        if _state["debug"]:
            raise
        message = f"error: {exc}"
        if exc.hint:
            message += f" (hint: {exc.hint})"
        print(message, file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as exc:  # usage errors: typer shows them like click does, exit code 2
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            print(f"error: {exc}", file=sys.stderr)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except Exception as exc:
        if _state["debug"]:
            raise
        print(f"error: internal error: {exc!r} (rerun with --debug for a traceback)", file=sys.stderr)
        sys.exit(EXIT_ERROR)
