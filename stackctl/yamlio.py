"""YAML in and out exactly as kustomize v5.8.1 reads and prints it.

kustomize reads YAML with go-yaml v3 (scalars resolved YAML-1.2-style, but `012` is still octal, `1_000`
is an int and `2024-01-15` a timestamp), turns every object into JSON (`encoding/json`), reads that JSON
back with go-yaml v2 and prints it with go-yaml v2's emitter.  No Python library reproduces either half:
PyYAML resolves scalars YAML 1.1-style and formats differently, so this module is written by hand on top of
libyaml's C parser (through PyYAML's `CParser`, which composes the node graph in C):

- `load_documents` walks the composed nodes itself and resolves plain scalars the way go-yaml v3 does,
  then applies the JSON step (timestamps become RFC 3339 strings, binary data a string).
- `dump_documents` re-implements go-yaml v2's encoder and emitter for JSON-like data: natural key order,
  plain/single/double/literal scalar styles, escapes and folding at 80 columns, and Go's number formatting
  after the JSON round trip (`1.0` prints `1`, `1234567.5` prints `1.2345675e+06`).
- `dump_json` prints what `kubectl ... -o json` prints for a list of objects.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from yaml import MarkedYAMLError, YAMLError
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stackctl.errors import YamlError
from stackctl.model import Obj

__all__ = ["dump_documents", "dump_json", "load_documents"]

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1

_TAG_PREFIX = "tag:yaml.org,2002:"
_STR_TAG = _TAG_PREFIX + "str"

# ---------------------------------------------------------------------------------------------------------
# Scalar resolution shared by both directions
# ---------------------------------------------------------------------------------------------------------

# go-yaml's float syntax (both v2 and v3), applied after underscores are removed.
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60_RE = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")

# Go's time.Parse for the layouts go-yaml accepts as timestamps ("2006-1-2T15:4:5.999999999Z07:00", the same
# with "t", "2006-1-2 15:4:5.999999999" and "2006-1-2").  Go allows one or two digits for every field but the
# year, a fraction after a period or comma, and requires a zone only in the T forms.
_TS_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TS_TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})"
    r"(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _parse_timestamp(s: str) -> str | None:
    """The RFC 3339 text Go's `time.Time` marshals to, if go-yaml reads `s` as a timestamp; else None."""
    if len(s) < 8 or not s[:4].isdigit() or s[4] != "-" or not s[:4].isascii():
        return None
    m = _TS_DATE_RE.fullmatch(s)
    if m:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        if not _valid_date(year, month, day):
            return None
        return f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"
    m = _TS_TIME_RE.fullmatch(s)
    if not m:
        return None
    sep, zone = m[4], m[9]
    if (sep == " ") == (zone is not None):
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    hour, minute, second = int(m[5]), int(m[6]), int(m[7])
    if not _valid_date(year, month, day) or hour > 23 or minute > 59 or second > 59:
        return None
    frac = ""
    if m[8]:
        digits = m[8][:9].ljust(9, "0").rstrip("0")
        frac = "." + digits if digits else ""
    if zone is None or zone == "Z":
        tz = "Z"
    else:
        zh, zm = int(zone[1:3]), int(zone[4:6])
        if zh > 24 or zm > 60:
            return None
        tz = "Z" if zh == 0 and zm == 0 else zone
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{frac}{tz}"


def _valid_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    days = _DAYS_IN_MONTH[month]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        days = 29
    return day <= days


def _go_parse_int(s: str) -> int | None:
    """Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`: the value, or None if both fail."""
    sign = 1
    body = s
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        signed = True
        body = body[1:]
    else:
        signed = False
    if not body:
        return None
    base = 10
    if body[0] == "0" and len(body) > 1:
        prefix = body[1].lower()
        if prefix == "x":
            base, body = 16, body[2:]
        elif prefix == "o":
            base, body = 8, body[2:]
        elif prefix == "b":
            base, body = 2, body[2:]
        else:
            base, body = 8, body[1:]
    if not body:
        return None
    digits = "0123456789abcdef"[:base]
    if any(c not in digits for c in body.lower()):
        return None
    value = sign * int(body, base)
    if _INT64_MIN <= value <= _INT64_MAX:
        return value
    if not signed and value <= _UINT64_MAX:
        return value
    return None


def _go_parse_float(s: str) -> float | None:
    """Go's `strconv.ParseFloat(s, 64)` for go-yaml's float syntax: None when it overflows."""
    value = float(s)
    if math.isinf(value):
        return None
    return value


_V3_SPECIAL: dict[str, Any] = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
}
# go-yaml v2 (the printer) also reads YAML 1.1 booleans; a string spelled like one must be quoted.
_V2_SPECIAL = frozenset(
    [
        *_V3_SPECIAL,
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "on",
        "On",
        "ON",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "off",
        "Off",
        "OFF",
    ]
)


def _resolve_number(s: str) -> Any:
    """go-yaml's int/float resolution of a plain scalar starting with a digit or sign; `s` if neither."""
    plain = s.replace("_", "")
    value = _go_parse_int(plain)
    if value is not None:
        return value
    if _FLOAT_RE.fullmatch(plain):
        f = _go_parse_float(plain)
        if f is not None:
            return f
    return s


