"""`stackctl diff` over real HTTP: the API test server, or a real cluster (STACKCTL_TEST_KUBECONFIG)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.conftest import REPO, Target
from tests.cluster.stacks import Stack, cleanup, kubectl_apply, new_stack

DEV = str(REPO / "overlays" / "envs" / "dev")
DEV_OBJECTS = 142


@pytest.fixture
def stack(target: Target) -> Iterator[Stack]:
    stack = new_stack(target)
    yield stack
    cleanup(target, stack)


def _object_requests(target: Target) -> int:
    server = target.require_server()
    return len(server.resource_requests())


def test_empty_cluster_everything_to_create(target: Target) -> None:
    server = target.require_server()
    proc = target.stackctl("diff", DEV)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[-1] == f"{DEV_OBJECTS} to create (53 after their CRD or namespace), 0 to change, 0 unchanged"
    assert lines.count("diff -u -N LIVE/v1.Namespace..chat MERGED/v1.Namespace..chat") == 1
    assert (
        "# Certificate.cert-manager.io/istio-system/eco2-tls: would create after its "
        "CustomResourceDefinition certificates.cert-manager.io" in lines
    )
    assert (
        "# ServiceAccount/cert-manager/cert-manager: would create after its Namespace cert-manager" in lines
    )
    assert sum(line.startswith("diff -u -N ") for line in lines) == DEV_OBJECTS
    noise = re.compile(
        r"^[-+ ](status:|  (resourceVersion|uid|generation|creationTimestamp|managedFields):)", re.M
    )
    assert not noise.findall(proc.stdout)
    # at most GET + dry-run PATCH per object; nothing persisted
    assert _object_requests(target) <= 2 * DEV_OBJECTS
    writes = server.writes()
    assert writes and all(r.method == "PATCH" and r.dry_run for r in writes)
    assert (
        server.object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "certificates.cert-manager.io")
        is None
    )


def test_after_apply_nothing_differs(target: Target) -> None:
    server = target.require_server()
    rendered = target.tmp / "dev.yaml"
    render = target.stackctl("render", DEV)
    rendered.write_text(render.stdout)
    for _ in range(2):  # the second pass applies the custom resources, once their CRDs are served
        target.kubectl("apply", "--server-side", "--field-manager=stackctl", "-f", str(rendered))
    server.clear()
    proc = target.stackctl("diff", DEV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"0 to create, 0 to change, {DEV_OBJECTS} unchanged\n"
    assert _object_requests(target) == 2 * DEV_OBJECTS


def test_changed_field_shows_only_that(target: Target, stack: Stack) -> None:
    stack.write()
    kubectl_apply(target, stack)
    proc = target.stackctl("diff", str(stack.dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "0 to create, 0 to change, 6 unchanged\n"

    stack.config = {"mode": "green"}
    stack.replicas = 2
    stack.write()
    proc = target.stackctl("diff", str(stack.dir))
    assert proc.returncode == 1, proc.stderr
    ns = stack.namespace
    assert proc.stdout == (
        f"diff -u -N LIVE/v1.ConfigMap.{ns}.settings MERGED/v1.ConfigMap.{ns}.settings\n"
        f"--- LIVE/v1.ConfigMap.{ns}.settings\n"
        f"+++ MERGED/v1.ConfigMap.{ns}.settings\n"
        "@@ -1,6 +1,6 @@\n"
        " apiVersion: v1\n"
        " data:\n"
        "-  mode: blue\n"
        "+  mode: green\n"
        " kind: ConfigMap\n"
        " metadata:\n"
        "   name: settings\n"
        f"diff -u -N LIVE/apps.v1.Deployment.{ns}.web MERGED/apps.v1.Deployment.{ns}.web\n"
        f"--- LIVE/apps.v1.Deployment.{ns}.web\n"
        f"+++ MERGED/apps.v1.Deployment.{ns}.web\n"
        "@@ -6,7 +6,7 @@\n"
        f"   name: web\n"
        f"   namespace: {ns}\n"
        " spec:\n"
        "-  replicas: 1\n"
        "+  replicas: 2\n"
        "   selector:\n"
        "     matchLabels:\n"
        "       app: web\n"
        "0 to create, 2 to change, 4 unchanged\n"
    )


def test_secret_change_is_masked(target: Target, stack: Stack) -> None:
    stack.write()
    kubectl_apply(target, stack)
    stack.secret = {"password": "c3dvcmRmaXNo"}  # swordfish
    stack.write()
    proc = target.stackctl("diff", str(stack.dir))
    assert proc.returncode == 1, proc.stderr
    assert "-  password: '*** (before)'\n+  password: '*** (after)'\n" in proc.stdout
    for value in ("aHVudGVyMg==", "c3dvcmRmaXNo", "hunter2", "swordfish"):
        assert value not in proc.stdout + proc.stderr
    shown = target.stackctl("diff", str(stack.dir), "--show-secrets")
    assert "-  password: aHVudGVyMg==\n+  password: c3dvcmRmaXNo\n" in shown.stdout


def test_custom_resource_before_its_crd(target: Target, stack: Stack) -> None:
    stack.write()
    proc = target.stackctl("diff", str(stack.dir), "-o", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    widget = next(o for o in doc["objects"] if o["kind"] == "Widget")
    assert widget["action"] == "create"
    assert widget["waitsFor"] == f"CustomResourceDefinition {stack.crd_name}"
    assert widget["diff"].startswith(f"diff -u -N LIVE/{stack.group}.v1.Widget.{stack.namespace}.w1 ")
    assert doc["summary"] == {"create": 6, "change": 0, "unchanged": 0, "waiting": 4}
    assert doc["errors"] == []
    text = target.stackctl("diff", str(stack.dir)).stdout
    assert (
        f"# Widget.{stack.group}/{stack.namespace}/w1: would create after its CustomResourceDefinition "
        f"{stack.crd_name}\n" in text
    )
    if target.server is not None:
        assert not [r for r in target.server.requests if r.path.endswith("/widgets/w1")]


def test_errors_exit_above_one_and_other_objects_still_diff(
    target: Target, stack: Stack, namespace: str
) -> None:
    stack.include_namespace = False  # everything goes to an existing namespace instead
    stack.namespace = namespace
    bad = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "broken", "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": {"app": "a"}},
            "template": {
                "metadata": {"labels": {"app": "b"}},
                "spec": {"containers": [{"name": "c", "image": "x"}]},
            },
        },
    }
    stack.extra = [bad]
    stack.include_widget = False
    stack.include_crd = False
    stack.write()
    proc = target.stackctl("diff", str(stack.dir))
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        f'error: Deployment.apps/{namespace}/broken: Deployment.apps "broken" is invalid: '
    )
    assert "spec.template.metadata.labels" in proc.stderr
    assert f"LIVE/v1.ConfigMap.{namespace}.settings" in proc.stdout

    missing = target.stackctl("diff", str(stack.dir), "--kubeconfig", str(target.tmp / "nope"))
    assert missing.returncode == 2
    assert missing.stderr == f"error: --kubeconfig: kubeconfig file {target.tmp / 'nope'} not found\n"
    broken_path = target.stackctl("diff", str(target.tmp / "no-such-dir"))
    assert broken_path.returncode == 2 and broken_path.stdout == ""


def test_unknown_kind_is_an_error(target: Target, stack: Stack) -> None:
    stack.include_crd = False
    stack.write()
    proc = target.stackctl("diff", str(stack.dir))
    assert proc.returncode == 2
    assert (
        f'error: Widget.{stack.group}/{stack.namespace}/w1: no matches for kind "Widget" in version'
        in proc.stderr
    )


def test_color(target: Target, stack: Stack) -> None:
    stack.write()
    always = target.stackctl("diff", str(stack.dir), "--color", "always")
    assert "\x1b[32m+apiVersion: v1\n\x1b[0m" in always.stdout
    never = target.stackctl("diff", str(stack.dir), "--color", "never")
    assert "\x1b[" not in never.stdout
    auto = target.stackctl("diff", str(stack.dir))  # not a terminal
    assert "\x1b[" not in auto.stdout


def test_request_count_per_object(target: Target, stack: Stack, tmp_path: Path) -> None:
    server = target.require_server()
    stack.write()
    kubectl_apply(target, stack)
    server.clear()
    proc = target.stackctl("diff", str(stack.dir))
    assert proc.returncode == 0, proc.stderr
    objects = server.resource_requests()
    assert len(objects) == 2 * 6
    assert sorted({r.method for r in objects}) == ["GET", "PATCH"]
    discovery = [r.path for r in server.requests if r.is_discovery]
    assert sorted(discovery) == sorted(
        ["/api/v1", "/apis/apiextensions.k8s.io/v1", "/apis/apps/v1", f"/apis/{stack.group}/v1"]
    )
