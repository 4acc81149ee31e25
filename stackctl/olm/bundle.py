"""A registry+v1 bundle as files, and the file-based catalog of a package, as pure text.

Layout (see ../shared/design.md, "Bundles layout"):

    <package>/<version>/manifests/            one object per file, operator-sdk's names
    <package>/<version>/metadata/annotations.yaml
    <package>/<version>/tests/scorecard/config.yaml
    <package>/<version>/bundle.Dockerfile     LABELs equal to the annotations, COPY of the three folders
    catalog/<package>/catalog.yaml            olm.package, olm.channel, olm.bundle documents

The Dockerfile's labels are printed from the same mapping as annotations.yaml, so the two cannot drift
apart (operator-sdk writes them separately and users' edits make them disagree). Every text is a function
of the catalog and the rendered install base only: no clock, no host, sorted where order is free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stackctl import yamlio
from stackctl.catalog import Operator, OperatorVersion
from stackctl.olm import versions as ver
from stackctl.olm.csv import CsvResult
from stackctl.olm.model import GeneratedFile, Obj, OlmError

MEDIATYPE = "registry+v1"
ANNOTATIONS_FILE = "metadata/annotations.yaml"
DOCKERFILE = "bundle.Dockerfile"
SCORECARD_FILE = "tests/scorecard/config.yaml"
SCORECARD_IMAGE = "quay.io/operator-framework/scorecard-test:v1.42.3"
SCORECARD_TESTS = (
    ("basic", "basic-check-spec"),
    ("olm", "olm-bundle-validation"),
    ("olm", "olm-crds-have-validation"),
    ("olm", "olm-crds-have-resources"),
    ("olm", "olm-spec-descriptors"),
    ("olm", "olm-status-descriptors"),
)
DEFAULT_REGISTRY = "quay.io/ecoeco"

K_MEDIATYPE = "operators.operatorframework.io.bundle.mediatype.v1"
K_MANIFESTS = "operators.operatorframework.io.bundle.manifests.v1"
K_METADATA = "operators.operatorframework.io.bundle.metadata.v1"
K_PACKAGE = "operators.operatorframework.io.bundle.package.v1"
K_CHANNELS = "operators.operatorframework.io.bundle.channels.v1"
K_DEFAULT = "operators.operatorframework.io.bundle.channel.default.v1"
K_TEST_MEDIATYPE = "operators.operatorframework.io.test.mediatype.v1"
K_TEST_CONFIG = "operators.operatorframework.io.test.config.v1"


def bundle_image(registry: str, package: str, version: str) -> str:
    """`<registry>/<package>-bundle:v<version>`, or a template with {registry}/{package}/{version}."""
    if "{" in registry:
        try:
            return registry.format(package=package, version=version, registry="")
        except (KeyError, IndexError, ValueError) as exc:
            raise OlmError(
                f"bad registry template {registry!r}: {exc}",
                field="--registry",
                hint="use {package} and {version}, e.g. quay.io/acme/{package}-bundle:v{version}",
            ) from None
    return f"{registry.rstrip('/')}/{package}-bundle:v{version}"


def bundle_dir(package: str, version: str) -> str:
    return f"{package}/{version}"


def manifest_name(obj: Obj, package: str) -> str:
    """operator-sdk's file name for an object in manifests/."""
    kind = str(obj.get("kind"))
    if kind == "ClusterServiceVersion":
        return f"{package}.clusterserviceversion.yaml"
    if kind == "CustomResourceDefinition":
        spec = obj.get("spec") or {}
        return f"{spec.get('group')}_{(spec.get('names') or {}).get('plural')}.yaml"
    api_version = str(obj.get("apiVersion", "")).replace("/", "_")
    name = re.sub(r"[^A-Za-z0-9._-]", "-", str(obj["metadata"]["name"]))
    return f"{name}_{api_version}_{kind.lower()}.yaml"


def bundle_annotations(op: Operator, version: OperatorVersion) -> dict[str, str]:
    """metadata/annotations.yaml's mapping; also the Dockerfile's labels."""
    return {
        K_MEDIATYPE: MEDIATYPE,
        K_MANIFESTS: "manifests/",
        K_METADATA: "metadata/",
        K_PACKAGE: op.package,
        K_CHANNELS: ",".join(version.channels),
        K_DEFAULT: op.default_channel,
        K_TEST_MEDIATYPE: "scorecard+v1",
        K_TEST_CONFIG: "tests/scorecard/",
    }


def _label_value(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_.,:/+=@-]+", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dockerfile(labels: Mapping[str, str]) -> str:
    core = [k for k in labels if not k.startswith("operators.operatorframework.io.test.")]
    test = [k for k in labels if k.startswith("operators.operatorframework.io.test.")]
    lines = ["FROM scratch", "", "# Core bundle labels."]
    lines += [f"LABEL {k}={_label_value(labels[k])}" for k in core]
    if test:
        lines += ["", "# Labels for testing."]
        lines += [f"LABEL {k}={_label_value(labels[k])}" for k in test]
    lines += [
        "",
        "# Copy files to locations specified by labels.",
        "COPY manifests /manifests/",
        "COPY metadata /metadata/",
    ]
    if test:
        lines.append("COPY tests/scorecard /tests/scorecard/")
    return "\n".join(lines) + "\n"


