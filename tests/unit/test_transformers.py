"""The builtin transformers against the real kustomize: the same tree built both ways, compared as data.

Inputs and kustomize's output are read with stackctl.yamlio (kustomize's scalar resolution) and compared
with types: a label "1" is not a replica count 1.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stackctl import yamlio
from stackctl.errors import KustomizeError
from stackctl.kustomize import smp
from stackctl.kustomize import transformers as t
from stackctl.kustomize.resource import Resource
from tests.refkustomize import kustomize_build

Transform = Callable[[list[Resource]], None]


class _LinkedResource(Resource):
    """A Resource with the `links` list the engine's Resource is to carry."""


def resource(doc: dict[str, Any]) -> Resource:
    r = Resource(doc, origin="r.yaml")
    if not hasattr(r, "links"):
        r = _LinkedResource(doc, origin="r.yaml")
        r.__dict__["links"] = []
    return r


def strict(value: Any) -> Any:
    """Data with every scalar tagged by its type, so that 1, 1.0, True and "1" all differ."""
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict(v) for v in value]
    return (type(value).__name__, value)


def _key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (
        str(obj.get("apiVersion")),
        str(obj.get("kind")),
        str(meta.get("namespace")),
        str(meta.get("name")),
    )


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def load(text: str) -> list[Resource]:
    return [resource(doc) for doc in yamlio.load_documents(text, source="r.yaml")]


def built(root: Path) -> list[Any]:
    out = kustomize_build(root)
    assert out.returncode == 0, out.stderr
    result: list[Any] = strict(sorted(yamlio.load_documents(out.stdout, source="kustomize"), key=_key))
    return result


def same(res: list[Resource], expected: list[Any]) -> None:
    assert strict(sorted((r.obj for r in res), key=_key)) == expected


def check(tmp_path: Path, kustomization: str, resources: str, transform: Transform) -> list[Resource]:
    """Build `resources` with `kustomization` in kustomize and through `transform`; the results must agree."""
    write(tmp_path, {"kustomization.yaml": kustomization + "\nresources: [r.yaml]\n", "r.yaml": resources})
    expected = built(tmp_path)
    res = load(resources)
    transform(res)
    same(res, expected)
    return res


def kustomize_error(tmp_path: Path, kustomization: str, resources: str) -> str:
    write(tmp_path, {"kustomization.yaml": kustomization + "\nresources: [r.yaml]\n", "r.yaml": resources})
    out = kustomize_build(tmp_path)
    assert out.returncode != 0, out.stdout
    return out.stderr


def check_error(
    tmp_path: Path, kustomization: str, resources: str, transform: Transform, message: str
) -> None:
    """kustomize fails on this tree with `message`, and so does `transform`."""
    assert message in kustomize_error(tmp_path, kustomization, resources)
    with pytest.raises(KustomizeError) as info:
        transform(load(resources))
    assert message in str(info.value)


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
          - labelSelector: {matchLabels: null}
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
spec: {template: null}
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
  volumes: [{name: v, image: {reference: "nginx:2"}}, {name: e, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: other}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: headless}
