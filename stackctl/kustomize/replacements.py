"""kustomize `replacements`: copy a field of one object into fields of others.

Replacements run last among a kustomization's transformers and their results feed hashes and name
references, so they follow kustomize v5.8.1 as measured against the real binary (api/filters/replacement,
kyaml PathGetter/PathMatcher): sources are looked up with exact list matching, targets with regular-expression
list matching and `*` over list items; a scalar target keeps its own type and takes only the source's text,
failing the way kustomize's YAML decoder fails when that text is not of the target's type. Fields created by
`options.create` are untagged nodes in kyaml: they take the type their text reads as, take any text a later
replacement writes, and become strings of their text when a later strategic merge patch walks them
(`Resource.created` keeps them; `hold_created`/`settle_created` run around each such patch).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from stackctl.errors import KustomizeError
from stackctl.kustomize import k8s_schema
from stackctl.kustomize.k8s_schema import is_namespaced
from stackctl.kustomize.loader import FileSource
from stackctl.kustomize.resource import CreatedScalar, Resource
from stackctl.kustomize.selector import parse_label_selector
from stackctl.model import ResId, copy_tree, yaml_node_kind
from stackctl.yamlio import resolve_plain

DEFAULT_FIELD_PATH = "metadata.name"

_ID_FIELDS = ("group", "version", "kind", "name", "namespace")
_SELECTOR_FIELDS = (*_ID_FIELDS, "labelSelector", "annotationSelector")
_OPTION_FIELDS = ("delimiter", "index", "encoding", "create")


class _Fail(Exception):
    """A replacement error before the replacement's location is known."""


@dataclass
class _Options:
    delimiter: str = ""
    index: int = 0
    create: bool = False


@dataclass
class _Source:
    rid: dict[str, str]
    field_path: str
    options: _Options


@dataclass
class _Selector:
    rid: dict[str, str]
    labels: str = ""
    annotations: str = ""

    @property
    def id_empty(self) -> bool:
        return not any(self.rid.values())


@dataclass
class _Target:
    select: _Selector | None
    reject: list[_Selector]
    field_paths: list[str]
    options: _Options


@dataclass
class _Replacement:
    source: _Source | None
    targets: list[_Target]
    where: str
    """Field path of the entry, for messages: `replacements[1]` or `replacements[1].path[0]`."""
    # compiled regular expressions and label selectors, by their text
    cache: dict[str, Any] = field(default_factory=dict)


def apply_replacements(
    resources: list[Resource], replacements: list[Any], src: FileSource, *, field: str = "replacements"
) -> None:
    """Apply a kustomization's `replacements` entries, in order, to `resources`.

    Entries are inline replacements or `path:` entries naming a file with one replacement or a list of them;
    every entry is read and checked before any is applied, as kustomize does.
    """
    loaded = _load(replacements, src, field)
    for rep in loaded:
        try:
            _apply(resources, rep, src)
        except _Fail as exc:
            raise KustomizeError(str(exc), file=src.kfile, field=rep.where) from None


# -- loading ------------------------------------------------------------------------------------------------


def _load(entries: list[Any], src: FileSource, field: str) -> list[_Replacement]:
    if not isinstance(entries, list):
        raise KustomizeError("expected a list of replacements", file=src.kfile, field=field)
    out: list[_Replacement] = []
    for i, entry in enumerate(entries):
        where = f"{field}[{i}]"
        try:
            fields = _fields(entry, ("path", "source", "targets"), strict=True)
            path = _string(fields.get("path"), "path")
            has_inline = fields.get("source") is not None or bool(fields.get("targets"))
            if path and has_inline:
                raise _Fail("cannot specify both path and inline replacement")
            if not path:
                out.append(_parse_replacement(fields, where, strict=True))
                continue
        except _Fail as exc:
            raise KustomizeError(str(exc), file=src.kfile, field=where) from None
        out.extend(_load_file(path, src, f"{where}.path"))
    return out


