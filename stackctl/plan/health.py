"""Health rules: is a live object ready for the next wave to rely on it?

One owner per rule. The catalog (stackctl/catalog/operators.yaml `readiness:`, evaluated by
stackctl.catalog.readiness) is the source of truth for the operators' custom resources and for the built-in
kinds it describes (CRD, Deployment, StatefulSet); this module uses its verdict as it is and adds only
what the catalog does not describe: MISSING for an absent object, DaemonSet rollout, and webhook endpoints.
A kind without a rule anywhere is healthy once it exists, as in Argo CD. Pure: the cluster layer fetches
(including, through `lookup`, the child objects a rule delegates to, e.g. a RedisSentinel's StatefulSet),
these functions judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from stackctl.catalog import Catalog, load_catalog
from stackctl.catalog.readiness import Health, HealthState, Lookup, assess
from stackctl.model import Obj, ResId

HEALTHY = Health(HealthState.HEALTHY)


def _daemonset(obj: Obj) -> Health:
    status = obj.get("status") or {}
    generation = int((obj.get("metadata") or {}).get("generation") or 0)
    if int(status.get("observedGeneration") or 0) < generation:
        return Health(HealthState.PROGRESSING, "waiting for the rollout to be observed")
    desired = int(status.get("desiredNumberScheduled") or 0)
    available = int(status.get("numberAvailable") or 0)
    if available < desired:
        return Health(HealthState.PROGRESSING, f"{available} of {desired} pods available")
    return HEALTHY


# Rules for kinds the catalog does not describe (it is about the operators, not every built-in kind).
_LOCAL_RULES = {
    ("apps", "DaemonSet"): _daemonset,
}


def has_rule(rid: ResId, catalog: Catalog | None = None) -> bool:
    key = (rid.gvk.group, rid.gvk.kind)
    return key in _LOCAL_RULES or (catalog or load_catalog()).readiness_rule(*key) is not None


def health(
    rid: ResId, live: Obj | None, lookup: Lookup | None = None, catalog: Catalog | None = None
) -> Health:
    """The health of a live object (None: it does not exist). `lookup` fetches the child objects a catalog
    rule delegates to (without it such a rule waits)."""
    if live is None:
        return Health(HealthState.MISSING, "not found")
    local = _LOCAL_RULES.get((rid.gvk.group, rid.gvk.kind))
    if local is not None:
        return local(live)
    return assess(catalog or load_catalog(), live, lookup) or HEALTHY


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
    return Health(HealthState.PROGRESSING, f"Service {ns}/{name} has no ready endpoints")
