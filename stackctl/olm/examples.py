"""The CSV's `alm-examples` and the spec/status descriptors of its owned CRDs.

Examples come from the stack's own custom resources (overlays/resources/<operator>): they are what we
actually run, so they validate against our CRDs and show real settings rather than placeholders. An owned
API the stack does not use gets the smallest object its CRD's schema accepts (required fields only), so the
console can still offer a form and operator-sdk's "provided API should have an example" stays quiet.

Descriptors mark the key fields for the console: the top-level spec fields the stack's example sets (or,
without one, those the schema requires), and in status the conditions and the phase field the catalog's
readiness rule reads. x-descriptors follow the field's schema type and a few well-known names.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from stackctl.catalog import FieldCheck, Operator, OwnedCrd
from stackctl.olm.model import Obj

UI = "urn:alm:descriptor:com.tectonic.ui:"
K8S = "urn:alm:descriptor:io.kubernetes:"
CONDITIONS = "urn:alm:descriptor:io.kubernetes.conditions"
PHASE = "urn:alm:descriptor:io.kubernetes.phase"
_FORMAT_SAMPLES = {
    "byte": "ZXhhbXBsZQ==",  # base64 of "example"
    "date-time": "2006-01-02T15:04:05Z",
    "date": "2006-01-02",
    "duration": "1h",
    "email": "user@example.com",
    "hostname": "example.com",
    "uri": "https://example.com",
}


def _gvk(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    api_version = str(obj.get("apiVersion", ""))
    group, _, version = api_version.rpartition("/")
    return group, version, str(obj.get("kind", ""))


def version_schema(crd: Mapping[str, Any], version: str) -> Mapping[str, Any]:
    """The openAPIV3Schema of one version of a CRD object ({} when it has none)."""
    spec = crd.get("spec") or {}
    for v in spec.get("versions") or []:
        if v.get("name") == version:
            schema = (v.get("schema") or {}).get("openAPIV3Schema")
            return schema if isinstance(schema, Mapping) else {}
    schema = (spec.get("validation") or {}).get("openAPIV3Schema")  # apiextensions v1beta1
    return schema if isinstance(schema, Mapping) else {}


def _props(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def skeleton(schema: Mapping[str, Any]) -> Any:
    """The smallest value of `schema`: required properties only, defaults and first enum values preferred."""
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return copy.deepcopy(enum[0])
    kind = schema.get("type")
    if kind == "object" or (kind is None and "properties" in schema):
        props = _props(schema)
        out = {
            name: skeleton(props.get(name) or {}) for name in schema.get("required") or [] if name in props
        }
        for name in props:  # minProperties: the first properties in schema order
            if len(out) >= int(schema.get("minProperties") or 0):
                break
            out.setdefault(name, skeleton(props[name]))
        return out
    if kind == "array":
        items = schema.get("items")
        count = int(schema.get("minItems") or 0)
        return [skeleton(items) for _ in range(count)] if isinstance(items, Mapping) else []
    if kind == "integer" or kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if schema.get("x-kubernetes-int-or-string"):
        return 1
    if kind == "string" and schema.get("format") in _FORMAT_SAMPLES:
        return _FORMAT_SAMPLES[str(schema["format"])]
    if kind == "string":
        minimum = int(schema.get("minLength") or 0)
        return "example" if minimum <= 7 else "x" * minimum
    return {}


def _example_from(obj: Mapping[str, Any]) -> Obj:
    """A stack CR as an example: identity and content, without namespace, labels or status."""
    out: Obj = {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "metadata": {"name": obj["metadata"]["name"]},
    }
    for key, value in obj.items():
        if key not in ("apiVersion", "kind", "metadata", "status"):
            out[key] = copy.deepcopy(value)
    return out


def examples(
    op: Operator, crd_objects: Mapping[str, Obj], stack_objects: Iterable[Obj]
) -> tuple[list[Obj], set[tuple[str, str, str]]]:
    """One example per owned API (group, version, kind), in the CSV's owned order; and the APIs whose example
    came from the stack."""
    by_gvk: dict[tuple[str, str, str], list[Obj]] = {}
    for obj in stack_objects:
        by_gvk.setdefault(_gvk(obj), []).append(obj)
    out: list[Obj] = []
    from_stack: set[tuple[str, str, str]] = set()
    for crd in owned_order(op.crds):
        for version in crd.versions:
            gvk = (crd.group, version, crd.kind)
            candidates = sorted(
                by_gvk.get(gvk, []),
                key=lambda o: (str(o["metadata"].get("namespace", "")), str(o["metadata"]["name"])),
            )
            if candidates:
                out.append(_example_from(candidates[0]))
                from_stack.add(gvk)
                continue
            schema = version_schema(crd_objects.get(crd.name, {}), version)
            example: Obj = {
                "apiVersion": f"{crd.group}/{version}",
                "kind": crd.kind,
                "metadata": {"name": f"example-{crd.kind.lower()}"},
            }
            top = skeleton({**schema, "type": "object"}) if schema else {}
            for name, value in top.items():  # required top-level fields (Zalando's `configuration`)
                if name not in ("apiVersion", "kind", "metadata", "status"):
                    example[name] = value
            spec_schema = _props(schema).get("spec")
            if isinstance(spec_schema, Mapping) and "spec" not in example:
                example["spec"] = skeleton(spec_schema)
            out.append(example)
    return out, from_stack


def examples_json(items: Sequence[Obj]) -> str:
    """`alm-examples` as operator-sdk writes it: a JSON list, two-space indent, keys sorted."""
    return json.dumps(list(items), indent=2, sort_keys=True, ensure_ascii=False)


def owned_order(crds: Iterable[OwnedCrd]) -> list[OwnedCrd]:
    return sorted(crds, key=lambda c: c.name)


def display_name(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", last).replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = m.group(1) if m else text
    return sentence if len(sentence) <= 240 else sentence[:237].rstrip() + "..."


def _x_descriptors(name: str, schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    lowered = name.lower()
    if lowered in ("replicas", "clustersize", "numberofinstances") and kind == "integer":
        return [UI + "podCount"]
    if lowered == "resources" and kind == "object":
        return [UI + "resourceRequirements"]
    if lowered.endswith("secretname") and kind == "string":
        return [K8S + "Secret"]
    if lowered.endswith("serviceaccountname") and kind == "string":
        return [K8S + "ServiceAccount"]
    if lowered == "image" and kind == "string":
        return [UI + "text"]
    enum = schema.get("enum")
    if kind == "string" and isinstance(enum, list) and enum:
        return [f"{UI}select:{value}" for value in enum]
    if kind == "boolean":
        return [UI + "booleanSwitch"]
    if kind in ("integer", "number"):
        return [UI + "number"]
    if kind == "string":
        return [UI + "text"]
    return [UI + "advanced"]


def _descriptor(path: str, name: str, schema: Mapping[str, Any], x: list[str]) -> Obj:
    description = schema.get("description")
    return {
        "description": _first_sentence(description)
        if isinstance(description, str) and description.strip()
        else f"The {display_name(path)} of this object.",
        "displayName": display_name(path),
        "path": path,
        "x-descriptors": x,
    }


def spec_descriptors(schema: Mapping[str, Any], example: Mapping[str, Any] | None) -> list[Obj]:
    spec_schema = _props(schema).get("spec")
    if not isinstance(spec_schema, Mapping):
        return []
    props = _props(spec_schema)
    spec = example.get("spec") if example is not None else None
    if isinstance(spec, Mapping) and spec:
        names = [n for n in spec if n in props]
    else:
        names = [n for n in spec_schema.get("required") or [] if n in props]
    return [_descriptor(n, n, props[n], _x_descriptors(n, props[n])) for n in sorted(names)]


def status_descriptors(schema: Mapping[str, Any], phase_path: tuple[str, ...] | None) -> list[Obj]:
    status_schema = _props(schema).get("status")
    if not isinstance(status_schema, Mapping):
        return []
    props = _props(status_schema)
    out: list[Obj] = []
    conditions = props.get("conditions")
    if isinstance(conditions, Mapping) and conditions.get("type") == "array":
        out.append(_descriptor("conditions", "conditions", conditions, [CONDITIONS]))
    if phase_path and len(phase_path) == 2 and phase_path[0] == "status" and phase_path[1] in props:
        name = phase_path[1]
        out.append(_descriptor(name, name, props[name], [PHASE]))
    return sorted(out, key=lambda d: str(d["path"]))


def phase_path(op: Operator, crd: OwnedCrd) -> tuple[str, ...] | None:
    """The status field the catalog's readiness rule reads for this kind, if it reads one field."""
    for rule in op.readiness:
        if (rule.group, rule.kind) == (crd.group, crd.kind) and isinstance(rule.check, FieldCheck):
            return rule.check.path
    return None
