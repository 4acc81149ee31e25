"""Health rules: is a live object ready for the next wave to rely on it?

The rules are Argo CD's and kapp's for the kinds in the stack (see the GitOps reference): a CRD is ready when
Established and NamesAccepted; a Deployment when the rollout of its current generation is complete and
available; a webhook when the Service it calls has a ready endpoint; cert-manager, ESO and
prometheus-operator resources by their Ready/Available conditions; Zalando's postgresql by its cluster
status; OT Redis by `status.state` where present. A kind without a rule is healthy once it exists, as in
Argo CD. Pure: the cluster layer fetches, these functions judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stackctl.model import Obj, ResId


class Status(StrEnum):
    HEALTHY = "healthy"
    PROGRESSING = "progressing"
    DEGRADED = "degraded"
    MISSING = "missing"


@dataclass(frozen=True)
class Health:
    status: Status
    message: str = ""

    @property
    def ready(self) -> bool:
        return self.status is Status.HEALTHY


HEALTHY = Health(Status.HEALTHY)


def _conditions(obj: Obj) -> dict[str, Mapping[str, Any]]:
    status = obj.get("status")
    conditions = status.get("conditions") if isinstance(status, Mapping) else None
    out: dict[str, Mapping[str, Any]] = {}
    for cond in conditions if isinstance(conditions, list) else []:
        if isinstance(cond, Mapping) and isinstance(cond.get("type"), str):
            out[cond["type"]] = cond
    return out


def _say(cond: Mapping[str, Any]) -> str:
    reason = cond.get("reason") or ""
    message = cond.get("message") or ""
    return f"{reason}: {message}" if reason and message else str(reason or message)


def _crd(obj: Obj) -> Health:
    conds = _conditions(obj)
    names = conds.get("NamesAccepted")
    if names is not None and names.get("status") == "False":
        return Health(Status.DEGRADED, f"names not accepted: {_say(names)}")
    established = conds.get("Established", {}).get("status") == "True"
    if established and names is not None and names.get("status") == "True":
        return HEALTHY
    return Health(Status.PROGRESSING, "waiting for Established and NamesAccepted")


def _deployment(obj: Obj) -> Health:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    generation = (obj.get("metadata") or {}).get("generation") or 0
    progressing = _conditions(obj).get("Progressing", {})
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return Health(Status.DEGRADED, f"rollout stalled: {_say(progressing)}")
    if spec.get("paused"):
        return Health(Status.HEALTHY, "paused")
    if int(status.get("observedGeneration") or 0) < int(generation):
        return Health(Status.PROGRESSING, "waiting for the rollout to be observed")
    want = int(spec.get("replicas", 1))
    updated = int(status.get("updatedReplicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    if updated < want:
        return Health(Status.PROGRESSING, f"{updated} of {want} replicas updated")
    if int(status.get("replicas") or 0) > updated:
        return Health(Status.PROGRESSING, "old replicas pending termination")
    if available < updated:
        return Health(Status.PROGRESSING, f"{available} of {updated} updated replicas available")
    return HEALTHY


def _statefulset(obj: Obj) -> Health:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    generation = int((obj.get("metadata") or {}).get("generation") or 0)
    if int(status.get("observedGeneration") or 0) < generation:
        return Health(Status.PROGRESSING, "waiting for the rollout to be observed")
    want = int(spec.get("replicas", 1))
    ready = int(status.get("readyReplicas") or 0)
    if ready < want:
        return Health(Status.PROGRESSING, f"{ready} of {want} replicas ready")
    return HEALTHY


def _daemonset(obj: Obj) -> Health:
    status = obj.get("status") or {}
    generation = int((obj.get("metadata") or {}).get("generation") or 0)
    if int(status.get("observedGeneration") or 0) < generation:
        return Health(Status.PROGRESSING, "waiting for the rollout to be observed")
    desired = int(status.get("desiredNumberScheduled") or 0)
    available = int(status.get("numberAvailable") or 0)
    if available < desired:
        return Health(Status.PROGRESSING, f"{available} of {desired} pods available")
    return HEALTHY


def _ready_condition(obj: Obj, *, failed_reasons: Sequence[str] = (), progressing: str = "") -> Health:
    conds = _conditions(obj)
    ready = conds.get("Ready")
    if ready is not None and ready.get("status") == "True":
        return HEALTHY
    if progressing and conds.get(progressing, {}).get("status") == "True":
        return Health(Status.PROGRESSING, _say(conds[progressing]) or progressing)
    if ready is not None and ready.get("status") == "False":
        if not failed_reasons or ready.get("reason") in failed_reasons:
            return Health(Status.DEGRADED, _say(ready))
        return Health(Status.PROGRESSING, _say(ready))
    return Health(Status.PROGRESSING, "waiting for condition Ready")


def _available_condition(obj: Obj) -> Health:
    available = _conditions(obj).get("Available")
    if available is None:
        return Health(Status.PROGRESSING, "waiting for condition Available")
    if available.get("status") == "True":
        return HEALTHY
    if available.get("status") == "False":
        return Health(Status.DEGRADED, _say(available))
    return Health(Status.PROGRESSING, _say(available))


def _postgresql(obj: Obj) -> Health:
    state = (obj.get("status") or {}).get("PostgresClusterStatus")
    if state == "Running":
        return HEALTHY
    if state in (None, "", "Creating", "Updating"):
        return Health(Status.PROGRESSING, f"cluster {str(state or 'pending').lower()}")
    return Health(Status.DEGRADED, f"cluster status {state}")


def _redis(obj: Obj) -> Health:
    state = (obj.get("status") or {}).get("state")
    if state is None or str(state).lower() == "ready":
        return HEALTHY
    if str(state).lower() in ("failed", "error"):
        return Health(Status.DEGRADED, f"state {state}")
    return Health(Status.PROGRESSING, f"state {state}")


_ESO_FAILED = ("SecretSyncedError",)
_RULES = {
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("cert-manager.io", "Certificate"): lambda o: _ready_condition(o, progressing="Issuing"),
    ("cert-manager.io", "Issuer"): _ready_condition,
    ("cert-manager.io", "ClusterIssuer"): _ready_condition,
    ("external-secrets.io", "ExternalSecret"): lambda o: _ready_condition(
        o, failed_reasons=("SecretSyncedError",)
    ),
    ("external-secrets.io", "SecretStore"): _ready_condition,
    ("external-secrets.io", "ClusterSecretStore"): _ready_condition,
    ("monitoring.coreos.com", "Prometheus"): _available_condition,
    ("monitoring.coreos.com", "Alertmanager"): _available_condition,
    ("acid.zalan.do", "postgresql"): _postgresql,
    ("redis.redis.opstreelabs.in", "RedisCluster"): _redis,
    ("redis.redis.opstreelabs.in", "RedisReplication"): _redis,
    ("redis.redis.opstreelabs.in", "RedisSentinel"): _redis,
    ("redis.redis.opstreelabs.in", "Redis"): _redis,
}


def has_rule(rid: ResId) -> bool:
    return (rid.gvk.group, rid.gvk.kind) in _RULES


def health(rid: ResId, live: Obj | None) -> Health:
    """The health of a live object (None: it does not exist)."""
    if live is None:
        return Health(Status.MISSING, "not found")
    rule = _RULES.get((rid.gvk.group, rid.gvk.kind))
    return rule(live) if rule else HEALTHY


def webhook_services(obj: Obj) -> list[tuple[str, str]]:
    """(namespace, name) of the Services a webhook configuration (or APIService) calls, once each."""
    out: list[tuple[str, str]] = []
    candidates: Iterator[Any]
    if obj.get("kind") == "APIService":
        candidates = iter([(obj.get("spec") or {}).get("service")])
    else:
        hooks = obj.get("webhooks")
        candidates = (
            (h.get("clientConfig") or {}).get("service")
            for h in (hooks if isinstance(hooks, list) else [])
            if isinstance(h, Mapping)
        )
    for svc in candidates:
        if isinstance(svc, Mapping) and svc.get("name") and svc.get("namespace"):
            key = (str(svc["namespace"]), str(svc["name"]))
            if key not in out:
                out.append(key)
    return out


def endpoints_health(service: tuple[str, str], slices: Sequence[Obj]) -> Health:
    """Ready when one of the Service's EndpointSlices has a ready endpoint."""
    for sl in slices:
        for endpoint in sl.get("endpoints") or []:
            conditions = endpoint.get("conditions") if isinstance(endpoint, Mapping) else None
            if isinstance(conditions, Mapping) and conditions.get("ready") is not False:
                return HEALTHY
    ns, name = service
    return Health(Status.PROGRESSING, f"Service {ns}/{name} has no ready endpoints")
