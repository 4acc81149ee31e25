"""Diff normalisation: show what the user manages and what would change, not the server's bookkeeping.

kubectl diff strips only managedFields, so every diff is full of resourceVersion, generation, uid,
creationTimestamp, status and defaults nobody wrote (the most common complaint about it). Here both sides
drop that metadata and status, and keep a field only if the user's manifest sets it, the field manager owns
it in the live object (so fields it stops setting show as removed), or it differs between live and merged
(so no real change is ever hidden). For a create, that is exactly what the manifest says, with the server's
spelling of those fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stackctl.model import Obj, copy_tree

FieldPath = tuple[str, ...]

NOISE_METADATA = ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink")
IDENTITY: frozenset[FieldPath] = frozenset(
    {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}
)


def strip(obj: Obj) -> Obj:
    """A copy without status and the server's metadata bookkeeping."""
    out: Obj = {k: copy_tree(v) for k, v in obj.items() if k != "status"}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in NOISE_METADATA:
            meta.pop(key, None)
    return out


def leaf_paths(value: Any, prefix: FieldPath = ()) -> set[FieldPath]:
    """Paths to every leaf; lists and empty maps are leaves."""
    if isinstance(value, Mapping) and value:
        out: set[FieldPath] = set()
        for key, sub in value.items():
            out |= leaf_paths(sub, (*prefix, str(key)))
        return out
    return {prefix}


def decode_fields_v1(fields: Any, prefix: FieldPath = ()) -> set[FieldPath]:
    """`fieldsV1` (`{"f:spec": {"f:replicas": {}}}`) as paths. An element of a list (`k:`, `v:`, `i:`) ends
    the path at the list: the list is compared as a whole."""
    if not isinstance(fields, Mapping) or not fields:
        return {prefix} if prefix else set()
    out: set[FieldPath] = set()
    for key, sub in fields.items():
        if key == ".":
            out.add(prefix)
        elif isinstance(key, str) and key.startswith("f:"):
            out |= decode_fields_v1(sub, (*prefix, key[2:]))
        elif prefix:
            out.add(prefix)
    return out


def managed_paths(obj: Obj, manager: str) -> set[FieldPath]:
    """The fields `manager` owns in a live object (its main-resource entries)."""
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    out: set[FieldPath] = set()
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get("manager") == manager and not entry.get("subresource"):
            out |= decode_fields_v1(entry.get("fieldsV1"))
    return out


def differing_paths(a: Any, b: Any, prefix: FieldPath = ()) -> set[FieldPath]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out: set[FieldPath] = set()
        for key in a.keys() | b.keys():
            if key not in a or key not in b:
                out.add((*prefix, str(key)))
            else:
                out |= differing_paths(a[key], b[key], (*prefix, str(key)))
        return out
    return set() if a == b else {prefix}


def _trie(paths: Iterable[FieldPath]) -> dict[str, Any]:
    """Paths as nested maps; `True` keeps a whole subtree (shorter paths first, so they win)."""
    root: dict[str, Any] = {}
    for path in sorted(paths, key=len):
        node = root
        for key in path[:-1]:
            if node.get(key) is True:
                break
            node = node.setdefault(key, {})
        else:
            if path:
                node[path[-1]] = True
    return root


def _prune(value: Any, trie: Mapping[str, Any]) -> Any:
    out = {}
    for key, sub in value.items():
        node = trie.get(key)
        if node is True:
            out[key] = sub
        elif isinstance(node, Mapping) and isinstance(sub, Mapping):
            kept = _prune(sub, node)
            if kept:
                out[key] = kept
    return out


def prune(obj: Obj, keep: Iterable[FieldPath]) -> Obj:
    """Only the fields on (or under) the given paths; maps emptied by pruning go too."""
    pruned: Obj = _prune(obj, _trie(keep))
    return pruned


def normalize(applied: Obj, live: Obj | None, merged: Obj, *, manager: str) -> tuple[Obj | None, Obj]:
    """Live and merged objects ready to diff (see the module docstring); live None for a create."""
    merged_s = strip(merged)
    keep = set(IDENTITY) | leaf_paths(strip(applied))
    if live is None:
        return None, prune(merged_s, keep)
    live_s = strip(live)
    keep |= managed_paths(live, manager) | differing_paths(live_s, merged_s)
    return prune(live_s, keep), prune(merged_s, keep)


def _bookkeeping(obj: Obj) -> Obj:
    out = dict(obj)
    meta = dict(out.get("metadata") or {})
    meta.pop("resourceVersion", None)
    meta["managedFields"] = [
        {k: v for k, v in e.items() if k != "time"} if isinstance(e, Mapping) else e
        for e in meta.get("managedFields") or []
    ]
    out["metadata"] = meta
    return out


def would_change(live: Obj, merged: Obj) -> bool:
    """Whether applying would write anything at all, field ownership included (not just what a diff shows):
    apply skips only true no-ops, so stackctl still becomes an owner of fields others set to its values."""
    return _bookkeeping(live) != _bookkeeping(merged)
