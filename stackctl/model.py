"""Resource identity and the raw-manifest types shared by every layer.

Manifests are plain JSON-like data (`dict`/`list`/`str`/`int`/`float`/`bool`/`None`) so that every consumer
(renderer, validator, bundler, planner) can work on them without a wrapper type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
"""A raw Kubernetes manifest as JSON-like data."""


@dataclass(frozen=True, order=True)
class Gvk:
    group: str
    version: str
    kind: str

    @classmethod
    def from_api_version(cls, api_version: str, kind: str) -> Gvk:
        group, _, version = api_version.rpartition("/")
        return cls(group, version, kind)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def __str__(self) -> str:
        return f"{self.group}_{self.version}_{self.kind}" if self.group else f"~G_{self.version}_{self.kind}"


@dataclass(frozen=True, order=True)
class ResId:
    """An object's identity as kustomize keys it: group, version, kind, namespace, name."""

    gvk: Gvk
    name: str
    namespace: str

    @classmethod
    def of(cls, obj: Obj) -> ResId:
        meta = obj.get("metadata") or {}
        return cls(
            Gvk.from_api_version(str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")),
            str(meta.get("name") or ""),
            str(meta.get("namespace") or ""),
        )

    def __str__(self) -> str:
        ns = self.namespace or "[noNs]"
        return f"{self.gvk}|{ns}|{self.name}"

    @property
    def display(self) -> str:
        """`Kind/name` or `Kind/namespace/name`, as messages show an object."""
        gk = f"{self.gvk.kind}.{self.gvk.group}" if self.gvk.group else self.gvk.kind
        return f"{gk}/{self.namespace}/{self.name}" if self.namespace else f"{gk}/{self.name}"


def copy_tree(value: Any) -> Any:
    """Deep-copy JSON-like data; several times faster than `copy.deepcopy` for manifests."""
    if isinstance(value, dict):
        return {k: copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_tree(v) for v in value]
    return value


def yaml_node_kind(value: Any) -> str:
    """The YAML node kind kyaml names in its messages for a JSON-like value."""
    if isinstance(value, dict):
        return "MappingNode"
    return "SequenceNode" if isinstance(value, list) else "ScalarNode"