def _resolve_plain(s: str) -> Any:
    """The value go-yaml v3 gives the plain scalar `s`, after kustomize's JSON step (timestamps -> str)."""
    if s in _V3_SPECIAL:
        return _V3_SPECIAL[s]
    c = s[0]
    if "0" <= c <= "9":
        ts = _parse_timestamp(s)
        if ts is not None:
            return ts
        return _resolve_number(s)
    if c in "+-":
        return _resolve_number(s)
    if c == "." and _FLOAT_RE.fullmatch(s):
        f = _go_parse_float(s)
        if f is not None:
            return f
    return s


_YAML11_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}


def _resolve_kustomization_plain(s: str) -> Any:
    """A plain scalar of a kustomization file as kustomize v5.8.1 reads it (checked against it): YAML 1.1
    booleans (`yes`, `off`, ...), timestamps left as written, everything else as in a resource."""
    if s in _YAML11_BOOLS:
        return _YAML11_BOOLS[s]
    if "0" <= s[:1] <= "9" and _parse_timestamp(s) is not None:
        return s
    return _resolve_plain(s)


@functools.lru_cache(maxsize=65536)
def _v2_plain_ok(s: str) -> bool:
    """Whether go-yaml v2 may print `s` unquoted: it must read back as the same string."""
    if s in _V2_SPECIAL:
        return False
    c = s[0]
    if "0" <= c <= "9" or c in "+-":
        if c not in "+-" and _parse_timestamp(s) is not None:
            return False
        if _resolve_number(s) is not s:
            return False
        return not (":" in s and _BASE60_RE.fullmatch(s))
    if c == ".":
        # v2 hands these straight to ParseFloat, which takes only decimal syntax after a leading period.
        return not (_FLOAT_RE.fullmatch(s) and _go_parse_float(s) is not None)
    return True


# ---------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------


