"""`stackctl apply`: server-side apply of the render in plan order; progress on stderr, results on stdout.

stdout gets one line per object (`Kind/ns/name created|configured|unchanged`, kubectl-style) and a final
report; stderr gets the progress of each wave, the failures, and where backups went. Exit 0 when everything
was applied (and ready, with --wait), 1 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from stackctl.cli import target_or_default
from stackctl.cli.diff import (
    ApplySetNamespaceOpt,
    ApplySetOpt,
    ConcurrencyOpt,
    ContextOpt,
    KubeconfigOpt,
    ManagerOpt,
    Output,
    PathArg,
    PruneOpt,
    TimeoutOpt,
    applyset_name,
    object_error,
    print_warnings,
)
from stackctl.errors import EXIT_ERROR, EXIT_INTERRUPTED, StackctlError
from stackctl.plan.applyset import DEFAULT_NAMESPACE

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds from `300`, `90s`, `5m`, `1h30m`, `500ms` (kubectl's --timeout spellings)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise typer.BadParameter(f"not a duration: {text!r} (examples: 300s, 5m, 1h)", param_hint="--timeout")
    return total


def _line(display: str, result: str, dry_run: bool) -> str:
    return f"{display} {result}{' (server dry run)' if dry_run else ''}"


def apply(
    path: PathArg = None,
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Send every write with dryRun=All: the server checks, nothing is kept."
        ),
    ] = False,
    field_manager: ManagerOpt = "stackctl",
    force_conflicts: Annotated[
        bool, typer.Option("--force-conflicts", help="Take over fields other managers own.")
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="Wait for each wave to be ready (workloads available, webhooks served, resources healthy).",
        ),
    ] = False,
    timeout: Annotated[str, typer.Option("--timeout", help="Longest time for all waits together.")] = "5m",
    concurrency: ConcurrencyOpt = 8,
    no_backup: Annotated[
        bool, typer.Option("--no-backup", help="Do not save live objects before changing them.")
    ] = False,
    request_timeout: TimeoutOpt = 30.0,
    output: Annotated[Output, typer.Option("-o", "--output", help="Output format.")] = Output.text,
    prune: PruneOpt = False,
    applyset: ApplySetOpt = None,
    applyset_namespace: ApplySetNamespaceOpt = DEFAULT_NAMESPACE,
) -> None:
    """Apply the render with server-side apply, wave by wave: namespaces, CRDs (until Established), config,
    workloads, webhooks, then custom resources in dependency order. Live objects about to change are saved
    under .stackctl/backups/<timestamp>/ first.

    With --prune the stack is a kubectl ApplySet (parent: Secret --applyset-namespace/--applyset, default
    kube-system/stackctl-<environment directory name>; members labelled applyset.kubernetes.io/part-of), and
    once every wave succeeded its members no longer rendered are deleted, in reverse wave order."""
    from stackctl.cluster.api import Cluster
    from stackctl.cluster.apply import (
        ApplyOptions,
        Event,
        Result,
        Waiting,
        WaveApplied,
        WaveReady,
        WaveStarted,
        run_apply,
    )
    from stackctl.cluster.kubeconfig import load
    from stackctl.kustomize.build import build

    seconds = parse_duration(timeout)
    shown: dict[int, int] = {}

    def progress(event: Event) -> None:
        if isinstance(event, WaveStarted):
            w = event.wave
            print(f"wave {w.index + 1}/{event.total} {w.name}: {len(w.steps)} objects", file=sys.stderr)
        elif isinstance(event, WaveApplied):
            counts: dict[str, int] = {}
            for r in event.results:
                counts[str(r.result)] = counts.get(str(r.result), 0) + 1
            text = ", ".join(f"{n} {k}" for k, n in counts.items())
            print(f"  {text} in {event.seconds:.2f}s", file=sys.stderr)
        elif isinstance(event, Waiting):
            if shown.get(event.wave.index) != event.ready:  # only when the count moves
                shown[event.wave.index] = event.ready
                print(f"  waiting ({event.wave.gate}): {event.ready}/{event.total} ready", file=sys.stderr)
        elif isinstance(event, WaveReady):
            print(f"  ready in {event.seconds:.2f}s", file=sys.stderr)

    options = ApplyOptions(
        manager=field_manager,
        force=force_conflicts,
        dry_run=dry_run,
        wait=wait,
        timeout=seconds,
        concurrency=concurrency,
        backup_root=None if no_backup else Path(".stackctl/backups"),
        prune=prune,
        applyset_name=applyset_name(target_or_default(path), applyset),
        applyset_namespace=applyset_namespace,
    )
    result = build(target_or_default(path))
    print_warnings(result.warnings)
    config = load(kubeconfig, context)
    with Cluster(config, concurrency=concurrency, timeout=request_timeout) as cluster:
        report = run_apply(cluster, result.objects, options, progress)
    summary = {
        "applied": report.applied,
        "created": report.count(Result.CREATED),
        "configured": report.count(Result.CONFIGURED),
        "unchanged": report.count(Result.UNCHANGED),
        "failed": report.count(Result.FAILED),
        "skipped": report.count(Result.SKIPPED),
    }
    if prune:
        summary["pruned"] = len(report.pruned)
    if output is Output.json:
        doc: dict[str, Any] = {
            "dryRun": dry_run,
            "summary": summary,
            "objects": [
                {
                    "apiVersion": r.id.gvk.api_version,
                    "kind": r.id.gvk.kind,
                    "namespace": r.id.namespace,
                    "name": r.id.name,
                    "result": str(r.result),
                    "wave": r.wave,
                    "message": r.message,
                }
                for r in report.results
            ],
            "backupDir": str(report.backup_dir) if report.backup_dir else "",
            "error": str(report.error) if report.error else "",
            "stoppedAt": report.stopped_at,
            "pruned": [
                {
                    "apiVersion": p.gvk.api_version,
                    "kind": p.gvk.kind,
                    "namespace": p.namespace,
                    "name": p.name,
                }
                for p in report.pruned
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        for r in report.results:
            if r.result in (Result.CREATED, Result.CONFIGURED, Result.UNCHANGED):
                sys.stdout.write(_line(r.id.display, str(r.result), dry_run) + "\n")
        for p in report.pruned:
            sys.stdout.write(_line(p.display, "pruned", dry_run) + "\n")
        s = summary
        pruned = f", {s['pruned']} pruned" if prune else ""
        sys.stdout.write(
            f"applied {s['applied']} ({s['created']} created, {s['configured']} configured), "
            f"{s['unchanged']} unchanged, {s['failed']} failed, {s['skipped']} skipped{pruned}"
            f"{' (server dry run)' if dry_run else ''}\n"
        )
    if report.backup_dir is not None:
        print(f"backed up the live objects that changed to {report.backup_dir}", file=sys.stderr)
    for r in report.results:
        if r.result is Result.FAILED:
            exc = StackctlError(r.message, hint=r.hint or None)
            print(f"error: {object_error(r.id.display, exc)}", file=sys.stderr)
    skipped = [r for r in report.results if r.result is Result.SKIPPED]
    if dry_run and skipped:
        for r in skipped:
            print(f"skipped {r.id.display}: {r.message}", file=sys.stderr)
    if report.error is not None:
        where = f"stopped at wave {report.stopped_at}: " if report.stopped_at else ""
        hint = f" (hint: {report.error.hint})" if report.error.hint else ""
        later = f"; {len(skipped)} objects of later waves not applied" if skipped and not dry_run else ""
        print(f"error: {where}{report.error}{later}{hint}", file=sys.stderr)
    sys.stdout.flush()
    if report.interrupted:
        raise SystemExit(EXIT_INTERRUPTED)
    if not report.ok:
        raise SystemExit(EXIT_ERROR)
