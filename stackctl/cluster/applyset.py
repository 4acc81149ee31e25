"""ApplySet I/O: read and server-side apply the parent Secret, LIST the members, DELETE the pruned ones.

What to write and what to prune is decided in stackctl.plan.applyset (pure); this module only talks HTTP.
The parent is applied with the field manager `stackctl-applyset` (kubectl uses `kubectl-applyset`), forcing
conflicts on retry as kubectl does.
"""

from __future__ import annotations

from collections.abc import Iterable

from stackctl import __version__
from stackctl.cluster.api import Cluster
from stackctl.cluster.errors import ConflictError
from stackctl.model import Obj, ResId
from stackctl.plan.applyset import ApplySet, prune_set, read_parent

MANAGER = "stackctl-applyset"


def fetch(cluster: Cluster, name: str, namespace: str) -> ApplySet:
    """The set the live parent records (empty when there is no parent yet)."""
    parent = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace}}
    return read_parent(name, namespace, cluster.get(parent))


def update_parent(cluster: Cluster, applyset: ApplySet, *, dry_run: bool = False) -> None:
    manifest = applyset.parent(__version__)
    try:
        cluster.apply(manifest, manager=MANAGER, dry_run=dry_run)
    except ConflictError:
        cluster.apply(manifest, manager=MANAGER, force=True, dry_run=dry_run)


def list_members(cluster: Cluster, applyset: ApplySet) -> list[Obj]:
    """The live objects labelled as members, over the group-kinds and namespaces the parent records. Kinds
    no longer served (their CRD is gone) have no members left to list."""
    out: list[Obj] = []
    for group, kind in sorted(applyset.group_kinds):
        res = cluster.discovery.for_group_kind(group, kind)
        if res is None:
            continue
        for namespace in applyset.all_namespaces if res.namespaced else [""]:
            for item in cluster.list(res, namespace, applyset.selector):
                item.setdefault("apiVersion", res.api_version)
                item.setdefault("kind", res.kind)
                out.append(item)
    return out


def to_prune(cluster: Cluster, applyset: ApplySet, current: Iterable[ResId]) -> list[Obj]:
    return prune_set(list_members(cluster, applyset), current, applyset)


def delete(cluster: Cluster, obj: Obj, *, dry_run: bool = False) -> None:
    rid = ResId.of(obj)
    res = cluster.discovery.require(rid.gvk.api_version, rid.gvk.kind)
    cluster.delete(res, rid.namespace, rid.name, dry_run=dry_run)
