"""One object during a build, with the bookkeeping kustomize keeps beside it.

kustomize stores an object's id history and generator options in internal annotations; stackctl keeps them
as attributes instead so they never leak into output and cost nothing to strip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stackctl.model import Obj, ResId, copy_tree


@dataclass(eq=False, slots=True)
class Resource:
    obj: Obj
    origin: str
    """The file (or generator) it came from, for messages."""
    prev_ids: list[ResId] = field(default_factory=list)
    """Ids before each rename or re-namespace, oldest first (kustomize's previousNames/Kinds/Namespaces)."""
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    needs_hash: bool = False
    """A generated ConfigMap/Secret that gets kustomize's content-hash name suffix at the end of the build."""
    behavior: str = ""
    """Generator behavior: "create", "merge" or "replace"; "" for ordinary resources."""
    typed_annotations: dict[str, tuple[str, Any]] = field(default_factory=dict)
    """Annotations written as plain non-string scalars: key -> (source text, value it reads as).

    kustomize prints an annotation as its source text, unless a JSON round trip (a JSON 6902 patch) turned
    it into the value first."""
    spellings: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """Plain scalars of the source file written otherwise than their value prints: path -> source text.

    A replacement copies a scalar's source text (`version: 1.10` gives "1.10", not "1.1")."""
    flow_maps: frozenset[tuple[Any, ...]] = frozenset()
    """Paths of the maps the source file writes in flow style (`{a: 1}`): kyaml keeps the style, and an empty
    value a replacement creates in one prints as "" (in a block map, as null)."""
    links: list[Any] = field(default_factory=list)
    """Label/annotation values kyaml shares between several maps of this object (transformers.Link).

    Not carried over by `copy()`, as kyaml's deep copy does not share nodes either."""
    created: list[CreatedScalar] = field(default_factory=list)
    """Scalars `replacements` created (`options.create`) that kyaml still holds as untagged nodes.

    Such a node prints as the type its text reads as, takes a later replacement's text without a type
    check, and becomes a string of its text when a later strategic merge patch walks it (replacements.py
    owns the rules). A JSON round trip (a JSON 6902 patch) types every node and ends these records."""

    @property
    def id(self) -> ResId:
        return ResId.of(self.obj)

    @property
    def org_id(self) -> ResId:
        return self.prev_ids[0] if self.prev_ids else self.id

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind") or "")

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace") or "")

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.obj.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
            self.obj["metadata"] = meta
        return meta

    def store_previous_id(self) -> None:
        """Remember the current id before a transformer changes name, namespace or kind."""
        self.prev_ids.append(self.id)

    def copy(self) -> Resource:
        obj = copy_tree(self.obj)
        return Resource(
            obj,
            self.origin,
            list(self.prev_ids),
            list(self.prefixes),
            list(self.suffixes),
            self.needs_hash,
            self.behavior,
            dict(self.typed_annotations),
            dict(self.spellings),
            self.flow_maps,
            created=_moved(self.created, self.obj, obj) if self.created else [],
        )


@dataclass(eq=False, slots=True)
class CreatedScalar:
    """A scalar slot that `replacements` created: `container[key]` holds `value`, read from `text`."""

    container: dict[str, Any] | list[Any]
    key: Any
    """The map key, or the list index."""
    value: Any
    """What stackctl stores in the slot; the record is stale once the slot holds anything else."""
    text: str
    """The node's text, which decides its type."""


def _moved(records: list[CreatedScalar], old: Any, new: Any) -> list[CreatedScalar]:
    """`records` of the tree `old` pointed at the same slots of its copy `new`."""
    pairs: dict[int, Any] = {}
    stack = [(old, new)]
    while stack:
        a, b = stack.pop()
        pairs[id(a)] = b
        if isinstance(a, dict):
            stack.extend((v, b[k]) for k, v in a.items() if isinstance(v, dict | list))
        else:
            stack.extend((v, b[i]) for i, v in enumerate(a) if isinstance(v, dict | list))
    return [
        CreatedScalar(pairs[id(r.container)], r.key, r.value, r.text)
        for r in records
        if id(r.container) in pairs
    ]