spec: null
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
metadata: {name: cm, namespace: null, labels: null}
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
apiVersion: example.com/v1
kind: Deployment
metadata: {name: fake-deployment}
spec: {replicas: 1}
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
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  conversion: {webhook: {clientConfig: {service: {name: conv, namespace: null}}}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
apiVersion: v2
kind: Namespace
metadata: {name: ns2}
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
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb-null}
subjects: null
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec: {group: example.com}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.other.com}
spec: {service: null}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
- {name: w, clientConfig: {service: {name: hook, namespace: hooks}}}
"""


# -- namespace ---------------------------------------------------------------------------------------------


def test_namespace(tmp_path: Path) -> None:
    res = check(tmp_path, "namespace: prod", WORKLOADS, lambda rs: t.set_namespace(rs, "prod"))
    by_name = {r.name: r for r in res}
    assert [str(i) for i in by_name["svc"].prev_ids] == ["~G_v1_Service|other|svc"]
    assert [str(i) for i in by_name["prod"].prev_ids] == ["~G_v1_Namespace|[noNs]|ns1"]
    assert [str(i) for i in by_name["cr1"].prev_ids] == [str(by_name["cr1"].id)]


def test_namespace_id_conflict(tmp_path: Path) -> None:
    docs = "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: a}}\n---\n" + (
        "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: b}}\n"
    )
    check_error(
        tmp_path,
        "namespace: prod",
        docs,
        lambda rs: t.set_namespace(rs, "prod"),
        "namespace transformation produces ID conflict",
    )


def test_namespace_on_a_map_fails(tmp_path: Path) -> None:
    check_error(
        tmp_path,
        "namespace: prod",
        "{apiVersion: apiregistration.k8s.io/v1, kind: APIService, metadata: {name: a},"
        " spec: {service: {namespace: {a: b}}}}",
        lambda rs: t.set_namespace(rs, "prod"),
        "namespace field specs must target scalar nodes",
    )


# -- namePrefix / nameSuffix -------------------------------------------------------------------------------


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
    crd = next(r for r in res if r.kind == "CustomResourceDefinition")
    assert (crd.prefixes, crd.prev_ids) == ([], [])


def test_name_prefix_suffix_in_base_and_overlay(tmp_path: Path) -> None:
    docs = "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}\n"
    write(
        tmp_path,
        {
            "base/kustomization.yaml": "namePrefix: b-\nnameSuffix: -b\nresources: [r.yaml]\n",
            "base/r.yaml": docs,
            "kustomization.yaml": "namePrefix: o-\nresources: [base]\n",
        },
    )
    expected = built(tmp_path)
    res = load(docs)
    t.add_name_prefix_suffix(res, "b-", "-b")
    t.add_name_prefix_suffix(res, "o-", "")
    same(res, expected)
    assert (res[0].prefixes, res[0].suffixes) == (["b-", "o-"], ["-b"])
    assert [i.name for i in res[0].prev_ids] == ["cm", "b-cm", "b-cm-b"]


# -- labels / annotations ----------------------------------------------------------------------------------


def test_common_labels(tmp_path: Path) -> None:
    labels = {"app": "web", "tier": "1", "keep": "overwritten"}
    check(
        tmp_path,
        "commonLabels: {app: web, tier: '1', keep: overwritten}",
        WORKLOADS,
        lambda rs: t.add_labels(rs, labels, include_selectors=True, include_templates=False),
    )


CUSTOM_FIELDS = [
    {"kind": "Widget", "path": "spec/template/metadata/labels", "create": True},
    {"group": "example.com", "path": "spec/made/up/labels", "create": True},
    {"kind": "Widget", "path": "spec/nested/deep/initContainers/labels", "create": True},
]


@pytest.mark.parametrize(
    ("entry", "selectors", "templates", "fields"),
    [
        ("{pairs: {app: web}}", False, False, None),
        ("{pairs: {app: web}, includeTemplates: true}", False, True, None),
        ("{pairs: {app: web}, includeSelectors: true}", True, False, None),
        ("{pairs: {app: web}, includeSelectors: true, includeTemplates: true}", True, True, None),
        ("{pairs: {app: web}, fields: " + json.dumps(CUSTOM_FIELDS) + "}", False, False, None),
        (
            "{pairs: {app: web}, includeTemplates: true,"
            " fields: [{kind: Deployment, path: metadata/labels, create: true}]}",
            False,
            True,
            [{"kind": "Deployment", "path": "metadata/labels", "create": True}],
        ),
    ],
)
def test_labels_entry(
    tmp_path: Path, entry: str, selectors: bool, templates: bool, fields: list[dict[str, Any]] | None
) -> None:
    if "made/up" in entry:
        fields = CUSTOM_FIELDS
    check(
        tmp_path,
        f"labels:\n- {entry}",
        WORKLOADS,
        lambda rs: t.add_labels(
            rs, {"app": "web"}, include_selectors=selectors, include_templates=templates, fields=fields
        ),
    )


def test_labels_conflicting_field_specs(tmp_path: Path) -> None:
    fields = [{"path": "metadata/labels", "kind": "Pod"}]
    assert "conflicting fieldspecs" in kustomize_error(
        tmp_path, "labels:\n- {pairs: {a: b}, fields: [{path: metadata/labels, kind: Pod}]}", WORKLOADS
    )
    with pytest.raises(KustomizeError, match="conflicting fieldspecs"):
        t.add_labels(
            load(WORKLOADS), {"a": "b"}, include_selectors=False, include_templates=False, fields=fields
        )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("spec: {selector: {matchLabels: x}}", "expected MappingNode but got ScalarNode"),
        ("spec: {selector: x}", "expected sequence or mapping node"),
        ("spec: {selector: [{matchLabels: {}}, x]}", "visit traversal on path: [matchLabels]"),
        ("metadata: {name: d, labels: [1]}", "expected MappingNode but got SequenceNode"),
    ],
)
def test_labels_on_wrong_node_kinds_fail(tmp_path: Path, doc: str, message: str) -> None:
    obj = yamlio.load_documents("{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}", source="x")[0]
    obj.update(yamlio.load_documents(doc, source="x")[0])
    check_error(
        tmp_path,
        "commonLabels: {app: x}",
        yamlio.dump_documents([obj]),
        lambda rs: t.add_labels(rs, {"app": "x"}, include_selectors=True, include_templates=False),
        message,
    )


def test_common_annotations(tmp_path: Path) -> None:
    check(
        tmp_path,
        "commonAnnotations: {note: hello, num: '5'}",
        WORKLOADS,
        lambda rs: t.add_annotations(rs, {"note": "hello", "num": "5"}),
    )


# -- shared nodes ------------------------------------------------------------------------------------------

SHARED_BASE = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {tier: orig}}
  template: {metadata: {labels: {x: "y"}}}
---
apiVersion: v1
kind: Service
metadata: {name: s, labels: {app: orig}}
spec: {selector: {}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
"""


