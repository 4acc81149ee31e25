"""Patch targets against the real kustomize: regex names, namespaces, label and annotation selectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackctl.errors import KustomizeError
from stackctl.kustomize.build import build_yaml
from stackctl.kustomize.selector import parse_label_selector
from tests.refkustomize import kustomize_build

OBJECTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: web-a, labels: {app: web, tier: front}, annotations: {team: blue}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-b, namespace: prod, labels: {app: web, tier: back}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: db, namespace: default, labels: {app: db}, annotations: {team: red}}
---
apiVersion: example.com/v1
kind: ConfigMap
metadata: {name: web-c, labels: {app: web}}
"""

TARGETS = [
    "name: web-.*",
    "name: web-a|db",
    "namespace: prod",
    "namespace: default",
    "labelSelector: app=web",
    "labelSelector: app==web,tier!=back",
    "labelSelector: tier in (front, back)",
    "labelSelector: tier notin (front)",
    "labelSelector: '!tier'",
    "labelSelector: tier",
    "annotationSelector: team=blue",
    "group: example.com",
    "version: v1\n    kind: ConfigMap\n    group: ''",
    "kind: ConfigMap\n    name: web",
]


@pytest.mark.parametrize("target", TARGETS)
def test_targets_select_what_kustomize_selects(tmp_path: Path, target: str) -> None:
    (tmp_path / "objs.yaml").write_text(OBJECTS)
    (tmp_path / "kustomization.yaml").write_text(
        "resources:\n- objs.yaml\npatches:\n- target:\n    "
        + target
        + "\n  patch: |-\n    - op: add\n      path: /data\n      value: {patched: 'yes'}\n"
    )
    ref = kustomize_build(tmp_path)
    assert ref.returncode == 0, ref.stderr
    assert build_yaml(tmp_path) == ref.stdout


@pytest.mark.parametrize("bad", ["a=b,", "a in b", "(x)", "a=b=c"])
def test_bad_label_selector_names_field(bad: str) -> None:
    with pytest.raises(KustomizeError) as err:
        parse_label_selector(bad, file="k.yaml", field="patches[0].target.labelSelector")
    assert err.value.location == "k.yaml: patches[0].target.labelSelector"
