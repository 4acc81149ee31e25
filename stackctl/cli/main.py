"""The typer app: every command, global options, usage errors and exit codes.

Commands live in their own modules and import the core lazily, so `--help` stays fast and `stackctl render`
never imports the kubernetes client. The console script (stackctl.cli.entry) runs plain `render` and
`--version` invocations without loading this module at all.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from stackctl import __version__
from stackctl.cli import apply as apply_cmd
from stackctl.cli import bundle as bundle_cmd
from stackctl.cli import diff as diff_cmd
from stackctl.cli import exit_on_errors
from stackctl.cli import render as render_cmd
from stackctl.cli import validate as validate_cmd
from stackctl.cli import vendor as vendor_cmd
from stackctl.errors import EXIT_INTERRUPTED

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
    with exit_on_errors(lambda: _state["debug"]):
        try:
            app(standalone_mode=False)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.Abort:
            print("aborted", file=sys.stderr)
            sys.exit(EXIT_INTERRUPTED)
        except typer.TyperException as exc:  # usage errors: typer shows them like click does, exit code 2
            show = getattr(exc, "show", None)
            if show is not None:
                show()
            else:
                print(f"error: {exc}", file=sys.stderr)
            sys.exit(int(getattr(exc, "exit_code", 2)))
