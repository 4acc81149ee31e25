"""kustomize's strategic merge patch, as kyaml's merge2 walker computes it.

kustomize does not use the API server's strategic merge: it walks the target and the patch together with
kyaml's merge2 visitor, asks the builtin v1.21.2 schema (k8s_schema) which lists merge by key, and emits
the result. Its differences from the API server show in output: merged lists put the patch's elements
first (multi-key lists such as ports put the target's elements after the new ones); `$retainKeys`,
`$setElementOrder/...` and `$deleteFromPrimitiveList/...` are not directives but ordinary keys; lists of
custom resources are replaced. So this module reproduces the walker's behaviour, including its element
bookkeeping, rather than the SMP specification.

The walker removes `$patch` keys from the patch as it reads them and splices patch nodes into the result,
so `strategic_merge` consumes its patch; `apply_smp` copies it first.
"""

from __future__ import annotations

from typing import Any, Final

from stackctl import yamlio
from stackctl.errors import PatchError
from stackctl.kustomize import k8s_schema
from stackctl.kustomize.k8s_schema import SchemaNode
from stackctl.model import Obj, copy_tree, yaml_node_kind


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""An absent field (distinct from a field whose value is null)."""


class _MergeError(Exception):
    """A merge that cannot go on; `path` is where in the object, `hint` what to do."""

    def __init__(self, message: str, path: tuple[str, ...], hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.hint = hint


_DIRECTIVE = "$patch"


def strategic_merge(
    target: Obj, patch: Obj, *, file: str | None = None, field: str | None = None
) -> Obj | None:
    """Merge `patch` into `target` (mutating both) and return the result, None if the patch deletes it.

    kyaml merge2 with kustomize's options (patch list elements first). The resource-level bookkeeping of
    kustomize's patch transformers (kept apiVersion, name, kind and namespace) is in `apply_smp`. A patch
    that cannot apply raises PatchError located at `file` and `field` (e.g. `patches[2]`).
    """
    try:
        directive = _directive(patch, (), strict=True)
        if directive == "delete":
            return None
        if directive == "replace":
            # The walker returns the patch as a new node, which kustomize never stores back: a no-op.
            return target
        result = _walk(target, patch, None, ())
    except _MergeError as err:
        where = f" (at {'.'.join(err.path)})" if err.path else ""
        raise PatchError(f"{err.message}{where}", file=file, field=field, hint=err.hint) from None
    if result is MISSING or result is None:
        return None
    if not isinstance(result, dict):
        raise PatchError("the strategic merge did not produce an object", file=file, field=field)
    return result


def apply_smp(
    target: Obj,
    patch: Obj,
    *,
    stringify_metadata: bool,
    allow_name_change: bool = False,
    allow_kind_change: bool = False,
    file: str | None = None,
    field: str | None = None,
) -> Obj | None:
    """Apply a strategic merge patch the way kustomize's patch transformers do.

    The target is modified in place and returned (None when the patch deletes it); the patch is copied
    first. kustomize reads the patch's `metadata.labels` and `metadata.annotations` as string maps (so
    `null` becomes "null", `5` becomes "5" and a map becomes "") for `patchesStrategicMerge` and for
    `patches` entries with a `target`, but not for `patches` entries without one: pass
    `stringify_metadata` accordingly. The target keeps its apiVersion and namespace, and its kind and name
    unless the patch's options allow them to change.
    """
    patch = copy_tree(patch)
    if stringify_metadata:
        _stringify_metadata(patch)
    meta = target.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    namespace = meta.get("namespace") if isinstance(meta, dict) else None
    kind, api_version = target.get("kind"), target.get("apiVersion")
    result = strategic_merge(target, patch, file=file, field=field)
    if not result:
        return None
    _set_or_clear(result, "apiVersion", api_version)
    if not allow_kind_change:
        _set_or_clear(result, "kind", kind)
    new_meta = result.get("metadata")
    if not isinstance(new_meta, dict):
        new_meta = result["metadata"] = {}
    if not allow_name_change:
        _set_or_clear(new_meta, "name", name)
    _set_or_clear(new_meta, "namespace", namespace)
    return result


def _stringify_metadata(patch: Obj) -> None:
    meta = patch.get("metadata")
    if not isinstance(meta, dict):
        return
    for field in ("labels", "annotations"):
        values = meta.get(field)
        if isinstance(values, dict):
            meta[field] = {k: _text(v) for k, v in values.items()}


def _set_or_clear(obj: Obj, key: str, value: Any) -> None:
    if value is None or value == "":
        obj.pop(key, None)
    else:
        obj[key] = value


# --- the walker ----------------------------------------------------------------------------------------


def _is_null(node: Any) -> bool:
    return node is MISSING or node is None


def _text(value: Any) -> str:
    """A scalar as kyaml compares it: the node's text (maps and lists have none)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    return ""