def _patch(res: list[Resource], patch: str) -> None:
    """A strategic merge patch applied in place (as the engine does), then shared nodes synced."""
    doc = yamlio.load_documents(patch, source="patch")[0]
    for r in res:
        if r.kind == doc["kind"] and r.name == doc["metadata"]["name"]:
            smp.apply_smp(r.obj, doc, stringify_metadata=False)
            t.sync_links(r)


def test_labels_created_by_one_transformer_share_a_node(tmp_path: Path) -> None:
    """commonLabels/commonAnnotations in a base; in the overlay, writes through one map show in all maps
    where the base created the key (not where the key already existed)."""
    patch = (
        "{apiVersion: batch/v1, kind: CronJob, metadata: {name: c},"
        " spec: {jobTemplate: {metadata: {labels: {app: smp}, annotations: {note: smp}}}}}"
    )
    write(
        tmp_path,
        {
            "base/kustomization.yaml": (
                "commonLabels: {app: base, tier: t}\ncommonAnnotations: {note: base}\nresources: [r.yaml]\n"
            ),
            "base/r.yaml": SHARED_BASE,
            "mid/kustomization.yaml": "resources: [../base]\nnamespace: mid\nnamePrefix: m-\n",
            "kustomization.yaml": (
                f"resources: [mid]\nlabels:\n- pairs: {{app: ov, tier: ov}}\npatches:\n- patch: '{patch}'\n"
            ),
        },
    )
    expected = built(tmp_path)
    res = load(SHARED_BASE)
    t.add_labels(res, {"app": "base", "tier": "t"}, include_selectors=True, include_templates=False)
    t.add_annotations(res, {"note": "base"})
    t.set_namespace(res, "mid")
    t.add_name_prefix_suffix(res, "m-", "")
    _patch(res, patch.replace("name: c", "name: m-c"))
    t.add_labels(res, {"app": "ov", "tier": "ov"}, include_selectors=False, include_templates=False)
    same(res, expected)


