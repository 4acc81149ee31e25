"""Waiting for a wave to be ready: poll live objects and judge them with the planner's health rules.

What a wave waits for follows its gate: CRDs until Established and NamesAccepted, workloads until
available, webhook configurations until every Service they call has a ready endpoint (an EndpointSlice
labelled `kubernetes.io/service-name`), custom resources until healthy by their catalog rule (fetching
the child objects a rule delegates to, such as a RedisSentinel's StatefulSet). Each round fetches
the checks still pending in parallel; the wait ends when all are ready or at the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from stackctl.catalog.readiness import Health, HealthState, Lookup
from stackctl.cluster.api import Cluster
from stackctl.cluster.errors import WaitTimeout
from stackctl.errors import StackctlError
from stackctl.model import Obj, ResId
from stackctl.plan.graph import Gate, Wave
from stackctl.plan.health import endpoints_health, health, webhook_services


@dataclass(frozen=True)
class Check:
    what: str  # `CustomResourceDefinition/x`, `Service ns/name endpoints`
    probe: Callable[[], Health]


def _lookup(cluster: Cluster) -> Lookup:
    """Fetch a child object a readiness rule delegates to (a RedisSentinel's StatefulSet)."""

    def get(api_version: str, kind: str, namespace: str, name: str) -> Obj | None:
        res = cluster.discovery.require(api_version, kind)
        return cluster.read(res, namespace if res.namespaced else "", name)

    return get


def _object_check(cluster: Cluster, rid: ResId) -> Check:
    def probe() -> Health:
        res = cluster.discovery.require(rid.gvk.api_version, rid.gvk.kind)
        live = cluster.read(res, rid.namespace if res.namespaced else "", rid.name)
        return health(rid, live, _lookup(cluster))

    return Check(rid.display, probe)


def _endpoints_check(cluster: Cluster, service: tuple[str, str]) -> Check:
    ns, name = service

    def probe() -> Health:
        res = cluster.discovery.require("discovery.k8s.io/v1", "EndpointSlice")
        slices = cluster.list(res, ns, f"kubernetes.io/service-name={name}")
        return endpoints_health(service, slices)

    return Check(f"Service {ns}/{name} endpoints", probe)


def checks_for(cluster: Cluster, wave: Wave, ids: Sequence[ResId]) -> list[Check]:
    """What to wait for after applying `ids` of `wave`."""
    if wave.gate is Gate.NONE:
        return []
    if wave.gate is Gate.ENDPOINTS:
        services: list[tuple[str, str]] = []
        wanted = set(ids)
        for step in wave.steps:
            if step.id in wanted:
                services.extend(s for s in webhook_services(step.obj) if s not in services)
        return [_endpoints_check(cluster, s) for s in services]
    return [_object_check(cluster, rid) for rid in ids]


def wait_ready(
    checks: Sequence[Check],
    *,
    pool: Executor,
    deadline: float,
    poll: float,
    on_round: Callable[[int, int], None] | None = None,
) -> None:
    """Poll until every check is healthy (every 0.1 s at first, backing off to `poll`); raises WaitTimeout
    naming what is not ready at the deadline."""
    pending = list(checks)
    last: dict[str, Health] = {}
    interval = min(0.1, poll)  # quick things are seen quickly; slow ones are not hammered
    while pending:

        def probe(check: Check) -> Health:
            try:
                return check.probe()
            except StackctlError as exc:
                return Health(HealthState.PROGRESSING, str(exc))

        results = list(pool.map(probe, pending))
        for check, result in zip(pending, results, strict=True):
            last[check.what] = result
        pending = [c for c, r in zip(pending, results, strict=True) if not r.ready]
        if on_round is not None:
            on_round(len(checks) - len(pending), len(checks))
        if not pending:
            return
        if time.monotonic() + interval > deadline:
            shown = "; ".join(f"{c.what}: {last[c.what].state} ({last[c.what].message})" for c in pending[:5])
            more = f"; and {len(pending) - 5} more" if len(pending) > 5 else ""
            raise WaitTimeout(
                f"{len(pending)} of {len(checks)} not ready: {shown}{more}",
                hint="raise --timeout, or look at the objects' events and status",
            )
        time.sleep(interval)
        interval = min(interval * 1.5, poll)
