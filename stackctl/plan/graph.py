"""Ordered waves over the rendered objects, and what each wave waits for before the next starts.

Waves, in order: Namespaces; CRDs (then Established and NamesAccepted, and discovery refreshed);
ServiceAccounts, RBAC, ConfigMaps, Secrets, Services and the like; workloads (operator Deployments, until
Available); admission webhooks and API services (until the webhook's Service has ready endpoints); then the
custom resources, split into levels by reference edges (refs.py) so that issuers and secret stores come
before the Certificates and ExternalSecrets that name them. Within a wave the order is fixed (Helm's kind
order, then group, kind, namespace, name), whatever the input order. The waves are plain data, so Argo CD
sync waves can be written from the same graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypedDict

from stackctl.errors import StackctlError
from stackctl.model import Obj, ResId
from stackctl.plan import refs


class Phase(StrEnum):
    NAMESPACES = "namespaces"
    CRDS = "crds"
    CONFIG = "config"
    WORKLOADS = "workloads"
    WEBHOOKS = "webhooks"
    RESOURCES = "resources"


class Gate(StrEnum):
    """What a wave waits for before the next one starts."""

    NONE = "none"
    ESTABLISHED = "established"  # CRDs Established and NamesAccepted; then discovery is refreshed
    AVAILABLE = "available"  # Deployments (and other workloads) available
    ENDPOINTS = "endpoints"  # the Services webhooks call have ready endpoints
    HEALTHY = "healthy"  # custom resources healthy by their health rule


GATES = {
    Phase.NAMESPACES: Gate.NONE,
    Phase.CRDS: Gate.ESTABLISHED,
    Phase.CONFIG: Gate.NONE,
    Phase.WORKLOADS: Gate.AVAILABLE,
    Phase.WEBHOOKS: Gate.ENDPOINTS,
    Phase.RESOURCES: Gate.HEALTHY,
}

_CORE = ""
_PHASES: dict[tuple[str, str], Phase] = {
    (_CORE, "Namespace"): Phase.NAMESPACES,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): Phase.CRDS,
    **{
        (_CORE, k): Phase.CONFIG
        for k in (
            "ServiceAccount",
            "Secret",
            "ConfigMap",
            "Service",
            "Endpoints",
            "ResourceQuota",
            "LimitRange",
            "PersistentVolume",
            "PersistentVolumeClaim",
        )
    },
    **{
        ("rbac.authorization.k8s.io", k): Phase.CONFIG
        for k in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
    },
    ("scheduling.k8s.io", "PriorityClass"): Phase.CONFIG,
    ("storage.k8s.io", "StorageClass"): Phase.CONFIG,
    ("networking.k8s.io", "NetworkPolicy"): Phase.CONFIG,
    ("networking.k8s.io", "IngressClass"): Phase.CONFIG,
    ("policy", "PodDisruptionBudget"): Phase.CONFIG,
    ("discovery.k8s.io", "EndpointSlice"): Phase.CONFIG,
    **{("apps", k): Phase.WORKLOADS for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")},
    (_CORE, "Pod"): Phase.WORKLOADS,
    ("batch", "Job"): Phase.WORKLOADS,
    ("batch", "CronJob"): Phase.WORKLOADS,
    ("autoscaling", "HorizontalPodAutoscaler"): Phase.WORKLOADS,
    **{
        ("admissionregistration.k8s.io", k): Phase.WEBHOOKS
        for k in (
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
            "MutatingAdmissionPolicy",
            "MutatingAdmissionPolicyBinding",
        )
    },
    ("apiregistration.k8s.io", "APIService"): Phase.WEBHOOKS,
}

# Helm's install order (kind_sorter.go): the tie-break within a wave.
_HELM_ORDER = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
]
_KIND_RANK = {kind: i for i, kind in enumerate(_HELM_ORDER)}


def phase_of(rid: ResId) -> Phase:
    """The phase of a kind; anything not built in (custom resources, and built-ins an admission webhook may
    check, such as Ingress) goes last."""
    return _PHASES.get((rid.gvk.group, rid.gvk.kind), Phase.RESOURCES)


def sort_key(rid: ResId) -> tuple[int, str, str, str, str]:
    kind = rid.gvk.kind
    return (_KIND_RANK.get(kind, len(_KIND_RANK)), rid.gvk.group, kind, rid.namespace, rid.name)


@dataclass(frozen=True)
class Step:
    """One object to apply, with the objects of this render it must follow (reference edges)."""

    id: ResId
    obj: Obj = field(compare=False, repr=False)
    depends_on: tuple[ResId, ...] = ()


@dataclass(frozen=True)
class Wave:
    index: int
    phase: Phase
    level: int  # reference depth among custom resources; 0 elsewhere
    steps: tuple[Step, ...]

    @property
    def gate(self) -> Gate:
        return GATES[self.phase]

    @property
    def name(self) -> str:
        return f"{self.phase}.{self.level}" if self.level else str(self.phase)


class StepData(TypedDict):
    apiVersion: str
    kind: str
    namespace: str
    name: str
    dependsOn: list[str]


class WaveData(TypedDict):
    index: int
    name: str
    phase: str
    gate: str
    objects: list[StepData]


@dataclass(frozen=True)
class Plan:
    waves: tuple[Wave, ...]

    @property
    def steps(self) -> list[Step]:
        return [s for w in self.waves for s in w.steps]

    def wave_of(self) -> dict[ResId, int]:
        return {s.id: w.index for w in self.waves for s in w.steps}

    def to_data(self) -> list[WaveData]:
        return [
            {
                "index": w.index,
                "name": w.name,
                "phase": str(w.phase),
                "gate": str(w.gate),
                "objects": [
                    {
                        "apiVersion": s.id.gvk.api_version,
                        "kind": s.id.gvk.kind,
                        "namespace": s.id.namespace,
                        "name": s.id.name,
                        "dependsOn": [d.display for d in s.depends_on],
                    }
                    for s in w.steps
                ],
            }
            for w in self.waves
        ]


class PlanError(StackctlError):
    """Objects that cannot be ordered: a reference cycle among custom resources, or duplicate objects."""


def crd_scopes(objects: Iterable[Obj]) -> dict[tuple[str, str], bool]:
    """(group, kind) -> namespaced, for the CRDs in a render."""
    out: dict[tuple[str, str], bool] = {}
    for obj in objects:
        rid = ResId.of(obj)
        if (rid.gvk.group, rid.gvk.kind) != ("apiextensions.k8s.io", "CustomResourceDefinition"):
            continue
        spec = obj.get("spec") or {}
        kind = (spec.get("names") or {}).get("kind")
        if isinstance(kind, str) and isinstance(spec.get("group"), str):
            out[(spec["group"], kind)] = spec.get("scope") != "Cluster"
    return out


def build_plan(objects: Iterable[Obj], *, namespaced: Mapping[tuple[str, str], bool] | None = None) -> Plan:
    """Order objects into waves. `namespaced` gives the scope of kinds whose CRD is not in the render
    (from discovery); kinds in neither are taken as namespaced when the object names a namespace."""
    objs = list(objects)
    scopes = {**(namespaced or {}), **crd_scopes(objs)}
    by_phase: dict[Phase, list[Step]] = {p: [] for p in Phase}
    seen: set[ResId] = set()
    resources: list[tuple[ResId, Obj]] = []
    for obj in objs:
        rid = ResId.of(obj)
        if rid in seen:
            raise PlanError(f"{rid.display} appears twice in the render")
        seen.add(rid)
        phase = phase_of(rid)
        if phase is Phase.RESOURCES:
            resources.append((rid, obj))
        else:
            by_phase[phase].append(Step(rid, obj))
    waves: list[Wave] = []
    for phase in Phase:
        if phase is Phase.RESOURCES:
            for level, steps in enumerate(_levels(resources, scopes)):
                waves.append(Wave(len(waves), phase, level, steps))
        elif by_phase[phase]:
            steps = tuple(sorted(by_phase[phase], key=lambda s: sort_key(s.id)))
            waves.append(Wave(len(waves), phase, 0, steps))
    return Plan(tuple(waves))


def _levels(items: list[tuple[ResId, Obj]], scopes: Mapping[tuple[str, str], bool]) -> list[tuple[Step, ...]]:
    """Custom resources in levels: each after everything it references (longest path from a root)."""
    ids = {rid for rid, _ in items}
    producers: dict[tuple[str, str], list[ResId]] = {}
    for rid, obj in items:
        for key in refs.secret_producers(obj):
            producers.setdefault(key, []).append(rid)
    deps: dict[ResId, set[ResId]] = {}
    for rid, obj in items:
        is_namespaced = scopes.get((rid.gvk.group, rid.gvk.kind), bool(rid.namespace))
        found: set[ResId] = set()
        for ref in refs.references(obj, is_namespaced):
            found.update(_resolve(ref, ids, producers))
        found.discard(rid)
        deps[rid] = found
    level: dict[ResId, int] = {}
    visiting: list[ResId] = []

    def depth(rid: ResId) -> int:
        if rid in level:
            return level[rid]
        if rid in visiting:
            cycle = [*visiting[visiting.index(rid) :], rid]
            raise PlanError(
                "reference cycle among custom resources: " + " -> ".join(r.display for r in cycle),
                hint="one of these references must go, or point at an object created out of band",
            )
        visiting.append(rid)
        level[rid] = 1 + max((depth(d) for d in deps[rid]), default=-1)
        visiting.pop()
        return level[rid]

    for rid in sorted(deps, key=sort_key):
        depth(rid)
    by_level: dict[int, list[Step]] = {}
    objs = dict(items)
    for rid, lvl in level.items():
        step = Step(rid, objs[rid], tuple(sorted(deps[rid], key=sort_key)))
        by_level.setdefault(lvl, []).append(step)
    return [tuple(sorted(by_level[lvl], key=lambda s: sort_key(s.id))) for lvl in sorted(by_level)]


def _resolve(ref: refs.Ref, ids: set[ResId], producers: Mapping[tuple[str, str], list[ResId]]) -> list[ResId]:
    if ref.kind == "Secret" and ref.group == "":
        if ref.namespace:
            return list(producers.get((ref.namespace, ref.name), []))
        found = [r for (ns, name), rs in producers.items() if name == ref.name for r in rs]
        return found if len({r.namespace for r in found}) == 1 else []
    return [
        rid
        for rid in ids
        if rid.gvk.group == ref.group
        and rid.gvk.kind == ref.kind
        and rid.name == ref.name
        and (not ref.namespace or rid.namespace == ref.namespace)
    ]
