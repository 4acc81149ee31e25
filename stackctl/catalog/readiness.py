"""Evaluating the catalog's readiness rules against live objects (plain dicts), without any I/O.

The rules are data in the catalog so the planner, `--wait` and status commands share one definition of
"ready" per kind. Live objects come in as dicts; a rule that delegates to a child object (RedisSentinel to
its StatefulSet) gets it through the `lookup` callable the caller provides, so this module never talks to a
cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stackctl.catalog.model import (
    Catalog,
    ChildCheck,
    ConditionMatch,
    ConditionsCheck,
    FieldCheck,
    ReadinessRule,
    Workload,
    WorkloadCheck,
)

# (apiVersion, kind, namespace, name) -> the live object, or None when it does not exist
Lookup = Callable[[str, str, str, str], Mapping[str, Any] | None]


class HealthState(StrEnum):
    """Argo CD's health statuses that --wait distinguishes (lower case, as stackctl prints them)."""

    HEALTHY = "healthy"
    PROGRESSING = "progressing"
    DEGRADED = "degraded"
    MISSING = "missing"  # the object does not exist


@dataclass(frozen=True)
class Health:
    state: HealthState
    message: str = ""

    @property
    def ready(self) -> bool:
        return self.state is HealthState.HEALTHY


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def assess(catalog: Catalog, obj: Mapping[str, Any], lookup: Lookup | None = None) -> Health | None:
    """The health of `obj` by the catalog's rule for its kind; None when the kind has no rule."""
    rule = catalog.readiness_rule(group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", "")))
    if rule is None:
        return None
    return evaluate(rule, obj, catalog, lookup)


def evaluate(
    rule: ReadinessRule, obj: Mapping[str, Any], catalog: Catalog, lookup: Lookup | None = None
) -> Health:
    check = rule.check
    if isinstance(check, ConditionsCheck):
        return _conditions(check, obj)
    if isinstance(check, FieldCheck):
        return _field(check, obj)
    if isinstance(check, ChildCheck):
        return _child(check, obj, catalog, lookup)
    return _workload(check, obj)


def _conditions_of(obj: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    conditions = _mapping(obj.get("status")).get("conditions")
    if not isinstance(conditions, list):
        return {}
    return {str(c.get("type")): c for c in conditions if isinstance(c, Mapping)}


def _matches(match: ConditionMatch, condition: Mapping[str, Any] | None) -> bool:
    if condition is None or condition.get("status") != match.status:
        return False
    return not match.reasons or condition.get("reason") in match.reasons


def _describe(condition: Mapping[str, Any]) -> str:
    text = f"{condition.get('type')}={condition.get('status')}"
    if condition.get("reason"):
        text += f" ({condition['reason']})"
    if condition.get("message"):
        text += f": {condition['message']}"
    return text


def _conditions(check: ConditionsCheck, obj: Mapping[str, Any]) -> Health:
    conditions = _conditions_of(obj)
    if all(_matches(m, conditions.get(m.type)) for m in check.healthy):
        return Health(HealthState.HEALTHY, ", ".join(_describe(conditions[m.type]) for m in check.healthy))
    for m in check.progressing:
        if _matches(m, conditions.get(m.type)):
            return Health(HealthState.PROGRESSING, _describe(conditions[m.type]))
    failing = [
        conditions[m.type]
        for m in check.healthy
        if m.type in conditions and not _matches(m, conditions[m.type])
    ]
    if failing and check.degraded:
        failed = [
            c for c in failing if any(_matches(m, c) for m in check.degraded if m.type == c.get("type"))
        ]
        if failed:
            return Health(HealthState.DEGRADED, "; ".join(_describe(c) for c in failed))
        return Health(HealthState.PROGRESSING, "; ".join(_describe(c) for c in failing))
    if failing:
        return Health(HealthState.DEGRADED, "; ".join(_describe(c) for c in failing))
    missing = [m.type for m in check.healthy if m.type not in conditions]
    return Health(HealthState.PROGRESSING, f"waiting for condition {', '.join(missing)}")


def _field(check: FieldCheck, obj: Mapping[str, Any]) -> Health:
    value: Any = obj
    for part in check.path:
        value = value.get(part) if isinstance(value, Mapping) else None
    path = ".".join(check.path)
    if value is None or value == "":
        if check.missing_healthy:
            return Health(HealthState.HEALTHY, f"no {path} to judge by")
        return Health(HealthState.PROGRESSING, f"waiting for {path}")
    if value in check.healthy:
        return Health(HealthState.HEALTHY, f"{path} is {value}")
    if value in check.progressing:
        return Health(HealthState.PROGRESSING, f"{path} is {value}")
    return Health(HealthState.DEGRADED, f"{path} is {value}")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _child(check: ChildCheck, obj: Mapping[str, Any], catalog: Catalog, lookup: Lookup | None) -> Health:
    meta = _mapping(obj.get("metadata"))
    name = check.name.replace("{name}", str(meta.get("name", "")))
    namespace = str(meta.get("namespace", ""))
    what = f"{check.kind} {namespace}/{name}" if namespace else f"{check.kind} {name}"
    child = lookup(check.api_version, check.kind, namespace, name) if lookup is not None else None
    if child is None:
        return Health(HealthState.PROGRESSING, f"waiting for {what}")
    rule = catalog.readiness_rule(group_of(check.api_version), check.kind)
    if rule is None:
        return Health(HealthState.HEALTHY, f"{what} exists")
    health = evaluate(rule, child, catalog, lookup)
    return Health(health.state, f"{what}: {health.message}")


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _workload(check: WorkloadCheck, obj: Mapping[str, Any]) -> Health:
    spec, status, meta = _mapping(obj.get("spec")), _mapping(obj.get("status")), _mapping(obj.get("metadata"))
    if _int(status.get("observedGeneration"), -1) < _int(meta.get("generation"), 0):
        return Health(HealthState.PROGRESSING, "waiting for the controller to observe the latest generation")
    replicas = _int(spec.get("replicas"), 1)
    updated = _int(status.get("updatedReplicas"))
    if check.workload is Workload.DEPLOYMENT:
        progressing = _conditions_of(obj).get("Progressing")
        if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
            return Health(HealthState.DEGRADED, _describe(progressing))
        if spec.get("paused") is True:
            return Health(HealthState.HEALTHY, "paused")
        if updated < replicas:
            return Health(HealthState.PROGRESSING, f"{updated} of {replicas} replicas updated")
        if _int(status.get("replicas")) > updated:
            return Health(HealthState.PROGRESSING, "old replicas are pending termination")
        available = _int(status.get("availableReplicas"))
        if available < updated:
            return Health(HealthState.PROGRESSING, f"{available} of {updated} updated replicas available")
        return Health(HealthState.HEALTHY, f"{available} of {replicas} replicas available")
    ready = _int(status.get("readyReplicas"))
    rolling = status.get("updateRevision") not in (None, status.get("currentRevision"))
    if rolling and updated < replicas:
        return Health(HealthState.PROGRESSING, f"{updated} of {replicas} replicas updated")
    if ready < replicas:
        return Health(HealthState.PROGRESSING, f"{ready} of {replicas} replicas ready")
    return Health(HealthState.HEALTHY, f"{ready} of {replicas} replicas ready")
