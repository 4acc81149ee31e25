"""Health as --wait sees it: the catalog's readiness rules mapped onto plan.health, plus its own rules
(missing objects, DaemonSet, webhook endpoints). Expectations follow reference/gitops.md "Health" and
reference/operators.md "Readiness"."""

from __future__ import annotations

from typing import Any

import pytest

from stackctl.catalog.readiness import HealthState
from stackctl.model import Obj, ResId
from stackctl.plan.health import endpoints_health, has_rule, health, webhook_services


def _cond(type_: str, status: str, reason: str = "") -> dict[str, str]:
    return {"type": type_, "status": status, "reason": reason, "message": ""}


def _judge(api_version: str, kind: str, status: Any, **extra: Any) -> HealthState:
    obj: Obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "status": status, **extra}
    return health(ResId.of(obj), obj).state


def test_missing_object() -> None:
    rid = ResId.of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    assert health(rid, None).state is HealthState.MISSING


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([_cond("Established", "True"), _cond("NamesAccepted", "True")], HealthState.HEALTHY),
        ([_cond("Established", "False"), _cond("NamesAccepted", "True")], HealthState.PROGRESSING),
        ([_cond("NamesAccepted", "False", "MultipleNamesNotAllowed")], HealthState.DEGRADED),
        ([], HealthState.PROGRESSING),
    ],
)
def test_crd(conditions: list[dict[str, str]], expected: HealthState) -> None:
    assert (
        _judge("apiextensions.k8s.io/v1", "CustomResourceDefinition", {"conditions": conditions}) is expected
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
            HealthState.HEALTHY,
        ),
        (
            {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
            HealthState.PROGRESSING,
        ),
        (
            {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2},
            HealthState.PROGRESSING,
        ),
        (
            {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1},
            HealthState.PROGRESSING,
        ),
        (
            {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1},
            HealthState.PROGRESSING,
        ),
        (
            {
                "observedGeneration": 2,
                "conditions": [_cond("Progressing", "False", "ProgressDeadlineExceeded")],
            },
            HealthState.DEGRADED,
        ),
    ],
)
def test_deployment(status: dict[str, Any], expected: HealthState) -> None:
    obj = {"spec": {"replicas": 2}, "metadata": {"name": "x", "generation": 2}}
    assert _judge("apps/v1", "Deployment", status, **obj) is expected


def test_paused_deployment_is_healthy() -> None:
    obj = {"spec": {"replicas": 2, "paused": True}, "metadata": {"name": "x", "generation": 2}}
    assert _judge("apps/v1", "Deployment", {"observedGeneration": 2}, **obj) is HealthState.HEALTHY


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            {"observedGeneration": 1, "desiredNumberScheduled": 2, "numberAvailable": 2},
            HealthState.PROGRESSING,
        ),
        (
            {"observedGeneration": 2, "desiredNumberScheduled": 2, "numberAvailable": 1},
            HealthState.PROGRESSING,
        ),
        ({"observedGeneration": 2, "desiredNumberScheduled": 2, "numberAvailable": 2}, HealthState.HEALTHY),
    ],
)
def test_daemonset(status: dict[str, Any], expected: HealthState) -> None:
    assert _judge("apps/v1", "DaemonSet", status, metadata={"name": "x", "generation": 2}) is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"observedGeneration": 0, "readyReplicas": 3}, HealthState.PROGRESSING),
        ({"observedGeneration": 1, "readyReplicas": 2}, HealthState.PROGRESSING),
        ({"observedGeneration": 1, "readyReplicas": 3, "updateRevision": "b", "currentRevision": "a",
          "updatedReplicas": 2}, HealthState.PROGRESSING),
        ({"observedGeneration": 1, "readyReplicas": 3, "updateRevision": "b", "currentRevision": "b",
          "updatedReplicas": 3}, HealthState.HEALTHY),
    ],
)  # fmt: skip
def test_statefulset(status: dict[str, Any], expected: HealthState) -> None:
    obj = {"spec": {"replicas": 3}, "metadata": {"name": "x", "generation": 1}}
    assert _judge("apps/v1", "StatefulSet", status, **obj) is expected


def test_redis_sentinel_follows_its_statefulset_through_lookup() -> None:
    sentinel: Obj = {
        "apiVersion": "redis.redis.opstreelabs.in/v1beta2",
        "kind": "RedisSentinel",
        "metadata": {"name": "cache", "namespace": "db"},
    }
    rid = ResId.of(sentinel)

    def lookup(ready: int) -> Any:
        def get(api_version: str, kind: str, namespace: str, name: str) -> Obj | None:
            if (api_version, kind, namespace, name) != ("apps/v1", "StatefulSet", "db", "cache-sentinel"):
                return None
            return {
                "metadata": {"name": name, "namespace": namespace, "generation": 1},
                "spec": {"replicas": 3},
                "status": {"observedGeneration": 1, "readyReplicas": ready},
            }

        return get

    assert health(rid, sentinel).state is HealthState.PROGRESSING  # nothing to look with: wait
    assert health(rid, sentinel, lookup(1)).state is HealthState.PROGRESSING
    assert health(rid, sentinel, lookup(3)).ready
    assert health(rid, sentinel, lambda *_: None).state is HealthState.PROGRESSING


