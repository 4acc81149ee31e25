"""Output order against the real kustomize: random kinds, groups, namespaces and names, and sortOptions."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from stackctl.kustomize.build import build_yaml
from stackctl.kustomize.k8s_schema import is_namespaced
from stackctl.model import Gvk
from tests.refkustomize import kustomize_build

KINDS = [
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "Pod"),
    ("v1", "ServiceAccount"),
    ("v1", "Endpoints"),
    ("v1", "PersistentVolume"),
    ("v1", "LimitRange"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
    ("policy/v1", "PodDisruptionBudget"),
    ("cert-manager.io/v1", "Certificate"),
    ("cert-manager.io/v1", "ClusterIssuer"),
    ("example.com/v1", "Zed"),
    ("v1", "Zed"),
    ("acid.zalan.do/v1", "postgresql"),
    ("networking.k8s.io/v1", "Ingress"),
]
NAMES = ["a", "ab", "a-b", "b", "Y", "y", "z9", "z10", "x.y"]
NAMESPACES = ["", "", "a", "ab", "default", "kube-system", "z"]


def _random_objects(rng: random.Random, count: int) -> list[dict[str, object]]:
    seen = set()
    objs: list[dict[str, object]] = []
    while len(objs) < count:
        api, kind = rng.choice(KINDS)
        name, ns = rng.choice(NAMES), rng.choice(NAMESPACES)
        key = (api, kind, name, (ns or "default") if is_namespaced(Gvk.from_api_version(api, kind)) else "")
        if key in seen:
            continue
        seen.add(key)
        meta: dict[str, str] = {"name": name}
        if ns:
            meta["namespace"] = ns
        objs.append({"apiVersion": api, "kind": kind, "metadata": meta})
    return objs


def _tree(tmp: Path, objs: list[dict[str, object]], extra: str = "") -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "objs.yaml").write_text("---\n".join(json.dumps(o) + "\n" for o in objs))
    (tmp / "kustomization.yaml").write_text("resources:\n- objs.yaml\n" + extra)
    return tmp


@pytest.mark.parametrize("seed", range(8))
def test_legacy_order_matches_kustomize(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    tree = _tree(tmp_path, _random_objects(rng, 40))
    ref = kustomize_build(tree)
    assert ref.returncode == 0, ref.stderr
    assert build_yaml(tree) == ref.stdout


@pytest.mark.parametrize(
    "options",
    [
        "sortOptions:\n  order: fifo\n",
        "sortOptions:\n  order: legacy\n",
        "sortOptions:\n  order: legacy\n  legacySortOptions:\n    orderFirst: [Service, Zed]\n"
        "    orderLast: [Namespace, ConfigMap]\n",
    ],
)
def test_sort_options_match_kustomize(tmp_path: Path, options: str) -> None:
    tree = _tree(tmp_path, _random_objects(random.Random(99), 30), options)
    ref = kustomize_build(tree)
    assert ref.returncode == 0, ref.stderr
    assert build_yaml(tree) == ref.stdout