def _check_kinds(expected: type, nodes: tuple[Any, ...], path: tuple[str, ...]) -> None:
    for node in nodes:
        if _is_null(node):
            continue
        is_scalar_expected = expected is object
        ok = (not isinstance(node, dict | list)) if is_scalar_expected else isinstance(node, expected)
        if not ok:
            want = (
                "ScalarNode"
                if is_scalar_expected
                else ("MappingNode" if expected is dict else "SequenceNode")
            )
            raise _MergeError(
                f"wrong node kind: expected {want} but got {yaml_node_kind(node)}",
                path,
                "the patch and the target disagree on whether this field is a map, a list or a scalar",
            )


def _meta_schema(node: Any) -> SchemaNode | None:
    if not isinstance(node, dict):
        return None
    kind, api_version = node.get("kind"), node.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str) or not kind or not api_version:
        return None
    return k8s_schema.resource_schema(api_version, kind)


def _walk(dest: Any, origin: Any, schema: SchemaNode | None, path: tuple[str, ...]) -> Any:
    if origin is MISSING:
        return dest if _is_null(dest) else _settle(dest, schema, path)
    if schema is None:
        schema = _meta_schema(dest) or _meta_schema(origin)
    first = dest if not _is_null(dest) else origin
    if isinstance(first, list):
        _check_kinds(list, (dest, origin), path)
        return _walk_list(dest, origin, schema, path)
    if _is_null(first) or isinstance(first, dict):
        _check_kinds(dict, (dest, origin), path)
        return _walk_map(dest, origin, schema, path)
    _check_kinds(object, (dest, origin), path)
    if origin is MISSING:
        return dest
    if isinstance(dest, str) and origin is not None and not isinstance(origin, str) and _was_quoted(dest):
        # kyaml keeps the target scalar's quoting when the patch's scalar is plain, so the patch's value
        # becomes a string. Only strings that cannot be plain are known to have been quoted.
        return _text(origin)
    return origin


def _settle(dest: Any, schema: SchemaNode | None, path: tuple[str, ...]) -> Any:
    """`_walk` of a target subtree the patch does not touch, without the per-element bookkeeping where it
    cannot change anything: the walker still rebuilds merged lists, dropping empty elements, collapsing
    duplicate keys and letting an element without its key push out the others."""
    if schema is None:
        schema = _meta_schema(dest)
    if isinstance(dest, dict):
        for key, value in dest.items():
            if isinstance(value, dict | list):
                settled = _settle(value, k8s_schema.field_schema(schema, key), (*path, key))
                if settled is not value:
                    dest[key] = settled
        return dest
    if not isinstance(dest, list):
        return dest
    strategy, keys = k8s_schema.patch_strategy(schema)
    if not k8s_schema.is_merge_strategy(strategy):
        return dest
    if not _settled_already(dest, keys):
        return _walk_list(dest, MISSING, schema, path)
    element_schema = k8s_schema.elements_schema(schema)
    for elem in dest:
        if isinstance(elem, dict):
            _settle(elem, element_schema, (*path, "[]"))
    return dest


def _settled_already(lst: list[Any], keys: tuple[str, ...]) -> bool:
    """Whether walking the list against nothing gives it back as it is: every element has every key (or,
    for a set, is a scalar) and no two elements share their key values."""
    seen: set[tuple[str, ...]] = set()
    for elem in lst:
        if keys:
            if not isinstance(elem, dict):
                return False
            values = tuple(_key_text(elem, k) for k in keys)
        elif elem is None or isinstance(elem, dict | list):
            return False
        else:
            values = (_text(elem),)
        if "" in values or values in seen:
            return False
        seen.add(values)
    return True


def _was_quoted(text: str) -> bool:
    return text == "" or yamlio.resolve_plain(text) != text


