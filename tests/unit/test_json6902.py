"""stackctl.kustomize.json6902 against the real kustomize: each case is an object and a JSON 6902 patch
given as YAML or JSON text; the cases that apply share one kustomization, each failing case gets its own."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from stackctl import yamlio
from stackctl.errors import PatchError
from stackctl.kustomize.json6902 import apply_json6902, parse_json6902
from stackctl.model import Obj, copy_tree
from tests.refkustomize import kustomize_build

FILE = "kustomization.yaml"


def _cm(name: str, **fields: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **fields}


def _ours(base: Obj, text: str, index: int = 0) -> Obj:
    field = f"patches[{index}]"
    return apply_json6902(
        copy_tree(base), parse_json6902(text, file=FILE, field=field), file=FILE, field=field
    )


def _write_tree(root: Path, cases: list[tuple[Obj, str]]) -> None:
    patches = []
    for i, (base, text) in enumerate(cases):
        (root / f"b{i}.yaml").write_text(yamlio.dump_documents([base]))
        (root / f"p{i}.yaml").write_text(text)
        patches.append({"path": f"p{i}.yaml", "target": {"name": base["metadata"]["name"]}})
    kust = {"resources": [f"b{i}.yaml" for i in range(len(cases))], "patches": patches}
    (root / FILE).write_text(json.dumps(kust))


def assert_same_as_kustomize(root: Path, cases: list[tuple[Obj, str]]) -> None:
    _write_tree(root, cases)
    built = kustomize_build(root)
    assert built.returncode == 0, built.stderr
    chunks = {}
    for chunk in re.split(r"(?m)^---\n", built.stdout):
        doc = yamlio.load_documents(chunk, source="kustomize output")[0]
        chunks[doc["metadata"]["name"]] = chunk
    for i, (base, text) in enumerate(cases):
        ours = _ours(base, text, i)
        chunk = chunks[ours["metadata"]["name"]]
        context = f"case {i}\nbase={json.dumps(base)}\npatch:\n{text}"
        assert ours == yamlio.load_documents(chunk, source="kustomize output")[0], context
        assert yamlio.dump_documents([ours]) == chunk, context


def _kustomize_error(root: Path, base: Obj, text: str) -> str:
    root.mkdir()
    _write_tree(root, [(base, text)])
    built = kustomize_build(root)
    assert built.returncode != 0, f"kustomize accepted:\n{text}\n{built.stdout}"
    # Go's rendering of a nil wrapped error is not worth repeating.
    return built.stderr.strip().removeprefix("error: ").removesuffix(": %!w(<nil>)")


def assert_both_fail(root: Path, cases: list[tuple[Obj, str]]) -> None:
    with ThreadPoolExecutor() as pool:
        messages = list(pool.map(lambda ic: _kustomize_error(root / str(ic[0]), *ic[1]), enumerate(cases)))
    for (base, text), message in zip(cases, messages, strict=True):
        with pytest.raises(PatchError) as caught:
            _ours(base, text)
        assert caught.value.file == FILE
        assert caught.value.field == "patches[0]"
        assert message in caught.value.message, text


BASE = _cm(
    "c",
    data={"a": "1", "b": "2"},
    spec={"list": [1, 2, 3], "m": {"x": [1, {"k": 2}], "a/b~c": "s"}, "flag": True, "n": None},
)


def _ops(*ops: dict[str, Any]) -> str:
    return yamlio.dump_documents([{"ops": list(ops)}]).removeprefix("ops:\n")


SUCCESS = [
    _ops({"op": "add", "path": "/data/z", "value": "q"}),
    _ops({"op": "add", "path": "/data/a", "value": 5}),
    _ops({"op": "add", "path": "/data/z"}),
    _ops({"op": "add", "path": "/spec/list/-", "value": 9}),
    _ops({"op": "add", "path": "/spec/list/0", "value": 9}),
    _ops({"op": "add", "path": "/spec/list/3", "value": 9}),
    _ops({"op": "add", "path": "/spec/list/-1", "value": 9}),
    _ops({"op": "add", "path": "/spec/list/-4", "value": 9}),
    _ops({"op": "add", "path": "/spec/list/01", "value": 9}),
    _ops({"op": "add", "path": "/data/0", "value": "digit key"}),
    _ops({"op": "add", "path": "/data/-", "value": "dash key"}),
    _ops({"op": "add", "path": "/spec/m/a~1b~0c", "value": "escaped"}),
    _ops({"op": "add", "path": "/data/a~2", "value": "odd escape"}),
    _ops({"op": "add", "path": "data/q", "value": "no leading slash"}),
    _ops({"op": "add", "path": "/", "value": "empty key"}),
    _ops({"op": "remove", "path": "/data/a"}),
    _ops({"op": "remove", "path": "/spec/list/-1"}),
    _ops({"op": "remove", "path": "/spec/m/x/1/k"}),
    _ops({"op": "replace", "path": "/data/a", "value": {"nested": [1]}}),
    _ops({"op": "replace", "path": "/data/zz", "value": "replace adds"}),
    _ops({"op": "replace", "path": "/spec/list/+1", "value": 7}),
    _ops({"op": "replace", "path": "/spec/list/-3", "value": 7}),
    _ops({"op": "replace", "path": "/data/a", "value": None}),
    _ops({"op": "move", "from": "/data/a", "path": "/data/c"}),
    _ops({"op": "move", "from": "/spec/list/0", "path": "/spec/list/-"}),
    _ops({"op": "move", "from": "/data/a", "path": "/data/a"}),
    _ops(
        {"op": "copy", "from": "/spec/m", "path": "/spec/m2"},
        {"op": "add", "path": "/spec/m2/x/0", "value": 0},
    ),
    _ops({"op": "copy", "from": "/data/zz", "path": "/data/q"}),
    _ops({"op": "test", "path": "/data/a", "value": "1"}, {"op": "add", "path": "/data/t", "value": "ok"}),
    _ops({"op": "test", "path": "/spec/list/0", "value": 1.0}),
    _ops({"op": "test", "path": "/spec/m", "value": {"x": [1, {"k": 2}], "a/b~c": "s"}}),
    _ops({"op": "test", "path": "/data/zz", "value": None}),
    _ops({"op": "test", "path": "/data/zz"}),
    _ops({"op": "test", "path": "/spec/n", "value": None}),
    _ops({"op": "add", "path": "/data/x", "value": "1", "extra": "ignored"}),
    "[]",
    '[{"op": "add", "path": "/data/j", "value": "json"}]',
    # YAML 1.1 as go-yaml v2 reads it
    "- op: add\n  path: /spec/v\n  value: {a: yes, b: y, c: 0755, d: 1e3, e: 2024-01-15}\n",
    "- op: add\n  path: /spec/v\n  value: {f: 0o17, g: 1_000, h: 0x1F, i: .5, j: ~}\n",
    "- op: add\n  path: /spec/v\n  value: {n: 1, on: off, 3: x}\n",
    _ops({"op": "replace", "path": "", "value": _cm("c", data={"whole": "object"})}),
]


def test_operations_match_kustomize(tmp_path: Path) -> None:
    cases = [({**copy_tree(BASE), "metadata": {"name": f"c{i}"}}, text) for i, text in enumerate(SUCCESS)]
    assert_same_as_kustomize(tmp_path, cases)


FAILURES = [
    _ops({"op": "add", "path": "/x/y", "value": 1}),
    _ops({"op": "add", "path": "/spec/list/5", "value": 1}),
    _ops({"op": "add", "path": "/spec/list/-5", "value": 1}),
    _ops({"op": "add", "path": "/data/a/b", "value": 1}),
    _ops({"op": "add", "path": "", "value": {}}),
    _ops({"op": "add", "value": 1}),
    _ops({"op": "remove", "path": "/data/zz"}),
    _ops({"op": "remove", "path": "/spec/list/-"}),
    _ops({"op": "replace", "path": "/spec/list/3", "value": 1}),
    _ops({"op": "replace", "path": "/zz/a", "value": 1}),
    _ops({"op": "move", "from": "/data", "path": "/data/x"}),
    _ops({"op": "copy", "from": "", "path": "/data/self"}),
    _ops({"op": "test", "path": "/data/a", "value": "2"}),
    _ops({"op": "test", "path": "/spec/list/0", "value": True}),
    _ops({"op": "test", "path": "/spec/list/0", "value": "1"}),
    _ops({"op": "test", "path": "/spec/list/-", "value": 3}),
    _ops({"op": "test", "path": "", "value": BASE}),
    _ops({"op": "replace", "path": "", "value": 1}),
    _ops({"op": "move", "from": "", "path": "/x"}),
    _ops({"op": "remove", "path": "/"}),
    _ops({"op": "frob", "path": "/data/a"}),
    _ops({"path": "/data/a"}),
]


def test_failures_match_kustomize(tmp_path: Path) -> None:
    assert_both_fail(tmp_path, [(BASE, text) for text in FAILURES])


def test_error_names_operation_index_and_path() -> None:
    text = _ops({"op": "add", "path": "/data/ok", "value": "1"}, {"op": "remove", "path": "/data/missing"})
    with pytest.raises(PatchError, match=r"operation 1 \(remove '/data/missing'\)") as caught:
        _ours(BASE, text, 3)
    assert caught.value.location == f"{FILE}: patches[3]"


def test_unparsable_patch_text() -> None:
    with pytest.raises(PatchError) as caught:
        parse_json6902("[{op: add, path: /a, value: 1}]", file=FILE, field="patches[0]")
    assert caught.value.field == "patches[0]"


# --- random operations -----------------------------------------------------------------------------------

KEYS = ["a", "b", "c"]
SCALARS = st.one_of(st.sampled_from(["x", "1", "true", ""]), st.integers(-2, 3), st.booleans(), st.none())
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def _pointer(draw: st.DrawFn, doc: Any) -> str:
    """Mostly paths into `doc` (kept under /spec), sometimes one segment off."""
    parts = ["spec"]
    node = doc["spec"]
    while isinstance(node, dict | list) and node and draw(st.integers(0, 2)):
        if isinstance(node, dict):
            key = draw(st.sampled_from(sorted(node)))
            parts.append(key)
            node = node[key]
        else:
            index = draw(st.integers(-len(node), len(node) - 1))
            parts.append(str(index))
            node = node[index]
    if isinstance(node, list):
        parts.append(draw(st.sampled_from(["-", "0", str(len(node)), "-1"])))
    elif isinstance(node, dict):
        parts.append(draw(st.sampled_from(KEYS)))
    return "/" + "/".join(parts)


@st.composite
def _case(draw: st.DrawFn, name: str) -> tuple[Obj, str]:
    base = _cm(name, spec=draw(st.dictionaries(st.sampled_from(KEYS), TREES, min_size=1, max_size=3)))
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]))
        op: dict[str, Any] = {"op": kind, "path": draw(_pointer(base))}
        if kind in ("move", "copy"):
            op["from"] = draw(_pointer(base))
        if kind in ("add", "replace", "test"):
            op["value"] = draw(TREES)
        ops.append(op)
    as_json = draw(st.booleans())
    return base, json.dumps(ops) if as_json else _ops(*ops)


@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(cases=st.tuples(*(_case(f"r{i}") for i in range(40))))
def test_random_operations_match_kustomize(
    tmp_path_factory: pytest.TempPathFactory, cases: tuple[Any, ...]
) -> None:
    applies, fails = [], []
    for base, text in cases:
        try:
            _ours(base, text)
        except PatchError:
            fails.append((base, text))
        else:
            applies.append((base, text))
    assert_same_as_kustomize(tmp_path_factory.mktemp("j6902"), applies)
    failing = tmp_path_factory.mktemp("j6902-fail")
    assert_both_fail(failing, fails[:3])
