"""stackctl.kustomize.smp against the real kustomize: each case is a base object and a strategic merge patch;
many cases share one kustomization (one kubectl run), each case on its own object, applied through one of
kustomize's three ways of giving such a patch."""

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
from stackctl.kustomize.smp import apply_smp, strategic_merge
from stackctl.model import Obj, copy_tree
from tests.refkustomize import kustomize_build

MODES = ("patches", "targeted", "psm")
"""`patches` without a target, `patches` with a target, `patchesStrategicMerge`."""

Case = tuple[Obj, Obj, str]


def _write_tree(root: Path, cases: list[Case]) -> None:
    kust: dict[str, Any] = {"resources": [], "patches": [], "patchesStrategicMerge": []}
    for i, (base, patch, mode) in enumerate(cases):
        # kustomize's own style for the base (strings quoted only where they must be), so a string the
        # merge sees as quoted is one smp can tell was quoted; the patch as JSON.
        (root / f"b{i}.yaml").write_text(yamlio.dump_documents([base]))
        (root / f"p{i}.json").write_text(json.dumps(patch))
        kust["resources"].append(f"b{i}.yaml")
        if mode == "psm":
            kust["patchesStrategicMerge"].append(f"p{i}.json")
        elif mode == "targeted":
            kust["patches"].append({"path": f"p{i}.json", "target": {"name": base["metadata"]["name"]}})
        else:
            kust["patches"].append({"path": f"p{i}.json"})
    (root / "kustomization.yaml").write_text(json.dumps({k: v for k, v in kust.items() if v}))


def _documents(stdout: str) -> dict[tuple[str, str], str]:
    out = {}
    for chunk in re.split(r"(?m)^---\n", stdout):
        if chunk:
            doc = yamlio.load_documents(chunk, source="kustomize output")[0]
            out[(doc["kind"], doc["metadata"]["name"])] = chunk
    return out