class _Composer(CParser):
    """libyaml's parser and composer; scalars are resolved afterwards, by `_Builder`."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return ""


class _Builder:
    def __init__(self, source: str, annotations_as_text: bool = False, kustomization: bool = False) -> None:
        self.source = source
        self.annotations_as_text = annotations_as_text
        self.resolve = _resolve_kustomization_plain if kustomization else _resolve_plain
        # With annotations_as_text: (container, key, source text) of plain scalars whose text differs from
        # how their value is written back (`1.10`, `0x1F`, `True`); `spelled` passes one to the caller.
        # With annotations_as_text: the path being built, the plain scalars whose text differs from how
        # their value is written back (`1.10`, `0x1F`, `True`: path -> text), and the maps written in flow
        # style; `spelled` passes a scalar's text up to the entry that holds it.
        self.path: list[Any] | None = [] if annotations_as_text else None
        self.spellings: dict[tuple[Any, ...], str] = {}
        self.flow_maps: list[tuple[Any, ...]] = []
        self.spelled: str | None = None
        self.memo: dict[str, Any] = {}
        self.line_offset = 0

    def error(self, node: Node, message: str) -> YamlError:
        mark = node.start_mark
        line = mark.line + 1 + self.line_offset
        return YamlError(f"line {line}, column {mark.column + 1}: {message}", file=self.source)

    def scalar(self, node: ScalarNode, flow: bool = False) -> Any:
        tag = node.tag
        value: str = node.value
        if tag == "":
            style = node.style
            if style == "":
                if flow and not value:
                    # kyaml re-encodes the node before printing; go-yaml v3 writes an empty scalar in a flow
                    # collection as '' and reads it back as a string
                    return ""
                memo = self.memo
                try:
                    result = memo[value]
                except KeyError:
                    result = self.resolve(value)
                    if result.__class__ is float and not math.isfinite(result):
                        raise self.error(node, f"json: unsupported value: {_go_inf_name(result)}") from None
                    memo[value] = result
                if self.path is not None and result.__class__ is not str and _respelled(value, result):
                    self.spelled = value
                return result
            if style == ">" and not flow:
                return _v3_folded_round_trip(value)
            return value
        return self.tagged(node, tag, value)

    def tagged(self, node: ScalarNode, tag: str, value: str) -> Any:
        short = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else None
        if short is None or short == "str":
            return value
        if short == "binary":
            try:
                data = base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise self.error(node, f"!!binary value contains invalid base64 data: {exc}") from None
            return _go_bytes_to_str(data)
        resolved = _resolve_plain(value) if value else None
        if short == "null":
            if resolved is None:
                return None
        elif short == "bool":
            if isinstance(resolved, bool):
                return resolved
        elif short == "int":
            if isinstance(resolved, int) and not isinstance(resolved, bool):
                return resolved
        elif short == "float":
            if isinstance(resolved, float):
                if not math.isfinite(resolved):
                    raise self.error(node, f"json: unsupported value: {_go_inf_name(resolved)}")
                return resolved
            if isinstance(resolved, int) and not isinstance(resolved, bool):
                return float(resolved)
        elif short == "timestamp":
            ts = _parse_timestamp(value)
            if ts is not None:
                return ts
        else:
            return value
        kind = "str" if isinstance(resolved, str) else _short_tag_of(resolved)
        raise self.error(node, f"cannot decode !!{kind} `{value}` as a !!{short}")

    def build(self, node: Node, top: bool, metadata: bool = False) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node)  # type: ignore[arg-type]
        if cls is SequenceNode:
            flow = bool(node.flow_style)  # type: ignore[attr-defined]
            path = self.path
            if path is None:
                if flow:
                    return [
                        self.scalar(i, True) if i.__class__ is ScalarNode else self.build(i, False)
                        for i in node.value
                    ]
                return [self.build(item, False) for item in node.value]
            items: list[Any] = []
            for index, item in enumerate(node.value):
                self.spelled = None
                path.append(index)
                if flow and item.__class__ is ScalarNode:
                    items.append(self.scalar(item, True))
                else:
                    items.append(self.build(item, False))
                if self.spelled is not None:
                    self.spellings[tuple(path)] = self.spelled
                    self.spelled = None
                path.pop()
            return items
        assert cls is MappingNode
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        merges: list[Node] = []
        flow = bool(node.flow_style)  # type: ignore[attr-defined]
        path = self.path
        if flow and path is not None:
            self.flow_maps.append(tuple(path))
        for knode, vnode in node.value:
            if knode.__class__ is not ScalarNode:
                raise self.error(knode, "mapping keys must be strings, not collections")
            raw: str = knode.value
            if raw in seen:
                raise self.error(knode, f'mapping key "{raw}" already defined at line {seen[raw]}')
            seen[raw] = knode.start_mark.line + 1 + self.line_offset
            if raw == "<<":
                if knode.style == "" and knode.tag in ("", "tag:yaml.org,2002:merge"):
                    merges.append(vnode)
                # any other "<<" key is dropped on kustomize's way out (go-yaml v2 reading its JSON)
                continue
            key = self.key(knode, top, flow)
            self.spelled = None
            if path is not None:
                path.append(key)
            if flow and vnode.__class__ is ScalarNode:
                out[key] = self.scalar(vnode, True)
            elif top and key == "metadata" and self.annotations_as_text:
                out[key] = self.build(vnode, False, metadata=True)
            elif metadata and key == "annotations" and vnode.__class__ is MappingNode:
                out[key], typed = self.texts(vnode)
                if typed:
                    out[TYPED_ANNOTATIONS] = typed
            else:
                out[key] = self.build(vnode, False)
            if path is not None:
                if self.spelled is not None:
                    self.spellings[tuple(path)] = self.spelled
                    self.spelled = None
                path.pop()
        if merges:
            mark = len(self.flow_maps)
            for merge in merges:
                sources = merge.value if merge.__class__ is SequenceNode else [merge]
                for src in sources:
                    if src.__class__ is not MappingNode:
                        raise self.error(merge, "map merge requires map or sequence of maps as the value")
                    for k, v in self.build(src, top).items():
                        out.setdefault(k, v)
            if path is not None and not flow:  # a merged-in map lends its entries, not its style
                here = tuple(path)
                self.flow_maps[mark:] = [p for p in self.flow_maps[mark:] if p != here]
        return out

    def texts(self, node: MappingNode) -> tuple[dict[str, str], dict[str, Any]]:
        """A map whose values kustomize turns into their source text (annotations): collections become "".

        Also returns, for plain scalars that do not read as strings, the value they read as: kustomize
        prints the source text unless the object goes through a JSON round trip (a JSON 6902 patch) first.
        """
        out: dict[str, str] = {}
        typed: dict[str, Any] = {}
        flow = bool(node.flow_style)
        for knode, vnode in node.value:
            if knode.__class__ is not ScalarNode:
                raise self.error(knode, "mapping keys must be strings, not collections")
            key = self.key(knode, False, flow)
            if key in out:
                raise self.error(knode, f'mapping key "{knode.value}" already defined')
            out[key] = vnode.value if vnode.__class__ is ScalarNode else ""
            if vnode.__class__ is ScalarNode and vnode.style == "" and vnode.tag == "":
                if flow and not vnode.value:
                    continue  # an empty value in a flow map reads as "" (see `scalar`)
                value = _resolve_plain(vnode.value)
                if not isinstance(value, str):
                    typed[key] = value
        return out, typed

    def key(self, node: ScalarNode, top: bool, flow: bool = False) -> str:
        """A mapping key as kustomize keeps it: the raw text at the top level (decoded into a Go string),
        and below only keys that resolve to strings (anything else makes `encoding/json` fail)."""
        raw: str = node.value
        if flow and not raw and node.tag == "" and node.style == "":
            return ""
        if node.tag == "" and node.style == "":
            resolved = self.resolve(raw)
            is_str = resolved is raw
        else:
            resolved = self.scalar(node)
            is_str = isinstance(resolved, str) and node.tag != "tag:yaml.org,2002:timestamp"
        if resolved is None:
            raise self.error(node, f'null mapping key "{raw}" is not supported')
        if top or is_str:
            return resolved if node.tag == "tag:yaml.org,2002:binary" else raw
        raise self.error(node, f'mapping key "{raw}" is not a string (json: unsupported type)')


def _v3_folded_round_trip(value: str) -> str:
    """The value a folded (`>`) block scalar has when kustomize prints it.

    kyaml re-encodes nodes with go-yaml v3 before printing, and v3's folded writer decides whether a line
    break needs an extra blank line by looking at the start of the whole value instead of the next line, so
    line breaks can multiply. Replays that writer and reads its text back.
    """
    flags = _scalar_flags(value) if value else None
    if flags is None or not flags[2]:
        return value  # v3 writes it double-quoted: exact
    head = ">"
    if value[0] == " " or value[0] in _BREAKS:
        head += "2"
    if value[-1] not in _BREAKS:
        head += "-"
    elif len(value) == 1 or value[-2] in _BREAKS:
        head += "+"
    first = len(value) - len(value.lstrip(_BREAKS))
    extra_break = first < len(value) and value[first] not in " \t\x00"
    out = ["k: ", head, "\n"]
    breaks = leading_spaces = True
    for c in value:
        if c in _BREAKS:
            if not breaks and not leading_spaces and c == "\n" and extra_break:
                out.append("\n")
            out.append(c)
            breaks = True
        else:
            if breaks:
                out.append("  ")
                leading_spaces = c in " \t"
            out.append(c)
            breaks = False
    composer = _Composer("".join(out))
    try:
        node = composer.get_single_node()
    finally:
        composer.dispose()
    assert node is not None
    return node.value[0][1].value  # type: ignore[no-any-return]


def _respelled(text: str, value: Any) -> bool:
    """Whether a plain scalar's text is not the plain way of writing the value it reads as."""
    cls = value.__class__
    if cls is int:
        return text != str(value)
    if cls is bool:
        return text != ("true" if value else "false")
    if cls is float:
        return text != repr(value)
    return False


