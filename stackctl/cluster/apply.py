"""`stackctl apply`: server-side apply of the render, wave by wave, stopping at the first wave that fails.

Per object: GET live; a new object is applied at once; an existing one is dry-run first and left alone
when nothing would change, else backed up (the live object as it was, under
`.stackctl/backups/<timestamp>/`) and applied. The objects of a wave go in parallel. After a wave: CRDs are
always waited for (Established and NamesAccepted; then discovery is refreshed), since nothing after them
could be applied otherwise; with `wait`, every gate of the plan is (workloads available, webhook endpoints
ready, custom resources healthy). A failure in a wave lets the rest of that wave finish, then stops: later
waves are skipped, and the report says exactly what was applied.

With `prune` (kubectl's ApplySet, see stackctl.plan.applyset): every object is labelled as a member of the
set whose parent is the Secret `applyset_namespace/applyset_name`; the parent is updated to the union of
what it recorded and the render before the first wave (so an interrupted run leaks nothing), and only
when every wave succeeded are the members no longer in the render deleted (backed up first), in reverse
wave order, and the parent updated to the render. With `dry_run`, what would be pruned is reported and
nothing is deleted.

With `dry_run`, every write carries dryRun=All: nothing is persisted, nothing waited for, nothing backed up;
objects that wait for a CRD or Namespace of the render are skipped with that reason.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from stackctl import yamlio
from stackctl.cluster import applyset as applysets
from stackctl.cluster.api import Cluster
from stackctl.cluster.errors import ClusterError
from stackctl.cluster.resolve import Resolver
from stackctl.cluster.wait import checks_for, wait_ready
from stackctl.errors import StackctlError
from stackctl.model import Obj, ResId
from stackctl.plan.applyset import DEFAULT_NAMESPACE, ApplySet, label_members
from stackctl.plan.diff import kubectl_name
from stackctl.plan.graph import Gate, Phase, Plan, Wave, build_plan
from stackctl.plan.normalize import would_change


class Result(StrEnum):
    CREATED = "created"
    CONFIGURED = "configured"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ObjectResult:
    id: ResId
    result: Result
    wave: int
    message: str = ""  # the error for FAILED, the reason for SKIPPED
    hint: str = ""


@dataclass(frozen=True)
class ApplyOptions:
    manager: str = "stackctl"
    force: bool = False
    dry_run: bool = False
    wait: bool = False
    timeout: float = 300.0  # seconds for all waits together
    concurrency: int = 8
    backup_root: Path | None = Path(".stackctl/backups")  # None: no backups
    prune: bool = False
    applyset_name: str = ""
    applyset_namespace: str = DEFAULT_NAMESPACE
    poll: float = 2.0  # longest interval between health polls


@dataclass(frozen=True)
class WaveStarted:
    wave: Wave
    total: int  # number of waves


@dataclass(frozen=True)
class WaveApplied:
    wave: Wave
    results: tuple[ObjectResult, ...]
    seconds: float


@dataclass(frozen=True)
class Waiting:
    wave: Wave
    ready: int
    total: int


@dataclass(frozen=True)
class WaveReady:
    wave: Wave
    seconds: float


Event = WaveStarted | WaveApplied | Waiting | WaveReady


@dataclass(frozen=True)
class ApplyReport:
    plan: Plan
    results: tuple[ObjectResult, ...]
    backup_dir: Path | None
    error: StackctlError | None = None  # what stopped the apply (a failed wave, a wait), if anything
    stopped_at: str = ""  # the wave name
    pruned: tuple[ResId, ...] = ()  # deleted (or, in a dry run, that would be)
    interrupted: bool = False  # Ctrl-C: requests in flight finished, queued ones were never sent

    def count(self, result: Result) -> int:
        return sum(r.result is result for r in self.results)

    @property
    def applied(self) -> int:
        return self.count(Result.CREATED) + self.count(Result.CONFIGURED)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.count(Result.FAILED)


@dataclass
class _Backups:
    root: Path | None
    stamp: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ"))
    written: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def dir(self) -> Path | None:
        return self.root / self.stamp if self.root is not None else None

    def save(self, rid: ResId, live: Obj) -> None:
        target = self.dir
        if target is None:
            return
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = target / f"{kubectl_name(rid)}.yaml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # Secrets are backed up too
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(yamlio.dump_documents([live]))
        with self.lock:
            self.written += 1


def run_apply(
    cluster: Cluster,
    objects: Iterable[Obj],
    options: ApplyOptions,
    on_event: Callable[[Event], None] = lambda e: None,
) -> ApplyReport:
    objs = list(objects)
    resolver = Resolver(cluster, objs)
    results: list[ObjectResult] = []
    ready: list[Obj] = []
    scopes: dict[tuple[str, str], bool] = {}
    for obj in objs:
        try:
            completed, namespaced = resolver.complete(obj)
        except StackctlError as exc:
            results.append(ObjectResult(ResId.of(obj), Result.FAILED, -1, str(exc), exc.hint or ""))
            continue
        ready.append(completed)
        rid = ResId.of(completed)
        scopes[(rid.gvk.group, rid.gvk.kind)] = namespaced
    backups = _Backups(None if options.dry_run else options.backup_root)
    deadline = time.monotonic() + options.timeout
    error: StackctlError | None = None
    stopped_at = ""
    previous = current = None
    if options.prune and not results:
        try:
            previous = applysets.fetch(cluster, options.applyset_name, options.applyset_namespace)
            ready = label_members(ready, previous)
            current = previous.with_members(ready)
            if not options.dry_run:  # the superset first: an interrupted run leaks nothing
                applysets.update_parent(cluster, previous.union(current))
        except StackctlError as exc:
            error, stopped_at = exc, "applyset"
    plan = build_plan(ready, namespaced=scopes)
    if results:  # kinds nobody serves: apply nothing rather than half a stack
        error = ClusterError(f"{len(results)} object(s) cannot be applied to this cluster")
        stopped_at = plan.waves[0].name if plan.waves else ""
    interrupted = False
    with ThreadPoolExecutor(max_workers=max(options.concurrency, 1), thread_name_prefix="apply") as pool:
        for wave in plan.waves:
            if error is not None:
                reason = "interrupted" if interrupted else "an earlier wave failed"
                results.extend(ObjectResult(s.id, Result.SKIPPED, wave.index, reason) for s in wave.steps)
                continue
            on_event(WaveStarted(wave, len(plan.waves)))
            start = time.monotonic()

            def one(obj: Obj, wave_index: int = wave.index) -> ObjectResult:
                return _apply_one(cluster, resolver, obj, options, backups, wave_index)

            futures = [pool.submit(one, s.obj) for s in wave.steps]
            try:
                done = tuple(f.result() for f in futures)
            except KeyboardInterrupt:
                done = _stop(futures, wave)
                results.extend(done)
                interrupted = True
                error = ClusterError("interrupted (Ctrl-C)", hint="run apply again to finish")
                stopped_at = wave.name
                continue
            results.extend(done)
            on_event(WaveApplied(wave, done, time.monotonic() - start))
            failed = [r for r in done if r.result is Result.FAILED]
            if failed:
                error = ClusterError(f"{len(failed)} object(s) failed in wave {wave.name}")
                stopped_at = wave.name
                continue
            if wave.phase is Phase.NAMESPACES and options.dry_run:
                resolver.missing_namespaces |= {
                    r.id.name for r in done if r.result is Result.CREATED and r.id.gvk.kind == "Namespace"
                }
            if options.dry_run:
                continue
            try:
                _gate(cluster, wave, done, options, pool, deadline, on_event)
            except StackctlError as exc:
                error = exc
                stopped_at = wave.name
            except KeyboardInterrupt:
                interrupted = True
                error = ClusterError("interrupted (Ctrl-C) while waiting", hint="run apply again to finish")
                stopped_at = wave.name
    pruned: list[ResId] = []
    if (
        previous is not None
        and current is not None
        and error is None
        and not any(r.result is Result.FAILED for r in results)
    ):
        try:
            _prune(cluster, previous, current, [ResId.of(o) for o in ready], options, backups, pruned)
        except StackctlError as exc:
            error, stopped_at = exc, "prune"
    return ApplyReport(
        plan,
        tuple(results),
        backups.dir if backups.written else None,
        error,
        stopped_at,
        tuple(pruned),
        interrupted,
    )


def _stop(futures: list[Future[ObjectResult]], wave: Wave) -> tuple[ObjectResult, ...]:
    """After Ctrl-C: drop the queued requests, let those in flight finish, and report each as it ended."""
    for future in futures:
        future.cancel()
    wait(futures)
    return tuple(
        future.result()
        if not future.cancelled()
        else ObjectResult(step.id, Result.SKIPPED, wave.index, "interrupted")
        for future, step in zip(futures, wave.steps, strict=True)
    )


def _prune(
    cluster: Cluster,
    previous: ApplySet,
    current: ApplySet,
    keep: list[ResId],
    options: ApplyOptions,
    backups: _Backups,
    pruned: list[ResId],
) -> None:
    """Delete the members of `previous` not in the render, one at a time in reverse wave order; the parent
    then records `current`. A failed delete stops here and leaves the parent at the superset."""
    for obj in applysets.to_prune(cluster, previous, keep):
        rid = ResId.of(obj)
        if not options.dry_run:
            backups.save(rid, obj)
            applysets.delete(cluster, obj)
        pruned.append(rid)
    if not options.dry_run:
        applysets.update_parent(cluster, current)


def _gate(
    cluster: Cluster,
    wave: Wave,
    done: tuple[ObjectResult, ...],
    options: ApplyOptions,
    pool: ThreadPoolExecutor,
    deadline: float,
    on_event: Callable[[Event], None],
) -> None:
    if wave.gate is Gate.NONE or (wave.gate is not Gate.ESTABLISHED and not options.wait):
        return
    start = time.monotonic()
    checks = checks_for(cluster, wave, [r.id for r in done])
    if checks:
        wait_ready(
            checks,
            pool=pool,
            deadline=deadline,
            poll=options.poll,
            on_round=lambda n, total: on_event(Waiting(wave, n, total)),
        )
    if wave.gate is Gate.ESTABLISHED:
        cluster.discovery.forget_missing()
    on_event(WaveReady(wave, time.monotonic() - start))


def _apply_one(
    cluster: Cluster, resolver: Resolver, obj: Obj, options: ApplyOptions, backups: _Backups, wave: int
) -> ObjectResult:
    rid = ResId.of(obj)
    try:
        waits_for = resolver.waits_for(obj)
        if waits_for:
            if options.dry_run:
                return ObjectResult(rid, Result.SKIPPED, wave, f"would create after its {waits_for}")
            raise ClusterError(f"{rid.display}: the cluster does not serve it yet (waits for {waits_for})")
        live = cluster.get(obj)
        if live is None:
            cluster.apply(obj, manager=options.manager, force=options.force, dry_run=options.dry_run)
            return ObjectResult(rid, Result.CREATED, wave)
        merged = cluster.apply(obj, manager=options.manager, force=options.force, dry_run=True)
        if not would_change(live, merged):
            return ObjectResult(rid, Result.UNCHANGED, wave)
        if not options.dry_run:
            backups.save(rid, live)
            cluster.apply(obj, manager=options.manager, force=options.force)
        return ObjectResult(rid, Result.CONFIGURED, wave)
    except StackctlError as exc:
        return ObjectResult(rid, Result.FAILED, wave, str(exc), exc.hint or "")
