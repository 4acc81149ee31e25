"""kustomize v5.8.1's default field-spec tables, as data.

These are the `builtinpluginconsts` tables compiled into kustomize (read from the v5.8.1 binary carried by
kubectl 1.37.1), in source order. kustomize sorts each table by gvk when it loads it (`kustomize_sorted`);
the sorted order is the order a transformer visits fields in and the order its messages list them in.
"""

from __future__ import annotations

from collections.abc import Iterable

from stackctl.kustomize.fieldspec import FieldSpec
from stackctl.kustomize.order import LEGACY_FIRST, LEGACY_LAST

_fs = FieldSpec.of

NAME_PREFIX: tuple[FieldSpec, ...] = (_fs("metadata/name"),)
NAME_SUFFIX: tuple[FieldSpec, ...] = (_fs("metadata/name"),)

_AFFINITY_SELECTORS = (
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/"
    "podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
    "labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/"
    "podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
    "labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
)

SELECTOR_LABELS: tuple[FieldSpec, ...] = (
    _fs("spec/selector", version="v1", kind="Service", create=True),
    _fs("spec/selector", version="v1", kind="ReplicationController", create=True),
    _fs("spec/selector/matchLabels", kind="Deployment", create=True),
    *(_fs(p, group="apps", kind="Deployment") for p in _AFFINITY_SELECTORS),
    _fs("spec/selector/matchLabels", kind="ReplicaSet", create=True),
    _fs("spec/selector/matchLabels", kind="DaemonSet", create=True),
    _fs("spec/selector/matchLabels", group="apps", kind="StatefulSet", create=True),
    *(_fs(p, group="apps", kind="StatefulSet") for p in _AFFINITY_SELECTORS),
    _fs("spec/selector/matchLabels", group="batch", kind="Job"),
    _fs("spec/jobTemplate/spec/selector/matchLabels", group="batch", kind="CronJob"),
    _fs("spec/selector/matchLabels", group="policy", kind="PodDisruptionBudget"),
    _fs("spec/podSelector/matchLabels", group="networking.k8s.io", kind="NetworkPolicy"),
    _fs("spec/ingress/from/podSelector/matchLabels", group="networking.k8s.io", kind="NetworkPolicy"),
    _fs("spec/egress/to/podSelector/matchLabels", group="networking.k8s.io", kind="NetworkPolicy"),
)
"""The selector half of kustomize's commonLabels table."""

METADATA_LABELS: tuple[FieldSpec, ...] = (_fs("metadata/labels", create=True),)

TEMPLATE_LABELS_ONLY: tuple[FieldSpec, ...] = (
    _fs("spec/template/metadata/labels", version="v1", kind="ReplicationController", create=True),
    _fs("spec/template/metadata/labels", kind="Deployment", create=True),
    _fs("spec/template/metadata/labels", kind="ReplicaSet", create=True),
    _fs("spec/template/metadata/labels", kind="DaemonSet", create=True),
    _fs("spec/template/metadata/labels", group="apps", kind="StatefulSet", create=True),
    _fs("spec/volumeClaimTemplates[]/metadata/labels", group="apps", kind="StatefulSet", create=True),
    _fs("spec/template/metadata/labels", group="batch", kind="Job", create=True),
    _fs("spec/jobTemplate/metadata/labels", group="batch", kind="CronJob", create=True),
    _fs("spec/jobTemplate/spec/template/metadata/labels", group="batch", kind="CronJob", create=True),
)

COMMON_LABELS: tuple[FieldSpec, ...] = SELECTOR_LABELS + METADATA_LABELS + TEMPLATE_LABELS_ONLY
"""`commonLabels`, and a `labels` entry with `includeSelectors: true`."""

TEMPLATE_LABELS: tuple[FieldSpec, ...] = METADATA_LABELS + TEMPLATE_LABELS_ONLY
"""A `labels` entry with `includeTemplates: true` (and no selectors)."""

COMMON_ANNOTATIONS: tuple[FieldSpec, ...] = (
    _fs("metadata/annotations", create=True),
    _fs("spec/template/metadata/annotations", version="v1", kind="ReplicationController", create=True),
    _fs("spec/template/metadata/annotations", kind="Deployment", create=True),
    _fs("spec/template/metadata/annotations", kind="ReplicaSet", create=True),
    _fs("spec/template/metadata/annotations", kind="DaemonSet", create=True),
    _fs("spec/template/metadata/annotations", kind="StatefulSet", create=True),
    _fs("spec/template/metadata/annotations", group="batch", kind="Job", create=True),
    _fs("spec/jobTemplate/metadata/annotations", group="batch", kind="CronJob", create=True),
    _fs("spec/jobTemplate/spec/template/metadata/annotations", group="batch", kind="CronJob", create=True),
)

NAMESPACE: tuple[FieldSpec, ...] = (
    _fs("metadata/name", kind="Namespace", create=True),
    _fs("spec/service/namespace", group="apiregistration.k8s.io", kind="APIService", create=True),
    _fs(
        "spec/conversion/webhook/clientConfig/service/namespace",
        group="apiextensions.k8s.io",
        kind="CustomResourceDefinition",
    ),
)
"""Besides these, the namespace filter itself sets metadata.namespace on namespaced kinds and the namespace
of (Cluster)RoleBinding subjects named "default"."""

IMAGES: tuple[FieldSpec, ...] = (
    _fs("spec/containers[]/image", create=True),
    _fs("spec/initContainers[]/image", create=True),
    _fs("spec/volumes[]/image/reference", create=True),
    _fs("spec/template/spec/containers[]/image", create=True),
    _fs("spec/template/spec/initContainers[]/image", create=True),
    _fs("spec/template/spec/volumes[]/image/reference", create=True),
)
"""Besides these, the image filter rewrites `image` in every list named containers or initContainers."""

REPLICAS: tuple[FieldSpec, ...] = (
    _fs("spec/replicas", kind="Deployment", create=True),
    _fs("spec/replicas", kind="ReplicationController", create=True),
    _fs("spec/replicas", kind="ReplicaSet", create=True),
    _fs("spec/replicas", kind="StatefulSet", create=True),
)


_KIND_RANK = {kind: i - len(LEGACY_FIRST) for i, kind in enumerate(LEGACY_FIRST)} | {
    kind: i + 1 for i, kind in enumerate(LEGACY_LAST)
}


def gvk_string(spec: FieldSpec) -> str:
    """kyaml's `Gvk.String()` of a spec's gvk: `Deployment.[noVer].[noGrp]`."""
    return f"{spec.kind or '[noKind]'}.{spec.version or '[noVer]'}.{spec.group or '[noGrp]'}"


def kustomize_sorted(specs: Iterable[FieldSpec]) -> tuple[FieldSpec, ...]:
    """A table as kustomize's TransformerConfig holds it: sorted by gvk (`Gvk.IsLessThan`: legacy kind rank,
    then the gvk string).

    kustomize's sort is not stable; specs with the same gvk keep their source order here. They always name
    different fields, so only the order of their error messages could differ.
    """
    return tuple(sorted(specs, key=lambda s: (_KIND_RANK.get(s.kind, 0), gvk_string(s))))
