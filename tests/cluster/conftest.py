"""Cluster-test fixtures: one switch picks the target.

Unset `STACKCTL_TEST_KUBECONFIG`: every test gets its own API test server (tests/apiserver) on 127.0.0.1 and
a kubeconfig pointing at it. Set it to a kubeconfig file: the same tests run against that cluster, and the
ones that need the test server's powers (counting requests, injecting faults, reading its store) skip with
a message. Tests write only in namespaces they create (named `stackctl-test-<random>`) plus the cluster-scoped
objects of the stack under test, and delete what they created.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.apiserver import ApiServer

REPO = Path(__file__).resolve().parents[2]
STACKCTL = str(Path(sys.executable).with_name("stackctl"))
KUBECTL = str(Path(sys.executable).with_name("kubectl"))
REAL_KUBECONFIG = os.environ.get("STACKCTL_TEST_KUBECONFIG")


@dataclass
class Target:
    """Where cluster tests run: the test server (`server` set) or a real cluster."""

    kubeconfig: Path
    server: ApiServer | None
    tmp: Path

    @property
    def real(self) -> bool:
        return self.server is None

    def require_server(self) -> ApiServer:
        if self.server is None:
            pytest.skip("needs the API test server (counts requests, injects faults)")
        return self.server

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "NO_COLOR")}
        env.update({"NO_COLOR": "1", "COLUMNS": "100", "KUBECONFIG": str(self.kubeconfig)}, **extra)
        return env

    def stackctl(self, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [STACKCTL, *args],
            capture_output=True,
            text=True,
            cwd=cwd or self.tmp,
            env=self.env(**env),
            check=False,
            timeout=120,
        )

    def kubectl(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                KUBECTL,
                "--kubeconfig",
                str(self.kubeconfig),
                "--cache-dir",
                str(self.tmp / "kube-cache"),
                *args,
            ],
            capture_output=True,
            text=True,
            input=input,
            env=self.env(),
            check=False,
            timeout=120,
        )

    def get(self, kind: str, name: str, namespace: str = "") -> dict[str, Any] | None:
        ns = ["-n", namespace] if namespace else []
        proc = self.kubectl("get", kind, name, *ns, "-o", "json", "--show-managed-fields")
        if proc.returncode != 0:
            assert "NotFound" in proc.stderr, proc.stderr
            return None
        obj: dict[str, Any] = json.loads(proc.stdout)
        return obj


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    if REAL_KUBECONFIG:
        yield Target(Path(REAL_KUBECONFIG), None, tmp_path)
        return
    with ApiServer() as server:
        yield Target(server.write_kubeconfig(tmp_path / "kubeconfig"), server, tmp_path)


@pytest.fixture
def namespace(target: Target) -> Iterator[str]:
    """A fresh namespace, deleted afterwards."""
    name = f"stackctl-test-{uuid.uuid4().hex[:8]}"
    manifest = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    proc = target.kubectl("apply", "--server-side", "-f", "-", input=manifest)
    assert proc.returncode == 0, proc.stderr
    yield name
    target.kubectl("delete", "namespace", name, "--wait=false")