def test_shared_node_written_by_annotations_and_smp(tmp_path: Path) -> None:
    patch = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, labels: {tier: smp}}}"
    write(
        tmp_path,
        {
            "base/kustomization.yaml": (
                "labels:\n- pairs: {tier: t}\n  includeTemplates: true\n"
                "commonAnnotations: {note: base}\nresources: [r.yaml]\n"
            ),
            "base/r.yaml": SHARED_BASE,
            "kustomization.yaml": (
                f"resources: [base]\ncommonAnnotations: {{note: ov}}\npatches:\n- patch: '{patch}'\n"
            ),
        },
    )
    expected = built(tmp_path)
    res = load(SHARED_BASE)
    t.add_labels(res, {"tier": "t"}, include_selectors=False, include_templates=True)
    t.add_annotations(res, {"note": "base"})
    _patch(res, patch)
    t.add_annotations(res, {"note": "ov"})
    same(res, expected)


# -- images ------------------------------------------------------------------------------------------------

IMAGE_REFS = [
    "nginx",
    "nginx:1.0",
    "nginx@sha256:0a0a",
    "nginx:1.0@sha256:0b0b",
    "nginx:a:b",
    "nginx:1@sha512:cc",
    "nginxx",
    "localhost:5000/nginx",
    "localhost:5000/nginx:2",
    "localhost:5000/nginx@sha256:0c0c",
    "localhost:5000/nginx:3@sha256:0d0d",
    "example.com/team/app:1",
    "example.com/team/app",
    "busybox",
    "busybox:latest",
    "quay.io/org/tool:v1",
    "redis:{{TAG}}",
    "redis",
    "5",
    "",
]

IMAGES = [
    {"name": "nginx", "newTag": "1.25"},
    {"name": "localhost:5000/nginx", "newName": "mirror:6000/nginx", "digest": "sha256:cccc"},
    {"name": "example.com/team/app", "newTag": "2", "digest": "sha256:dddd"},
    {"name": "busybox", "newName": "mirror.io/busybox"},
    {"name": "quay.io/org/.*", "tagSuffix": "-fips"},
    {"name": "redis", "tagSuffix": "-x", "digest": "sha256:eeee"},
    {"Name": "ignored", "name": "5", "newtag": "6"},
    {"newName": "empty"},
]


def test_images(tmp_path: Path) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "refs"},
        "spec": {
            "containers": [{"image": i} for i in IMAGE_REFS],
            "volumes": [{"image": {"reference": i}} for i in IMAGE_REFS],
        },
    }
    docs = WORKLOADS + "---\n" + yamlio.dump_documents([pod])
    check(
        tmp_path,
        "images: " + json.dumps(IMAGES),
        docs,
        lambda rs: t.set_images(rs, IMAGES, file="kustomization.yaml"),
    )


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ("[{name: nginx, newTag: 1.20}]", "cannot unmarshal number into Go struct field Image.images.newTag"),
        ("[{name: nginx, newTag: [a]}]", "cannot unmarshal array into Go struct field Image.images.newTag"),
        ("[{name: nginx, foo: bar}]", 'unknown field "foo"'),
        ("[nginx]", "cannot unmarshal string into Go struct field Kustomization.images of type types.Image"),
    ],
)
def test_invalid_image_entries(tmp_path: Path, images: str, message: str) -> None:
    entries = yamlio.load_documents(images, source="k")[0]
    check_error(
        tmp_path,
        f"images: {images}",
        WORKLOADS,
        lambda rs: t.set_images(rs, entries, file="kustomization.yaml"),
        message,
    )


