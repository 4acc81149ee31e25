"""kustomize field specs: which field, in which kinds, a builtin transformer touches.

A field spec is kustomize's `{group, version, kind, path, create}`. This module walks a spec's path through
an object exactly as kyaml's field-spec filter does, because which fields exist, get created, are left alone
or make the build fail is visible in kustomize's output:

- the path is split at `/`; a segment ending in `\\` is joined with the next one (`a\\/b` is the key `a/b`);
  one leading `/` is ignored; an empty segment fails the build when the walk reaches it;
- a list met anywhere on the way (not only at `[]` segments) is entered element by element, with the same
  remaining path;
- a missing field is created only when the spec says `create`, its segment has no `[]` and the transformer
  names a kind to create; inner fields are created as maps, the last one as that kind (a map for labels, a
  scalar for names);
- an existing null field becomes an empty map (or `[]` for a `[]` segment) when it would have been created,
  and is otherwise skipped when the path goes on, but still handed to the setter when it is the last field;
- a scalar where the path needs a map or list fails the build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from stackctl.errors import KustomizeError
from stackctl.model import Obj, ResId

Setter = Callable[[Any], Any]
"""Gets the value at the spec's path and returns the value to store there.

The value is `None` for an existing null and for a scalar the walk created, `{}` for a map it created.
"""

CreateKind = Literal["map", "scalar"]


def split_path(path: str) -> tuple[str, ...]:
    """kyaml's path split: `/` separates segments, except after a backslash, which is dropped; one leading
    `/` is ignored. Empty segments stay (walking one fails)."""
    parts: list[str] = []
    for piece in path.removeprefix("/").split("/"):
        if parts and parts[-1].endswith("\\"):
            parts[-1] = parts[-1][:-1] + "/" + piece
        else:
            parts.append(piece)
    return tuple(parts)


def parse_group_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> (`apps`, `v1`); `v1` -> (``, `v1`)."""
    group, slash, version = api_version.partition("/")
    return (group, version) if slash else ("", api_version)


