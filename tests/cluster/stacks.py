"""Small kustomizations for cluster tests: a namespace, a CRD with one custom resource, a ConfigMap, a Secret
and a Deployment, with names unique to the test so that the same tests can run on a shared real cluster."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.cluster.conftest import Target


@dataclass
class Stack:
    dir: Path
    namespace: str
    group: str
    config: dict[str, str] = field(default_factory=lambda: {"mode": "blue"})
    secret: dict[str, str] = field(default_factory=lambda: {"password": "aHVudGVyMg=="})  # hunter2
    replicas: int = 1
    widget_size: int = 1
    include_crd: bool = True
    include_widget: bool = True
    include_namespace: bool = True
    include_config: bool = True
    extra: list[dict[str, Any]] = field(default_factory=list)

    @property
    def crd_name(self) -> str:
        return f"widgets.{self.group}"

    def objects(self) -> list[dict[str, Any]]:
        ns = self.namespace
        out: list[dict[str, Any]] = []
        if self.include_namespace:
            out.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        if self.include_crd:
            out.append(
                {
                    "apiVersion": "apiextensions.k8s.io/v1",
                    "kind": "CustomResourceDefinition",
                    "metadata": {"name": self.crd_name},
                    "spec": {
                        "group": self.group,
                        "names": {
                            "plural": "widgets",
                            "singular": "widget",
                            "kind": "Widget",
                            "listKind": "WidgetList",
                        },
                        "scope": "Namespaced",
                        "versions": [
                            {
                                "name": "v1",
                                "served": True,
                                "storage": True,
                                "schema": {
                                    "openAPIV3Schema": {
                                        "type": "object",
                                        "properties": {
                                            "spec": {
                                                "type": "object",
                                                "properties": {"size": {"type": "integer"}},
                                            }
                                        },
                                    }
                                },
                            }
                        ],
                    },
                }
            )
        if self.include_config:
            out.append(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "settings", "namespace": ns},
                    "data": self.config,
                }
            )
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "credentials", "namespace": ns},
                "type": "Opaque",
                "data": self.secret,
            }
        )
        out.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "namespace": ns, "labels": {"app": "web"}},
                "spec": {
                    "replicas": self.replicas,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.10"}]},
                    },
                },
            }
        )
        if self.include_widget:
            out.append(
                {
                    "apiVersion": f"{self.group}/v1",
                    "kind": "Widget",
                    "metadata": {"name": "w1", "namespace": ns},
                    "spec": {"size": self.widget_size},
                }
            )
        return out + self.extra

    def write(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "objects.yaml").write_text(yaml.safe_dump_all(self.objects(), sort_keys=False))
        (self.dir / "kustomization.yaml").write_text("resources:\n- objects.yaml\n")
        return self.dir


def new_stack(target: Target) -> Stack:
    tag = uuid.uuid4().hex[:8]
    return Stack(target.tmp / f"stack-{tag}", f"stackctl-test-{tag}", f"t{tag}.stackctl.example.com")


def kubectl_apply(target: Target, stack: Stack) -> None:
    """Seed the cluster as stackctl's field manager would, with kubectl (CRDs first, then the rest)."""
    objs = stack.objects()
    first = [o for o in objs if o["kind"] in ("Namespace", "CustomResourceDefinition")]
    rest = [o for o in objs if o not in first]
    for batch in (first, rest):
        if not batch:
            continue
        doc = yaml.safe_dump_all(batch)  # not a v1 List: kubectl validates Lists client-side (OpenAPI v2)
        proc = target.kubectl("apply", "--server-side", "--field-manager=stackctl", "-f", "-", input=doc)
        assert proc.returncode == 0, proc.stderr
        if batch is first and stack.include_crd:
            proc = target.kubectl(
                "wait", "--for=condition=Established", f"crd/{stack.crd_name}", "--timeout=60s"
            )
            assert proc.returncode == 0, proc.stderr


def cleanup(target: Target, stack: Stack) -> None:
    if target.real:
        target.kubectl("delete", "namespace", stack.namespace, "--ignore-not-found", "--wait=false")
        target.kubectl("delete", "crd", stack.crd_name, "--ignore-not-found", "--wait=false")
