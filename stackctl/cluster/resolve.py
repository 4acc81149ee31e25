"""Where each rendered object goes, and whether it can be sent yet.

A custom resource whose CRD is in the same render but not served yet, or a namespaced object whose
Namespace is in the render but not in the cluster yet, cannot be dry-run (the apiserver answers 404): it
waits for that dependency, which diff reports as "would create after its CRD/namespace" and apply handles
by order. A kind neither served nor defined by the render is an error, as with kubectl ("no matches for
kind"). Namespaced objects without a namespace get the context's, as kubectl gives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stackctl.cluster.api import Cluster
from stackctl.model import Obj, ResId, copy_tree


@dataclass(frozen=True)
class RenderedCrd:
    name: str
    versions: frozenset[str]
    namespaced: bool


def rendered_crds(objects: Iterable[Obj]) -> dict[tuple[str, str], RenderedCrd]:
    out: dict[tuple[str, str], RenderedCrd] = {}
    for obj in objects:
        if obj.get("kind") != "CustomResourceDefinition" or not str(obj.get("apiVersion", "")).startswith(
            "apiextensions.k8s.io/"
        ):
            continue
        spec = obj.get("spec") or {}
        group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
        if not isinstance(group, str) or not isinstance(kind, str):
            continue
        versions = frozenset(
            str(v.get("name")) for v in spec.get("versions") or [] if isinstance(v, dict) and v.get("served")
        )
        name = str((obj.get("metadata") or {}).get("name") or "")
        out[(group, kind)] = RenderedCrd(name, versions, spec.get("scope") != "Cluster")
    return out


class Resolver:
    def __init__(self, cluster: Cluster, objects: Iterable[Obj]) -> None:
        objs = list(objects)
        self.cluster = cluster
        self.crds = rendered_crds(objs)
        self.render_namespaces = {
            ResId.of(o).name for o in objs if o.get("kind") == "Namespace" and o.get("apiVersion") == "v1"
        }
        self.missing_namespaces: set[str] = set()

    def complete(self, obj: Obj) -> tuple[Obj, bool]:
        """The object with its namespace filled in, and whether it is namespaced. Raises NoMatchError for a
        kind that neither the cluster serves nor a CRD of the render defines."""
        rid = ResId.of(obj)
        res = self.cluster.discovery.resource(rid.gvk.api_version, rid.gvk.kind)
        if res is not None:
            namespaced = res.namespaced
        else:
            crd = self.crds.get((rid.gvk.group, rid.gvk.kind))
            if crd is None or rid.gvk.version not in crd.versions:
                self.cluster.discovery.require(rid.gvk.api_version, rid.gvk.kind)  # raises
                raise AssertionError("unreachable")  # pragma: no cover
            namespaced = crd.namespaced
        if namespaced and not rid.namespace:
            obj = copy_tree(obj)
            obj.setdefault("metadata", {})["namespace"] = self.cluster.namespace
        return obj, namespaced

    def waits_for(self, obj: Obj) -> str:
        """ "" when the object can be sent now, else what it waits for (`CustomResourceDefinition x`)."""
        rid = ResId.of(obj)
        res = self.cluster.discovery.resource(rid.gvk.api_version, rid.gvk.kind)
        if res is None:
            crd = self.crds.get((rid.gvk.group, rid.gvk.kind))
            if crd is not None:
                return f"CustomResourceDefinition {crd.name}"
            self.cluster.discovery.require(rid.gvk.api_version, rid.gvk.kind)  # raises
        if res is not None and res.namespaced and rid.namespace in self.missing_namespaces:
            return f"Namespace {rid.namespace}"
        return ""
