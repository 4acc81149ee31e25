"""Field ownership for server-side apply, as the apiserver tracks it in `metadata.managedFields`.

A field set is a set of paths (tuples of map keys). Lists are atomic: a path ends at a list, which is
owned as a whole (the real apiserver keys associative lists such as `containers` by `name`; the test
server does not, so a conflict on one container is reported on `...containers`). The rules that matter to
a client are the real ones: an applier owns what it applies; applying a different value to a field another
manager owns is a conflict unless forced (force moves ownership); the same value is shared ownership;
fields an applier stops applying are removed unless someone else owns them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str, ...]
MISSING: Any = object()

# Fields that identify or describe an object rather than being part of what a manager sets.
_SERVER_META = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
}


def leaf_paths(value: Any, prefix: Path = ()) -> set[Path]:
    if isinstance(value, dict) and value:
        out: set[Path] = set()
        for key, sub in value.items():
            out |= leaf_paths(sub, (*prefix, str(key)))
        return out
    return {prefix}


def object_fields(obj: dict[str, Any], *, status: bool) -> set[Path]:
    """The fields a manager sets with this object: everything but identity, server metadata and status
    (or only status, for the status subresource)."""
    out: set[Path] = set()
    for key, value in obj.items():
        if key in ("apiVersion", "kind"):
            continue
        if (key == "status") != status:
            continue
        if key == "metadata" and isinstance(value, dict):
            for mkey, mvalue in value.items():
                if mkey not in _SERVER_META:
                    out |= leaf_paths(mvalue, ("metadata", mkey))
            continue
        out |= leaf_paths(value, (key,))
    return out


def get_path(obj: Any, path: Path) -> Any:
    cur = obj
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return MISSING
        cur = cur[key]
    return cur


def set_path(obj: dict[str, Any], path: Path, value: Any) -> None:
    cur = obj
    for key in path[:-1]:
        nxt = cur.get(key)
        if not isinstance(nxt, dict):
            nxt = cur[key] = {}
        cur = nxt
    if value == {} and isinstance(cur.get(path[-1]), dict):
        return  # an empty map applied over a map: nothing to set
    cur[path[-1]] = copy.deepcopy(value)


def delete_path(obj: dict[str, Any], path: Path) -> None:
    """Delete a field and the maps its deletion leaves empty."""
    parents: list[tuple[dict[str, Any], str]] = []
    cur: Any = obj
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return
        parents.append((cur, key))
        cur = cur[key]
    for i, (parent, key) in enumerate(reversed(parents)):
        if i == 0 or parent[key] == {}:
            del parent[key]
        else:
            break


def overlaps(a: Path, b: Path) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def encode(paths: Iterable[Path]) -> dict[str, Any]:
    """A field set as `fieldsV1`: `{"f:spec": {"f:replicas": {}}}`."""
    root: dict[str, Any] = {}
    for path in sorted(paths):
        cur = root
        for key in path:
            cur = cur.setdefault(f"f:{key}", {})
    return root


def decode(fields_v1: Any, prefix: Path = ()) -> set[Path]:
    """`fieldsV1` back to paths. List element keys (`k:`, `v:`, `i:`) end a path at the list."""
    if not isinstance(fields_v1, dict) or not fields_v1:
        return {prefix} if prefix else set()
    out: set[Path] = set()
    for key, sub in fields_v1.items():
        if key == ".":
            out.add(prefix)
        elif key.startswith("f:"):
            out |= decode(sub, (*prefix, key[2:]))
        elif prefix:
            out.add(prefix)
    return out


@dataclass
class Manager:
    """One `managedFields` entry."""

    manager: str
    operation: str  # "Apply" or "Update"
    api_version: str
    time: str
    fields: set[Path] = field(default_factory=set)
    subresource: str = ""

    def key(self) -> tuple[str, str, str]:
        return (self.manager, self.operation, self.subresource)

    def to_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": encode(self.fields),
        }
        if self.subresource:
            entry["subresource"] = self.subresource
        return entry


def read_managers(obj: dict[str, Any] | None) -> list[Manager]:
    entries = ((obj or {}).get("metadata") or {}).get("managedFields") or []
    return [
        Manager(
            manager=str(e.get("manager") or ""),
            operation=str(e.get("operation") or ""),
            api_version=str(e.get("apiVersion") or ""),
            time=str(e.get("time") or ""),
            fields=decode(e.get("fieldsV1")),
            subresource=str(e.get("subresource") or ""),
        )
        for e in entries
    ]


def write_managers(obj: dict[str, Any], managers: list[Manager]) -> None:
    meta = obj.setdefault("metadata", {})
    kept = [m.to_entry() for m in managers if m.fields]
    if kept:
        meta["managedFields"] = kept
    else:
        meta.pop("managedFields", None)


def _covers(live: Any, applied: Any) -> bool:
    """Whether applying `applied` leaves `live` as it is, server defaults aside: maps may hold more keys
    (defaults) than applied; lists match element by element. This keeps atomic lists from conflicting over
    fields the server defaulted inside their elements (`imagePullPolicy` in `containers`)."""
    if isinstance(live, dict) and isinstance(applied, dict):
        return all(k in live and _covers(live[k], v) for k, v in applied.items())
    if isinstance(live, list) and isinstance(applied, list):
        return len(live) == len(applied) and all(_covers(a, b) for a, b in zip(live, applied, strict=True))
    return bool(live == applied)


@dataclass(frozen=True)
class Conflict:
    manager: str
    api_version: str
    path: Path

    @property
    def field(self) -> str:
        return "." + ".".join(self.path)


@dataclass
class ApplyResult:
    obj: dict[str, Any]
    conflicts: list[Conflict]


def apply(
    live: dict[str, Any] | None,
    applied: dict[str, Any],
    *,
    manager: str,
    api_version: str,
    force: bool,
    now: str,
) -> ApplyResult:
    """Server-side apply of `applied` by `manager` onto `live` (None: the object does not exist yet).

    Returns the merged object with its new managedFields, or the conflicts (and the live object unchanged)
    when another manager owns a field with a different value and `force` is false.
    """
    base = copy.deepcopy(live) if live is not None else {}
    managers = read_managers(base)
    new_fields = object_fields(applied, status=False)
    conflicts: dict[tuple[str, Path], Conflict] = {}
    for other in managers:
        if other.subresource or (other.manager == manager and other.operation == "Apply"):
            continue
        for owned in other.fields:
            for path in new_fields:
                if not overlaps(owned, path):
                    continue
                longer = owned if len(owned) >= len(path) else path
                if not _covers(get_path(base, longer), get_path(applied, longer)):
                    conflicts[(other.manager, longer)] = Conflict(other.manager, other.api_version, longer)
    if conflicts and not force:
        return ApplyResult(base, sorted(conflicts.values(), key=lambda c: (c.manager, c.path)))
    if force:
        for other in managers:
            other.fields = {f for f in other.fields if (other.manager, f) not in conflicts}
    mine = next((m for m in managers if m.key() == (manager, "Apply", "")), None)
    if mine is None:
        mine = Manager(manager, "Apply", api_version, now)
        managers.append(mine)
    removed = {f for f in mine.fields if not any(overlaps(f, p) for p in new_fields)}
    others = [m for m in managers if m is not mine]
    for path in sorted(removed, key=len, reverse=True):
        if not any(overlaps(path, f) for m in others for f in m.fields):
            delete_path(base, path)
    for path in sorted(new_fields):
        if path:
            set_path(base, path, get_path(applied, path))
    if mine.fields != new_fields or mine.api_version != api_version:
        mine.time = now
    mine.fields = new_fields
    mine.api_version = api_version
    write_managers(base, managers)
    return ApplyResult(base, [])


def record_update(
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    manager: str,
    api_version: str,
    now: str,
    subresource: str = "",
) -> None:
    """An update (create, PUT, merge patch) by `manager`: it takes over the fields it changed, with no
    conflicts, as the apiserver does for non-apply writes."""
    status = subresource == "status"
    managers = read_managers(before)
    old = object_fields(before or {}, status=status)
    new = object_fields(after, status=status)
    changed = {p for p in new if get_path(after, p) != get_path(before or {}, p)} | (old - new)
    for m in managers:
        if m.subresource == subresource:
            m.fields = {f for f in m.fields if not any(overlaps(f, c) for c in changed)}
    mine = next((m for m in managers if m.key() == (manager, "Update", subresource)), None)
    if mine is None:
        mine = Manager(manager, "Update", api_version, now, subresource=subresource)
        managers.append(mine)
    touched = {p for p in changed if p in new}
    if touched - mine.fields:
        mine.time = now
    mine.fields |= touched
    write_managers(after, managers)