def test_catalog_rules_are_used() -> None:
    rid = ResId.of({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "x"}})
    assert has_rule(rid)
    assert has_rule(ResId.of({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"}}))
    assert not has_rule(
        ResId.of(
            {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "x"}}
        )
    )


@pytest.mark.parametrize(
    ("kind", "conditions", "expected"),
    [
        ("Certificate", [_cond("Ready", "True")], HealthState.HEALTHY),
        ("Certificate", [_cond("Ready", "False"), _cond("Issuing", "True")], HealthState.PROGRESSING),
        ("Certificate", [_cond("Ready", "False")], HealthState.DEGRADED),
        ("Certificate", [], HealthState.PROGRESSING),
        ("ClusterIssuer", [_cond("Ready", "True")], HealthState.HEALTHY),
    ],
)
def test_cert_manager(kind: str, conditions: list[dict[str, str]], expected: HealthState) -> None:
    assert _judge("cert-manager.io/v1", kind, {"conditions": conditions}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (_cond("Ready", "True", "SecretSynced"), HealthState.HEALTHY),
        (_cond("Ready", "False", "SecretSyncedError"), HealthState.DEGRADED),
        (_cond("Ready", "False", "SecretDeleted"), HealthState.PROGRESSING),
        (_cond("Ready", "True", "SecretDeleted"), HealthState.PROGRESSING),
    ],
)
def test_external_secret(condition: dict[str, str], expected: HealthState) -> None:
    assert _judge("external-secrets.io/v1", "ExternalSecret", {"conditions": [condition]}) is expected


@pytest.mark.parametrize(
    ("api_version", "kind", "status", "expected"),
    [
        (
            "monitoring.coreos.com/v1",
            "Prometheus",
            {"conditions": [_cond("Available", "True"), _cond("Reconciled", "True")]},
            HealthState.HEALTHY,
        ),
        (  # operators.md "Readiness": Available=True and Reconciled=True
            "monitoring.coreos.com/v1",
            "Prometheus",
            {"conditions": [_cond("Available", "True")]},
            HealthState.PROGRESSING,
        ),
        (
            "monitoring.coreos.com/v1",
            "Prometheus",
            {"conditions": [_cond("Available", "False")]},
            HealthState.DEGRADED,
        ),
        ("monitoring.coreos.com/v1", "Prometheus", {}, HealthState.PROGRESSING),
        ("acid.zalan.do/v1", "postgresql", {"PostgresClusterStatus": "Running"}, HealthState.HEALTHY),
        ("acid.zalan.do/v1", "postgresql", {"PostgresClusterStatus": "Creating"}, HealthState.PROGRESSING),
        ("acid.zalan.do/v1", "postgresql", {"PostgresClusterStatus": "SyncFailed"}, HealthState.DEGRADED),
        ("acid.zalan.do/v1", "postgresql", {"PostgresClusterStatus": ""}, HealthState.PROGRESSING),
        ("acid.zalan.do/v1", "postgresql", {}, HealthState.PROGRESSING),
        ("redis.redis.opstreelabs.in/v1beta2", "RedisCluster", {"state": "Failed"}, HealthState.DEGRADED),
        ("redis.redis.opstreelabs.in/v1beta2", "RedisReplication", {}, HealthState.HEALTHY),
        ("redis.redis.opstreelabs.in/v1beta2", "RedisCluster", {"state": "Ready"}, HealthState.HEALTHY),
        (
            "redis.redis.opstreelabs.in/v1beta2",
            "RedisCluster",
            {"state": "Initializing"},
            HealthState.PROGRESSING,
        ),
        ("redis.redis.opstreelabs.in/v1beta2", "RedisCluster", {}, HealthState.HEALTHY),
        ("monitoring.coreos.com/v1", "ServiceMonitor", {}, HealthState.HEALTHY),
    ],
)
def test_operands(api_version: str, kind: str, status: dict[str, Any], expected: HealthState) -> None:
    assert _judge(api_version, kind, status) is expected


def test_webhook_services_and_endpoints() -> None:
    hook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "webhooks": [
            {"clientConfig": {"service": {"name": "wh", "namespace": "eso"}}},
            {"clientConfig": {"service": {"name": "wh", "namespace": "eso"}}},
            {"clientConfig": {"url": "https://example.com"}},
        ],
    }
    assert webhook_services(hook) == [("eso", "wh")]
    assert endpoints_health(("eso", "wh"), []).state is HealthState.PROGRESSING
    assert endpoints_health(("eso", "wh"), [{"endpoints": [{"conditions": {"ready": False}}]}]).state is (
        HealthState.PROGRESSING
    )
    assert endpoints_health(("eso", "wh"), [{"endpoints": [{"conditions": {"ready": True}}]}]).ready
