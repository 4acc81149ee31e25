"""`stackctl diff` against a cluster: for each object, GET live and a dry-run server-side apply, then the
planner's pure diff.

Waves run in plan order, the objects of a wave in parallel (`concurrency`), so that after the Namespaces
wave it is known which namespaces the render would create: objects in them wait for their namespace
without a request (the dry run could only answer 404). Per object there are at most two requests (GET,
PATCH dryRun=All), plus one discovery request per group/version for the whole run. A failure of one object
is recorded and the others go on: the caller reports them all and exits >1, like kubectl diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from stackctl.cluster import applyset as applysets
from stackctl.cluster.api import Cluster
from stackctl.cluster.resolve import Resolver
from stackctl.errors import StackctlError
from stackctl.model import Obj, ResId
from stackctl.plan.applyset import label_members
from stackctl.plan.diff import Action, ObjectDiff, Summary, diff_object, prune_diff, summarize
from stackctl.plan.graph import Plan, build_plan


@dataclass(frozen=True)
class ObjectError:
    id: ResId
    error: StackctlError


@dataclass(frozen=True)
class DiffOutcome:
    plan: Plan
    diffs: tuple[ObjectDiff, ...]
    errors: tuple[ObjectError, ...]
    pruning: bool = False

    @property
    def summary(self) -> Summary:
        return summarize(self.diffs, pruning=self.pruning)


def run_diff(
    cluster: Cluster,
    objects: Iterable[Obj],
    *,
    manager: str = "stackctl",
    show_secrets: bool = False,
    concurrency: int = 8,
    applyset: tuple[str, str] | None = None,
) -> DiffOutcome:
    """With `applyset` (the parent's name and namespace), the members no longer rendered are listed after
    the render's own diffs, as deletions (`apply --prune` deletes them)."""
    objs = list(objects)
    resolver = Resolver(cluster, objs)
    errors: list[ObjectError] = []
    ready: list[Obj] = []
    scopes: dict[tuple[str, str], bool] = {}
    with ThreadPoolExecutor(max_workers=max(concurrency, 1), thread_name_prefix="diff") as pool:
        for obj, result in zip(objs, pool.map(lambda o: _complete(resolver, o), objs), strict=True):
            if isinstance(result, StackctlError):
                errors.append(ObjectError(ResId.of(obj), result))
            else:
                completed, namespaced = result
                ready.append(completed)
                rid = ResId.of(completed)
                scopes[(rid.gvk.group, rid.gvk.kind)] = namespaced
        previous = None
        if applyset is not None:  # diff what `apply --prune` applies: the members labelled
            try:
                previous = applysets.fetch(cluster, *applyset)
                ready = label_members(ready, previous)
            except StackctlError as exc:
                errors.append(ObjectError(ResId.of(_parent(*applyset)), exc))
        plan = build_plan(ready, namespaced=scopes)
        diffs: list[ObjectDiff] = []
        for wave in plan.waves:

            def one(obj: Obj, wave_index: int = wave.index) -> ObjectDiff | StackctlError:
                try:
                    return _diff_one(cluster, resolver, obj, manager, show_secrets, wave_index)
                except StackctlError as exc:
                    return exc

            for step, done in zip(wave.steps, pool.map(one, [s.obj for s in wave.steps]), strict=True):
                if isinstance(done, StackctlError):
                    errors.append(ObjectError(step.id, done))
                    continue
                diffs.append(done)
                if (
                    step.id.gvk.kind == "Namespace"
                    and step.id.gvk.group == ""
                    and done.action is Action.CREATE
                ):
                    resolver.missing_namespaces.add(step.id.name)
    if applyset is not None and previous is not None:
        try:
            keep = [ResId.of(o) for o in ready]
            for live in applysets.to_prune(cluster, previous, keep):
                diffs.append(prune_diff(ResId.of(live), live, show_secrets=show_secrets))
        except StackctlError as exc:
            errors.append(ObjectError(ResId.of(_parent(*applyset)), exc))
    return DiffOutcome(plan, tuple(diffs), tuple(errors), applyset is not None)


def _parent(name: str, namespace: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace}}


def _complete(resolver: Resolver, obj: Obj) -> tuple[Obj, bool] | StackctlError:
    try:
        return resolver.complete(obj)
    except StackctlError as exc:
        return exc


def _diff_one(
    cluster: Cluster, resolver: Resolver, obj: Obj, manager: str, show_secrets: bool, wave: int
) -> ObjectDiff:
    rid = ResId.of(obj)
    waits_for = resolver.waits_for(obj)
    if waits_for:
        return diff_object(
            rid, obj, None, None, manager=manager, show_secrets=show_secrets, waits_for=waits_for, wave=wave
        )
    live = cluster.get(obj)
    merged = cluster.apply(obj, manager=manager, dry_run=True)
    return diff_object(rid, obj, live, merged, manager=manager, show_secrets=show_secrets, wave=wave)
