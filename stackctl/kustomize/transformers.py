"""kustomize's builtin transformers for the kustomization fields namespace, namePrefix/nameSuffix, labels,
commonLabels, commonAnnotations, images and replicas.

Each function reproduces one builtin transformer of kustomize v5.8.1: which objects and fields it touches
(the field specs of builtin_config.py, walked as kyaml walks them, plus the cases kustomize hard-codes),
which fields it creates, the types it writes and the errors it raises. The engine calls them in kustomize's
order, once per kustomization.

One kyaml quirk needs bookkeeping beyond the data. When a labels or annotations transformer adds a key that
is missing in several maps of one object (metadata.labels, a selector, a pod template), kyaml puts one and
the same YAML node in all of them; a later write to that key through any of those maps (another labels
entry, commonAnnotations, a strategic merge patch, a replacement) then shows in all of them. `Link` records
such a group on the resource (`Resource.links`); the transformers here write through links, and `sync_links`
spreads a write that another module made in place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stackctl.errors import KustomizeError
from stackctl.kustomize import builtin_config as config
from stackctl.kustomize.fieldspec import (
    CreateKind,
    FieldSpec,
    FieldSpecError,
    apply,
    decode_go_struct,
    decode_string_map,
    merge_specs,
    parse_group_version,
)
from stackctl.kustomize.k8s_schema import is_namespaced
from stackctl.kustomize.resource import Resource
from stackctl.model import Gvk, ResId, yaml_node_kind

Slot = tuple[dict[str, Any], str]
"""A map and one of its keys: where a label or annotation value lives."""


# -- shared label/annotation nodes ------------------------------------------------------------------------


@dataclass(eq=False)
class Link:
    """One kyaml node held by several maps of an object: all its slots show `value`."""

    value: Any
    slots: list[Slot]


def _links(r: Resource) -> list[Link] | None:
    links = getattr(r, "links", None)
    return links if isinstance(links, list) else None


def _find_link(links: list[Link], container: dict[str, Any], key: str) -> Link | None:
    for link in links:
        for slot_map, slot_key in link.slots:
            if slot_map is container and slot_key == key:
                return link
    return None


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def set_linked(r: Resource, container: dict[str, Any], key: str, value: Any) -> None:
    """Overwrite `container[key]` as kyaml overwrites a node: every map sharing it sees the new value."""
    links = _links(r)
    link = _find_link(links, container, key) if links else None
    if link is None:
        container[key] = value
        return
    link.value = value
    for slot_map, slot_key in link.slots:
        if slot_key in slot_map:
            slot_map[slot_key] = value


def sync_links(r: Resource) -> None:
    """Spread values written in place (by a patch, a replacement) to the other maps of their shared node.

    Call it after each such step; a key removed from a map leaves its group, as the field leaves the map.
    """
    links = _links(r)
    if not links:
        return
    kept: list[Link] = []
    for link in links:
        link.slots = [(m, k) for m, k in link.slots if k in m]
        changed = [m[k] for m, k in link.slots if not _same(m[k], link.value)]
        if changed:
            set_linked(r, link.slots[0][0], link.slots[0][1], changed[-1])
        if len(link.slots) > 1:
            kept.append(link)
    links[:] = kept


def _detach(r: Resource, container: dict[str, Any], key: str) -> None:
    """`container[key]` gets a node of its own (groups left with one slot are pruned by the caller)."""
    links = _links(r)
    if not links:
        return
    for link in links:
        link.slots = [(m, k) for m, k in link.slots if not (m is container and k == key)]


class _EntrySetter:
    """kyaml's SetEntry of one key in one object, called on each map the field specs reach: an existing
    key is overwritten through its node; a missing key gets the one new node, shared by every map."""

    def __init__(self, r: Resource, key: str, value: str) -> None:
        self.r = r
        self.key = key
        self.value = value
        self.link: Link | None = None

    def __call__(self, current: Any) -> Any:
        if current is None:
            return None
        if not isinstance(current, dict):
            raise FieldSpecError(f"wrong node kind: expected MappingNode but got {yaml_node_kind(current)}")
        if self.key in current:
            set_linked(self.r, current, self.key, self.value)
            return current
        current[self.key] = self.value
        links = _links(self.r)
        if links is not None:
            _detach(self.r, current, self.key)
            if self.link is None:
                self.link = Link(self.value, [])
                links.append(self.link)
            self.link.slots.append((current, self.key))
        return current


def _set_entries(resources: Iterable[Resource], entries: Mapping[str, str], specs: list[FieldSpec]) -> None:
    keys = sorted(entries)
    for r in resources:
        for key in keys:
            setter = _EntrySetter(r, key, entries[key])
            for spec in specs:
                _apply(r, spec, setter, "map")
            links = _links(r)
            if links:
                links[:] = [link for link in links if len(link.slots) > 1]


def _apply(
    r: Resource, spec: FieldSpec, setter: Callable[[Any], Any], create_kind: CreateKind | None
) -> None:
    try:
        apply(r.obj, spec, setter, create_kind=create_kind)
    except FieldSpecError as err:
        raise KustomizeError(err.message, file=r.origin) from None


# -- namespace ---------------------------------------------------------------------------------------------

_META_NAMESPACE = FieldSpec.of("metadata/namespace", create=True)


def set_namespace(resources: list[Resource], namespace: str) -> None:
    """The kustomization's `namespace:`.

    metadata.namespace of every kind the v1.21.2 schema does not call cluster-scoped; the name of a `v1`
    Namespace; the namespace of every (Cluster)RoleBinding subject named "default", whatever its kind;
    APIService spec.service.namespace (created) and a CRD's conversion webhook service namespace (if
    present). Each object's id is stored first, as kustomize does for every object.
    """
    if not namespace:
        return
    specs = config.kustomize_sorted(config.NAMESPACE)

    def set_value(current: Any) -> Any:
        if isinstance(current, (dict, list)):
            raise FieldSpecError(
                "namespace field specs must target scalar nodes: "
                f"wrong node kind: expected ScalarNode but got {yaml_node_kind(current)}"
            )
        return namespace

    current_ids = Counter(_effective(r.id) for r in resources if r.obj)
    for r in resources:
        if not r.obj:
            continue
        old_id = _effective(r.id)
        r.store_previous_id()
        api_version = r.obj.get("apiVersion")
        api_version = api_version if isinstance(api_version, str) else ""
        group, version = parse_group_version(api_version)
        kind = r.kind
        if is_namespaced(Gvk(group, version, kind)):
            _apply(r, _META_NAMESPACE, set_value, "scalar")
        if kind in ("RoleBinding", "ClusterRoleBinding"):
            subjects = r.obj.get("subjects")
            if isinstance(subjects, list):
                for subject in subjects:
                    if isinstance(subject, dict) and _same(subject.get("name"), "default"):
                        subject["namespace"] = namespace
        for spec in specs:
            if spec.path == ("metadata", "name") and api_version != "v1":
                continue
            _apply(r, spec, set_value, "scalar")
        new_id = _effective(r.id)
        current_ids[old_id] -= 1
        current_ids[new_id] += 1
        if current_ids[new_id] > 1:
            clashes = ", ".join(str(o.id) for o in resources if o.obj and _effective(o.id) == new_id)
            raise KustomizeError(f"namespace transformation produces ID conflict: [{clashes}]", file=r.origin)


def _effective(rid: ResId) -> ResId:
    """kustomize compares ids with the empty namespace standing for "default"."""
    return ResId(rid.gvk, rid.name, rid.namespace or "default")


# -- namePrefix / nameSuffix ---------------------------------------------------------------------------------


def _skips_affix(rid: ResId) -> bool:
    kind = rid.gvk.kind
    return kind in ("CustomResourceDefinition", "Namespace") or (
        kind == "APIService" and rid.gvk.group == "apiregistration.k8s.io"
    )


def add_name_prefix_suffix(resources: list[Resource], prefix: str, suffix: str) -> None:
    """namePrefix, then nameSuffix, on metadata.name of every object except CustomResourceDefinitions,
    Namespaces and APIServices (judged by the object's original id).

    Records each non-empty affix in `r.prefixes` / `r.suffixes` and stores the id before each rename.
    """
    _add_affix(resources, prefix, config.NAME_PREFIX, lambda name: prefix + name, prefix_side=True)
    _add_affix(resources, suffix, config.NAME_SUFFIX, lambda name: name + suffix, prefix_side=False)


def _add_affix(
    resources: list[Resource],
    affix: str,
    specs: tuple[FieldSpec, ...],
    rename: Callable[[str], str],
    *,
    prefix_side: bool,
) -> None:
    def set_name(current: Any) -> Any:
        if isinstance(current, (dict, list)):
            raise FieldSpecError(f"wrong node kind: expected ScalarNode but got {yaml_node_kind(current)}")
        return rename(_scalar_text(current))

    for r in resources:
        org = r.org_id
        if _skips_affix(org):
            continue
        for spec in config.kustomize_sorted(specs):
            if not spec.selects(org.gvk.group, org.gvk.version, org.gvk.kind):
                continue
            if spec.path == ("metadata", "name") and affix:
                (r.prefixes if prefix_side else r.suffixes).append(affix)
                r.store_previous_id()
            _apply(r, spec, set_name, None)


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
    fields: list[Any] | None = None,
    file: str | None = None,
    field: str = "labels",
) -> None:
    """One `labels:` entry, or `commonLabels` (include_selectors=True, no fields).

    The field specs are the entry's `fields` followed by kustomize's defaults for the combination: the
    commonLabels table with selectors, metadata and template labels with `includeTemplates` alone, else
    metadata.labels only. A custom spec whose gvk covers a default spec with the same path replaces it.
    """
    custom = [
        FieldSpec.from_config(f, file=file, field=f"{field}.fields[{i}]") for i, f in enumerate(fields or [])
    ]
    if include_selectors:
        defaults = config.COMMON_LABELS
    elif include_templates:
        defaults = config.TEMPLATE_LABELS
    else:
        defaults = config.METADATA_LABELS
    try:
        specs = merge_specs(custom, config.kustomize_sorted(defaults))
    except KustomizeError as err:
        what = "template fieldSpec" if include_templates and not include_selectors else "labels"
        raise KustomizeError(
            f"failed to merge {what}: {err.message}", file=file, field=f"{field}.fields"
        ) from None
    if labels:
        _set_entries(resources, labels, specs)


_LABEL_FIELDS = {
    "pairs": "map[string]string",
    "includeSelectors": "bool",
    "includeTemplates": "bool",
    "fields": "[]types.FieldSpec",
}


def add_labels_entry(resources: list[Resource], entry: Any, *, index: int, file: str) -> None:
    """One raw `labels:` entry, decoded (and refused) as kustomize decodes it, then applied."""
    where = f"labels[{index}]"
    label = decode_go_struct(
        entry,
        _LABEL_FIELDS,
        struct="Label",
        parent="Kustomization",
        json_path="labels",
        file=file,
        field=where,
    )
    add_labels(
        resources,
        label.get("pairs", {}),
        include_selectors=label.get("includeSelectors", False),
        include_templates=label.get("includeTemplates", False),
        fields=label.get("fields"),
        file=file,
        field=where,
    )


def string_map(value: Any, *, name: str, file: str) -> dict[str, str]:
    """`commonLabels` or `commonAnnotations` decoded as kustomize decodes them: a null value is "", a number
    or bool fails the build."""
    return decode_string_map(value, go_field=f"Kustomization.{name}", file=file, field=name)


def add_annotations(resources: list[Resource], annotations: dict[str, str]) -> None:
    """`commonAnnotations`: metadata.annotations of every object and the pod templates' annotations."""
    if annotations:
        _set_entries(resources, annotations, list(config.kustomize_sorted(config.COMMON_ANNOTATIONS)))


# -- images ------------------------------------------------------------------------------------------------

_IMAGE_FIELDS = {
    "name": "string",
    "newName": "string",
    "tagSuffix": "string",
    "newTag": "string",
    "digest": "string",
}


def set_images(resources: list[Resource], images: list[Any], *, file: str) -> None:
    """`images:` entries, in order.

    An entry's `name` is a regular expression (as in kustomize) that must match an image up to its tag and
    `@sha256:` digest. Matching images are rewritten in every list named containers or initContainers at
    any depth, and at the images field specs (pod and template containers, initContainers and image
    volumes), in every object except CustomResourceDefinitions. newTag and digest replace both the tag and
    the digest; tagSuffix (when neither is set) appends to the tag and drops the digest.
    """
    decoded = [
        decode_go_struct(
            e,
            _IMAGE_FIELDS,
            struct="Image",
            parent="Kustomization",
            json_path="images",
            file=file,
            field=f"images[{i}]",
        )
        for i, e in enumerate(images)
    ]
    specs = config.kustomize_sorted(config.IMAGES)
    if not decoded:
        return
    legacy = [
        (r, _legacy_containers(r, r.obj, [])) for r in resources if r.kind != "CustomResourceDefinition"
    ]
    for i, image in enumerate(decoded):
        name = image.get("name", "")
        try:
            pattern = re.compile("^" + name + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?\Z")
        except re.error as err:
            raise KustomizeError(
                f"image name {name!r} is not a valid regular expression: {err}",
                file=file,
                field=f"images[{i}].name",
                hint="kustomize matches image names as regular expressions (and crashes on this one)",
            ) from None

        def update(current: Any, pattern: re.Pattern[str] = pattern, image: dict[str, str] = image) -> Any:
            if isinstance(current, (dict, list)):
                raise FieldSpecError(
                    f"wrong node kind: expected ScalarNode but got {yaml_node_kind(current)}"
                )
            if current is None:
                return None
            text = _scalar_text(current)
            return _new_image(text, image) if pattern.match(text) else current

        for r, items in legacy:
            for item in items:
                try:
                    item["image"] = update(item["image"])
                except FieldSpecError as err:
                    raise KustomizeError(err.message, file=r.origin) from None
        for r in resources:
            if r.kind != "CustomResourceDefinition":
                for spec in specs:
                    _apply(r, spec, update, None)


def _legacy_containers(r: Resource, node: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What kustomize's legacy image filter rewrites: the elements with an `image` of every list named
    containers or initContainers, at any depth (collected once; rewriting images changes no structure)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(value, (dict, list)):
                continue
            _legacy_containers(r, value, found)
            if key in ("containers", "initContainers") and isinstance(value, list):
                for item in value:
                    if not isinstance(item, dict):
                        raise KustomizeError(
                            f"wrong node kind: expected MappingNode but got {yaml_node_kind(item)}",
                            file=r.origin,
                        )
                    if "image" in item:
                        found.append(item)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)):
                _legacy_containers(r, item, found)
    return found


def split_image(image: str) -> tuple[str, str, str]:
    """kustomize's image.Split: (name, tag, digest); a registry's `host:port/` is not a tag."""
    slash = image.find("/")
    offset = slash if slash > 0 else 0
    search = image[offset:]
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
    new_tag, new_digest, tag_suffix = image.get("newTag"), image.get("digest"), image.get("tagSuffix")
    if new_tag and new_digest:
        tag, digest = new_tag, new_digest
    elif new_tag:
        tag, digest = new_tag, ""
    elif new_digest:
        tag, digest = "", new_digest
    elif tag_suffix:
        tag, digest = tag + tag_suffix, ""
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    return name


# -- replicas ----------------------------------------------------------------------------------------------

_REPLICA_FIELDS = {"name": "string", "count": "int64"}


def set_replicas(resources: list[Resource], replicas: list[Any], *, file: str) -> None:
    """`replicas:` entries: spec.replicas (an integer, created if missing) of the objects of kind
    Deployment, StatefulSet, ReplicaSet or ReplicationController, any group, whose current or any earlier
    name is the entry's name. An entry that matches nothing is an error."""
    decoded = [
        decode_go_struct(
            e,
            _REPLICA_FIELDS,
            struct="Replica",
            parent="Kustomization",
            json_path="replicas",
            file=file,
            field=f"replicas[{i}]",
        )
        for i, e in enumerate(replicas)
    ]
    specs = config.kustomize_sorted(config.REPLICAS)
    for i, entry in enumerate(decoded):
        name: str = entry.get("name", "")
        count: int = entry.get("count", 0)

        def set_count(current: Any, count: int = count) -> Any:
            if isinstance(current, (dict, list)):
                raise FieldSpecError(
                    f"wrong node kind: expected ScalarNode but got {yaml_node_kind(current)}"
                )
            return count

        found = False
        for spec in specs:
            for r in resources:
                if any(
                    rid.name == name and spec.selects(rid.gvk.group, rid.gvk.version, rid.gvk.kind)
                    for rid in (*r.prev_ids, r.id)
                ):
                    found = True
                    _apply(r, spec, set_count, "scalar")
        if not found:
            gvks = " ".join(config.gvk_string(s) for s in specs)
            raise KustomizeError(
                f"resource with name {name} does not match a config with the following GVK [{gvks}]",
                file=file,
                field=f"replicas[{i}]",
            )
