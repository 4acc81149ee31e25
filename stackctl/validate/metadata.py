"""Kubernetes' own rules for a custom resource's metadata, which no CRD schema can change.

The API server checks ObjectMeta itself (apimachinery's ValidateObjectMeta): a custom resource's name is a
DNS-1123 subdomain, its namespace a DNS-1123 label, label keys and values and annotation keys have fixed
shapes, annotations are at most 256 KiB; a cluster-scoped object's namespace is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from stackctl.validate.schema import Problem

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_ANNOTATIONS_MAX = 256 * 1024

OBJECT_META_FIELDS = frozenset(
    {
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    }
)


def _subdomain(value: str) -> str | None:
    if len(value) > 253:
        return "must be no more than 253 characters"
    if not _DNS_SUBDOMAIN.match(value):
        return (
            "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return None


def _qualified_name(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return "prefix part must be non-empty"
    if prefix and (problem := _subdomain(prefix)):
        return f"prefix part: {problem}"
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    if not _QUALIFIED_NAME.match(name):
        return (
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character"
        )
    return None


def check_metadata(obj: dict[str, Any], *, namespaced: bool) -> Iterator[Problem]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        yield Problem(("metadata",), "metadata", "required value: an object needs metadata with a name")
        return
    for key in meta:
        if key not in OBJECT_META_FIELDS:
            yield Problem(("metadata", key), "unknown-field", f'unknown field "{key}"')
    name = meta.get("name")
    if not name:
        yield Problem(("metadata", "name"), "metadata", "required value", "an applied object needs a name")
    elif not isinstance(name, str):
        yield Problem(("metadata", "name"), "metadata", f"must be a string, not {name!r}")
    elif problem := _subdomain(name):
        yield Problem(("metadata", "name"), "metadata", f'invalid value "{name}": {problem}')
    namespace = meta.get("namespace")
    if namespace:
        if not isinstance(namespace, str) or len(namespace) > 63 or not _DNS_LABEL.match(namespace):
            yield Problem(
                ("metadata", "namespace"),
                "metadata",
                f"invalid value {namespace!r}: a DNS-1123 label must consist of lower case alphanumeric "
                "characters or '-', start and end with an alphanumeric character, at most 63 characters",
            )
        elif not namespaced:
            yield Problem(
                ("metadata", "namespace"),
                "cluster-scoped-namespace",
                f'namespace "{namespace}" is ignored: {obj.get("kind")} is cluster-scoped',
                "remove it (a kustomization `namespace:` sets it on kinds kustomize does not know are "
                "cluster-scoped)",
            )
    yield from _labels(meta.get("labels"))
    yield from _annotations(meta.get("annotations"))


def _labels(labels: Any) -> Iterator[Problem]:
    if labels is None:
        return
    if not isinstance(labels, dict):
        yield Problem(("metadata", "labels"), "metadata", "must be a map of strings")
        return
    for key, value in labels.items():
        path = ("metadata", "labels", str(key))
        if problem := _qualified_name(str(key)):
            yield Problem(path, "metadata", f'invalid label key "{key}": {problem}')
        if not isinstance(value, str):
            yield Problem(path, "metadata", f"label values must be strings, not {value!r}")
        elif len(value) > 63 or not _LABEL_VALUE.match(value):
            yield Problem(
                path,
                "metadata",
                f'invalid label value "{value}": at most 63 characters, alphanumeric, "-", "_" or "." '
                "and starting and ending with an alphanumeric character",
            )


def _annotations(annotations: Any) -> Iterator[Problem]:
    if annotations is None:
        return
    if not isinstance(annotations, dict):
        yield Problem(("metadata", "annotations"), "metadata", "must be a map of strings")
        return
    size = 0
    for key, value in annotations.items():
        path = ("metadata", "annotations", str(key))
        if problem := _qualified_name(str(key).lower()):
            yield Problem(path, "metadata", f'invalid annotation key "{key}": {problem}')
        if not isinstance(value, str):
            yield Problem(path, "metadata", f"annotation values must be strings, not {value!r}")
        size += len(str(key)) + len(str(value))
    if size > _ANNOTATIONS_MAX:
        yield Problem(
            ("metadata", "annotations"), "metadata", f"too long: {size} bytes, at most {_ANNOTATIONS_MAX}"
        )
