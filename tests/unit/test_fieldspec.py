"""The field-spec walk against kustomize's: custom `labels[].fields` on odd shapes, built both ways."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stackctl import yamlio
from stackctl.errors import KustomizeError
from stackctl.kustomize import fieldspec
from stackctl.kustomize import transformers as t
from stackctl.kustomize.fieldspec import FieldSpec, merge_specs
from tests.unit.test_transformers import check, check_error

SHAPES = """
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  nulls: null
  nullnc: null
  items: [{labels: {}}, {other: 1}, null, [{labels: {x: "y"}}, {}]]
  nested: [[{}]]
  seqnull: null
  asmap: {labels: {a: b}}
  finalnull: null
  finalnullnc: null
  x: {}
---
apiVersion: v2
kind: Thing
metadata: {name: t}
---
apiVersion: v2/x
kind: Thing
metadata: {name: t2}
---
apiVersion: example.com/v1
kind: Other
metadata: {name: o}
spec: {items: [{labels: {}}]}
"""

FIELDS: list[dict[str, Any]] = [
    {"kind": "Widget", "path": "spec/nulls/labels", "create": True},
    {"kind": "Widget", "path": "spec/nullnc/labels"},
    {"kind": "Widget", "path": "spec/items/labels", "create": True},
    {"kind": "Widget", "path": "spec/nested/labels", "create": True},
    {"kind": "Widget", "path": "spec/seqnull[]/labels", "create": True},
    {"kind": "Widget", "path": "spec/missingseq[]/labels", "create": True},
    {"kind": "Widget", "path": "spec/asmap[]/labels"},
    {"kind": "Widget", "path": "spec/a\\/b/labels", "create": True},
    {"kind": "Widget", "path": "spec/finalnull", "create": True},
    {"kind": "Widget", "path": "spec/finalnullnc"},
    {"kind": "Widget", "path": "spec/deep/er/labels", "create": True},
    {"kind": "Widget", "path": "/spec/leading", "create": True},
    {"kind": "Widget", "path": "spec/missing//x"},
    {"version": "v2", "path": "spec/v2only", "create": True},
    {"group": "v2", "path": "spec/groupv2", "create": True},
    {"group": "example.com", "version": "v1", "path": "spec/gv", "create": True},
    {"Kind": "Other", "PATH": "spec/items/labels"},
]


def test_walk_matches_kustomize(tmp_path: Path) -> None:
    check(
        tmp_path,
        "labels:\n- pairs: {l: v}\n  fields: " + json.dumps(FIELDS),
        SHAPES,
        lambda rs: t.add_labels(
            rs, {"l": "v"}, include_selectors=False, include_templates=False, fields=FIELDS
        ),
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"kind": "Widget", "path": "spec/x/"}, "cannot set or create an empty field name"),
        ({"kind": "Widget", "path": "//spec/x", "create": True}, "cannot set or create an empty field name"),
        ({"kind": "Widget", "path": "spec/items"}, "expected MappingNode but got SequenceNode"),
        ({"kind": "Widget", "path": "spec/items/other/labels"}, "expected sequence or mapping node"),
        (
            {"kind": "Widget", "path": 5},
            "cannot unmarshal number into Go struct field FieldSpec.labels.fields.path",
        ),
        ({"kind": "Widget", "path": "x", "create": "yes"}, "FieldSpec.labels.fields.create of type bool"),
        ({"kind": "Widget", "foo": "x"}, 'unknown field "foo"'),
    ],
)
def test_walk_errors_match_kustomize(tmp_path: Path, field: dict[str, Any], message: str) -> None:
    check_error(
        tmp_path,
        "labels:\n- pairs: {l: v}\n  fields: " + json.dumps([field]),
        SHAPES,
        lambda rs: t.add_labels(
            rs, {"l": "v"}, include_selectors=False, include_templates=False, fields=[field]
        ),
        message,
    )


def test_null_list_at_a_sequence_segment_becomes_empty(tmp_path: Path) -> None:
    docs = (
        "{apiVersion: v1, kind: Pod, metadata: {name: p},"
        " spec: {containers: null, initContainers: [{image: ~}, {image: nginx}]}}"
    )
    check(
        tmp_path,
        "images: [{name: nginx, newTag: '2'}]",
        docs,
        lambda rs: t.set_images(rs, [{"name": "nginx", "newTag": "2"}], file="kustomization.yaml"),
    )


def test_split_path() -> None:
    assert fieldspec.split_path("metadata/annotations/a\\/b") == ("metadata", "annotations", "a/b")
    assert fieldspec.split_path("/spec/x") == ("spec", "x")
    assert fieldspec.split_path("spec//x/") == ("spec", "", "x", "")


def test_custom_spec_hides_a_default_it_covers() -> None:
    custom = FieldSpec.of("metadata/labels", kind="Deployment", create=True)
    default = FieldSpec.of("metadata/labels", create=True)
    assert merge_specs([custom], [default]) == [custom]
    assert merge_specs([default], [custom]) == [default, custom]
    with pytest.raises(KustomizeError, match="conflicting fieldspecs"):
        merge_specs([FieldSpec.of("metadata/labels", kind="Deployment")], [default])


def test_apply_creates_with_the_transformers_kind() -> None:
    obj = yamlio.load_documents("{kind: X, spec: {a: null}}", source="x")[0]
    fieldspec.apply(obj, FieldSpec.of("spec/a/b", create=True), lambda v: "set", create_kind="scalar")
    fieldspec.apply(obj, FieldSpec.of("spec/c", create=True), lambda v: v, create_kind="map")
    fieldspec.apply(obj, FieldSpec.of("spec/d", create=True), lambda v: "no", create_kind=None)
    assert obj == {"kind": "X", "spec": {"a": {"b": "set"}, "c": {}}}