def _directive(node: Any, path: tuple[str, ...], *, strict: bool) -> str:
    """The `$patch` directive of a patch node, removed from it once recognised."""
    if not isinstance(node, dict) or _DIRECTIVE not in node:
        return "merge"
    value = _text(node[_DIRECTIVE])
    if value in ("delete", "replace", "merge"):
        del node[_DIRECTIVE]
        return value
    if strict:
        raise _MergeError(f"unknown patch strategy '{value}'", path, "$patch may be delete, replace or merge")
    return "unknown"


def _walk_map(dest: Any, origin: Any, schema: SchemaNode | None, path: tuple[str, ...]) -> Any:
    if _is_null(dest):
        if _directive(origin, path, strict=False) == "delete":
            return MISSING
        dest = origin
    elif origin is None:
        return MISSING
    else:
        directive = _directive(origin, path, strict=True)
        if directive == "delete":
            return MISSING
        if directive == "replace":
            dest = origin
    if not isinstance(dest, dict):
        return dest
    src = origin if isinstance(origin, dict) else {}
    for key in sorted(dest.keys() | src.keys()):
        patch_value = src.get(key, MISSING)
        value = _walk(dest.get(key, MISSING), patch_value, k8s_schema.field_schema(schema, key), (*path, key))
        if value is MISSING or (value is None and patch_value is not MISSING):
            dest.pop(key, None)
        else:
            dest[key] = value
    return dest


def _walk_list(dest: Any, origin: Any, schema: SchemaNode | None, path: tuple[str, ...]) -> Any:
    strategy, keys = k8s_schema.patch_strategy(schema)
    if not k8s_schema.is_merge_strategy(strategy):
        return origin if origin is not MISSING else dest
    if _is_null(dest):
        dest = origin
    elif origin is None:
        return MISSING
    else:
        directive = _list_directive(origin, path)
        if directive == "delete":
            return MISSING
        if directive == "replace":
            dest = origin
    if not isinstance(dest, list):
        return dest
    element_schema = k8s_schema.elements_schema(schema)
    sources = [s for s in (origin, dest) if isinstance(s, list)]
    values_list: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    if keys:
        for src in sources:
            for elem in src:
                values = tuple(_key_text(elem, k) for k in keys)
                if values not in seen:
                    seen.add(values)
                    values_list.append(list(values))
        return _merge_elements(values_list, list(keys), dest, origin, element_schema, path)
    for src in sources:
        for elem in src:
            text = _text(elem)
            if (text,) not in seen:
                seen.add((text,))
                values_list.append([text])
    return _merge_elements(values_list, [""], dest, origin, element_schema, path)


def _list_directive(origin: Any, path: tuple[str, ...]) -> str:
    """A merged list's directive: its first element holding `$patch`, if that is all the element holds.

    Every element with the same `$patch` value is then removed from the patch list (with the list's null
    and empty elements, as kyaml's element setter does), even elements that also have keys.
    """
    if not isinstance(origin, list):
        return "merge"
    element = next((e for e in origin if isinstance(e, dict) and _DIRECTIVE in e), None)
    if element is None or len(element) > 1:
        return "merge"
    value = _text(element[_DIRECTIVE])
    if value not in ("delete", "replace", "merge"):
        raise _MergeError(f"unknown patch strategy '{value}'", path, "$patch may be delete, replace or merge")
    _set_element(origin, None, [_DIRECTIVE], [value], path)
    return value


def _key_text(elem: Any, key: str) -> str:
    if not isinstance(elem, dict):
        return ""
    value = elem.get(key)
    if value is None or value == {} or value == []:
        return ""
    return _text(value)


def _match_values(a: list[str], b: list[str]) -> list[str] | None:
    """Two multi-key tuples match if they share a value and differ only where one side is blank."""
    if len(a) != len(b):
        return None
    common = False
    out = []
    for x, y in zip(a, b, strict=True):
        if x == y:
            common = True
            out.append(x)
        elif x and y:
            return None
        else:
            out.append(x or y)
    return out if common else None


def _merge_blank_values(values_list: list[list[str]]) -> None:
    for i in range(len(values_list)):
        first = values_list[i]
        for j in range(len(values_list)):
            merged = _match_values(first, values_list[j])
            if merged is not None:
                values_list[i] = merged
                values_list[j] = merged


