"""JSON 6902 patches with the semantics of the evanphx/json-patch version inside kustomize v5.8.1.

kustomize applies JSON patches with evanphx/json-patch/v5, which departs from RFC 6902 (and from the
`jsonpatch` library) in ways that change output or turn errors into successes, so the operations are
implemented here rather than delegated:

- a missing object key reads as null: `replace` of a missing key adds it, `copy` from a missing key copies
  null, `test` of a missing key against null passes (removing a missing key is still an error);
- array indices go through Go's Atoi: `01` and `+1` are accepted, negative indices count from the end
  (`add` at -1 appends), `-` is only understood by `add`;
- a pointer needs no leading slash (its first segment is dropped), and `~` sequences other than ~0/~1 stay;
- the empty path is only accepted by `replace`, whose value then becomes the whole object (`test` of the
  empty path always fails);
- `add`/`replace` without a value use null, an unknown or missing `op` fails as "Unexpected kind: ...";
- `test` compares numbers by value but keeps booleans, numbers and strings apart.

Operations may be given as JSON (text starting with `[`, which must then be valid JSON) or as YAML, which
kustomize reads with YAML 1.1 rules (go-yaml v2 through sigs.k8s.io/yaml): `yes`/`on`/`y` are booleans, keys
become strings and timestamps stay strings.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from stackctl.errors import PatchError
from stackctl.model import Obj, copy_tree

_ESCAPE = re.compile(r"~[01]")
_GO_INT = re.compile(r"[+-]?[0-9]+")


class _Yaml11Loader(yaml.SafeLoader):
    """PyYAML's YAML 1.1 resolution adjusted to go-yaml v2's: y/n are booleans, numbers follow Go's
    ParseInt (base prefixes, octal 0755, underscores dropped) and ParseFloat (no dot needed), and neither
    timestamps nor base-60 numbers are resolved."""


_DROPPED_TAGS = {"tag:yaml.org,2002:" + t for t in ("timestamp", "int", "float")}
_Yaml11Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml11Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
_Yaml11Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)$"),
    list("-+0123456789"),
)
_Yaml11Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _bool_constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() in ("y", "yes", "true", "on")


def _int_constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        return sign * int(digits, 8)
    return sign * int(digits, 0)


def _float_constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).replace("_", "").lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


_Yaml11Loader.add_constructor("tag:yaml.org,2002:bool", _bool_constructor)
_Yaml11Loader.add_constructor("tag:yaml.org,2002:int", _int_constructor)
_Yaml11Loader.add_constructor("tag:yaml.org,2002:float", _float_constructor)


def _json_keys(value: Any) -> Any:
    """sigs.k8s.io/yaml's YAML-to-JSON step: every map key becomes a string."""
    if isinstance(value, dict):
        return {_key_string(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


def _key_string(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def parse_json6902(text: str, *, file: str, field: str) -> list[dict[str, Any]]:
    """Read a JSON 6902 operation list from JSON or YAML text, as kustomize does."""
    try:
        ops = json.loads(text) if text.startswith("[") else _json_keys(yaml.load(text, Loader=_Yaml11Loader))
    except (ValueError, yaml.YAMLError) as err:
        raise PatchError(
            f"cannot parse JSON 6902 patch: {err}",
            file=file,
            field=field,
            hint="a patch starting with '[' must be valid JSON; otherwise write it as a YAML list",
        ) from err
    if ops is None:
        return []
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise PatchError("a JSON 6902 patch must be a list of operations", file=file, field=field)
    return ops


class _OpError(Exception):
    """An operation that cannot apply; the message is kustomize's."""


def apply_json6902(target: Obj, ops: Any, *, file: str, field: str) -> Obj:
    """Apply JSON 6902 operations to `target` (modified in place when possible) and return the result."""
    if not isinstance(ops, list):
        raise PatchError("a JSON 6902 patch must be a list of operations", file=file, field=field)
    doc: Any = target
    for index, op in enumerate(ops):
        if not isinstance(op, dict):
            raise PatchError(f"operation {index} is not a map", file=file, field=field)
        try:
            doc = _apply_op(doc, op)
        except _OpError as err:
            path = op.get("path")
            where = (
                f"operation {index} ({op.get('op')} {path!r})"
                if isinstance(path, str)
                else f"operation {index}"
            )
            raise PatchError(f"{where}: {err}", file=file, field=field) from None
    if not isinstance(doc, dict):
        raise PatchError("the patched result is not an object", file=file, field=field)
    return doc


def _decode(segment: str) -> str:
    return _ESCAPE.sub(lambda m: "/" if m.group() == "~1" else "~", segment)


def _string_field(op: dict[str, Any], name: str, kind: str) -> str:
    value = op.get(name)
    if not isinstance(value, str):
        what = "path" if name == "path" else "from"
        raise _OpError(f"{kind} operation failed to decode {what}: missing value")
    return value


def _container(doc: Any, path: str) -> tuple[Any, str] | None:
    """The object or array holding the last segment of `path`, and that segment (None if unreachable)."""
    split = path.split("/")
    if len(split) < 2:
        return None
    node = doc
    for part in split[1:-1]:
        try:
            node = _get(node, _decode(part))
        except _OpError:
            return None
        if not isinstance(node, dict | list):
            return None
    return node, _decode(split[-1])


def _index(key: str, length: int, *, extra: int = 0) -> int:
    """Go's Atoi plus evanphx's negative indices; `extra` is 1 for inserting (one past the end is valid)."""
    if not _GO_INT.fullmatch(key):
        raise _OpError(f'strconv.Atoi: parsing "{key}": invalid syntax')
    idx = int(key)
    size = length + extra
    if idx >= size or idx < -size:
        raise _OpError(f"Unable to access invalid index: {idx}: invalid index referenced")
    return idx + size if idx < 0 else idx


def _get(node: Any, key: str) -> Any:
    """The value at `key`; a missing object key reads as None, a bad array index raises."""
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list):
        return node[_index(key, len(node))]
    return None


def _add(con: Any, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
    elif key == "-":
        con.append(value)
    else:
        con.insert(_index(key, len(con), extra=1), value)


def _remove(con: Any, key: str) -> Any:
    if isinstance(con, dict):
        if key not in con:
            raise _OpError(f"Unable to remove nonexistent key: {key}: missing value")
        return con.pop(key)
    return con.pop(_index(key, len(con)))


def _apply_op(doc: Any, op: dict[str, Any]) -> Any:
    kind = op.get("op")
    if not isinstance(kind, str):
        kind = "unknown"
    value = copy_tree(op.get("value"))
    if kind == "add":
        path = _string_field(op, "path", kind)
        found = _container(doc, path)
        if found is None:
            raise _OpError(f'add operation does not apply: doc is missing path: "{path}": missing value')
        try:
            _add(*found, value)
        except _OpError as err:
            raise _OpError(f"error in add for path: '{path}': {err}") from None
    elif kind == "remove":
        path = _string_field(op, "path", kind)
        found = _container(doc, path)
        if found is None:
            raise _OpError(f'remove operation does not apply: doc is missing path: "{path}": missing value')
        try:
            _remove(*found)
        except _OpError as err:
            raise _OpError(f"error in remove for path: '{path}': {err}") from None
    elif kind == "replace":
        path = _string_field(op, "path", kind)
        if path == "":
            if not isinstance(value, dict | list):
                raise _OpError("replace operation value must be object or array")
            return value
        found = _container(doc, path)
        if found is None:
            raise _OpError(f"replace operation does not apply: doc is missing path: {path}: missing value")
        con, key = found
        if isinstance(con, dict):
            con[key] = value
        else:
            try:
                con[_index(key, len(con))] = value
            except _OpError:
                raise _OpError(
                    f"replace operation does not apply: doc is missing key: {path}: missing value"
                ) from None
    elif kind in ("move", "copy"):
        source = _string_field(op, "from", kind)
        found = _container(doc, source)
        if found is None:
            raise _OpError(
                f"{kind} operation does not apply: doc is missing from path: {source}: missing value"
            )
        try:
            moved = _remove(*found) if kind == "move" else copy_tree(_get(*found))
        except _OpError as err:
            where = f"path: '{found[1]}'" if kind == "move" else f"from: '{source}'"
            raise _OpError(f"error in {kind} for {where}: {err}") from None
        path = _string_field(op, "path", kind)
        dest = _container(doc, path)
        if dest is None:
            raise _OpError(
                f"{kind} operation does not apply: doc is missing destination path: {path}: missing value"
            )
        try:
            _add(*dest, moved)
        except _OpError as err:
            if kind == "copy":
                raise _OpError(f"error while adding value during copy: {err}") from None
            raise _OpError(f"error in move for path: '{path}': {err}") from None
    elif kind == "test":
        path = _string_field(op, "path", kind)
        if path == "":
            # evanphx compares the whole document in a form that never equals the value.
            raise _OpError("testing value  failed: test failed")
        found = _container(doc, path)
        if found is None:
            raise _OpError(f"test operation does not apply: is missing path: {path}: missing value")
        try:
            actual = _get(*found)
        except _OpError as err:
            raise _OpError(f"error in test for path: '{path}': {err}") from None
        if not _json_equal(actual, value):
            raise _OpError(f"testing value {path} failed: test failed")
    else:
        raise _OpError(f"Unexpected kind: {kind}")
    return doc


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