def _load_file(path: str, src: FileSource, where: str) -> list[_Replacement]:
    content = src.read_bytes(path, field=where)
    try:
        # kustomize reads replacement files with sigs.k8s.io/yaml: YAML 1.1, first document only.
        doc = next(iter(yaml.load_all(content, Loader=_SafeLoader)), None)
    except yaml.YAMLError as exc:
        raise KustomizeError(f"{path}: invalid YAML: {exc}", file=src.kfile, field=where) from None
    try:
        if isinstance(doc, list):
            return [
                _parse_replacement(
                    _fields(item, ("source", "targets"), strict=False), f"{where}[{i}]", strict=False
                )
                for i, item in enumerate(doc)
            ]
        if isinstance(doc, dict):
            return [
                _parse_replacement(_fields(doc, ("source", "targets"), strict=False), where, strict=False)
            ]
        kind = "string" if isinstance(doc, str) else "invalid" if doc is None else type(doc).__name__
        raise _Fail(f"unsupported replacement type encountered within replacement path: {kind}")
    except _Fail as exc:
        raise KustomizeError(f"{path}: {exc}", file=src.kfile, field=where) from None


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_replacement(fields: dict[str, Any], where: str, *, strict: bool) -> _Replacement:
    source = None
    raw_source = fields.get("source")
    if raw_source is not None:
        sf = _fields(raw_source, (*_ID_FIELDS, "fieldPath", "options"), strict=strict, at="source")
        source = _Source(
            {k: _string(sf.get(k), f"source.{k}") for k in _ID_FIELDS},
            _string(sf.get("fieldPath"), "source.fieldPath"),
            _parse_options(sf.get("options"), "source.options", strict),
        )
    targets: list[_Target] = []
    for ti, raw in enumerate(_list(fields.get("targets"), "targets")):
        at = f"targets[{ti}]"
        tf = _fields(raw, ("select", "reject", "fieldPaths", "options"), strict=strict, at=at)
        select = None if tf.get("select") is None else _parse_selector(tf["select"], f"{at}.select", strict)
        reject = [
            _parse_selector(r, f"{at}.reject[{ri}]", strict)
            for ri, r in enumerate(_list(tf.get("reject"), f"{at}.reject"))
        ]
        paths = [_string(p, f"{at}.fieldPaths[{pi}]") for pi, p in enumerate(_list(tf.get("fieldPaths"), at))]
        targets.append(
            _Target(select, reject, paths, _parse_options(tf.get("options"), f"{at}.options", strict))
        )
    return _Replacement(source, targets, where)


def _parse_selector(raw: Any, at: str, strict: bool) -> _Selector:
    sf = _fields(raw, _SELECTOR_FIELDS, strict=strict, at=at)
    return _Selector(
        {k: _string(sf.get(k), f"{at}.{k}") for k in _ID_FIELDS},
        _string(sf.get("labelSelector"), f"{at}.labelSelector"),
        _string(sf.get("annotationSelector"), f"{at}.annotationSelector"),
    )


def _parse_options(raw: Any, at: str, strict: bool) -> _Options:
    of = _fields(raw, _OPTION_FIELDS, strict=strict, at=at)
    index = of.get("index")
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise _Fail(f"{at}.index: expected an integer")
    create = of.get("create")
    if create is not None and not isinstance(create, bool):
        raise _Fail(f"{at}.create: expected true or false")
    _string(of.get("encoding"), f"{at}.encoding")
    return _Options(_string(of.get("delimiter"), f"{at}.delimiter"), index or 0, bool(create))


def _fields(value: Any, allowed: tuple[str, ...], *, strict: bool, at: str = "") -> dict[str, Any]:
    """Decode a mapping as Go's encoding/json does: case-insensitive names, null is the zero value."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Fail(f"{at + ': ' if at else ''}expected a mapping")
    by_lower = {name.lower(): name for name in allowed}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = key if key in allowed else by_lower.get(str(key).lower())
        if name is None:
            if strict:
                raise _Fail(f"unknown field {(at + '.' if at else '') + str(key)!r}")
            continue
        out[name] = item
    return out


def _string(value: Any, at: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Fail(f"{at}: expected a string")
    return value


def _list(value: Any, at: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Fail(f"{at}: expected a list")
    return value


# -- applying -----------------------------------------------------------------------------------------------


def _apply(resources: list[Resource], rep: _Replacement, src: FileSource) -> None:
    if rep.source is None or not rep.targets:
        raise _Fail("replacements must specify a source and at least one target")
    value = _source_value(resources, rep.source)
    for ti, target in enumerate(rep.targets):
        if target.select is None:
            raise _Fail(f"targets[{ti}]: target must specify resources to select")
        paths = target.field_paths or [DEFAULT_FIELD_PATH]
        for res in resources:
            if _selects(res, target, src, rep, ti):
                for path in paths:
                    _write(res, path, value, target.options)


@dataclass
class _Value:
    """A replacement value: the data, and its scalar text as kustomize's YAML node holds it."""

    data: Any
    text: str
    refined: bool = False
    """Cut out of a longer scalar by `options.delimiter`: `text` is the value, of `data`'s type."""
    untagged: bool = False
    """A scalar a replacement created: it has no type but the one its text reads as."""


