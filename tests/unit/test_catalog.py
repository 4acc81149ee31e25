"""The operator catalog: it loads, agrees with the install bases it describes and with the published OLM
bundles it takes its metadata from, refuses broken data naming the field, and its readiness rules say what
reference/operators.md says."""

from __future__ import annotations

import base64
import copy
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from stackctl import yamlio
from stackctl.catalog import Catalog, CatalogError, Operator, load_catalog, load_catalog_file, parse_catalog
from stackctl.catalog.parse import check_semver, in_skip_range, parse_icons, parse_version
from stackctl.catalog.readiness import Health, HealthState, assess
from stackctl.kustomize.build import build

REPO = Path(__file__).resolve().parents[2]
CATALOG_YAML = REPO / "stackctl" / "catalog" / "operators.yaml"
ICONS_JSON = REPO / "stackctl" / "catalog" / "icons.json"
REFERENCE = REPO.parent / "shared" / "reference"
OLM_EXAMPLES = REFERENCE / "olm-examples"
needs_olm_examples = pytest.mark.skipif(
    not OLM_EXAMPLES.is_dir(),
    reason=f"the published OLM bundles are not at {OLM_EXAMPLES} (shared/ is absent)",
)

# reference/operators.md, "OperatorHub packages": package, channels, default channel. Our own catalog puts
# External Secrets and Prometheus on `stable` (operator-sdk's channel naming convention) where OperatorHub
# uses alpha/stable (default alpha) and beta; operators.yaml records OperatorHub's channels in comments.
OPERATORHUB = {
    "external-secrets": ("external-secrets-operator", {"stable"}, "stable"),
    "prometheus-operator": ("prometheus", {"stable"}, "stable"),
    "cert-manager": ("cert-manager", {"stable", "candidate"}, "stable"),
    "redis-operator": ("redis-operator", {"stable"}, "stable"),
    "postgres-operator": ("postgres-operator", {"stable"}, "stable"),
}


@cache
def rendered(base: str) -> tuple[dict[str, Any], ...]:
    return tuple(build(REPO / base).objects)


def catalog_data() -> Any:
    """The shipped catalog YAML, loaded as plain data (to break it in tests)."""
    [doc] = yamlio.load_documents(CATALOG_YAML.read_text(encoding="utf-8"), source=str(CATALOG_YAML))
    return doc


def op_index(data: Any, key: str) -> int:
    return next(i for i, op in enumerate(data["operators"]) if op["key"] == key)


# ---------------------------------------------------------------------------------------------------------
# loading and lookups


def test_the_five_operators_with_their_operatorhub_packages_and_channels() -> None:
    catalog = load_catalog()
    assert set(catalog.keys) == set(OPERATORHUB)
    for key, (package, channels, default) in OPERATORHUB.items():
        op = catalog.operator(key)
        assert op.package == package
        assert {c.name for c in op.channels} == channels
        assert op.default_channel == default
        assert catalog.by_package(package) is op
        assert catalog.operator(package) is op  # the CLI accepts either name


def test_load_catalog_is_loaded_once_and_equals_a_load_from_the_files() -> None:
    assert load_catalog() is load_catalog()
    assert load_catalog_file(CATALOG_YAML, ICONS_JSON) == load_catalog()


def test_every_operator_has_a_previous_version_and_the_pinned_one_heads_every_channel() -> None:
    for op in load_catalog().operators:
        assert len(op.versions) >= 2, op.key
        assert op.versions[0].version == op.current  # newest first
        for channel in op.channels:
            assert channel.head == op.current, (op.key, channel.name)
            assert channel.entries[0] == op.current
        # the pinned version upgrades from the previous one
        assert op.pinned.replaces == op.versions[1].version
        assert op.csv_name(op.current) == f"{op.package}.v{op.current}"


def test_unknown_operator_and_version_errors_name_what_is_known() -> None:
    catalog = load_catalog()
    with pytest.raises(CatalogError) as err:
        catalog.operator("cert-manger")
    assert err.value.field == "OPERATOR"
    assert err.value.hint is not None and "cert-manager" in err.value.hint
    op = catalog.operator("cert-manager")
    assert op.version("v1.21.0") is op.version("1.21.0")
    with pytest.raises(CatalogError) as err:
        op.version("1.99.0")
    assert err.value.field == "--version"
    assert err.value.hint is not None and "1.21.1" in err.value.hint


