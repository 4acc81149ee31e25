"""One object's diff, and the summary over a plan: what `stackctl diff` prints, computed without I/O.

Each object is compared as kubectl diff compares it, LIVE against MERGED (the server's dry-run apply), with
kubectl's headers and file names (`diff -u -N LIVE/<group>.<version>.<Kind>.<ns>.<name> MERGED/...`), after
normalisation (normalize.py) and Secret masking (mask.py). An object whose CRD or namespace is in the
render but not in the cluster yet cannot be dry-run; it is shown as a create of the manifest itself, marked
as waiting for that dependency.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

from stackctl import yamlio
from stackctl.model import Obj, ResId
from stackctl.plan.mask import mask_secret
from stackctl.plan.normalize import normalize, strip


class Action(StrEnum):
    CREATE = "create"
    CHANGE = "change"
    UNCHANGED = "unchanged"
    PRUNE = "prune"  # a member of the ApplySet no longer rendered: deleted by `apply --prune`


@dataclass(frozen=True)
class ObjectDiff:
    id: ResId
    action: Action
    text: str  # the unified diff; "" when unchanged
    waits_for: str = ""  # "CustomResourceDefinition x.example.com" / "Namespace chat": created after it
    wave: int = 0


class DiffData(TypedDict):
    apiVersion: str
    kind: str
    namespace: str
    name: str
    action: str
    waitsFor: str
    wave: int
    diff: str


@dataclass(frozen=True)
class Summary:
    create: int
    change: int
    unchanged: int
    waiting: int  # of the creates, those after a CRD or namespace of the same render
    prune: int | None = None  # None: pruning not asked for

    @property
    def differs(self) -> bool:
        return bool(self.create or self.change or self.prune)

    def line(self) -> str:
        after = f" ({self.waiting} after their CRD or namespace)" if self.waiting else ""
        pruned = f", {self.prune} to prune" if self.prune is not None else ""
        return f"{self.create} to create{after}, {self.change} to change, {self.unchanged} unchanged{pruned}"


def kubectl_name(rid: ResId) -> str:
    """kubectl diff's file name for an object: `apps.v1.Deployment.ns.name`, `v1.Namespace..name`."""
    group = f"{rid.gvk.group}." if rid.gvk.group else ""
    return f"{group}{rid.gvk.version}.{rid.gvk.kind}.{rid.namespace}.{rid.name}"


def _yaml(obj: Obj | None) -> list[str]:
    return yamlio.dump_documents([obj]).splitlines(keepends=True) if obj is not None else []


def unified(rid: ResId, before: Obj | None, after: Obj | None) -> str:
    a, b = _yaml(before), _yaml(after)
    if a == b:
        return ""
    name = kubectl_name(rid)
    lines = difflib.unified_diff(a, b, f"LIVE/{name}", f"MERGED/{name}", n=3)
    return f"diff -u -N LIVE/{name} MERGED/{name}\n" + "".join(lines)


def diff_object(
    rid: ResId,
    applied: Obj,
    live: Obj | None,
    merged: Obj | None,
    *,
    manager: str,
    show_secrets: bool = False,
    waits_for: str = "",
    wave: int = 0,
) -> ObjectDiff:
    """`merged` is the dry-run result; None when the object cannot be dry-run yet (`waits_for` says why)."""
    before, after = normalize(applied, live, merged if merged is not None else applied, manager=manager)
    shown_before, shown_after = (before, after) if show_secrets else mask_secret(before, after)
    if live is None:
        action = Action.CREATE
    elif before == after:
        action = Action.UNCHANGED
    else:
        action = Action.CHANGE
    text = "" if action is Action.UNCHANGED else unified(rid, shown_before, shown_after)
    return ObjectDiff(rid, action, text, waits_for, wave)


def prune_diff(rid: ResId, live: Obj, *, show_secrets: bool = False) -> ObjectDiff:
    """A live object `apply --prune` would delete, shown as a deletion (LIVE against nothing)."""
    before: Obj | None = strip(live)
    if not show_secrets:
        before, _ = mask_secret(before, None)
    return ObjectDiff(rid, Action.PRUNE, unified(rid, before, None))


def summarize(diffs: Iterable[ObjectDiff], *, pruning: bool = False) -> Summary:
    items = list(diffs)
    return Summary(
        create=sum(d.action is Action.CREATE for d in items),
        change=sum(d.action is Action.CHANGE for d in items),
        unchanged=sum(d.action is Action.UNCHANGED for d in items),
        waiting=sum(bool(d.waits_for) for d in items),
        prune=sum(d.action is Action.PRUNE for d in items) if pruning else None,
    )


def to_data(diff: ObjectDiff) -> DiffData:
    return {
        "apiVersion": diff.id.gvk.api_version,
        "kind": diff.id.gvk.kind,
        "namespace": diff.id.namespace,
        "name": diff.id.name,
        "action": str(diff.action),
        "waitsFor": diff.waits_for,
        "wave": diff.wave,
        "diff": diff.text,
    }
