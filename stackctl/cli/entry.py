"""The `stackctl` console script: `stackctl render` and `--version` without loading typer.

A render of a small overlay is bound by start-up time, and typer with click costs about as much as
kustomize's whole build. When the arguments are ones this module reads unambiguously (the subcommand, paths,
`-o/--output`, `--out-dir`, `--load-restrictor`, `--debug`, `--`), it runs the render itself; anything
else (help, a bad value, an unknown option, several paths without --out-dir) goes to the typer app, which
prints the usage error. Both paths print through the same functions, and a test runs argument lists through
both and compares the results.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from stackctl.cli import exit_on_errors, target_or_default


class Output(StrEnum):
    yaml = "yaml"
    json = "json"


class LoadRestrictor(StrEnum):  # kustomize's names (stackctl.kustomize.loader checks them again)
    root_only = "LoadRestrictionsRootOnly"
    none = "LoadRestrictionsNone"


_OPTIONS = {"-o": "output", "--output": "output", "--out-dir": "out_dir", "--load-restrictor": "restrictor"}


@dataclass(frozen=True)
class RenderArgs:
    paths: tuple[Path, ...]
    output: str = Output.yaml.value
    out_dir: Path | None = None
    load_restrictor: str = LoadRestrictor.root_only.value
    debug: bool = False


def parse_render(argv: Sequence[str]) -> RenderArgs | None:
    """`[--debug] render [PATH...] [options]` as the typer app reads it, or None when in any doubt."""
    args = list(argv)
    debug = False
    if args[:1] == ["--debug"]:
        debug, args = True, args[1:]
    if args[:1] != ["render"]:
        return None
    values: dict[str, str] = {}
    paths: list[str] = []
    rest = iter(args[1:])
    for token in rest:
        if token == "--":
            paths.extend(rest)
            break
        name, eq, inline = token.partition("=")
        if name in _OPTIONS and name.startswith("--") and eq:
            value: str | None = inline
        elif token in _OPTIONS:
            value = next(rest, None)
        elif token.startswith("-"):
            return None  # --help, -oyaml, unknown options: typer decides
        else:
            paths.append(token)
            continue
        key = _OPTIONS[name]
        if value is None or key in values:
            return None
        values[key] = value
    output = values.get("output", Output.yaml.value)
    restrictor = values.get("restrictor", LoadRestrictor.root_only.value)
    if (
        output not in Output.__members__.values()
        or restrictor not in LoadRestrictor.__members__.values()
        or "" in paths
        or values.get("out_dir") == ""
    ):
        return None
    out_dir = Path(values["out_dir"]) if "out_dir" in values else None
    if len(paths) > 1 and out_dir is None:
        return None  # a usage error, worded by typer
    return RenderArgs(tuple(Path(p) for p in paths), output, out_dir, restrictor, debug)


def render(args: RenderArgs) -> None:
    """Build, then print to stdout or write to --out-dir; warnings and written files go to stderr."""
    from stackctl import render as core

    targets = list(args.paths) or [target_or_default(None)]
    outputs = core.render_many(targets, fmt=args.output, load_restrictor=args.load_restrictor)
    for rendered in outputs:
        for warning in rendered.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    if args.out_dir is not None:
        for path in core.write_outputs(args.out_dir, outputs, fmt=args.output):
            print(f"wrote {path}", file=sys.stderr)
        return
    sys.stdout.write(outputs[0].text)


def run() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from stackctl import __version__

        print(f"stackctl {__version__}")
        return
    args = parse_render(argv)
    if args is None:
        from stackctl.cli.main import run as run_app

        run_app()
        return
    with exit_on_errors(lambda: args.debug):
        render(args)
