"""What kustomize's builtin Kubernetes schema (v1.21.2) says about built-in kinds.

kustomize decides two things from the OpenAPI document kyaml compiles in: whether a kind is cluster-scoped
(for `namespace:` and ids), and how a strategic merge patch merges each list (by key, as a set, or by
replacement). Using a newer schema would change rendered output, so stackctl carries the same v1.21.2 data,
extracted from kustomize itself by tools/gen_k8s_schema.py into data/k8s_schema_v1_21_2.json.

Schema nodes are the compact dicts of that file: `p` properties, `a` additionalProperties, `i` list items,
`s` x-kubernetes-patch-strategy, `k` merge keys (x-kubernetes-list-map-keys when present, else
x-kubernetes-patch-merge-key); a string stands for a definition name (a `$ref`). `None` means no schema,
which is not the same as an empty node (a known field with nothing to say about merging).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from stackctl.model import Gvk

SchemaNode = dict[str, Any]

_DATA_FILE = Path(__file__).with_name("data") / "k8s_schema_v1_21_2.json"


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_DATA_FILE.read_bytes())
    data["clusterScoped"] = frozenset(data["clusterScoped"])
    return data


def _resolve(node: Any) -> SchemaNode | None:
    if isinstance(node, str):
        node = _data()["definitions"].get(node)
    return node if isinstance(node, dict) else None


def is_namespaced(gvk: Gvk) -> bool:
    """Whether kustomize treats the kind as namespaced.

    Only apiVersion+kind pairs the v1.21.2 schema knows as cluster-scoped are not; everything else,
    including every custom resource and kinds or versions newer than 1.21, is namespaced.
    """
    return f"{gvk.api_version} {gvk.kind}" not in _data()["clusterScoped"]


def resource_schema(api_version: str, kind: str) -> SchemaNode | None:
    """The schema of a whole object of that apiVersion and kind, or None if the schema does not know it."""
    name = _data()["types"].get(f"{api_version} {kind}")
    return _resolve(name) if name else None


def field_schema(node: SchemaNode | None, name: str) -> SchemaNode | None:
    """The schema of map field `name` (a declared property, else the map's value schema)."""
    if node is None:
        return None
    props = node.get("p")
    if props is not None and name in props:
        return _resolve(props[name])
    return _resolve(node["a"]) if "a" in node else None


def elements_schema(node: SchemaNode | None) -> SchemaNode | None:
    """The schema of a list's elements (only for nodes typed exactly as an array)."""
    if node is None or "i" not in node:
        return None
    return _resolve(node["i"])


def patch_strategy(node: SchemaNode | None) -> tuple[str, tuple[str, ...]]:
    """(x-kubernetes-patch-strategy, merge keys); ("", ()) when the node declares no strategy."""
    if node is None or "s" not in node:
        return "", ()
    return node["s"], tuple(node.get("k", ()))


ListMerge = Literal["keyed", "set", "replace"]


@dataclass(frozen=True)
class ListRule:
    """How a strategic merge treats one list field."""

    merge: ListMerge
    keys: tuple[str, ...] = ()


def list_rule(node: SchemaNode | None) -> ListRule:
    """kyaml's rule: a list is merged when its patch strategy includes "merge" (pod volumes' is
    "merge,retainKeys"), by its merge keys if it has any, else as a set of primitives; otherwise (no
    strategy, or no schema at all as for custom resources) the patch's list replaces the target's."""
    strategy, keys = patch_strategy(node)
    if not is_merge_strategy(strategy):
        return ListRule("replace")
    return ListRule("keyed", keys) if keys else ListRule("set")


def is_merge_strategy(strategy: str) -> bool:
    return "merge" in strategy.split(",")


def schema_at(gvk: Gvk, path: Sequence[str]) -> SchemaNode | None:
    """The schema at a field path such as ("spec", "template", "spec", "containers", "[]", "ports")."""
    node = resource_schema(gvk.api_version, gvk.kind)
    for part in path:
        node = elements_schema(node) if part == "[]" else field_schema(node, part)
        if node is None:
            return None
    return node


def list_rule_at(gvk: Gvk, path: Sequence[str]) -> ListRule:
    """How kustomize's strategic merge treats the list at `path` in an object of kind `gvk`."""
    return list_rule(schema_at(gvk, path))
