"""Bundle and catalog validation: operator-sdk's checks, its operatorframework suite, and what they miss.

Each check is a pure function of a loaded bundle (text files by relative path) returning findings; the
severities follow `operator-sdk bundle validate` (see ../shared/reference/olm.md, "Checks"), except for two
upstream bugs we do not copy (duplicate installModes are reported; the manifests/metadata annotation values
are compared with the directories). On top of them, as warnings unless --strict:

- the bundle.Dockerfile's LABELs equal metadata/annotations.yaml (operator-sdk never compares them);
- every annotation value is a string (a YAML boolean passes operator-sdk and breaks opm later);
- `createdAt` reads `yyyy-mm-ddThh:mm:ssZ`;
- `relatedImages` lists every image the deployments run or pass on (disconnected installs mirror only those).

Across bundles of one package, and in a file-based catalog, the channel graph must have one head, no
stranded entries and no cycles (errors, as `opm validate`).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from stackctl import yamlio
from stackctl.catalog import CAPABILITY_LEVELS, CATEGORIES
from stackctl.errors import StackctlError
from stackctl.olm import graph
from stackctl.olm import images as img
from stackctl.olm import versions as ver
from stackctl.olm.bundle import (
    ANNOTATIONS_FILE,
    DOCKERFILE,
    K_CHANNELS,
    K_DEFAULT,
    K_MANIFESTS,
    K_MEDIATYPE,
    K_METADATA,
    K_PACKAGE,
    MEDIATYPE,
)
from stackctl.olm.csv import ALLOWED_KINDS
from stackctl.olm.model import BundleSource, CatalogSource, Finding, Obj, Severity

E, W = Severity.ERROR, Severity.WARNING
OPTIONAL_SUITES = ("operatorframework",)
MAX_BUNDLE_SIZE = 1 << 20  # gzip + base64 of the manifests, as OLM stores them in a ConfigMap
SIZE_WARNING_RATIO = 0.85
ICON_MEDIATYPES = ("image/gif", "image/jpeg", "image/png", "image/svg+xml")
INSTALL_MODE_TYPES = ("OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces")
KNOWN_ANNOTATIONS = (
    "olm.skipRange",
    "olm.operatorGroup",
    "olm.operatorNamespace",
    "olm.targetNamespaces",
    "olm.providedAPIs",
    "olm.maxOpenShiftVersion",
    "olm.properties",
    "olm.substitutesFor",
)
CREATED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# apiVersion/kind -> Kubernetes minor version that no longer serves it.
REMOVED_APIS: dict[tuple[str, str], tuple[int, int]] = {
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): (1, 22),
    ("rbac.authorization.k8s.io/v1beta1", "Role"): (1, 22),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"): (1, 22),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"): (1, 22),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"): (1, 22),
    ("batch/v1beta1", "CronJob"): (1, 25),
    ("policy/v1beta1", "PodDisruptionBudget"): (1, 25),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): (1, 25),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): (1, 26),
}
# Verbs on apiextensions.k8s.io customresourcedefinitions the good-practices check warns about. Upstream
# (operator-framework/api, pkg/validation/internal/good_practices.go, validateRBACForCRDsWith) warns on
# create, patch, * and [*] for resources customresourcedefinitions, * or [*] in group apiextensions.k8s.io,
# once per CSV. This check flags every rule upstream flags, and also delete (removing a CRD deletes every
# object of it) and apiGroup *. `update` is left alone, as upstream does: it cannot create a CRD, and CA
# injectors (cert-manager's cainjector) need it to write caBundle into the CRDs that ask for it.
CRD_MANAGE_VERBS = frozenset({"create", "patch", "delete", "*", "[*]"})
CRD_RESOURCES = frozenset({"customresourcedefinitions", "*", "[*]"})


@dataclass(frozen=True)
class Options:
    suites: frozenset[str] = frozenset()
    strict: bool = False


@dataclass
class Loaded:
    """A bundle after parsing: the first document of each manifest, annotations, the CSV."""

    source: BundleSource
    name: str
    objects: list[tuple[str, Obj]]
    annotations: Mapping[str, Any] | None
    csv_file: str
    csv: Obj | None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _Out:
    def __init__(self, bundle: str) -> None:
        self.bundle = bundle
        self.items: list[Finding] = []

    def add(self, severity: Severity, check: str, message: str, file: str = "", field: str = "") -> None:
        self.items.append(Finding(severity, check, message, self.bundle, file, field))


def _parse(text: str, source: str) -> Any:
    docs = yamlio.load_documents(text, source=source)
    return docs[0] if docs else None


def load(source: BundleSource) -> tuple[Loaded, list[Finding]]:
    out = _Out(source.name)
    objects: list[tuple[str, Obj]] = []
    for path in sorted(source.files):
        if not path.startswith("manifests/"):
            continue
        rest = path[len("manifests/") :]
        if "/" in rest:
            out.add(E, "layout", "manifests/ must not have subdirectories", path)
            continue
        if rest.startswith("."):
            out.add(E, "layout", "manifests/ must not hold hidden files", path)
            continue
        try:
            doc = _parse(source.files[path], path)
        except StackctlError as exc:
            out.add(E, "kinds", f"not valid YAML: {exc.message}", path)
            continue
        if not isinstance(doc, dict):
            out.add(E, "kinds", "not a Kubernetes object (the first YAML document must be a mapping)", path)
            continue
        objects.append((path, doc))
    for path in source.unreadable:
        out.add(E, "layout", "not a readable text file", path)
    annotations: Mapping[str, Any] | None = None
    if ANNOTATIONS_FILE in source.files:
        try:
            doc = _parse(source.files[ANNOTATIONS_FILE], ANNOTATIONS_FILE)
        except StackctlError as exc:
            out.add(E, "layout", f"not valid YAML: {exc.message}", ANNOTATIONS_FILE)
            doc = None
        if isinstance(doc, Mapping) and isinstance(doc.get("annotations"), Mapping):
            annotations = doc["annotations"]
        elif doc is not None:
            out.add(E, "layout", "has no `annotations:` mapping", ANNOTATIONS_FILE)
    csvs = [(p, o) for p, o in objects if o.get("kind") == "ClusterServiceVersion"]
    csv_file, csv = csvs[0] if len(csvs) == 1 else ("", None)
    name = source.name
    if csv is not None and _str(_map(csv.get("metadata")).get("name")):
        name = f"{_map(csv['metadata'])['name']} ({source.name})"
    loaded = Loaded(source, name, objects, annotations, csv_file, csv)
    return loaded, [dataclasses.replace(f, bundle=name) for f in out.items]


# -- default checks ----------------------------------------------------------------------------------------


def check_layout(b: Loaded, out: _Out) -> None:
    files = b.source.files
    if not any(p.startswith("manifests/") for p in files):
        out.add(E, "layout", "manifests/ is missing or empty", "manifests/")
    if not any(p.startswith("metadata/") for p in files):
        out.add(E, "layout", "metadata/ is missing or empty", "metadata/")
    if ANNOTATIONS_FILE not in files:
        out.add(E, "layout", "metadata/annotations.yaml is missing", ANNOTATIONS_FILE)
        return
    a = b.annotations
    if a is None:
        return
    for key in (K_MEDIATYPE, K_MANIFESTS, K_METADATA, K_PACKAGE, K_CHANNELS):
        if key not in a:
            out.add(E, "layout", "required annotation is missing", ANNOTATIONS_FILE, f"annotations.{key}")
    if K_MEDIATYPE in a and a[K_MEDIATYPE] != MEDIATYPE:
        out.add(
            E,
            "layout",
            f"mediatype must be {MEDIATYPE}, not {a[K_MEDIATYPE]!r}",
            ANNOTATIONS_FILE,
            f"annotations.{K_MEDIATYPE}",
        )
    for key, folder in ((K_MANIFESTS, "manifests/"), (K_METADATA, "metadata/")):
        if key in a and str(a[key]).rstrip("/") + "/" != folder:
            out.add(
                E,
                "layout",
                f"must be {folder!r} (the bundle's folder), not {a[key]!r}",
                ANNOTATIONS_FILE,
                f"annotations.{key}",
            )
    if K_CHANNELS in a and not [c for c in str(a[K_CHANNELS] or "").split(",") if c.strip()]:
        out.add(E, "layout", "channels must not be empty", ANNOTATIONS_FILE, f"annotations.{K_CHANNELS}")
    if K_DEFAULT in a and not str(a[K_DEFAULT] or "").strip():
        out.add(
            E,
            "layout",
            "the default channel must not be empty when set",
            ANNOTATIONS_FILE,
            f"annotations.{K_DEFAULT}",
        )


def check_kinds(b: Loaded, out: _Out) -> None:
    for path, obj in b.objects:
        kind = _str(obj.get("kind"))
        if kind not in ALLOWED_KINDS:
            out.add(E, "kinds", f"kind {kind or '(none)'} is not allowed in a bundle", path, "kind")
            continue
        if kind in ("ClusterServiceVersion", "CustomResourceDefinition"):
            continue
        meta = _map(obj.get("metadata"))
        if not _str(meta.get("name")):
            out.add(E, "kinds", f"{kind} has no name", path, "metadata.name")
        if meta.get("namespace"):
            out.add(
                E,
                "kinds",
                f"{kind} must not set a namespace (OLM installs it in the operator's)",
                path,
                "metadata.namespace",
            )


def _crd_keys(obj: Obj) -> list[tuple[str, str, str]]:
    spec = _map(obj.get("spec"))
    group, kind = _str(spec.get("group")), _str(_map(spec.get("names")).get("kind"))
    versions = [_str(_map(v).get("name")) for v in _list(spec.get("versions"))]
    if not versions and spec.get("version"):
        versions = [_str(spec.get("version"))]
    return [(group, v, kind) for v in versions]


def _owned(csv: Obj) -> list[Mapping[str, Any]]:
    return [_map(o) for o in _list(_map(_map(csv.get("spec")).get("customresourcedefinitions")).get("owned"))]


def _owned_gvk(owned: Mapping[str, Any]) -> tuple[str, str, str] | None:
    name = _str(owned.get("name"))
    if "." not in name:
        return None
    return name.split(".", 1)[1], _str(owned.get("version")), _str(owned.get("kind"))


def _deployments(csv: Obj) -> list[Mapping[str, Any]]:
    install = _map(_map(csv.get("spec")).get("install"))
    return [_map(d) for d in _list(_map(install.get("spec")).get("deployments"))]


def check_contents(b: Loaded, out: _Out) -> None:
    csvs = [p for p, o in b.objects if o.get("kind") == "ClusterServiceVersion"]
    if len(csvs) != 1:
        out.add(
            E,
            "contents",
            f"a bundle holds exactly one ClusterServiceVersion, not {len(csvs)}",
            ", ".join(csvs) or "manifests/",
        )
    if b.csv is None:
        return
    crd_keys: dict[tuple[str, str, str], str] = {}
    for path, obj in b.objects:
        if obj.get("kind") != "CustomResourceDefinition":
            continue
        for key in _crd_keys(obj):
            if key in crd_keys:
                out.add(
                    E,
                    "contents",
                    f"duplicate CRD {key[0]}/{key[1]}, Kind={key[2]} (also in {crd_keys[key]})",
                    path,
                )
            crd_keys[key] = path
    owned_kinds: set[tuple[str, str]] = set()
    for i, owned in enumerate(_owned(b.csv)):
        gvk = _owned_gvk(owned)
        if gvk is None:
            continue
        owned_kinds.add((gvk[0], gvk[2]))
        if gvk not in crd_keys:
            out.add(
                E,
                "contents",
                f"owned CRD {gvk[0]}/{gvk[1]}, Kind={gvk[2]} not found in the bundle",
                b.csv_file,
                f"spec.customresourcedefinitions.owned[{i}]",
            )
    for key, path in sorted(crd_keys.items()):
        if (key[0], key[2]) not in owned_kinds:
            out.add(
                E,
                "contents",
                f"CRD {key[0]}/{key[1]}, Kind={key[2]} is in the bundle but not owned by the CSV",
                path,
            )
    sa_names = {
        _str(_map(_map(_map(d.get("spec")).get("template")).get("spec")).get("serviceAccountName"))
        for d in _deployments(b.csv)
    }
    for path, obj in b.objects:
        if obj.get("kind") == "ServiceAccount" and _str(_map(obj.get("metadata")).get("name")) in sa_names:
            out.add(
                E,
                "contents",
                "a ServiceAccount manifest must not have the name of a deployment's service "
                "account in the CSV (OLM creates it)",
                path,
                "metadata.name",
            )


def bundle_size(b: Loaded) -> int:
    data = b"".join(b.source.files[p].encode() for p in sorted(b.source.files) if p.startswith("manifests/"))
    return len(base64.b64encode(gzip.compress(data, mtime=0)))


def check_size(b: Loaded, out: _Out) -> None:
    size = bundle_size(b)
    if size > MAX_BUNDLE_SIZE:
        out.add(
            E,
            "size",
            f"the manifests take {size} bytes compressed and base64-encoded, over the "
            f"{MAX_BUNDLE_SIZE}-byte limit OLM can store",
            "manifests/",
        )
    elif size > SIZE_WARNING_RATIO * MAX_BUNDLE_SIZE:
        out.add(
            W,
            "size",
            f"the manifests take {size} bytes compressed and base64-encoded, over 85% of the "
            f"{MAX_BUNDLE_SIZE}-byte limit",
            "manifests/",
        )


def _csv_name_problem(name: str) -> str | None:
    if len(name) > 253 or not DNS_SUBDOMAIN.fullmatch(name):
        return f"{name!r} is not a DNS-1123 subdomain (lower case alphanumerics, '-' and '.')"
    if len(name) > 63 or not LABEL_VALUE.fullmatch(name):
        return f"{name!r} is not a valid label value (at most 63 characters)"
    parts = name.split(".", 1)
    if len(parts) != 2:
        return f"{name!r} must have the format {{operator name}}.(v)X.Y.Z"
    if not ver.is_semver(parts[1].lstrip("v")):
        return f"{name!r} contains an invalid semver {parts[1]!r}"
    return None


def check_csv_name(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    name = _str(_map(b.csv.get("metadata")).get("name"))
    problem = _csv_name_problem(name)
    if problem:
        out.add(E, "csv-name", problem, b.csv_file, "metadata.name")
    replaces = _map(b.csv.get("spec")).get("replaces")
    if replaces:
        problem = _csv_name_problem(_str(replaces))
        if problem:
            out.add(E, "csv-name", problem, b.csv_file, "spec.replaces")


def check_examples(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    annotations = _map(_map(b.csv.get("metadata")).get("annotations"))
    if not annotations:
        out.add(W, "alm-examples", "the CSV has no annotations", b.csv_file, "metadata.annotations")
        return
    key = "alm-examples" if "alm-examples" in annotations else "olm.examples"
    if key not in annotations:
        out.add(
            W,
            "alm-examples",
            "example annotations not found (alm-examples)",
            b.csv_file,
            "metadata.annotations.alm-examples",
        )
        return
    field = f"metadata.annotations.{key}"
    try:
        parsed = json.loads(_str(annotations[key]) or "[]")
    except json.JSONDecodeError as exc:
        out.add(
            E,
            "alm-examples",
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            b.csv_file,
            field,
        )
        return
    if not isinstance(parsed, list) or not all(isinstance(e, dict) for e in parsed):
        out.add(E, "alm-examples", "must be a JSON list of objects", b.csv_file, field)
        return
    provided = {g for g in (_owned_gvk(o) for o in _owned(b.csv)) if g is not None}
    for sd in _list(_map(_map(b.csv.get("spec")).get("apiservicedefinitions")).get("owned")):
        sd = _map(sd)
        provided.add((_str(sd.get("group")), _str(sd.get("version")), _str(sd.get("kind"))))
    seen: set[tuple[str, str, str]] = set()
    for i, example in enumerate(parsed):
        group, _, version = _str(example.get("apiVersion")).rpartition("/")
        gvk = (group, version, _str(example.get("kind")))
        seen.add(gvk)
        if gvk not in provided:
            out.add(
                E,
                "alm-examples",
                f"example {i} ({example.get('apiVersion')}, Kind={gvk[2]}) must be of an API the CSV owns",
                b.csv_file,
                f"{field}[{i}]",
            )
    for gvk in sorted(provided - seen):
        out.add(
            W,
            "alm-examples",
            f"provided API {gvk[0]}/{gvk[1]}, Kind={gvk[2]} should have an example",
            b.csv_file,
            field,
        )


def check_owned_and_modes(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    crd_names = {
        _str(_map(o.get("metadata")).get("name"))
        for _, o in b.objects
        if o.get("kind") == "CustomResourceDefinition"
    }
    for i, owned in enumerate(_owned(b.csv)):
        name = _str(owned.get("name"))
        field = f"spec.customresourcedefinitions.owned[{i}].name"
        if "." not in name:
            out.add(E, "owned-crds", f"couldn't parse plural.group from CRD name {name!r}", b.csv_file, field)
        elif crd_names and name not in crd_names:
            out.add(
                E,
                "owned-crds",
                f"no CRD named {name!r} in the bundle (owned names are <plural>.<group>)",
                b.csv_file,
                field,
            )
    modes = _list(_map(b.csv.get("spec")).get("installModes"))
    if not modes:
        out.add(E, "install-modes", "install modes not found", b.csv_file, "spec.installModes")
        return
    seen: set[str] = set()
    for i, mode in enumerate(modes):
        t = _str(_map(mode).get("type"))
        if t not in INSTALL_MODE_TYPES:
            out.add(
                E, "install-modes", f"unknown install mode {t!r}", b.csv_file, f"spec.installModes[{i}].type"
            )
        if t in seen:
            out.add(E, "install-modes", f"duplicate install mode {t}", b.csv_file, f"spec.installModes[{i}]")
        seen.add(t)
    if not any(_map(m).get("supported") is True for m in modes):
        out.add(E, "install-modes", "none of the install modes is supported", b.csv_file, "spec.installModes")


def _min_kube(csv: Obj) -> tuple[int, int] | None:
    text = _str(_map(csv.get("spec")).get("minKubeVersion"))
    try:
        v = ver.parse(text)
    except (ValueError, TypeError):
        return None
    return v.major, v.minor


def check_min_kube(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    spec = _map(b.csv.get("spec"))
    if "minKubeVersion" not in spec or spec.get("minKubeVersion") in (None, ""):
        out.add(
            W,
            "min-kube-version",
            "minKubeVersion is not set: the operator may be installed on any Kubernetes version",
            b.csv_file,
            "spec.minKubeVersion",
        )
    elif not ver.is_semver(str(spec["minKubeVersion"])):
        out.add(
            E,
            "min-kube-version",
            f"{spec['minKubeVersion']!r} is not a semantic version",
            b.csv_file,
            "spec.minKubeVersion",
        )


def check_required_fields(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    csv = b.csv
    if not isinstance(csv.get("metadata"), Mapping):
        out.add(E, "required-fields", "required field is missing", b.csv_file, "metadata")
    spec = csv.get("spec")
    if not isinstance(spec, Mapping):
        out.add(E, "required-fields", "required field is missing", b.csv_file, "spec")
        return
    install = spec.get("install")
    if not isinstance(install, Mapping):
        out.add(E, "required-fields", "required field is missing", b.csv_file, "spec.install")
    else:
        if not install.get("strategy"):
            out.add(E, "required-fields", "required field is missing", b.csv_file, "spec.install.strategy")
        elif install.get("strategy") != "deployment":
            out.add(
                E,
                "required-fields",
                f"install strategy must be deployment, not {install['strategy']!r}",
                b.csv_file,
                "spec.install.strategy",
            )
        if not isinstance(_map(install.get("spec")).get("deployments"), list):
            out.add(
                E, "required-fields", "required field is missing", b.csv_file, "spec.install.spec.deployments"
            )
    if not _str(spec.get("displayName")):
        out.add(E, "required-fields", "required field is missing", b.csv_file, "spec.displayName")


def check_annotation_names(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    known = {k.lower(): k for k in KNOWN_ANNOTATIONS}
    for key in _map(_map(b.csv.get("metadata")).get("annotations")):
        right = known.get(str(key).lower())
        if right is not None and key != right:
            out.add(
                E,
                "annotation-names",
                f"annotation {key!r} must be spelt {right!r}",
                b.csv_file,
                f"metadata.annotations.{key}",
            )
        if key == "olm.properties":
            out.add(
                W,
                "annotation-names",
                "the olm.properties annotation is deprecated: declare properties in metadata/properties.yaml",
                b.csv_file,
                f"metadata.annotations.{key}",
            )


def check_crds(b: Loaded, out: _Out) -> None:
    from stackctl.validate.crds import parse_crd

    for path, obj in b.objects:
        if obj.get("kind") != "CustomResourceDefinition":
            continue
        if _str(obj.get("apiVersion")) not in ("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"):
            out.add(E, "crd", f"unknown CRD apiVersion {obj.get('apiVersion')!r}", path, "apiVersion")
            continue
        _, problems = parse_crd(obj, path)
        for p in problems:
            out.add(E, "crd", p.message, path, p.field or "")
        spec = _map(obj.get("spec"))
        if _str(spec.get("scope")) not in ("Namespaced", "Cluster"):
            out.add(
                E,
                "crd",
                f"scope must be Namespaced or Cluster, not {spec.get('scope')!r}",
                path,
                "spec.scope",
            )
        if obj.get("apiVersion") == "apiextensions.k8s.io/v1":
            for i, v in enumerate(_list(spec.get("versions"))):
                if not isinstance(_map(_map(v).get("schema")).get("openAPIV3Schema"), Mapping):
                    out.add(
                        E,
                        "crd",
                        "apiextensions.k8s.io/v1 requires a schema for every version",
                        path,
                        f"spec.versions[{i}].schema.openAPIV3Schema",
                    )


# -- operatorframework suite -------------------------------------------------------------------------------


def check_operatorhub(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    spec = _map(b.csv.get("spec"))
    f = b.csv_file
    if not _str(_map(spec.get("provider")).get("name")):
        out.add(E, "operatorhub", "provider.name is required", f, "spec.provider.name")
    for i, m in enumerate(_list(spec.get("maintainers"))):
        m = _map(m)
        if not _str(m.get("name")) or not _str(m.get("email")):
            out.add(E, "operatorhub", "maintainers need a name and an email", f, f"spec.maintainers[{i}]")
        elif not EMAIL.fullmatch(_str(m.get("email"))):
            out.add(E, "operatorhub", f"invalid email {m.get('email')!r}", f, f"spec.maintainers[{i}].email")
    for i, link in enumerate(_list(spec.get("links"))):
        link = _map(link)
        url = _str(link.get("url"))
        parts = urlsplit(url)
        if not _str(link.get("name")) or not url:
            out.add(E, "operatorhub", "links need a name and a url", f, f"spec.links[{i}]")
        elif parts.scheme not in ("http", "https") or not parts.netloc:
            out.add(E, "operatorhub", f"invalid url {url!r}", f, f"spec.links[{i}].url")
    if not spec.get("version"):
        out.add(E, "operatorhub", "spec.version is required", f, "spec.version")
    elif not ver.is_semver(str(spec["version"])):
        out.add(
            E, "operatorhub", f"spec.version {spec['version']!r} is not a semantic version", f, "spec.version"
        )
    icons = _list(spec.get("icon"))
    if not icons:
        out.add(W, "operatorhub", "no icon: OperatorHub shows a placeholder", f, "spec.icon")
    elif len(icons) > 1:
        out.add(E, "operatorhub", f"only one icon is allowed, not {len(icons)}", f, "spec.icon")
    for i, icon in enumerate(icons):
        icon = _map(icon)
        if _str(icon.get("mediatype")) not in ICON_MEDIATYPES:
            out.add(
                E,
                "operatorhub",
                f"icon mediatype {icon.get('mediatype')!r} is not one of {', '.join(ICON_MEDIATYPES)}",
                f,
                f"spec.icon[{i}].mediatype",
            )
        if not _str(icon.get("base64data")):
            out.add(E, "operatorhub", "icon base64data is empty", f, f"spec.icon[{i}].base64data")
    annotations = _map(_map(b.csv.get("metadata")).get("annotations"))
    if "capabilities" in annotations and annotations["capabilities"] not in CAPABILITY_LEVELS:
        out.add(
            E,
            "operatorhub",
            f"capabilities {annotations['capabilities']!r} is not one of {', '.join(CAPABILITY_LEVELS)}",
            f,
            "metadata.annotations.capabilities",
        )
    if "categories" in annotations:
        for category in str(annotations["categories"]).split(","):
            if category.strip() and category.strip() not in CATEGORIES:
                out.add(
                    E,
                    "operatorhub",
                    f"category {category.strip()!r} is not one of the standard categories",
                    f,
                    "metadata.annotations.categories",
                )


def check_deprecated_apis(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    minimum = _min_kube(b.csv)
    for path, obj in b.objects:
        removed = REMOVED_APIS.get((_str(obj.get("apiVersion")), _str(obj.get("kind"))))
        if removed is None:
            continue
        when = f"{removed[0]}.{removed[1]}"
        if minimum is not None and minimum >= removed:
            out.add(
                E,
                "deprecated-apis",
                f"{obj.get('apiVersion')} {obj.get('kind')} is no longer served from "
                f"Kubernetes {when}, and minKubeVersion is {minimum[0]}.{minimum[1]}",
                path,
                "apiVersion",
            )
        else:
            out.add(
                W,
                "deprecated-apis",
                f"{obj.get('apiVersion')} {obj.get('kind')} is deprecated and no "
                f"longer served from Kubernetes {when}",
                path,
                "apiVersion",
            )


def _rules(csv: Obj) -> Iterator[tuple[str, Mapping[str, Any]]]:
    install_spec = _map(_map(_map(csv.get("spec")).get("install")).get("spec"))
    for key in ("permissions", "clusterPermissions"):
        for i, perm in enumerate(_list(install_spec.get(key))):
            for j, rule in enumerate(_list(_map(perm).get("rules"))):
                yield f"spec.install.spec.{key}[{i}].rules[{j}]", _map(rule)


def check_good_practices(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    f = b.csv_file
    deployments = _deployments(b.csv)
    if not deployments:
        out.add(
            E,
            "good-practices",
            "unable to find a deployment to install in the CSV",
            f,
            "spec.install.spec.deployments",
        )
    for i, d in enumerate(deployments):
        pod = _map(_map(_map(d.get("spec")).get("template")).get("spec"))
        for j, c in enumerate(_list(pod.get("containers"))):
            requests = _map(_map(_map(c).get("resources")).get("requests"))
            if not requests.get("cpu") or not requests.get("memory"):
                out.add(
                    W,
                    "good-practices",
                    f"container {_map(c).get('name')!r} of deployment {d.get('name')!r} "
                    "has no CPU and memory requests: quotas may refuse its pods",
                    f,
                    f"spec.install.spec.deployments[{i}].spec.template.spec.containers[{j}].resources.requests",
                )
    for i, owned in enumerate(_owned(b.csv)):
        if not _str(owned.get("description")):
            out.add(
                W,
                "good-practices",
                f"owned CRD {owned.get('name')!r} has an empty description",
                f,
                f"spec.customresourcedefinitions.owned[{i}].description",
            )
    if b.annotations is not None:
        channels = [c.strip() for c in str(b.annotations.get(K_CHANNELS, "")).split(",") if c.strip()]
        default = str(b.annotations.get(K_DEFAULT) or "").strip()
        odd = sorted(
            {c for c in [*channels, default] if c and not c.startswith(("candidate", "stable", "fast"))}
        )
        if odd:
            out.add(
                W,
                "good-practices",
                f"channel(s) {', '.join(odd)} do not follow the naming convention "
                "(candidate, stable, fast): https://olm.operatorframework.io/docs/best-practices/channel-naming",
                ANNOTATIONS_FILE,
                f"annotations.{K_CHANNELS}",
            )
    for field, rule in _rules(b.csv):
        groups = {_str(g) for g in _list(rule.get("apiGroups"))}
        resources = {_str(r) for r in _list(rule.get("resources"))}
        verbs = {_str(v) for v in _list(rule.get("verbs"))}
        if (
            groups & {"apiextensions.k8s.io", "*"}
            and resources & CRD_RESOURCES
            and (verbs & CRD_MANAGE_VERBS)
        ):
            out.add(
                W,
                "good-practices",
                "the CSV grants permissions to create, patch or delete CRDs "
                f"({', '.join(sorted(verbs & CRD_MANAGE_VERBS))}): managing CRDs is OLM's job",
                f,
                field,
            )
    name = _str(_map(b.csv.get("metadata")).get("name"))
    parts = name.split(".v", 1)
    if len(parts) != 2 or not parts[0]:
        out.add(
            W,
            "good-practices",
            f"CSV name {name!r} does not follow the convention <operator-name>.v<semver>",
            f,
            "metadata.name",
        )
    elif not ver.is_semver(parts[1]):
        out.add(
            W,
            "good-practices",
            f"CSV name {name!r} does not follow the versioning convention (MAJOR.MINOR.PATCH)",
            f,
            "metadata.name",
        )


# -- stackctl's own checks -----------------------------------------------------------------------------------


def parse_dockerfile_labels(text: str) -> dict[str, str]:
    """LABEL instructions of a Dockerfile (`k=v`, `k="v w"`, several per line, continuation lines)."""
    joined = re.sub(r"\\\r?\n", " ", text)
    labels: dict[str, str] = {}
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped.upper().startswith("LABEL "):
            continue
        body = stripped[6:].strip()
        pairs = re.findall(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)', body)
        if not pairs:  # legacy `LABEL key value`
            key, _, value = body.partition(" ")
            labels[key] = value.strip()
            continue
        for key, value in pairs:
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            labels[key.strip('"')] = value
    return labels


def check_dockerfile(b: Loaded, out: _Out) -> None:
    if DOCKERFILE not in b.source.files or b.annotations is None:
        return
    labels = parse_dockerfile_labels(b.source.files[DOCKERFILE])
    for key, value in sorted(b.annotations.items()):
        if key not in labels:
            out.add(
                W,
                "dockerfile-labels",
                f"LABEL {key} is missing; annotations.yaml sets it to {value!r}",
                DOCKERFILE,
                key,
            )
        elif labels[key] != str(value):
            out.add(
                W,
                "dockerfile-labels",
                f"LABEL {key}={labels[key]} differs from annotations.yaml ({value!r})",
                DOCKERFILE,
                key,
            )
    for key in sorted(set(labels) - set(b.annotations)):
        if key.startswith("operators.operatorframework.io."):
            out.add(
                W, "dockerfile-labels", f"LABEL {key} is not in metadata/annotations.yaml", DOCKERFILE, key
            )


def check_annotation_strings(b: Loaded, out: _Out) -> None:
    if b.annotations is not None:
        for key, value in b.annotations.items():
            if not isinstance(value, str):
                out.add(
                    W,
                    "annotation-strings",
                    f"value {value!r} is a {type(value).__name__}, not a string (quote it: opm refuses it)",
                    ANNOTATIONS_FILE,
                    f"annotations.{key}",
                )
    if b.csv is not None:
        for key, value in _map(_map(b.csv.get("metadata")).get("annotations")).items():
            if not isinstance(value, str):
                out.add(
                    W,
                    "annotation-strings",
                    f"value {value!r} is a {type(value).__name__}, not a string",
                    b.csv_file,
                    f"metadata.annotations.{key}",
                )


def check_created_at(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    value = _map(_map(b.csv.get("metadata")).get("annotations")).get("createdAt")
    if value is None:
        return
    text = str(value)
    ok = CREATED_AT.fullmatch(text) is not None
    if ok:
        try:
            dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            ok = False
    if not ok:
        out.add(
            W,
            "created-at",
            f"createdAt {text!r} is not of the form yyyy-mm-ddThh:mm:ssZ",
            b.csv_file,
            "metadata.annotations.createdAt",
        )


def check_related_images(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    spec = _map(b.csv.get("spec"))
    listed = {_str(_map(r).get("image")) for r in _list(spec.get("relatedImages"))}
    for i, d in enumerate(_deployments(b.csv)):
        for ref in img.deployment_images(_map(d.get("spec"))):
            if ref not in listed:
                out.add(
                    W,
                    "related-images",
                    f"image {ref} run by deployment {d.get('name')!r} is not in "
                    "relatedImages (a disconnected install would not mirror it)",
                    b.csv_file,
                    f"spec.install.spec.deployments[{i}]",
                )


def check_skip_range(b: Loaded, out: _Out) -> None:
    if b.csv is None:
        return
    value = _map(_map(b.csv.get("metadata")).get("annotations")).get("olm.skipRange")
    if value is None:
        return
    try:
        ver.parse_range(str(value))
    except ValueError as exc:
        out.add(
            E,
            "skip-range",
            f"olm.skipRange does not parse: {exc}",
            b.csv_file,
            "metadata.annotations.olm.skipRange",
        )


DEFAULT_CHECKS = (
    check_layout,
    check_kinds,
    check_contents,
    check_size,
    check_csv_name,
    check_examples,
    check_owned_and_modes,
    check_min_kube,
    check_required_fields,
    check_annotation_names,
    check_crds,
    check_dockerfile,
    check_annotation_strings,
    check_created_at,
    check_related_images,
    check_skip_range,
)
OPERATORFRAMEWORK_CHECKS = (check_operatorhub, check_deprecated_apis, check_good_practices)


def validate_bundle(source: BundleSource, options: Options = Options()) -> tuple[Loaded, list[Finding]]:
    loaded, findings = load(source)
    out = _Out(loaded.name)
    checks: list[Any] = list(DEFAULT_CHECKS)
    if "operatorframework" in options.suites:
        checks.extend(OPERATORFRAMEWORK_CHECKS)
    for check in checks:
        check(loaded, out)
    return loaded, findings + out.items


# -- channel graphs ----------------------------------------------------------------------------------------


def _bundle_entry(b: Loaded) -> tuple[str, list[str], graph.Entry] | None:
    if b.csv is None or b.annotations is None:
        return None
    package = str(b.annotations.get(K_PACKAGE, ""))
    channels = [c.strip() for c in str(b.annotations.get(K_CHANNELS, "")).split(",") if c.strip()]
    spec = _map(b.csv.get("spec"))
    name = _str(_map(b.csv.get("metadata")).get("name"))
    replaces = _str(spec.get("replaces")) or None
    skips = tuple(_str(s) for s in _list(spec.get("skips")))
    return package, channels, graph.Entry(name, replaces, skips)


def check_bundle_graphs(bundles: Sequence[Loaded]) -> list[Finding]:
    """Bundles of the same package given together must form a sound graph in each channel."""
    by_package: dict[str, list[tuple[Loaded, list[str], graph.Entry]]] = {}
    for b in bundles:
        found = _bundle_entry(b)
        if found is not None:
            package, chans, entry = found
            by_package.setdefault(package, []).append((b, chans, entry))
    findings: list[Finding] = []
    for package, items in sorted(by_package.items()):
        if len(items) < 2:
            continue
        where = f"package {package} ({', '.join(sorted(i[0].source.name for i in items))})"
        channels: dict[str, list[graph.Entry]] = {}
        for _, chans, entry in items:
            for c in chans:
                channels.setdefault(c, []).append(entry)
        for channel, entries in sorted(channels.items()):
            for problem in graph.problems(entries):
                findings.append(
                    Finding(
                        E,
                        "channel-graph",
                        f"channel {channel}: {problem}",
                        where,
                        ANNOTATIONS_FILE,
                        f"annotations.{K_CHANNELS}",
                    )
                )
        names = [i[2].name for i in items]
        for dupe in sorted({n for n in names if names.count(n) > 1}):
            findings.append(Finding(E, "channel-graph", f"duplicate bundle {dupe}", where))
    return findings


def _doc_field(doc: Obj, key: str) -> str:
    return _str(doc.get(key))


def validate_catalog(source: CatalogSource) -> list[Finding]:
    """`opm validate` over one file-based catalog directory."""
    findings: list[Finding] = []

    def add(message: str, file: str = "", field: str = "", bundle: str = source.name) -> None:
        findings.append(Finding(E, "catalog", message, bundle, file, field))

    packages: dict[str, tuple[str, Obj]] = {}
    channels: dict[tuple[str, str], tuple[str, Obj]] = {}
    bundles: dict[tuple[str, str], tuple[str, Obj]] = {}
    for file, doc in source.documents:
        schema = _doc_field(doc, "schema")
        if schema == "olm.package":
            name = _doc_field(doc, "name")
            if name in packages:
                add(f"duplicate package {name!r}", file, "name")
            packages[name] = (file, doc)
        elif schema == "olm.channel":
            key = (_doc_field(doc, "package"), _doc_field(doc, "name"))
            if key in channels:
                add(f"duplicate channel {key[1]!r} of package {key[0]!r}", file, "name")
            channels[key] = (file, doc)
        elif schema == "olm.bundle":
            key = (_doc_field(doc, "package"), _doc_field(doc, "name"))
            if key in bundles:
                add(f"duplicate bundle {key[1]!r} of package {key[0]!r}", file, "name")
            bundles[key] = (file, doc)
    if not packages:
        add("no olm.package document")
    for (package, channel), (file, _) in sorted(channels.items()):
        if package not in packages:
            add(f"channel {channel!r} belongs to unknown package {package!r}", file, "package")
    for name, (file, doc) in sorted(packages.items()):
        default = _doc_field(doc, "defaultChannel")
        if not default:
            add(f"package {name!r} has no defaultChannel", file, "defaultChannel")
        elif (name, default) not in channels:
            add(f"package {name!r}: default channel {default!r} does not exist", file, "defaultChannel")
    versions: dict[tuple[str, str], str] = {}
    for (package, bname), (file, doc) in sorted(bundles.items()):
        if package not in packages:
            add(f"bundle {bname!r} belongs to unknown package {package!r}", file, "package")
        pkg_props = [
            _map(_map(p).get("value"))
            for p in _list(doc.get("properties"))
            if _map(p).get("type") == "olm.package"
        ]
        if len(pkg_props) != 1:
            add(
                f"bundle {bname!r} must have exactly one olm.package property, not {len(pkg_props)}",
                file,
                "properties",
            )
            continue
        version = str(pkg_props[0].get("version", ""))
        if not ver.is_semver(version):
            add(f"bundle {bname!r}: version {version!r} is not a semantic version", file, "properties")
        elif (package, version) in versions:
            add(
                f"bundles {versions[(package, version)]!r} and {bname!r} have the same version {version}",
                file,
                "properties",
            )
        versions[(package, version)] = bname
    in_channel: set[tuple[str, str]] = set()
    for (package, channel), (file, doc) in sorted(channels.items()):
        entries: list[graph.Entry] = []
        for i, raw in enumerate(_list(doc.get("entries"))):
            e = _map(raw)
            name = _str(e.get("name"))
            entries.append(
                graph.Entry(
                    name, _str(e.get("replaces")) or None, tuple(_str(s) for s in _list(e.get("skips")))
                )
            )
            in_channel.add((package, name))
            if (package, name) not in bundles:
                add(f"channel {channel!r}: entry {name!r} has no olm.bundle", file, f"entries[{i}].name")
            if e.get("skipRange"):
                try:
                    ver.parse_range(_str(e.get("skipRange")))
                except ValueError as exc:
                    add(f"channel {channel!r}: invalid skipRange: {exc}", file, f"entries[{i}].skipRange")
        if not entries:
            add(f"channel {channel!r} has no entries", file, "entries")
        for problem in graph.problems(entries):
            add(f"channel {channel!r}: {problem}", file, "entries")
    for (package, bname), (file, _) in sorted(bundles.items()):
        if (package, bname) not in in_channel:
            add(f"bundle {bname!r} is in no channel", file, "name")
    return findings


def apply_strict(findings: Iterable[Finding], strict: bool) -> list[Finding]:
    if not strict:
        return list(findings)
    return [
        Finding(E, f.check, f.message, f.bundle, f.file, f.field) if f.severity is W else f for f in findings
    ]
