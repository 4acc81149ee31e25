"""kustomize's builtin transformers for the kustomization fields namespace, namePrefix/nameSuffix, labels,
commonLabels, commonAnnotations, images and replicas.

Each function reproduces one builtin transformer of kustomize v5.8.1: which objects and fields it touches
(the field specs of builtin_config.py, walked as kyaml walks them, plus the cases kustomize hard-codes),
which fields it creates, the types it writes and the errors it raises. The engine calls them in kustomize's
order, once per kustomization.

kyaml quirk reproduced here: when a labels or annotations transformer creates the same key in several maps
of one object (metadata.labels, a selector, a pod template), kyaml puts one shared YAML node in all of them,
so a later write to that key through any of those maps (another labels entry, commonAnnotations, a strategic
merge patch) changes all of them. `Resource.links` records these groups; `set_linked` is the write that
honours them, for any module that overwrites labels or annotations.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from stackctl.errors import KustomizeError
from stackctl.kustomize import builtin_config as config
from stackctl.kustomize.fieldspec import FieldSpec, FieldSpecError, apply, merge_specs, parse_group_version
from stackctl.kustomize.k8s_schema import is_namespaced
from stackctl.kustomize.resource import Resource
from stackctl.model import Gvk, ResId

Slot = tuple[dict[str, Any], str]
"""A map and one of its keys: where a label or annotation value lives."""
LinkTable = dict[tuple[int, str], list[Slot]]
"""(id(map), key) -> every slot sharing that slot's node, itself included."""


# -- shared label/annotation nodes ------------------------------------------------------------------------


def _links(r: Resource) -> LinkTable | None:
    table = getattr(r, "links", None)
    return table if isinstance(table, dict) else None


def set_linked(r: Resource, container: dict[str, Any], key: str, value: Any) -> None:
    """Overwrite an existing `container[key]`, and every value kyaml would hold in the same node."""
    table = _links(r)
    group = table.get((id(container), key)) if table is not None else None
    if group is None:
        container[key] = value
        return
    for slot_map, slot_key in group:
        if slot_key in slot_map:
            slot_map[slot_key] = value


def unlink_map(r: Resource, container: dict[str, Any]) -> None:
    """Forget the shared nodes of one map's values, as when kustomize rebuilds the map from scratch."""
    table = _links(r)
    if not table:
        return
    for key in container:
        _unlink_slot(table, container, key)


def _unlink_slot(table: LinkTable, container: dict[str, Any], key: str) -> None:
    group = table.pop((id(container), key), None)
    if group is not None:
        group[:] = [s for s in group if not (s[0] is container and s[1] == key)]


def _rebuild_annotations(r: Resource) -> None:
    """What kustomize's SetAnnotations does to sharing: metadata.annotations gets all-new nodes."""
    meta = r.obj.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        unlink_map(r, meta["annotations"])


class _EntrySetter:
    """kyaml's SetEntry for one key in one object: existing keys are overwritten (through their node),
    missing keys are added, all sharing the one new node."""

    def __init__(self, r: Resource, key: str, value: str) -> None:
        self.r = r
        self.key = key
        self.value = value
        self.group: list[Slot] = []

    def __call__(self, current: Any) -> Any:
        if current is None:
            return None
        if not isinstance(current, dict):
            kind = "SequenceNode" if isinstance(current, list) else "ScalarNode"
            raise FieldSpecError(f"wrong node kind: expected MappingNode but got {kind}")
        if self.key in current:
            set_linked(self.r, current, self.key, self.value)
            return current
        current[self.key] = self.value
        table = _links(self.r)
        if table is not None:
            _unlink_slot(table, current, self.key)
            self.group.append((current, self.key))
            table[(id(current), self.key)] = self.group
        return current


def _set_entries(resources: Iterable[Resource], entries: Mapping[str, str], specs: list[FieldSpec]) -> None:
    keys = sorted(entries)
    for r in resources:
        for key in keys:
            setter = _EntrySetter(r, key, entries[key])
            for spec in specs:
                _apply(r, spec, setter, "map")


def _apply(r: Resource, spec: FieldSpec, setter: Any, create_kind: Any) -> None:
    try:
        apply(r.obj, spec, setter, create_kind=create_kind)
    except FieldSpecError as err:
        raise KustomizeError(err.message, file=r.origin) from None


# -- namespace ---------------------------------------------------------------------------------------------