def test_image_on_a_map_fails(tmp_path: Path) -> None:
    check_error(
        tmp_path,
        "images: [{name: nginx, newTag: '2'}]",
        "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{image: {a: b}}]}}",
        lambda rs: t.set_images(rs, [{"name": "nginx", "newTag": "2"}], file="kustomization.yaml"),
        "expected ScalarNode but got MappingNode",
    )


# -- replicas ----------------------------------------------------------------------------------------------


def test_replicas(tmp_path: Path) -> None:
    replicas = [
        {"name": "dep", "count": 3},
        {"name": "sts", "count": 0},
        {"name": "rc", "count": 2.0},
        {"name": "rs"},
        {"name": "fake-deployment", "count": -1},
    ]
    check(
        tmp_path,
        "replicas: " + json.dumps(replicas),
        WORKLOADS,
        lambda rs: t.set_replicas(rs, replicas, file="kustomization.yaml"),
    )


def test_replicas_by_earlier_name(tmp_path: Path) -> None:
    docs = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}\n"
    write(
        tmp_path,
        {
            "base/kustomization.yaml": "namePrefix: b-\nresources: [r.yaml]\n",
            "base/r.yaml": docs,
            "kustomization.yaml": "resources: [base]\nreplicas: [{name: web, count: 4}]\n",
        },
    )
    expected = built(tmp_path)
    res = load(docs)
    t.add_name_prefix_suffix(res, "b-", "")
    t.set_replicas(res, [{"name": "web", "count": 4}], file="kustomization.yaml")
    same(res, expected)


@pytest.mark.parametrize(
    ("replicas", "message"),
    [
        (
            "[{name: nope, count: 1}]",
            "resource with name nope does not match a config with the following GVK [Deployment.[noVer]"
            ".[noGrp] StatefulSet.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp]"
            " ReplicationController.[noVer].[noGrp]]",
        ),
        ("[{name: dep, count: '3'}]", "cannot unmarshal string into Go struct field Replica.replicas.count"),
        (
            "[{name: dep, count: 2.5}]",
            "cannot unmarshal number 2.5 into Go struct field Replica.replicas.count",
        ),
        ("[{name: 5, count: 2}]", "cannot unmarshal number into Go struct field Replica.replicas.name"),
    ],
)
def test_invalid_replicas(tmp_path: Path, replicas: str, message: str) -> None:
    entries = yamlio.load_documents(replicas, source="k")[0]
    check_error(
        tmp_path,
        f"replicas: {replicas}",
        WORKLOADS,
        lambda rs: t.set_replicas(rs, entries, file="kustomization.yaml"),
        message,
    )


# -- decoding kustomization values -------------------------------------------------------------------------


def _labels_entries(text: str) -> Transform:
    entries = yamlio.load_documents(text, source="k")[0]

    def transform(rs: list[Resource]) -> None:
        for i, entry in enumerate(entries):
            t.add_labels_entry(rs, entry, index=i, file="k")

    return transform


def _common_labels(text: str) -> Transform:
    value = yamlio.load_documents("x: " + text, source="k")[0]["x"]

    def transform(rs: list[Resource]) -> None:
        labels = t.string_map(value, name="commonLabels", file="k")
        t.add_labels(rs, labels, include_selectors=True, include_templates=False)

    return transform