def scorecard_config() -> Obj:
    return {
        "apiVersion": "scorecard.operatorframework.io/v1alpha3",
        "kind": "Configuration",
        "metadata": {"name": "config"},
        "stages": [
            {
                "parallel": True,
                "tests": [
                    {
                        "entrypoint": ["scorecard-test", test],
                        "image": SCORECARD_IMAGE,
                        "labels": {"suite": suite, "test": f"{test}-test"},
                        "storage": {"spec": {"mountPath": {}}},
                    }
                    for suite, test in SCORECARD_TESTS
                ],
            }
        ],
        "storage": {"spec": {"mountPath": {}}},
    }


@dataclass(frozen=True)
class BuiltBundle:
    op: Operator
    version: OperatorVersion
    csv: Obj
    files: tuple[GeneratedFile, ...]  # paths relative to the bundle directory


def bundle_files(op: Operator, version: OperatorVersion, result: CsvResult) -> BuiltBundle:
    files: list[GeneratedFile] = []
    names: dict[str, str] = {}
    for obj in (result.csv, *result.manifests):
        name = manifest_name(obj, op.package)
        if name in names:
            raise OlmError(
                f"{op.key} {version.version}: two objects would be written to manifests/{name} "
                f"({names[name]} and {obj.get('kind')} {obj['metadata']['name']})"
            )
        names[name] = f"{obj.get('kind')} {obj['metadata']['name']}"
        files.append(GeneratedFile(f"manifests/{name}", yamlio.dump_documents([obj])))
    labels = bundle_annotations(op, version)
    files.append(GeneratedFile(ANNOTATIONS_FILE, yamlio.dump_documents([{"annotations": labels}])))
    files.append(GeneratedFile(DOCKERFILE, dockerfile(labels)))
    files.append(GeneratedFile(SCORECARD_FILE, yamlio.dump_documents([scorecard_config()])))
    return BuiltBundle(op, version, result.csv, tuple(sorted(files, key=lambda f: f.path)))


# -- file-based catalog ---------------------------------------------------------------------------------


def csv_metadata(csv: Obj) -> Obj:
    """The olm.csv.metadata property: what the console shows before a bundle is pulled (no icon)."""
    spec = csv["spec"]
    out: Obj = {
        "annotations": dict(csv["metadata"].get("annotations") or {}),
        "apiServiceDefinitions": spec.get("apiservicedefinitions") or {},
        "crdDescriptions": spec.get("customresourcedefinitions") or {},
        "description": spec.get("description", ""),
        "displayName": spec.get("displayName", ""),
        "installModes": spec.get("installModes") or [],
        "keywords": spec.get("keywords") or [],
        "links": spec.get("links") or [],
        "maintainers": spec.get("maintainers") or [],
        "maturity": spec.get("maturity", ""),
        "provider": spec.get("provider") or {},
    }
    if spec.get("minKubeVersion"):
        out["minKubeVersion"] = spec["minKubeVersion"]
    return out


def catalog_documents(op: Operator, built: Sequence[BuiltBundle], registry: str) -> list[Obj]:
    """olm.package, then olm.channel by name, then olm.bundle by version: what `opm render` would emit
    for these bundles, with the upgrade edges from the catalog."""
    package: Obj = {"schema": "olm.package", "name": op.package, "defaultChannel": op.default_channel}
    if op.csv.icon is not None:
        package["icon"] = {"base64data": op.csv.icon.base64data, "mediatype": op.csv.icon.mediatype}
    package["description"] = op.csv.summary
    docs: list[Obj] = [package]
    by_version = {b.version.version: b for b in built}
    for channel in sorted(op.channels, key=lambda c: c.name):
        entries = []
        for v in sorted((v for v in channel.entries if v in by_version), key=ver.key):
            version = by_version[v].version
            entry: Obj = {"name": op.csv_name(v)}
            if version.replaces:
                entry["replaces"] = f"{op.package}.v{version.replaces}"
            if version.skips:
                entry["skips"] = [f"{op.package}.v{s}" for s in version.skips]
            if version.skip_range:
                entry["skipRange"] = version.skip_range
            entries.append(entry)
        docs.append(
            {"schema": "olm.channel", "package": op.package, "name": channel.name, "entries": entries}
        )
    for b in sorted(built, key=lambda b: ver.key(b.version.version)):
        image = bundle_image(registry, op.package, b.version.version)
        spec = b.csv["spec"]
        properties: list[Obj] = []
        seen: set[tuple[str, str, str]] = set()
        for owned in (spec.get("customresourcedefinitions") or {}).get("owned") or []:
            group = str(owned["name"]).split(".", 1)[1]
            gvk = (group, str(owned["version"]), str(owned["kind"]))
            if gvk not in seen:
                seen.add(gvk)
                properties.append(
                    {"type": "olm.gvk", "value": {"group": gvk[0], "kind": gvk[2], "version": gvk[1]}}
                )
        properties.append(
            {"type": "olm.package", "value": {"packageName": op.package, "version": b.version.version}}
        )
        properties.append({"type": "olm.csv.metadata", "value": csv_metadata(b.csv)})
        related = [{"name": "", "image": image}] + [
            {"name": r["name"], "image": r["image"]} for r in spec.get("relatedImages") or []
        ]
        docs.append(
            {
                "schema": "olm.bundle",
                "package": op.package,
                "name": b.csv["metadata"]["name"],
                "image": image,
                "properties": properties,
                "relatedImages": related,
            }
        )
    return docs


def catalog_text(docs: Sequence[Obj]) -> str:
    return "".join("---\n" + yamlio.dump_documents([d]) for d in docs)