def _short_tag_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def _go_bytes_to_str(data: bytes) -> str:
    """Go's `encoding/json` view of bytes: each byte of an invalid UTF-8 sequence becomes U+FFFD."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    out: list[str] = []
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        width = 1 if b < 0x80 else 2 if 0xC2 <= b < 0xE0 else 3 if 0xE0 <= b < 0xF0 else 4 if b < 0xF5 else 0
        if width:
            try:
                out.append(data[i : i + width].decode("utf-8"))
                i += width
                continue
            except UnicodeDecodeError:
                pass
        out.append("\ufffd")
        i += 1
    return "".join(out)


SOURCE_FORM = "\x00source-form"
"""With `annotations_as_text`: a top-level key holding (the paths of plain scalars written otherwise than
their value prints (`1.10`, `0x1F`) -> their source text, which a replacement copies; the paths of maps
written in flow style, where a created empty value prints as ""), for the caller to take off the object."""

TYPED_ANNOTATIONS = "\x00typed-annotations"
"""With `annotations_as_text`: a key beside `metadata.annotations` mapping annotation keys written as plain
non-string scalars to the values they read as (for the caller to take off the object)."""


def load_documents(
    text: str | bytes, *, source: str, annotations_as_text: bool = False, kustomization: bool = False
) -> list[Any]:
    """Parse a multi-document YAML stream into the values kustomize works with.

    Plain scalars resolve as go-yaml v3 does (`yes`/`on` stay strings, `012` -> 10, `0x1F` -> 31, `1_000` ->
    1000); numbers that do not fit 64 bits become floats, and floats stay floats (`1.0` is 1.0: printing
    decides how it looks). Timestamps become the RFC 3339 string kustomize prints (`2024-01-15` ->
    "2024-01-15T00:00:00Z"), `!!binary` the decoded text, `<<` merges are expanded and a quoted `"<<"` key
    is dropped.
    Like kyaml, the text is first cut at every `\n---\n` line and each piece parsed on its own (so a
    `%YAML` directive fails as it does in kustomize). Empty documents and documents that are only `null` are
    skipped; other non-mapping documents are returned as they are (kustomize rejects them as resources).
    With `annotations_as_text`, the values of each document's `metadata.annotations` are the text they are
    written with (`1.50` -> "1.50", `~` -> "~", a collection -> ""), as kustomize prints a resource's
    annotations. With `kustomization`, plain scalars resolve as kustomize reads a kustomization file (YAML 1.1
    booleans, timestamps kept as written). Raises `YamlError` (file=source) with the 1-based line and column
    of the problem, also for `.inf`/`.nan`, which kustomize cannot print.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlError(f"invalid UTF-8 at byte {exc.start}", file=source) from None
    builder = _Builder(source, annotations_as_text, kustomization)
    docs: list[Any] = []
    chunks = text.split("\n---\n")
    last = len(chunks) - 1
    for i, chunk in enumerate(chunks):
        _load_chunk(chunk if i == last else chunk + "\n", builder, docs)
        builder.line_offset += chunk.count("\n") + 2
    return docs


def _load_chunk(text: str, builder: _Builder, docs: list[Any]) -> None:
    composer = _Composer(text)
    try:
        while composer.check_node():
            node = composer.get_node()
            if node is None:
                break
            value = builder.build(node, True)
            if builder.spellings or builder.flow_maps:
                if isinstance(value, dict):
                    value[SOURCE_FORM] = (builder.spellings, frozenset(builder.flow_maps))
                builder.spellings = {}
                builder.flow_maps = []
            if value is not None:
                docs.append(value)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1 + builder.line_offset}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"{where}{problem}", file=builder.source) from None
    except YAMLError as exc:
        raise YamlError(str(exc), file=builder.source) from None
    except RecursionError:
        raise YamlError("document nests too deeply", file=builder.source) from None
    finally:
        composer.dispose()


# ---------------------------------------------------------------------------------------------------------
# Dumping
# ---------------------------------------------------------------------------------------------------------

_BEST_WIDTH = 80


