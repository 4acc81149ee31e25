"""Cluster access over real HTTP: retries, error translation, discovery caching."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stackctl.cluster.api import Cluster
from stackctl.cluster.client import RetryPolicy
from stackctl.cluster.errors import ApiError, ConflictError, ConnectionFailed, InvalidError, NoMatchError
from stackctl.cluster.kubeconfig import load
from tests.apiserver import ApiServer
from tests.cluster.conftest import Target

FAST = RetryPolicy(attempts=4, base=0.01, cap=0.05)
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1"}}


@pytest.fixture
def server(target: Target) -> ApiServer:
    return target.require_server()


@pytest.fixture
def cluster(target: Target) -> Iterator[Cluster]:
    with Cluster(load(str(target.kubeconfig)), retry=FAST, timeout=2.0) as c:
        yield c


def _paths(server: ApiServer, method: str) -> list[int]:
    return [r.status for r in server.requests if r.method == method and "configmaps" in r.path]


def _in(namespace: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], "namespace": namespace}}


def test_get_apply_dry_run(target: Target, cluster: Cluster, namespace: str) -> None:
    cm = _in(namespace, CM)
    assert cluster.get(cm) is None
    dry = cluster.apply(cm, manager="stackctl", dry_run=True)
    assert dry["metadata"]["namespace"] == namespace and dry["data"] == {"a": "1"}
    assert cluster.get(cm) is None
    live = cluster.apply(cm, manager="stackctl")
    assert cluster.get(cm) == live
    if target.server is None:
        return
    patches = [r for r in target.server.requests if r.method == "PATCH" and "/configmaps/" in r.path]
    assert [(r.param("fieldManager"), r.dry_run, r.content_type) for r in patches] == [
        ("stackctl", True, "application/apply-patch+yaml"),
        ("stackctl", False, "application/apply-patch+yaml"),
    ]


def test_500_then_success_is_retried(cluster: Cluster, server: ApiServer) -> None:
    server.fault(method="PATCH", status=500, times=2)
    assert cluster.apply(CM, manager="stackctl")["data"] == {"a": "1"}
    assert _paths(server, "PATCH") == [500, 500, 201]
    assert cluster.client.stats.retries == 2


def test_429_retry_after_is_honoured(cluster: Cluster, server: ApiServer) -> None:
    server.fault(method="GET", path="/configmaps/", status=429, retry_after="1")
    start = time.monotonic()
    assert cluster.get(CM) is None
    assert time.monotonic() - start >= 1.0
    assert _paths(server, "GET") == [429, 404]


def test_dropped_connection_and_timeout_are_retried(target: Target, server: ApiServer) -> None:
    server.fault(method="PATCH", drop=True, status=None)
    server.fault(method="PATCH", delay=0.8, status=None)  # longer than the client's timeout
    with Cluster(load(str(target.kubeconfig)), retry=FAST, timeout=0.4) as cluster:
        assert cluster.apply(CM, manager="stackctl")["metadata"]["name"] == "settings"
    statuses = _paths(server, "PATCH")
    assert statuses[0] == -1 and len(statuses) == 3 and statuses[-1] in (200, 201)


def test_persistent_failure_gives_up_after_the_attempts(cluster: Cluster, server: ApiServer) -> None:
    server.fault(method="PATCH", status=503, times=None)
    with pytest.raises(ApiError) as info:
        cluster.apply(CM, manager="stackctl")
    assert info.value.status == 503
    assert str(info.value).startswith("ConfigMap/default/settings: HTTP 503 ServiceUnavailable")
    assert _paths(server, "PATCH") == [503] * FAST.attempts


def test_unreachable_server_is_a_connection_error(tmp_path: Path) -> None:
    with ApiServer() as srv:
        kubeconfig = srv.write_kubeconfig(tmp_path / "kubeconfig")
    with (
        Cluster(load(str(kubeconfig)), retry=FAST, timeout=1.0) as c,
        pytest.raises(ConnectionFailed) as info,
    ):
        c.get(CM)
    assert "cannot connect" in str(info.value) and "after 4 attempts" in str(info.value)


def test_errors_are_not_retried_and_name_what_failed(
    target: Target, cluster: Cluster, namespace: str
) -> None:
    cm = _in(namespace, CM)
    cluster.apply(cm, manager="stackctl")
    with pytest.raises(ConflictError) as info:
        cluster.apply({**cm, "data": {"a": "2"}}, manager="helm")
    assert str(info.value).startswith(f"ConfigMap/{namespace}/settings: apply conflict on .data.a ")
    assert str(info.value).endswith('(owned by "stackctl")')
    assert info.value.conflicts[0].manager == "stackctl" and info.value.conflicts[0].field == ".data.a"
    assert info.value.hint and "--force-conflicts" in info.value.hint
    forced = cluster.apply({**cm, "data": {"a": "2"}}, manager="helm", force=True)
    assert forced["data"] == {"a": "2"}

    bad = _in(namespace, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}})
    with pytest.raises(
        InvalidError, match=rf'ConfigMap/{namespace}/Bad_Name: ConfigMap "Bad_Name" is invalid'
    ):
        cluster.apply(bad, manager="stackctl")
    if target.server is not None:
        assert [r.status for r in target.server.requests if "Bad_Name" in r.path] == [422]


def test_secret_errors_withhold_the_server_message(cluster: Cluster, namespace: str) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "Top_Secret", "namespace": namespace},
        "data": {"k": "c2VjcmV0"},
    }
    with pytest.raises(InvalidError) as info:
        cluster.apply(secret, manager="stackctl")
    assert "metadata.name" in str(info.value) and "withheld" in str(info.value)
    assert "Invalid value" not in str(info.value)


def test_discovery_is_fetched_once_per_group_version(cluster: Cluster, server: ApiServer) -> None:
    results: list[object] = []

    def look() -> None:
        results.append(cluster.discovery.resource("apps/v1", "Deployment"))

    threads = [threading.Thread(target=look) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in results}) == 1
    assert cluster.discovery.resource("example.com/v1", "Widget") is None
    assert cluster.discovery.resource("example.com/v1", "Widget") is None
    assert [r.path for r in server.requests] == ["/apis/apps/v1", "/apis/example.com/v1"]
    with pytest.raises(NoMatchError, match=r'no matches for kind "Widget" in version "example\.com/v1"'):
        cluster.discovery.require("example.com/v1", "Widget")


def test_forget_missing_sees_new_crds(cluster: Cluster, server: ApiServer) -> None:
    from tests.cluster.test_apiserver import CRD

    assert cluster.discovery.resource("example.com/v1", "Widget") is None
    cluster.apply(CRD, manager="stackctl")
    assert cluster.discovery.resource("example.com/v1", "Widget") is None  # still cached as missing
    cluster.discovery.forget_missing()
    res = cluster.discovery.resource("example.com/v1", "Widget")
    assert res is not None and res.plural == "widgets" and res.namespaced
