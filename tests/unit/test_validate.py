"""stackctl validate: the stack's own CRs pass (against the render's CRDs and upstream's), and every check
fails a broken or skewed CR naming the field."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stackctl.errors import StackctlError
from stackctl.kustomize.loader import display_path
from stackctl.model import Obj, copy_tree
from stackctl.validate import Finding, Severity, check, inputs, validate
from stackctl.validate.refs import selector_matches
from stackctl.validate.report import finding_line, to_json, to_text
from stackctl.validate.schema import to_json_schema

REPO = Path(__file__).resolve().parents[2]
ENVS = REPO / "overlays" / "envs"
UPSTREAM = REPO.parent / "shared" / "reference" / "upstream-crds"
STACKCTL = str(Path(sys.executable).with_name("stackctl"))
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}

needs_upstream = pytest.mark.skipif(
    not UPSTREAM.is_dir(), reason=f"the real upstream CRDs are not at {UPSTREAM} (shared/reference is absent)"
)


# -- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def renders() -> dict[str, inputs.Rendered]:
    cwd = os.getcwd()
    os.chdir(REPO)  # sources are shown relative to the working directory
    try:
        return {env: inputs.render(Path("overlays/envs") / env) for env in ("dev", "staging", "prod")}
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def upstream() -> inputs.CrdFiles:
    if not UPSTREAM.is_dir():
        pytest.skip(f"the real upstream CRDs are not at {UPSTREAM} (shared/reference is absent)")
    return inputs.load_crds([UPSTREAM])


@pytest.fixture
def dev(renders: dict[str, inputs.Rendered]) -> list[Obj]:
    """A fresh copy of the dev render, for a test to break."""
    return [copy_tree(o) for o in renders["dev"].objects]


def find(objects: list[Obj], kind: str, name: str) -> Obj:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.error]


def only(findings: list[Finding], severity: Severity = Severity.error) -> Finding:
    matching = [f for f in findings if f.severity is severity]
    assert len(matching) == 1, [finding_line(f) for f in findings]
    return matching[0]


STACK_CRS = {
    "Alertmanager",
    "AlertmanagerConfig",
    "Certificate",
    "ClusterIssuer",
    "ClusterSecretStore",
    "ExternalSecret",
    "Prometheus",
    "PrometheusRule",
    "RedisCluster",
    "RedisReplication",
    "RedisSentinel",
    "ServiceMonitor",
    "postgresql",
}


# -- the stack's own resources ------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_environment_validates_against_its_own_crds(renders: dict[str, inputs.Rendered], env: str) -> None:
    rendered = renders[env]
    report = check(rendered.objects, sources=rendered.sources)
    assert [finding_line(f) for f in report.findings] == []
    kinds = {o["kind"] for o in rendered.objects if not o["apiVersion"].startswith(("v1", "apps/", "rbac."))}
    assert kinds >= STACK_CRS
    assert report.custom_resources == sum(o["kind"] in STACK_CRS for o in rendered.objects) >= 16


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_environment_validates_against_upstream_crds(
    renders: dict[str, inputs.Rendered], upstream: inputs.CrdFiles, env: str
) -> None:
    rendered = renders[env]
    report = check(rendered.objects, upstream.crds, sources={**rendered.sources, **upstream.sources})
    assert [finding_line(f) for f in report.findings] == []
    assert report.crds == 49  # upstream's 49 CRDs replace the render's 30 of the same names


@needs_upstream
def test_upstream_crds_replace_the_renders(dev: list[Obj], upstream: inputs.CrdFiles) -> None:
    # spec.keystores is in upstream's Certificate schema, not in the compact one written for offline use
    cert = find(dev, "Certificate", "eco2-tls")
    cert["spec"]["keystores"] = {"pkcs12": {"create": True, "profile": "Modern2023"}}
    assert only(validate(dev)).field == "spec.keystores"
    assert validate(dev, upstream.crds) == []
    cert["spec"]["keystores"]["pkcs12"]["profile"] = "Modern2030"
    finding = only(validate(dev, upstream.crds))
    assert (finding.field, finding.code) == ("spec.keystores.pkcs12.profile", "schema")


@needs_upstream
def test_upstream_folder_order_top_level_files_before_subfolders(upstream: inputs.CrdFiles) -> None:
    # full/ holds an AlertmanagerConfig CRD that also serves v1beta1; the top-level one (v1alpha1 only) wins
    assert upstream.sources[_crd_id("alertmanagerconfigs.monitoring.coreos.com")] == display_path(
        UPSTREAM / "prometheus-operator" / "monitoring.coreos.com_alertmanagerconfigs.yaml"
    )
    amc = {
        "apiVersion": "monitoring.coreos.com/v1beta1",
        "kind": "AlertmanagerConfig",
        "metadata": {"name": "x", "namespace": "default"},
        "spec": {},
    }
    finding = only(validate([amc], upstream.crds))
    assert finding.code == "unserved-version"
    assert finding.hint == "use apiVersion: monitoring.coreos.com/v1alpha1"


def _crd_id(name: str) -> Any:
    from stackctl.model import ResId

    return ResId.of(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": name},
        }
    )


# -- API versions and CRDs ----------------------------------------------------------------------------------


def test_v1beta1_external_secret_is_refused_with_a_hint_to_v1(dev: list[Obj]) -> None:
    find(dev, "ExternalSecret", "chat-api-secrets")["apiVersion"] = "external-secrets.io/v1beta1"
    finding = only(validate(dev))
    assert finding.code == "unserved-version"
    assert finding.field == "apiVersion"
    assert (finding.object.kind, finding.object.namespace, finding.object.name) == (
        "ExternalSecret",
        "chat",
        "chat-api-secrets",
    )
    assert finding.object.api_version == "external-secrets.io/v1beta1"
    assert finding.hint == "use apiVersion: external-secrets.io/v1"


@needs_upstream
def test_v1beta1_external_secret_listed_but_not_served_upstream(
    dev: list[Obj], upstream: inputs.CrdFiles
) -> None:
    find(dev, "ExternalSecret", "chat-api-secrets")["apiVersion"] = "external-secrets.io/v1beta1"
    finding = only(validate(dev, upstream.crds))
    assert "is listed but not served by CRD externalsecrets.external-secrets.io" in finding.message
    assert finding.hint == "use apiVersion: external-secrets.io/v1"


def test_v1beta1_redis_cluster_is_refused_with_a_hint_to_v1beta2(dev: list[Obj]) -> None:
    find(dev, "RedisCluster", "redis-streams")["apiVersion"] = "redis.redis.opstreelabs.in/v1beta1"
    finding = only(validate(dev))
    assert (finding.code, finding.field) == ("unserved-version", "apiVersion")
    assert finding.message == (
        "redis.redis.opstreelabs.in/v1beta1 is not a version of CRD redisclusters.redis.redis.opstreelabs.in "
        "(served: v1beta2)"
    )
    assert finding.hint == "use apiVersion: redis.redis.opstreelabs.in/v1beta2"


def test_deprecated_version_warns() -> None:
    crd = make_crd(
        {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        versions=[
            {"name": "v1", "served": True, "storage": True},
            {
                "name": "v1beta1",
                "served": True,
                "storage": False,
                "deprecated": True,
                "deprecationWarning": "use v1",
            },
        ],
    )
    findings = validate([crd, widget({}, version="v1beta1")])
    warning = only(findings, Severity.warning)
    assert (warning.code, warning.message, warning.hint) == (
        "deprecated-version",
        "use v1",
        "use apiVersion: example.com/v1",
    )
    assert errors(findings) == []
    crd["spec"]["versions"][1].pop("deprecationWarning")
    assert only(validate([crd, widget({}, version="v1beta1")]), Severity.warning).message == (
        "example.com/v1beta1 Widget is deprecated"
    )


def test_missing_crd(dev: list[Obj]) -> None:
    without = [o for o in dev if o["metadata"]["name"] != "postgresqls.acid.zalan.do"]
    finding = only(validate(without))
    assert (finding.code, finding.field, finding.object.kind) == ("missing-crd", "kind", "postgresql")
    assert finding.message == "no CustomResourceDefinition for postgresql.acid.zalan.do"
    assert "--crds" in (finding.hint or "")


def test_missing_crd_given_on_the_side(dev: list[Obj]) -> None:
    crd = find(dev, "CustomResourceDefinition", "postgresqls.acid.zalan.do")
    without = [o for o in dev if o is not crd]
    assert validate(without, [crd]) == []


def test_kind_in_the_wrong_case_names_the_right_one(dev: list[Obj]) -> None:
    find(dev, "postgresql", "ecoeco-chat-db")["kind"] = "Postgresql"
    finding = only(validate(dev))
    assert finding.code == "missing-crd"
    assert finding.hint == "kinds are case-sensitive: did you mean postgresql?"


def test_builtin_kinds_need_no_crd() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}}
    report = check([cm])
    assert (report.findings, report.custom_resources) == ([], 0)


def test_invalid_crd_is_reported() -> None:
    crd = make_crd({"type": "object"})
    crd["metadata"]["name"] = "widget.example.com"
    crd["spec"]["versions"][0]["storage"] = False
    findings = validate([crd])
    assert [(f.code, f.field) for f in findings] == [
        ("invalid-crd", "metadata.name"),
        ("invalid-crd", "spec.versions"),
    ]
    assert findings[0].message == 'must be "widgets.example.com" (spec.names.plural + "." + spec.group)'


# -- schema -------------------------------------------------------------------------------------------------


def test_wrong_type(dev: list[Obj]) -> None:
    find(dev, "RedisSentinel", "redis-sentinel")["spec"]["clusterSize"] = "3"
    finding = only(validate(dev))
    assert (finding.code, finding.field) == ("schema", "spec.clusterSize")
    assert finding.message == 'must be of type integer, not string: "3"'


def test_missing_required(dev: list[Obj]) -> None:
    del find(dev, "ExternalSecret", "alertmanager-slack")["spec"]["data"][0]["remoteRef"]["key"]
    finding = only(validate(dev))
    assert (finding.code, finding.field, finding.message) == (
        "schema",
        "spec.data[0].remoteRef.key",
        "required value",
    )


def test_bad_enum(dev: list[Obj]) -> None:
    find(dev, "Certificate", "eco2-tls")["spec"]["privateKey"]["algorithm"] = "RS"
    finding = only(validate(dev))
    assert finding.field == "spec.privateKey.algorithm"
    assert finding.message == 'unsupported value "RS": supported values: "RSA", "ECDSA", "Ed25519"'


def test_bad_pattern(dev: list[Obj]) -> None:
    find(dev, "ExternalSecret", "chat-api-secrets")["spec"]["data"][1]["secretKey"] = "DATABASE URL"
    finding = only(validate(dev))
    assert finding.field == "spec.data[1].secretKey"
    assert finding.message == 'invalid value "DATABASE URL": must match the pattern ^[-._a-zA-Z0-9]+$'


def test_unknown_field_with_a_suggestion(dev: list[Obj]) -> None:
    cert = find(dev, "Certificate", "eco2-tls")
    cert["spec"]["secretNmae"] = cert["spec"].pop("secretName")
    findings = validate(dev)
    assert [(f.code, f.field, f.message, f.hint) for f in findings] == [
        ("schema", "spec.secretName", "required value", None),
        ("unknown-field", "spec.secretNmae", 'unknown field "secretNmae"', 'did you mean "secretName"?'),
    ]


def test_unknown_field_deep_and_in_metadata(dev: list[Obj]) -> None:
    prom = find(dev, "Prometheus", "main")
    prom["spec"]["storage"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] = "5Gi"
    prom["spec"]["storage"]["volumeClaimTemplate"]["spec"]["storageClass"] = "gp3"
    prom["metadata"]["label"] = {"a": "b"}
    findings = validate(dev)
    assert [(f.code, f.field) for f in findings] == [
        ("unknown-field", "metadata.label"),
        ("unknown-field", "spec.storage.volumeClaimTemplate.spec.storageClass"),
    ]
    assert findings[1].hint == 'did you mean "storageClassName"?'


def test_findings_name_the_source_file(
    renders: dict[str, inputs.Rendered], monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = renders["dev"]
    objects = [copy_tree(o) for o in rendered.objects]
    find(objects, "RedisSentinel", "redis-sentinel")["spec"]["clusterSize"] = "3"
    finding = only(validate(objects, sources=rendered.sources))
    assert finding.source == "overlays/resources/redis-operator/redis.yaml"
    monkeypatch.chdir(REPO)
    assert finding_line(finding) == (
        "error: overlays/resources/redis-operator/redis.yaml: RedisSentinel/redis/redis-sentinel "
        '(redis.redis.opstreelabs.in/v1beta2): spec.clusterSize: must be of type integer, not string: "3"'
    )


# The structural-schema rules, on a CRD made for them.

WIDGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 10},
                "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                "port": {
                    "x-kubernetes-int-or-string": True,
                    "anyOf": [{"type": "integer"}, {"type": "string"}],
                },
                "note": {"type": "string", "nullable": True, "minLength": 2, "maxLength": 5},
                "mode": {"type": "string", "enum": ["A", "B"], "nullable": True},
                "title": {"type": "string"},
                "since": {"type": "string", "format": "date-time"},
                "cert": {"type": "string", "format": "byte"},
                "tags": {
                    "type": "array",
                    "items": {"type": "string"},
                    "x-kubernetes-list-type": "set",
                    "maxItems": 3,
                },
                "hosts": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "ports": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string"}, "port": {"type": "integer"}},
                    },
                },
                "env": {"type": "object", "additionalProperties": {"type": "string"}},
                "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "template": {
                    "type": "object",
                    "x-kubernetes-embedded-resource": True,
                    "x-kubernetes-preserve-unknown-fields": True,
                },
                "empty": {"type": "object"},
                "policy": {"type": "string", "default": "Keep"},
                "source": {
                    "type": "object",
                    "oneOf": [{"required": ["git"]}, {"required": ["s3"]}],
                    "properties": {"git": {"type": "string"}, "s3": {"type": "string"}},
                },
                "retries": {
                    "type": "object",
                    "required": ["limit"],
                    "properties": {"limit": {"type": "integer", "default": 3}},
                },
            },
        },
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
    },
}


def make_crd(
    schema: dict[str, Any], *, versions: list[dict[str, Any]] | None = None, scope: str = "Namespaced"
) -> Obj:
    versions = versions or [{"name": "v1", "served": True, "storage": True}]
    for v in versions:
        v.setdefault("schema", {"openAPIV3Schema": copy_tree(schema)})
        v.setdefault("subresources", {"status": {}})
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
            "scope": scope,
            "versions": versions,
        },
    }


def widget(spec: dict[str, Any], *, version: str = "v1", **meta: Any) -> Obj:
    metadata = {"name": "w", "namespace": "default", **meta}
    return {"apiVersion": f"example.com/{version}", "kind": "Widget", "metadata": metadata, "spec": spec}


def widget_findings(spec: dict[str, Any], **meta: Any) -> list[tuple[str, str, str]]:
    return [(f.code, f.field, f.message) for f in validate([make_crd(WIDGET_SCHEMA), widget(spec, **meta)])]


def test_a_valid_widget_passes() -> None:
    spec = {
        "size": 3,
        "ratio": 0.5,
        "port": "http",
        "note": None,
        "mode": None,
        "title": None,  # a null in a non-nullable field is dropped by the server, not refused
        "since": "2026-01-02T03:04:05Z",
        "cert": "aGVsbG8=",
        "tags": ["a", "b"],
        "hosts": ["x"],
        "ports": [{"name": "a", "port": 1}, {"name": "b", "port": 1}],
        "env": {"A": "1"},
        "raw": {"anything": {"goes": [1, 2]}},
        "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}},
        "empty": {},
        "source": {"git": "https://example.com/repo.git"},
        "retries": {},  # limit is required and defaulted
    }
    assert widget_findings(spec) == []
    assert widget_findings({"size": 10, "port": 8080}) == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, [("schema", "spec.size", "required value")]),
        ({"size": 0}, [("schema", "spec.size", "invalid value 0: must be greater than or equal to 1")]),
        ({"size": 11}, [("schema", "spec.size", "invalid value 11: must be less than or equal to 10")]),
        ({"size": 1.5}, [("schema", "spec.size", "must be of type integer, not number: 1.5")]),
        ({"size": True}, [("schema", "spec.size", "must be of type integer, not boolean: true")]),
        ({"size": None}, [("schema", "spec.size", "required value")]),  # dropped, then missing
        ({"size": 1, "ratio": 0}, [("schema", "spec.ratio", "invalid value 0: must be greater than 0")]),
        (
            {"size": 1, "port": True},
            [("schema", "spec.port", "must be of type integer or string, not boolean: true")],
        ),
        (
            {"size": 1, "note": "x"},
            [("schema", "spec.note", 'invalid value "x": must be at least 2 characters long')],
        ),
        (
            {"size": 1, "note": "toolong"},
            [("schema", "spec.note", 'invalid value "toolong": must be at most 5 characters long')],
        ),
        (
            {"size": 1, "mode": "C"},
            [("schema", "spec.mode", 'unsupported value "C": supported values: "A", "B"')],
        ),
        ({"size": 1, "hosts": []}, [("schema", "spec.hosts", "must have at least 1 items")]),
        ({"size": 1, "tags": ["a", "b", "c", "d"]}, [("schema", "spec.tags", "must have at most 3 items")]),
        (
            {"size": 1, "tags": ["a", "a"]},
            [("schema", "spec.tags", 'duplicate value "a": the list is a set')],
        ),
        (
            {"size": 1, "ports": [{"name": "a"}, {"name": "a", "port": 2}]},
            [("schema", "spec.ports[1]", 'duplicate entry {"name": "a"}: the list is keyed by name')],
        ),
        ({"size": 1, "ports": [{"port": 2}]}, [("schema", "spec.ports[0].name", "required value")]),
        ({"size": 1, "env": {"A": 1}}, [("schema", "spec.env.A", "must be of type string, not integer: 1")]),
        ({"size": 1, "empty": {"x": 1}}, [("unknown-field", "spec.empty.x", 'unknown field "x"')]),
        (
            {"size": 1, "template": {"kind": 3}},
            [("schema", "spec.template.kind", "must be of type string, not integer: 3")],
        ),
        (
            {"size": 1, "since": "yesterday"},
            [("schema", "spec.since", 'invalid value "yesterday": not a valid date-time')],
        ),
        (
            {"size": 1, "cert": "not base64!"},
            [("schema", "spec.cert", 'invalid value "not base64!": not a valid byte')],
        ),
        ({"size": 1, "source": {}}, [("schema", "spec.source", "must set exactly one of: git, s3")]),
        (
            {"size": 1, "source": {"git": "a", "s3": "b"}},
            [("schema", "spec.source", "must set exactly one of: git, s3 (more than one is set)")],
        ),
        (
            {"size": 1, "retries": {"limit": "x"}},
            [("schema", "spec.retries.limit", 'must be of type integer, not string: "x"')],
        ),
    ],
)
def test_schema_rules(spec: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert widget_findings(spec) == expected


def test_int32_range() -> None:
    schema = copy_tree(WIDGET_SCHEMA)
    del schema["properties"]["spec"]["properties"]["size"]["maximum"]
    crd = make_crd(schema)
    assert validate([crd, widget({"size": 2**31 - 1})]) == []
    finding = only(validate([crd, widget({"size": 2**31})]))
    assert (finding.field, finding.message) == (
        "spec.size",
        "invalid value 2147483648: out of the int32 range the operator decodes it into",
    )


def test_status_is_ignored_with_a_status_subresource() -> None:
    assert widget_findings({"size": 1}) == []
    obj = widget({"size": 1})
    obj["status"] = {"ready": "yes"}
    crd = make_crd(WIDGET_SCHEMA)
    assert validate([crd, obj]) == []
    del crd["spec"]["versions"][0]["subresources"]
    assert [f.field for f in validate([crd, obj])] == ["status.ready"]


def test_unknown_top_level_field() -> None:
    obj = widget({"size": 1})
    obj["sepc"] = {}
    finding = only(validate([make_crd(WIDGET_SCHEMA), obj]))
    assert (finding.code, finding.field, finding.hint) == ("unknown-field", "sepc", 'did you mean "spec"?')


def test_conversion_of_openapi_bounds_and_markers() -> None:
    converted = to_json_schema(WIDGET_SCHEMA, root=True)
    spec = converted["properties"]["spec"]
    assert spec["properties"]["ratio"] == {"type": "number", "exclusiveMinimum": 0}
    assert spec["properties"]["port"] == {"type": ["integer", "string"]}
    assert spec["properties"]["mode"]["enum"] == ["A", "B", None]
    assert spec["additionalProperties"] is False
    assert "additionalProperties" not in spec["properties"]["raw"]
    assert "additionalProperties" not in spec["properties"]["source"]["oneOf"][0]
    assert converted["properties"]["metadata"] == {}


# -- metadata -----------------------------------------------------------------------------------------------


def test_metadata_rules() -> None:
    crd = make_crd(WIDGET_SCHEMA)
    bad = widget({"size": 1}, name="Bad_Name", labels={"app": "-x", "a/b/c": "ok"}, annotations={"n": 1})
    found = [(f.code, f.field) for f in validate([crd, bad])]
    assert found == [
        ("metadata", "metadata.name"),
        ("metadata", "metadata.labels.app"),
        ("metadata", "metadata.labels[a/b/c]"),
        ("metadata", "metadata.annotations.n"),
    ]
    nameless = widget({"size": 1})
    del nameless["metadata"]["name"]
    assert [(f.code, f.field, f.message) for f in validate([crd, nameless])] == [
        ("metadata", "metadata.name", "required value")
    ]


def test_cluster_scoped_kind_with_a_namespace_warns() -> None:
    crd = make_crd(WIDGET_SCHEMA, scope="Cluster")
    finding = only(validate([crd, widget({"size": 1})]), Severity.warning)
    assert (finding.code, finding.field) == ("cluster-scoped-namespace", "metadata.namespace")
    assert finding.message == 'namespace "default" is ignored: Widget is cluster-scoped'


# -- references ---------------------------------------------------------------------------------------------


def test_certificate_to_a_missing_cluster_issuer(dev: list[Obj]) -> None:
    find(dev, "Certificate", "eco2-tls")["spec"]["issuerRef"]["name"] = "letsencrypt"
    finding = only(validate(dev))
    assert (finding.code, finding.field) == ("missing-issuer", "spec.issuerRef.name")
    assert finding.message == 'ClusterIssuer "letsencrypt" not found'
    assert finding.hint == 'ClusterIssuers in the render: "letsencrypt-prod", "letsencrypt-staging"'


def test_certificate_to_an_issuer_that_is_a_cluster_issuer(dev: list[Obj]) -> None:
    find(dev, "Certificate", "eco2-tls")["spec"]["issuerRef"]["kind"] = "Issuer"
    finding = only(validate(dev))
    assert finding.message == 'Issuer "letsencrypt-staging" not found in namespace "istio-system"'
    assert (
        finding.hint == 'a ClusterIssuer "letsencrypt-staging" exists: set spec.issuerRef.kind: ClusterIssuer'
    )


def test_certificate_to_an_issuer_in_its_namespace(dev: list[Obj]) -> None:
    cert = find(dev, "Certificate", "eco2-tls")
    cert["spec"]["issuerRef"] = {"name": "local"}  # kind defaults to Issuer
    issuer = copy_tree(find(dev, "ClusterIssuer", "letsencrypt-prod"))
    issuer["kind"] = "Issuer"
    issuer["metadata"] = {"name": "local", "namespace": "chat"}
    assert only(validate([*dev, issuer])).code == "missing-issuer"
    issuer["metadata"]["namespace"] = "istio-system"
    assert validate([*dev, issuer]) == []


def test_certificate_of_an_external_issuer_is_not_checked(dev: list[Obj]) -> None:
    find(dev, "Certificate", "eco2-tls")["spec"]["issuerRef"] = {
        "name": "pca",
        "kind": "AWSPCAClusterIssuer",
        "group": "awspca.cert-manager.io",
    }
    assert validate(dev) == []


def test_external_secret_to_a_missing_cluster_store(dev: list[Obj]) -> None:
    find(dev, "ExternalSecret", "route53-credentials")["spec"]["secretStoreRef"]["name"] = "aws-store"
    finding = only(validate(dev))
    assert (finding.code, finding.field) == ("missing-secret-store", "spec.secretStoreRef.name")
    assert finding.object.display == "ExternalSecret/cert-manager/route53-credentials"
    assert finding.message == 'ClusterSecretStore "aws-store" not found'


def test_external_secret_to_a_missing_namespaced_store(dev: list[Obj]) -> None:
    es = find(dev, "ExternalSecret", "chat-api-secrets")
    es["spec"]["secretStoreRef"] = {"name": "aws-ssm-store"}  # kind defaults to SecretStore
    es["spec"]["data"][0]["sourceRef"] = {"storeRef": {"name": "other", "kind": "ClusterSecretStore"}}
    # (the compact CRD has no sourceRef, which is also reported: upstream's has, see the next test)
    findings = [f for f in validate(dev) if f.code == "missing-secret-store"]
    assert [(f.field, f.message) for f in findings] == [
        ("spec.secretStoreRef.name", 'SecretStore "aws-ssm-store" not found in namespace "chat"'),
        ("spec.data[0].sourceRef.storeRef.name", 'ClusterSecretStore "other" not found'),
    ]
    assert findings[0].hint == 'a ClusterSecretStore "aws-ssm-store" exists: set kind: ClusterSecretStore'


@needs_upstream
def test_external_secret_source_store_against_upstream(dev: list[Obj], upstream: inputs.CrdFiles) -> None:
    es = find(dev, "ExternalSecret", "chat-api-secrets")
    es["spec"]["data"][0]["sourceRef"] = {"storeRef": {"name": "other", "kind": "ClusterSecretStore"}}
    finding = only(validate(dev, upstream.crds))
    assert (finding.code, finding.field) == ("missing-secret-store", "spec.data[0].sourceRef.storeRef.name")


def test_redis_sentinel_to_a_missing_replication(dev: list[Obj]) -> None:
    sentinel = find(dev, "RedisSentinel", "redis-sentinel")
    sentinel["spec"]["redisSentinelConfig"]["redisReplicationName"] = "redis-streams"
    finding = only(validate(dev))
    assert (finding.code, finding.field) == (
        "missing-replication",
        "spec.redisSentinelConfig.redisReplicationName",
    )
    assert finding.message == 'RedisReplication "redis-streams" not found in namespace "redis"'
    assert (
        finding.hint
        == '"redis-streams" is a RedisCluster: a Sentinel watches a RedisReplication, not a RedisCluster'
    )
    sentinel["spec"]["redisSentinelConfig"]["redisReplicationName"] = "redis-replication"
    sentinel["metadata"]["namespace"] = "chat"
    assert only(validate(dev)).message == 'RedisReplication "redis-replication" not found in namespace "chat"'


def test_service_monitor_and_rule_not_selected_warn(dev: list[Obj]) -> None:
    find(dev, "ServiceMonitor", "chat-api-monitor")["metadata"]["labels"]["prometheus"] = "other"
    find(dev, "PrometheusRule", "chat-api-rules")["metadata"]["labels"].pop("prometheus")
    findings = validate(dev)
    assert errors(findings) == []
    by_kind = {f.object.kind: f for f in findings}
    assert len(findings) == len(by_kind) == 2
    assert [(f.code, f.field, f.message) for f in (by_kind["ServiceMonitor"], by_kind["PrometheusRule"])] == [
        (
            "not-selected",
            "metadata.labels",
            "not selected by any Prometheus or PrometheusAgent in the render",
        ),
        ("not-selected", "metadata.labels", "not selected by any Prometheus or ThanosRuler in the render"),
    ]
    assert by_kind["ServiceMonitor"].hint == (
        'Prometheus/prometheus/main selects serviceMonitorSelector {"matchLabels": {"prometheus": "main"}} '
        "in serviceMonitorNamespaceSelector {}"
    )


def test_namespace_selector_absent_means_the_prometheus_namespace_only(dev: list[Obj]) -> None:
    del find(dev, "Prometheus", "main")["spec"]["serviceMonitorNamespaceSelector"]
    finding = only(validate(dev), Severity.warning)
    assert (finding.object.kind, finding.code) == ("ServiceMonitor", "not-selected")
    find(dev, "Prometheus", "main")["spec"]["serviceMonitorNamespaceSelector"] = {
        "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["chat"]}]
    }
    assert validate(dev) == []


def test_alertmanager_config_selection_and_namespace(dev: list[Obj]) -> None:
    amc = find(dev, "AlertmanagerConfig", "slack")
    amc["metadata"]["namespace"] = "monitoring"
    findings = validate(dev)
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (Severity.warning, "missing-namespace", "metadata.namespace")
    ]
    assert findings[0].message == 'namespace "monitoring" is not in the render'
    amc["metadata"]["labels"] = {}
    assert [f.code for f in validate(dev)] == ["not-selected", "missing-namespace"]


def test_external_secret_in_a_missing_namespace(dev: list[Obj]) -> None:
    find(dev, "ExternalSecret", "chat-api-secrets")["metadata"]["namespace"] = "chat-v2"
    finding = only(validate(dev), Severity.warning)
    assert (finding.code, finding.object.namespace) == ("missing-namespace", "chat-v2")
    assert errors(validate(dev)) == []


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        (None, {"a": "1"}, False),
        ({}, {}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {"a": "1"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
        ({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, {"a": ""}, False),
    ],
)
def test_label_selectors(selector: Any, labels: dict[str, str], expected: bool) -> None:
    assert selector_matches(selector, labels) is expected


# -- output -------------------------------------------------------------------------------------------------


def test_findings_are_deterministic(dev: list[Obj]) -> None:
    find(dev, "Certificate", "eco2-tls")["spec"].update({"zeta": 1, "alpha": 2, "isCA": "yes"})
    first = to_json(check(dev), "x")
    assert first == to_json(check([copy_tree(o) for o in dev]), "x")
    assert [f["field"] for f in json.loads(first)["findings"]] == ["spec.isCA", "spec.zeta", "spec.alpha"]


def test_text_and_json_shapes() -> None:
    crd = make_crd(WIDGET_SCHEMA)
    report = check([crd, widget({"size": "1"}), widget({"size": 1}, name="b")])
    assert to_text(report) == (
        'error: Widget/default/w (example.com/v1): spec.size: must be of type integer, not string: "1"\n'
        "1 error, 0 warnings: 2 custom resources checked against 1 CRD (3 objects)\n"
    )
    assert json.loads(to_json(report, "some/path")) == {
        "apiVersion": "stackctl.validate/v1",
        "kind": "ValidationReport",
        "path": "some/path",
        "summary": {"errors": 1, "warnings": 0, "objects": 3, "customResources": 2, "crds": 1},
        "findings": [
            {
                "severity": "error",
                "code": "schema",
                "object": {
                    "apiVersion": "example.com/v1",
                    "kind": "Widget",
                    "namespace": "default",
                    "name": "w",
                },
                "field": "spec.size",
                "message": 'must be of type integer, not string: "1"',
                "hint": None,
                "source": None,
            }
        ],
    }


# -- inputs -------------------------------------------------------------------------------------------------


def test_crd_folder_walk_and_first_of_a_name_wins(tmp_path: Path) -> None:
    import yaml

    open_schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    served_v1 = make_crd(open_schema)
    served_v2 = make_crd(open_schema, versions=[{"name": "v2", "served": True, "storage": True}])
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text(yaml.safe_dump(served_v2))
    (tmp_path / "z.yml").write_text(
        yaml.safe_dump(served_v1) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    )
    (tmp_path / "notes.txt").write_text("not yaml: [")
    loaded = inputs.load_crds([tmp_path])
    assert (len(loaded.crds), loaded.files) == (2, 2)
    assert only(validate([widget({}, version="v2")], loaded.crds)).code == "unserved-version"
    one_file = inputs.load_crds([tmp_path / "sub" / "a.yaml"])
    assert (len(one_file.crds), one_file.files) == (1, 1)
    assert validate([widget({}, version="v2")], one_file.crds) == []


def test_crd_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(StackctlError, match="does not exist"):
        inputs.load_crds([tmp_path / "nope"])
    (tmp_path / "x.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(StackctlError, match="no CustomResourceDefinition"):
        inputs.load_crds([tmp_path])


# -- the command --------------------------------------------------------------------------------------------


def stackctl(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STACKCTL, *args], capture_output=True, text=True, cwd=cwd, env=ENV, check=False)


def write_tree(root: Path, crs: str) -> Path:
    import yaml

    root.mkdir(parents=True, exist_ok=True)
    (root / "crd.yaml").write_text(yaml.safe_dump(make_crd(WIDGET_SCHEMA)))
    (root / "crs.yaml").write_text(crs)
    (root / "kustomization.yaml").write_text("resources:\n- crd.yaml\n- crs.yaml\n")
    return root


BROKEN = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: ok
  namespace: default
spec:
  size: 2
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: broken
  namespace: default
spec:
  size: "2"
  colour: red
---
apiVersion: example.com/v2
kind: Widget
metadata:
  name: skewed
  namespace: default
spec: {}
"""