def _source_value(resources: list[Resource], source: _Source) -> _Value:
    matches = [r for r in resources if any(_id_selected(rid, source.rid) for rid in _all_ids(r))]
    if len(matches) > 1:
        raise _Fail(f"multiple matches for selector {_describe(source)}")
    if not matches:
        raise _Fail(f"nothing selected by {_describe(source)}")
    path = source.field_path or DEFAULT_FIELD_PATH
    live = _live_created(matches[0])
    found, data, slot = _lookup(matches[0].obj, _split_path(path), live)
    if not found or data is None or data == {} or data == []:
        raise _Fail(f"fieldPath `{path}` is missing for replacement source {_describe_id(source.rid)}")
    created = live.get(slot) if slot is not None else None
    if created:
        value = _Value(data, created.text, untagged=True)
    else:
        value = _Value(data, _source_spelling(matches[0], slot, data) or _scalar_text(data))
    opts = source.options
    if not opts.delimiter:
        return value
    if isinstance(data, (dict, list)):
        raise _Fail("delimiter option can only be used with scalar nodes")
    parts = value.text.split(opts.delimiter)
    if not 0 <= opts.index < len(parts):
        raise _Fail(f"options.index {opts.index} is out of bounds for value {value.text}")
    return _Value(data, parts[opts.index], refined=True, untagged=value.untagged)


def _source_spelling(res: Resource, slot: tuple[int, Any] | None, data: Any) -> str | None:
    """The text a typed scalar is written with in its source file (kyaml copies the node's text), while the
    value in that slot is still the one that text reads as."""
    if slot is None or not res.spellings or data.__class__ not in (int, float, bool):
        return None
    for path, text in res.spellings.items():
        if path[-1] == slot[1] and id(_at(res.obj, path[:-1])) == slot[0]:
            same = resolve_plain(text)
            return text if same == data and same.__class__ is data.__class__ else None
    return None


def _all_ids(res: Resource) -> list[ResId]:
    return [res.id, *res.prev_ids]


def _effective_ns(rid: ResId, *, stored: bool) -> str:
    """The namespace kustomize compares: previous ids are stored with "" already turned into "default"."""
    if rid.namespace or not stored:
        return rid.namespace
    return "default" if is_namespaced(rid.gvk) else "_non_namespaceable_"


def _id_selected(rid: ResId, sel: dict[str, str]) -> bool:
    """kyaml's ResId.IsSelectedBy: empty selector fields match anything, namespaces compare as effective."""
    if sel["group"] and sel["group"] != rid.gvk.group:
        return False
    if sel["version"] and sel["version"] != rid.gvk.version:
        return False
    if sel["kind"] and sel["kind"] != rid.gvk.kind:
        return False
    if sel["name"] and sel["name"] != rid.name:
        return False
    if sel["namespace"]:
        sel_ns = sel["namespace"]
        if not is_namespaced(rid.gvk):
            return False
        return (rid.namespace or "default") == sel_ns
    return True


def _selects(res: Resource, target: _Target, src: FileSource, rep: _Replacement, ti: int) -> bool:
    assert target.select is not None
    if not _labels_match(res, target.select, src, rep, f"targets[{ti}].select"):
        return False
    for ri, reject in enumerate(target.reject):
        if (reject.labels or reject.annotations) and _labels_match(
            res, reject, src, rep, f"targets[{ti}].reject[{ri}]"
        ):
            return False
    ids = [(res.id, False), *((p, True) for p in res.prev_ids)]
    if not any(_regex_selected(rid, stored, target.select, rep) for rid, stored in ids):
        return False
    return not any(
        not reject.id_empty and _regex_selected(rid, stored, reject, rep)
        for reject in target.reject
        for rid, stored in ids
    )


def _regex_selected(rid: ResId, stored: bool, sel: _Selector, rep: _Replacement) -> bool:
    """A target selector: every given field is an anchored regular expression."""
    checks = (
        ("group", rid.gvk.group),
        ("version", rid.gvk.version),
        ("kind", rid.gvk.kind),
        ("name", rid.name),
        ("namespace", _effective_ns(rid, stored=stored)),
    )
    for key, actual in checks:
        pattern = sel.rid[key]
        if pattern and not _anchored(pattern, rep).match(actual):
            return False
    return True


def _anchored(pattern: str, rep: _Replacement) -> re.Pattern[str]:
    key = "re:" + pattern
    compiled = rep.cache.get(key)
    if compiled is None:
        try:
            compiled = re.compile(f"^(?:{pattern})$")
        except re.error as exc:
            raise _Fail(f"invalid regular expression {pattern!r}: {exc}") from None
        rep.cache[key] = compiled
    assert isinstance(compiled, re.Pattern)
    return compiled


