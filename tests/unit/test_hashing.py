"""Hash suffixes against the real kustomize, over many data sets.

Each case generates objects and, where kustomize needs a patch to reach a shape (stringData, typed data
values, a removed `type`), applies the same edit to stackctl's objects directly; the resulting names must
be kustomize's.
"""

from __future__ import annotations

import json
import math
import random
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stackctl.errors import KustomizeError
from stackctl.kustomize.hashing import add_hash_suffixes, hash_suffix
from stackctl.kustomize.resource import Resource
from stackctl.yamlio import load_documents
from tests.refkustomize import Built
from tests.unit.test_generators import FIFO, DirSource, build, kustomize_many, write_tree

Edit = Callable[[list[Resource], dict[str, Any], DirSource], None]


def _set(name: str, path: list[str], value: Any) -> Edit:
    def edit(resources: list[Resource], kust: dict[str, Any], src: DirSource) -> None:
        for res in resources:
            if res.name == name:
                node = res.obj
                for key in path[:-1]:
                    node = node.setdefault(key, {})
                node[path[-1]] = value

    return edit


def _remove(name: str, key: str) -> Edit:
    def edit(resources: list[Resource], kust: dict[str, Any], src: DirSource) -> None:
        for res in resources:
            if res.name == name:
                res.obj.pop(key, None)

    return edit


def _chain(*edits: Edit) -> Edit:
    def edit(resources: list[Resource], kust: dict[str, Any], src: DirSource) -> None:
        for one in edits:
            one(resources, kust, src)

    return edit


def _json_patch(kind: str, name: str, ops: str) -> str:
    body = textwrap.indent(textwrap.dedent(ops).strip(), "    ")
    return f"patches:\n- target: {{kind: {kind}, name: {name}}}\n  patch: |-\n{body}\n"


def _kust(generators: str, patch: str = "") -> str:
    return textwrap.dedent(generators).lstrip("\n") + patch


CASES: dict[str, tuple[dict[str, str | bytes], Edit | None]] = {
    "unicode-and-html": (
        {
            "kustomization.yaml": _kust(
                """
                configMapGenerator:
                - name: uni
                  literals:
                  - accents=Ça va? Größe
                  - cjk=中文字符
                  - emoji=🚀 launch
                  - html=<a href='x'>&amp;</a>
                  - quote=say "hi"
                  - backslash=C:\\path
                  - "sep=a\u2028b\u2029c"
                  files: [ctl]
                """
            ),
            "ctl": b"\x08back\x0cform\x01one\x1fus\ttab\r\n\x00nul",
        },
        None,
    ),
    "empty-configmap": ({"kustomization.yaml": "configMapGenerator:\n- name: empty\n"}, None),
    "same-data-same-hash": (
        {
            "kustomization.yaml": _kust(
                """
                namePrefix: pre-
                configMapGenerator:
                - name: one
                  literals: [k=v]
                  options: {labels: {a: b}, annotations: {c: d}}
                - name: two
                  namespace: other
                  literals: [k=v]
                """
            )
        },
        None,
    ),
    "binary-data": (
        {
            "kustomization.yaml": "configMapGenerator:\n- {name: onlybin, files: [b]}\n"
            "- {name: both, files: [b, t]}\n",
            "b": b"\xff\xfe" * 40,
            "t": "text",
        },
        None,
    ),
    "multiline": (
        {
            "kustomization.yaml": "configMapGenerator:\n- name: ml\n  files: [app.properties]\n",
            "app.properties": "".join(f"key{i}=value {i} with spaces\n" for i in range(200)),
        },
        None,
    ),
    "secret-types": (
        {
            "kustomization.yaml": _kust(
                """
                secretGenerator:
                - {name: opaque, literals: [a=1]}
                - {name: tls, type: kubernetes.io/tls, literals: [tls.crt=1, tls.key=2]}
                - {name: custom, type: example.com/x, literals: [a=1]}
                - {name: empty}
                """
            )
        },
        None,
    ),
    "secret-stringdata": (
        {
            "kustomization.yaml": _kust(
                "secretGenerator:\n- {name: sd, literals: [a=1]}\n",
                _json_patch(
                    "Secret", "sd", "- {op: add, path: /stringData, value: {plain: text, html: '<&>'}}"
                ),
            )
        },
        _set("sd", ["stringData"], {"plain": "text", "html": "<&>"}),
    ),
    "secret-no-type": (
        {
            "kustomization.yaml": _kust(
                "secretGenerator:\n- {name: notype, literals: [a=1]}\n",
                _json_patch("Secret", "notype", "- {op: remove, path: /type}"),
            )
        },
        _remove("notype", "type"),
    ),
    "configmap-empty-data-map": (
        {
            "kustomization.yaml": _kust(
                "configMapGenerator:\n- {name: em}\n",
                _json_patch(
                    "ConfigMap",
                    "em",
                    "- {op: add, path: /data, value: {}}\n- {op: add, path: /binaryData, value: {}}",
                ),
            )
        },
        _chain(_set("em", ["data"], {}), _set("em", ["binaryData"], {})),
    ),
    "typed-data-values": (
        {
            "kustomization.yaml": _kust(
                "configMapGenerator:\n- {name: typed, literals: [s=x]}\n",
                _json_patch(
                    "ConfigMap",
                    "typed",
                    """
                    - {op: add, path: /data/int, value: 5}
                    - {op: add, path: /data/float, value: 1.5}
                    - {op: add, path: /data/whole, value: 100.0}
                    - {op: add, path: /data/big, value: 1.0e+21}
                    - {op: add, path: /data/small, value: 1.0e-7}
                    - {op: add, path: /data/bool, value: true}
                    - {op: add, path: /data/map, value: {b: 2, a: [1, "x"]}}
                    """,
                ),
            )
        },
        _chain(
            _set("typed", ["data", "int"], 5),
            _set("typed", ["data", "float"], 1.5),
            _set("typed", ["data", "whole"], 100.0),
            _set("typed", ["data", "big"], 1.0e21),
            _set("typed", ["data", "small"], 1.0e-7),
            _set("typed", ["data", "bool"], True),
            _set("typed", ["data", "map"], {"b": 2, "a": [1, "x"]}),
        ),
    ),
    "patched-data-changes-hash": (
        {
            "kustomization.yaml": _kust(
                "configMapGenerator:\n- {name: p, literals: [a=1]}\n",
                _json_patch("ConfigMap", "p", "- {op: replace, path: /data/a, value: '2'}"),
            )
        },
        _set("p", ["data", "a"], "2"),
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Built]]:
    roots = {}
    for name, (files, _edit) in CASES.items():
        tree = dict(files)
        tree["kustomization.yaml"] = str(tree["kustomization.yaml"]) + FIFO
        roots[name] = write_tree(tmp_path_factory.mktemp(name), tree)
    return dict(zip(roots, zip(roots.values(), kustomize_many(roots.values()), strict=True), strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_names_match_kustomize(built: dict[str, tuple[Path, Built]], name: str) -> None:
    root, ref = built[name]
    assert ref.returncode == 0, ref.stderr
    want = [(o["kind"], o["metadata"]["name"]) for o in load_documents(ref.stdout, source="kustomize")]
    got = [(o["kind"], o["metadata"]["name"]) for o in build(root, CASES[name][1])]
    assert got == want


def test_add_hash_suffixes_records_the_previous_id_and_skips_the_rest() -> None:
    hashed = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, "x")
    hashed.needs_hash = True
    plain = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}, "x")
    before = hashed.id
    add_hash_suffixes([hashed, plain])
    assert hashed.name == f"c-{hash_suffix(hashed.obj)}"
    assert hashed.prev_ids == [before]
    assert plain.name == "d" and plain.prev_ids == []


