"""stackctl bundle validate: every check refuses a bundle broken in its one way, the generated bundles pass,
the real published bundles give 0 errors and operator-sdk's warnings, and the command's output."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stackctl import yamlio
from stackctl.catalog import load_catalog
from stackctl.cli.main import app
from stackctl.olm import generate, io, validate
from stackctl.olm.model import CatalogSource, Finding, Severity

REPO = Path(__file__).resolve().parents[2]
PROD = REPO.parent / "shared" / "reference" / "olm-examples" / "prod"
CSV_FILE = "manifests/cert-manager.clusterserviceversion.yaml"
ALL = validate.Options(frozenset({"operatorframework"}))


@pytest.fixture(scope="module")
def good_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalog = load_catalog()
    keys = ["cert-manager", "redis-operator"]
    generated = generate.generate(io.render_inputs(catalog, REPO, keys), "quay.io/ecoeco")
    out = tmp_path_factory.mktemp("good") / "bundles"
    io.write_tree(out, generated.files, generate.owned_paths(["cert-manager", "redis-operator"]))
    return out


@pytest.fixture()
def bundle(tmp_path: Path, good_tree: Path) -> Path:
    target = tmp_path / "cert-manager"
    shutil.copytree(good_tree / "cert-manager" / "1.21.1", target)
    return target


DEFAULT = validate.Options()


def _run(path: Path, options: validate.Options = DEFAULT) -> list[Finding]:
    return validate.validate_bundle(io.read_bundle(path), options)[1]


def _load(path: Path) -> Any:
    return yamlio.load_documents(path.read_text(), source=str(path))[0]


def _dump(path: Path, obj: Any) -> None:
    path.write_text(yamlio.dump_documents([obj]))


def _edit(path: Path, fn: Callable[[Any], None]) -> None:
    obj = _load(path)
    fn(obj)
    _dump(path, obj)


def _csv(b: Path, fn: Callable[[dict[str, Any]], None]) -> None:
    _edit(b / CSV_FILE, fn)


def _annotations(b: Path, fn: Callable[[dict[str, Any]], None]) -> None:
    _edit(b / "metadata/annotations.yaml", lambda d: fn(d["annotations"]))


def _one(findings: list[Finding], check: str, text: str, severity: Severity) -> Finding:
    hits = [f for f in findings if f.check == check and text in f.message]
    assert hits, f"no {check} finding with {text!r} in {[f.text() for f in findings]}"
    assert all(f.severity is severity for f in hits), hits
    return hits[0]


# -- the generated bundles ---------------------------------------------------------------------------------


def test_generated_bundles_pass_strict_with_the_operatorframework_suite() -> None:
    bundles, catalogs = io.discover([REPO / "bundles"])
    assert len(bundles) == 10 and len(catalogs) == 1
    options = validate.Options(frozenset({"operatorframework"}), strict=True)
    loaded = []
    for source in bundles:
        b, findings = validate.validate_bundle(source, options)
        loaded.append(b)
        findings = validate.apply_strict(findings, True)
        assert [f.text() for f in findings] == [], source.name
    assert validate.check_bundle_graphs(loaded) == []
    assert validate.validate_catalog(catalogs[0]) == []


def test_a_good_bundle_has_no_findings_by_default(bundle: Path) -> None:
    assert [f.text() for f in _run(bundle) if f.severity is Severity.ERROR] == []
    assert [f.text() for f in _run(bundle)] == []


# -- one broken thing at a time ----------------------------------------------------------------------------

E, W = Severity.ERROR, Severity.WARNING


def _add_manifest(name: str, obj: dict[str, Any]) -> Callable[[Path], None]:
    return lambda b: _dump(b / "manifests" / name, obj)


def _set_path(obj: dict[str, Any], path: list[Any], value: Any) -> None:
    for key in path[:-1]:
        obj = obj[key]
    if value is _DELETE:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value


_DELETE = object()


def _csv_set(path: list[Any], value: Any) -> Callable[[Path], None]:
    return lambda b: _csv(b, lambda c: _set_path(c, path, value))


def _ann_set(key: str, value: Any) -> Callable[[Path], None]:
    return lambda b: _annotations(b, lambda a: _set_path(a, [key], value))


def _copy_crd_as(name: str) -> Callable[[Path], None]:
    return lambda b: shutil.copy(b / "manifests/cert-manager.io_issuers.yaml", b / "manifests" / name)


def _extra_crd(b: Path) -> None:
    crd = _load(b / "manifests/cert-manager.io_issuers.yaml")
    crd["metadata"]["name"] = "widgets.cert-manager.io"
    crd["spec"]["names"].update(plural="widgets", singular="widget", kind="Widget", listKind="WidgetList")
    _dump(b / "manifests/cert-manager.io_widgets.yaml", crd)


def _crd_edit(fn: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return lambda b: _edit(b / "manifests/cert-manager.io_issuers.yaml", fn)


def _big_configmap(size: int) -> Callable[[Path], None]:
    import random

    rng = random.Random(7)
    data = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size))
    return _add_manifest(
        "blob_v1_configmap.yaml",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "blob"}, "data": {"x": data}},
    )


def _examples(fn: Callable[[list[Any]], Any]) -> Callable[[Path], None]:
    def edit(c: dict[str, Any]) -> None:
        a = c["metadata"]["annotations"]
        a["alm-examples"] = json.dumps(fn(json.loads(a["alm-examples"])))

    return lambda b: _csv(b, edit)


def _install_modes(modes: list[dict[str, Any]]) -> Callable[[Path], None]:
    return _csv_set(["spec", "installModes"], modes)


def _first_container(fn: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return lambda b: _csv(
        b,
        lambda c: fn(
            c["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"]["containers"][0]
        ),
    )


def _dockerfile(fn: Callable[[str], str]) -> Callable[[Path], None]:
    return lambda b: (b / "bundle.Dockerfile").write_text(fn((b / "bundle.Dockerfile").read_text()))


def _crd_rule(verbs: list[str]) -> Callable[[Path], None]:
    rule = {"apiGroups": ["apiextensions.k8s.io"], "resources": ["customresourcedefinitions"], "verbs": verbs}
    return lambda b: _csv(b, lambda c: c["spec"]["install"]["spec"]["permissions"][0]["rules"].append(rule))


CASES: list[tuple[str, Callable[[Path], None], str, str, Severity, str, str]] = [
    # id, break, check, message part, severity, file, field
    (
        "no annotations.yaml",
        lambda b: (b / "metadata/annotations.yaml").unlink(),
        "layout",
        "metadata/annotations.yaml is missing",
        E,
        "metadata/annotations.yaml",
        "",
    ),
    (
        "no manifests/",
        lambda b: shutil.rmtree(b / "manifests"),
        "layout",
        "manifests/ is missing",
        E,
        "manifests/",
        "",
    ),
    (
        "mediatype",
        _ann_set("operators.operatorframework.io.bundle.mediatype.v1", "plain"),
        "layout",
        "mediatype must be registry+v1",
        E,
        "metadata/annotations.yaml",
        "annotations.operators.operatorframework.io.bundle.mediatype.v1",
    ),
    (
        "package key missing",
        _ann_set("operators.operatorframework.io.bundle.package.v1", _DELETE),
        "layout",
        "required annotation is missing",
        E,
        "metadata/annotations.yaml",
        "annotations.operators.operatorframework.io.bundle.package.v1",
    ),
    (
        "empty channels",
        _ann_set("operators.operatorframework.io.bundle.channels.v1", ""),
        "layout",
        "channels must not be empty",
        E,
        "metadata/annotations.yaml",
        "annotations.operators.operatorframework.io.bundle.channels.v1",
    ),
    (
        "empty default channel",
        _ann_set("operators.operatorframework.io.bundle.channel.default.v1", ""),
        "layout",
        "default channel must not be empty",
        E,
        "metadata/annotations.yaml",
        "annotations.operators.operatorframework.io.bundle.channel.default.v1",
    ),
    (
        "manifests path",
        _ann_set("operators.operatorframework.io.bundle.manifests.v1", "deploy/"),
        "layout",
        "must be 'manifests/'",
        E,
        "metadata/annotations.yaml",
        "annotations.operators.operatorframework.io.bundle.manifests.v1",
    ),
    (
        "subdirectory",
        lambda b: (b / "manifests/extra").mkdir() or (b / "manifests/extra/x.yaml").write_text("a: 1\n"),
        "layout",
        "subdirectories",
        E,
        "manifests/extra/x.yaml",
        "",
    ),
    (
        "deployment manifest",
        _add_manifest(
            "x_apps_v1_deployment.yaml",
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}},
        ),
        "kinds",
        "kind Deployment is not allowed",
        E,
        "manifests/x_apps_v1_deployment.yaml",
        "kind",
    ),
    (
        "namespaced object",
        lambda b: _edit(
            b / "manifests/cert-manager_v1_service.yaml",
            lambda s: s["metadata"].update(namespace="cert-manager"),
        ),
        "kinds",
        "must not set a namespace",
        E,
        "manifests/cert-manager_v1_service.yaml",
        "metadata.namespace",
    ),
    (
        "unnamed object",
        lambda b: _edit(b / "manifests/cert-manager_v1_service.yaml", lambda s: s["metadata"].pop("name")),
        "kinds",
        "Service has no name",
        E,
        "manifests/cert-manager_v1_service.yaml",
        "metadata.name",
    ),
    (
        "two CSVs",
        lambda b: shutil.copy(b / CSV_FILE, b / "manifests/other.clusterserviceversion.yaml"),
        "contents",
        "exactly one ClusterServiceVersion, not 2",
        E,
        "",
        "",
    ),
    (
        "owned CRD missing",
        lambda b: (b / "manifests/cert-manager.io_issuers.yaml").unlink(),
        "contents",
        "owned CRD cert-manager.io/v1, Kind=Issuer not found",
        E,
        CSV_FILE,
        "spec.customresourcedefinitions.owned[4]",
    ),
    (
        "unowned CRD",
        _extra_crd,
        "contents",
        "Kind=Widget is in the bundle but not owned",
        E,
        "manifests/cert-manager.io_widgets.yaml",
        "",
    ),
    (
        "duplicate CRD",
        _copy_crd_as("zz_issuers_copy.yaml"),
        "contents",
        "duplicate CRD cert-manager.io/v1, Kind=Issuer",
        E,
        "manifests/zz_issuers_copy.yaml",
        "",
    ),
    (
        "deployment SA manifest",
        _add_manifest(
            "cert-manager_v1_serviceaccount.yaml",
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "cert-manager-webhook"}},
        ),
        "contents",
        "must not have the name of a deployment's service account",
        E,
        "manifests/cert-manager_v1_serviceaccount.yaml",
        "metadata.name",
    ),
    ("too big", _big_configmap(1_400_000), "size", "over the 1048576-byte limit", E, "manifests/", ""),
    (
        "nearly too big",
        _big_configmap(1_000_000),
        "size",
        "over 85% of the 1048576-byte limit",
        W,
        "manifests/",
        "",
    ),
    (
        "CSV name not DNS",
        _csv_set(["metadata", "name"], "Cert_Manager.v1.21.1"),
        "csv-name",
        "not a DNS-1123 subdomain",
        E,
        CSV_FILE,
        "metadata.name",
    ),
    (
        "CSV name too long",
        _csv_set(["metadata", "name"], "c" * 60 + ".v1.21.1"),
        "csv-name",
        "not a valid label value",
        E,
        CSV_FILE,
        "metadata.name",
    ),
    (
        "replaces bad semver",
        _csv_set(["spec", "replaces"], "cert-manager.v1.21"),
        "csv-name",
        "contains an invalid semver",
        E,
        CSV_FILE,
        "spec.replaces",
    ),
    (
        "alm-examples not JSON",
        _csv_set(["metadata", "annotations", "alm-examples"], "[{"),
        "alm-examples",
        "not valid JSON",
        E,
        CSV_FILE,
        "metadata.annotations.alm-examples",
    ),
    (
        "example of a foreign API",
        _examples(lambda xs: [*xs, {"apiVersion": "v1", "kind": "Pod"}]),
        "alm-examples",
        "must be of an API the CSV owns",
        E,
        CSV_FILE,
        "metadata.annotations.alm-examples[6]",
    ),
    (
        "owned API without example",
        _examples(lambda xs: [x for x in xs if x["kind"] != "Order"]),
        "alm-examples",
        "Kind=Order should have an example",
        W,
        CSV_FILE,
        "metadata.annotations.alm-examples",
    ),
    (
        "no alm-examples",
        _csv_set(["metadata", "annotations", "alm-examples"], _DELETE),
        "alm-examples",
        "example annotations not found",
        W,
        CSV_FILE,
        "metadata.annotations.alm-examples",
    ),
    (
        "owned name not plural.group",
        _csv_set(["spec", "customresourcedefinitions", "owned", 0, "name"], "challenges"),
        "owned-crds",
        "couldn't parse plural.group",
        E,
        CSV_FILE,
        "spec.customresourcedefinitions.owned[0].name",
    ),
    (
        "no install modes",
        _install_modes([]),
        "install-modes",
        "install modes not found",
        E,
        CSV_FILE,
        "spec.installModes",
    ),
    (
        "no supported install mode",
        _install_modes([{"type": "AllNamespaces", "supported": False}]),
        "install-modes",
        "none of the install modes is supported",
        E,
        CSV_FILE,
        "spec.installModes",
    ),
    (
        "duplicate install mode",
        _install_modes([{"type": "AllNamespaces", "supported": True}] * 2),
        "install-modes",
        "duplicate install mode AllNamespaces",
        E,
        CSV_FILE,
        "spec.installModes[1]",
    ),
    (
        "no minKubeVersion",
        _csv_set(["spec", "minKubeVersion"], _DELETE),
        "min-kube-version",
        "minKubeVersion is not set",
        W,
        CSV_FILE,
        "spec.minKubeVersion",
    ),
    (
        "minKubeVersion not semver",
        _csv_set(["spec", "minKubeVersion"], "1.19"),
        "min-kube-version",
        "is not a semantic version",
        E,
        CSV_FILE,
        "spec.minKubeVersion",
    ),
    (
        "no displayName",
        _csv_set(["spec", "displayName"], _DELETE),
        "required-fields",
        "required field",
        E,
        CSV_FILE,
        "spec.displayName",
    ),
    (
        "no install",
        _csv_set(["spec", "install"], _DELETE),
        "required-fields",
        "required field",
        E,
        CSV_FILE,
        "spec.install",
    ),
    (
        "no deployments",
        _csv_set(["spec", "install", "spec", "deployments"], _DELETE),
        "required-fields",
        "required field",
        E,
        CSV_FILE,
        "spec.install.spec.deployments",
    ),
    (
        "skipRange spelling",
        lambda b: _csv(
            b,
            lambda c: c["metadata"]["annotations"].update(
                {"olm.skiprange": c["metadata"]["annotations"].pop("olm.skipRange")}
            ),
        ),
        "annotation-names",
        "must be spelt 'olm.skipRange'",
        E,
        CSV_FILE,
        "metadata.annotations.olm.skiprange",
    ),
    (
        "olm.properties",
        _csv_set(["metadata", "annotations", "olm.properties"], "[]"),
        "annotation-names",
        "olm.properties annotation is deprecated",
        W,
        CSV_FILE,
        "metadata.annotations.olm.properties",
    ),
    (
        "CRD name",
        _crd_edit(lambda c: c["metadata"].update(name="issuer.cert-manager.io")),
        "crd",
        'must be "issuers.cert-manager.io"',
        E,
        "manifests/cert-manager.io_issuers.yaml",
        "metadata.name",
    ),
    (
        "CRD storage versions",
        _crd_edit(lambda c: c["spec"]["versions"][0].update(storage=False)),
        "crd",
        "exactly one version must be the storage version",
        E,
        "manifests/cert-manager.io_issuers.yaml",
        "spec.versions",
    ),
    (
        "CRD without schema",
        _crd_edit(lambda c: c["spec"]["versions"][0].pop("schema")),
        "crd",
        "requires a schema",
        E,
        "manifests/cert-manager.io_issuers.yaml",
        "spec.versions[0].schema.openAPIV3Schema",
    ),
    (
        "bad skipRange",
        _csv_set(["metadata", "annotations", "olm.skipRange"], ">=1.21.0 <banana"),
        "skip-range",
        "olm.skipRange does not parse",
        E,
        CSV_FILE,
        "metadata.annotations.olm.skipRange",
    ),
    (
        "Dockerfile label differs",
        _dockerfile(lambda t: t.replace("channels.v1=stable,candidate", "channels.v1=stable")),
        "dockerfile-labels",
        "differs from annotations.yaml",
        W,
        "bundle.Dockerfile",
        "operators.operatorframework.io.bundle.channels.v1",
    ),
    (
        "Dockerfile label missing",
        _dockerfile(lambda t: "\n".join(line for line in t.splitlines() if "package.v1" not in line) + "\n"),
        "dockerfile-labels",
        "is missing",
        W,
        "bundle.Dockerfile",
        "operators.operatorframework.io.bundle.package.v1",
    ),
    (
        "annotation not a string",
        lambda b: (b / "metadata/annotations.yaml").write_text(
            (b / "metadata/annotations.yaml").read_text() + "  com.example/flag: true\n"
        ),
        "annotation-strings",
        "is a bool, not a string",
        W,
        "metadata/annotations.yaml",
        "annotations.com.example/flag",
    ),
    (
        "CSV annotation not a string",
        _csv_set(["metadata", "annotations", "certified"], False),
        "annotation-strings",
        "is a bool, not a string",
        W,
        CSV_FILE,
        "metadata.annotations.certified",
    ),
    (
        "createdAt",
        _csv_set(["metadata", "annotations", "createdAt"], "2025-05-02T09:11:31"),
        "created-at",
        "is not of the form yyyy-mm-ddThh:mm:ssZ",
        W,
        CSV_FILE,
        "metadata.annotations.createdAt",
    ),
    (
        "createdAt impossible date",
        _csv_set(["metadata", "annotations", "createdAt"], "2025-02-30T09:11:31Z"),
        "created-at",
        "is not of the form",
        W,
        CSV_FILE,
        "metadata.annotations.createdAt",
    ),
    (
        "relatedImages incomplete",
        lambda b: _csv(
            b,
            lambda c: c["spec"].update(
                relatedImages=[r for r in c["spec"]["relatedImages"] if r["name"] != "acmesolver"]
            ),
        ),
        "related-images",
        "cert-manager-acmesolver:v1.21.1 run by deployment 'cert-manager' is not in relatedImages",
        W,
        CSV_FILE,
        "spec.install.spec.deployments[0]",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_default_checks_refuse_a_broken_bundle(bundle: Path, case: Any) -> None:
    _, breaker, check, text, severity, file, field = case
    breaker(bundle)
    finding = _one(_run(bundle), check, text, severity)
    assert str(bundle) in finding.bundle, finding.bundle
    if file:
        assert finding.file == file
    if field:
        assert finding.field == field
    if severity is W:
        strict = validate.apply_strict(_run(bundle), True)
        assert _one(strict, check, text, E)


OPTIONAL: list[tuple[str, Callable[[Path], None], str, str, Severity, str]] = [
    (
        "provider name",
        _csv_set(["spec", "provider", "name"], ""),
        "operatorhub",
        "provider.name is required",
        E,
        "spec.provider.name",
    ),
    (
        "maintainer email",
        _csv_set(["spec", "maintainers", 0, "email"], _DELETE),
        "operatorhub",
        "maintainers need a name and an email",
        E,
        "spec.maintainers[0]",
    ),
    (
        "maintainer email invalid",
        _csv_set(["spec", "maintainers", 0, "email"], "nobody"),
        "operatorhub",
        "invalid email",
        E,
        "spec.maintainers[0].email",
    ),
    (
        "link url",
        _csv_set(["spec", "links", 0, "url"], "cert-manager.io"),
        "operatorhub",
        "invalid url",
        E,
        "spec.links[0].url",
    ),
    (
        "no version",
        _csv_set(["spec", "version"], _DELETE),
        "operatorhub",
        "spec.version is required",
        E,
        "spec.version",
    ),
    ("no icon", _csv_set(["spec", "icon"], _DELETE), "operatorhub", "no icon", W, "spec.icon"),
    (
        "two icons",
        lambda b: _csv(b, lambda c: c["spec"]["icon"].append(c["spec"]["icon"][0])),
        "operatorhub",
        "only one icon is allowed",
        E,
        "spec.icon",
    ),
    (
        "icon mediatype",
        _csv_set(["spec", "icon", 0, "mediatype"], "image/bmp"),
        "operatorhub",
        "icon mediatype 'image/bmp'",
        E,
        "spec.icon[0].mediatype",
    ),
    (
        "capabilities",
        _csv_set(["metadata", "annotations", "capabilities"], "Full lifecycle"),
        "operatorhub",
        "is not one of Basic Install",
        E,
        "metadata.annotations.capabilities",
    ),
    (
        "categories",
        _csv_set(["metadata", "annotations", "categories"], "Security, Certificates"),
        "operatorhub",
        "category 'Certificates' is not one of the standard categories",
        E,
        "metadata.annotations.categories",
    ),
    (
        "v1beta1 CRD",
        _crd_edit(lambda c: c.update(apiVersion="apiextensions.k8s.io/v1beta1")),
        "deprecated-apis",
        "no longer served from Kubernetes 1.22",
        W,
        "apiVersion",
    ),
    (
        "no requests",
        _first_container(lambda c: c.pop("resources")),
        "good-practices",
        "has no CPU and memory requests",
        W,
        "spec.install.spec.deployments[0].spec.template.spec.containers[0].resources.requests",
    ),
    (
        "empty CRD description",
        _csv_set(["spec", "customresourcedefinitions", "owned", 0, "description"], ""),
        "good-practices",
        "has an empty description",
        W,
        "spec.customresourcedefinitions.owned[0].description",
    ),
    (
        "channel name",
        _ann_set("operators.operatorframework.io.bundle.channels.v1", "alpha,stable"),
        "good-practices",
        "channel(s) alpha do not follow",
        W,
        "annotations.operators.operatorframework.io.bundle.channels.v1",
    ),
    (
        "RBAC creating CRDs",
        _crd_rule(["create"]),
        "good-practices",
        "permissions to create, patch or delete CRDs (create)",
        W,
        "spec.install.spec.permissions[0].rules[3]",
    ),
    (
        "RBAC patching CRDs",  # upstream flags patch too (validateRBACForCRDsWith: create, patch, *)
        _crd_rule(["get", "patch"]),
        "good-practices",
        "permissions to create, patch or delete CRDs (patch)",
        W,
        "spec.install.spec.permissions[0].rules[3]",
    ),
    (
        "CSV name convention",
        _csv_set(["metadata", "name"], "cert-manager.1.21.1"),
        "good-practices",
        "does not follow the convention <operator-name>.v<semver>",
        W,
        "metadata.name",
    ),
    (
        "no deployment",
        _csv_set(["spec", "install", "spec", "deployments"], []),
        "good-practices",
        "unable to find a deployment",
        E,
        "spec.install.spec.deployments",
    ),
]


@pytest.mark.parametrize("case", OPTIONAL, ids=[c[0] for c in OPTIONAL])
def test_operatorframework_suite_refuses_a_broken_bundle(bundle: Path, case: Any) -> None:
    _, breaker, check, text, severity, field = case
    before = {f.text() for f in _run(bundle, ALL)}
    breaker(bundle)
    finding = _one(_run(bundle, ALL), check, text, severity)
    assert finding.field == field
    assert finding.text() not in before
    assert not [f for f in _run(bundle) if f.check == check]  # only with --select-optional


@pytest.mark.parametrize(
    ("verbs", "groups", "flagged"),
    [
        (["get", "list", "watch", "update"], ["apiextensions.k8s.io"], False),  # a CA injector's rule
        (["delete"], ["apiextensions.k8s.io"], True),  # beyond upstream: deleting a CRD deletes its objects
        (["*"], ["*"], True),  # beyond upstream: a wildcard group covers apiextensions.k8s.io
    ],
)
def test_crd_rbac_check_flags_managing_verbs_not_update(
    bundle: Path, verbs: list[str], groups: list[str], flagged: bool
) -> None:
    rule = {"apiGroups": groups, "resources": ["customresourcedefinitions"], "verbs": verbs}
    _csv(bundle, lambda c: c["spec"]["install"]["spec"]["clusterPermissions"][0]["rules"].append(rule))
    hits = [f for f in _run(bundle, ALL) if "CRDs" in f.message and f.check == "good-practices"]
    assert bool(hits) is flagged, [f.text() for f in hits]


def test_removed_api_is_an_error_when_min_kube_version_is_past_its_removal(bundle: Path) -> None:
    _crd_edit(lambda c: c.update(apiVersion="apiextensions.k8s.io/v1beta1"))(bundle)
    _csv_set(["spec", "minKubeVersion"], "1.22.0")(bundle)
    _one(_run(bundle, ALL), "deprecated-apis", "minKubeVersion is 1.22", E)


# -- channel graphs ----------------------------------------------------------------------------------------


def _pair(tmp_path: Path, good_tree: Path) -> tuple[Path, Path]:
    new = shutil.copytree(good_tree / "cert-manager" / "1.21.1", tmp_path / "new")
    old = shutil.copytree(good_tree / "cert-manager" / "1.21.0", tmp_path / "old")
    return new, old


def _graph(*paths: Path) -> list[Finding]:
    return validate.check_bundle_graphs([validate.load(io.read_bundle(p))[0] for p in paths])


def test_bundles_of_a_package_form_a_sound_graph(tmp_path: Path, good_tree: Path) -> None:
    new, old = _pair(tmp_path, good_tree)
    assert _graph(new, old) == []


def test_two_heads(tmp_path: Path, good_tree: Path) -> None:
    new, old = _pair(tmp_path, good_tree)
    _csv_set(["spec", "replaces"], _DELETE)(new)
    f = _one(
        _graph(new, old),
        "channel-graph",
        "channel stable: multiple channel heads found in graph: cert-manager.v1.21.0, cert-manager.v1.21.1",
        E,
    )
    assert f.bundle.startswith("package cert-manager") and f.file == "metadata/annotations.yaml"


def test_cycle(tmp_path: Path, good_tree: Path) -> None:
    new, old = _pair(tmp_path, good_tree)
    _csv_set(["spec", "replaces"], "cert-manager.v1.21.1")(old)
    _one(_graph(new, old), "channel-graph", "no channel head", E)


def _catalog(good_tree: Path, fn: Callable[[list[dict[str, Any]]], None]) -> list[Finding]:
    path = good_tree / "catalog" / "cert-manager" / "catalog.yaml"
    docs = yamlio.load_documents(path.read_text(), source=str(path))
    fn(docs)
    return validate.validate_catalog(
        CatalogSource("catalog/cert-manager", tuple(("catalog.yaml", d) for d in docs))
    )


def _channel(docs: list[dict[str, Any]], name: str = "stable") -> dict[str, Any]:
    return next(d for d in docs if d["schema"] == "olm.channel" and d["name"] == name)


def _stranded(docs: list[dict[str, Any]]) -> None:
    old = next(d for d in docs if d["schema"] == "olm.bundle")
    extra = json.loads(json.dumps(old))
    extra["name"] = "cert-manager.v1.20.0"
    next(p for p in extra["properties"] if p["type"] == "olm.package")["value"]["version"] = "1.20.0"
    docs.append(extra)
    _channel(docs)["entries"].append(
        {"name": "cert-manager.v1.20.0"}
    )  # nothing replaces it, it heads nothing


CATALOG_CASES: list[tuple[str, Callable[[list[dict[str, Any]]], Any], str]] = [
    ("multiple heads", lambda d: _channel(d)["entries"][-1].pop("replaces"), "multiple channel heads found"),
    ("stranded", _stranded, "multiple channel heads found"),
    ("cycle", lambda d: _channel(d)["entries"][0].update(replaces="cert-manager.v1.21.1"), "no channel head"),
    (
        "entry without bundle",
        lambda d: _channel(d)["entries"].append(
            {"name": "cert-manager.v1.22.0", "replaces": "cert-manager.v1.21.1"}
        ),
        "has no olm.bundle",
    ),
    (
        "default channel",
        lambda d: d[0].update(defaultChannel="fast"),
        "default channel 'fast' does not exist",
    ),
    ("bad skipRange", lambda d: _channel(d)["entries"][-1].update(skipRange="<=banana"), "invalid skipRange"),
    (
        "bundle in no channel",
        lambda d: [_channel(d, c)["entries"].pop() for c in ("stable", "candidate")],
        "is in no channel",
    ),
    (
        "duplicate version",
        lambda d: next(p for p in d[-1]["properties"] if p["type"] == "olm.package")["value"].update(
            version="1.21.0"
        ),
        "have the same version 1.21.0",
    ),
    (
        "duplicate channel",
        lambda d: d.append(json.loads(json.dumps(_channel(d)))),
        "duplicate channel 'stable'",
    ),
]


@pytest.mark.parametrize("case", CATALOG_CASES, ids=[c[0] for c in CATALOG_CASES])
def test_catalog_refuses_a_broken_graph(good_tree: Path, case: Any) -> None:
    _, breaker, text = case
    assert _catalog(good_tree, lambda d: None) == []
    _one(_catalog(good_tree, breaker), "catalog", text, E)


def test_stranded_entry_is_named(good_tree: Path) -> None:
    def stranded(docs: list[dict[str, Any]]) -> None:
        entries = _channel(docs)["entries"]
        entries.insert(0, {"name": "cert-manager.v1.20.0"})
        entries[1]["skips"] = []  # 1.21.0 replaces nothing: 1.20.0 hangs off no one
        entries.append({"name": "cert-manager.v1.20.0-island", "replaces": "cert-manager.v1.21.1"})

    findings = [f.message for f in _catalog(good_tree, stranded)]
    assert any("stranded bundles" in m or "multiple channel heads" in m for m in findings), findings


# -- the real published bundles ----------------------------------------------------------------------------

needs_prod = pytest.mark.skipif(
    not PROD.is_dir(), reason="../shared/reference/olm-examples/prod is absent (only in the workspace)"
)


@needs_prod
def test_real_bundles_have_no_errors_and_the_expected_warnings() -> None:
    bundles, catalogs = io.discover([PROD])
    assert len(bundles) == 4 and catalogs == []
    by_name: dict[str, list[Finding]] = {}
    for source in bundles:
        _, findings = validate.validate_bundle(source, ALL)
        by_name[Path(source.name).name] = findings
        assert [f.text() for f in findings if f.severity is E] == [], source.name
    expect = {
        "cert-manager_1.16.5": [
            ("good-practices", "container 'cert-manager-controller' of deployment 'cert-manager' has no CPU"),
            ("good-practices", "permissions to create, patch or delete CRDs"),
            ("created-at", "'2025-05-02T09:11:31' is not of the form"),
            ("dockerfile-labels", "LABEL com.redhat.openshift.versions is missing"),
            ("related-images", "cert-manager-acmesolver:v1.16.5"),
        ],
        "external-secrets-operator_0.11.0": [
            ("good-practices", "channel(s) alpha do not follow"),
            ("alm-examples", "Kind=ACRAccessToken should have an example"),
            (
                "good-practices",
                "owned CRD 'acraccesstokens.generators.external-secrets.io' has an empty description",
            ),
            ("good-practices", "has no CPU and memory requests"),
        ],
        "prometheus_0.56.3": [
            ("good-practices", "channel(s) beta do not follow"),
            ("good-practices", "'prometheusoperator.0.56.3' does not follow the convention"),
            ("created-at", "'2022-05-24T9:40:00Z' is not of the form"),
            ("alm-examples", "Kind=Probe should have an example"),
            ("related-images", "prometheus-config-reloader"),
        ],
        "redis-operator_0.15.1": [
            ("created-at", "'24-09-2023' is not of the form"),
            ("related-images", "quay.io/opstree/redis-operator:v0.15.1"),
        ],
    }
    for name, wanted in expect.items():
        for check, text in wanted:
            _one(by_name[name], check, text, W)
    # without the optional suite, its warnings are not there
    _, default = validate.validate_bundle(next(b for b in bundles if b.name.endswith("prometheus_0.56.3")))
    assert not [f for f in default if f.check == "good-practices"]


# -- the command -------------------------------------------------------------------------------------------


def test_command_json_output_and_exit_codes(bundle: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["bundle", "validate", str(bundle), "-o", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {"passed": True, "outputs": []}
    _csv_set(["metadata", "annotations", "createdAt"], "yesterday")(bundle)
    warned = runner.invoke(app, ["bundle", "validate", str(bundle), "-o", "json"])
    doc = json.loads(warned.stdout)
    assert warned.exit_code == 0 and doc["passed"] is True
    assert doc["outputs"] == [{"type": "warning", "message": doc["outputs"][0]["message"]}]
    assert "createdAt 'yesterday'" in doc["outputs"][0]["message"]
    assert (
        CSV_FILE in doc["outputs"][0]["message"]
        and "metadata.annotations.createdAt" in doc["outputs"][0]["message"]
    )
    strict = runner.invoke(app, ["bundle", "validate", str(bundle), "-o", "json", "--strict"])
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["passed"] is False
    assert json.loads(strict.stdout)["outputs"][0]["type"] == "error"
    text = runner.invoke(app, ["bundle", "validate", str(bundle), "--strict"])
    assert text.exit_code == 1
    assert text.stdout.splitlines()[-1] == "failed: 1 bundle(s), 0 catalog(s): 1 error(s), 0 warning(s)"
    bad = runner.invoke(app, ["bundle", "validate", str(bundle), "--select-optional", "suite=nope"])
    assert bad.exit_code == 2
    opt = runner.invoke(
        app, ["bundle", "validate", str(bundle), "--select-optional", "suite=operatorframework"]
    )
    assert opt.exit_code == 0, opt.output


def test_command_refuses_a_path_without_bundles(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bundle", "validate", str(tmp_path)])
    assert result.exit_code != 0
    assert "holds no bundle" in str(result.exception)