@pytest.mark.parametrize(
    ("kustomization", "transform", "message"),
    [
        (
            "labels: [{pairs: {a: 1}}]",
            _labels_entries("[{pairs: {a: 1}}]"),
            "cannot unmarshal number into Go struct field Label.labels.pairs of type string",
        ),
        (
            "labels: [{pairs: {a: b}, includeSelectors: 'yes'}]",
            _labels_entries("[{pairs: {a: b}, includeSelectors: 'yes'}]"),
            "cannot unmarshal string into Go struct field Label.labels.includeSelectors of type bool",
        ),
        (
            "labels: [{pairs: {a: b}, fields: [x]}]",
            _labels_entries("[{pairs: {a: b}, fields: [x]}]"),
            "cannot unmarshal string into Go struct field Label.labels.fields of type types.FieldSpec",
        ),
        (
            "commonLabels: {a: true}",
            _common_labels("{a: true}"),
            "cannot unmarshal bool into Go struct field Kustomization.commonLabels of type string",
        ),
    ],
)
def test_invalid_label_values(tmp_path: Path, kustomization: str, transform: Transform, message: str) -> None:
    check_error(tmp_path, kustomization, WORKLOADS, transform, message)


def test_label_values_decoded_like_kustomize(tmp_path: Path) -> None:
    labels = _labels_entries("[{PAIRS: {c: d}, includeselectors: true}]")
    common = _common_labels("{a: null, b: ''}")

    def transform(rs: list[Resource]) -> None:
        labels(rs)
        common(rs)

    check(
        tmp_path,
        "commonLabels: {a: null, b: ''}\nlabels: [{PAIRS: {c: d}, includeselectors: true}]",
        WORKLOADS,
        transform,
    )


# -- random trees ------------------------------------------------------------------------------------------