def _go_less(a: str, b: str) -> bool:
    """go-yaml v2's `keyList.Less` for two string keys."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = _wrap64(an * 10 + ord(a[ai]) - 48)
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = _wrap64(bn * 10 + ord(b[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _wrap64(n: int) -> int:
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


def _go_cmp(a: str, b: str) -> int:
    return -1 if _go_less(a, b) else 1 if _go_less(b, a) else 0


_go_sort_key = functools.cmp_to_key(_go_cmp)
_LETTERS_ONLY_RE = re.compile(r"[A-Za-z]*")


@functools.lru_cache(maxsize=65536)
def _digit_free_key(s: str) -> str:
    """Sort key equal to `_go_less` for strings without digits: non-letters before letters, then by rune."""
    return "".join(("\x01" if c.isalpha() else "\x00") + c for c in s)


def _sorted_keys(keys: tuple[str, ...]) -> list[str]:
    """Map keys in go-yaml v2's order.

    Its comparison is not a strict weak order once digit runs are involved (`a10b` < `a1c` as a digit
    precedes a letter, `a1c` < `a9` as `1` < `9`, yet `a9` < `a10b` as 9 < 10): for such key sets go-yaml's
    result depends on Go's random map order and kustomize prints them differently from run to run. We sort
    them deterministically; `_key_order_is_total` tells the key sets kustomize orders reproducibly.
    """
    if all(_LETTERS_ONLY_RE.fullmatch(k) for k in keys):
        return sorted(keys)
    if not any(c.isdecimal() for k in keys for c in k):
        return sorted(keys, key=_digit_free_key)
    return sorted(keys, key=_go_sort_key)


def _key_order_is_total(keys: Iterable[str]) -> bool:
    """Whether go-yaml v2 orders these keys the same way every time (its comparison is consistent on them)."""
    ordered = _sorted_keys(tuple(keys))
    return all(_go_less(a, b) and not _go_less(b, a) for i, a in enumerate(ordered) for b in ordered[i + 1 :])


def _go_float_after_json(f: float) -> str:
    """A float as kustomize prints it: Go's JSON text for it, read back by go-yaml v2 (an int when that
    text is a whole number that fits 64 bits: `1.0` -> `1`, `2**63` -> `9223372036854776000`), else Go's
    shortest `%g`-style text (`1e+21`, `1.2345675e+06`)."""
    text = _go_json_float(f)
    if "." not in text and "e" not in text:
        n = int(text)
        if _INT64_MIN <= n <= _UINT64_MAX:
            return str(n)
    return _go_format_g(f)


def _float_digits(f: float) -> tuple[bool, str, int]:
    """(negative, shortest round-trip digits without leading/trailing zeros, decimal point position)."""
    r = repr(f)
    neg = r[0] == "-"
    if neg:
        r = r[1:]
    mant, _, exp_s = r.partition("e")
    whole, _, frac = mant.partition(".")
    digits = whole + frac
    dp = len(whole) + (int(exp_s) if exp_s else 0)
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    return neg, stripped.rstrip("0"), dp


def _format_e(neg: bool, digits: str, dp: int, min_exp_digits: int) -> str:
    exp = dp - 1
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if neg else ''}{body}e{'-' if exp < 0 else '+'}{abs(exp):0{min_exp_digits}d}"


def _format_f(neg: bool, digits: str, dp: int) -> str:
    if dp <= 0:
        text = f"0.{'0' * -dp}{digits}"
    elif dp >= len(digits):
        text = digits + "0" * (dp - len(digits))
    else:
        text = f"{digits[:dp]}.{digits[dp:]}"
    return ("-" if neg else "") + text


def _go_format_g(f: float) -> str:
    """Go's `strconv.FormatFloat(f, 'g', -1, 64)` for a finite float."""
    neg, digits, dp = _float_digits(f)
    if not digits:
        return "-0" if neg else "0"
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return _format_e(neg, digits, dp, 2)
    return _format_f(neg, digits, dp)


def _go_json_float(f: float) -> str:
    """Go's `encoding/json` text for a float64."""
    if math.isinf(f) or math.isnan(f):
        raise YamlError(f"json: unsupported value: {_go_inf_name(f)}")
    neg, digits, dp = _float_digits(f)
    if not digits:
        return "-0" if neg else "0"
    a = abs(f)
    if a < 1e-6 or a >= 1e21:
        return _format_e(neg, digits, dp, 1)
    return _format_f(neg, digits, dp)


def _go_inf_name(f: float) -> str:
    return "NaN" if math.isnan(f) else "+Inf" if f > 0 else "-Inf"


def _scalar_text(value: Any) -> str:
    """Plain text of a non-string scalar as go-yaml v2 prints it after kustomize's JSON round trip."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if _INT64_MIN <= value <= _UINT64_MAX:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            raise YamlError(f"integer {value} does not fit a float64") from None
    if isinstance(value, float):
        return _go_float_after_json(value)
    raise YamlError(f"cannot print a value of type {type(value).__name__}")


def _is_printable(c: str) -> bool:
    o = ord(c)
    if o < 0x80:
        return o == 0x0A or 0x20 <= o <= 0x7E
    if o < 0xA0:
        return False
    if o <= 0xD7FF:
        return True
    if 0xE000 <= o <= 0xFFFD:
        return o != 0xFEFF
    return False


_BREAKS = "\r\n\x85\u2028\u2029"
_PLAIN, _SINGLE, _DOUBLE, _LITERAL = 0, 1, 2, 3
# Anything outside this set needs the full character-by-character analysis.
_SAFE_PLAIN_RE = re.compile(r"[A-Za-z0-9_/()$=+;^~][A-Za-z0-9_./()$=+;^~\-]*")


# kustomize prints through JSON text that go-yaml v2 reads back: its reader refuses these characters (Go's
# JSON leaves them raw), and its scanner folds a raw NEL with the spaces around it like a line break.
_UNREADABLE_RE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_NEL_RUN_RE = re.compile(" *\x85[ \x85]*")
_TRIP = -1


def _json_trip(s: str, *, key: bool) -> str:
    """The string go-yaml v2 reads back from Go's JSON for `s` (only needed when `s` has C1 controls)."""
    bad = _UNREADABLE_RE.search(s)
    if bad:
        raise YamlError(f"yaml: control characters are not allowed: {bad.group()!r} in {s!r}")
    if key:
        raise YamlError(f"yaml: a mapping key cannot contain a NEL line break (U+0085): {s!r}")
    return _NEL_RUN_RE.sub(_fold_nel, s)


