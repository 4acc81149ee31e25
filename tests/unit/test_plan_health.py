"""Health rules (the GitOps reference's), one table per kind."""

from __future__ import annotations

from typing import Any

import pytest

from stackctl.model import Obj, ResId
from stackctl.plan.health import Status, endpoints_health, health, webhook_services


def _cond(type_: str, status: str, reason: str = "") -> dict[str, str]:
    return {"type": type_, "status": status, "reason": reason, "message": ""}


def _judge(api_version: str, kind: str, status: Any, **extra: Any) -> Status:
    obj: Obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "status": status, **extra}
    return health(ResId.of(obj), obj).status


def test_missing_object() -> None:
    rid = ResId.of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    assert health(rid, None).status is Status.MISSING


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([_cond("Established", "True"), _cond("NamesAccepted", "True")], Status.HEALTHY),
        ([_cond("Established", "False"), _cond("NamesAccepted", "True")], Status.PROGRESSING),
        ([_cond("NamesAccepted", "False", "MultipleNamesNotAllowed")], Status.DEGRADED),
        ([], Status.PROGRESSING),
    ],
)
def test_crd(conditions: list[dict[str, str]], expected: Status) -> None:
    assert (
        _judge("apiextensions.k8s.io/v1", "CustomResourceDefinition", {"conditions": conditions}) is expected
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
            Status.HEALTHY,
        ),
        (
            {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
            Status.PROGRESSING,
        ),
        (
            {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2},
            Status.PROGRESSING,
        ),
        (
            {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1},
            Status.PROGRESSING,
        ),
        (
            {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1},
            Status.PROGRESSING,
        ),
        (
            {
                "observedGeneration": 2,
                "conditions": [_cond("Progressing", "False", "ProgressDeadlineExceeded")],
            },
            Status.DEGRADED,
        ),
    ],
)
def test_deployment(status: dict[str, Any], expected: Status) -> None:
    obj = {"spec": {"replicas": 2}, "metadata": {"name": "x", "generation": 2}}
    assert _judge("apps/v1", "Deployment", status, **obj) is expected


@pytest.mark.parametrize(
    ("kind", "conditions", "expected"),
    [
        ("Certificate", [_cond("Ready", "True")], Status.HEALTHY),
        ("Certificate", [_cond("Ready", "False"), _cond("Issuing", "True")], Status.PROGRESSING),
        ("Certificate", [_cond("Ready", "False")], Status.DEGRADED),
        ("Certificate", [], Status.PROGRESSING),
        ("ClusterIssuer", [_cond("Ready", "True")], Status.HEALTHY),
    ],
)
def test_cert_manager(kind: str, conditions: list[dict[str, str]], expected: Status) -> None:
    assert _judge("cert-manager.io/v1", kind, {"conditions": conditions}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (_cond("Ready", "True", "SecretSynced"), Status.HEALTHY),
        (_cond("Ready", "False", "SecretSyncedError"), Status.DEGRADED),
        (_cond("Ready", "False", "SecretDeleted"), Status.PROGRESSING),
    ],
)
def test_external_secret(condition: dict[str, str], expected: Status) -> None:
    assert _judge("external-secrets.io/v1", "ExternalSecret", {"conditions": [condition]}) is expected


@pytest.mark.parametrize(
    ("api_version", "kind", "status", "expected"),
    [
        (
            "monitoring.coreos.com/v1",
            "Prometheus",
            {"conditions": [_cond("Available", "True")]},
            Status.HEALTHY,
        ),
        (
            "monitoring.coreos.com/v1",
            "Prometheus",
            {"conditions": [_cond("Available", "False")]},
            Status.DEGRADED,
        ),
        ("monitoring.coreos.com/v1", "Prometheus", {}, Status.PROGRESSING),
        ("acid.zalan.do/v1", "postgresql", {"PostgresClusterStatus": "Running"}, Status.HEALTHY),
        ("acid.zalan.do/v1", "postgresql", {"PostgresClusterStatus": "Creating"}, Status.PROGRESSING),
        ("acid.zalan.do/v1", "postgresql", {"PostgresClusterStatus": "SyncFailed"}, Status.DEGRADED),
        ("redis.redis.opstreelabs.in/v1beta2", "RedisCluster", {"state": "Ready"}, Status.HEALTHY),
        ("redis.redis.opstreelabs.in/v1beta2", "RedisCluster", {"state": "Initializing"}, Status.PROGRESSING),
        ("redis.redis.opstreelabs.in/v1beta2", "RedisCluster", {}, Status.HEALTHY),
        ("monitoring.coreos.com/v1", "ServiceMonitor", {}, Status.HEALTHY),
    ],
)
def test_operands(api_version: str, kind: str, status: dict[str, Any], expected: Status) -> None:
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
    assert endpoints_health(("eso", "wh"), []).status is Status.PROGRESSING
    assert endpoints_health(("eso", "wh"), [{"endpoints": [{"conditions": {"ready": False}}]}]).status is (
        Status.PROGRESSING
    )
    assert endpoints_health(("eso", "wh"), [{"endpoints": [{"conditions": {"ready": True}}]}]).ready