def test_command_text_output_and_exit_code(tmp_path: Path) -> None:
    write_tree(tmp_path / "tree", BROKEN)
    proc = stackctl("validate", "tree", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == (
        "error: tree/crs.yaml: Widget/default/broken (example.com/v1): spec.size: "
        'must be of type integer, not string: "2"\n'
        "error: tree/crs.yaml: Widget/default/broken (example.com/v1): spec.colour: "
        'unknown field "colour" (hint: known fields: cert, empty, env, hosts, mode, note, policy, port, '
        "ports, ratio, raw, retries, ...)\n"
        "error: tree/crs.yaml: Widget/default/skewed (example.com/v2): apiVersion: example.com/v2 is not a "
        "version of CRD widgets.example.com (served: v1) (hint: use apiVersion: example.com/v1)\n"
        "3 errors, 0 warnings: 3 custom resources checked against 1 CRD (4 objects)\n"
    )


def test_command_json_output(tmp_path: Path) -> None:
    write_tree(tmp_path / "tree", BROKEN)
    proc = stackctl("validate", "tree", "-o", "json", cwd=tmp_path)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["path"] == "tree"
    assert doc["summary"] == {"errors": 3, "warnings": 0, "objects": 4, "customResources": 3, "crds": 1}
    assert [(f["object"]["name"], f["field"], f["code"], f["source"]) for f in doc["findings"]] == [
        ("broken", "spec.size", "schema", "tree/crs.yaml"),
        ("broken", "spec.colour", "unknown-field", "tree/crs.yaml"),
        ("skewed", "apiVersion", "unserved-version", "tree/crs.yaml"),
    ]


def test_command_crds_from_a_folder(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree", BROKEN.split("---\n")[0])
    assert stackctl("validate", str(tree)).returncode == 0
    (tree / "kustomization.yaml").write_text("resources:\n- crs.yaml\n")
    proc = stackctl("validate", str(tree))
    assert proc.returncode == 1
    assert (
        "missing-crd" not in proc.stdout
        and "no CustomResourceDefinition for Widget.example.com" in proc.stdout
    )
    (tmp_path / "crds").mkdir()
    (tree / "crd.yaml").rename(tmp_path / "crds" / "crd.yaml")
    proc = stackctl("validate", str(tree), "--crds", str(tmp_path / "crds"))
    assert (proc.returncode, proc.stdout) == (
        0,
        "0 errors, 0 warnings: 1 custom resource checked against 1 CRD (1 object)\n",
    )


def test_command_missing_crd_folder_is_a_one_line_error(tmp_path: Path) -> None:
    proc = stackctl("validate", "--crds", str(tmp_path / "nope"))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert "--crds: " in proc.stderr and "does not exist" in proc.stderr


def test_command_default_environment_passes() -> None:
    proc = stackctl("validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.fullmatch(
        r"0 errors, 0 warnings: \d+ custom resources checked against \d+ CRDs \(\d+ objects\)\n", proc.stdout
    )


@needs_upstream
def test_command_with_the_upstream_crds_passes() -> None:
    proc = stackctl("validate", "--crds", str(UPSTREAM))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.fullmatch(
        r"0 errors, 0 warnings: \d+ custom resources checked against 49 CRDs \(\d+ objects\)\n", proc.stdout
    )