def _labels_match(res: Resource, sel: _Selector, src: FileSource, rep: _Replacement, at: str) -> bool:
    for kind, text in (("labels", sel.labels), ("annotations", sel.annotations)):
        if not text:
            continue
        key = f"{kind}:{text}"
        reqs = rep.cache.get(key)
        if reqs is None:
            reqs = parse_label_selector(text, file=src.kfile, field=f"{rep.where}.{at}")
            rep.cache[key] = reqs
        values = res.meta.get(kind) or {}
        if not all(req(values) for req in reqs):
            return False
    return True


def _describe_id(rid: dict[str, str]) -> str:
    """kyaml's ResId.String: `Kind.version.group/name.namespace` with [noX] placeholders."""
    kind = rid["kind"] or "[noKind]"
    version = rid["version"] or "[noVer]"
    group = rid["group"] or "[noGrp]"
    name = rid["name"] or "[noName]"
    namespace = rid["namespace"] or "[noNs]"
    return f"{kind}.{version}.{group}/{name}.{namespace}"


def _describe(source: _Source) -> str:
    text = _describe_id(source.rid)
    if source.field_path:
        text += f":{source.field_path}"
    opts = source.options
    if opts.delimiter or opts.create:
        text += f":{opts.delimiter}({opts.index}), create={str(opts.create).lower()}"
    return text


# -- field paths --------------------------------------------------------------------------------------------


def _split_path(path: str) -> list[str]:
    """kyaml's SmarterPathSplitter on ".": `\\.` escapes a dot; `[...]` may contain dots."""
    raw = path.split(".")
    parts = [raw[0]]
    for piece in raw[1:]:
        if parts[-1].endswith("\\"):
            parts[-1] = parts[-1][:-1] + "." + piece
        else:
            parts.append(piece)
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.startswith("[") and not part.endswith("]"):
            bracketed = [part]
            while i < len(parts) - 1:
                i += 1
                bracketed.append(parts[i])
                if parts[i].endswith("]"):
                    break
            joined = ".".join(bracketed)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(part)
        i += 1
    return out


def _is_index(part: str) -> bool:
    return re.fullmatch(r"[+-]?[0-9]+", part) is not None and int(part) >= 0


def _is_list_match(part: str) -> bool:
    return part.startswith("[") and part.endswith("]")


def _split_list_match(part: str) -> tuple[str, str]:
    name, sep, value = part[1:-1].partition("=")
    if not sep:
        raise _Fail("list path element must contain fieldName=fieldValue for element to match")
    return name, value


def _lookup(node: Any, path: list[str], live: _Live) -> tuple[bool, Any, tuple[int, Any] | None]:
    """kyaml's PathGetter without create: exact list-entry matches, `-` for the last item.

    Returns whether the field is there, its value, and its slot (as `_Live` keys it)."""
    slot: tuple[int, Any] | None = None
    for part in path:
        if node is None:
            return False, None, None
        if re.fullmatch(r"[+-]?[0-9]+", part):
            index = int(part)
            if index < 0:
                raise _Fail(f"array index {index} cannot be negative")
            if not isinstance(node, list):
                raise _Fail(f"wrong node kind: expected SequenceNode but got {yaml_node_kind(node)}")
            if index >= len(node):
                return False, None, None
            node, slot = node[index], (id(node), index)
        elif part == "-":
            if not isinstance(node, list):
                raise _Fail(f"wrong node kind: expected SequenceNode but got {yaml_node_kind(node)}")
            if not node:
                return False, None, None
            node, slot = node[-1], (id(node), len(node) - 1)
        elif part == "*":
            raise _Fail("wildcard is not supported in PathGetter")
        elif _is_list_match(part):
            name, wanted = _split_list_match(part)
            if not isinstance(node, list):
                raise _Fail(f"wrong node kind: expected SequenceNode but got {yaml_node_kind(node)}")
            for index, item in enumerate(node):
                where: tuple[int, Any]
                if not name:
                    candidate, where = item, (id(node), index)
                elif isinstance(item, dict):
                    candidate, where = item.get(name), (id(item), name)
                else:
                    continue
                scalar = candidate is not None and not isinstance(candidate, (dict, list))
                if scalar and _text_at(candidate, where, live) == wanted:
                    node, slot = item, (id(node), index)
                    break
            else:
                return False, None, None
        else:
            if not isinstance(node, dict):
                raise _Fail(f"wrong node kind: expected MappingNode but got {yaml_node_kind(node)}")
            if part not in node:
                return False, None, None
            node, slot = node[part], (id(node), part)
    return True, node, slot


