"""`stackctl apply` over real HTTP: order, waits, dry run, backups, conflicts, faults, no secret in output."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.apiserver import ApiServer
from tests.cluster.conftest import REPO, STACKCTL, Target
from tests.cluster.stacks import Stack, cleanup, new_stack

DEV = str(REPO / "overlays" / "envs" / "dev")
DEV_OBJECTS = 142
SECRET_VALUES = ("aHVudGVyMg==", "hunter2", "c3dvcmRmaXNo", "swordfish")


@pytest.fixture
def stack(target: Target) -> Iterator[Stack]:
    stack = new_stack(target)
    yield stack
    cleanup(target, stack)


def _no_secrets(*texts: str) -> None:
    for text in texts:
        for value in SECRET_VALUES:
            assert value not in text


def test_apply_dev_stack_in_waves_then_nothing_differs(target: Target) -> None:
    server = target.require_server()
    proc = target.stackctl("apply", DEV, "--wait", "--timeout", "60s")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert (
        lines[-1]
        == f"applied {DEV_OBJECTS} ({DEV_OBJECTS} created, 0 configured), 0 unchanged, 0 failed, 0 skipped"
    )
    assert len(lines) == DEV_OBJECTS + 1 and all(line.endswith(" created") for line in lines[:-1])
    assert lines[0] == "Namespace/cert-manager created"
    assert lines[-2] == "Certificate.cert-manager.io/istio-system/eco2-tls created"
    assert proc.stderr.startswith("wave 1/9 namespaces: 9 objects\n")
    assert "wave 2/9 crds: 30 objects\n  30 created in " in proc.stderr
    assert "  waiting (established): 30/30 ready\n" in proc.stderr
    assert "  waiting (endpoints): 2/2 ready\n" in proc.stderr
    assert "wave 9/9 resources.3: 1 objects\n" in proc.stderr

    # order at the server: every CRD before any custom resource, webhooks before custom resources
    writes = [r.path for r in server.writes()]
    last_crd = max(i for i, p in enumerate(writes) if "/customresourcedefinitions/" in p)
    first_cr = min(i for i, p in enumerate(writes) if p.startswith("/apis/cert-manager.io/"))
    last_webhook = max(i for i, p in enumerate(writes) if "webhookconfigurations/" in p)
    assert last_crd < last_webhook < first_cr
    issuer = writes.index("/apis/cert-manager.io/v1/clusterissuers/letsencrypt-staging")
    certificate = writes.index("/apis/cert-manager.io/v1/namespaces/istio-system/certificates/eco2-tls")
    store = writes.index("/apis/external-secrets.io/v1/clustersecretstores/aws-ssm-store")
    route53 = writes.index(
        "/apis/external-secrets.io/v1/namespaces/cert-manager/externalsecrets/route53-credentials"
    )
    assert store < route53 < issuer < certificate
    assert not any(r.dry_run for r in server.writes() if r.status == 201)

    diff = target.stackctl("diff", DEV)
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert diff.stdout == f"0 to create, 0 to change, {DEV_OBJECTS} unchanged\n"
    again = target.stackctl("apply", DEV)
    assert again.returncode == 0
    assert (
        again.stdout.splitlines()[-1]
        == f"applied 0 (0 created, 0 configured), {DEV_OBJECTS} unchanged, 0 failed, 0 skipped"
    )
    assert not (target.tmp / ".stackctl").exists()  # nothing changed: nothing backed up


def test_dry_run_persists_nothing(target: Target) -> None:
    server = target.require_server()
    before = len(server.store.objects)
    proc = target.stackctl("apply", DEV, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == (
        "applied 89 (89 created, 0 configured), 0 unchanged, 0 failed, 53 skipped (server dry run)"
    )
    assert "Namespace/chat created (server dry run)\n" in proc.stdout
    assert (
        "skipped Certificate.cert-manager.io/istio-system/eco2-tls: would create after its "
        "CustomResourceDefinition certificates.cert-manager.io\n" in proc.stderr
    )
    writes = server.writes()
    assert len(writes) == 89 and all(r.method == "PATCH" and r.dry_run for r in writes)
    assert len(server.store.objects) == before
    assert not (target.tmp / ".stackctl").exists()


def test_waits_for_crds_rollouts_and_webhook_endpoints(tmp_path: Path) -> None:
    with ApiServer(establish_delay=0.6, rollout_delay=0.6, operands_ready=0.2) as server:
        target = Target(server.write_kubeconfig(tmp_path / "kubeconfig"), server, tmp_path)
        start = time.monotonic()
        proc = target.stackctl("apply", DEV, "--wait", "--timeout", "30s")
        assert proc.returncode == 0, proc.stderr
        assert time.monotonic() - start < 20
        # stackctl waited (some not ready at the first look: how many depends on the machine's speed), then
        # saw all of them ready
        for what, total in (("established", 30), ("available", 9)):
            counts = [
                int(m.group(1))
                for m in re.finditer(rf"^  waiting \({what}\): (\d+)/{total} ready$", proc.stderr, re.M)
            ]
            assert counts and counts[0] < total and counts[-1] == total, (what, proc.stderr)
        # the first custom resource is written after the last endpoints check that found them ready
        requests = server.requests
        first_cr = min(
            i for i, r in enumerate(requests) if r.method == "PATCH" and "/apis/cert-manager.io/" in r.path
        )
        slices = [i for i, r in enumerate(requests) if "endpointslices" in r.path]
        assert slices and max(slices) < first_cr


def test_wait_timeout_stops_and_names_what_is_not_ready(tmp_path: Path) -> None:
    with ApiServer(operands_ready=None) as server:  # no operators: custom resources never get a status
        target = Target(server.write_kubeconfig(tmp_path / "kubeconfig"), server, tmp_path)
        proc = target.stackctl("apply", DEV, "--wait", "--timeout", "2s")
        assert proc.returncode == 1
        assert "error: stopped at wave resources: 4 of 8 not ready: " in proc.stderr
        assert (
            "Prometheus.monitoring.coreos.com/prometheus/main: progressing"
            " (waiting for condition Available, Reconciled)" in proc.stderr
        )
        assert "8 objects of later waves not applied" in proc.stderr
        assert (
            proc.stdout.splitlines()[-1]
            == "applied 134 (134 created, 0 configured), 0 unchanged, 0 failed, 8 skipped"
        )


def test_500_mid_wave_is_retried(target: Target, stack: Stack) -> None:
    server = target.require_server()
    stack.write()
    server.fault(method="PATCH", path="/configmaps/settings", status=500, dry_run=False)
    proc = target.stackctl("apply", str(stack.dir))
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.splitlines()[-1]
        == "applied 6 (6 created, 0 configured), 0 unchanged, 0 failed, 0 skipped"
    )
    assert [
        r.status for r in server.requests if r.method == "PATCH" and r.path.endswith("/configmaps/settings")
    ] == [
        500,
        201,
    ]


def test_persistent_failure_stops_later_waves_and_reports_what_was_applied(
    target: Target, stack: Stack
) -> None:
    server = target.require_server()
    stack.write()
    server.fault(method="PATCH", path="/deployments/", status=500, times=None)
    proc = target.stackctl("apply", str(stack.dir))
    assert proc.returncode == 1
    ns = stack.namespace
    assert proc.stdout == (
        f"Namespace/{ns} created\n"
        f"CustomResourceDefinition.apiextensions.k8s.io/{stack.crd_name} created\n"
        f"Secret/{ns}/credentials created\n"
        f"ConfigMap/{ns}/settings created\n"
        "applied 4 (4 created, 0 configured), 0 unchanged, 1 failed, 1 skipped\n"
    )
    assert f"error: Deployment.apps/{ns}/web: HTTP 500 InternalError: " in proc.stderr
    assert (
        "error: stopped at wave workloads: 1 object(s) failed in wave workloads; "
        "1 objects of later waves not applied\n" in proc.stderr
    )
    assert not [r for r in server.requests if "/widgets/" in r.path]
    assert server.object(f"{stack.group}/v1", "Widget", "w1", ns) is None
    assert server.object("v1", "ConfigMap", "settings", ns) is not None
    _no_secrets(proc.stdout, proc.stderr)


def test_changed_objects_are_backed_up_first(target: Target, stack: Stack) -> None:
    stack.write()
    assert target.stackctl("apply", str(stack.dir)).returncode == 0
    stack.config = {"mode": "green"}
    stack.secret = {"password": "c3dvcmRmaXNo"}
    stack.write()
    proc = target.stackctl("apply", str(stack.dir), "-o", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"] == {
        "applied": 2,
        "created": 0,
        "configured": 2,
        "unchanged": 4,
        "failed": 0,
        "skipped": 0,
    }
    backup = Path(doc["backupDir"])
    assert backup.parent == Path(".stackctl/backups")
    folder = target.tmp / backup
    ns = stack.namespace
    assert sorted(p.name for p in folder.iterdir()) == [
        f"v1.ConfigMap.{ns}.settings.yaml",
        f"v1.Secret.{ns}.credentials.yaml",
    ]
    saved = yaml.safe_load((folder / f"v1.ConfigMap.{ns}.settings.yaml").read_text())
    assert saved["data"] == {"mode": "blue"} and saved["metadata"]["uid"]
    secret_file = folder / f"v1.Secret.{ns}.credentials.yaml"
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert f"backed up the live objects that changed to {backup}" in proc.stderr
    _no_secrets(proc.stdout, proc.stderr)

    stack.config = {"mode": "red"}
    stack.write()
    proc = target.stackctl("apply", str(stack.dir), "--no-backup")
    assert proc.returncode == 0
    assert len(list((target.tmp / ".stackctl" / "backups").iterdir())) == 1


def test_conflicts_name_field_and_manager_and_force_takes_over(target: Target, stack: Stack) -> None:
    stack.write()
    assert target.stackctl("apply", str(stack.dir), "--field-manager", "platform").returncode == 0
    stack.replicas = 3
    stack.write()
    proc = target.stackctl("apply", str(stack.dir), "--field-manager", "hpa")
    assert proc.returncode == 1
    ns = stack.namespace
    assert (
        f'error: Deployment.apps/{ns}/web: apply conflict on .spec.replicas (owned by "platform") '
        "(hint: rerun with --force-conflicts to take these fields over, or stop setting them)" in proc.stderr
    )
    assert "1 failed, 1 skipped" in proc.stdout
    proc = target.stackctl("apply", str(stack.dir), "--field-manager", "hpa", "--force-conflicts")
    assert proc.returncode == 0, proc.stderr
    live = target.get("deployment", "web", ns)
    assert live is not None and live["spec"]["replicas"] == 3
    managers = {m["manager"] for m in live["metadata"]["managedFields"]}
    assert {"platform", "hpa"} <= managers


def test_secret_errors_never_print_values(target: Target, stack: Stack) -> None:
    stack.include_widget = False
    bad = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "Bad_Secret", "namespace": stack.namespace},
        "stringData": {"token": "swordfish"},
    }
    stack.extra = [bad]
    stack.write()
    proc = target.stackctl("apply", str(stack.dir))
    assert proc.returncode == 1
    assert f"error: Secret/{stack.namespace}/Bad_Secret: the Secret is invalid: metadata.name" in proc.stderr
    _no_secrets(proc.stdout, proc.stderr)
    diff = target.stackctl("diff", str(stack.dir), "-o", "json")
    _no_secrets(diff.stdout, diff.stderr)


def test_concurrency_overlaps_requests(target: Target, stack: Stack) -> None:
    server = target.require_server()
    stack.extra = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"cm-{i}", "namespace": stack.namespace},
        }
        for i in range(15)
    ]
    stack.write()
    assert target.stackctl("apply", str(stack.dir)).returncode == 0
    peaks = {}
    for concurrency in ("1", "8"):
        server.clear()
        # 16 ConfigMap GETs held 0.1 s each: with 8 workers several are in the server at once
        server.fault(method="GET", path="/configmaps/", status=None, delay=0.1, times=None)
        proc = target.stackctl("apply", str(stack.dir), "--dry-run", "--concurrency", concurrency)
        assert proc.returncode == 0, proc.stderr
        peaks[concurrency] = server.peak_in_flight
    assert peaks["1"] == 1 and peaks["8"] > 1, peaks


def test_ctrl_c_mid_wave_stops_cleanly_and_reports_what_was_applied(target: Target, stack: Stack) -> None:
    server = target.require_server()
    stack.write()
    # The Deployment's apply hangs for a while: Ctrl-C arrives while the workloads wave is in flight.
    server.fault(method="PATCH", path="/deployments/", status=None, delay=1.5, dry_run=False)
    proc = subprocess.Popen(
        [STACKCTL, "apply", str(stack.dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=target.tmp,
        env=target.env(),
    )
    deadline = time.monotonic() + 20
    while not any(r.method == "PATCH" and "/deployments/" in r.path for r in server.requests):
        assert time.monotonic() < deadline, "the apply never reached the workloads wave"
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    ns = stack.namespace
    # the request in flight finished and is reported; the later wave was never sent
    assert f"Deployment.apps/{ns}/web created\n" in out
    assert out.endswith("0 failed, 1 skipped\n")
    assert "error: stopped at wave workloads: interrupted (Ctrl-C)" in err
    assert not [r for r in server.requests if "/widgets/" in r.path]
    _no_secrets(out, err)
