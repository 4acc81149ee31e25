"""`replacements` against the real kustomize.

Each case is a tree whose top kustomization lists resources (and maybe a base with namePrefix/namespace, for
previous ids) plus replacements; kustomize builds it (all trees at once), stackctl runs `apply_replacements`
over the same accumulation. Objects are compared as kustomize's loader reads them, so scalar types count.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stackctl.errors import KustomizeError
from stackctl.kustomize.build import build_yaml
from stackctl.kustomize.replacements import apply_replacements
from stackctl.kustomize.resource import CreatedScalar, Resource
from stackctl.yamlio import load_documents
from tests.refkustomize import Built
from tests.unit.test_generators import FIFO, DirSource, build, kustomize_many, write_tree

RESOURCES = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: src
  namespace: default
  labels: {app: a}
data:
  str: hello
  num: "5"
  csv: a,b,c
  empty: ""
  truth: "true"
  yes: "yes"
  date: "2024-01-15"
  dec: "1.50"
  dots: p.q.r
  e3: "1e3"
  tilde: "~"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: typed
data:
  int: 12
  float: 1.5
  whole: 2.0
  bool: true
  map: {a: b}
  list: [x, "y"]
  nested: {deep: {leaf: v}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
  labels: {app: a, tier: web}
  annotations: {team: blue}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: c1
        image: nginx:1.0
        env:
        - {name: A, value: x}
        - {name: B, value: "7"}
        args: [one, two]
      - name: c2
        image: busybox
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: svc
  annotations: {a.b/c: x, "a.b": y}
spec:
  ports: [{port: 80, name: http}]
  selector: {app: a}
---
apiVersion: v1
kind: Secret
metadata:
  name: sink
stringData:
  s: x,y
  quoted: "5"
  i: 5
  hex: 0x10
  f: 1.5
  b: false
  n: ~
  e: ""
"""


@dataclass(frozen=True)
class Case:
    replacements: str
    extra: dict[str, str] | None = None
    error_field: str | None = None


def _rep(source: str, *targets: str) -> str:
    """One replacement entry: `source` is a flow mapping, each target a block under `- `."""
    body = "".join("  - " + textwrap.indent(textwrap.dedent(t).strip(), "    ")[4:] + "\n" for t in targets)
    return f"- source: {source}\n  targets:\n{body}"