def _valid_keys(
    values_list: list[list[str]], values: list[str], keys: list[str]
) -> tuple[list[str], list[str]]:
    """The keys that some element has a value for (all keys if none), with this element's values."""
    present = {keys[i] for vals in values_list for i, v in enumerate(vals) if v != ""}
    if not present:
        return keys, values
    return [k for k in keys if k in present], [v for i, v in enumerate(values) if keys[i] in present]


def _merge_elements(
    values_list: list[list[str]],
    keys: list[str],
    dest: list[Any],
    origin: Any,
    element_schema: SchemaNode | None,
    path: tuple[str, ...],
) -> list[Any]:
    items: list[Any] = []
    if len(keys) > 1:
        _merge_blank_values(values_list)
    valid_keys: list[str] = keys
    for values in values_list:
        if not values:
            continue
        valid_keys, valid_values = _valid_keys(values_list, values, keys)
        match_keys, match_values = _valid_keys([valid_values], valid_values, valid_keys)
        merged = _walk(
            _find_element(dest, match_keys, match_values, path),
            _find_element(origin, match_keys, match_values, path),
            element_schema,
            (*path, "[]"),
        )
        if _is_null(merged) or merged == {}:
            _set_element(dest, None, valid_keys, valid_values, path)
            continue
        if isinstance(merged, dict):
            for key, value in zip(valid_keys, valid_values, strict=True):
                if key and value and key not in merged:
                    merged[key] = value
        _set_element(items, merged, valid_keys, valid_values, path)
    if not values_list:
        return dest
    _append_elements(items, dest, valid_keys, path)
    return items


def _find_element(src: Any, keys: list[str], values: list[str], path: tuple[str, ...]) -> Any:
    """The first element of `src` whose key fields have exactly these texts (MISSING if none)."""
    if not isinstance(src, list):
        return MISSING
    if not keys or not keys[0]:
        for elem in src:
            if _text(elem) == values[0]:
                return elem
        return MISSING
    if len(keys) != len(values):
        raise _MergeError("length of keys must equal length of values", path)
    for elem in src:
        if not isinstance(elem, dict):
            continue
        if all(k in elem and _text(elem[k]) == v for k, v in zip(keys, values, strict=True)):
            return elem
    return MISSING


def _field_matches(elem: Any, key: str, value: str, path: tuple[str, ...]) -> bool:
    if _is_null(elem):
        return False
    if not key:
        if isinstance(elem, dict | list):
            raise _MergeError("wrong node kind: expected ScalarNode", path)
        return _text(elem) == value
    if not isinstance(elem, dict):
        raise _MergeError("wrong node kind: expected MappingNode", path)
    if key not in elem:
        return False
    return value == "" or _text(elem[key]) == value


def _set_element(
    lst: list[Any], element: Any, keys: list[str], values: list[str], path: tuple[str, ...]
) -> None:
    """kyaml's ElementSetter: replace the elements matching the key values with `element` (delete them if
    None), or append it; empty elements are dropped on the way."""
    mapping_setter = bool(keys and keys[0] and values and values[0])
    kept: list[Any] = []
    found_any = False
    for elem in lst:
        if _is_null(elem) or elem == {}:
            continue
        if mapping_setter and not isinstance(elem, dict):
            kept.append(elem)
            continue
        found = bool(values)
        for j, key in enumerate(keys):
            if j < len(values) and not _field_matches(elem, key, values[j], path):
                found = False
                break
        if not found:
            if values:
                kept.append(elem)
            continue
        found_any = True
        if element is not None:
            kept.append(element)
    lst[:] = kept
    if element is not None and not found_any:
        lst.append(element)


def _append_elements(dst: list[Any], src: list[Any], keys: list[str], path: tuple[str, ...]) -> None:
    """Put each element of `src` into `dst`: replacing its match there, else at the end."""
    for elem in src:
        if not keys[0]:
            _set_element(dst, elem, [""], [_text(elem)], path)
            continue
        values: list[str] = []
        for key in keys:
            if not isinstance(elem, dict):
                if _is_null(elem):
                    dst.append(elem)
                    continue
                raise _MergeError("wrong node kind: expected MappingNode", path)
            if key not in elem:
                dst.append(elem)
                continue
            values.append(_text(elem[key]))
        if len(keys) > 1:
            _set_element(dst, None, keys, values, path)
        _set_element(dst, elem, keys, values, path)
