"""`stackctl diff`: what `apply` would change, object by object, with kubectl diff's exit codes.

Exit 0: no differences; 1: differences; 2: an error (some objects may still have been diffed: their diffs
are printed, the errors go to stderr). Diffs and the summary go to stdout; with `-o json`, one JSON document
instead.
"""

from __future__ import annotations

import json
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from stackctl.cli import target_or_default
from stackctl.errors import StackctlError
from stackctl.plan.applyset import DEFAULT_NAMESPACE

EXIT_DIFFERENT = 1
EXIT_FAILED = 2


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Output(StrEnum):
    text = "text"
    json = "json"


PathArg = Annotated[
    Path | None,
    typer.Argument(help="Kustomization directory. Default: overlays/envs/dev.", show_default=False),
]
KubeconfigOpt = Annotated[
    str | None,
    typer.Option(
        "--kubeconfig", help="Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)."
    ),
]
ContextOpt = Annotated[
    str | None, typer.Option("--context", help="Kubeconfig context (default: current-context).")
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", min=1, help="Requests in flight within a wave.")
]
ManagerOpt = Annotated[str, typer.Option("--field-manager", help="Server-side apply field manager.")]
TimeoutOpt = Annotated[
    float, typer.Option("--request-timeout", min=0.1, help="Seconds to wait for one response.")
]


def use_color(choice: Color) -> bool:
    if choice is Color.always:
        return True
    if choice is Color.never:
        return False
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def colorize(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith(("diff ", "--- ", "+++ ")):
            out.append(typer.style(line, bold=True))
        elif line.startswith("@@"):
            out.append(typer.style(line, fg=typer.colors.CYAN))
        elif line.startswith("+"):
            out.append(typer.style(line, fg=typer.colors.GREEN))
        elif line.startswith("-"):
            out.append(typer.style(line, fg=typer.colors.RED))
        elif line.startswith("#"):
            out.append(typer.style(line, fg=typer.colors.YELLOW))
        else:
            out.append(line)
    return "".join(out)


def fail(exc: StackctlError) -> NoReturn:
    """Errors exit >1 here, as kubectl diff's do (1 means "differences")."""
    exc.exit_code = EXIT_FAILED
    raise exc


def object_error(display: str, exc: StackctlError) -> str:
    """`<object>: <message> (hint: ...)`, naming the object when the message does not already."""
    text = str(exc)
    if not text.startswith(display):
        text = f"{display}: {text}"
    return f"{text} (hint: {exc.hint})" if exc.hint else text


def print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


PruneOpt = Annotated[
    bool,
    typer.Option(
        "--prune",
        help="Track the stack as a kubectl ApplySet and delete (diff: show) its members no longer rendered.",
    ),
]
ApplySetOpt = Annotated[
    str | None,
    typer.Option(
        "--applyset",
        help="Name of the ApplySet parent Secret (default: stackctl-<environment directory name>).",
    ),
]
ApplySetNamespaceOpt = Annotated[
    str, typer.Option("--applyset-namespace", help="Namespace of the ApplySet parent Secret.")
]


def applyset_name(target: Path, given: str | None) -> str:
    """The parent's name: --applyset, else `stackctl-<directory name>` as a DNS label."""
    if given:
        return given
    base = re.sub(r"[^a-z0-9-]+", "-", target.resolve().name.lower()).strip("-") or "stack"
    return f"stackctl-{base}"[:63].rstrip("-")


def diff(
    path: PathArg = None,
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    show_secrets: Annotated[
        bool, typer.Option("--show-secrets", help="Show Secret values instead of ***.")
    ] = False,
    color: Annotated[Color, typer.Option("--color", help="Colour the diff.")] = Color.auto,
    output: Annotated[Output, typer.Option("-o", "--output", help="Output format.")] = Output.text,
    concurrency: ConcurrencyOpt = 8,
    field_manager: ManagerOpt = "stackctl",
    request_timeout: TimeoutOpt = 30.0,
    prune: PruneOpt = False,
    applyset: ApplySetOpt = None,
    applyset_namespace: ApplySetNamespaceOpt = DEFAULT_NAMESPACE,
) -> None:
    """Compare the render with the cluster: a server-side dry-run apply of every object against its live
    state. Exit 0 when nothing differs, 1 when something does, 2 on errors."""
    from stackctl.cluster.api import Cluster
    from stackctl.cluster.diff import run_diff
    from stackctl.cluster.kubeconfig import load
    from stackctl.kustomize.build import build
    from stackctl.plan.diff import Action, to_data

    try:
        target = target_or_default(path)
        result = build(target)
        print_warnings(result.warnings)
        config = load(kubeconfig, context)
        with Cluster(config, concurrency=concurrency, timeout=request_timeout) as cluster:
            outcome = run_diff(
                cluster,
                result.objects,
                manager=field_manager,
                show_secrets=show_secrets,
                concurrency=concurrency,
                applyset=(applyset_name(target, applyset), applyset_namespace) if prune else None,
            )
    except StackctlError as exc:
        fail(exc)
    summary = outcome.summary
    if output is Output.json:
        counts: dict[str, int] = {
            "create": summary.create,
            "change": summary.change,
            "unchanged": summary.unchanged,
            "waiting": summary.waiting,
        }
        if summary.prune is not None:
            counts["prune"] = summary.prune
        doc = {
            "summary": counts,
            "objects": [to_data(d) for d in outcome.diffs],
            "errors": [
                {"object": e.id.display, "message": str(e.error), "hint": e.error.hint or ""}
                for e in outcome.errors
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        colored = use_color(color)
        for d in outcome.diffs:
            if not d.text:
                continue
            text = d.text
            if d.waits_for:
                text = f"# {d.id.display}: would create after its {d.waits_for}\n" + text
            if d.action is Action.PRUNE:
                text = f"# {d.id.display}: would prune (no longer rendered)\n" + text
            sys.stdout.write(colorize(text) if colored else text)
        sys.stdout.write(f"{summary.line()}\n")
    for e in outcome.errors:
        print(f"error: {object_error(e.id.display, e.error)}", file=sys.stderr)
    sys.stdout.flush()
    if outcome.errors:
        raise SystemExit(EXIT_FAILED)
    if summary.differs:
        raise SystemExit(EXIT_DIFFERENT)