@dataclass
class _Created:
    """A scalar that `create` just added, or one created earlier (a `CreatedScalar` record): an untagged
    node, which takes whatever text is written and then reads as that text's type."""

    text: str = ""


_Slot = tuple[Any, Any]
"""A place to write: (containing dict or list, key or index)."""

_Live = dict[tuple[int, Any], CreatedScalar]
"""A resource's created scalars still in place, by (id of the container, key)."""


def _live_created(res: Resource) -> _Live:
    """`res.created` without the records whose slot has been overwritten since (the list is pruned)."""
    if not res.created:
        return {}
    live: _Live = {}
    for rec in res.created:
        if _holds(rec, rec.value):
            live[(id(rec.container), rec.key)] = rec
    res.created[:] = live.values()
    return live


def _holds(rec: CreatedScalar, value: Any) -> bool:
    container, key = rec.container, rec.key
    if isinstance(container, dict):
        return key in container and container[key] is value
    return 0 <= key < len(container) and container[key] is value


def _text_at(value: Any, slot: tuple[int, Any], live: _Live) -> str:
    """A scalar's text: a created scalar's own text, else the text of the value."""
    rec = live.get(slot) if live else None
    return rec.text if rec is not None else _scalar_text(value)


def _match(node: Any, path: list[str], create: str | None, ctx: _Writing) -> list[_Slot]:
    """kyaml's PathMatcher: the slots a target field path names (creating missing parts when asked)."""
    part, rest = path[0], path[1:]
    if _is_index(part):
        if not isinstance(node, list):
            raise _Fail(f"wrong node kind: expected SequenceNode but got {yaml_node_kind(node)}")
        index = int(part)
        if index == len(node) and create is not None:
            node.append(_new_node(rest[0] if rest else "", create))
        if index >= len(node):
            raise _Fail(f"index {index} specified but only {len(node)} elements found")
        return [(node, index)] if not rest else _match(node[index], rest, create, ctx)
    if _is_list_match(part):
        name, pattern = _split_list_match(part)
        if not isinstance(node, list):
            raise _Fail(f"wrong node kind: expected SequenceNode but got {yaml_node_kind(node)}")
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise _Fail(f"invalid regular expression {pattern!r}: {exc}") from None
        slots = _match_items(node, name, regex, rest, create, ctx)
        if slots or create is None:
            return slots
        if not name:
            node.append(_Created(pattern))
        else:
            # The new element's key field is a created scalar too.
            key_value = _resolve_created(pattern)
            element = {name: key_value}
            node.append(element)
            ctx.add(CreatedScalar(element, name, key_value, pattern))
        return _match_items(node, name, regex, rest, create, ctx)
    if part == "*":
        if not isinstance(node, list):
            raise _Fail(f"wrong node kind: expected SequenceNode but got {yaml_node_kind(node)}")
        slots = []
        for index, item in enumerate(node):
            slots.extend([(node, index)] if not rest else _match(item, rest, create, ctx))
        return slots
    if node is None:
        return []
    if not isinstance(node, dict):
        raise _Fail(f"wrong node kind: expected MappingNode but got {yaml_node_kind(node)}")
    if part not in node:
        if create is None:
            return []
        node[part] = _new_node(rest[0] if rest else "", create)
    if not rest:
        return [(node, part)]
    if node[part] is None and create is not None:
        node[part] = _new_node(rest[0], create)
    return _match(node[part], rest, create, ctx)


def _match_items(
    items: list[Any], name: str, regex: re.Pattern[str], rest: list[str], create: str | None, ctx: _Writing
) -> list[_Slot]:
    slots: list[_Slot] = []
    for index, item in enumerate(items):
        if not name:
            # A primitive match selects the item itself, whatever path follows.
            if regex.search(ctx.node_text(item, items, index)):
                slots.append((items, index))
            continue
        if not isinstance(item, dict) or name not in item:
            continue
        if regex.search(ctx.node_text(item[name], item, name)):
            slots.extend([(items, index)] if not rest else _match(item, rest, create, ctx))
    return slots


def _new_node(next_part: str, create: str) -> Any:
    """What kyaml creates for a missing path part, from the part that follows it."""
    if _is_list_match(next_part) or _is_index(next_part):
        return []
    if next_part == "":
        return {"map": {}, "list": []}.get(create, _Created())
    return {}


