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
    links: list[Any] = field(default_factory=list)
    """Label/annotation values kyaml shares between several maps of this object (transformers.Link).

    Not carried over by `copy()`, as kyaml's deep copy does not share nodes either."""

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

    def any_id_matches(self, rid: ResId) -> bool:
        return rid == self.id or rid in self.prev_ids

    def copy(self) -> Resource:
        return Resource(
            copy_tree(self.obj),
            self.origin,
            list(self.prev_ids),
            list(self.prefixes),
            list(self.suffixes),
            self.needs_hash,
            self.behavior,
            dict(self.typed_annotations),
        )