CASES: dict[str, Case] = {
    "lists-wildcards-indices": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            """
            select: {kind: Deployment}
            fieldPaths:
            - spec.template.spec.containers.[name=c1].env.[name=A].value
            - spec.template.spec.containers.*.image
            - spec.template.spec.containers.0.args.1
            """,
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.num}",
            """
            select: {kind: Deployment}
            fieldPaths: [spec.replicas, spec.template.spec.containers.1.ports.0.containerPort]
            """,
        )
    ),
    "defaults-and-source-by-list-entry": Case(
        _rep("{kind: Service}", "select: {kind: ConfigMap, name: typed}")
        + _rep(
            "{kind: Deployment, fieldPath: 'spec.template.spec.containers.[name=c2].image'}",
            "{select: {kind: Secret}, fieldPaths: [stringData.s]}",
        )
        + _rep(
            "{kind: Deployment, fieldPath: spec.template.spec.containers.0.env.-.value}",
            "{select: {kind: Secret}, fieldPaths: [stringData.e]}",
        )
    ),
    "regex-list-matching": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            """
            select: {kind: Deployment}
            fieldPaths:
            - spec.template.spec.containers.[name=c].image
            - spec.template.spec.containers.[name=^c1$].env.[name=B].value
            - spec.template.spec.containers.0.args.[=w]
            """,
        )
    ),
    "keys-with-dots": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            r"""
            select: {kind: Service}
            fieldPaths: ['metadata.annotations.[a.b/c]', 'metadata.annotations.a\.b']
            """,
        )
    ),
    "scalar-types-follow-the-target": Case(
        "".join(
            _rep(
                f"{{kind: ConfigMap, name: {name}, fieldPath: data.{key}}}",
                f"{{select: {{kind: Secret}}, fieldPaths: [{', '.join(paths)}]}}",
            )
            for name, key, paths in [
                ("src", "num", ["stringData.s", "stringData.i", "stringData.hex", "stringData.f"]),
                ("typed", "int", ["stringData.quoted", "stringData.e"]),
                ("src", "truth", ["stringData.b"]),
                ("src", "empty", ["stringData.n"]),
            ]
        )
    ),
    "floats-and-bools-into-strings": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.float}",
            "{select: {kind: Secret}, fieldPaths: [stringData.s, stringData.f]}",
        )
        + _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.whole}",
            "{select: {kind: Secret}, fieldPaths: [stringData.quoted]}",
        )
        + _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.bool}",
            "{select: {kind: Secret}, fieldPaths: [stringData.e, stringData.b]}",
        )
    ),
    "maps-and-lists": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.map}",
            "{select: {kind: Service}, fieldPaths: [spec.selector, spec.ports.0.name]}",
        )
        + _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.list}",
            "{select: {kind: Deployment}, fieldPaths: [spec.template.spec.containers.0.args]}",
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            "{select: {kind: ConfigMap, name: typed}, fieldPaths: [data.nested]}",
        )
    ),
    "create": Case(
        "".join(
            _rep(
                f"{{kind: ConfigMap, name: {name}, fieldPath: data.{key}}}",
                f"{{select: {{kind: Deployment}}, fieldPaths: [spec.new.{key}], options: {{create: true}}}}",
            )
            for name, key in [
                ("src", "str"),
                ("src", "num"),
                ("src", "empty"),
                ("src", "truth"),
                ("src", "yes"),
                ("src", "date"),
                ("src", "dec"),
                ("typed", "int"),
                ("typed", "float"),
                ("typed", "map"),
                ("typed", "list"),
            ]
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            """
            select: {kind: Deployment}
            options: {create: true}
            fieldPaths:
            - spec.template.spec.containers.[name=c1].image
            - spec.template.spec.containers.[name=zz].image
            - spec.template.spec.containers.[name=5].image
            - spec.template.spec.containers.[name=c1].env.[name=NEW].value
            - spec.template.spec.containers.0.args.[=three]
            - spec.template.spec.volumes.[name=v1].configMap.name
            - spec.template.spec.containers.*.workingDir
            - spec.template.spec.initContainers.0.name
            - spec.template.spec.containers.1.ports.1.name
            """,
        )
    ),
    "refined-int-into-string": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.int, options: {delimiter: '1', index: 0}}",
            "{select: {kind: Secret}, fieldPaths: [stringData.quoted]}",
        )
    ),
    "own-annotations-take-text": Case(
        "".join(
            _rep(
                f"{{kind: ConfigMap, name: {name}, fieldPath: data.{key}}}",
                f"""
                select: {{kind: Deployment}}
                fieldPaths: [metadata.annotations.{target}, spec.template.metadata.annotations.{target}]
                options: {{create: true}}
                """,
            )
            for name, key, target in [
                ("src", "e3", "e3"),
                ("src", "tilde", "tilde"),
                ("src", "date", "date"),
                ("src", "num", "num"),
                ("typed", "int", "team"),
                ("typed", "map", "m"),
            ]
        )
        + _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.float}",
            "select: {kind: Deployment}\nfieldPaths: [metadata.annotations.team]\noptions: {delimiter: '-'}",
        )
    ),
    "delimiters": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.int}",
            "{select: {kind: Secret}, fieldPaths: [stringData.s], options: {delimiter: ',', index: 0}}",
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.csv, options: {delimiter: ',', index: 1}}",
            """
            select: {kind: ConfigMap, name: src}
            fieldPaths: [data.dots]
            options: {delimiter: ".", index: -1}
            """,
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.num}",
            """
            select: {kind: Secret}
            fieldPaths: [stringData.quoted, stringData.s]
            options: {delimiter: ".", index: 7}
            """,
        )
        + _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.int, options: {delimiter: '1', index: 1}}",
            "{select: {kind: Secret}, fieldPaths: [stringData.hex, stringData.e]}",
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            "{select: {kind: Deployment}, fieldPaths: [spec.fresh], options: {delimiter: ',', create: true}}",
        )
    ),
    "selectors": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            "select: {labelSelector: 'app=a,tier in (web)'}\n"
            "fieldPaths: [metadata.annotations.sel]\noptions: {create: true}",
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            "select: {annotationSelector: team}\n"
            "fieldPaths: [metadata.annotations.anno]\noptions: {create: true}",
        )
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.csv}",
            """
            select: {name: "s.*|dep", kind: "Dep.*|Serv.*|Secret"}
            reject: [{kind: Secret}, {labelSelector: tier=web}]
            fieldPaths: [metadata.annotations.rx]
            options: {create: true}
            """,
        )
        + _rep(
            "{kind: ConfigMap, namespace: default, name: src, fieldPath: data.dots}",
            """
            select: {version: v1, namespace: "def.*"}
            fieldPaths: [metadata.annotations.ns]
            options: {create: true}
            """,
        )
    ),
    "previous-ids": Case(
        _rep(
            "{kind: ConfigMap, name: cm, fieldPath: data.a}",
            "{select: {kind: Deployment, name: dep}, fieldPaths: [metadata.annotations.byold], "
            "options: {create: true}}",
        )
        + _rep(
            "{kind: ConfigMap, name: cm, namespace: default, fieldPath: data.a}",
            "{select: {namespace: default}, fieldPaths: [metadata.annotations.oldns], "
            "options: {create: true}}",
        )
        + _rep(
            "{kind: ConfigMap, name: p-cm, fieldPath: data.a}",
            """
            select: {kind: Deployment, name: dep}
            reject: [{name: p-dep}]
            fieldPaths: [metadata.annotations.rejected]
            options: {create: true}
            """,
        ),
        extra={
            "base/kustomization.yaml": "namePrefix: p-\nnamespace: nsb\nresources: [r.yaml]\n",
            "base/r.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cm}
            data: {a: x}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: dep}
            """,
        },
    ),
    "path-files": Case(
        "- path: list.yaml\n- path: single.yaml\n"
        + _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.num}",
            "{select: {kind: Deployment}, fieldPaths: [spec.replicas]}",
        )
        + "- path: multi.yaml\n- path: lenient.yaml\n",
        extra={
            "list.yaml": _rep(
                "{kind: ConfigMap, name: src, fieldPath: data.str}",
                "{select: {kind: Service}, fieldPaths: [spec.ports.0.name]}",
            ),
            "single.yaml": "source: {kind: ConfigMap, name: src, fieldPath: data.csv}\n"
            "targets:\n- select: {kind: Secret}\n  fieldPaths: [stringData.s]\n",
            "multi.yaml": "source: {kind: ConfigMap, name: src, fieldPath: data.dots}\n"
            "targets:\n- select: {kind: Secret}\n  fieldPaths: [stringData.e]\n"
            "---\nsource: {kind: ConfigMap, name: src}\ntargets:\n- select: {kind: Secret}\n",
            "lenient.yaml": "source: {kind: ConfigMap, name: typed, fieldPathX: data.int, extra: 1}\n"
            "targets:\n- select: {kind: Service}\n  fieldPaths: [spec.ports.0.name]\n  whatever: true\n",
        },
    ),
    "case-insensitive-fields": Case(
        "- SOURCE: {KIND: ConfigMap, Name: src, FIELDPATH: data.str}\n"
        "  Targets:\n  - Select: {Kind: Deployment}\n"
        "    FieldPaths: [spec.template.spec.containers.0.image]\n"
    ),
    "target-selecting-nothing": Case(
        _rep("{kind: ConfigMap, name: src}", "{select: {kind: Nope}, fieldPaths: [x.y]}")
    ),
    # -- errors ----------------------------------------------------------------------------------------
    "err-source-none": Case(_rep("{kind: Foo}", "select: {kind: Deployment}"), error_field="replacements[0]"),
    "err-source-multiple": Case(
        _rep("{kind: ConfigMap}", "select: {kind: Deployment}"), error_field="replacements[0]"
    ),
    "err-source-name-is-not-a-regex": Case(
        _rep("{kind: ConfigMap, name: 's.*'}", "select: {kind: Deployment}"), error_field="replacements[0]"
    ),
    "err-source-field-missing": Case(
        _rep("{kind: Service, fieldPath: spec.nope}", "select: {kind: Deployment}"),
        error_field="replacements[0]",
    ),
    "err-source-null": Case(
        _rep("{kind: Secret, fieldPath: stringData.n}", "select: {kind: Deployment}"),
        error_field="replacements[0]",
    ),
    "err-source-empty-map": Case(
        _rep("{kind: Deployment, fieldPath: spec.template.spec.nothing}", "select: {kind: Service}"),
        error_field="replacements[0]",
    ),
    "err-no-targets": Case("- source: {kind: Service}\n  targets: []\n", error_field="replacements[0]"),
    "err-no-source": Case("- targets:\n  - select: {kind: Service}\n", error_field="replacements[0]"),
    "err-empty-entry": Case("- {}\n", error_field="replacements[0]"),
    "err-no-select": Case(
        _rep("{kind: Service}", "fieldPaths: [metadata.name]"), error_field="replacements[0]"
    ),
    "err-target-field-missing": Case(
        _rep("{kind: Service}", "{select: {kind: Deployment}, fieldPaths: [spec.nope]}"),
        error_field="replacements[0]",
    ),
    "err-target-list-match-missing": Case(
        _rep(
            "{kind: Service}",
            "select: {kind: Deployment}\nfieldPaths: ['spec.template.spec.containers.[name=zz].image']",
        ),
        error_field="replacements[0]",
    ),
    "err-wildcard-on-map": Case(
        _rep("{kind: Service}", "{select: {kind: Service}, fieldPaths: ['metadata.annotations.*']}"),
        error_field="replacements[0]",
    ),
    "err-create-wildcard-on-map": Case(
        _rep(
            "{kind: Service}",
            "{select: {kind: Service}, fieldPaths: ['spec.selector.*'], options: {create: true}}",
        ),
        error_field="replacements[0]",
    ),
    "err-index-out-of-range": Case(
        _rep(
            "{kind: Service}",
            "{select: {kind: Deployment}, fieldPaths: [spec.template.spec.containers.5.image]}",
        ),
        error_field="replacements[0]",
    ),
    "err-index-past-end-create": Case(
        _rep(
            "{kind: Service}",
            "select: {kind: Deployment}\n"
            "fieldPaths: [spec.template.spec.containers.3.image]\noptions: {create: true}",
        ),
        error_field="replacements[0]",
    ),
    "err-bracket-without-eq": Case(
        _rep(
            "{kind: Service}",
            "select: {kind: Deployment}\nfieldPaths: ['spec.template.spec.containers.[name].image']",
        ),
        error_field="replacements[0]",
    ),
    "err-field-under-scalar": Case(
        _rep(
            "{kind: Service}",
            "{select: {kind: Deployment}, fieldPaths: [spec.replicas.x], options: {create: true}}",
        ),
        error_field="replacements[0]",
    ),
    "err-string-into-int": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            "{select: {kind: Deployment}, fieldPaths: [spec.replicas]}",
        ),
        error_field="replacements[0]",
    ),
    "err-float-into-int": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.float}",
            "{select: {kind: Secret}, fieldPaths: [stringData.i]}",
        ),
        error_field="replacements[0]",
    ),
    "err-int-into-bool": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.int}",
            "{select: {kind: Secret}, fieldPaths: [stringData.b]}",
        ),
        error_field="replacements[0]",
    ),
    "err-string-into-null": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.str}",
            "{select: {kind: Secret}, fieldPaths: [stringData.n]}",
        ),
        error_field="replacements[0]",
    ),
    "err-map-into-int": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.map}",
            "{select: {kind: Secret}, fieldPaths: [stringData.i]}",
        ),
        error_field="replacements[0]",
    ),
    "err-source-delimiter-out-of-bounds": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.csv, options: {delimiter: ',', index: 3}}",
            "select: {kind: Deployment}",
        ),
        error_field="replacements[0]",
    ),
    "err-source-delimiter-negative": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.csv, options: {delimiter: ',', index: -1}}",
            "select: {kind: Deployment}",
        ),
        error_field="replacements[0]",
    ),
    "err-source-delimiter-on-map": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.map, options: {delimiter: ','}}",
            "select: {kind: Deployment}",
        ),
        error_field="replacements[0]",
    ),
    "err-target-delimiter-on-map": Case(
        _rep(
            "{kind: Service}",
            "{select: {kind: Deployment}, fieldPaths: [spec.template], options: {delimiter: ','}}",
        ),
        error_field="replacements[0]",
    ),
    "err-delimiter-result-not-a-bool": Case(
        _rep(
            "{kind: ConfigMap, name: src, fieldPath: data.num}",
            "{select: {kind: Secret}, fieldPaths: [stringData.b], options: {delimiter: '.', index: 7}}",
        ),
        error_field="replacements[0]",
    ),
    "err-refined-int-into-map": Case(
        _rep(
            "{kind: ConfigMap, name: typed, fieldPath: data.int, options: {delimiter: '1', index: 0}}",
            "{select: {kind: Deployment}, fieldPaths: [spec.template]}",
        ),
        error_field="replacements[0]",
    ),
    "err-bad-label-selector": Case(
        _rep("{kind: Service}", "select: {labelSelector: 'app=(('}"),
        error_field="replacements[0].targets[0].select",
    ),
    "err-second-entry": Case(
        _rep("{kind: ConfigMap, name: src}", "{select: {kind: Secret}, fieldPaths: [stringData.s]}")
        + _rep("{kind: Nope}", "select: {kind: Secret}"),
        error_field="replacements[1]",
    ),
    "err-unknown-inline-field": Case(
        "- source: {kind: Service, fieldPathX: a}\n  targets: [{select: {kind: Service}}]\n",
        error_field="replacements[0]",
    ),
    "err-path-and-inline": Case(
        "- path: single.yaml\n  source: {kind: Service}\n",
        extra={"single.yaml": "source: {kind: Service}\ntargets: [{select: {kind: Service}}]\n"},
        error_field="replacements[0]",
    ),
    "err-path-scalar": Case(
        "- path: bad.yaml\n", extra={"bad.yaml": "hello\n"}, error_field="replacements[0].path"
    ),
    "err-path-empty": Case("- path: bad.yaml\n", extra={"bad.yaml": ""}, error_field="replacements[0].path"),
    "err-path-missing": Case("- path: nope.yaml\n", error_field="replacements[0].path"),
    "err-path-entry-with-path": Case(
        "- path: nested.yaml\n",
        extra={"nested.yaml": "- path: list.yaml\n"},
        error_field="replacements[0].path[0]",
    ),
}


def _tree(case: Case) -> dict[str, str | bytes]:
    extra = {k: textwrap.dedent(v).lstrip("\n") for k, v in (case.extra or {}).items()}
    resources = ["r.yaml", "base"] if "base/kustomization.yaml" in extra else ["r.yaml"]
    kust = f"resources: [{', '.join(resources)}]\nreplacements:\n{case.replacements}{FIFO}"
    return {"r.yaml": RESOURCES, "kustomization.yaml": kust, **extra}


def _replace(resources: list[Resource], kust: dict[str, Any], src: DirSource) -> None:
    if kust.get("replacements") is not None:
        apply_replacements(resources, kust["replacements"], src)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Built]]:
    roots = {name: write_tree(tmp_path_factory.mktemp(name), _tree(case)) for name, case in CASES.items()}
    return dict(zip(roots, zip(roots.values(), kustomize_many(roots.values()), strict=True), strict=True))


OK_CASES = [name for name, case in CASES.items() if case.error_field is None]
ERROR_CASES = [name for name, case in CASES.items() if case.error_field is not None]


@pytest.mark.parametrize("name", OK_CASES)
def test_replacements_match_kustomize(built: dict[str, tuple[Path, Built]], name: str) -> None:
    root, ref = built[name]
    assert ref.returncode == 0, ref.stderr
    assert build(root, _replace) == load_documents(ref.stdout, source="kustomize")


@pytest.mark.parametrize("name", ERROR_CASES)
def test_errors_where_kustomize_errors(built: dict[str, tuple[Path, Built]], name: str) -> None:
    root, ref = built[name]
    assert ref.returncode != 0, f"kustomize accepted {name}:\n{ref.stdout}"
    with pytest.raises(KustomizeError) as info:
        build(root, _replace)
    assert info.value.field == CASES[name].error_field, str(info.value)
    assert info.value.file == str(root.resolve() / "kustomization.yaml")


def test_field_argument_names_the_entries() -> None:
    res = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}, "x")

    class NoFiles:
        kfile = "k.yaml"

        def read_bytes(self, rel: str, *, field: str) -> bytes:
            raise AssertionError("no file reads expected")

    with pytest.raises(KustomizeError) as info:
        apply_replacements(
            [res], [{"source": {"kind": "Nope"}, "targets": [{"select": {}}]}], NoFiles(), field="x"
        )
    assert (info.value.file, info.value.field) == ("k.yaml", "x[0]")


# Scalars as YAML text: what a target field holds and what a source field holds.
_SCALARS = {
    "str": "hello",
    "numstr": '"5"',
    "int": "5",
    "hex": "0x10",
    "octal": "012",
    "neg": "-3",
    "float": "1.5",
    "whole": "2.0",
    "exp": "1e3",
    "bool": "true",
    "boolstr": '"true"',
    "yes": "yes",
    "null": "~",
    "empty": '""',
    "floatstr": '"1.5"',
}
_COMPATIBLE = {
    "int": {"numstr", "int", "hex", "octal", "neg"},
    "float": {"numstr", "int", "hex", "octal", "neg", "float", "whole", "exp", "floatstr"},
    "bool": {"bool", "boolstr"},
    "null": {"empty"},
}


def _target_type(name: str) -> str:
    return {"int": "int", "hex": "int", "octal": "int", "neg": "int", "float": "float", "whole": "float"}.get(
        name, {"exp": "float", "bool": "bool", "null": "null"}.get(name, "str")
    )


def _matrix_tree(cells: list[tuple[str, str]]) -> dict[str, str | bytes]:
    data = "".join(f"  k_{s}: {text}\n" for s, text in _SCALARS.items())
    sink = "".join(f"  {t}_{s}: {_SCALARS[t]}\n" for t, s in cells)
    reps = "".join(
        _rep(
            f"{{kind: ConfigMap, fieldPath: data.k_{s}}}",
            f"{{select: {{kind: Secret}}, fieldPaths: [stringData.{t}_{s}]}}",
        )
        for t, s in cells
    )
    resources = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: m}}\ndata:\n{data}---\n"
    resources += f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n{sink}"
    return {"r.yaml": resources, "kustomization.yaml": f"resources: [r.yaml]\nreplacements:\n{reps}"}


def test_scalar_type_matrix(tmp_path: Path) -> None:
    """Every target type against every source type: the compatible pairs in one tree, a sample of the rest
    one tree each (kustomize fails the whole build on the first)."""
    sources = [s for s in _SCALARS if s != "null"]
    # Known divergence: loading keeps values, not their spelling, so 0x10, 012 and 1e3 written into a string
    # field read "16", "10" and "1000.0" here where kustomize keeps the spelling.
    respelled = {"hex", "octal", "exp"}
    compatible = [
        (t, s)
        for t in _SCALARS
        for s in sources
        if s in _COMPATIBLE.get(_target_type(t), set(sources) - respelled)
    ]
    incompatible = [
        (t, s) for t in _SCALARS for s in sources if s not in _COMPATIBLE.get(_target_type(t), set(sources))
    ]
    sample = incompatible[:: max(1, len(incompatible) // 12)]
    trees = [_matrix_tree(compatible), *(_matrix_tree([cell]) for cell in sample)]
    roots = [write_tree(tmp_path / str(i), tree) for i, tree in enumerate(trees)]
    results = kustomize_many(roots)
    assert results[0].returncode == 0, results[0].stderr
    assert build(roots[0], _replace) == load_documents(results[0].stdout, source="kustomize")
    for cell, root, ref in zip(sample, roots[1:], results[1:], strict=True):
        assert ref.returncode != 0, f"kustomize accepted {cell}"
        with pytest.raises(KustomizeError, match="cannot decode"):
            build(root, _replace)


# -- created fields under later operations -----------------------------------------------------------------
#
# A field `options.create` adds is an untagged YAML node in kustomize: it prints as the type its text reads
# as, until a later strategic merge patch of the object walks it and turns it into a string of its text (where
# YAML 1.1 reads that text as anything but a string). Each tree's base creates fields; its overlay (and
# components, or a further overlay `top`) does something later. Compared byte for byte with kustomize.

_LATER_RESOURCES = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: src
data:
  five: "5"
  hex: "0x1F"
  tilde: "~"
  word: hello
  truth: "true"
  empty: ""
  octal: "0755"
  date: "2024-01-15"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
  finalizers:
  - a
spec:
  replicas: 1
  template:
    metadata:
      labels:
        app: a
    spec:
      containers:
      - name: c1
        image: nginx
        args:
        - a
      volumes:
      - name: v0
        emptyDir: {}
---
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t
spec:
  items:
  - name: a
    v: x
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
          - name: c1
            image: nginx
"""

# Texts whose type YAML reads differently from a string, and a few that stay strings or typed.
_SPELLINGS = [
    *("~", "null", "Null", "0x1F", "0X1F", "0o17", "0b101", "012", "09", "1_000", "-0", "+1", "5", "1e3"),
    *(".5", "1.", "1.50", "-1e3", "1e-400", "1e308", "9223372036854775808", "18446744073709551616"),
    *("true", "TRUE", "False", ".inf", "-.Inf", ".NaN"),
    # timestamps stay timestamps (YAML 1.1 in Go gives them as strings), the empty text stays null
    *("2024-01-15", "2024-1-5", "2024-01-15 10:00:00", ""),
    # strings either way
    *("yes", "on", "y", "hello", "1e400", "0xZZ", "1:20", "<<", "1.2.3", "0x1p3"),
]


def _create(source: str, *paths: str, kind: str = "Deployment") -> str:
    return _rep(
        f"{{kind: ConfigMap, name: src, fieldPath: data.{source}}}",
        f"select: {{kind: {kind}}}\noptions: {{create: true}}\nfieldPaths: [{', '.join(map(repr, paths))}]",
    )


def _set(source: str, *paths: str, kind: str = "Deployment", options: str = "{}") -> str:
    return _rep(
        f"{{kind: ConfigMap, name: src, fieldPath: data.{source}}}",
        f"select: {{kind: {kind}}}\noptions: {options}\nfieldPaths: [{', '.join(map(repr, paths))}]",
    )


def _smp(body: str, kind: str = "Deployment", name: str = "dep", api: str = "apps/v1") -> str:
    """A `patches` entry without a target: a strategic merge patch with `body` under the object's id."""
    doc = f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n{textwrap.dedent(body).strip()}\n"
    return "- patch: |\n" + textwrap.indent(doc, "    ")


_REPLICAS_PATCH = _smp("spec:\n  replicas: 3")
_JSON_PATCH = (
    "- target: {kind: Deployment}\n  patch: |\n    - {op: replace, path: /spec/replicas, value: 3}\n"
)
_CREATE_SOME = (
    _create("five", "spec.a", "spec.b", "metadata.labels.l", "spec.template.metadata.annotations.n")
    + _create("hex", "spec.h")
    + _create("tilde", "spec.t")
    + _create("truth", "spec.tr")
    + _create("word", "spec.w")
)
_OWN_ANNOTATIONS = "".join(
    _create(key, f"metadata.annotations.{key}")
    for key in ("five", "hex", "tilde", "word", "truth", "empty", "octal", "date")
)
_COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"


def _later(overlay: str, base_replacements: str = _CREATE_SOME, **more: str) -> dict[str, str | bytes]:
    """A tree: base (the resources, `base_replacements`), overlay (`overlay`), and `more` files by path."""
    return {
        "base/r.yaml": _LATER_RESOURCES,
        "base/kustomization.yaml": "resources: [r.yaml]\n"
        + (f"replacements:\n{base_replacements}" if base_replacements else ""),
        "overlay/kustomization.yaml": overlay,
        **{path.replace("__", "/") + "/kustomization.yaml": text for path, text in more.items()},
    }


def _spellings() -> tuple[str, str]:
    """A ConfigMap holding every spelling, and replacements creating a field from each."""
    data = "".join(f"  k{i}: {json.dumps(text)}\n" for i, text in enumerate(_SPELLINGS))
    cm = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: spell\ndata:\n{data}---\n"
    reps = "".join(
        _rep(
            f"{{kind: ConfigMap, name: spell, fieldPath: data.k{i}}}",
            "select: {kind: Deployment}\noptions: {create: true}\n"
            f"fieldPaths: [spec.new.k{i}, spec.template.spec.containers.0.env.0.value]",
        )
        for i in range(len(_SPELLINGS))
    )
    return cm, reps


_SPELL_CM, _SPELL_REPS = _spellings()
_SPELL_BASE = _create("five", "spec.template.spec.containers.0.env.[name=E].value") + _SPELL_REPS

LATER: dict[str, dict[str, str | bytes]] = {
    # Every spelling, in a map field and in a field of a keyed list's element; `.inf`/`.nan` only print
    # once they are strings.
    "spellings-patches": {
        **_later("resources: [../base]\npatches:\n" + _REPLICAS_PATCH, _SPELL_BASE),
        "base/r.yaml": _SPELL_CM + _LATER_RESOURCES,
    },
    "spellings-without-patch": {
        **_later(
            "resources: [../base]\n",
            _create("five", "spec.template.spec.containers.0.env.[name=E].value")
            + "".join(
                _rep(
                    f"{{kind: ConfigMap, name: spell, fieldPath: data.k{i}}}",
                    f"select: {{kind: Deployment}}\noptions: {{create: true}}\nfieldPaths: [spec.new.k{i}]",
                )
                for i, text in enumerate(_SPELLINGS)
                if text.lower() not in (".inf", "-.inf", ".nan")
            ),
        ),
        "base/r.yaml": _SPELL_CM + _LATER_RESOURCES,
    },
    # Every kind of strategic merge patch; the patch need not touch the created fields.
    "patches-strategic-merge": _later(
        "resources: [../base]\npatchesStrategicMerge:\n- |-\n"
        "  apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: dep\n  spec:\n    paused: true\n"
    ),
    "patches-targeted": _later(
        "resources: [../base]\npatches:\n- target: {kind: Deployment}\n"
        "  patch: |\n    kind: Deployment\n    metadata:\n      name: x\n    spec:\n      paused: true\n"
    ),
    "patches-from-file": {
        **_later("resources: [../base]\npatches:\n- path: p.yaml\n"),
        "overlay/p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dep\n"
        "spec:\n  paused: true\n",
    },
    # What does not turn them into strings.
    "not-json6902": _later("resources: [../base]\npatches:\n" + _JSON_PATCH),
    "not-transformers": _later(
        "resources: [../base]\nnamespace: ns\nnamePrefix: p-\nnameSuffix: -s\ncommonLabels: {x: z}\n"
        "labels:\n- pairs: {l: z}\n  includeTemplates: true\ncommonAnnotations: {x: z}\n"
        "replicas: [{name: dep, count: 4}]\nimages: [{name: nginx, newTag: '2'}]\n"
    ),
    "not-later-replacement-elsewhere": _later(
        "resources: [../base]\nreplacements:\n" + _set("five", "spec.replicas")
    ),
    "not-patch-of-another-object": _later(
        "resources: [../base]\npatches:\n"
        + _smp("spec:\n  x: 1", kind="Thing", name="t", api="example.com/v1")
    ),
    "not-patch-before-replacements": {
        "overlay/r.yaml": _LATER_RESOURCES,
        "overlay/kustomization.yaml": "resources: [r.yaml]\npatches:\n"
        + _REPLICAS_PATCH
        + "replacements:\n"
        + _CREATE_SOME,
    },
    # Where the merge walk goes: maps, and lists merged by key (custom resources have none, but an
    # embedded object naming a known kind does); not the items of other lists or maps inside them, nor
    # the scalar items of a merged list.
    "lists": _later(
        "resources: [../base]\npatches:\n"
        + _REPLICAS_PATCH
        + _smp("spec:\n  x: 1", kind="Thing", name="t", api="example.com/v1"),
        _create(
            "five",
            "spec.template.spec.containers.[name=c1].env.[name=NEW].value",
            "spec.template.spec.containers.[name=c1].args.[=zz]",
            "spec.template.spec.containers.[name=5].image",
            "spec.template.spec.volumes.[name=v1].configMap.name",
            "spec.template.spec.volumes.[name=v0].emptyDir.medium",
            "metadata.finalizers.[=qq]",
            "spec.deep.x.y",
            "spec.newlist.[k=a].v",
            "spec.newlist2.0",
        )
        + _create(
            "hex",
            "spec.items.[name=a].w",
            "spec.items.[name=b].v",
            "spec.m.v",
            "spec.items.1.u",
            "spec.template.spec.paused",
            "spec.template.spec.template.spec.containers.[name=c1].workingDir",
            "spec.template.spec.template.spec.containers.[name=c1].args.0",
            kind="Thing",
        ),
    ),
    # The patch's own values win; a replaced map or deleted element takes its created fields along; a
    # patch replacing the whole object is not merged.
    "patch-sets-created-fields": _later(
        "resources: [../base]\npatches:\n" + _smp("spec:\n  a: 5\n  b: '5'\n  tr: true\n  h: 0x1F")
    ),
    "patch-replaces-and-deletes": _later(
        "resources: [../base]\npatches:\n"
        + _smp(
            """
            spec:
              m:
                $patch: replace
                z: 1
              template:
                spec:
                  containers:
                  - name: c2
                    image: patched
                    env:
                    - {name: F, value: x}
                  - {name: c1, $patch: delete}
            """
        ),
        _create(
            "five",
            "spec.m.a",
            "spec.n.b",
            "spec.template.spec.containers.[name=c1].workingDir",
            "spec.template.spec.containers.[name=c2].workingDir",
            "spec.template.spec.containers.[name=c2].env.[name=E].value",
        ),
    ),
    "patch-replaces-object": _later(
        "resources: [../base]\npatches:\n" + _smp("$patch: replace\nspec:\n  x: 1")
    ),
    # Components: a later component's patch, or the parent's.
    "component-then-parent-patch": _later(
        "resources: [../base]\ncomponents: [../comp]\npatches:\n" + _REPLICAS_PATCH,
        "",
        comp=_COMPONENT + "replacements:\n" + _CREATE_SOME,
    ),
    "component-then-component-patch": _later(
        "resources: [../base]\ncomponents: [../comp, ../comp2]\n",
        "",
        comp=_COMPONENT + "replacements:\n" + _CREATE_SOME,
        comp2=_COMPONENT + "patches:\n" + _REPLICAS_PATCH,
    ),
    # Later replacements write any text into a created field (it is retyped by the text), also with a
    # delimiter; a created field is a source with its own text. After a patch, a stringified field stays a
    # string, the others are still untagged.
    "later-replacement-retypes": _later(
        "resources: [../base]\nreplacements:\n"
        + _set("word", "spec.a")
        + _set("hex", "spec.b", "spec.tr", "spec.template.spec.containers.0.args.0")
        + _set("five", "spec.t", options="{delimiter: x, index: 1}")
        + _rep(
            "{kind: Deployment, fieldPath: spec.h}",
            "select: {kind: ConfigMap}\nfieldPaths: [data.word]",
            "select: {kind: Deployment}\nfieldPaths: [spec.template.spec.containers.0.image, spec.replicas]",
        )
    ),
    "later-replacement-then-patch": _later(
        "resources: [../overlay1]\npatches:\n" + _REPLICAS_PATCH,
        overlay1="resources: [../base]\nreplacements:\n" + _set("word", "spec.a") + _set("hex", "spec.b"),
    ),
    "patch-then-later-replacement": _later(
        "resources: [../overlay1]\nreplacements:\n"
        + _set("hex", "spec.a", "spec.w", "spec.template.spec.containers.0.args.1", "spec.list.0"),
        _CREATE_SOME + _create("truth", "spec.template.spec.containers.[name=c1].args.[=x]", "spec.list.0"),
        overlay1="resources: [../base]\npatches:\n" + _REPLICAS_PATCH,
    ),
    # A JSON 6902 patch types every field (a JSON round trip): a later strategic merge patch finds no
    # untagged field; after a strategic merge patch, the strings stay strings.
    "json6902-then-patch": _later(
        "resources: [../overlay1]\npatches:\n" + _REPLICAS_PATCH,
        overlay1="resources: [../base]\npatches:\n" + _JSON_PATCH,
    ),
    "patch-then-json6902": _later(
        "resources: [../overlay1]\npatches:\n" + _JSON_PATCH,
        overlay1="resources: [../base]\npatches:\n" + _REPLICAS_PATCH,
    ),
    "patch-twice": _later(
        "resources: [../overlay1]\npatches:\n" + _REPLICAS_PATCH,
        overlay1="resources: [../base]\npatches:\n" + _REPLICAS_PATCH,
    ),
    # The object's own annotations print as their text, unless a JSON round trip types them first (so the
    # empty text prints "null"); after a strategic merge patch, only timestamps and the empty text still can.
    "own-annotations-json6902": _later("resources: [../base]\npatches:\n" + _JSON_PATCH, _OWN_ANNOTATIONS),
    "own-annotations-patch-then-json6902": _later(
        "resources: [../overlay1]\npatches:\n" + _JSON_PATCH,
        _OWN_ANNOTATIONS,
        overlay1="resources: [../base]\npatches:\n" + _REPLICAS_PATCH,
    ),
    # `[name=x]` creates an element whose key is a created field; later paths match it by its text.
    "created-list-keys": _later(
        "resources: [../base]\npatches:\n"
        + _smp(
            "spec:\n  template:\n    spec:\n      containers:\n      - name: '0x1F'\n        image: patched"
        ),
        _create("word", "spec.template.spec.containers.[name=0x1F].image")
        + _create(
            "hex",
            "spec.template.spec.containers.[name=0x1F].workingDir",
            "spec.template.spec.containers.[name=0x1F].args.[=0x1F]",
            "spec.template.spec.containers.[name=0x1F].args.[=0x1F]",
        ),
    ),
}


@pytest.fixture(scope="module")
def later_built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Built]]:
    tops = {name: write_tree(tmp_path_factory.mktemp(name), tree) / "overlay" for name, tree in LATER.items()}
    return dict(zip(tops, zip(tops.values(), kustomize_many(tops.values()), strict=True), strict=True))


@pytest.mark.parametrize("name", list(LATER))
def test_created_fields_under_later_operations(later_built: dict[str, tuple[Path, Built]], name: str) -> None:
    top, ref = later_built[name]
    assert ref.returncode == 0, ref.stderr
    assert build_yaml(top) == ref.stdout


def test_copy_keeps_created_fields() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": [{"k": 1}]}}
    res = Resource(obj, "x")
    res.created.append(CreatedScalar(obj["data"]["x"][0], "k", 1, "0x1"))
    copy = res.copy()
    rec = copy.created[0]
    assert rec.container is copy.obj["data"]["x"][0] and rec.container is not obj["data"]["x"][0]
    assert (rec.key, rec.value, rec.text) == ("k", 1, "0x1")