class _Writing:
    """One replacement write into one resource: its created scalars, found and new."""

    def __init__(self, res: Resource) -> None:
        self.res = res
        self.live = _live_created(res)

    def add(self, rec: CreatedScalar) -> None:
        self.res.created.append(rec)
        self.live[(id(rec.container), rec.key)] = rec

    def node_text(self, value: Any, container: Any, key: Any) -> str:
        """What a list-entry regular expression is matched to: kyaml's text of the node."""
        rec = self.live.get((id(container), key)) if self.live else None
        return rec.text if rec is not None else _node_text(value)


def _write(res: Resource, path: str, value: _Value, opts: _Options) -> None:
    parts = _split_path(path)
    create = _node_kind(value.data) if opts.create else None
    ctx = _Writing(res)
    try:
        slots = _match(res.obj, parts, create, ctx)
    except _Fail as exc:
        verb = "find or create" if opts.create else "find"
        raise _Fail(f'unable to {verb} field "{path}" in replacement target: {exc}') from None
    if not slots:
        verb = "find or create" if opts.create else "find"
        raise _Fail(f'unable to {verb} field "{path}" in replacement target')
    meta = res.obj.get("metadata")  # looked up after matching: `create` may just have made it
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    for container, key in slots:
        rec = ctx.live.pop((id(container), key), None) if ctx.live else None
        current = _Created(rec.text) if rec is not None else container[key]
        own_annotation = container is annotations
        written, text = _new_value(current, value, opts, untyped=own_annotation)
        if text == "" and written is None and _in_flow_map(res, container):
            written = ""  # go-yaml v3 writes the empty untagged node as '' there, and reads back a string
        container[key] = written
        if rec is not None:
            res.created.remove(rec)
        if text is None:
            continue
        ctx.add(CreatedScalar(container, key, written, text))
        if own_annotation:
            # Printed as its text, unless a JSON round trip (a JSON 6902 patch) types it first.
            typed = _resolve_created(text)
            if isinstance(typed, str) and typed == text:
                res.typed_annotations.pop(key, None)
            else:
                res.typed_annotations[key] = (text, typed)


def _in_flow_map(res: Resource, container: Any) -> bool:
    if not res.flow_maps or not isinstance(container, dict):
        return False
    return any(_at(res.obj, path) is container for path in res.flow_maps)


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _node_kind(data: Any) -> str:
    if isinstance(data, dict):
        return "map"
    if isinstance(data, list):
        return "list"
    return "scalar"


def _new_value(
    current: Any, value: _Value, opts: _Options, *, untyped: bool = False
) -> tuple[Any, str | None]:
    """The value a target slot holds after the write, and its text if it is an untagged (created) scalar.

    `untyped` is for an object's own annotations, which kustomize turns into strings of their text when
    it finishes, whatever their type was: they take the text and never fail a type check.
    """
    text = value.text
    if opts.delimiter:
        if isinstance(current, (dict, list)):
            raise _Fail("delimiter option can only be used with scalar nodes")
        pieces = _target_text(current).split(opts.delimiter)
        if opts.index < 0:
            pieces.insert(0, text)
        elif opts.index >= len(pieces):
            pieces.append(text)
        else:
            pieces[opts.index] = text
        text = opts.delimiter.join(pieces)
    if untyped:
        if isinstance(current, _Created):
            return text, text
        scalar = not isinstance(current, (dict, list)) or not isinstance(value.data, (dict, list))
        return text if scalar else "", None
    if isinstance(current, _Created):
        # An untagged node takes the text (a map's is empty) and reads as whatever the text reads as.
        return _resolve_created(text), text
    if isinstance(current, (dict, list)):
        if value.untagged:
            # The target becomes (a copy of) the source's untagged node.
            return _resolve_created(text), text
        return (_retyped(text, value.data) if value.refined else copy_tree(value.data)), None
    # A scalar target keeps its type and takes the text; kustomize then decodes the text as that type.
    return _retyped(text, current), None


def _target_text(current: Any) -> str:
    if isinstance(current, _Created):
        return current.text
    return _scalar_text(current)


# -- created scalars under a strategic merge patch ---------------------------------------------------------


class _HeldInt(int):
    """A created number or boolean while a strategic merge patch runs (see `hold_created`)."""

    text: str

    def __str__(self) -> str:
        return self.text


class _HeldFloat(float):
    """A created floating-point number while a strategic merge patch runs (see `hold_created`)."""

    text: str

    def __str__(self) -> str:
        return self.text


Held = dict[int, Any]
"""Created scalars a strategic merge patch is running over: id of the record -> what its slot holds."""


