"""The catalog's value types: the five operators as frozen, typed data.

Everything downstream (the OLM bundle builder, the apply planner, `stackctl vendor`) reads operators through
these types rather than through dicts, so a misspelt field is a type error, not a silent `None`. Instances
are built and validated only by `stackctl.catalog.parse`; the lookups here assume a validated catalog.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from enum import StrEnum

from stackctl.errors import StackctlError

CAPABILITY_LEVELS = ("Basic Install", "Seamless Upgrades", "Full Lifecycle", "Deep Insights", "Auto Pilot")
# OperatorHub's standard categories (operator-framework/api, operatorhub validator).
CATEGORIES = frozenset(
    {
        "AI/Machine Learning",
        "Application Runtime",
        "Big Data",
        "Cloud Provider",
        "Database",
        "Developer Tools",
        "Integration & Delivery",
        "Logging & Tracing",
        "Modernization & Migration",
        "Monitoring",
        "Networking",
        "Observability",
        "OpenShift Optional",
        "Security",
        "Storage",
        "Streaming & Messaging",
    }
)
MATURITIES = ("planning", "pre-alpha", "alpha", "beta", "stable", "mature", "inactive", "deprecated")
INSTALL_MODES = ("OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces")
ICON_MEDIATYPES = ("image/gif", "image/jpeg", "image/png", "image/svg+xml")
CRD_SCOPES = ("Namespaced", "Cluster")


class CatalogError(StackctlError):
    """A catalog (or lock) that does not validate, or a lookup of something the catalog does not hold."""


@dataclass(frozen=True)
class Maintainer:
    name: str
    email: str


@dataclass(frozen=True)
class Provider:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Link:
    name: str
    url: str


@dataclass(frozen=True)
class Icon:
    """A CSV icon as OLM wants it: base64 data and its media type."""

    base64data: str
    mediatype: str

    def data(self) -> bytes:
        return base64.b64decode(self.base64data, validate=True)


@dataclass(frozen=True)
class CsvMetadata:
    """What a ClusterServiceVersion says about the operator, independent of the version."""

    display_name: str
    summary: str  # one line: the `description` annotation
    description: str  # markdown: spec.description
    capabilities: str  # one of CAPABILITY_LEVELS
    categories: tuple[str, ...]  # from CATEGORIES
    maintainers: tuple[Maintainer, ...]
    provider: Provider
    links: tuple[Link, ...]
    keywords: tuple[str, ...]
    icon: Icon | None
    min_kube_version: str
    maturity: str
    repository: str
    support: str
    install_modes: tuple[str, ...]  # the supported ones, from INSTALL_MODES


@dataclass(frozen=True)
class OwnedCrd:
    group: str
    kind: str
    plural: str
    versions: tuple[str, ...]  # served versions
    scope: str
    display_name: str
    description: str  # one line
    internal: bool = False  # listed in operators.operatorframework.io/internal-objects

    @property
    def name(self) -> str:
        """The CRD's metadata.name, which OLM requires to be `<plural>.<group>`."""
        return f"{self.plural}.{self.group}"


@dataclass(frozen=True)
class ConditionMatch:
    """`status.conditions[type == type]` has this status (and, if `reasons` is set, one of these reasons)."""

    type: str
    status: str = "True"
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConditionsCheck:
    """Healthy when every `healthy` match holds; progressing while any `progressing` match holds or a
    healthy condition is still missing; degraded when a healthy condition is present and does not match.
    With `degraded` given, only a condition matching one of those is degraded; any other mismatch is
    progressing (the operator names its failure reasons, other reasons are transient)."""

    healthy: tuple[ConditionMatch, ...]
    progressing: tuple[ConditionMatch, ...] = ()
    degraded: tuple[ConditionMatch, ...] = ()


@dataclass(frozen=True)
class FieldCheck:
    """A status field naming the state: healthy / progressing values listed, anything else degraded.
    Missing (absent or empty) is progressing, or healthy with `missing_healthy` (a field only some
    versions of the operator write: judge by it where present)."""

    path: tuple[str, ...]
    healthy: tuple[str, ...]
    progressing: tuple[str, ...] = ()
    missing_healthy: bool = False


@dataclass(frozen=True)
class ChildCheck:
    """The object has no status of its own: its health is that of a child object in its namespace, named
    by `name` with `{name}` replaced by the parent's name."""

    api_version: str
    kind: str
    name: str


class Workload(StrEnum):
    DEPLOYMENT = "deployment"
    STATEFULSET = "statefulset"


@dataclass(frozen=True)
class WorkloadCheck:
    """A built-in workload's rollout: generation observed, every replica updated and available/ready."""

    workload: Workload


Check = ConditionsCheck | FieldCheck | ChildCheck | WorkloadCheck


@dataclass(frozen=True)
class ReadinessRule:
    group: str  # "" for the core group
    kind: str
    check: Check


@dataclass(frozen=True)
class Image:
    name: str  # the relatedImages name
    ref: str

    @property
    def tag(self) -> str | None:
        """The tag of `registry/repo:tag` (None for a digest-only or untagged reference)."""
        ref = self.ref.split("@", 1)[0]
        last = ref.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else None


