"""`configMapGenerator` and `secretGenerator`: ConfigMaps and Secrets made from literals, files and env files.

Generated objects must match kustomize v5.8.1 byte for byte and get the same hash suffix, so this module
follows kustomize's parsing quirks (api/kv/kv.go, api/internal/generators) as measured against the real
binary: literal quote stripping, env-file lines read the way Go's bufio.Scanner reads them, no key
validation, binaryData for non-UTF-8 file content, and kustomize's create/merge/replace rules for a
generator whose object already exists (api/resmap/reswrangler.go).
"""

from __future__ import annotations

import base64
from typing import Any

from stackctl.errors import KustomizeError, UnsupportedFieldError
from stackctl.kustomize.loader import FileSource
from stackctl.kustomize.resource import Resource
from stackctl.model import ResId

_GENERATOR_ARGS = ("name", "namespace", "behavior", "literals", "files", "envs", "env", "options")
_OPTION_FIELDS = ("labels", "annotations", "disableNameSuffixHash", "immutable")
_BEHAVIORS = ("create", "merge", "replace")

# Go's unicode.IsSpace, which trims env-file lines; Python's str.isspace also counts \x1c-\x1f.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_GO_SPACE += "\u2028\u2029\u202f\u205f\u3000"

# bufio.Scanner's default buffer: kustomize ignores the scanner's error, so an env file silently ends at
# the first line that does not fit.
_MAX_ENV_LINE = 64 * 1024


_BASE64_LINE = 70


class _Options:
    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.annotations: dict[str, str] = {}
        self.disable_hash = False
        self.immutable = False


def run_generators(resources: list[Resource], kustomization: dict[str, Any], src: FileSource) -> None:
    """Run a kustomization's ConfigMap generators, then its Secret generators, into `resources`.

    A new object is appended; `behavior: merge` or `replace` updates the existing object in its slot.
    """
    global_opts = _parse_options(kustomization.get("generatorOptions"), "generatorOptions", src)
    for kind, key in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        entries = kustomization.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise _error(src, key, f"{key} must be a list of generator entries")
        for index, entry in enumerate(entries):
            field = f"{key}[{index}]"
            generated = _generate(kind, entry, global_opts, src, field)
            _absorb(resources, generated, src, field)


def _generate(kind: str, entry: Any, global_opts: _Options, src: FileSource, field: str) -> Resource:
    allowed = (*_GENERATOR_ARGS, "type") if kind == "Secret" else _GENERATOR_ARGS
    args = _fields(entry, allowed, src, field)
    name = _string(args.get("name"), src, f"{field}.name")
    namespace = _string(args.get("namespace"), src, f"{field}.namespace")
    behavior = _string(args.get("behavior"), src, f"{field}.behavior")
    if not name:
        raise _error(src, f"{field}.name", "a configmap must have a name")
    local_opts = _parse_options(args.get("options"), f"{field}.options", src)
    opts = _merge_options(local_opts, global_opts)

    pairs = _load_pairs(args, src, field)
    values: dict[str, bytes] = {}
    for key, value, key_field in pairs:
        if key in values:
            raise _error(src, key_field, f"configmap {name} illegally repeats the key `{key}`")
        values[key] = value

    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": meta}
    if kind == "ConfigMap":
        data: dict[str, str] = {}
        binary: dict[str, str] = {}
        for key in sorted(values):
            try:
                data[key] = values[key].decode("utf-8")
            except UnicodeDecodeError:
                binary[key] = _base64_lines(values[key])
        if data:
            obj["data"] = data
        if binary:
            obj["binaryData"] = binary
    else:
        secret_type = _string(args.get("type"), src, f"{field}.type")
        obj["type"] = secret_type or "Opaque"
        obj["data"] = {key: _base64_lines(values[key]) for key in sorted(values)}
    if opts.labels:
        meta["labels"] = dict(sorted(opts.labels.items()))
    if opts.annotations:
        meta["annotations"] = dict(sorted(opts.annotations.items()))
    if opts.immutable:
        obj["immutable"] = True
    return Resource(
        obj,
        origin=src.kfile,
        needs_hash=not opts.disable_hash,
        behavior=behavior if behavior in _BEHAVIORS else "create",
    )


def _base64_lines(value: bytes) -> str:
    """kyaml's base64 encoding for generated data: 70-character lines, each newline-terminated if >1."""
    encoded = base64.b64encode(value).decode("ascii")
    if len(encoded) < _BASE64_LINE:
        return encoded
    return "".join(encoded[i : i + _BASE64_LINE] + "\n" for i in range(0, len(encoded), _BASE64_LINE))