def test_hash_ignores_name_namespace_labels_and_annotations() -> None:
    base = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": {"a": "MQ=="}}
    meta = {"name": "n", "namespace": "ns", "labels": {"a": "b"}, "annotations": {"c": "d"}}
    other = {**base, "metadata": meta}
    assert hash_suffix({**base, "metadata": {"name": "m"}}) == hash_suffix(other)


_ALPHABET = "abcXYZ019 _-.:=/\"'\\<>&é中🚀\u2028\u2029\t\n\x01\x1f{}[]#!%*|?,"


def test_random_literal_sets_hash_like_kustomize(tmp_path: Path) -> None:
    """Seeded random data sets, all in one kustomization (one kustomize run)."""
    rng = random.Random(20250101)
    entries = []
    for i in range(80):
        literals = []
        for j in range(rng.randint(0, 5)):
            value = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12)))
            literals.append(f"k{j}{rng.choice(['', '.x', '_y', '-Z'])}={value}")
        kind = rng.choice(["configMapGenerator", "secretGenerator"])
        entry: dict[str, Any] = {"name": f"g{i}", "literals": literals}
        if kind == "secretGenerator" and rng.random() < 0.3:
            entry["type"] = rng.choice(["kubernetes.io/tls", "x/<&>", ""])
        entries.append((kind, entry))
    kust = {
        "configMapGenerator": [e for k, e in entries if k == "configMapGenerator"],
        "secretGenerator": [e for k, e in entries if k == "secretGenerator"],
        "sortOptions": {"order": "fifo"},
    }
    # JSON is YAML, as long as the line separators YAML would break lines at stay escaped.
    text = json.dumps(kust, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    write_tree(tmp_path, {"kustomization.yaml": text})
    (ref,) = kustomize_many([tmp_path])
    assert ref.returncode == 0, ref.stderr
    want = [o["metadata"]["name"] for o in load_documents(ref.stdout, source="kustomize")]
    assert [o["metadata"]["name"] for o in build(tmp_path)] == want


def test_unhashable_float_is_a_build_error() -> None:
    res = Resource(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"x": math.inf}}, "f"
    )
    res.needs_hash = True
    with pytest.raises(KustomizeError, match="cannot hash ConfigMap/c"):
        add_hash_suffixes([res])