@dataclass(frozen=True)
class UpstreamFile:
    """One upstream release file: where it lives upstream and where `stackctl vendor` writes it."""

    path: str  # path in the upstream repository at the tag
    dest: str  # relative path under <base>/vendor/<tag>/
    url: str  # https://raw.githubusercontent.com/<repository>/<tag>/<path>


@dataclass(frozen=True)
class OperatorVersion:
    version: str  # semver, as OLM spells it (no leading v)
    tag: str  # the upstream git tag
    commit: str | None  # the tag's commit, where known
    # The release date (2006-01-02) or RFC 3339 time, as precisely as released_source states it, where
    # known: the CSV's createdAt.
    released: str | None
    released_source: str | None  # where the release date is stated
    channels: tuple[str, ...]
    replaces: str | None  # a version
    skips: tuple[str, ...]
    skip_range: str | None  # olm.skipRange, e.g. ">=1.21.0 <1.21.1"
    container_image: str  # the containerImage annotation (one of images)
    images: tuple[Image, ...]
    files: tuple[UpstreamFile, ...]

    def image(self, name: str) -> Image:
        for image in self.images:
            if image.name == name:
                return image
        raise CatalogError(f"version {self.version} has no image named {name!r}")


@dataclass(frozen=True)
class Channel:
    name: str
    entries: tuple[str, ...]  # versions in the channel, newest first
    head: str  # the one version nothing replaces or skips


@dataclass(frozen=True)
class Operator:
    key: str  # stackctl's name: cert-manager, external-secrets, ...
    package: str  # the OLM package name
    base: str  # install base, relative to the repository root
    # What the OLM bundle is built from: the install base adapted to run under OLM (OLM's webhook
    # certificates, no self-managed certificate controller); the install base itself when nothing differs.
    bundle_base: str
    namespace: str  # target namespace
    repository: str  # upstream GitHub owner/name
    current: str  # the pinned version: what overlays/operators/<key> installs
    channels: tuple[Channel, ...]
    default_channel: str
    csv: CsvMetadata
    crds: tuple[OwnedCrd, ...]
    readiness: tuple[ReadinessRule, ...]
    versions: tuple[OperatorVersion, ...]  # newest first

    def version(self, version: str) -> OperatorVersion:
        """A version by its semver (`1.21.1`) or its tag (`v1.21.1`)."""
        for v in self.versions:
            if version in (v.version, v.tag):
                return v
        known = ", ".join(v.version for v in self.versions)
        raise CatalogError(
            f"{self.key} has no version {version!r}", field="--version", hint=f"known versions: {known}"
        )

    @property
    def pinned(self) -> OperatorVersion:
        return self.version(self.current)

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise CatalogError(f"{self.key} has no channel {name!r}")

    def csv_name(self, version: str) -> str:
        """`<package>.v<version>`, the CSV naming operator-sdk's good-practice check asks for."""
        return f"{self.package}.v{self.version(version).version}"

    def crd(self, group: str, kind: str) -> OwnedCrd | None:
        for crd in self.crds:
            if (crd.group, crd.kind) == (group, kind):
                return crd
        return None


@dataclass(frozen=True)
class Catalog:
    operators: tuple[Operator, ...]
    readiness: tuple[ReadinessRule, ...]  # built-in kinds (CRD, Deployment, StatefulSet)

    @functools.cached_property
    def _by_key(self) -> dict[str, Operator]:
        return {op.key: op for op in self.operators}

    @functools.cached_property
    def _by_package(self) -> dict[str, Operator]:
        return {op.package: op for op in self.operators}

    @functools.cached_property
    def _owners(self) -> dict[tuple[str, str], tuple[Operator, OwnedCrd]]:
        return {(crd.group, crd.kind): (op, crd) for op in self.operators for crd in op.crds}

    @functools.cached_property
    def _rules(self) -> dict[tuple[str, str], ReadinessRule]:
        rules = {(r.group, r.kind): r for r in self.readiness}
        rules.update({(r.group, r.kind): r for op in self.operators for r in op.readiness})
        return rules

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(op.key for op in self.operators)

    def operator(self, key: str) -> Operator:
        """An operator by its key, or by its OLM package name."""
        op = self._by_key.get(key) or self._by_package.get(key)
        if op is None:
            raise CatalogError(
                f"unknown operator {key!r}", field="OPERATOR", hint=f"one of: {', '.join(self.keys)}"
            )
        return op

    def by_package(self, package: str) -> Operator:
        op = self._by_package.get(package)
        if op is None:
            packages = ", ".join(o.package for o in self.operators)
            raise CatalogError(f"no operator has OLM package {package!r}", hint=f"one of: {packages}")
        return op

    def owner(self, group: str, kind: str) -> Operator | None:
        """The operator that owns the CRD of `group`/`kind`, if any."""
        found = self._owners.get((group, kind))
        return found[0] if found else None

    def crd(self, group: str, kind: str) -> OwnedCrd | None:
        found = self._owners.get((group, kind))
        return found[1] if found else None

    def readiness_rule(self, group: str, kind: str) -> ReadinessRule | None:
        """How to tell that an object of `group`/`kind` is ready; None: existing is all there is to it."""
        return self._rules.get((group, kind))