def test_lookup_by_crd_group_and_kind_for_every_crd_the_bases_install() -> None:
    catalog = load_catalog()
    for op in catalog.operators:
        for obj in rendered(op.base):
            if obj["kind"] == "CustomResourceDefinition":
                group, kind = obj["spec"]["group"], obj["spec"]["names"]["kind"]
                assert catalog.owner(group, kind) is op
                crd = catalog.crd(group, kind)
                assert crd is not None and crd.name == obj["metadata"]["name"]
    assert catalog.owner("apps", "Deployment") is None
    assert catalog.crd("cert-manager.io", "Nope") is None


# ---------------------------------------------------------------------------------------------------------
# agreement with the install bases in overlays/operators


def _deployment_images(objects: tuple[dict[str, Any], ...]) -> tuple[set[str], str]:
    """Container images of the Deployments, and every arg/env text (where operand images are named)."""
    images: set[str] = set()
    texts: list[str] = []
    for obj in objects:
        if obj["kind"] != "Deployment":
            continue
        pod = obj["spec"]["template"]["spec"]
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            images.add(container["image"])
            texts.extend(str(a) for a in container.get("args", []) + container.get("command", []))
            texts.extend(str(e.get("value", "")) for e in container.get("env", []))
    return images, "\n".join(texts)


@pytest.mark.parametrize("key", sorted(OPERATORHUB))
def test_pinned_version_matches_the_images_of_the_install_base(key: str) -> None:
    op = load_catalog().operator(key)
    objects = rendered(op.base)
    images, texts = _deployment_images(objects)
    pinned = {image.ref for image in op.pinned.images}
    assert images, f"{op.base} has no Deployment"
    assert images <= pinned, f"{op.base} runs images the catalog does not list: {images - pinned}"
    for ref in pinned - images:
        assert ref in texts, f"{ref} is neither a container image nor named in an argument of {op.base}"
    for image in op.pinned.images:
        assert image.tag == op.pinned.tag == f"v{op.current}"
    assert op.pinned.container_image in images
    for version in op.versions:
        assert all(image.tag == version.tag for image in version.images), version.version


