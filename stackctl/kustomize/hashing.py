"""kustomize's content-hash name suffix for generated ConfigMaps and Secrets.

The suffix must be bit-for-bit kustomize's (api/hasher/hasher.go), because it ends up in object names and in
every reference to them. kustomize hashes Go `json.Marshal` output of a small summary object, so this module
reproduces Go's JSON encoding (sorted keys, HTML-safe escapes, shortest float form) rather than Python's.
"""

from __future__ import annotations

import math
from typing import Any

from stackctl import yamlio
from stackctl.errors import KustomizeError
from stackctl.kustomize.resource import Resource
from stackctl.model import Obj

# kubectl's hash encoding: the first ten hex digits, with the digits and vowels that could spell words
# replaced (kubernetes pkg/kubectl/util/hash).
_ENCODE = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def hash_suffix(obj: Obj) -> str:
    """The ten-character suffix kustomize appends to a generated object's name."""
    import hashlib  # only builds with generated names pay for loading OpenSSL

    return _encode(hashlib.sha256(_summary_json(obj).encode("utf-8", "surrogatepass")).hexdigest())


def add_hash_suffixes(resources: list[Resource]) -> None:
    """Rename every resource that needs a hash suffix to `<name>-<hash>`, remembering its previous id."""
    for res in resources:
        if res.needs_hash:
            try:
                suffix = hash_suffix(res.obj)
            except ValueError as exc:
                raise KustomizeError(f"cannot hash {res.id.display}: {exc}", file=res.origin) from None
            res.store_previous_id()
            res.meta["name"] = f"{res.name}-{suffix}"


def _encode(hex_digest: str) -> str:
    return hex_digest[:10].translate(_ENCODE)


def _summary_json(obj: Obj) -> str:
    kind = obj.get("kind")
    # kustomize looks the name up with a path that never matches, so it always hashes an empty name.
    summary: dict[str, Any]
    if kind == "ConfigMap":
        summary = {"kind": "ConfigMap", "name": "", "data": _field(obj, "data")}
        if isinstance(obj.get("binaryData"), dict):
            summary["binaryData"] = obj["binaryData"]
    elif kind == "Secret":
        summary = {"kind": "Secret", "type": _field(obj, "type"), "name": "", "data": _field(obj, "data")}
        if isinstance(obj.get("stringData"), dict):
            summary["stringData"] = obj["stringData"]
    else:
        # kustomize hashes its internal YAML node structure here (positions, styles, comments), which has
        # no equivalent in plain data; hashing the object itself at least keeps suffixes content-based.
        summary = obj
    return go_json(summary)


def _field(obj: Obj, key: str) -> Any:
    """A field as kustomize's hasher sees it: missing or null is "", other scalars are their text."""
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, int):
        return str(value)
    return value


def go_json(value: Any) -> str:
    """Go's `json.Marshal` of JSON-like data: sorted keys, no spaces, `<>&` and U+2028/9 escaped."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return yamlio.go_json_string(value)
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{yamlio.go_json_string(k)}:{go_json(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def go_float(value: float) -> str:
    """Go's `encoding/json` text of a float64 (the hasher's JSON step)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value}")
    return yamlio.go_json_float(value)
