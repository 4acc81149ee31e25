"""`stackctl apply --prune` / `diff --prune` over real HTTP: kubectl's ApplySet parent and member labels,
pruning exactly the members no longer rendered, never on a dry run or after a failed wave."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.conftest import Target
from tests.cluster.stacks import Stack, cleanup, new_stack

PARENT_NS = "kube-system"


@pytest.fixture
def stack(target: Target) -> Iterator[Stack]:
    stack = new_stack(target)
    yield stack
    cleanup(target, stack)


@pytest.fixture
def parent(target: Target) -> Iterator[str]:
    name = f"stackctl-test-{uuid.uuid4().hex[:8]}"
    yield name
    if target.real:
        target.kubectl("delete", "secret", name, "-n", PARENT_NS, "--ignore-not-found")


def expected_id(name: str) -> str:
    """KEP-3659 / kubectl: applyset-<base64url(sha256("<name>.<namespace>.<kind>.<group>")), unpadded>-v1."""
    digest = hashlib.sha256(f"{name}.{PARENT_NS}.Secret.".encode()).digest()
    return "applyset-" + base64.urlsafe_b64encode(digest).decode().rstrip("=") + "-v1"


def apply(target: Target, stack: Stack, parent: str, *extra: str) -> tuple[int, str, str]:
    proc = target.stackctl("apply", str(stack.write()), "--prune", "--applyset", parent, *extra)
    return proc.returncode, proc.stdout, proc.stderr


def test_first_apply_creates_the_parent_as_kubectl_reads_it(
    target: Target, stack: Stack, parent: str
) -> None:
    code, out, err = apply(target, stack, parent, "--wait", "--timeout", "60s")
    assert code == 0, err
    assert (
        out.splitlines()[-1]
        == "applied 6 (6 created, 0 configured), 0 unchanged, 0 failed, 0 skipped, 0 pruned"
    )
    # through the real kubectl
    proc = target.kubectl("get", "secret", parent, "-n", PARENT_NS, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    meta = json.loads(proc.stdout)["metadata"]
    applyset_id = expected_id(parent)
    assert meta["labels"] == {"applyset.kubernetes.io/id": applyset_id}
    annotations = meta["annotations"]
    assert annotations["applyset.kubernetes.io/tooling"].startswith("stackctl/")
    assert annotations["applyset.kubernetes.io/contains-group-kinds"] == ",".join(
        [
            "ConfigMap",
            "CustomResourceDefinition.apiextensions.k8s.io",
            "Deployment.apps",
            "Namespace",
            "Secret",
            f"Widget.{stack.group}",
        ]
    )
    assert annotations["applyset.kubernetes.io/additional-namespaces"] == stack.namespace
    for kind, name, ns in [
        ("configmap", "settings", stack.namespace),
        ("namespace", stack.namespace, ""),
        (f"widgets.{stack.group}", "w1", stack.namespace),
        ("crd", stack.crd_name, ""),
    ]:
        live = target.get(kind, name, ns)
        assert live is not None
        assert live["metadata"]["labels"]["applyset.kubernetes.io/part-of"] == applyset_id
    # the render itself is not labelled
    render = target.stackctl("render", str(stack.dir))
    assert render.returncode == 0, render.stderr
    assert "applyset.kubernetes.io" not in render.stdout


def test_prune_deletes_exactly_the_removed_member(target: Target, stack: Stack, parent: str) -> None:
    code, _, err = apply(target, stack, parent)
    assert code == 0, err
    other = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "not-a-member", "namespace": stack.namespace},
        "data": {"a": "b"},
    }
    proc = target.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(other))
    assert proc.returncode == 0, proc.stderr
    stack.include_config = False
    stack.write()

    diff = target.stackctl("diff", str(stack.dir), "--prune", "--applyset", parent)
    assert diff.returncode == 1, diff.stderr
    assert f"# ConfigMap/{stack.namespace}/settings: would prune (no longer rendered)\n" in diff.stdout
    assert f"diff -u -N LIVE/v1.ConfigMap.{stack.namespace}.settings MERGED/" in diff.stdout
    assert "not-a-member" not in diff.stdout
    assert diff.stdout.endswith("0 to create, 0 to change, 5 unchanged, 1 to prune\n")

    dry = target.stackctl("apply", str(stack.dir), "--prune", "--applyset", parent, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"ConfigMap/{stack.namespace}/settings pruned (server dry run)\n" in dry.stdout
    assert target.get("configmap", "settings", stack.namespace) is not None

    code, out, err = apply(target, stack, parent)
    assert code == 0, err
    assert f"ConfigMap/{stack.namespace}/settings pruned\n" in out
    assert out.splitlines()[-1].endswith(", 1 pruned")
    assert target.get("configmap", "settings", stack.namespace) is None
    assert target.get("configmap", "not-a-member", stack.namespace) is not None
    for kind, name, ns in [
        ("secret", "credentials", stack.namespace),
        ("deployment", "web", stack.namespace),
        (f"widgets.{stack.group}", "w1", stack.namespace),
        ("namespace", stack.namespace, ""),
        ("crd", stack.crd_name, ""),
    ]:
        assert target.get(kind, name, ns) is not None, (kind, name)
    backups = list(
        Path(target.tmp, ".stackctl", "backups").glob(f"*/v1.ConfigMap.{stack.namespace}.settings.yaml")
    )
    assert len(backups) == 1
    live = target.get("secret", parent, PARENT_NS)
    assert live is not None
    kinds = live["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"]
    assert "ConfigMap" not in kinds.split(",")

    again = target.stackctl("diff", str(stack.dir), "--prune", "--applyset", parent)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.endswith(", 0 to prune\n")


def test_dry_run_prune_sends_no_delete(target: Target, stack: Stack, parent: str) -> None:
    server = target.require_server()
    code, _, err = apply(target, stack, parent)
    assert code == 0, err
    stack.include_widget = False
    code, out, err = apply(target, stack, parent, "--dry-run")
    assert code == 0, err
    assert f"Widget.{stack.group}/{stack.namespace}/w1 pruned (server dry run)\n" in out
    assert not [r for r in server.requests if r.method == "DELETE"]
    assert server.object(f"{stack.group}/v1", "Widget", "w1", stack.namespace) is not None


def test_failed_wave_prunes_nothing(target: Target, stack: Stack, parent: str) -> None:
    server = target.require_server()
    code, _, err = apply(target, stack, parent)
    assert code == 0, err
    stack.include_config = False
    server.fault(method="PATCH", path="/deployments/", status=500, times=None)
    code, out, err = apply(target, stack, parent)
    assert code == 1
    assert not [line for line in out.splitlines()[:-1] if line.endswith(" pruned")]
    assert out.splitlines()[-1].endswith(", 0 pruned")
    assert not [r for r in server.requests if r.method == "DELETE"]
    assert server.object("v1", "ConfigMap", "settings", stack.namespace) is not None