def hold_created(res: Resource, patch: Any) -> Held | None:
    """Get `res`'s created scalars ready for the strategic merge of `patch` (None: nothing to do).

    A number or boolean in a map is swapped for an equal object of its own, so that `settle_created` can
    tell it from an equal value the patch writes there; it shows its created text, which is what kyaml
    compares list keys by. A patch replacing the whole object is not merged at all.
    """
    if not res.created or (isinstance(patch, dict) and patch.get("$patch") == "replace"):
        return None
    held: Held = {}
    for rec in _live_created(res).values():
        value = rec.value
        if not isinstance(rec.container, dict) or value is None or isinstance(value, str):
            held[id(rec)] = value
            continue
        marker: _HeldInt | _HeldFloat = _HeldFloat(value) if isinstance(value, float) else _HeldInt(value)
        marker.text = rec.text
        rec.container[rec.key] = marker
        held[id(rec)] = marker
    return held


def settle_created(res: Resource, held: Held, *, merged: bool = True) -> None:
    """After a strategic merge patch of `res` (or its failure, `merged=False`): kyaml's merge walk has set
    again every map field it went through, turning untagged scalars whose text YAML 1.1 reads as anything
    but a string into strings of their text (double-quoted: they stay strings when written again). It goes
    through maps and through the lists it merges by key (never into lists it replaces, nor into a list's
    scalar items), all over the object, touched by the patch or not. Created scalars the patch replaced or
    dropped are forgotten; the others keep their value and stay untagged."""
    walked, present = _smp_walked(res.obj) if merged else (set(), set())
    meta = res.obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    kept: list[CreatedScalar] = []
    for rec in res.created:
        anchor = held.get(id(rec), rec.value)
        if merged and (id(rec.container) not in present or not _holds(rec, anchor)):
            continue
        if merged and id(rec.container) in walked and _stringified_by_merge(rec.text):
            rec.container[rec.key] = rec.text
            if rec.container is annotations and res.typed_annotations.get(rec.key, ("",))[0] == rec.text:
                del res.typed_annotations[rec.key]  # a JSON round trip keeps it a string now
            continue
        if anchor is not rec.value and _holds(rec, anchor):
            rec.container[rec.key] = rec.value
        kept.append(rec)
    res.created[:] = kept


def _stringified_by_merge(text: str) -> bool:
    """kyaml's IsYaml1_1NonString on the text of an untagged scalar. Where the text reads as a string in
    YAML 1.2 it stays one either way; of the other texts, YAML 1.1 reads all as non-strings but timestamps
    (go-yaml v2 gives them as strings) and the empty text (which kyaml leaves alone)."""
    return bool(text) and not isinstance(_resolve(text, ""), str)


def _smp_walked(obj: Any) -> tuple[set[int], set[int]]:
    """(ids of the maps kyaml's merge walk sets fields of, ids of every map and list in `obj`)."""
    walked: set[int] = set()
    present: set[int] = set()
    stack: list[tuple[Any, k8s_schema.SchemaNode | None, bool]] = [(obj, None, True)]
    while stack:
        node, schema, walks = stack.pop()
        present.add(id(node))
        if isinstance(node, dict):
            if walks:
                walked.add(id(node))
                if schema is None:
                    schema = _meta_schema(node)
            for key, value in node.items():
                if isinstance(value, dict | list):
                    stack.append((value, k8s_schema.field_schema(schema, key) if walks else None, walks))
            continue
        merged = walks and k8s_schema.is_merge_strategy(k8s_schema.patch_strategy(schema)[0])
        elements = k8s_schema.elements_schema(schema) if merged else None
        for item in node:
            if isinstance(item, dict | list):
                stack.append((item, elements, merged and isinstance(item, dict)))
    return walked, present


def _meta_schema(node: dict[str, Any]) -> k8s_schema.SchemaNode | None:
    """The schema of a map that names its own apiVersion and kind (smp.py finds schemas the same way)."""
    kind, api_version = node.get("kind"), node.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str) or not kind or not api_version:
        return None
    return k8s_schema.resource_schema(api_version, kind)


# -- scalar text and types ----------------------------------------------------------------------------------


def _scalar_text(value: Any) -> str:
    """The text of a scalar as its YAML node holds it; maps and lists have none."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    return str(value)


def _node_text(value: Any) -> str:
    """Roughly kyaml's `String()` of a node, trimmed: what list-entry regular expressions are matched to."""
    if isinstance(value, str):
        resolved = _resolve(value, "")
        reads_as_string = isinstance(resolved, str) and not isinstance(resolved, _Timestamp)
        return value if reads_as_string and value else f'"{value}"'
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=False, sort_keys=False).strip()
    return _scalar_text(value)


