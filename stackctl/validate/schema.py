"""A CRD version's structural schema (openAPIV3Schema) as a JSON Schema, checked with the jsonschema library.

The API server does not read a CRD schema as plain JSON Schema, so each one is converted once (per CRD
version, cached for the run) to the JSON Schema that accepts what the server accepts:
- unknown fields: a field not in `properties` is pruned by the server, or refused under strict field
  validation (what `kubectl apply --validate=strict` and server-side apply report), so objects get
  `additionalProperties: false` unless the node says `x-kubernetes-preserve-unknown-fields: true` (or gives
  an `additionalProperties` schema); branches of anyOf/oneOf/allOf/not only validate values and never prune;
- `x-kubernetes-int-or-string` is `type: [integer, string]`; `nullable: true` adds `null` to the type (and
  to an enum); OpenAPI 3.0's boolean exclusiveMinimum/Maximum become draft 7's numeric ones;
- `x-kubernetes-list-type: set` is uniqueItems; `map` checks its `x-kubernetes-list-map-keys` are unique;
- `x-kubernetes-embedded-resource` allows apiVersion/kind/metadata;
- the root's `metadata` is not the CRD's to describe: Kubernetes' ObjectMeta rules apply (metadata.py);
- `pattern` is searched with ASCII classes as Go's RE2 does; `format` is checked where the value decides
  whether the object works: date-time, date, byte, uuid, ipv4, ipv6, cidr, and the int32/int64 ranges an
  operator decodes into.
Before validating, an object is prepared as the server prepares it: nulls in non-nullable fields are
dropped (or replaced by the field's default), and defaults fill fields missing in objects that are present.
CEL rules (`x-kubernetes-validations`) are not evaluated.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import functools
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft7Validator, validators  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]

from stackctl.model import copy_tree

PRESERVE = "x-kubernetes-preserve-unknown-fields"
INT_OR_STRING = "x-kubernetes-int-or-string"
EMBEDDED = "x-kubernetes-embedded-resource"
LIST_TYPE = "x-kubernetes-list-type"
LIST_MAP_KEYS = "x-kubernetes-list-map-keys"

_COPIED = (
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "format",
    "required",
)


def to_json_schema(node: Any, *, root: bool = False, junctor: bool = False) -> dict[str, Any]:
    """The JSON Schema (draft 7, with stackctl's keywords for list maps) of a structural schema node."""
    if not isinstance(node, Mapping):
        return {}
    out: dict[str, Any] = {}
    preserve = node.get(PRESERVE) is True
    nullable = node.get("nullable") is True
    int_or_string = node.get(INT_OR_STRING) is True
    type_ = node.get("type")
    types = ["integer", "string"] if int_or_string else [type_] if isinstance(type_, str) and type_ else []
    if types:
        if nullable:
            types.append("null")
        out["type"] = types[0] if len(types) == 1 else types
    for key in _COPIED:
        if key in node:
            out[key] = node[key]
    if nullable and isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if node.get(exclusive) is True and bound in out:
            out[exclusive] = out.pop(bound)
    props = node.get("properties")
    if isinstance(props, Mapping):
        out["properties"] = {k: to_json_schema(v, junctor=junctor) for k, v in props.items()}
    if node.get(EMBEDDED) is True or root:
        implied = out.setdefault("properties", {})
        implied.setdefault("apiVersion", {"type": "string"})
        implied.setdefault("kind", {"type": "string"})
        implied.setdefault("metadata", {"type": "object"})
    if root:
        out["properties"]["metadata"] = {}  # ObjectMeta: Kubernetes' rules, not the CRD's (metadata.py)
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        out["additionalProperties"] = to_json_schema(extra, junctor=junctor)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif not junctor and not preserve and (type_ == "object" or "properties" in out):
        out["additionalProperties"] = False
    items = node.get("items")
    if isinstance(items, Mapping):
        out["items"] = to_json_schema(items, junctor=junctor)
    for junction in ("anyOf", "oneOf", "allOf"):
        branches = node.get(junction)
        if isinstance(branches, list):
            converted = [to_json_schema(b, junctor=True) for b in branches if isinstance(b, Mapping)]
            if int_or_string and junction == "anyOf" and all(set(b) <= {"type"} for b in converted):
                continue  # the usual [{type: integer}, {type: string}]: already the node's type
            out[junction] = converted
    if isinstance(node.get("not"), Mapping):
        out["not"] = to_json_schema(node["not"], junctor=True)
    if node.get(LIST_TYPE) == "set":
        out["uniqueItems"] = True
    elif node.get(LIST_TYPE) == "map" and isinstance(node.get(LIST_MAP_KEYS), list):
        out[LIST_MAP_KEYS] = [str(k) for k in node[LIST_MAP_KEYS]]
    return out


def prepare(value: Any, node: Any) -> Any:
    """The object as the API server validates it (a copy): nulls in non-nullable fields dropped or
    defaulted, defaults filled in objects that are present."""
    if not isinstance(node, Mapping):
        return value
    if isinstance(value, dict):
        props = node.get("properties")
        props = props if isinstance(props, Mapping) else {}
        extra = node.get("additionalProperties")
        extra = extra if isinstance(extra, Mapping) else None
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = props.get(key, extra)
            if not isinstance(sub, Mapping):
                out[key] = item
            elif item is None and sub.get("nullable") is not True:
                if "default" in sub:
                    out[key] = prepare(copy_tree(sub["default"]), sub)
            else:
                out[key] = prepare(item, sub)
        for key, sub in props.items():
            if (
                key not in out
                and isinstance(sub, Mapping)
                and "default" in sub
                and sub["default"] is not None
            ):
                out[key] = prepare(copy_tree(sub["default"]), sub)
        return out
    if isinstance(value, list):
        items = node.get("items")
        return [prepare(v, items) for v in value] if isinstance(items, Mapping) else value
    return value


# -- jsonschema keywords stackctl implements itself ------------------------------------------------------


def _required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for name in required:
        if name not in instance:
            yield ValidationError("required value", path=[name])


def _additional_properties(
    validator: Any, extra: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    known = schema.get("properties") or {}
    if extra is False:
        for name in instance:
            if name not in known:
                error = ValidationError(f'unknown field "{name}"', path=[name])
                close = difflib.get_close_matches(name, list(known), n=1)
                error.hint = f'did you mean "{close[0]}"?' if close else _known_fields_hint(known)
                yield error
    elif isinstance(extra, dict):
        for name, value in instance.items():
            if name not in known:
                yield from validator.descend(value, extra, path=name)


def _known_fields_hint(known: Mapping[str, Any]) -> str:
    if not known:
        return "this object takes no fields"
    names = sorted(known)
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"known fields: {shown}"


@functools.lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.ASCII)  # Go's RE2: \d, \w, \s are ASCII
    except re.error:
        return None  # a construct Python does not read: not checked rather than wrongly refused


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not isinstance(instance, str):
        return
    regex = _regex(str(pattern))
    if regex is not None and not regex.search(instance):
        yield ValidationError(f"invalid value {_short(instance)}: must match the pattern {pattern}")


def _list_map_keys(validator: Any, keys: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not isinstance(instance, list):
        return
    seen: set[str] = set()
    for i, item in enumerate(instance):
        if not isinstance(item, dict):
            continue
        key = {k: item.get(k) for k in keys}
        text = json.dumps(key, sort_keys=True)
        if text in seen:
            yield ValidationError(
                f"duplicate entry {_short(key)}: the list is keyed by {', '.join(keys)}", path=[i]
            )
        seen.add(text)


_DATE = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_DATE_TIME = re.compile(rf"^{_DATE}[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]\d\d:?\d\d)?$")
_DATE_ONLY = re.compile(rf"^{_DATE}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _format_problem(fmt: str, value: Any) -> str | None:
    if fmt in _INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        low, high = _INT_RANGES[fmt]
        if not low <= value <= high:
            return f"invalid value {value}: out of the {fmt} range the operator decodes it into"
        return None
    if not isinstance(value, str):
        return None
    ok = True
    if fmt == "date-time":
        ok = bool(_DATE_TIME.match(value))
    elif fmt == "date":
        ok = bool(_DATE_ONLY.match(value))
    elif fmt == "uuid":
        ok = bool(_UUID.match(value))
    elif fmt == "byte":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            ok = False
    elif fmt in ("ipv4", "ipv6"):
        try:
            ok = ipaddress.ip_address(value).version == int(fmt[-1])
        except ValueError:
            ok = False
    elif fmt == "cidr":
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            ok = False
    return None if ok else f"invalid value {_short(value)}: not a valid {fmt}"


def _format(validator: Any, fmt: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    problem = _format_problem(str(fmt), instance)
    if problem:
        yield ValidationError(problem)


_Validator = validators.extend(
    Draft7Validator,
    {
        "required": _required,
        "additionalProperties": _additional_properties,
        "pattern": _pattern,
        "format": _format,
        LIST_MAP_KEYS: _list_map_keys,
    },
)

_OWN_MESSAGES = frozenset({"required", "additionalProperties", "pattern", "format", LIST_MAP_KEYS})


# -- problems as users read them --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: tuple[str | int, ...]
    code: str
    """`unknown-field` for a field the schema does not have, `schema` for every other violation."""
    message: str
    hint: str | None = None


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    return next((name for t, name in _JSON_TYPES if isinstance(value, t)), type(value).__name__)


def _first_duplicate(values: Any) -> Any:
    seen: list[Any] = []
    for value in values:
        if value in seen:
            return value
        seen.append(value)
    return None


def _junction_message(error: ValidationError) -> str:
    keyword = error.validator
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    if keyword in ("anyOf", "oneOf") and branches and all(set(b) == {"required"} for b in branches):
        fields = ", ".join(dict.fromkeys(f for b in branches for f in b["required"]))
        if keyword == "oneOf" and not error.context:
            return f"must set exactly one of: {fields} (more than one is set)"
        return f"must set {'exactly' if keyword == 'oneOf' else 'at least'} one of: {fields}"
    if keyword == "oneOf" and not error.context:
        return f"invalid value {_short(error.instance)}: matches more than one of the allowed forms"
    if keyword == "not":
        return f"invalid value {_short(error.instance)}: matches a form that is not allowed"
    best = best_match(error.context) if error.context else None
    detail = f": {_message(best)}" if best is not None else ""
    return f"invalid value {_short(error.instance)}: matches none of the allowed forms{detail}"


def _message(error: ValidationError) -> str:
    keyword, expected, value = error.validator, error.validator_value, error.instance
    if keyword in _OWN_MESSAGES:
        return str(error.message)
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"must be of type {wanted}, not {_json_type(value)}: {_short(value)}"
    if keyword == "enum":
        allowed = ", ".join(_short(v) for v in expected if v is not None)
        return f"unsupported value {_short(value)}: supported values: {allowed}"
    bounds = {
        "minimum": "greater than or equal to",
        "exclusiveMinimum": "greater than",
        "maximum": "less than or equal to",
        "exclusiveMaximum": "less than",
    }
    if keyword in bounds:
        return f"invalid value {_short(value)}: must be {bounds[keyword]} {expected}"
    counted = {
        "minLength": ("at least", "characters long"),
        "maxLength": ("at most", "characters long"),
        "minItems": ("at least", "items"),
        "maxItems": ("at most", "items"),
        "minProperties": ("at least", "fields"),
        "maxProperties": ("at most", "fields"),
    }
    if keyword in counted:
        how, unit = counted[keyword]
        shown = f"invalid value {_short(value)}: " if keyword.endswith("Length") else ""
        return f"{shown}must {'be' if unit.endswith('long') else 'have'} {how} {expected} {unit}"
    if keyword == "multipleOf":
        return f"invalid value {_short(value)}: must be a multiple of {expected}"
    if keyword == "uniqueItems":
        return f"duplicate value {_short(_first_duplicate(value))}: the list is a set"
    if keyword in ("anyOf", "oneOf", "allOf", "not"):
        return _junction_message(error)
    return str(error.message)


class CompiledSchema:
    """One CRD version's schema, converted once and checked against any number of objects."""

    def __init__(self, structural: Mapping[str, Any]) -> None:
        self.structural = structural
        self.json_schema = to_json_schema(structural, root=True)
        self._validator = _Validator(self.json_schema)

    def problems(self, obj: Mapping[str, Any], *, drop_status: bool) -> list[Problem]:
        instance = prepare(dict(obj), self.structural)
        if drop_status:  # with a status subresource the server ignores status written with the object
            instance.pop("status", None)
        out = []
        for error in self._validator.iter_errors(instance):
            path = tuple(error.absolute_path)
            code = "unknown-field" if error.validator == "additionalProperties" else "schema"
            out.append(Problem(path, code, _message(error), getattr(error, "hint", None)))
        return out