_KINDS = [
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "ReplicaSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("v1", "Pod"),
    ("v1", "Service"),
    ("v1", "ReplicationController"),
    ("v1", "ConfigMap"),
    ("policy/v1", "PodDisruptionBudget"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("example.com/v1", "Widget"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("v1", "Namespace"),
]
_KEYS = ["app", "tier", "team"]
_VALUES = ["a", "b", "1", "true", ""]
_IMAGES = ["nginx", "nginx:1.0", "nginx@sha256:aa", "reg:5000/app:2", "reg:5000/app", "busybox", "app"]


def _random_map(rng: random.Random) -> Any:
    return rng.choice([None, {}, {rng.choice(_KEYS): rng.choice(_VALUES) for _ in range(rng.randint(1, 2))}])


def _random_pod_template(rng: random.Random) -> Any:
    template: dict[str, Any] = {}
    if rng.random() < 0.6:
        template["metadata"] = {"labels": _random_map(rng), "annotations": _random_map(rng)}
    if rng.random() < 0.7:
        template["spec"] = {
            "containers": [{"name": f"c{i}", "image": rng.choice(_IMAGES)} for i in range(rng.randint(0, 2))],
            "initContainers": rng.choice([None, [{"name": "i", "image": rng.choice(_IMAGES)}]]),
        }
    return rng.choice([template, template, None])


def _random_object(rng: random.Random, index: int) -> dict[str, Any]:
    api_version, kind = rng.choice(_KINDS)
    meta: dict[str, Any] = {"name": f"{kind.lower()}-{index}"}
    for field in ("labels", "annotations"):
        value = _random_map(rng)
        if value and (field == "labels" or rng.random() < 0.5):
            meta[field] = value
    if kind not in ("Namespace", "ClusterRole") and rng.random() < 0.3:
        meta["namespace"] = "ns-a"
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": meta}
    spec: dict[str, Any] = {}
    if rng.random() < 0.6:
        spec["selector"] = rng.choice([None, {}, {"matchLabels": _random_map(rng)}])
        if kind in ("Service", "ReplicationController"):
            spec["selector"] = _random_map(rng)
    if kind == "CronJob":
        spec["jobTemplate"] = rng.choice([{}, {"spec": {"template": _random_pod_template(rng)}}])
    elif kind == "Pod":
        spec.update((_random_pod_template(rng) or {}).get("spec") or {})
    else:
        spec["template"] = _random_pod_template(rng)
    if kind == "StatefulSet" and rng.random() < 0.5:
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data", "labels": _random_map(rng)}}]
    if kind in ("Deployment", "StatefulSet") and rng.random() < 0.5:
        spec["replicas"] = rng.randint(0, 3)
    if kind == "RoleBinding":
        obj["subjects"] = [{"kind": "ServiceAccount", "name": rng.choice(["default", "sa"])}]
    elif kind != "ConfigMap" and rng.random() < 0.9:
        obj["spec"] = spec
    return obj


def _random_kustomization(rng: random.Random, objs: list[dict[str, Any]]) -> tuple[dict[str, Any], Transform]:
    kust: dict[str, Any] = {}
    if rng.random() < 0.6:
        kust["namespace"] = rng.choice(["prod", "ns-a"])
    if rng.random() < 0.6:
        kust["namePrefix"] = rng.choice(["p-", "q-"])
    if rng.random() < 0.4:
        kust["nameSuffix"] = "-s"
    kust["labels"] = [
        {
            "pairs": {rng.choice(_KEYS): rng.choice(_VALUES)},
            "includeSelectors": rng.random() < 0.4,
            "includeTemplates": rng.random() < 0.5,
        }
        for _ in range(rng.randint(0, 2))
    ]
    if rng.random() < 0.5:
        kust["commonLabels"] = {rng.choice(_KEYS): rng.choice(_VALUES)}
    if rng.random() < 0.5:
        kust["commonAnnotations"] = {rng.choice(_KEYS): rng.choice(_VALUES)}
    scalable = [
        o["metadata"]["name"] for o in objs if o["kind"] in ("Deployment", "StatefulSet", "ReplicaSet")
    ]
    kust["replicas"] = [{"name": n, "count": rng.randint(0, 5)} for n in scalable[: rng.randint(0, 2)]]
    kust["images"] = [
        {
            "name": name,
            **rng.choice([{"newTag": "9"}, {"digest": "sha256:ff"}, {"newName": "m/x"}, {"tagSuffix": "-z"}]),
        }
        for name in rng.sample(["nginx", "reg:5000/app", "busybox", "app", "m/x"], rng.randint(0, 3))
    ]

    def transform(rs: list[Resource]) -> None:
        t.set_namespace(rs, kust.get("namespace", ""))
        t.add_name_prefix_suffix(rs, kust.get("namePrefix", ""), kust.get("nameSuffix", ""))
        for i, entry in enumerate(kust["labels"]):
            t.add_labels_entry(rs, entry, index=i, file="k")
        t.add_labels(rs, kust.get("commonLabels", {}), include_selectors=True, include_templates=False)
        t.add_annotations(rs, kust.get("commonAnnotations", {}))
        t.set_replicas(rs, kust["replicas"], file="k")
        t.set_images(rs, kust["images"], file="k")

    return kust, transform


def _kustomization_text(kust: dict[str, Any]) -> str:
    return "".join(f"{key}: {json.dumps(value)}\n" for key, value in kust.items())


@pytest.mark.parametrize("seed", range(12))
def test_random_trees(tmp_path: Path, seed: int) -> None:
    """Random objects through every transformer, in a base and an overlay, against kustomize."""
    rng = random.Random(seed)
    objs = [_random_object(rng, i) for i in range(30)]
    # a namespace: field renames every Namespace to it, and two would clash
    namespaces = [o for o in objs if o["kind"] == "Namespace"]
    objs = [o for o in objs if o["kind"] != "Namespace"] + namespaces[:1]
    base, base_transform = _random_kustomization(rng, objs)
    top, top_transform = _random_kustomization(rng, objs)
    docs = "---\n".join(json.dumps(o) + "\n" for o in objs)
    write(
        tmp_path,
        {
            "base/kustomization.yaml": _kustomization_text(base) + "resources: [r.yaml]\n",
            "base/r.yaml": docs,
            "kustomization.yaml": _kustomization_text(top) + "resources: [base]\n",
        },
    )
    expected = built(tmp_path)
    res = load(docs)
    base_transform(res)
    top_transform(res)
    same(res, expected)