def _load_pairs(args: dict[str, Any], src: FileSource, field: str) -> list[tuple[str, bytes, str]]:
    """Key/value pairs in kustomize's order: env files, then literals, then files."""
    pairs: list[tuple[str, bytes, str]] = []
    env_paths = [
        (p, f"{field}.envs[{i}]") for i, p in enumerate(_strings(args.get("envs"), src, f"{field}.envs"))
    ]
    env_path = _string(args.get("env"), src, f"{field}.env")
    if env_path:
        env_paths.append((env_path, f"{field}.env"))
    for path, path_field in env_paths:
        content = _read(src, path, path_field)
        pairs.extend(
            (k, v.encode("utf-8"), path_field) for k, v in _parse_env(content, src, path, path_field)
        )
    for i, literal in enumerate(_strings(args.get("literals"), src, f"{field}.literals")):
        key, value = _parse_literal(literal, src, f"{field}.literals[{i}]")
        pairs.append((key, value.encode("utf-8"), f"{field}.literals[{i}]"))
    for i, source in enumerate(_strings(args.get("files"), src, f"{field}.files")):
        source_field = f"{field}.files[{i}]"
        key, path = _parse_file_source(source, src, source_field)
        pairs.append((key, _read(src, path, source_field), source_field))
    return pairs


def _read(src: FileSource, path: str, field: str) -> bytes:
    if not path:
        raise _error(src, field, "empty file path")
    if path.startswith(("http://", "https://")):
        raise UnsupportedFieldError(
            f"remote generator source {path} is not supported",
            file=src.kfile,
            field=field,
            hint="download the file next to the kustomization and name it by its path",
        )
    return src.read_bytes(path, field=field)


def _parse_literal(source: str, src: FileSource, field: str) -> tuple[str, str]:
    key, sep, value = source.partition("=")
    if not sep or not key:
        raise _error(src, field, f"invalid literal source {source}, expected key=value")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value


def _parse_file_source(source: str, src: FileSource, field: str) -> tuple[str, str]:
    """`path` (the key is the file's base name) or `key=path`."""
    key, sep, path = source.partition("=")
    if not sep:
        return _go_path_base(source), source
    if not key:
        raise _error(src, field, f"missing key name for file path {path!r} in source {source!r}")
    if "=" in path and not path.startswith(("http://", "https://")):
        raise _error(src, field, f"source {source!r} key name or file path contains '='")
    if not path:
        raise _error(src, field, f"missing file path for key name {key!r} in source {source!r}")
    return key, path


def _go_path_base(path: str) -> str:
    """Go's path.Base."""
    if not path:
        return "."
    stripped = path.rstrip("/")
    if not stripped:
        return "/"
    return stripped.rsplit("/", 1)[-1]


def _parse_env(content: bytes, src: FileSource, path: str, field: str) -> list[tuple[str, str]]:
    """kustomize's env-file reading: `KEY=VALUE` lines, `#` comments, no quote handling, no `export`."""
    pairs: list[tuple[str, str]] = []
    for number, raw in enumerate(_scan_lines(content)):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _error(src, field, f"env file {path}: line {number + 1} is not valid UTF-8") from None
        if number == 0:
            line = line.removeprefix("\ufeff")
        line = line.lstrip(_GO_SPACE)
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if key:
            pairs.append((key, value))
    return pairs


def _scan_lines(content: bytes) -> list[bytes]:
    """Lines as Go's bufio.ScanLines yields them, stopping where kustomize's scanner gives up."""
    lines: list[bytes] = []
    start = 0
    while start < len(content):
        end = content.find(b"\n", start)
        if end < 0:
            if len(content) - start >= _MAX_ENV_LINE:
                break
            line = content[start:]
            start = len(content)
        else:
            if end + 1 - start > _MAX_ENV_LINE:
                break
            line = content[start:end]
            start = end + 1
        lines.append(line.removesuffix(b"\r"))
    return lines


def _parse_options(value: Any, field: str, src: FileSource) -> _Options:
    opts = _Options()
    if value is None:
        return opts
    fields = _fields(value, _OPTION_FIELDS, src, field)
    opts.labels = _string_map(fields.get("labels"), src, f"{field}.labels")
    opts.annotations = _string_map(fields.get("annotations"), src, f"{field}.annotations")
    opts.disable_hash = _bool(fields.get("disableNameSuffixHash"), src, f"{field}.disableNameSuffixHash")
    opts.immutable = _bool(fields.get("immutable"), src, f"{field}.immutable")
    return opts


