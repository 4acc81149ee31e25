"""stackctl bundle: the committed bundles/ tree, what the bundles hold, atomic writes, the CLI."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stackctl import yamlio
from stackctl.catalog import load_catalog
from stackctl.cli.main import app
from stackctl.olm import generate, io, validate
from stackctl.olm import versions as ver
from stackctl.olm.model import GeneratedFile, OlmError
from stackctl.validate.schema import CompiledSchema

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "bundles"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated() -> generate.Generated:
    catalog = load_catalog()
    return generate.generate(io.render_inputs(catalog, REPO, catalog.keys), "quay.io/ecoeco")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory, generated: generate.Generated) -> Path:
    out = tmp_path_factory.mktemp("gen") / "bundles"
    io.write_tree(out, generated.files, generate.owned_paths([op.package for op in load_catalog().operators]))
    return out


def _csv(generated: generate.Generated, package: str, version: str) -> dict[str, Any]:
    for b in generated.bundles:
        if (b.op.package, b.version.version) == (package, version):
            return b.csv
    raise AssertionError(f"no bundle {package} {version}")


# -- the committed tree ------------------------------------------------------------------------------------


def test_committed_bundles_are_exactly_what_the_code_generates(out_dir: Path) -> None:
    committed, fresh = _tree(BUNDLES), _tree(out_dir)
    assert sorted(committed) == sorted(fresh), "run `make bundles` and commit bundles/"
    changed = [p for p in fresh if committed[p] != fresh[p]]
    assert not changed, f"bundles/ differs from the generator in {changed[:5]}: run `make bundles`"


def test_layout_per_design(out_dir: Path, generated: generate.Generated) -> None:
    catalog = load_catalog()
    expected_versions = {(op.package, v.version) for op in catalog.operators for v in op.versions}
    assert {(b.op.package, b.version.version) for b in generated.bundles} == expected_versions
    for package, version in expected_versions:
        d = out_dir / package / version
        assert (d / "manifests" / f"{package}.clusterserviceversion.yaml").is_file()
        for rel in ("metadata/annotations.yaml", "tests/scorecard/config.yaml", "bundle.Dockerfile"):
            assert (d / rel).is_file(), rel
    for op in catalog.operators:
        assert (out_dir / "catalog" / op.package / "catalog.yaml").is_file()


def test_generation_is_deterministic(generated: generate.Generated) -> None:
    catalog = load_catalog()
    again = generate.generate(list(reversed(io.render_inputs(catalog, REPO, catalog.keys))), "quay.io/ecoeco")
    assert [(f.path, f.text) for f in again.files] == [(f.path, f.text) for f in generated.files]


# -- what the bundles hold ---------------------------------------------------------------------------------


def test_manifests_hold_one_allowed_object_per_file_without_namespace(out_dir: Path) -> None:
    from stackctl.olm.csv import ALLOWED_KINDS

    for path in out_dir.glob("*/*/manifests/*.yaml"):
        docs = yamlio.load_documents(path.read_text(), source=str(path))
        assert len(docs) == 1, path
        obj = docs[0]
        assert obj["kind"] in ALLOWED_KINDS, path
        assert obj["kind"] not in ("Deployment", "Namespace", "ValidatingWebhookConfiguration")
        if obj["kind"] != "ClusterServiceVersion":
            assert "namespace" not in obj["metadata"], path
            assert not any(k.startswith("argocd.") for k in obj["metadata"].get("annotations", {})), path


def test_operator_sdk_file_names(out_dir: Path) -> None:
    names = {p.name for p in (out_dir / "cert-manager" / "1.21.1" / "manifests").iterdir()}
    assert "cert-manager.clusterserviceversion.yaml" in names
    assert "cert-manager.io_certificates.yaml" in names
    assert "cert-manager-webhook_v1_service.yaml" in names
    pg = {p.name for p in (out_dir / "postgres-operator" / "2.0.1" / "manifests").iterdir()}
    assert "zalando-postgres-operator-users-view_rbac.authorization.k8s.io_v1_clusterrole.yaml" in pg
    assert "postgres-operator_v1_configmap.yaml" in pg


def test_deployments_rbac_and_webhooks_move_into_the_csv(
    generated: generate.Generated, out_dir: Path
) -> None:
    csv = _csv(generated, "cert-manager", "1.21.1")
    install = csv["spec"]["install"]
    assert install["strategy"] == "deployment"
    deployments = {d["name"]: d for d in install["spec"]["deployments"]}
    assert set(deployments) == {"cert-manager", "cert-manager-cainjector", "cert-manager-webhook"}
    assert deployments["cert-manager"]["label"]["app.kubernetes.io/component"] == "controller"
    perms = {p["serviceAccountName"]: p["rules"] for p in install["spec"]["permissions"]}
    cluster = {p["serviceAccountName"]: p["rules"] for p in install["spec"]["clusterPermissions"]}
    # the kube-system leader-election Role bound to the controller's SA is a permission
    assert any(r.get("resourceNames") == ["cert-manager-controller"] for r in perms["cert-manager"])
    assert any("certificates" in r["resources"] for r in cluster["cert-manager"])
    manifests = out_dir / "cert-manager" / "1.21.1" / "manifests"
    kinds = {yamlio.load_documents(p.read_text(), source=p.name)[0]["kind"] for p in manifests.iterdir()}
    assert not kinds & {
        "ServiceAccount",
        "RoleBinding",
        "ClusterRoleBinding",
        "Role",
        "Deployment",
        "Namespace",
    }
    hooks = {(h["type"], h["generateName"]): h for h in csv["spec"]["webhookdefinitions"]}
    validating = hooks[("ValidatingAdmissionWebhook", "validate.webhook.cert-manager.io")]
    assert validating["deploymentName"] == "cert-manager-webhook"
    assert (validating["containerPort"], validating["targetPort"]) == (443, "https")
    assert validating["webhookPath"] == "/validate"
    assert validating["sideEffects"] == "None" and validating["failurePolicy"] == "Fail"
    assert validating["admissionReviewVersions"] == ["v1"]
    eso = _csv(generated, "external-secrets-operator", "2.9.0")
    eso_hooks = eso["spec"]["webhookdefinitions"]
    assert {h["deploymentName"] for h in eso_hooks} == {"external-secrets-webhook"}
    assert {(h["containerPort"], h["targetPort"]) for h in eso_hooks} == {(443, 10250)}


def test_csv_metadata(generated: generate.Generated) -> None:
    catalog = load_catalog()
    for op in catalog.operators:
        for v in op.versions:
            csv = _csv(generated, op.package, v.version)
            a = csv["metadata"]["annotations"]
            assert csv["metadata"]["name"] == f"{op.package}.v{v.version}"
            assert all(isinstance(value, str) for value in a.values())
            assert a["operatorframework.io/suggested-namespace"] == op.namespace
            assert a["capabilities"] == op.csv.capabilities
            assert a["containerImage"] == v.container_image
            assert "operators.operatorframework.io/builder" not in a  # we are not operator-sdk
            assert ("createdAt" in a) == (v.released is not None)
            spec = csv["spec"]
            assert spec["version"] == v.version and spec["minKubeVersion"] == op.csv.min_kube_version
            modes = {m["type"]: m["supported"] for m in spec["installModes"]}
            assert modes == {t: t in op.csv.install_modes for t in validate.INSTALL_MODE_TYPES}
            assert spec.get("replaces") == (f"{op.package}.v{v.replaces}" if v.replaces else None)
            assert a.get("olm.skipRange") == v.skip_range


def test_created_at_comes_from_the_release_date() -> None:
    from stackctl.olm.csv import created_at

    assert created_at("2026-03-27T19:13:14Z") == "2026-03-27T19:13:14Z"
    assert created_at("2026-03-27T21:13:14+02:00") == "2026-03-27T19:13:14Z"
    assert created_at("2026-03-27") == "2026-03-27T00:00:00Z"


# Where OLM puts the serving certificate of a webhookdefinition's deployment (operator-lifecycle-manager,
# pkg/controller/install/certresources.go): mounted at two paths, and kept in the Secret
# <deployment>-service-cert.
OLM_CERT_PATHS = ("/apiserver.local.config/certificates/", "/tmp/k8s-webhook-server/serving-certs")


def test_every_webhook_serves_the_certificate_olm_issues(generated: generate.Generated) -> None:
    checked = 0
    for b in generated.bundles:
        deployments = {d["name"]: d["spec"] for d in b.csv["spec"]["install"]["spec"]["deployments"]}
        for hook in b.csv["spec"].get("webhookdefinitions") or []:
            pod = deployments[hook["deploymentName"]]["template"]["spec"]
            args = [a for c in pod["containers"] for a in c.get("args") or []]
            olm_secret = f"{hook['deploymentName']}-service-cert"
            mounts_olm_secret = any(
                (v.get("secret") or {}).get("secretName") == olm_secret for v in pod.get("volumes") or []
            )
            assert mounts_olm_secret or any(p in a for a in args for p in OLM_CERT_PATHS), (
                f"{b.csv['metadata']['name']}: {hook['deploymentName']} does not serve OLM's certificate"
            )
            assert not any(a.startswith("--dynamic-serving") for a in args)
            checked += 1
    assert checked >= 4  # cert-manager's two and External Secrets' validating webhooks, in each version


def test_external_secrets_bundle_leaves_its_certificate_controller_out(generated: generate.Generated) -> None:
    csv = _csv(generated, "external-secrets-operator", "2.9.0")
    install = csv["spec"]["install"]["spec"]
    assert sorted(d["name"] for d in install["deployments"]) == [
        "external-secrets",
        "external-secrets-webhook",
    ]
    accounts = {
        p["serviceAccountName"] for p in install.get("clusterPermissions", []) + install["permissions"]
    }
    assert "external-secrets-cert-controller" not in accounts
    webhook = next(d for d in install["deployments"] if d["name"] == "external-secrets-webhook")
    pod = webhook["spec"]["template"]["spec"]
    items = {i["key"]: i["path"] for v in pod["volumes"] for i in (v.get("secret") or {}).get("items", [])}
    assert items == {"tls.crt": "tls.crt", "tls.key": "tls.key", "olmCAKey": "ca.crt"}
    assert "--dns-name=external-secrets-webhook-service.$(POD_NAMESPACE).svc" in pod["containers"][0]["args"]


def test_related_images_cover_args_and_config(generated: generate.Generated) -> None:
    images = {r["image"] for r in _csv(generated, "cert-manager", "1.21.1")["spec"]["relatedImages"]}
    assert "quay.io/jetstack/cert-manager-acmesolver:v1.21.1" in images
    prom = {r["name"]: r["image"] for r in _csv(generated, "prometheus", "0.93.0")["spec"]["relatedImages"]}
    assert prom["config-reloader"] == "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0"
    pg = {r["image"] for r in _csv(generated, "postgres-operator", "2.0.1")["spec"]["relatedImages"]}
    assert "ghcr.io/zalando/spilo-17:4.0-p2" in pg  # the operand image named in the operator's ConfigMap


def test_older_versions_run_their_own_images(generated: generate.Generated) -> None:
    csv = _csv(generated, "cert-manager", "1.21.0")
    text = json.dumps(csv["spec"]["install"])
    assert "v1.21.1" not in text and "quay.io/jetstack/cert-manager-acmesolver:v1.21.0" in text
    assert {r["image"] for r in csv["spec"]["relatedImages"]} >= {
        "quay.io/jetstack/cert-manager-webhook:v1.21.0"
    }


def test_alm_examples_come_from_the_stack_and_validate_against_the_crds(
    generated: generate.Generated, out_dir: Path
) -> None:
    catalog = load_catalog()
    stack = {
        (o["kind"], o["metadata"]["name"])
        for i in io.render_inputs(catalog, REPO, catalog.keys)
        for o in i.stack
    }
    used = 0
    for b in generated.bundles:
        examples = json.loads(b.csv["metadata"]["annotations"]["alm-examples"])
        owned = {
            (o["name"].split(".", 1)[1], o["version"], o["kind"])
            for o in b.csv["spec"]["customresourcedefinitions"]["owned"]
        }
        assert {
            (e["apiVersion"].rpartition("/")[0], e["apiVersion"].rpartition("/")[2], e["kind"])
            for e in examples
        } == owned
        crds = {}
        for p in (out_dir / b.op.package / b.version.version / "manifests").glob("*.yaml"):
            obj = yamlio.load_documents(p.read_text(), source=p.name)[0]
            if obj["kind"] == "CustomResourceDefinition":
                crds[(obj["spec"]["group"], obj["spec"]["names"]["kind"])] = obj
        for e in examples:
            used += (e["kind"], e["metadata"]["name"]) in stack
            group, _, version = e["apiVersion"].rpartition("/")
            crd = crds[(group, e["kind"])]
            schema = next(v for v in crd["spec"]["versions"] if v["name"] == version)["schema"][
                "openAPIV3Schema"
            ]
            problems = CompiledSchema(schema).problems(e, drop_status=True)
            assert not problems, (b.op.package, e["kind"], problems)
    assert (
        used >= 10
    )  # ClusterIssuers, Certificates, ExternalSecrets, Prometheus, RedisCluster, postgresql...


def test_descriptors_mark_key_fields(generated: generate.Generated) -> None:
    owned = {
        o["kind"]: o
        for o in _csv(generated, "redis-operator", "0.26.0")["spec"]["customresourcedefinitions"]["owned"]
    }
    spec_paths = {d["path"]: d["x-descriptors"] for d in owned["RedisCluster"]["specDescriptors"]}
    assert spec_paths["clusterSize"] == ["urn:alm:descriptor:com.tectonic.ui:podCount"]
    status = {d["path"]: d["x-descriptors"] for d in owned["RedisCluster"]["statusDescriptors"]}
    assert status["state"] == ["urn:alm:descriptor:io.kubernetes.phase"]
    cm = {
        o["kind"]: o
        for o in _csv(generated, "cert-manager", "1.21.1")["spec"]["customresourcedefinitions"]["owned"]
    }
    cert = {d["path"]: d for d in cm["Certificate"]["specDescriptors"]}
    assert cert["secretName"]["x-descriptors"] == ["urn:alm:descriptor:io.kubernetes:Secret"]
    assert any(d["path"] == "conditions" for d in cm["Certificate"]["statusDescriptors"])


def test_annotations_and_dockerfile_agree(out_dir: Path) -> None:
    for d in out_dir.glob("*/*/metadata"):
        bundle = d.parent
        annotations = yamlio.load_documents((d / "annotations.yaml").read_text(), source="a")[0][
            "annotations"
        ]
        labels = validate.parse_dockerfile_labels((bundle / "bundle.Dockerfile").read_text())
        assert labels == annotations
        assert annotations["operators.operatorframework.io.bundle.mediatype.v1"] == "registry+v1"
        text = (bundle / "bundle.Dockerfile").read_text()
        assert text.startswith("FROM scratch\n") and "COPY manifests /manifests/" in text


def test_scorecard_config_is_operator_sdks() -> None:
    sample = Path(
        REPO.parent
        / "shared/reference/olm-examples/operator-sdk-memcached/bundle/tests/scorecard/config.yaml"
    )
    if not sample.is_file():
        pytest.skip("../shared/reference/olm-examples is absent (only in the workspace, not in a clone)")
    ours = (BUNDLES / "cert-manager" / "1.21.1" / "tests" / "scorecard" / "config.yaml").read_text()
    assert ours == sample.read_text()


def test_file_based_catalog(out_dir: Path) -> None:
    catalog = load_catalog()
    for op in catalog.operators:
        path = out_dir / "catalog" / op.package / "catalog.yaml"
        docs = yamlio.load_documents(path.read_text(), source=str(path))
        assert [d["schema"] for d in docs].count("olm.package") == 1 and docs[0]["schema"] == "olm.package"
        package = docs[0]
        assert package["defaultChannel"] == op.default_channel and package["description"] == op.csv.summary
        channels = {d["name"]: d for d in docs if d["schema"] == "olm.channel"}
        assert set(channels) == {c.name for c in op.channels}
        bundles = [d for d in docs if d["schema"] == "olm.bundle"]
        assert [b["name"] for b in bundles] == [
            f"{op.package}.v{v}" for v in sorted((v.version for v in op.versions), key=ver.key)
        ]
        for b in bundles:
            version = b["name"].split(".v", 1)[1]
            assert b["image"] == f"quay.io/ecoeco/{op.package}-bundle:v{version}"
            types = [p["type"] for p in b["properties"]]
            assert types.count("olm.package") == 1 and "olm.csv.metadata" in types and "olm.gvk" in types
            meta = next(p["value"] for p in b["properties"] if p["type"] == "olm.csv.metadata")
            assert "icon" not in meta
        validated = validate.validate_catalog(io.discover([path.parent])[1][0])
        assert validated == []
    cm = yamlio.load_documents((out_dir / "catalog/cert-manager/catalog.yaml").read_text(), source="c")
    stable = next(d for d in cm if d["schema"] == "olm.channel" and d["name"] == "stable")
    assert stable["entries"][-1] == {
        "name": "cert-manager.v1.21.1",
        "replaces": "cert-manager.v1.21.0",
        "skipRange": ">=1.21.0 <1.21.1",
    }


def test_registry_template() -> None:
    from stackctl.olm.bundle import bundle_image

    assert (
        bundle_image("quay.io/acme/", "redis-operator", "0.26.0")
        == "quay.io/acme/redis-operator-bundle:v0.26.0"
    )
    assert bundle_image("r.io/{package}:{version}", "p", "1.0.0") == "r.io/p:1.0.0"
    with pytest.raises(OlmError, match="bad registry template"):
        bundle_image("r.io/{pkg}", "p", "1.0.0")


def test_refuses_kinds_olm_does_not_accept() -> None:
    from stackctl.olm.csv import build_csv

    catalog = load_catalog()
    inputs = io.render_inputs(catalog, REPO, ["redis-operator"], None)[0]
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "migrate", "namespace": "redis-system"},
    }
    with pytest.raises(OlmError, match="OLM does not accept kind Job"):
        build_csv(inputs.op, inputs.op.pinned, [*inputs.base, job], [])
    no_deploy = [o for o in inputs.base if o["kind"] != "Deployment"]
    with pytest.raises(OlmError, match="no Deployment"):
        build_csv(inputs.op, inputs.op.pinned, no_deploy, [])


def test_sizing_fills_requests_only_where_the_base_has_none(generated: generate.Generated) -> None:
    csv = _csv(generated, "cert-manager", "1.21.1")
    for d in csv["spec"]["install"]["spec"]["deployments"]:
        for c in d["spec"]["template"]["spec"]["containers"]:
            assert {"cpu", "memory"} <= set(c["resources"]["requests"]), (d["name"], c["name"])
    redis = _csv(generated, "redis-operator", "0.26.0")["spec"]["install"]["spec"]["deployments"][0]
    base = next(
        o
        for o in io.render_inputs(load_catalog(), REPO, ["redis-operator"], None)[0].base
        if o["kind"] == "Deployment"
    )
    assert (
        redis["spec"]["template"]["spec"]["containers"][0]["resources"]
        == (base["spec"]["template"]["spec"]["containers"][0]["resources"])
    )


# -- atomic writes -----------------------------------------------------------------------------------------


def _seed(tmp_path: Path) -> Path:
    out = tmp_path / "bundles"
    io.write_tree(
        out, [GeneratedFile("a/1/x.yaml", "old\n"), GeneratedFile("keep/y", "other\n")], ["a", "keep"]
    )
    return out


def test_write_replaces_owned_paths_and_keeps_the_rest(tmp_path: Path) -> None:
    out = _seed(tmp_path)
    io.write_tree(out, [GeneratedFile("a/2/x.yaml", "new\n")], ["a"])
    assert _tree(out) == {"a/2/x.yaml": b"new\n", "keep/y": b"other\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["bundles"]  # no temporary directories left


def test_a_failed_write_leaves_the_old_bundles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _seed(tmp_path)
    before = _tree(out)
    real_open = open
    calls = {"n": 0}

    def failing_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode:
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(28, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(OlmError, match="No space left on device"):
        io.write_tree(
            out, [GeneratedFile("a/1/x.yaml", "new\n"), GeneratedFile("a/1/z.yaml", "new\n")], ["a"]
        )
    monkeypatch.undo()
    assert _tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["bundles"]


def test_a_failed_swap_restores_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _seed(tmp_path)
    before = _tree(out)
    real_rename = os.rename
    calls = {"n": 0}

    def failing_rename(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the new tree into place
            raise OSError(13, "Permission denied")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(OlmError, match="Permission denied"):
        io.write_tree(out, [GeneratedFile("a/1/x.yaml", "new\n")], ["a"])
    monkeypatch.undo()
    assert _tree(out) == before


def test_a_failed_generation_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bundles"
    shutil.copytree(BUNDLES / "redis-operator", out / "redis-operator")
    before = _tree(out)
    result = CliRunner().invoke(
        app, ["bundle", "--operator", "redis-operator", "--out", str(out), "--registry", "r.io/{nope}"]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, OlmError)
    assert _tree(out) == before


# -- the command -------------------------------------------------------------------------------------------


@pytest.fixture()
def cwd_repo() -> Iterator[None]:
    old = Path.cwd()
    os.chdir(REPO)
    try:
        yield
    finally:
        os.chdir(old)


def test_command_writes_one_operator(tmp_path: Path, cwd_repo: None) -> None:
    out = tmp_path / "b"
    result = CliRunner().invoke(app, ["bundle", "--operator", "postgres-operator", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["catalog", "postgres-operator"]
    assert _tree(out / "postgres-operator") == _tree(BUNDLES / "postgres-operator")
    result = CliRunner().invoke(
        app, ["bundle", "--operator", "redis-operator", "--out", str(out), "--registry", "quay.io/x"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["catalog", "postgres-operator", "redis-operator"]
    assert (
        "quay.io/x/redis-operator-bundle:v0.26.0" in (out / "catalog/redis-operator/catalog.yaml").read_text()
    )


def test_versions_and_ranges() -> None:
    r = ver.parse_range(">=1.21.0 <1.21.1")
    assert "1.21.0" in r and "1.21.1" not in r and "1.20.9" not in r
    assert "2.5.0" in ver.parse_range("1.x || >=2.4.0 <3.0.0") and "1.9.9" in ver.parse_range("1.x")
    assert "1.3.0" in ver.parse_range(">= 1.2") and "1.1.9" not in ver.parse_range(">= 1.2")
    for bad in ("", ">=a.b.c", "1.0.0 ||", "~>1.0.0"):
        with pytest.raises(ValueError):
            ver.parse_range(bad)
    assert ver.is_semver("1.19.0-0") and not ver.is_semver("1.19") and not ver.is_semver("v1.2.3")