def set_namespace(resources: list[Resource], namespace: str) -> None:
    """The kustomization's `namespace:` (kustomize's NamespaceTransformer with its default field specs)."""
    if not namespace:
        return
    current = Counter(_effective(r.id) for r in resources if r.obj)
    for r in resources:
        if not r.obj:
            continue
        old_id = _effective(r.id)
        r.store_previous_id()
        _rebuild_annotations(r)
        api_version = r.obj.get("apiVersion")
        api_version = api_version if isinstance(api_version, str) else ""
        kind = r.kind
        group, version = parse_group_version(api_version)

        def set_scalar(current: Any) -> Any:
            if isinstance(current, (dict, list)):
                got = "MappingNode" if isinstance(current, dict) else "SequenceNode"
                raise FieldSpecError(
                    f"namespace field specs must target scalar nodes: expected ScalarNode but got {got}"
                )
            return namespace

        if is_namespaced(Gvk(group, version, kind)):
            _apply(r, _META_NAMESPACE, set_scalar, "scalar")
        if kind in ("RoleBinding", "ClusterRoleBinding"):
            subjects = r.obj.get("subjects")
            if isinstance(subjects, list):
                for subject in subjects:
                    if isinstance(subject, dict) and subject.get("name") == "default":
                        subject["namespace"] = namespace
        for spec in config.NAMESPACE:
            if spec.path == ("metadata", "name") and api_version != "v1":
                continue
            _apply(r, spec, set_scalar, "scalar")
        new_id = _effective(r.id)
        current[old_id] -= 1
        current[new_id] += 1
        if current[new_id] != 1:
            clashes = [str(o.id) for o in resources if o.obj and _effective(o.id) == new_id]
            raise KustomizeError(
                "namespace transformation produces ID conflict: " + ", ".join(clashes), file=r.origin
            )


def _effective(rid: ResId) -> ResId:
    """kustomize compares ids with the empty namespace standing for "default"."""
    return ResId(rid.gvk, rid.name, rid.namespace or "default")


_META_NAMESPACE = FieldSpec.of("metadata/namespace", create=True)


# -- namePrefix / nameSuffix ---------------------------------------------------------------------------------


def _skips_affix(rid: ResId) -> bool:
    kind = rid.gvk.kind
    return kind in ("CustomResourceDefinition", "Namespace") or (
        kind == "APIService" and rid.gvk.group == "apiregistration.k8s.io"
    )


def add_name_prefix_suffix(resources: list[Resource], prefix: str, suffix: str) -> None:
    """namePrefix then nameSuffix: metadata.name of every object but CRDs, Namespaces and APIServices."""
    for affix, specs, is_prefix in ((prefix, config.NAME_PREFIX, True), (suffix, config.NAME_SUFFIX, False)):
        for r in resources:
            org = r.org_id
            if _skips_affix(org):
                continue
            for spec in specs:
                if not spec.selects(org.gvk.group, org.gvk.version, org.gvk.kind):
                    continue
                if spec.path == ("metadata", "name") and affix:
                    (r.prefixes if is_prefix else r.suffixes).append(affix)
                    r.store_previous_id()
                    _rebuild_annotations(r)

                def add(current: Any, affix: str = affix, is_prefix: bool = is_prefix) -> Any:
                    if isinstance(current, (dict, list)):
                        raise FieldSpecError("wrong node kind: expected ScalarNode")
                    text = _scalar_text(current)
                    return affix + text if is_prefix else text + affix

                _apply(r, spec, add, None)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- labels / annotations ----------------------------------------------------------------------------------


def add_labels(
    resources: list[Resource],
    labels: dict[str, str],
    *,
    include_selectors: bool,
    include_templates: bool,
    fields: list[dict[str, Any]] | None = None,
    file: str | None = None,
) -> None:
    """One `labels:` entry, or `commonLabels` (include_selectors=True, no fields)."""
    custom = [
        FieldSpec.from_config(f, file=file, field=f"labels.fields[{i}]") for i, f in enumerate(fields or [])
    ]
    if include_selectors:
        defaults: tuple[FieldSpec, ...] = config.COMMON_LABELS
    elif include_templates:
        defaults = config.TEMPLATE_LABELS
    else:
        defaults = config.METADATA_LABELS
    try:
        specs = merge_specs(custom, defaults)
    except KustomizeError as err:
        raise KustomizeError(err.message, file=file, field="labels") from None
    if labels:
        _set_entries(resources, labels, specs)


def add_annotations(resources: list[Resource], annotations: dict[str, str]) -> None:
    """`commonAnnotations`."""
    if annotations:
        _set_entries(resources, annotations, list(config.COMMON_ANNOTATIONS))


# -- images ------------------------------------------------------------------------------------------------