def _merge_options(local: _Options, global_: _Options) -> _Options:
    """kustomize's MergeGlobalOptionsIntoLocal: local labels win; a global `true` beats a local `false`."""
    merged = _Options()
    merged.labels = {**global_.labels, **local.labels}
    merged.annotations = {**global_.annotations, **local.annotations}
    merged.disable_hash = local.disable_hash or global_.disable_hash
    merged.immutable = local.immutable or global_.immutable
    return merged


def _absorb(resources: list[Resource], res: Resource, src: FileSource, field: str) -> None:
    """kustomize's appendReplaceOrMerge for one generated object."""
    rid = res.id
    matches = [r for r in resources if any(_same_id(rid, other) for other in (*r.prev_ids, r.id))]
    if not matches:
        if res.behavior in ("merge", "replace"):
            raise _error(
                src,
                f"{field}.behavior",
                f"{rid.display} does not exist; cannot {res.behavior} it",
                hint="behavior merge and replace need an object of that name from a base; use create",
            )
        resources.append(res)
        return
    if len(matches) > 1:
        found = ", ".join(m.id.display for m in matches)
        raise _error(src, field, f"found multiple objects ({found}) that could accept merge of {rid.display}")
    old = matches[0]
    if res.behavior not in ("merge", "replace"):
        raise _error(
            src,
            f"{field}.behavior",
            f"{rid.display} already exists; behavior must be merge or replace",
            hint="set behavior: merge or behavior: replace to change an object generated or listed in a base",
        )
    merged = _merge_into(old, res)
    resources[resources.index(old)] = merged


def _merge_into(old: Resource, new: Resource) -> Resource:
    obj = new.obj
    meta = obj["metadata"]
    old_meta = old.meta
    for key in ("labels", "annotations"):
        combined = {**_meta_map(old_meta.get(key)), **_meta_map(meta.get(key))}
        if combined:
            meta[key] = combined
        else:
            meta.pop(key, None)
    meta["name"] = old.name
    if old.namespace:
        meta["namespace"] = old.namespace
    else:
        meta.pop("namespace", None)
    if new.behavior == "merge":
        for key in ("data", "binaryData"):
            combined_data = {**_data_map(old.obj.get(key)), **_data_map(obj.get(key))}
            if combined_data:
                obj[key] = combined_data
            else:
                obj.pop(key, None)
    return Resource(
        obj,
        origin=old.origin if new.behavior == "merge" else new.origin,
        prev_ids=list(old.prev_ids),
        prefixes=list(old.prefixes),
        suffixes=list(old.suffixes),
        needs_hash=old.needs_hash and new.needs_hash,
        behavior=old.behavior,
    )


def _meta_map(value: Any) -> dict[str, str]:
    """Labels or annotations as kustomize re-writes them on a merge: every value as its scalar text."""
    return {str(k): _scalar_text(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _data_map(value: Any) -> dict[str, str]:
    """kustomize's GetDataMap: every value as its scalar text (null is "")."""
    if not isinstance(value, dict):
        return {}
    return {str(k): _scalar_text(v) for k, v in value.items()}


def _scalar_text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _same_id(a: ResId, b: ResId) -> bool:
    """kustomize's ResId.Equals for namespaced kinds: no namespace is the `default` namespace."""
    return a.gvk == b.gvk and a.name == b.name and (a.namespace or "default") == (b.namespace or "default")


# Typed access to generator arguments, as kustomize's JSON decoding of the kustomization does it: field
# names match case-insensitively (Go's encoding/json), unknown fields and wrong types are errors, null is the
# zero value.


def _fields(value: Any, allowed: tuple[str, ...], src: FileSource, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _error(src, field, f"expected a mapping, got {_type_name(value)}")
    by_lower = {name.lower(): name for name in allowed}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = key if key in allowed else by_lower.get(str(key).lower())
        if name is None:
            raise _error(src, f"{field}.{key}", f"unknown field {key!r}")
        out[name] = item
    return out


def _string(value: Any, src: FileSource, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _error(src, field, f"expected a string, got {_type_name(value)}")
    return value


def _bool(value: Any, src: FileSource, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _error(src, field, f"expected true or false, got {_type_name(value)}")
    return value


def _strings(value: Any, src: FileSource, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _error(src, field, f"expected a list of strings, got {_type_name(value)}")
    return [_string(item, src, f"{field}[{i}]") for i, item in enumerate(value)]


def _string_map(value: Any, src: FileSource, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _error(src, field, f"expected a mapping of strings, got {_type_name(value)}")
    return {str(k): _string(v, src, f"{field}.{k}") for k, v in value.items()}


def _type_name(value: Any) -> str:
    names: dict[type, str] = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a mapping"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def _error(src: FileSource, field: str, message: str, *, hint: str | None = None) -> KustomizeError:
    return KustomizeError(message, file=src.kfile, field=field, hint=hint)