def _fold_nel(m: re.Match[str]) -> str:
    breaks = m.group().count("\x85")
    return " " if breaks == 1 else "\n" * (breaks - 1)


_BREAK_CLASS = "\r\n\x85\u2028\u2029"
# The complement of go-yaml's printable set (\n, 20-7E, A0-D7FF, E000-FEFE, FF00-FFFD), spelled as a positive
# class: the negated spelling takes milliseconds to compile, at every start.
_NOT_PRINTABLE_RE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]"
)
_REFUSED_RE = re.compile("[\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAK_RE = re.compile(f"[{_BREAK_CLASS}]")
_BREAK_SPACE_RE = re.compile(f"[{_BREAK_CLASS}] ")
_SPACE_BREAK_RE = re.compile(f" [{_BREAK_CLASS}]")
# After the first character: ": " (or ":" at the end) and " #" are block indicators.
_INNER_INDICATOR_RE = re.compile(f":(?=[ \t]|\\Z)|(?<=[ \t{_BREAK_CLASS}\x00])#")
_FIRST_INDICATORS = "#,[]{}&*!|>'\"%@`"


def _scalar_flags(s: str) -> tuple[bool, bool, bool, bool] | None:
    """go-yaml's scalar analysis (the same in v2 and v3) of a non-empty string: (plain allowed in block
    context, single quotes allowed, block scalar allowed, has line breaks); None for characters the JSON
    step refuses or changes. go-yaml walks the string character by character; these regular expressions
    compute the same flags (the emitter's hot path for large CRD descriptions)."""
    # (go-yaml also tracks flow indicators; kustomize's output has no flow collections with content)
    special = False
    if _NOT_PRINTABLE_RE.search(s):
        if _REFUSED_RE.search(s):
            return None
        special = True
    first = s[0]
    block_ind = (
        s.startswith(("---", "..."))
        or first in _FIRST_INDICATORS
        or (first in "?:-" and (len(s) == 1 or s[1] in " \t"))
        or _INNER_INDICATOR_RE.search(s, 1) is not None
    )
    line_breaks = _LINE_BREAK_RE.search(s) is not None
    leading = first == " " or first in _BREAKS
    last = s[-1]
    trailing_space = last == " "
    trailing = trailing_space or last in _BREAKS
    break_space = line_breaks and _BREAK_SPACE_RE.search(s) is not None
    space_break = line_breaks and _SPACE_BREAK_RE.search(s) is not None
    block_plain = single_ok = block_ok = True
    if leading or trailing:
        block_plain = False
    if trailing_space:
        block_ok = False
    if break_space:
        block_plain = single_ok = False
    if space_break or special:
        block_plain = single_ok = block_ok = False
    if line_breaks or block_ind:
        block_plain = False
    return block_plain, single_ok, block_ok, line_breaks


@functools.lru_cache(maxsize=65536)
def _analyze(s: str) -> tuple[int, int]:
    """(style for a value, style for a simple key) go-yaml v2 picks for the string `s`; `_TRIP` when the
    JSON step changes or refuses the string."""
    if not s:
        return _DOUBLE, _DOUBLE
    can_plain = _v2_plain_ok(s)
    if _SAFE_PLAIN_RE.fullmatch(s):
        style = _PLAIN if can_plain else _DOUBLE
        return style, style
    flags = _scalar_flags(s)
    if flags is None:
        return _TRIP, _TRIP
    block_plain, single_ok, block_ok, line_breaks = flags

    def pick(requested: int, simple_key: bool) -> int:
        style = requested
        if simple_key and line_breaks:
            style = _DOUBLE
        if style == _PLAIN and not block_plain:
            style = _SINGLE
        if style == _SINGLE and not single_ok:
            style = _DOUBLE
        if style == _LITERAL and (not block_ok or simple_key):
            style = _DOUBLE
        return style

    requested = _LITERAL if "\n" in s else _PLAIN if can_plain else _DOUBLE
    return pick(requested, False), pick(requested, True)


_ESCAPES = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _escape(c: str) -> str:
    e = _ESCAPES.get(c)
    if e is not None:
        return e
    o = ord(c)
    if o <= 0xFF:
        return f"\\x{o:02X}"
    if o <= 0xFFFF:
        return f"\\u{o:04X}"
    return f"\\U{o:08X}"


def _needs_escape(c: str) -> bool:
    return not _is_printable(c) or c in '"\\\ufeff\r\n\x85\u2028\u2029'


def _write_double(s: str, column: int, indent: int, allow_breaks: bool) -> str:
    """go-yaml v2's double-quoted writer; `column` is where the opening quote goes (after any space)."""
    out = ['"']
    column += 1
    spaces = False
    n = len(s)
    pad = "\n" + " " * indent
    # go-yaml v2's BOM test looks at the start of the string whatever the position, so a string that
    # starts with U+FEFF has every character escaped.
    escape_all = s.startswith("\ufeff")
    for i, c in enumerate(s):
        if escape_all or _needs_escape(c):
            e = _escape(c)
            out.append(e)
            column += len(e)
            spaces = False
        elif c == " ":
            if allow_breaks and not spaces and column > _BEST_WIDTH and 0 < i < n - 1:
                out.append(pad)
                column = indent
                if s[i + 1] == " ":
                    out.append("\\")
                    column += 1
            else:
                out.append(" ")
                column += 1
            spaces = True
        else:
            out.append(c)
            column += 1
            spaces = False
    out.append('"')
    return "".join(out)


def _write_folding(s: str, column: int, indent: int, quote: str, allow_breaks: bool = True) -> str:
    """go-yaml v2's plain (quote "") or single-quoted (quote "'") writer with folding at spaces."""
    if not _LINE_BREAK_RE.search(s):
        return _write_folding_one_line(s, column, indent, quote, allow_breaks)
    out = [quote]
    column += len(quote)
    spaces = breaks = False
    n = len(s)
    pad = "\n" + " " * indent
    for i, c in enumerate(s):
        if c == " ":
            if (
                allow_breaks
                and not spaces
                and column > _BEST_WIDTH
                and (not quote or 0 < i < n - 1)
                and (i + 1 >= n or s[i + 1] != " ")
            ):
                out.append(pad)
                column = indent
            else:
                out.append(" ")
                column += 1
            spaces = True
        elif c in _BREAKS:
            if not breaks and c == "\n":
                out.append("\n")
            out.append(c)
            column = 0
            breaks = True
        else:
            if breaks:
                out.append(" " * indent)
                column = indent
            if c == "'" and quote:
                out.append("'")
                column += 1
            out.append(c)
            column += 1
            spaces = breaks = False
    out.append(quote)
    return "".join(out)


_WORDS_RE = re.compile(r" +|[^ ]+")


def _write_folding_one_line(s: str, column: int, indent: int, quote: str, allow_breaks: bool) -> str:
    """`_write_folding` for a string without line breaks, a run of spaces or a word at a time: only a lone
    space between two words (and, quoted, not at either end) may become a line break."""
    out = [quote]
    column += len(quote)
    pad = "\n" + " " * indent
    n = len(s)
    for m in _WORDS_RE.finditer(s):
        run = m.group()
        if run[0] == " ":
            start = m.start()
            if allow_breaks and len(run) == 1 and column > _BEST_WIDTH and (not quote or 0 < start < n - 1):
                out.append(pad)
                column = indent
            else:
                out.append(run)
                column += len(run)
        else:
            if quote and "'" in run:
                run = run.replace("'", "''")
            out.append(run)
            column += len(run)
    out.append(quote)
    return "".join(out)


def _write_literal(s: str, indent: int) -> str:
    """go-yaml v2's literal block scalar, from the `|` on."""
    head = "|"
    if s[0] == " " or s[0] in _BREAKS:
        head += "2"
    last = s[-1]
    if last not in _BREAKS:
        head += "-"
    elif len(s) == 1 or s[-2] in _BREAKS:
        head += "+"
    pad = " " * indent
    if "\r" not in s and "\x85" not in s and "\u2028" not in s and "\u2029" not in s:
        return head + "\n" + "\n".join(pad + line if line else "" for line in s.split("\n"))
    out = [head, "\n"]
    breaks = True
    for c in s:
        if c in _BREAKS:
            out.append(c)
            breaks = True
        else:
            if breaks:
                out.append(pad)
                breaks = False
            out.append(c)
    return "".join(out)


class _Emitter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.key_cache: dict[tuple[str, ...], list[str]] = {}
        self.simple_keys: dict[str, str] = {}  # key -> its text; a simple key's text has no line breaks

    def scalar(self, value: Any, column: int, indent: int) -> None:
        """Write a scalar value that follows an indicator (`key:` or `-`) ending at `column`."""
        out = self.out
        if value.__class__ is not str:
            if not isinstance(value, str):
                out.append(" " + _scalar_text(value) + "\n")
                return
            value = str.__str__(value)
        style = _analyze(value)[0]
        if style == _TRIP:
            value = _json_trip(value, key=False)
            style = _analyze(value)[0]
        column += 1
        if style == _PLAIN:
            if column + len(value) <= _BEST_WIDTH + 1 or " " not in value:
                out.append(" " + value + "\n")
            else:
                out.append(" " + _write_folding(value, column, indent, "") + "\n")
        elif style == _DOUBLE:
            out.append(" " + _write_double(value, column, indent, True) + "\n")
        elif style == _SINGLE:
            out.append(" " + _write_folding(value, column, indent, "'") + "\n")
        else:
            text = _write_literal(value, indent)
            out.append(" " + text)
            if value[-1] not in _BREAKS:
                out.append("\n")

    def key(self, key: str, indent: int) -> tuple[bool, int]:
        """Write a mapping key at `indent`; returns (simple, column after the key)."""
        out = self.out
        text = self.simple_keys.get(key)
        if text is not None:
            out.append(text)
            return True, indent + len(text)
        # go-yaml writes a key longer than 128 bytes, or one with line breaks, as `? key`
        if len(key.encode("utf-8", "surrogatepass")) <= 128 and not any(c in _BREAKS for c in key):
            style = _analyze(key)[1]
            if style == _TRIP:
                _json_trip(key, key=True)
            if style == _PLAIN:
                text = key
            elif style == _SINGLE:
                text = _write_folding(key, indent, indent, "'", allow_breaks=False)
            else:
                text = _write_double(key, indent, indent, False)
            self.simple_keys[key] = text
            out.append(text)
            return True, indent + len(text)
        if _analyze(key)[0] == _TRIP:
            _json_trip(key, key=True)
        out.append("?")
        self.scalar(key, indent + 1, indent + 2)
        return False, 0

    def mapping(self, obj: dict[str, Any], indent: int, first_inline: bool) -> None:
        out = self.out
        keys = tuple(obj)
        order = self.key_cache.get(keys)
        if order is None:
            bad = next((k for k in keys if not isinstance(k, str)), None)
            if bad is not None:
                raise YamlError(f"mapping key {bad!r} is not a string")
            # go-yaml v2 drops a "<<" key it reads back from the JSON (kustomize never prints one).
            order = self.key_cache[keys] = _sorted_keys(tuple(k for k in keys if k != "<<"))
        pad = " " * indent
        first = first_inline
        for k in order:
            if first:
                first = False
            else:
                out.append(pad)
            simple, column = self.key(k, indent)
            if simple:
                out.append(":")
                self.value(obj[k], column + 1, indent, True)
            else:
                out.append(pad + ":")
                self.value(obj[k], indent + 1, indent, True, after_complex=True)

    def sequence(self, seq: list[Any], indent: int, first_inline: bool) -> None:
        out = self.out
        pad = " " * indent
        first = first_inline
        for item in seq:
            if first:
                first = False
                out.append("-")
            else:
                out.append(pad + "-")
            self.value(item, indent + 1, indent, False)

    def value(self, v: Any, column: int, indent: int, in_map: bool, after_complex: bool = False) -> None:
        """Write a value after `key:` (in_map) or `-` ending at `column`; `indent` is the parent's."""
        cls = v.__class__
        if cls is dict:
            if not v or (len(v) == 1 and "<<" in v):
                self.out.append(" {}\n")
            elif in_map and not after_complex:
                self.out.append("\n")
                self.mapping(v, indent + 2, False)
            else:
                self.out.append(" ")
                self.mapping(v, indent + 2, True)
        elif cls is list:
            if not v:
                self.out.append(" []\n")
            elif in_map and not after_complex:
                self.out.append("\n")
                self.sequence(v, indent, False)
            else:
                self.out.append(" ")
                self.sequence(v, indent + 2, True)
        elif isinstance(v, dict):
            self.value(dict(v), column, indent, in_map, after_complex)
        elif isinstance(v, (list, tuple)):
            self.value(list(v), column, indent, in_map, after_complex)
        else:
            self.scalar(v, column, indent + 2)


def _dump_one(obj: Obj, emitter: _Emitter) -> str:
    emitter.out = []
    if not obj or list(obj) == ["<<"]:
        return "{}\n"
    emitter.mapping(obj, 0, False)
    return "".join(emitter.out)


def dump_documents(objs: Iterable[Obj]) -> str:
    """What kustomize prints for these objects: each as go-yaml v2 YAML, joined by `---\n`.

    Raises `YamlError` for what kustomize cannot print either: infinities and NaN, non-string keys, and the
    C1 control characters its JSON step refuses.
    """
    emitter = _Emitter()
    try:
        return "---\n".join(_dump_one(obj, emitter) for obj in objs)
    except RecursionError:
        raise YamlError("object nests too deeply to print") from None


# ---------------------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------------------


def _json_write(value: Any, indent: str, out: list[str]) -> None:
    cls = value.__class__
    if cls is str:
        out.append(_json_str(value))
    elif cls is dict or isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "    "
        out.append("{")
        sep = "\n"
        for key in sorted(value):
            out.append(sep + inner + _json_str(key) + ": ")
            _json_write(value[key], inner, out)
            sep = ",\n"
        out.append("\n" + indent + "}")
    elif cls is list or isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = indent + "    "
        out.append("[")
        sep = "\n"
        for item in value:
            out.append(sep + inner)
            _json_write(item, inner, out)
            sep = ",\n"
        out.append("\n" + indent + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_go_json_float(value))
    elif isinstance(value, str):
        out.append(_json_str(str.__str__(value)))
    else:
        raise YamlError(f"cannot print a value of type {type(value).__name__} as JSON")


_JSON_GO_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _json_str(s: str) -> str:
    """Go's `encoding/json` string: like Python's with raw non-ASCII, plus Go's HTML-safe escapes."""
    import json

    return json.dumps(s, ensure_ascii=False).translate(_JSON_GO_ESCAPES)


# Go's encoding/json spellings, for the other modules that must reproduce them (hash suffixes, annotations).
go_json_string = _json_str
go_json_float = _go_json_float
scalar_text = _scalar_text
resolve_plain = _resolve_plain


def dump_json(objs: Sequence[Obj]) -> str:
    """What `kubectl ... -o json` prints: one object as is, several (or none) as a v1 List; keys sorted,
    4-space indent, `<`, `>`, `&` escaped as Go does, other characters raw, trailing newline."""
    doc: Any
    if len(objs) == 1:
        doc = objs[0]
    else:
        doc = {"apiVersion": "v1", "items": list(objs), "kind": "List", "metadata": {"resourceVersion": ""}}
    out: list[str] = []
    _json_write(doc, "", out)
    out.append("\n")
    return "".join(out)
