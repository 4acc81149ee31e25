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


def _match(items: Any, element: Any, index: int) -> Any:
    """The element of `items` that corresponds to `element`: same `name` if it has one, else same index."""
    if not isinstance(items, list):
        return None
    if isinstance(element, Mapping) and "name" in element:
        return next((i for i in items if isinstance(i, Mapping) and i.get("name") == element["name"]), None)
    return items[index] if index < len(items) else None


def _shape(live: Any, merged: Any, applied: Any) -> tuple[Any, Any]:
    """Inside lists the manifest sets (kept whole by path), drop the keys of their elements that the manifest
    does not set and the change does not touch: defaults such as a container's `imagePullPolicy`."""
    if isinstance(applied, Mapping) and isinstance(merged, Mapping):
        out_live = dict(live) if isinstance(live, Mapping) else live
        out_merged = dict(merged)
        for key, sub in applied.items():
            if key in out_merged:
                lv = out_live.get(key) if isinstance(out_live, dict) else None
                new_live, out_merged[key] = _shape(lv, out_merged[key], sub)
                if isinstance(out_live, dict) and key in out_live:
                    out_live[key] = new_live
        return out_live, out_merged
    if isinstance(applied, list) and isinstance(merged, list):
        new_merged = []
        shaped_live: dict[int, Any] = {}  # id(live element) -> its shaped copy
        for i, m_el in enumerate(merged):
            a_el = _match(applied, m_el, i)
            l_orig = _match(live, m_el, i)
            l_el = l_orig
            if isinstance(a_el, Mapping) and isinstance(m_el, Mapping):
                keep = set(a_el)
                if isinstance(l_el, Mapping):
                    keep |= {k for k in m_el.keys() | l_el.keys() if l_el.get(k) != m_el.get(k)}
                    l_el = {k: v for k, v in l_el.items() if k in keep}
                m_el = {k: v for k, v in m_el.items() if k in keep}
                l_el, m_el = _shape(l_el, m_el, a_el)
            new_merged.append(m_el)
            if l_orig is not None:
                shaped_live[id(l_orig)] = l_el
        if isinstance(live, list):
            live = [shaped_live.get(id(el), el) for el in live]
        return live, new_merged
    return live, merged


def normalize(applied: Obj, live: Obj | None, merged: Obj, *, manager: str) -> tuple[Obj | None, Obj]:
    """Live and merged objects ready to diff (see the module docstring); live None for a create."""
    merged_s = strip(merged)
    applied_s = strip(applied)
    keep = set(IDENTITY) | leaf_paths(applied_s)
    if live is None:
        _, shaped = _shape(None, prune(merged_s, keep), applied_s)
        return None, shaped
    live_s = strip(live)
    keep |= managed_paths(live, manager) | differing_paths(live_s, merged_s)
    shaped_live, shaped_merged = _shape(prune(live_s, keep), prune(merged_s, keep), applied_s)
    return shaped_live, shaped_merged


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
