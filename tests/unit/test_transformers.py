"""The builtin transformers against the real kustomize: the same tree built both ways, compared as data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from stackctl.errors import KustomizeError
from stackctl.kustomize import transformers as t
from stackctl.kustomize.resource import Resource
from tests.refkustomize import kustomize_build

Transform = Callable[[list[Resource]], None]


def _key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (
        str(obj.get("apiVersion")),
        str(obj.get("kind")),
        str(meta.get("namespace")),
        str(meta.get("name")),
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _load(text: str) -> list[Resource]:
    return [Resource(doc, origin="r.yaml") for doc in yaml.safe_load_all(text) if doc]


def _expected(root: Path) -> list[dict[str, Any]]:
    built = kustomize_build(root)
    assert built.returncode == 0, built.stderr
    return sorted((d for d in yaml.safe_load_all(built.stdout) if d is not None), key=_key)


def check(tmp_path: Path, kustomization: str, resources: str, transform: Transform) -> list[Resource]:
    """Build `resources` with `kustomization` in kustomize and through `transform`; the results must agree."""
    _write(tmp_path, {"kustomization.yaml": kustomization + "\nresources: [r.yaml]\n", "r.yaml": resources})
    expected = _expected(tmp_path)
    res = _load(resources)
    transform(res)
    assert sorted((r.obj for r in res), key=_key) == expected
    return res


def kustomize_error(tmp_path: Path, kustomization: str, resources: str) -> str:
    _write(tmp_path, {"kustomization.yaml": kustomization + "\nresources: [r.yaml]\n", "r.yaml": resources})
    built = kustomize_build(tmp_path)
    assert built.returncode != 0, built.stdout
    return built.stderr


WORKLOADS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: dep, labels: {keep: me}}
spec:
  selector: {matchLabels: {old: sel}}
  template:
    metadata: {labels: {old: tpl}}
    spec:
      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {a: b}}
          - topologyKey: zone
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - podAffinityTerm: {labelSelector: {matchLabels: {}}}
      topologySpreadConstraints:
      - labelSelector: {matchLabels: {x: y}}
      - maxSkew: 1
      containers:
      - {name: c, image: nginx}
      - {name: d, image: "registry.local:5000/team/nginx:1.0"}
      initContainers:
      - {name: i, image: "nginx@sha256:aaaa"}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sts}
spec:
  template: {spec: {containers: [{name: c, image: "nginx:1.0@sha256:bbbb"}]}}
  volumeClaimTemplates:
  - metadata: {name: data}
  - metadata: {name: logs, labels: {kind: logs}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec: {}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec: {selector: {old: rc}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec: {template: {spec: {containers: [{name: c, image: busybox}]}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job2}
spec: {selector: {matchLabels: {controller-uid: x}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron}
spec:
  jobTemplate:
    spec:
      selector: {matchLabels: {a: b}}
      template: {spec: {containers: [{name: c, image: "docker.io/library/nginx:1"}]}}
---
apiVersion: v1
kind: Pod
metadata: {name: pod}
spec:
  containers: [{name: c, image: nginx}]
  volumes: [{name: v, image: {reference: "nginx:2"}}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: other}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: headless}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {selector: {matchLabels: {app: a}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb2}
spec: {minAvailable: 1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec:
  podSelector: {}
  ingress:
  - from: [{podSelector: {matchLabels: {}}}, {namespaceSelector: {}}]
  egress:
  - to: [{podSelector: {}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {a: b}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: cr}
spec:
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {}}, spec: {containers: [{name: c, image: nginx}]}}
  nested: {deep: {initContainers: [{image: nginx}], containers: "not a list"}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  conversion:
    strategy: Webhook
    webhook: {clientConfig: {service: {name: conv, namespace: old}}}
  versions: [{name: v1, schema: {openAPIV3Schema: {properties: {containers: [{image: nginx}]}}}}]
---
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
subjects:
- {kind: ServiceAccount, name: default, namespace: elsewhere}
- {kind: ServiceAccount, name: default}
- {kind: ServiceAccount, name: app, namespace: elsewhere}
- {kind: ServiceAccount, name: app}
- {kind: User, name: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
subjects:
- {kind: ServiceAccount, name: default, namespace: x}
- {kind: Group, name: devs}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec: {group: example.com}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
- {name: w, clientConfig: {service: {name: hook, namespace: hooks}}}
"""


