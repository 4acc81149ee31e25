"""kubectl ApplySets, computed without I/O: the parent's id, labels and annotations, and the prune set.

The format is kubectl's (k8s.io/kubectl pkg/cmd/apply/applyset.go, KEP-3659), so kubectl reads what
stackctl writes:

- the parent (a Secret by default) is labelled `applyset.kubernetes.io/id=applyset-<b64>-v1`, where `<b64>` is
  the unpadded URL-safe base64 of sha256 of `<name>.<namespace>.<kind>.<group>` (core group: empty);
- its annotations: `applyset.kubernetes.io/tooling: stackctl/<version>`,
  `applyset.kubernetes.io/contains-group-kinds` (sorted, comma-separated `Kind.group`, core kinds as
  `Kind`) and `applyset.kubernetes.io/additional-namespaces` (sorted namespaces of members, the parent's
  own left out);
- every member is labelled `applyset.kubernetes.io/part-of=<id>`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from stackctl.model import Obj, ResId, copy_tree
from stackctl.plan.graph import Phase, PlanError, phase_of, sort_key

ID_LABEL = "applyset.kubernetes.io/id"
PART_OF_LABEL = "applyset.kubernetes.io/part-of"
TOOLING = "applyset.kubernetes.io/tooling"
GROUP_KINDS = "applyset.kubernetes.io/contains-group-kinds"
NAMESPACES = "applyset.kubernetes.io/additional-namespaces"
TOOL_NAME = "stackctl"
DEFAULT_NAMESPACE = "kube-system"

GroupKind = tuple[str, str]  # (group, kind); core group ""


def applyset_id(name: str, namespace: str, kind: str = "Secret", group: str = "") -> str:
    digest = hashlib.sha256(f"{name}.{namespace}.{kind}.{group}".encode()).digest()
    return f"applyset-{base64.urlsafe_b64encode(digest).decode().rstrip('=')}-v1"


def format_group_kind(gk: GroupKind) -> str:
    group, kind = gk
    return f"{kind}.{group}" if group else kind


def parse_group_kind(text: str) -> GroupKind:
    """`Kind.group` (schema.ParseGroupKind): the kind up to the first dot, the group after it."""
    kind, _, group = text.strip().partition(".")
    return group, kind


@dataclass(frozen=True)
class ApplySet:
    """The parent's identity (a Secret) and, when read from the cluster, the members it records."""

    name: str
    namespace: str
    group_kinds: frozenset[GroupKind] = frozenset()
    namespaces: frozenset[str] = frozenset()  # additional namespaces (not the parent's)

    @property
    def id(self) -> str:
        return applyset_id(self.name, self.namespace)

    @property
    def selector(self) -> str:
        return f"{PART_OF_LABEL}={self.id}"

    @property
    def all_namespaces(self) -> list[str]:
        return sorted(self.namespaces | {self.namespace})

    def with_members(self, objects: Iterable[Obj]) -> ApplySet:
        """This set recording exactly `objects` (namespaced objects carry their namespace)."""
        gks: set[GroupKind] = set()
        namespaces: set[str] = set()
        for obj in objects:
            rid = ResId.of(obj)
            gks.add((rid.gvk.group, rid.gvk.kind))
            if rid.namespace:
                namespaces.add(rid.namespace)
        return ApplySet(self.name, self.namespace, frozenset(gks), frozenset(namespaces - {self.namespace}))

    def union(self, other: ApplySet) -> ApplySet:
        return ApplySet(
            self.name,
            self.namespace,
            self.group_kinds | other.group_kinds,
            self.namespaces | other.namespaces,
        )

    def parent(self, version: str) -> Obj:
        """The parent's manifest for server-side apply (metadata only, as kubectl sends it)."""
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "labels": {ID_LABEL: self.id},
                "annotations": {
                    TOOLING: f"{TOOL_NAME}/{version}",
                    GROUP_KINDS: ",".join(sorted(format_group_kind(gk) for gk in self.group_kinds)),
                    NAMESPACES: ",".join(sorted(self.namespaces - {self.namespace})),
                },
            },
        }


def read_parent(name: str, namespace: str, live: Obj | None) -> ApplySet:
    """The set a live parent records; an empty set when there is none. Refuses a parent that another tool
    manages or whose id label is wrong, as kubectl does."""
    empty = ApplySet(name, namespace)
    if live is None:
        return empty
    meta = live.get("metadata") or {}
    labels: Mapping[str, str] = meta.get("labels") or {}
    annotations: Mapping[str, str] = meta.get("annotations") or {}
    where = f"ApplySet parent Secret {namespace}/{name}"
    tooling = annotations.get(TOOLING)
    if tooling is None:
        raise PlanError(f"{where} exists and has no {TOOLING} annotation", hint="choose another --applyset")
    base = tooling.rsplit("/", 1)[0] if "/" in tooling else tooling
    if base != TOOL_NAME:
        raise PlanError(f"{where} is managed by {base!r}, not {TOOL_NAME}", hint="choose another --applyset")
    if labels.get(ID_LABEL) != empty.id:
        raise PlanError(f"{where} has label {ID_LABEL}={labels.get(ID_LABEL)!r}, want {empty.id}")
    gks = annotations.get(GROUP_KINDS, "")
    nss = annotations.get(NAMESPACES, "")
    return ApplySet(
        name,
        namespace,
        frozenset(parse_group_kind(t) for t in gks.split(",") if t.strip()),
        frozenset(n.strip() for n in nss.split(",") if n.strip()),
    )


def label_members(objects: Iterable[Obj], applyset: ApplySet) -> list[Obj]:
    """Copies of `objects` labelled as members; an object that sets the label itself is an error (kubectl)."""
    out: list[Obj] = []
    for obj in objects:
        labelled = copy_tree(obj)
        meta = labelled.setdefault("metadata", {})
        labels = meta.get("labels") or {}
        if PART_OF_LABEL in labels:
            raise PlanError(
                f"{ResId.of(obj).display}: the {PART_OF_LABEL} label is already set in the render"
            )
        meta["labels"] = {**labels, PART_OF_LABEL: applyset.id}
        out.append(labelled)
    return out


_PHASE_ORDER = list(Phase)


def _key(rid: ResId) -> tuple[str, str, str, str]:
    return (rid.gvk.group, rid.gvk.kind, rid.namespace, rid.name)


def prune_set(live: Iterable[Obj], current: Iterable[ResId], applyset: ApplySet) -> list[Obj]:
    """The live members of `applyset` that are not in the render (`current`; versions do not matter), in
    reverse wave order: custom resources first, then webhooks, workloads, config, CRDs, namespaces last."""
    keep = {_key(r) for r in current}
    seen: set[tuple[str, str, str, str]] = set()
    out: list[tuple[ResId, Obj]] = []
    for obj in live:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if labels.get(PART_OF_LABEL) != applyset.id:
            continue
        rid = ResId.of(obj)
        key = _key(rid)
        if key in keep or key in seen:
            continue
        seen.add(key)
        out.append((rid, obj))
    by_phase: dict[Phase, list[tuple[ResId, Obj]]] = {}
    for rid, obj in sorted(out, key=lambda item: sort_key(item[0])):
        by_phase.setdefault(phase_of(rid), []).append((rid, obj))
    ordered: list[Obj] = []
    for phase in reversed(_PHASE_ORDER):  # within a phase too, the reverse of the apply order
        ordered.extend(obj for _, obj in reversed(by_phase.get(phase, [])))
    return ordered