@pytest.mark.parametrize("key", sorted(OPERATORHUB))
def test_namespace_and_version_label_match_the_install_base(key: str) -> None:
    op = load_catalog().operator(key)
    objects = rendered(op.base)
    namespaces = [o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"]
    assert namespaces == [op.namespace]
    for obj in objects:
        if obj["kind"] == "Deployment":
            assert obj["metadata"]["namespace"] == op.namespace
        assert obj["metadata"].get("labels", {}).get("app.kubernetes.io/version") == op.pinned.tag


@pytest.mark.parametrize("key", sorted(OPERATORHUB))
def test_owned_crds_are_exactly_the_crds_of_the_install_base(key: str) -> None:
    op = load_catalog().operator(key)
    base_crds = {
        (o["spec"]["group"], o["spec"]["names"]["kind"]): o
        for o in rendered(op.base)
        if o["kind"] == "CustomResourceDefinition"
    }
    assert {(c.group, c.kind) for c in op.crds} == set(base_crds)
    for crd in op.crds:
        obj = base_crds[(crd.group, crd.kind)]
        assert obj["metadata"]["name"] == crd.name
        assert obj["spec"]["names"]["plural"] == crd.plural
        assert obj["spec"]["scope"] == crd.scope
        served = tuple(v["name"] for v in obj["spec"]["versions"] if v.get("served"))
        assert served == crd.versions


# ---------------------------------------------------------------------------------------------------------
# CSV metadata and icons


def _png_chunks(data: bytes) -> list[bytes]:
    """PNG chunk types, checking every chunk's CRC (a corrupt copy fails here)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in chunk {kind!r}"
        kinds.append(kind)
        pos += 12 + length
    return kinds


def test_icons_decode_to_the_images_their_media_type_names() -> None:
    with_icons = [op for op in load_catalog().operators if op.csv.icon is not None]
    assert {op.key for op in with_icons} == {
        "cert-manager",
        "external-secrets",
        "prometheus-operator",
        "redis-operator",
        "postgres-operator",  # our own drawing: the published bundles have none
    }
    for op in with_icons:
        assert op.csv.icon is not None
        data = op.csv.icon.data()
        if op.csv.icon.mediatype == "image/png":
            kinds = _png_chunks(data)
            assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
        else:
            assert op.csv.icon.mediatype == "image/svg+xml"
            assert ET.fromstring(data).tag.endswith("svg")


# The newest published CSV of each package (reference/olm-examples): metadata is taken from these ...
NEWEST_CSV = {
    "cert-manager": "prod/cert-manager_1.16.5/manifests/cert-manager.clusterserviceversion.yaml",
    "external-secrets": "prod/external-secrets-operator_0.11.0/manifests/"
    "external-secrets-operator.clusterserviceversion.yaml",
    "prometheus-operator": "k8s-operatorhub/prometheus_0.70.0.csv-excerpt.yaml",
    "redis-operator": "k8s-operatorhub/redis-operator_0.25.0.csv-excerpt.yaml",
    "postgres-operator": "k8s-operatorhub/postgres-operator_1.5.0.csv-excerpt.yaml",
}
# ... and the icons from the full bundles (the excerpts trimmed theirs; postgres-operator has none here).
ICON_CSV = {
    "cert-manager": NEWEST_CSV["cert-manager"],
    "external-secrets": NEWEST_CSV["external-secrets"],
    "prometheus-operator": "prod/prometheus_0.56.3/manifests/"
    "prometheusoperator.0.56.3.clusterserviceversion.yaml",
    "redis-operator": "prod/redis-operator_0.15.1/manifests/"
    "redis-operator.v0.15.1.clusterserviceversion.yaml",
}


def _csv(path: str) -> Any:
    [csv] = yamlio.load_documents((OLM_EXAMPLES / path).read_text(encoding="utf-8"), source=path)
    return csv


@needs_olm_examples
@pytest.mark.parametrize("key", sorted(NEWEST_CSV))
def test_metadata_matches_the_newest_published_bundle(key: str) -> None:
    op = load_catalog().operator(key)
    csv = _csv(NEWEST_CSV[key])
    spec, annotations = csv["spec"], csv["metadata"]["annotations"]
    assert op.csv.display_name == spec["displayName"]
    assert list(op.csv.keywords) == spec["keywords"]
    assert list(op.csv.categories) == [c.strip() for c in annotations["categories"].split(",")]
    assert op.csv.capabilities == annotations["capabilities"]
    assert op.csv.maturity == spec["maturity"]
    assert [(m.name, m.email) for m in op.csv.maintainers] == [
        (m["name"], m["email"]) for m in spec["maintainers"]
    ]
    assert op.csv.provider.name == spec["provider"]["name"]
    if key != "postgres-operator":  # 1.5.0 said 1.14.0 for apiextensions v1beta1 CRDs; ours need 1.16
        assert op.csv.min_kube_version == str(spec["minKubeVersion"])


@needs_olm_examples
@pytest.mark.parametrize("key", sorted(ICON_CSV))
def test_icons_are_the_published_ones(key: str) -> None:
    icon = load_catalog().operator(key).csv.icon
    [published] = _csv(ICON_CSV[key])["spec"]["icon"]
    assert icon is not None
    assert (icon.base64data, icon.mediatype) == (published["base64data"], published["mediatype"])


def test_acme_orders_and_challenges_are_internal_objects() -> None:
    """cert-manager's bundle lists them in operators.operatorframework.io/internal-objects."""
    internal = {crd.kind for op in load_catalog().operators for crd in op.crds if crd.internal}
    assert {"Order", "Challenge"} <= internal


def test_every_owned_crd_has_a_one_line_description() -> None:
    for op in load_catalog().operators:
        for crd in op.crds:
            assert crd.description.strip() and "\n" not in crd.description.strip()
            assert crd.display_name.strip()


# ---------------------------------------------------------------------------------------------------------
# broken catalogs are refused, naming the field


def _set(path: list[str | int], value: Any) -> Callable[[Any], None]:
    def mutate(data: Any) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _dup_key(data: Any) -> None:
    data["operators"][1]["key"] = data["operators"][0]["key"]


def _two_heads(data: Any) -> None:
    del data["operators"][0]["versions"][0]["replaces"]


def _stranded(data: Any) -> None:
    versions = data["operators"][0]["versions"]  # cert-manager: 1.21.1 replaces 1.21.0
    older = copy.deepcopy(versions[1])
    older.update(version="1.20.0", tag="v1.20.0")
    versions.append(older)
    versions[0].update(skips=["1.21.0"], replaces="1.19.0", skip_range=None)
    versions[1]["replaces"] = "1.20.0"  # reachable only through a skipped bundle


def _current_not_head(data: Any) -> None:
    data["operators"][0]["current"] = "1.21.0"


def _readiness_for_foreign_kind(data: Any) -> None:
    data["operators"][0]["readiness"].append(
        {"group": "apps", "kind": "Deployment", "workload": "deployment"}
    )


def _two_checks(data: Any) -> None:
    data["operators"][0]["readiness"][0]["field"] = {"path": "status.state", "healthy": ["Ready"]}


def _bad_missing(data: Any) -> None:
    data["operators"][0]["readiness"][0] = {
        "group": "cert-manager.io",
        "kind": "Certificate",
        "field": {"path": "status.state", "healthy": ["Ready"], "missing": "degraded"},
    }


def _crd_owned_twice(data: Any) -> None:
    data["operators"][1]["crds"].append(copy.deepcopy(data["operators"][0]["crds"][0]))


BROKEN: list[tuple[str, Callable[[Any], None], str, str]] = [
    ("duplicate key", _dup_key, "operators[1].key", "duplicate key 'cert-manager'"),
    (
        "unknown capability",
        _set(["operators", 0, "csv", "capabilities"], "Full lifecycle"),
        "operators[0].csv.capabilities",
        "unknown capability level 'Full lifecycle'",
    ),
    (
        "unknown category",
        _set(["operators", 2, "csv", "categories"], ["Monitoring", "Metrics"]),
        "operators[2].csv.categories[1]",
        "'Metrics' is not one of OperatorHub's standard categories",
    ),
    (
        "two channel heads",
        _two_heads,
        "operators[0].channels",
        "multiple channel heads found in graph: 1.21.1, 1.21.0",
    ),
    ("stranded bundle", _stranded, "operators[0].channels", "contains one or more stranded bundles: 1.20.0"),
    ("pinned not head", _current_not_head, "operators[0].current", "leads to 1.21.1, not the pinned 1.21.0"),
    (
        "version not semver",
        _set(["operators", 3, "versions", 1, "version"], "v0.25"),
        "operators[3].versions[1].version",
        "'v0.25' is not a semantic version",
    ),
    (
        "replaces a newer version",
        _set(["operators", 4, "versions", 0, "replaces"], "2.1.0"),
        "operators[4].versions[0].replaces",
        "2.1.0 is not older than 2.0.1",
    ),
    (
        "skip range includes itself",
        _set(["operators", 0, "versions", 0, "skip_range"], ">=1.21.0 <=1.21.1"),
        "operators[0].versions[0].skip_range",
        "includes the version itself",
    ),
    (
        "misspelt field",
        _set(["operators", 0, "csv", "displayName"], "x"),
        "operators[0].csv.displayName",
        "unknown field 'displayName'",
    ),
    (
        "unknown channel",
        _set(["operators", 1, "versions", 0, "channels"], ["stable", "fast"]),
        "operators[1].versions[0].channels",
        "unknown channel 'fast'",
    ),
    (
        "default channel missing",
        _set(["operators", 1, "default_channel"], "beta"),
        "operators[1].default_channel",
        "'beta' is not one of the channels",
    ),
    (
        "untagged image",
        _set(
            ["operators", 2, "versions", 0, "images", "operator"],
            "quay.io/prometheus-operator/prometheus-operator",
        ),
        "operators[2].versions[0].images.operator",
        "is not an image reference with a tag or digest",
    ),
    (
        "escaping destination",
        _set(["operators", 0, "versions", 0, "files", 0, "dest"], "../../kustomization.yaml"),
        "operators[0].versions[0].files[0].dest",
        "must be a relative path without '..'",
    ),
    (
        "readiness for a kind it does not own",
        _readiness_for_foreign_kind,
        "operators[0].readiness[4]",
        "Deployment.apps is not a CRD this operator owns",
    ),
    ("two checks in one rule", _two_checks, "operators[0].readiness[0]", "needs exactly one of"),
    (
        "bad missing state",
        _bad_missing,
        "operators[0].readiness[0].field.missing",
        "is not healthy or progressing",
    ),
    (
        "CRD owned twice",
        _crd_owned_twice,
        "operators[1].crds",
        "Certificate.cert-manager.io is already owned by",
    ),
    (
        "bad maturity",
        _set(["operators", 3, "csv", "maturity"], "production"),
        "operators[3].csv.maturity",
        "unknown maturity 'production'",
    ),
    (
        "bad email",
        _set(["operators", 4, "csv", "maintainers", 0, "email"], "opensource at zalando.de"),
        "operators[4].csv.maintainers[0].email",
        "is not an email address",
    ),
    (
        "release time not RFC 3339",
        _set(["operators", 0, "versions", 0, "released"], "29 Jul 2026 15:36"),
        "operators[0].versions[0].released",
        "is neither a date (2006-01-02) nor an RFC 3339 time",
    ),
    (
        "release date that is no date",
        _set(["operators", 0, "versions", 0, "released"], "2026-02-30"),
        "operators[0].versions[0].released",
        "is neither a date",
    ),
    (
        "release date without its source",
        _set(["operators", 0, "versions", 0, "released_source"], None),
        "operators[0].versions[0].released_source",
        "required with released",
    ),
    (
        "release source not a URL",
        _set(["operators", 0, "versions", 0, "released_source"], "the release page"),
        "operators[0].versions[0].released_source",
        "is not an http(s) URL",
    ),
    (
        "bundle base outside the repository",
        _set(["operators", 0, "bundle_base"], "../olm/cert-manager"),
        "operators[0].bundle_base",
        "must be a relative path",
    ),
    ("schema", _set(["schema"], 2), "schema", "unsupported catalog schema 2"),
]


@pytest.mark.parametrize(("name", "mutate", "field", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_catalog_is_refused_naming_the_field(
    name: str, mutate: Callable[[Any], None], field: str, message: str
) -> None:
    data = catalog_data()
    parse_catalog(copy.deepcopy(data), file="operators.yaml")  # the unbroken data parses
    mutate(data)
    with pytest.raises(CatalogError) as err:
        parse_catalog(data, file="operators.yaml")
    assert err.value.file == "operators.yaml"
    assert err.value.field == field
    assert message in err.value.message
    assert str(err.value).startswith(f"operators.yaml: {field}: ")


def test_duplicate_yaml_keys_are_refused_with_the_line(tmp_path: Path) -> None:
    text = CATALOG_YAML.read_text(encoding="utf-8").replace(
        "  package: cert-manager\n", "  package: cert-manager\n  package: cert-manager2\n", 1
    )
    broken = tmp_path / "operators.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog_file(broken)
    assert err.value.file == str(broken)
    assert 'mapping key "package" already defined' in err.value.message


def test_icons_that_do_not_decode_or_do_not_match_their_media_type_are_refused() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 8).decode()
    assert parse_icons({"x": {"base64data": png, "mediatype": "image/png"}}, file="icons.json")["x"].data()
    with pytest.raises(CatalogError) as err:
        parse_icons({"x": {"base64data": png, "mediatype": "image/svg+xml"}}, file="icons.json")
    assert (err.value.field, err.value.message) == ("x.base64data", "the decoded data is not image/svg+xml")
    with pytest.raises(CatalogError) as err:
        parse_icons({"x": {"base64data": "not base64!", "mediatype": "image/png"}}, file="icons.json")
    assert err.value.field == "x.base64data"
    with pytest.raises(CatalogError) as err:
        parse_icons({"x": {"base64data": png, "mediatype": "image/webp"}}, file="icons.json")
    assert err.value.field == "x.mediatype"
    with pytest.raises(CatalogError) as err:
        parse_catalog(
            catalog_data(), file="c.yaml", icons={"nope": parse_icons({}, file="i")}, icons_file="i"
        )
    assert "icon for unknown operator 'nope'" in err.value.message


def test_versions_are_strict_semver() -> None:
    assert parse_version("1.21.1") < parse_version("1.21.10")
    for bad in ("v1.2.3", "1.2", "01.2.3", "1.2.3.post1", "1.2.3rc1", "1.2.3+local", ""):
        with pytest.raises(ValueError):
            parse_version(bad)
    check_semver("1.19.0-0")
    check_semver("1.2.3-rc.1")
    for bad in ("1.19.0-", "1.19.0-01", "1.19-0"):
        with pytest.raises(ValueError):
            check_semver(bad)


def test_skip_ranges_read_as_olm_reads_them() -> None:
    assert in_skip_range(">=1.16.0 <1.16.5", "1.16.0")
    assert in_skip_range(">=1.16.0 <1.16.5", "1.16.4")
    assert not in_skip_range(">=1.16.0 <1.16.5", "1.16.5")
    assert not in_skip_range(">=1.16.0 <1.16.5", "1.15.9")
    assert in_skip_range("<1.0.0 || >=2.0.0 <2.1.0", "2.0.3")
    assert in_skip_range("=1.2.3", "1.2.3") and in_skip_range("1.2.3", "1.2.3")
    for bad in (">=1.16 <2.0.0", ">=1.0.0 ||", "~>1.0.0"):
        with pytest.raises(ValueError):
            in_skip_range(bad, "1.0.0")


# ---------------------------------------------------------------------------------------------------------
# readiness rules (reference/operators.md "Readiness", reference/gitops.md "Health")


def _obj(api_version: str, kind: str, status: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x", "namespace": "ns"},
    }
    if status is not None:
        obj["status"] = status
    obj.update(extra)
    return obj


def _cond(type_: str, status: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": type_, "status": status, "reason": reason, "message": message}


def _state(catalog: Catalog, obj: dict[str, Any], lookup: Any = None) -> HealthState | None:
    health = assess(catalog, obj, lookup)
    return None if health is None else health.state


H, P, D = HealthState.HEALTHY, HealthState.PROGRESSING, HealthState.DEGRADED
CM, RD, PG = "cert-manager.io/v1", "redis.redis.opstreelabs.in/v1beta2", "acid.zalan.do/v1"

READINESS_CASES: list[tuple[str, dict[str, Any], HealthState | None]] = [
    ("crd established", _obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {"conditions": [
        _cond("NamesAccepted", "True"), _cond("Established", "True")]}), H),
    ("crd not established yet", _obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {"conditions": [
        _cond("NamesAccepted", "True")]}), P),
    ("crd names conflict", _obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {"conditions": [
        _cond("NamesAccepted", "False", "MultipleNamesNotAllowed"), _cond("Established", "False")]}), D),
    ("certificate ready", _obj(CM, "Certificate", {"conditions": [_cond("Ready", "True")]}), H),
    ("certificate issuing", _obj(CM, "Certificate", {"conditions": [
        _cond("Ready", "False", "DoesNotExist"), _cond("Issuing", "True")]}), P),
    ("certificate failed", _obj(CM, "Certificate", {"conditions": [
        _cond("Ready", "False", "Failed")]}), D),
    ("certificate without status", _obj(CM, "Certificate"), P),
    ("clusterissuer ready", _obj(CM, "ClusterIssuer", {"conditions": [_cond("Ready", "True")]}), H),
    ("externalsecret synced", _obj("external-secrets.io/v1", "ExternalSecret", {"conditions": [
        _cond("Ready", "True", "SecretSynced")]}), H),
    ("externalsecret sync error", _obj("external-secrets.io/v1", "ExternalSecret", {"conditions": [
        _cond("Ready", "False", "SecretSyncedError")]}), D),
    ("clustersecretstore valid", _obj("external-secrets.io/v1", "ClusterSecretStore", {"conditions": [
        _cond("Ready", "True", "Valid")]}), H),
    ("prometheus available and reconciled", _obj("monitoring.coreos.com/v1", "Prometheus", {"conditions": [
        _cond("Available", "True"), _cond("Reconciled", "True")]}), H),
    ("prometheus not reconciled", _obj("monitoring.coreos.com/v1", "Prometheus", {"conditions": [
        _cond("Available", "True"), _cond("Reconciled", "False", "ReconciliationFailed")]}), D),
    ("rediscluster ready", _obj(RD, "RedisCluster", {"state": "Ready"}), H),
    ("rediscluster bootstrap", _obj(RD, "RedisCluster", {"state": "Bootstrap"}), P),
    ("rediscluster initializing", _obj(RD, "RedisCluster", {
        "state": "Initializing"}), P),
    ("rediscluster failed", _obj(RD, "RedisCluster", {"state": "Failed"}), D),
    ("rediscluster without state", _obj(RD, "RedisCluster", {}), H),
    ("rediscluster without status", _obj(RD, "RedisCluster"), H),
    ("crd names accepted, installing", _obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {
        "conditions": [_cond("NamesAccepted", "True"), _cond("Established", "False", "Installing")]}), P),
    ("crd established, names not reported", _obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {
        "conditions": [_cond("Established", "True")]}), P),
    ("externalsecret deleted", _obj("external-secrets.io/v1", "ExternalSecret", {"conditions": [
        _cond("Ready", "False", "SecretDeleted")]}), P),
    ("externalsecret without status", _obj("external-secrets.io/v1", "ExternalSecret"), P),
    ("postgresql status not written", _obj(PG, "postgresql"), P),
    ("postgresql status empty", _obj(PG, "postgresql", {"PostgresClusterStatus": ""}), P),
    ("postgresql create failed", _obj(PG, "postgresql", {"PostgresClusterStatus": "CreateFailed"}), D),
    ("postgresql running", _obj(PG, "postgresql", {"PostgresClusterStatus": "Running"}), H),
    ("postgresql creating", _obj(PG, "postgresql", {"PostgresClusterStatus": "Creating"}), P),
    ("postgresql sync failed", _obj(PG, "postgresql", {"PostgresClusterStatus": "SyncFailed"}), D),
    ("postgresql invalid", _obj(PG, "postgresql", {"PostgresClusterStatus": "Invalid"}), D),
    ("servicemonitor has no rule", _obj("monitoring.coreos.com/v1", "ServiceMonitor"), None),
    ("deployment rolled out", _obj("apps/v1", "Deployment", {
        "observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
        spec={"replicas": 2}, metadata={"name": "x", "namespace": "ns", "generation": 2}), H),
    ("deployment generation not observed", _obj("apps/v1", "Deployment", {
        "observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
        spec={"replicas": 2}, metadata={"name": "x", "namespace": "ns", "generation": 2}), P),
    ("deployment updating", _obj("apps/v1", "Deployment", {
        "observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 2},
        spec={"replicas": 2}, metadata={"name": "x", "namespace": "ns", "generation": 2}), P),
    ("deployment deadline exceeded", _obj("apps/v1", "Deployment", {
        "observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1,
        "conditions": [_cond("Progressing", "False", "ProgressDeadlineExceeded")]},
        spec={"replicas": 2}, metadata={"name": "x", "namespace": "ns", "generation": 2}), D),
    ("deployment paused", _obj("apps/v1", "Deployment", {"observedGeneration": 2},
        spec={"replicas": 2, "paused": True}, metadata={"name": "x", "namespace": "ns", "generation": 2}), H),
]  # fmt: skip


@pytest.mark.parametrize(("name", "obj", "expected"), READINESS_CASES, ids=[c[0] for c in READINESS_CASES])
def test_readiness(name: str, obj: dict[str, Any], expected: HealthState | None) -> None:
    assert _state(load_catalog(), obj) == expected


def test_redis_sentinel_is_as_ready_as_its_statefulset() -> None:
    catalog = load_catalog()
    sentinel = _obj(
        "redis.redis.opstreelabs.in/v1beta2", "RedisSentinel", metadata={"name": "cache", "namespace": "db"}
    )
    asked: list[tuple[str, str, str, str]] = []

    def lookup(ready: int) -> Any:
        def get(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
            asked.append((api_version, kind, namespace, name))
            return {
                "metadata": {"name": name, "namespace": namespace, "generation": 1},
                "spec": {"replicas": 3},
                "status": {"observedGeneration": 1, "readyReplicas": ready, "replicas": 3},
            }

        return get

    assert _state(catalog, sentinel) == P  # no way to look: waiting
    assert _state(catalog, sentinel, lookup(3)) == H
    assert asked[-1] == ("apps/v1", "StatefulSet", "db", "cache-sentinel")
    health = assess(catalog, sentinel, lookup(1))
    assert health == Health(P, "StatefulSet db/cache-sentinel: 1 of 3 replicas ready")
    assert _state(catalog, sentinel, lambda *_: None) == P


def test_every_readiness_rule_belongs_to_an_owned_kind_and_every_documented_kind_has_one() -> None:
    catalog = load_catalog()
    documented = {
        ("cert-manager.io", "Certificate"),
        ("cert-manager.io", "ClusterIssuer"),
        ("external-secrets.io", "ExternalSecret"),
        ("external-secrets.io", "ClusterSecretStore"),
        ("monitoring.coreos.com", "Prometheus"),
        ("monitoring.coreos.com", "Alertmanager"),
        ("redis.redis.opstreelabs.in", "RedisCluster"),
        ("redis.redis.opstreelabs.in", "RedisSentinel"),
        ("acid.zalan.do", "postgresql"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apps", "Deployment"),
    }
    for group, kind in documented:
        assert catalog.readiness_rule(group, kind) is not None, kind
    op: Operator
    for op in catalog.operators:
        for rule in op.readiness:
            assert op.crd(rule.group, rule.kind) is not None
