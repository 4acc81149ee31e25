"""Secret masking for diffs, as kubectl diff does it, plus what kubectl forgets.

Every value of a v1 Secret's `data` (and `stringData`) becomes `***`; a key whose value changes becomes
`*** (before)` / `*** (after)`, so the change stays visible without the value. kubectl leaves the
`kubectl.kubernetes.io/last-applied-configuration` annotation alone, and on a Secret applied client-side
that annotation holds the data in clear: it is masked the same way here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stackctl.model import Obj, copy_tree

MASK = "***"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def is_secret(obj: Mapping[str, Any] | None) -> bool:
    return obj is not None and obj.get("apiVersion") == "v1" and obj.get("kind") == "Secret"


def _mask_maps(before: Any, after: Any) -> tuple[Any, Any]:
    a = dict(before) if isinstance(before, Mapping) else before
    b = dict(after) if isinstance(after, Mapping) else after
    if isinstance(a, dict):
        for key in a:
            if isinstance(b, dict) and key in b:
                if a[key] != b[key]:
                    a[key], b[key] = f"{MASK} (before)", f"{MASK} (after)"
                else:
                    a[key] = b[key] = MASK
            else:
                a[key] = MASK
    if isinstance(b, dict):
        for key in b:
            if not (isinstance(a, dict) and key in a):
                b[key] = MASK
    return a, b


def _get(obj: Obj | None, *path: str) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def _put(obj: Obj | None, value: Any, *path: str) -> None:
    if obj is None or value is None:
        return
    cur = obj
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = value


def mask_secret(before: Obj | None, after: Obj | None) -> tuple[Obj | None, Obj | None]:
    """Masked copies of the two sides of a Secret's diff (either may be None); other kinds unchanged."""
    if not (is_secret(before) or is_secret(after)):
        return before, after
    a = copy_tree(before) if before is not None else None
    b = copy_tree(after) if after is not None else None
    for key in ("data", "stringData"):
        ma, mb = _mask_maps(_get(a, key), _get(b, key))
        _put(a, ma, key)
        _put(b, mb, key)
    la, lb = (
        _get(a, "metadata", "annotations", LAST_APPLIED),
        _get(b, "metadata", "annotations", LAST_APPLIED),
    )
    if la is not None or lb is not None:
        ma, mb = _mask_maps({"v": la} if la is not None else None, {"v": lb} if lb is not None else None)
        if isinstance(ma, dict):
            _put(a, ma["v"], "metadata", "annotations", LAST_APPLIED)
        if isinstance(mb, dict):
            _put(b, mb["v"], "metadata", "annotations", LAST_APPLIED)
    return a, b
