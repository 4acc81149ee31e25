"""The API test server speaks the protocol clients rely on: checked over raw HTTP and with real kubectl."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.apiserver import HOST, ApiServer
from tests.cluster.conftest import Target

APPLY = "application/apply-patch+yaml"

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                },
            }
        ],
    },
}

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
        },
    },
}


class Http:
    """Raw HTTP to the server: what any client sends, nothing more."""

    def __init__(self, server: ApiServer) -> None:
        self.server = server

    def __call__(
        self, method: str, path: str, body: Any = None, content_type: str = "application/json"
    ) -> tuple[int, Any, dict[str, str]]:
        conn = http.client.HTTPConnection(HOST, self.server.port, timeout=10)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": content_type} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None, dict(resp.getheaders())
        finally:
            conn.close()

    def apply(self, path: str, obj: Any, manager: str = "test", **query: str) -> tuple[int, Any]:
        params = "&".join(f"{k}={v}" for k, v in {"fieldManager": manager, **query}.items())
        status, body, _ = self("PATCH", f"{path}?{params}", obj, APPLY)
        return status, body


@pytest.fixture
def server() -> Iterator[ApiServer]:
    with ApiServer() as srv:
        yield srv


@pytest.fixture
def api(server: ApiServer) -> Http:
    return Http(server)


def test_discovery_documents(api: Http) -> None:
    status, versions, _ = api("GET", "/api")
    assert status == 200 and versions["kind"] == "APIVersions" and versions["versions"] == ["v1"]
    status, groups, _ = api("GET", "/apis")
    names = {g["name"]: g for g in groups["groups"]}
    assert names["apps"]["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    _, core, _ = api("GET", "/api/v1")
    cm = next(r for r in core["resources"] if r["name"] == "configmaps")
    assert cm["namespaced"] is True and cm["kind"] == "ConfigMap" and "patch" in cm["verbs"]
    ns = next(r for r in core["resources"] if r["name"] == "namespaces")
    assert ns["namespaced"] is False
    _, apps, _ = api("GET", "/apis/apps/v1")
    assert apps["groupVersion"] == "apps/v1"
    assert {"deployments", "deployments/status"} <= {r["name"] for r in apps["resources"]}
    status, group, _ = api("GET", "/apis/apps")
    assert status == 200 and group["kind"] == "APIGroup"


def test_crd_makes_its_kind_servable_and_established(api: Http) -> None:
    missing = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "the server could not find the requested resource",
        "reason": "NotFound",
        "details": {},
        "code": 404,
    }
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w1"},
        "spec": {"size": 1},
    }
    widget_path = "/apis/example.com/v1/namespaces/default/widgets/w1"
    assert api("GET", "/apis/example.com/v1")[:2] == (404, missing)
    assert api.apply(widget_path, widget) == (404, missing)

    status, crd = api.apply(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", CRD
    )
    assert status == 201
    conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conditions == {"Established": "True", "NamesAccepted": "True"}
    _, resources, _ = api("GET", "/apis/example.com/v1")
    entry = next(r for r in resources["resources"] if r["name"] == "widgets")
    assert entry["kind"] == "Widget" and entry["namespaced"] is True and entry["shortNames"] == ["wd"]

    status, stored = api.apply(widget_path, widget)
    assert status == 201 and stored["spec"] == {"size": 1} and stored["metadata"]["generation"] == 1
    status, listed, _ = api("GET", "/apis/example.com/v1/widgets")
    assert status == 200 and [i["metadata"]["name"] for i in listed["items"]] == ["w1"]

    assert (
        api("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")[0] == 200
    )
    assert api("GET", widget_path)[:2] == (404, missing)


def test_crd_establishes_after_a_delay() -> None:
    with ApiServer(establish_delay=0.3) as server:
        api = Http(server)
        _, crd = api.apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", CRD)
        conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
        assert conditions == {"NamesAccepted": "True", "Established": "False"}
        assert api("GET", "/apis/example.com/v1")[0] == 404
        time.sleep(0.6)
        _, crd, _ = api("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
        assert {c["type"]: c["status"] for c in crd["status"]["conditions"]}["Established"] == "True"
        assert api("GET", "/apis/example.com/v1")[0] == 200


def test_server_side_apply_sets_server_fields_and_is_idempotent(api: Http, server: ApiServer) -> None:
    path = "/apis/apps/v1/namespaces/default/deployments/web"
    status, created = api.apply(path, DEPLOYMENT, "stackctl")
    assert status == 201
    meta = created["metadata"]
    assert meta["generation"] == 1 and meta["uid"] and meta["creationTimestamp"] and meta["resourceVersion"]
    assert [m["manager"] for m in meta["managedFields"]] == ["stackctl"]
    assert meta["managedFields"][0]["operation"] == "Apply"
    assert meta["managedFields"][0]["fieldsV1"]["f:spec"]["f:replicas"] == {}
    assert created["spec"]["revisionHistoryLimit"] == 10  # a server default, owned by nobody
    assert "f:revisionHistoryLimit" not in meta["managedFields"][0]["fieldsV1"]["f:spec"]

    status, again = api.apply(path, DEPLOYMENT, "stackctl")
    assert status == 200 and again["metadata"]["resourceVersion"] == meta["resourceVersion"]

    changed = json.loads(json.dumps(DEPLOYMENT))
    changed["spec"]["replicas"] = 3
    status, dry = api.apply(path, changed, "stackctl", dryRun="All")
    assert status == 200 and dry["spec"]["replicas"] == 3 and dry["metadata"]["generation"] == 2
    _, live, _ = api("GET", path)
    assert live["spec"]["replicas"] == 1 and live["metadata"]["resourceVersion"] == meta["resourceVersion"]

    status, updated = api.apply(path, changed, "stackctl")
    assert updated["spec"]["replicas"] == 3 and updated["metadata"]["generation"] == 2
    assert int(updated["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])


def test_dry_run_create_persists_nothing(api: Http, server: ApiServer) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    status, dry = api.apply("/api/v1/namespaces/default/configmaps/c", cm, dryRun="All")
    assert status == 201 and dry["data"] == {"k": "v"}
    assert api("GET", "/api/v1/namespaces/default/configmaps/c")[0] == 404
    assert server.object("v1", "ConfigMap", "c", "default") is None


def test_conflict_names_field_and_manager_and_force_moves_ownership(api: Http) -> None:
    path = "/apis/apps/v1/namespaces/default/deployments/web"
    assert api.apply(path, DEPLOYMENT, "stackctl")[0] == 201
    theirs = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 5},
    }
    status, body = api.apply(path, theirs, "hpa")
    assert status == 409
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "stackctl" using apps/v1: .spec.replicas',
        "reason": "Conflict",
        "details": {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "stackctl" using apps/v1',
                    "field": ".spec.replicas",
                }
            ]
        },
        "code": 409,
    }
    same = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 1},
    }
    assert api.apply(path, same, "hpa")[0] == 200  # same value: shared ownership, no conflict

    status, forced = api.apply(path, theirs, "hpa", force="true")
    assert status == 200 and forced["spec"]["replicas"] == 5
    owners = {m["manager"]: m["fieldsV1"] for m in forced["metadata"]["managedFields"]}
    assert "f:replicas" in owners["hpa"]["f:spec"] and "f:replicas" not in owners["stackctl"]["f:spec"]

    status, body = api.apply(path, DEPLOYMENT, "stackctl")
    assert status == 409 and 'conflict with "hpa"' in body["message"]


def test_fields_an_applier_drops_are_removed_unless_someone_else_owns_them(api: Http) -> None:
    path = "/api/v1/namespaces/default/configmaps/c"

    def cm(**data: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}

    api.apply(path, cm(a="1", b="2", c="3"), "stackctl")
    api.apply(path, cm(c="3"), "other")
    _, live = api.apply(path, cm(a="1"), "stackctl")
    assert live["data"] == {"a": "1", "c": "3"}


def test_status_bodies_for_404_422_400(api: Http) -> None:
    status, body, _ = api("GET", "/apis/apps/v1/namespaces/default/deployments/nope")
    assert status == 404
    assert body["message"] == 'deployments.apps "nope" not found'
    assert body["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}

    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ghost"}}
    status, body = api.apply("/api/v1/namespaces/ghost/configmaps/c", cm)
    assert (status, body["reason"], body["message"]) == (404, "NotFound", 'namespaces "ghost" not found')

    bad = json.loads(json.dumps(DEPLOYMENT))
    bad["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    status, body = api.apply("/apis/apps/v1/namespaces/default/deployments/web", bad)
    assert status == 422 and body["reason"] == "Invalid"
    assert body["message"].startswith(
        'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value'
    )
    assert body["details"]["causes"][0]["field"] == "spec.template.metadata.labels"

    status, body = api.apply("/apis/apps/v1/namespaces/default/deployments/other", DEPLOYMENT)
    assert status == 400 and "does not match the name on the URL" in body["message"]


def test_faults_by_method_path_and_count(api: Http, server: ApiServer) -> None:
    fault = server.fault(method="GET", path="/configmaps", status=429, retry_after="2", times=2)
    for _ in range(2):
        status, body, headers = api("GET", "/api/v1/namespaces/default/configmaps")
        assert status == 429 and headers["Retry-After"] == "2" and body["reason"] == "TooManyRequests"
        assert body["details"] == {"retryAfterSeconds": 2}
    assert api("GET", "/api/v1/namespaces/default/configmaps")[0] == 200
    assert api("GET", "/api/v1")[0] == 200
    assert fault.hits == 2

    server.fault(path="/secrets", status=500)
    assert api("GET", "/api/v1/namespaces/default/secrets")[0] == 500
    assert api("GET", "/api/v1/namespaces/default/secrets")[0] == 200

    server.fault(path="/services", drop=True, status=None)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        api("GET", "/api/v1/namespaces/default/services")

    server.fault(path="/pods", delay=0.3, status=None)
    start = time.monotonic()
    assert api("GET", "/api/v1/namespaces/default/pods")[0] == 200
    assert time.monotonic() - start >= 0.3
    assert [r.status for r in server.requests if r.path.endswith("/services")] == [-1]


def test_deployment_becomes_available_and_backs_service_endpoints(api: Http) -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    api.apply("/api/v1/namespaces/default/services/web", svc)
    _, slices, _ = api("GET", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")
    assert [s["endpoints"] for s in slices["items"]] == [[]]
    api.apply("/apis/apps/v1/namespaces/default/deployments/web", DEPLOYMENT)
    _, dep, _ = api("GET", "/apis/apps/v1/namespaces/default/deployments/web")
    assert dep["status"]["availableReplicas"] == 1
    selector = "kubernetes.io/service-name=web"
    _, slices, _ = api(
        "GET", f"/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector={selector}"
    )
    assert slices["items"][0]["endpoints"][0]["conditions"]["ready"] is True


def test_kubectl_server_side_dry_run_apply_and_get(target: Target, namespace: str) -> None:
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": namespace},
        "data": {"mode": "test"},
    }
    path = target.tmp / "cm.yaml"
    path.write_text(yaml.safe_dump(manifest))
    proc = target.kubectl("apply", "--server-side", "--dry-run=server", "-f", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "configmap/settings serverside-applied (server dry run)\n"
    assert target.get("configmap", "settings", namespace) is None
    if target.server is not None:
        assert [r.dry_run for r in target.server.writes() if "configmaps" in r.path] == [True]

    proc = target.kubectl("apply", "--server-side", "-f", str(path))
    assert proc.returncode == 0, proc.stderr
    proc = target.kubectl("get", "configmap", "-n", namespace)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split()[0] == "NAME" and "settings" in proc.stdout
    live = target.get("configmap", "settings", namespace)
    assert live is not None and live["data"] == {"mode": "test"}
    assert [m["manager"] for m in live["metadata"]["managedFields"]] == ["kubectl"]