_IMAGE_FIELDS = ("name", "newName", "newTag", "digest")


def set_images(resources: list[Resource], images: list[Any], *, file: str) -> None:
    """`images:` entries, in order; each rewrites matching container images everywhere kustomize looks."""
    for i, entry in enumerate(images):
        if not isinstance(entry, dict):
            raise KustomizeError("an images entry must be a map", file=file, field=f"images[{i}]")
        values: dict[str, str] = {}
        for key, value in entry.items():
            if key not in _IMAGE_FIELDS:
                raise KustomizeError(f"unknown field {key!r}", file=file, field=f"images[{i}].{key}")
            if value is None:
                continue
            if isinstance(value, (dict, list)):
                raise KustomizeError("expected a string", file=file, field=f"images[{i}].{key}")
            values[key] = _scalar_text(value)
        _apply_image(resources, values)


def _apply_image(resources: list[Resource], image: dict[str, str]) -> None:
    name = image.get("name", "")
    try:
        pattern: re.Pattern[str] | None = re.compile(
            "^" + name + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$"
        )
    except re.error:
        pattern = None

    def update(current: Any) -> Any:
        if isinstance(current, (dict, list)):
            raise FieldSpecError("wrong node kind: expected ScalarNode")
        if not isinstance(current, str) or pattern is None or not pattern.match(current):
            return current
        return _new_image(current, image)

    for r in resources:
        if r.kind == "CustomResourceDefinition":
            continue
        _legacy_images(r.obj, update)
    for r in resources:
        if r.kind == "CustomResourceDefinition":
            continue
        for spec in config.IMAGES:
            _apply(r, spec, update, None)


def _legacy_images(node: Any, update: Any) -> None:
    """Every `image` in a list named containers or initContainers, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            _legacy_images(value, update)
            if key in ("containers", "initContainers") and isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and "image" in item:
                        item["image"] = update(item["image"])
    elif isinstance(node, list):
        for item in node:
            _legacy_images(item, update)


def split_image(image: str) -> tuple[str, str, str]:
    """kustomize's image.Split: (name, tag, digest); a registry's `host:port/` is not a tag."""
    slash = image.find("/")
    search = image[slash:] if slash > 0 else image
    offset = slash if slash > 0 else 0
    at = search.find("@")
    colon = search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        at += offset
        return image[:at], "", image[at + 1 :]
    if at >= 0 and colon >= 0:
        at += offset
        colon += offset
        return image[:colon], image[colon + 1 : at], image[at + 1 :]
    colon += offset
    return image[:colon], image[colon + 1 :], ""


def _new_image(current: str, image: dict[str, str]) -> str:
    name, tag, digest = split_image(current)
    if image.get("newName"):
        name = image["newName"]
    new_tag = image.get("newTag", "")
    new_digest = image.get("digest", "")
    if new_tag and new_digest:
        tag, digest = new_tag, new_digest
    elif new_tag:
        tag, digest = new_tag, ""
    elif new_digest:
        tag, digest = "", new_digest
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    return name


# -- replicas ----------------------------------------------------------------------------------------------


def set_replicas(resources: list[Resource], replicas: list[Any], *, file: str) -> None:
    """`replicas:` entries: spec.replicas of the named Deployments, ReplicationControllers, ReplicaSets and
    StatefulSets (matched by current or any earlier name), as an integer."""
    for i, entry in enumerate(replicas):
        if not isinstance(entry, dict):
            raise KustomizeError("a replicas entry must be a map", file=file, field=f"replicas[{i}]")
        name = entry.get("name")
        name = _scalar_text(name) if name is not None else ""
        count = entry.get("count", 0)
        if isinstance(count, bool) or not isinstance(count, int):
            raise KustomizeError("count must be an integer", file=file, field=f"replicas[{i}].count")
        found = False
        for spec in config.REPLICAS:
            matched = [r for r in resources if _replica_match(r, name, spec)]
            if matched:
                found = True
            for r in matched:
                _apply(r, spec, lambda _current, count=count: count, "scalar")
        if not found:
            gvks = " ".join(f"~G_~V_{s.kind}" for s in config.REPLICAS)
            raise KustomizeError(
                f"resource with name {name} does not match a config with the following GVK [{gvks}]",
                file=file,
                field=f"replicas[{i}]",
            )


def _replica_match(r: Resource, name: str, spec: FieldSpec) -> bool:
    for rid in (r.id, *r.prev_ids):
        if rid.name == name and spec.selects(rid.gvk.group, rid.gvk.version, rid.gvk.kind):
            return True
    return False
