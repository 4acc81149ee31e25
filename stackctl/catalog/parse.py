"""Reading and validating the catalog data: YAML in, a `Catalog` out, or a `CatalogError` naming the field.

The data is hand-edited (new releases, new upstream files), so every rule a downstream consumer relies on
is checked here once instead of being assumed everywhere: unknown or duplicate fields, capability levels
and categories OperatorHub accepts, strict semver versions, an upgrade graph with one head per channel and
no stranded entries, images and upstream paths of the right shape, readiness rules for kinds the operator
owns. Errors carry the file and the field path (`operators[1].versions[0].replaces`), never a traceback.
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from stackctl import yamlio
from stackctl.catalog.model import (
    CAPABILITY_LEVELS,
    CATEGORIES,
    CRD_SCOPES,
    ICON_MEDIATYPES,
    INSTALL_MODES,
    MATURITIES,
    Catalog,
    CatalogError,
    Channel,
    Check,
    ChildCheck,
    ConditionMatch,
    ConditionsCheck,
    CsvMetadata,
    FieldCheck,
    Icon,
    Image,
    Link,
    Maintainer,
    Operator,
    OperatorVersion,
    OwnedCrd,
    Provider,
    ReadinessRule,
    UpstreamFile,
    Workload,
    WorkloadCheck,
)
from stackctl.errors import YamlError

CATALOG_FILE = "operators.yaml"
ICONS_FILE = "icons.json"
RAW_URL = "https://raw.githubusercontent.com/{repository}/{tag}/{path}"

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_API_VERSION_NAME = re.compile(r"v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?")
_API_VERSION = re.compile(r"([a-z0-9.-]+/)?v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_COMMIT = re.compile(r"[0-9a-f]{40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_SEMVER_PRE = re.compile(
    r"(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*"
)
_IMAGE_NAME = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*")
_IMAGE_REF = re.compile(
    r"(?P<repo>[a-z0-9]+([.-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+)"
    r"(:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@(?P<digest>sha256:[0-9a-f]{64}))?"
)
_COMPARATOR = re.compile(r"(>=|<=|>|<|!=|==|=)?(.+)")


# ---------------------------------------------------------------------------------------------------------
# versions


def parse_version(text: str) -> Version:
    """A strict MAJOR.MINOR.PATCH version (what OLM's semver accepts for a release), as a comparable value.

    `packaging` parses PEP 440, which is laxer (`v1.2`, `01.2.3`, `1.2.3.post1`): anything that is not
    exactly its own canonical three-part release is refused.
    """
    try:
        parsed = Version(text)
    except InvalidVersion:
        raise ValueError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH)") from None
    if (
        str(parsed) != text
        or len(parsed.release) != 3
        or parsed.pre
        or parsed.post is not None
        or parsed.dev is not None
        or parsed.local
    ):
        raise ValueError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return parsed


def check_semver(text: str) -> None:
    """A semantic version that may carry a pre-release (`1.19.0-0`, as cert-manager's minKubeVersion)."""
    core, dash, pre = text.partition("-")
    parse_version(core)
    if dash and not _SEMVER_PRE.fullmatch(pre):
        raise ValueError(f"{text!r} has an invalid pre-release part {pre!r}")


def parse_skip_range(text: str) -> list[SpecifierSet]:
    """OLM's skipRange (blang/semver ranges: comparators joined by spaces, alternatives by `||`)."""
    alternatives: list[SpecifierSet] = []
    for alternative in text.split("||"):
        comparators = alternative.split()
        if not comparators:
            raise ValueError(f"{text!r} has an empty range")
        specs: list[str] = []
        for comparator in comparators:
            m = _COMPARATOR.fullmatch(comparator)
            if m is None:
                raise ValueError(f"{comparator!r} is not a comparator")
            op, version = m.group(1) or "==", m.group(2)
            parse_version(version)
            op = "==" if op == "=" else op
            try:
                specs.append(str(Specifier(op + version)))
            except InvalidSpecifier:
                raise ValueError(f"{comparator!r} is not a comparator") from None
        alternatives.append(SpecifierSet(",".join(specs)))
    return alternatives


def in_skip_range(skip_range: str, version: str) -> bool:
    v = parse_version(version)
    return any(v in alternative for alternative in parse_skip_range(skip_range))


# ---------------------------------------------------------------------------------------------------------
# a strict reader over the loaded YAML


class _Map:
    """A mapping at a field path that rejects unknown keys and reads typed values."""

    def __init__(self, data: Any, file: str, path: str, allowed: Iterable[str]) -> None:
        if not isinstance(data, dict):
            raise CatalogError(f"expected a mapping, got {_type_name(data)}", file=file, field=path or None)
        self.data: dict[str, Any] = data
        self.file = file
        self.path = path
        allowed = set(allowed)
        unknown = sorted(k for k in data if k not in allowed)
        if unknown:
            raise CatalogError(
                f"unknown field {unknown[0]!r}",
                file=file,
                field=self.at(unknown[0]),
                hint=f"known fields: {', '.join(sorted(allowed))}",
            )

    def at(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str, hint: str | None = None) -> CatalogError:
        return CatalogError(message, file=self.file, field=self.at(key), hint=hint)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def value(self, key: str) -> Any:
        if self.data.get(key) is None:
            raise self.error(key, "required field is missing")
        return self.data[key]

    def text(self, key: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
        value = self.value(key)
        return self._check_str(self.at(key), value, pattern, what)

    def opt_str(self, key: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str | None:
        return self.text(key, pattern, what) if self.has(key) else None

    def _check_str(self, field: str, value: Any, pattern: re.Pattern[str] | None, what: str) -> str:
        if not isinstance(value, str):
            raise CatalogError(f"expected a string, got {_type_name(value)}", file=self.file, field=field)
        if not value.strip():
            raise CatalogError("must not be empty", file=self.file, field=field)
        if pattern is not None and not pattern.fullmatch(value):
            raise CatalogError(f"{value!r} is not {what or 'valid'}", file=self.file, field=field)
        return value

    def strs(self, key: str, pattern: re.Pattern[str] | None = None, what: str = "") -> tuple[str, ...]:
        items = self.seq(key)
        out = tuple(self._check_str(self.at(key) + f"[{i}]", v, pattern, what) for i, v in enumerate(items))
        dupes = sorted({v for v in out if out.count(v) > 1})
        if dupes:
            raise self.error(key, f"duplicate entry {dupes[0]!r}")
        return out

    def seq(self, key: str, *, allow_empty: bool = False) -> list[Any]:
        value = self.value(key)
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {_type_name(value)}")
        if not value and not allow_empty:
            raise self.error(key, "must not be empty")
        return value

    def maps(self, key: str, allowed: Iterable[str], *, optional: bool = False) -> list[_Map]:
        if optional and not self.has(key):
            return []
        allowed = tuple(allowed)
        return [
            _Map(item, self.file, f"{self.at(key)}[{i}]", allowed) for i, item in enumerate(self.seq(key))
        ]

    def sub(self, key: str, allowed: Iterable[str]) -> _Map:
        return _Map(self.value(key), self.file, self.at(key), allowed)

    def flag(self, key: str, default: bool) -> bool:
        if not self.has(key):
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_type_name(value)}")
        return value


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _url(m: _Map, key: str) -> str:
    url = m.text(key)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise m.error(key, f"{url!r} is not an http(s) URL")
    return url


def _relative_path(m: _Map, key: str, value: str | None = None) -> str:
    text = m.text(key) if value is None else value
    path = PurePosixPath(text)
    if "\\" in text or path.is_absolute() or any(part in ("..", ".", "") for part in text.split("/")):
        raise m.error(key, f"{text!r} must be a relative path without '..', '.' or empty parts")
    return text


def _version(m: _Map, key: str) -> str:
    text = m.text(key)
    try:
        parse_version(text)
    except ValueError as exc:
        raise m.error(key, str(exc)) from None
    return text


# ---------------------------------------------------------------------------------------------------------
# sections


def _csv(m: _Map, icon: Icon | None) -> CsvMetadata:
    capabilities = m.text("capabilities")
    if capabilities not in CAPABILITY_LEVELS:
        raise m.error(
            "capabilities", f"unknown capability level {capabilities!r}", hint=", ".join(CAPABILITY_LEVELS)
        )
    categories = m.strs("categories")
    for i, category in enumerate(categories):
        if category not in CATEGORIES:
            raise m.error(
                f"categories[{i}]",
                f"{category!r} is not one of OperatorHub's standard categories",
                hint=", ".join(sorted(CATEGORIES)),
            )
    maintainers = []
    for mm in m.maps("maintainers", ("name", "email")):
        maintainers.append(
            Maintainer(name=mm.text("name"), email=mm.text("email", _EMAIL, "an email address"))
        )
    pm = m.sub("provider", ("name", "url"))
    provider = Provider(name=pm.text("name"), url=_url(pm, "url") if pm.has("url") else None)
    links = tuple(Link(name=lm.text("name"), url=_url(lm, "url")) for lm in m.maps("links", ("name", "url")))
    min_kube = m.text("min_kube_version")
    try:
        check_semver(min_kube)
    except ValueError as exc:
        raise m.error("min_kube_version", str(exc)) from None
    maturity = m.text("maturity")
    if maturity not in MATURITIES:
        raise m.error("maturity", f"unknown maturity {maturity!r}", hint=", ".join(MATURITIES))
    install_modes = m.strs("install_modes")
    for mode in install_modes:
        if mode not in INSTALL_MODES:
            raise m.error("install_modes", f"unknown install mode {mode!r}", hint=", ".join(INSTALL_MODES))
    summary = m.text("summary")
    if "\n" in summary.strip():
        raise m.error("summary", "must be one line")
    return CsvMetadata(
        display_name=m.text("display_name"),
        summary=summary,
        description=m.text("description"),
        capabilities=capabilities,
        categories=categories,
        maintainers=tuple(maintainers),
        provider=provider,
        links=links,
        keywords=m.strs("keywords"),
        icon=icon,
        min_kube_version=min_kube,
        maturity=maturity,
        repository=_url(m, "repository"),
        support=m.text("support"),
        install_modes=tuple(mode for mode in INSTALL_MODES if mode in install_modes),
    )


def _crd(m: _Map) -> OwnedCrd:
    versions = m.strs("versions", _API_VERSION_NAME, "a Kubernetes API version name")
    scope = m.text("scope")
    if scope not in CRD_SCOPES:
        raise m.error("scope", f"unknown scope {scope!r}", hint=" or ".join(CRD_SCOPES))
    description = m.text("description")
    if "\n" in description.strip():
        raise m.error("description", "must be one line")
    return OwnedCrd(
        group=m.text("group", _DNS_SUBDOMAIN, "an API group (DNS subdomain)"),
        kind=m.text("kind", _KIND, "a Kind"),
        plural=m.text("plural", _DNS_LABEL, "a lower-case plural name"),
        versions=versions,
        scope=scope,
        display_name=m.text("display_name"),
        description=description,
        internal=m.flag("internal", False),
    )


_RULE_FIELDS = ("group", "kind", "conditions", "field", "child", "workload")


def _condition_matches(m: _Map, key: str) -> tuple[ConditionMatch, ...]:
    out = []
    for cm in m.maps(key, ("type", "status", "reasons")):
        status = cm.text("status") if cm.has("status") else "True"
        if status not in ("True", "False", "Unknown"):
            raise cm.error("status", f"{status!r} is not True, False or Unknown")
        reasons = cm.strs("reasons") if cm.has("reasons") else ()
        out.append(ConditionMatch(type=cm.text("type"), status=status, reasons=reasons))
    return tuple(out)


def _rule(m: _Map) -> ReadinessRule:
    group = m.text("group", _DNS_SUBDOMAIN, "an API group") if m.data.get("group") != "" else ""
    kind = m.text("kind", _KIND, "a Kind")
    given = [k for k in ("conditions", "field", "child", "workload") if m.has(k)]
    if len(given) != 1:
        raise CatalogError(
            f"a readiness rule needs exactly one of conditions, field, child, workload (got {len(given)})",
            file=m.file,
            field=m.path,
        )
    check: Check
    if given[0] == "conditions":
        cm = m.sub("conditions", ("healthy", "progressing", "degraded"))
        check = ConditionsCheck(
            healthy=_condition_matches(cm, "healthy"),
            progressing=_condition_matches(cm, "progressing") if cm.has("progressing") else (),
            degraded=_condition_matches(cm, "degraded") if cm.has("degraded") else (),
        )
    elif given[0] == "field":
        fm = m.sub("field", ("path", "healthy", "progressing", "missing"))
        missing = fm.text("missing") if fm.has("missing") else "progressing"
        if missing not in ("healthy", "progressing"):
            raise fm.error("missing", f"{missing!r} is not healthy or progressing")
        path = fm.text("path")
        parts = tuple(path.split("."))
        if any(not p for p in parts):
            raise fm.error("path", f"{path!r} is not a dotted field path")
        check = FieldCheck(
            path=parts,
            healthy=fm.strs("healthy"),
            progressing=fm.strs("progressing") if fm.has("progressing") else (),
            missing_healthy=missing == "healthy",
        )
        overlap = set(check.healthy) & set(check.progressing)
        if overlap:
            raise fm.error("progressing", f"{sorted(overlap)[0]!r} is listed as healthy too")
    elif given[0] == "child":
        chm = m.sub("child", ("api_version", "kind", "name"))
        name = chm.text("name")
        if "{name}" not in name or name.replace("{name}", "").count("{"):
            raise chm.error("name", f"{name!r} must contain {{name}} and no other placeholder")
        check = ChildCheck(
            api_version=chm.text("api_version", _API_VERSION, "an apiVersion"),
            kind=chm.text("kind", _KIND, "a Kind"),
            name=name,
        )
    else:
        workload = m.text("workload")
        if workload not in {w.value for w in Workload}:
            raise m.error(
                "workload", f"unknown workload {workload!r}", hint=", ".join(w.value for w in Workload)
            )
        check = WorkloadCheck(Workload(workload))
    return ReadinessRule(group=group, kind=kind, check=check)


def _image(m: _Map, name: str, ref: Any) -> Image:
    field = m.at(name)
    if not _IMAGE_NAME.fullmatch(name):
        raise CatalogError(f"{name!r} is not a valid image name", file=m.file, field=field)
    ref = m._check_str(field, ref, None, "")
    match = _IMAGE_REF.fullmatch(ref)
    if match is None or not (match.group("tag") or match.group("digest")):
        raise CatalogError(
            f"{ref!r} is not an image reference with a tag or digest", file=m.file, field=field
        )
    return Image(name=name, ref=ref)


_VERSION_FIELDS = (
    "version",
    "tag",
    "commit",
    "released",
    "released_source",
    "channels",
    "replaces",
    "skips",
    "skip_range",
    "container_image",
    "images",
    "files",
)


def _operator_version(m: _Map, repository: str, channels: tuple[str, ...]) -> OperatorVersion:
    version = _version(m, "version")
    tag = m.text("tag", _TAG, "a git tag")
    released = m.opt_str("released")
    if released is not None:
        try:
            if _DATE.fullmatch(released):
                dt.date.fromisoformat(released)
            elif _RFC3339.fullmatch(released):
                dt.datetime.fromisoformat(released.replace("Z", "+00:00"))
            else:
                raise ValueError
        except ValueError:
            raise m.error(
                "released",
                f"{released!r} is neither a date (2006-01-02) nor an RFC 3339 time (2006-01-02T15:04:05Z)",
                hint="write it as precisely as the source states it, no more",
            ) from None
    released_source = _url(m, "released_source") if m.has("released_source") else None
    if released is not None and released_source is None:
        raise m.error("released_source", "required with released: where the release date is stated")
    member_of = m.strs("channels")
    for name in member_of:
        if name not in channels:
            raise m.error(
                "channels", f"unknown channel {name!r}", hint=f"the operator's channels: {channels}"
            )
    replaces = _version(m, "replaces") if m.has("replaces") else None
    skips = m.strs("skips") if m.has("skips") else ()
    for i, skip in enumerate(skips):
        try:
            parse_version(skip)
        except ValueError as exc:
            raise CatalogError(str(exc), file=m.file, field=m.at("skips") + f"[{i}]") from None
    for field, older in [("replaces", replaces), *[("skips", s) for s in skips]]:
        if older is not None and parse_version(older) >= parse_version(version):
            raise m.error(field, f"{older} is not older than {version}")
    skip_range = m.opt_str("skip_range")
    if skip_range is not None:
        try:
            if in_skip_range(skip_range, version):
                raise ValueError(f"{skip_range!r} includes the version itself ({version})")
        except ValueError as exc:
            raise m.error("skip_range", str(exc)) from None
    images_map = m.value("images")
    if not isinstance(images_map, dict) or not images_map:
        raise m.error("images", "expected a non-empty mapping of image name to reference")
    images_m = _Map(images_map, m.file, m.at("images"), images_map.keys())
    images = tuple(_image(images_m, name, ref) for name, ref in images_map.items())
    container_image = m.text("container_image")
    if container_image not in images_map:
        raise m.error("container_image", f"names no image of this version: {container_image!r}")
    files = []
    for fm in m.maps("files", ("path", "dest")):
        path = _relative_path(fm, "path")
        dest = _relative_path(fm, "dest") if fm.has("dest") else PurePosixPath(path).name
        url = RAW_URL.format(repository=repository, tag=tag, path=path)
        files.append(UpstreamFile(path=path, dest=dest, url=url))
    dests = [f.dest for f in files]
    dupes = sorted({d for d in dests if dests.count(d) > 1})
    if dupes:
        raise m.error("files", f"two files write {dupes[0]!r}")
    return OperatorVersion(
        version=version,
        tag=tag,
        commit=m.opt_str("commit", _COMMIT, "a 40-character commit id"),
        released=released,
        released_source=released_source,
        channels=member_of,
        replaces=replaces,
        skips=skips,
        skip_range=skip_range,
        container_image=images_map[container_image],
        images=images,
        files=tuple(files),
    )


def _channel(m: _Map, name: str, versions: list[OperatorVersion]) -> Channel:
    """One channel's upgrade graph, checked as `opm validate` checks it (see reference/olm.md)."""
    entries = sorted(
        (v for v in versions if name in v.channels), key=lambda v: parse_version(v.version), reverse=True
    )
    if not entries:
        raise m.error("channels", f"channel {name!r} has no versions")
    members = {v.version for v in entries}
    replaced = {v.replaces for v in entries if v.replaces in members}
    skipped = {s for v in entries for s in v.skips if s in members}
    heads = [v.version for v in entries if v.version not in replaced | skipped]
    if len(heads) != 1:
        raise m.error(
            "channels",
            f"channel {name!r}: multiple channel heads found in graph: {', '.join(heads)}"
            if heads
            else f"channel {name!r}: no channel head (the replaces edges form a cycle)",
        )
    by_version = {v.version: v for v in entries}
    reached: set[str] = set()
    current: str | None = heads[0]
    while current is not None and current in by_version:
        if current in reached:
            raise m.error("channels", f"channel {name!r}: the replaces chain loops at {current}")
        reached.add(current)
        reached.update(s for s in by_version[current].skips if s in members)
        current = by_version[current].replaces
    stranded = sorted(members - reached, key=parse_version)
    if stranded:
        raise m.error(
            "channels",
            f"channel {name!r} contains one or more stranded bundles: {', '.join(stranded)}",
            hint="each entry must be reachable from the head by replaces (or be skipped)",
        )
    return Channel(name=name, entries=tuple(v.version for v in entries), head=heads[0])


_OPERATOR_FIELDS = (
    "key",
    "package",
    "base",
    "bundle_base",
    "namespace",
    "repository",
    "current",
    "channels",
    "default_channel",
    "csv",
    "crds",
    "readiness",
    "versions",
)
_CSV_FIELDS = (
    "display_name",
    "summary",
    "description",
    "capabilities",
    "categories",
    "maintainers",
    "provider",
    "links",
    "keywords",
    "min_kube_version",
    "maturity",
    "repository",
    "support",
    "install_modes",
)
_CRD_FIELDS = ("group", "kind", "plural", "versions", "scope", "display_name", "description", "internal")


def _operator(m: _Map, icons: Mapping[str, Icon]) -> Operator:
    key = m.text("key", _DNS_LABEL, "a DNS label")
    repository = m.text("repository", _REPOSITORY, "a GitHub owner/name")
    channel_names = m.strs("channels", _DNS_LABEL, "a channel name")
    default_channel = m.text("default_channel")
    if default_channel not in channel_names:
        raise m.error("default_channel", f"{default_channel!r} is not one of the channels {channel_names}")
    crds = tuple(_crd(cm) for cm in m.maps("crds", _CRD_FIELDS))
    owned = [(c.group, c.kind) for c in crds]
    for i, gk in enumerate(owned):
        if owned.index(gk) != i:
            raise m.error(f"crds[{i}]", f"{gk[1]}.{gk[0]} is listed twice")
    readiness: list[ReadinessRule] = []
    for rm in m.maps("readiness", _RULE_FIELDS, optional=True):
        rule = _rule(rm)
        if (rule.group, rule.kind) not in owned:
            raise CatalogError(
                f"{rule.kind}.{rule.group} is not a CRD this operator owns", file=rm.file, field=rm.path
            )
        if any((r.group, r.kind) == (rule.group, rule.kind) for r in readiness):
            raise CatalogError(f"a second rule for {rule.kind}.{rule.group}", file=rm.file, field=rm.path)
        readiness.append(rule)
    versions: list[OperatorVersion] = []
    for vm in m.maps("versions", _VERSION_FIELDS):
        v = _operator_version(vm, repository, channel_names)
        if any(other.version == v.version for other in versions):
            raise vm.error("version", f"version {v.version} is listed twice")
        if any(other.tag == v.tag for other in versions):
            raise vm.error("tag", f"tag {v.tag} is listed twice")
        versions.append(v)
    current = _version(m, "current")
    if current not in {v.version for v in versions}:
        raise m.error("current", f"{current} is not one of the listed versions")
    channels = tuple(_channel(m, name, versions) for name in channel_names)
    default = next(c for c in channels if c.name == default_channel)
    if default.head != current:
        raise m.error(
            "current",
            f"the default channel {default_channel!r} leads to {default.head}, not the pinned {current}",
            hint="the pinned version must be the head of the default channel",
        )
    return Operator(
        key=key,
        package=m.text("package", _DNS_LABEL, "an OLM package name (DNS label)"),
        base=_relative_path(m, "base"),
        bundle_base=_relative_path(m, "bundle_base") if m.has("bundle_base") else _relative_path(m, "base"),
        namespace=m.text("namespace", _DNS_LABEL, "a namespace name"),
        repository=repository,
        current=current,
        channels=channels,
        default_channel=default_channel,
        csv=_csv(m.sub("csv", _CSV_FIELDS), icons.get(key)),
        crds=crds,
        readiness=tuple(readiness),
        versions=tuple(sorted(versions, key=lambda v: parse_version(v.version), reverse=True)),
    )


def _looks_like(mediatype: str, data: bytes) -> bool:
    """A sniff of the decoded icon: its bytes must be what the media type says."""
    if mediatype == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if mediatype == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if mediatype == "image/gif":
        return data.startswith((b"GIF87a", b"GIF89a"))
    return b"<svg" in data[:4096]


def parse_icons(data: Any, *, file: str) -> dict[str, Icon]:
    """icons.json: `{<operator key>: {base64data, mediatype, source}}`."""
    if not isinstance(data, dict):
        raise CatalogError(f"expected a mapping, got {_type_name(data)}", file=file)
    icons = {}
    for key, value in data.items():
        im = _Map(value, file, key, ("base64data", "mediatype", "source"))
        mediatype = im.text("mediatype")
        if mediatype not in ICON_MEDIATYPES:
            raise im.error(
                "mediatype", f"unsupported icon media type {mediatype!r}", hint=", ".join(ICON_MEDIATYPES)
            )
        icon = Icon(base64data=im.text("base64data"), mediatype=mediatype)
        try:
            raw = icon.data()
        except (binascii.Error, ValueError):
            raise im.error("base64data", "is not valid base64") from None
        if not _looks_like(mediatype, raw):
            raise im.error("base64data", f"the decoded data is not {mediatype}")
        icons[key] = icon
    return icons


def parse_catalog(
    data: Any, *, file: str, icons: Mapping[str, Icon] | None = None, icons_file: str = ""
) -> Catalog:
    """A validated `Catalog` from the loaded YAML document (and the parsed icons, by operator key)."""
    icons = icons or {}
    top = _Map(data, file, "", ("schema", "readiness", "operators"))
    if top.value("schema") != 1:
        raise top.error(
            "schema", f"unsupported catalog schema {top.data['schema']!r}", hint="this stackctl reads 1"
        )
    builtin = tuple(_rule(rm) for rm in top.maps("readiness", _RULE_FIELDS, optional=True))
    operators: list[Operator] = []
    for i, om in enumerate(top.maps("operators", _OPERATOR_FIELDS)):
        op = _operator(om, icons)
        for field, value in (("key", op.key), ("package", op.package), ("base", op.base)):
            if any(getattr(other, field) == value for other in operators):
                raise om.error(field, f"duplicate {field} {value!r}")
        for crd in op.crds:
            owner = next((o for o in operators if o.crd(crd.group, crd.kind)), None)
            if owner is not None:
                raise CatalogError(
                    f"{crd.kind}.{crd.group} is already owned by {owner.key}",
                    file=file,
                    field=f"operators[{i}].crds",
                )
        operators.append(op)
    keys = {op.key for op in operators}
    for key in icons:
        if key not in keys:
            raise CatalogError(f"icon for unknown operator {key!r}", file=icons_file or file, field=key)
    builtin_kinds = [(r.group, r.kind) for r in builtin]
    for i, gk in enumerate(builtin_kinds):
        if builtin_kinds.index(gk) != i:
            raise top.error(f"readiness[{i}]", f"a second rule for {gk[1]}.{gk[0]}")
    return Catalog(operators=tuple(operators), readiness=builtin)


def _load_yaml(text: str, file: str) -> Any:
    try:
        docs = yamlio.load_documents(text, source=file)
    except YamlError as exc:
        raise CatalogError(exc.message, file=exc.file or file, field=exc.field) from None
    if len(docs) != 1:
        raise CatalogError(f"expected one YAML document, found {len(docs)}", file=file)
    return docs[0]


def load_catalog_file(path: Path, icons_path: Path | None = None) -> Catalog:
    """A catalog from files on disk (tests, or a user's own catalog)."""
    try:
        text = path.read_text(encoding="utf-8")
        icons_text = icons_path.read_text(encoding="utf-8") if icons_path is not None else None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", file=str(exc.filename or path)) from None
    icons: dict[str, Icon] = {}
    if icons_text is not None and icons_path is not None:
        try:
            icons = parse_icons(json.loads(icons_text), file=str(icons_path))
        except json.JSONDecodeError as exc:
            raise CatalogError(
                f"invalid JSON: {exc.msg} at line {exc.lineno}", file=str(icons_path)
            ) from None
    return parse_catalog(
        _load_yaml(text, str(path)), file=str(path), icons=icons, icons_file=str(icons_path or "")
    )


@functools.cache
def load_catalog() -> Catalog:
    """The catalog shipped with stackctl (stackctl/catalog/operators.yaml and icons.json), loaded once."""
    package = resources.files("stackctl.catalog")
    file = f"stackctl/catalog/{CATALOG_FILE}"
    icons_file = f"stackctl/catalog/{ICONS_FILE}"
    icons = parse_icons(json.loads(package.joinpath(ICONS_FILE).read_text(encoding="utf-8")), file=icons_file)
    data = _load_yaml(package.joinpath(CATALOG_FILE).read_text(encoding="utf-8"), file)
    return parse_catalog(data, file=file, icons=icons, icons_file=icons_file)
