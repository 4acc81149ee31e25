"""kustomize field specs: which field, in which kinds, a builtin transformer touches.

A field spec is kustomize's `{group, version, kind, path, create}`; the path is `/`-separated (`\\/` escapes a
slash inside a key, as in annotation keys), a segment may end in `[]` to say the field is a list, and a list
met on the way is entered element by element, as kyaml's field-spec filter does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stackctl.model import Obj

Setter = Callable[[Any], Any]
"""Gets the current value (or None when absent and created) and returns the value to store."""


def split_path(path: str) -> tuple[str, ...]:
    parts: list[str] = []
    cur = ""
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path) and path[i + 1] == "/":
            cur += "/"
            i += 2
            continue
        if ch == "/":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return tuple(p for p in parts if p)


@dataclass(frozen=True)
class FieldSpec:
    path: tuple[str, ...]
    group: str | None = None
    version: str | None = None
    kind: str | None = None
    create: bool = False

    @classmethod
    def of(
        cls,
        path: str,
        *,
        group: str | None = None,
        version: str | None = None,
        kind: str | None = None,
        create: bool = False,
    ) -> FieldSpec:
        return cls(split_path(path), group, version, kind, create)

    def applies_to(self, obj: Obj) -> bool:
        if self.kind is not None and self.kind != obj.get("kind"):
            return False
        if self.group is None and self.version is None:
            return True
        group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
        if self.group is not None and self.group != group:
            return False
        return self.version is None or self.version == version


def apply(obj: Obj, spec: FieldSpec, setter: Setter) -> None:
    """Call `setter` on every value the spec's path reaches in `obj` (creating it if `spec.create`)."""
    if spec.applies_to(obj):
        _walk(obj, spec.path, spec.create, setter)


def _walk(node: Any, path: tuple[str, ...], create: bool, setter: Setter) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, path, create, setter)
        return
    if not isinstance(node, dict):
        return
    key = path[0]
    if key.endswith("[]"):
        key = key[:-2]
    rest = path[1:]
    if not rest:
        if key in node:
            node[key] = setter(node[key])
        elif create:
            node[key] = setter(None)
        return
    child = node.get(key)
    if child is None:
        if not create:
            return
        child = [] if path[0].endswith("[]") else {}
        node[key] = child
    _walk(child, rest, create, setter)