@dataclass(frozen=True)
class FieldSpec:
    path: tuple[str, ...]
    group: str = ""
    version: str = ""
    kind: str = ""
    """Empty means any, as in kustomize."""
    create: bool = False
    raw_path: str = ""
    """The path as written, for messages."""

    @classmethod
    def of(
        cls,
        path: str,
        *,
        group: str | None = None,
        version: str | None = None,
        kind: str | None = None,
        create: bool = False,
    ) -> FieldSpec:
        return cls(split_path(path), group or "", version or "", kind or "", create, path)

    @classmethod
    def from_config(cls, data: Any, *, file: str | None = None, field: str | None = None) -> FieldSpec:
        """A field spec as written in a kustomization (`labels[].fields`), decoded as kustomize decodes it."""
        values = decode_go_struct(
            data,
            {"group": "string", "version": "string", "kind": "string", "path": "string", "create": "bool"},
            struct="FieldSpec",
            parent="Label",
            json_path="labels.fields",
            file=file,
            field=field,
        )
        return cls.of(
            values.get("path", ""),
            group=values.get("group"),
            version=values.get("version"),
            kind=values.get("kind"),
            create=values.get("create", False),
        )

    def applies_to(self, obj: Obj) -> bool:
        if self.kind and self.kind != obj.get("kind"):
            return False
        if not self.group and not self.version:
            return True
        api_version = obj.get("apiVersion")
        group, version = parse_group_version(api_version if isinstance(api_version, str) else "")
        if self.group and self.group != group:
            return False
        return not self.version or self.version == version

    def selects(self, group: str, version: str, kind: str) -> bool:
        """kustomize's `Gvk.IsSelected`: this spec's non-empty group, version and kind all match."""
        return (
            (not self.group or self.group == group)
            and (not self.version or self.version == version)
            and (not self.kind or self.kind == kind)
        )

    def effectively_equals(self, other: FieldSpec) -> bool:
        """kustomize's primary-key test for merging spec lists: same path, and `other`'s gvk selects this."""
        return self.path == other.path and other.selects(self.group, self.version, self.kind)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(value: Any, go_type: str) -> bool:
    if go_type == "string":
        return isinstance(value, str)
    if go_type == "bool":
        return isinstance(value, bool)
    if go_type.startswith("map["):
        return isinstance(value, dict)
    if go_type.startswith("[]"):
        return isinstance(value, list)
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def decode_string_map(value: Any, *, go_field: str, file: str | None, field: str | None) -> dict[str, str]:
    """A YAML map decoded into a Go `map[string]string` (commonLabels, label pairs): null values become "",
    other non-strings fail as they fail kustomize. `go_field` names the field in the message
    (`Kustomization.commonLabels`)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise KustomizeError(
            f"invalid Kustomization: json: cannot unmarshal {_json_kind(value)} into Go struct field "
            f"{go_field} of type map[string]string",
            file=file,
            field=field,
        )
    out: dict[str, str] = {}
    for key, item in value.items():
        if item is not None and not isinstance(item, str):
            raise KustomizeError(
                f"invalid Kustomization: json: cannot unmarshal {_json_kind(item)} into Go struct field "
                f"{go_field} of type string",
                file=file,
                field=f"{field}.{key}" if field else str(key),
            )
        out[str(key)] = item or ""
    return out


def decode_go_struct(
    data: Any,
    fields: dict[str, str],
    *,
    struct: str,
    parent: str,
    json_path: str,
    file: str | None,
    field: str | None,
) -> dict[str, Any]:
    """A kustomization entry as Go's encoding/json fills kustomize's struct for it.

    `fields` maps JSON names to Go types ("string", "bool", "int64", "map[string]string", or "[]T" for a
    list whose elements the caller decodes). Names match case-insensitively (of
    two spellings, the later in sorted order wins, as kustomize's YAML-to-JSON step sorts keys); unknown
    names and wrong types fail with kustomize's messages; nulls are skipped.
    """
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KustomizeError(
            f"invalid Kustomization: json: cannot unmarshal {_json_kind(data)} into Go struct field "
            f"{parent}.{json_path} of type types.{struct}",
            file=file,
            field=field,
        )
    out: dict[str, Any] = {}
    for raw_key in sorted(data, key=str):
        key = str(raw_key)
        name = next((f for f in fields if f.lower() == key.lower()), None)
        if name is None:
            raise KustomizeError(
                f'invalid Kustomization: json: unknown field "{key}"', file=file, field=field
            )
        value = data[raw_key]
        if value is None:
            continue
        go_type = fields[name]
        if go_type == "map[string]string":
            out[name] = decode_string_map(
                value,
                go_field=f"{struct}.{json_path}.{name}",
                file=file,
                field=f"{field}.{key}" if field else key,
            )
            continue
        if not _fits(value, go_type):
            shown = (
                f"number {value}" if go_type == "int64" and isinstance(value, float) else _json_kind(value)
            )
            raise KustomizeError(
                f"invalid Kustomization: json: cannot unmarshal {shown} into Go struct field "
                f"{struct}.{json_path}.{name} of type {go_type}",
                file=file,
                field=f"{field}.{key}" if field else key,
            )
        out[name] = int(value) if go_type == "int64" else value
    return out


def merge_specs(base: Iterable[FieldSpec], incoming: Iterable[FieldSpec]) -> list[FieldSpec]:
    """kustomize's `FsSlice.MergeAll`: append each incoming spec unless an equivalent one is already there.

    An equivalent spec with a different `create` is an error. Equivalence is kustomize's, which is
    asymmetric: a custom `{kind: Foo, path: metadata/labels}` hides the default `{path: metadata/labels}`.
    """
    result = list(base)
    for spec in incoming:
        found = next((s for s in result if s.effectively_equals(spec)), None)
        if found is None:
            result.append(spec)
        elif found.create != spec.create:
            raise KustomizeError("conflicting fieldspecs")
    return result


def kustomize_id(obj: Obj) -> str:
    """An object as kustomize's messages name it: `Deployment.v1.apps/web.[noNs]`."""
    rid = ResId.of(obj)
    gvk = f"{rid.gvk.kind or '[noKind]'}.{rid.gvk.version or '[noVer]'}.{rid.gvk.group or '[noGrp]'}"
    return f"{gvk}/{rid.name}.{rid.namespace or '[noNs]'}"


class FieldSpecError(KustomizeError):
    """A field on a spec's path that is neither a map nor a list."""


_MISSING = object()


def apply(obj: Obj, spec: FieldSpec, setter: Setter, *, create_kind: CreateKind | None = "scalar") -> None:
    """Call `setter` on every value the spec's path reaches in `obj`, creating fields as kyaml does.

    `create_kind` is the kind of node a transformer creates at the end of the path (kyaml's CreateKind);
    with None nothing is created anywhere on the path, even when the spec says `create`.
    """
    if not spec.applies_to(obj):
        return
    try:
        _walk_map(obj, spec.path, spec.create, create_kind, setter)
    except FieldSpecError as err:
        raise FieldSpecError(
            f"considering field '{spec.raw_path or '/'.join(spec.path)}' of object "
            f"{kustomize_id(obj)}: {err.message}"
        ) from None


def _walk(
    node: Any, path: tuple[str, ...], create: bool, create_kind: CreateKind | None, setter: Setter
) -> None:
    if isinstance(node, dict):
        _walk_map(node, path, create, create_kind, setter)
    elif isinstance(node, list):
        for item in node:
            try:
                _walk(item, path, create, create_kind, setter)
            except FieldSpecError as err:
                raise FieldSpecError(f"visit traversal on path: [{' '.join(path)}]: {err.message}") from None
    elif node is not None:
        raise FieldSpecError("expected sequence or mapping node")


def _walk_map(
    node: dict[str, Any], path: tuple[str, ...], create: bool, create_kind: CreateKind | None, setter: Setter
) -> None:
    segment = path[0]
    is_seq = segment.endswith("[]")
    key = segment[:-2] if is_seq else segment
    if not key:
        raise FieldSpecError("cannot set or create an empty field name")
    last = len(path) == 1
    value = node.get(key, _MISSING)
    if is_seq or not create or create_kind is None:
        if value is _MISSING:
            return
        if value is None and is_seq:
            value = node[key] = []
    elif value is _MISSING or value is None:
        value = {} if not last or create_kind == "map" else None
        node[key] = value
    if last:
        node[key] = setter(value)
    else:
        _walk(value, path[1:], create, create_kind, setter)