def _finish(obj: Obj) -> Obj:
    """What kustomize does to every object on the way out, independent of patches: annotation values are
    printed as strings and an empty annotations map is dropped."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        if meta["annotations"]:
            meta["annotations"] = {k: _annotation_text(v) for k, v in meta["annotations"].items()}
        else:
            del meta["annotations"]
    return obj


def _annotation_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else "null" if value is None else str(value)


def _ours(base: Obj, patch: Obj, mode: str) -> Obj | None:
    result = apply_smp(copy_tree(base), patch, stringify_metadata=mode != "patches")
    return None if result is None else _finish(result)


def assert_same_as_kustomize(tmp_path: Path, cases: list[Case]) -> None:
    _write_tree(tmp_path, cases)
    built = kustomize_build(tmp_path)
    assert built.returncode == 0, built.stderr
    docs = _documents(built.stdout)
    for i, (base, patch, mode) in enumerate(cases):
        chunk = docs.get((base["kind"], base["metadata"]["name"]))
        ours = _ours(base, patch, mode)
        expected = None if chunk is None else yamlio.load_documents(chunk, source="kustomize output")[0]
        context = f"case {i} ({mode})\nbase={json.dumps(base)}\npatch={json.dumps(patch)}"
        assert ours == expected, context
        if ours is not None:
            assert yamlio.dump_documents([ours]) == chunk, context


# --- hand-written cases, one per feature -----------------------------------------------------------------


def _deploy(name: str, pod: dict[str, Any] | None = None, **spec: Any) -> Obj:
    pod_spec = {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}
    pod_spec.update(pod or {})
    meta = spec.pop("metadata", {})
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, **meta},
        "spec": {"template": {"spec": pod_spec}, **spec},
    }


def _deploy_patch(name: str, pod: dict[str, Any] | None = None, **spec: Any) -> Obj:
    meta = spec.pop("metadata", {})
    patch: Obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, **meta}}
    if pod is not None:
        spec["template"] = {"spec": pod}
    if spec:
        patch["spec"] = spec
    return patch


def _cm(name: str, **fields: Any) -> Obj:
    meta = fields.pop("metadata", {})
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}, **fields}


def _feature_cases(prefix: str) -> list[tuple[Obj, Obj]]:
    three = [{"name": n, "image": f"{n}:1"} for n in "abc"]
    ports = [{"containerPort": 80}, {"containerPort": 81, "protocol": "UDP"}, {"containerPort": 82}]
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"{prefix}svc"}}
    cr = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": f"{prefix}cr"}}
    n = f"{prefix}d"
    return [
        # keyed list: patch elements first (in patch order), then untouched originals
        (
            _deploy(n + "0", {"containers": three}),
            _deploy_patch(
                n + "0", {"containers": [{"name": "c", "image": "c:2"}, {"name": "x", "image": "x"}]}
            ),
        ),
        # $patch: delete on a list element, on a map, and on a whole object
        (_deploy(n + "1"), _deploy_patch(n + "1", {"containers": [{"name": "a", "$patch": "delete"}]})),
        (
            _deploy(n + "2", {"securityContext": {"runAsUser": 1}}),
            _deploy_patch(n + "2", {"securityContext": {"$patch": "delete"}}),
        ),
        (_cm(f"{prefix}c0", data={"a": "1"}), {**_cm(f"{prefix}c0"), "$patch": "delete"}),
        # $patch: replace on a map, on a list element, and as a list element of its own
        (
            _cm(f"{prefix}c1", data={"a": "1", "b": "2"}),
            _cm(f"{prefix}c1", data={"$patch": "replace", "c": "3"}),
        ),
        (
            _deploy(n + "3", {"containers": three}),
            _deploy_patch(n + "3", {"containers": [{"name": "b", "image": "q", "$patch": "replace"}]}),
        ),
        (
            _deploy(n + "4", {"containers": three}),
            _deploy_patch(n + "4", {"containers": [{"name": "z", "image": "z"}, {"$patch": "replace"}]}),
        ),
        (_deploy(n + "5"), _deploy_patch(n + "5", {"$patch": "replace", "containers": [{"name": "q"}]})),
        # null deletes a key, a list, a list element's field
        (_deploy(n + "6", replicas=3), _deploy_patch(n + "6", replicas=None)),
        (_deploy(n + "7"), _deploy_patch(n + "7", {"containers": None})),
        (_cm(f"{prefix}c2", data={"a": "1", "b": "2"}), _cm(f"{prefix}c2", data={"a": None, "c": "3"})),
        # multi-key list (containerPort + protocol), with and without the second key
        (
            _deploy(n + "8", {"containers": [{"name": "a", "ports": ports}]}),
            _deploy_patch(
                n + "8",
                {
                    "containers": [
                        {
                            "name": "a",
                            "ports": [
                                {"containerPort": 90},
                                {"containerPort": 82, "name": "x"},
                                {"containerPort": 80, "protocol": "TCP", "name": "y"},
                            ],
                        }
                    ]
                },
            ),
        ),
        (
            {**svc, "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "protocol": "TCP"}]}},
            {
                **svc,
                "spec": {"ports": [{"port": 443, "targetPort": 9443}, {"port": 8443, "protocol": "TCP"}]},
            },
        ),
        # volumes ("merge,retainKeys") merge by name; tolerations (no strategy) are replaced
        (
            _deploy(n + "9", {"volumes": [{"name": "v1", "emptyDir": {}}, {"name": "v2", "emptyDir": {}}]}),
            _deploy_patch(n + "9", {"volumes": [{"name": "v3", "emptyDir": {}}]}),
        ),
        (
            _deploy(n + "10", {"tolerations": [{"key": "k", "operator": "Exists"}]}),
            _deploy_patch(n + "10", {"tolerations": [{"key": "j", "operator": "Exists"}]}),
        ),
        # nested keyed list (env by name) with a null value
        (
            _deploy(n + "11", {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}]}),
            _deploy_patch(
                n + "11",
                {"containers": [{"name": "a", "env": [{"name": "X", "value": None}, {"name": "Y"}]}]},
            ),
        ),
        # primitive set-merge list (finalizers): union, patch values first
        (
            _deploy(n + "12", metadata={"finalizers": ["a", "b"]}),
            _deploy_patch(n + "12", metadata={"finalizers": ["c", "a"]}),
        ),
        # not directives for kustomize: kept as ordinary keys
        (
            _deploy(n + "13", metadata={"finalizers": ["a", "b"]}),
            _deploy_patch(n + "13", metadata={"$deleteFromPrimitiveList/finalizers": ["a"]}),
        ),
        (
            _deploy(n + "14", {"containers": three}),
            _deploy_patch(
                n + "14",
                {
                    "$setElementOrder/containers": [{"name": "c"}, {"name": "a"}],
                    "containers": [{"name": "a"}],
                },
            ),
        ),
        (
            _deploy(n + "15", strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}),
            _deploy_patch(n + "15", strategy={"$retainKeys": ["type"], "type": "Recreate"}),
        ),
        # labels and annotations set to null or to non-strings
        (
            _deploy(n + "16", metadata={"labels": {"x": "1"}, "annotations": {"y": "2"}}),
            _deploy_patch(
                n + "16", metadata={"labels": {"x": None, "n": 5}, "annotations": {"y": None, "t": True}}
            ),
        ),
        # custom resource: maps merge, lists are replaced, nested directives still apply
        (
            {**cr, "spec": {"items": [{"name": "a", "v": 1}, {"name": "b"}], "m": {"x": 1, "y": 2}}},
            {**cr, "spec": {"items": [{"name": "a", "v": 2}], "m": {"x": None, "z": {"$patch": "delete"}}}},
        ),
        # a new map from the patch still has its directives processed
        (
            _deploy(n + "17"),
            _deploy_patch(n + "17", {"affinity": {"nodeAffinity": {"$patch": "delete"}, "podAffinity": {}}}),
        ),
        # a list's own directive: its first `$patch` element, when that is all the element holds
        (
            _deploy(n + "18", {"containers": [{"name": "c", "env": [{"name": "x"}]}]}),
            _deploy_patch(
                n + "18", {"containers": [{"name": "c", "env": [{"name": "z"}, {"$patch": "delete"}]}]}
            ),
        ),
        (
            _deploy(n + "19", {"containers": [{"name": "c", "env": [{"name": "x"}]}]}),
            _deploy_patch(
                n + "19",
                {
                    "containers": [
                        {"name": "c", "env": [{"$patch": "merge"}, {"name": "x", "$patch": "merge"}]}
                    ]
                },
            ),
        ),
        (
            _deploy(n + "20", {"containers": [{"name": "c", "env": [{"name": "x"}]}]}),
            _deploy_patch(
                n + "20", {"containers": [{"name": "c", "env": [{"$patch": "replace"}, {"name": "z"}]}]}
            ),
        ),
        # ... which is not looked for in a list the target lacks
        (
            _deploy(n + "21", {"containers": [{"name": "c"}]}),
            _deploy_patch(n + "21", {"containers": [{"name": "c", "env": [{"$patch": "merge"}]}]}),
        ),
        # elements without their merge key
        (
            _deploy(n + "22", {"containers": [{"name": "c", "env": [{"name": "x"}, {"value": "a"}]}]}),
            _deploy_patch(n + "22", {"containers": [{"name": "c", "env": [{"name": "n"}]}]}),
        ),
        (
            _deploy(n + "23", {"containers": [{"name": "c", "env": [{"name": "x"}]}]}),
            _deploy_patch(n + "23", {"containers": [{"name": "c", "env": [{"value": "v"}, {"name": "n"}]}]}),
        ),
        # a null the patch does not mention stays; `$patch: replace` on the whole object does nothing
        (_cm(f"{prefix}c3", data={"a": "1"}, x=None, m={"k": None}), _cm(f"{prefix}c3", m={"j": "1"})),
        (_cm(f"{prefix}c4", data={"a": "1"}), {**_cm(f"{prefix}c4", data={"b": "2"}), "$patch": "replace"}),
        # a plain patch scalar over a string that had to be quoted stays a string
        (
            _cm(f"{prefix}c5", data={"a": "1"}, spec={"n": "2", "t": "true", "s": "x"}),
            _cm(f"{prefix}c5", spec={"n": 3, "t": False, "s": 4}),
        ),
    ]


def test_features_match_kustomize(tmp_path: Path) -> None:
    cases = [(b, p, mode) for mode in MODES for b, p in _feature_cases(mode[:3])]
    assert_same_as_kustomize(tmp_path, cases)


def test_targeted_patch_keeps_target_identity_unless_allowed(tmp_path: Path) -> None:
    bases, patches = [], []
    options: list[dict[str, bool]] = [{}, {"allowNameChange": True}, {"allowKindChange": True}]
    for i in range(len(options)):
        bases.append(_deploy(f"t{i}", metadata={"namespace": "n1"}, replicas=1))
        patch = {
            "apiVersion": "batch/v9",
            "kind": "Job",
            "metadata": {"name": f"other{i}", "namespace": "n2"},
            "spec": {"replicas": 2},
        }
        patches.append(patch)
        (tmp_path / f"p{i}.json").write_text(json.dumps(patch))
    (tmp_path / "b.json").write_text("\n---\n".join(json.dumps(b) for b in bases))
    kust = {
        "resources": ["b.json"],
        "patches": [
            {"path": f"p{i}.json", "target": {"name": f"t{i}"}, **({"options": o} if o else {})}
            for i, o in enumerate(options)
        ],
    }
    (tmp_path / "kustomization.yaml").write_text(json.dumps(kust))
    built = kustomize_build(tmp_path)
    assert built.returncode == 0, built.stderr
    expected = sorted(
        (json.dumps(d, sort_keys=True) for d in yamlio.load_documents(built.stdout, source="out")), key=str
    )
    ours = []
    for base, patch, opts in zip(bases, patches, options, strict=True):
        result = apply_smp(
            base,
            patch,
            stringify_metadata=True,
            allow_name_change=opts.get("allowNameChange", False),
            allow_kind_change=opts.get("allowKindChange", False),
        )
        assert result is not None
        ours.append(json.dumps(result, sort_keys=True))
    assert sorted(ours, key=str) == expected


ERROR_CASES = [
    (_cm("e0", data={"a": "1"}), _cm("e0", data={"$patch": "frob"}), "unknown patch strategy 'frob'"),
    (_cm("e1", data={"a": "1"}), _cm("e1", data="text"), "wrong node kind"),
    (_deploy("e2"), _deploy_patch("e2", {"containers": {"name": "a"}}), "wrong node kind"),
]


def _kustomize_error(root: Path, base: Obj, patch: Obj) -> str:
    root.mkdir()
    _write_tree(root, [(base, patch, "patches")])
    built = kustomize_build(root)
    assert built.returncode != 0, built.stdout
    return built.stderr


def test_errors_match_kustomize(tmp_path: Path) -> None:
    with ThreadPoolExecutor() as pool:
        stderrs = list(
            pool.map(lambda ic: _kustomize_error(tmp_path / str(ic[0]), *ic[1][:2]), enumerate(ERROR_CASES))
        )
    for (base, patch, phrase), stderr in zip(ERROR_CASES, stderrs, strict=True):
        assert phrase in stderr
        with pytest.raises(PatchError, match=re.escape(phrase)) as caught:
            strategic_merge(copy_tree(base), copy_tree(patch), file="kustomization.yaml", field="patches[0]")
        assert caught.value.location == "kustomization.yaml: patches[0]"


# --- random bases and patches ----------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "c", "d"])
SCALARS = st.one_of(st.sampled_from(["x", "y1", "", "z z"]), st.integers(0, 3), st.booleans())


def _unique_by(elements: st.SearchStrategy[dict[str, Any]], key: str) -> st.SearchStrategy[list[Any]]:
    return st.lists(elements, max_size=4, unique_by=lambda e: e.get(key))


def _env(names: st.SearchStrategy[str] = NAMES) -> st.SearchStrategy[list[Any]]:
    return _unique_by(st.fixed_dictionaries({"name": names}, optional={"value": SCALARS.map(str)}), "name")


def _ports() -> st.SearchStrategy[list[Any]]:
    port = st.fixed_dictionaries(
        {"containerPort": st.sampled_from([80, 81, 82])},
        optional={"protocol": st.sampled_from(["TCP", "UDP"]), "name": st.sampled_from(["p", "q"])},
    )
    return st.lists(port, max_size=3, unique_by=lambda p: (p["containerPort"], p.get("protocol")))


def _container(patch: bool) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, Any] = {
        "image": st.sampled_from(["i:1", "i:2"]),
        "env": _env(),
        "ports": _ports(),
        "args": st.lists(st.sampled_from(["-v", "-q"]), max_size=2),
    }
    if patch:
        optional["$patch"] = st.sampled_from(["delete", "replace", "merge"])
        optional["image"] = st.one_of(st.none(), optional["image"])
    return st.fixed_dictionaries({"name": NAMES}, optional=optional)


def _pod(patch: bool) -> st.SearchStrategy[dict[str, Any]]:
    volume = st.fixed_dictionaries({"name": NAMES}, optional={"emptyDir": st.just({})})
    optional: dict[str, Any] = {
        "volumes": _unique_by(volume, "name"),
        "tolerations": st.lists(st.fixed_dictionaries({"key": NAMES}), max_size=2),
        "nodeSelector": st.dictionaries(NAMES, SCALARS.map(str), max_size=2),
    }
    if patch:
        optional["nodeSelector"] = st.one_of(
            st.none(), st.dictionaries(NAMES, st.one_of(st.none(), SCALARS.map(str)), max_size=2)
        )
    return st.fixed_dictionaries({"containers": _unique_by(_container(patch), "name")}, optional=optional)


@st.composite
def _deployment_case(draw: st.DrawFn, name: str) -> tuple[Obj, Obj]:
    labels = st.dictionaries(NAMES, SCALARS.map(str), max_size=2)
    base = _deploy(
        name, draw(_pod(False)), replicas=draw(st.integers(1, 3)), metadata={"labels": draw(labels)}
    )
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        spec["replicas"] = draw(st.one_of(st.none(), st.integers(1, 3)))
    meta = {"labels": draw(st.dictionaries(NAMES, st.one_of(st.none(), SCALARS), max_size=2))}
    patch = _deploy_patch(name, draw(_pod(True)), metadata=meta, **spec)
    return base, patch


@st.composite
def _service_case(draw: st.DrawFn, name: str) -> tuple[Obj, Obj]:
    def ports(patch: bool) -> st.SearchStrategy[list[Any]]:
        optional: dict[str, Any] = {
            "protocol": st.sampled_from(["TCP", "UDP"]),
            "targetPort": st.integers(1, 3),
        }
        if patch:
            optional["$patch"] = st.sampled_from(["delete", "replace"])
        port = st.fixed_dictionaries({"port": st.sampled_from([80, 443])}, optional=optional)
        return st.lists(port, max_size=3, unique_by=lambda p: (p["port"], p.get("protocol")))

    head = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}}
    base = {**head, "spec": {"ports": draw(ports(False)), "selector": draw(st.dictionaries(NAMES, NAMES))}}
    sel = st.dictionaries(NAMES, st.one_of(st.none(), NAMES), max_size=2)
    return base, {**head, "spec": {"ports": draw(ports(True)), "selector": draw(sel)}}


@st.composite
def _configmap_case(draw: st.DrawFn, name: str) -> tuple[Obj, Obj]:
    base = _cm(name, data=draw(st.dictionaries(NAMES, SCALARS.map(str), max_size=3)))
    data: dict[str, Any] = draw(st.dictionaries(NAMES, st.one_of(st.none(), SCALARS.map(str)), max_size=3))
    if draw(st.booleans()):
        data["$patch"] = draw(st.sampled_from(["replace", "merge", "delete"]))
    patch = _cm(name, data=data)
    if draw(st.integers(0, 9)) == 0:
        patch["$patch"] = "delete"
    return base, patch


def _cr_tree(patch: bool, depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Keys say the value's shape (s: scalar, l: list, m: map) so base and patch never disagree on it."""
    nullable: Any = (lambda s: st.one_of(st.none(), s)) if patch else (lambda s: s)
    optional: dict[str, Any] = {
        "s1": nullable(SCALARS),
        "s2": nullable(SCALARS),
        "l1": nullable(st.lists(SCALARS, max_size=2)),
        "l2": nullable(st.lists(st.fixed_dictionaries({"name": NAMES}), max_size=2)),
    }
    if depth:
        optional["m1"] = nullable(_cr_tree(patch, depth - 1))
        optional["m2"] = nullable(_cr_tree(patch, depth - 1))
    if patch:
        optional["$patch"] = st.sampled_from(["delete", "replace", "merge"])
    return st.fixed_dictionaries({}, optional=optional)