_TAGS: dict[type, str] = {str: "str", bool: "bool", int: "int", float: "float", type(None): "null"}


def _retyped(text: str, like: Any) -> Any:
    """`text` decoded as the type of the scalar `like`, failing as go-yaml fails on a mismatch."""
    tag = _TAGS.get(type(like), "str")
    if tag == "str":
        return text
    resolved = _resolve(text, tag)
    rtag = _TAGS.get(type(resolved), "str") if not isinstance(resolved, _Timestamp) else "timestamp"
    if rtag == tag:
        return resolved
    if tag == "float" and rtag == "int":
        return float(resolved)
    raise _Fail(f"cannot decode !!{rtag} `{text}` as a !!{tag}")


def _resolve_created(text: str) -> Any:
    """A new untyped scalar, typed by its text as kustomize re-reads it (empty text reads as null)."""
    resolved = _resolve(text, "")
    return str(resolved) if isinstance(resolved, _Timestamp) else resolved


class _Timestamp(str):
    """A timestamp, already formatted as kustomize prints one."""


_NULLS = {"~": None, "null": None, "Null": None, "NULL": None, "": None}
_WORDS: dict[str, Any] = {
    **_NULLS,
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


def _resolve(text: str, tag: str) -> Any:
    """go-yaml v3's resolve() for a plain scalar, given the tag the node already has ("" for none)."""
    first = text[:1]
    if text == "" or first in "yYnNtTfFoO~":
        return _WORDS.get(text, text)
    if first == ".":
        if text in _WORDS:
            return _WORDS[text]
        return _go_parse_float(text, text)
    if first in "+-0123456789":
        if text in _WORDS:
            return _WORDS[text]
        if tag in ("", "timestamp"):
            stamp = _parse_timestamp(text)
            if stamp is not None:
                return stamp
        plain = text.replace("_", "")
        number = _go_parse_int(plain)
        if number is not None:
            return number
        if _YAML_FLOAT.fullmatch(plain):
            return _go_parse_float(plain, text)
        for prefix, base in (("0b", 2), ("-0b", 2), ("0o", 8), ("-0o", 8)):
            if plain.startswith(prefix):
                digits = plain[len(prefix) :]
                try:
                    value = int(digits, base) if digits and digits[0] not in "+-" else None
                except ValueError:
                    value = None
                if value is not None:
                    return -value if prefix.startswith("-") else value
    return text


def _go_parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), falling back to ParseUint: Go's base prefixes and C-style octal."""
    sign = 1
    body = text
    if body[:1] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    lower = body.lower()
    try:
        if lower.startswith("0x"):
            value = int(body[2:], 16) if body[2:] and body[2] not in "+-" else None
        elif lower.startswith("0b"):
            value = int(body[2:], 2) if body[2:] and body[2] not in "+-" else None
        elif lower.startswith("0o"):
            value = int(body[2:], 8) if body[2:] and body[2] not in "+-" else None
        elif body.startswith("0") and len(body) > 1:
            value = int(body[1:], 8) if body[1] not in "+-" else None
        else:
            value = int(body, 10) if body.isdigit() else None
    except ValueError:
        return None
    if value is None:
        return None
    value *= sign
    if _INT64[0] <= value <= _INT64[1] or (sign > 0 and value <= _UINT64_MAX):
        return value
    return None


def _go_parse_float(text: str, original: str) -> Any:
    """strconv.ParseFloat: out of range (to infinity) is an error, so go-yaml keeps the text as a string;
    underflow to zero is not."""
    try:
        value = float(text)
    except ValueError:
        return original
    return original if math.isinf(value) else value


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?"
    r"(?:[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?))?)?"
)


def _parse_timestamp(text: str) -> _Timestamp | None:
    """go-yaml v3's timestamp forms, formatted as Go's time.Time marshals to JSON (RFC 3339)."""
    m = _TIMESTAMP.fullmatch(text)
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if m[4] is None:
        return _Timestamp(f"{date}T00:00:00Z")
    hour, minute, second = int(m[4]), int(m[5]), int(m[6])
    if hour > 23 or minute > 59 or second > 59:
        return None
    frac = (m[7] or "").rstrip("0")
    clock = f"{hour:02d}:{minute:02d}:{second:02d}" + (f".{frac}" if frac else "")
    zone = m[8]
    if zone is None or zone == "Z":
        offset = "Z"
    else:
        digits = zone[1:].replace(":", "")
        hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
        offset = "Z" if int(hours) == 0 and int(minutes) == 0 else f"{zone[0]}{int(hours):02d}:{minutes}"
    return _Timestamp(f"{date}T{clock}{offset}")


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31