def test_namespace(tmp_path: Path) -> None:
    res = check(tmp_path, "namespace: prod", WORKLOADS, lambda rs: t.set_namespace(rs, "prod"))
    svc = next(r for r in res if r.name == "svc")
    assert [str(i) for i in svc.prev_ids] == ["~G_v1_Service|other|svc"]


def test_name_prefix_suffix(tmp_path: Path) -> None:
    res = check(
        tmp_path,
        "namePrefix: p-\nnameSuffix: -s",
        WORKLOADS,
        lambda rs: t.add_name_prefix_suffix(rs, "p-", "-s"),
    )
    dep = next(r for r in res if r.kind == "Deployment")
    assert (dep.prefixes, dep.suffixes) == (["p-"], ["-s"])
    assert [i.name for i in dep.prev_ids] == ["dep", "p-dep"]


def test_common_labels(tmp_path: Path) -> None:
    labels = {"app": "web", "tier": "1"}
    check(
        tmp_path,
        "commonLabels: {app: web, tier: '1'}",
        WORKLOADS,
        lambda rs: t.add_labels(rs, labels, include_selectors=True, include_templates=True),
    )


@pytest.mark.parametrize(
    ("entry", "selectors", "templates", "fields"),
    [
        ("{pairs: {app: web}}", False, False, None),
        ("{pairs: {app: web}, includeTemplates: true}", False, True, None),
        ("{pairs: {app: web}, includeSelectors: true}", True, False, None),
        (
            "{pairs: {app: web}, fields: [{kind: Widget, path: spec/template/metadata/labels, create: on}]}",
            False,
            False,
            [{"kind": "Widget", "path": "spec/template/metadata/labels", "create": True}],
        ),
    ],
)
def test_labels_entry(
    tmp_path: Path, entry: str, selectors: bool, templates: bool, fields: list[dict[str, Any]] | None
) -> None:
    check(
        tmp_path,
        f"labels:\n- {entry}",
        WORKLOADS,
        lambda rs: t.add_labels(
            rs, {"app": "web"}, include_selectors=selectors, include_templates=templates, fields=fields
        ),
    )


def test_common_annotations(tmp_path: Path) -> None:
    check(
        tmp_path,
        "commonAnnotations: {note: hello, num: '5'}",
        WORKLOADS,
        lambda rs: t.add_annotations(rs, {"note": "hello", "num": "5"}),
    )


IMAGES = [
    {"name": "nginx", "newTag": "1.25"},
    {"name": "busybox", "newName": "mirror.io/busybox", "digest": "sha256:cccc"},
    {"name": "registry.local:5000/team/nginx", "newName": "other/nginx"},
    {"name": "docker.io/library/nginx", "newTag": "2", "digest": "sha256:dddd"},
]


def test_images(tmp_path: Path) -> None:
    check(
        tmp_path,
        "images: " + yaml.safe_dump(IMAGES, default_flow_style=True),
        WORKLOADS,
        lambda rs: t.set_images(rs, IMAGES, file="kustomization.yaml"),
    )


def test_replicas(tmp_path: Path) -> None:
    replicas = [{"name": "dep", "count": 3}, {"name": "sts", "count": 0}, {"name": "rc", "count": 2}]
    check(
        tmp_path,
        "replicas: " + yaml.safe_dump(replicas, default_flow_style=True),
        WORKLOADS,
        lambda rs: t.set_replicas(rs, replicas, file="kustomization.yaml"),
    )


def test_replicas_without_match_fails(tmp_path: Path) -> None:
    err = kustomize_error(tmp_path, "replicas: [{name: nope, count: 1}]", WORKLOADS)
    assert "resource with name nope does not match a config with the following GVK" in err
    with pytest.raises(KustomizeError, match="resource with name nope does not match"):
        t.set_replicas(_load(WORKLOADS), [{"name": "nope", "count": 1}], file="kustomization.yaml")