@st.composite
def _custom_case(draw: st.DrawFn, name: str) -> tuple[Obj, Obj]:
    head = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}}
    return {**head, "spec": draw(_cr_tree(False))}, {**head, "spec": draw(_cr_tree(True))}


def _odd_list(keys: dict[str, list[Any]], patch: bool) -> st.SearchStrategy[list[Any]]:
    """Lists with missing keys, duplicates, nulls, empty maps and `$patch` elements."""
    optional: dict[str, Any] = {k: st.sampled_from(v) for k, v in keys.items()}
    optional["v"] = st.one_of(SCALARS, st.none())
    if patch:
        optional["$patch"] = st.sampled_from(["delete", "replace", "merge"])
    element = st.fixed_dictionaries({}, optional=optional)
    return st.lists(element if patch else st.one_of(element, st.none()), max_size=4)


@st.composite
def _odd_case(draw: st.DrawFn, name: str) -> tuple[Obj, Obj]:
    def pod(patch: bool) -> st.SearchStrategy[dict[str, Any]]:
        optional: dict[str, Any] = {
            "name": st.sampled_from(["a", "b", "c"]),
            "ports": _odd_list({"containerPort": [80, 81], "protocol": ["TCP", "UDP"]}, patch),
            "env": _odd_list({"name": ["a", "b"]}, patch),
        }
        if patch:
            optional["$patch"] = st.sampled_from(["delete", "replace"])
        container = st.fixed_dictionaries({}, optional=optional)
        pod_lists = {"volumes": _odd_list({"name": ["a", "b"]}, patch)}
        return st.fixed_dictionaries({"containers": st.lists(container, max_size=4)}, optional=pod_lists)

    finalizers = st.lists(st.one_of(st.sampled_from(["a", "b", "c"]), st.none()), max_size=4)
    base = _deploy(name, draw(pod(False)), metadata={"finalizers": draw(finalizers)})
    return base, _deploy_patch(name, draw(pod(True)), metadata={"finalizers": draw(finalizers)})


@st.composite
def _batch(draw: st.DrawFn) -> list[Case]:
    makers = [_deployment_case, _service_case, _configmap_case, _custom_case, _odd_case]
    cases = []
    for i in range(30):
        base, patch = draw(makers[i % len(makers)](f"r{i}"))
        cases.append((base, patch, MODES[(i // len(makers)) % len(MODES)]))
    return cases


@settings(
    max_examples=4,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(cases=_batch())
def test_random_patches_match_kustomize(tmp_path_factory: pytest.TempPathFactory, cases: list[Case]) -> None:
    assert_same_as_kustomize(tmp_path_factory.mktemp("smp"), cases)
