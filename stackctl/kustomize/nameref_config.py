"""kustomize's default nameReference table (v5.8.1) as data, and the rules for extending it.

The name-reference fixer needs to know, for every kind whose objects can be renamed (the referral), which
fields of which other kinds (the referrers) hold such a name. kustomize compiles this table into the binary
(konfig/builtinpluginconsts/namereference.go); the entries below were read from the v5.8.1 binary that
`kubectl kustomize` carries, including its quirks: the Ingress `spec/tls/secretName` entry twice, and an
IngressClass entry whose group `networking.k8s.io/v1` matches no real object, so IngressClass references are
never fixed.

Order matters only in corner cases (one field listed for several referral kinds), but kustomize always sorts
the table by referral kind the way it sorts output (`Gvk.IsLessThan`), so `DEFAULT_NAME_REFERENCES` is kept
in that order and `merge_name_references` re-sorts after adding user `configurations:` entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stackctl.errors import KustomizeError
from stackctl.kustomize.fieldspec import split_path
from stackctl.kustomize.order import kind_rank


@dataclass(frozen=True, slots=True)
class GvkSelector:
    """A kustomize Gvk used as a selector: an empty field matches anything."""

    group: str = ""
    version: str = ""
    kind: str = ""

    def selects(self, group: str, version: str, kind: str) -> bool:
        return (
            (not self.group or self.group == group)
            and (not self.version or self.version == version)
            and (not self.kind or self.kind == kind)
        )


@dataclass(frozen=True, slots=True)
class ReferrerSpec:
    """A field (kustomize field-spec path) of the selected kinds that holds a referral's name."""

    path: str
    gvk: GvkSelector
    create: bool = False

    @property
    def segments(self) -> tuple[str, ...]:
        return split_path(self.path)


@dataclass(frozen=True, slots=True)
class NameBackReference:
    """A referral kind and every field that may name an object of that kind."""

    gvk: GvkSelector
    referrers: tuple[ReferrerSpec, ...]


def gvk_sort_key(gvk: GvkSelector) -> tuple[int, str]:
    """kustomize's `Gvk.IsLessThan`: the fixed kind order, then `group_version_kind` with `~G`/`~V`/`~K`."""
    stable = "_".join((gvk.group or "~G", gvk.version or "~V", gvk.kind or "~K"))
    return kind_rank(gvk.kind), stable


def _target(kind: str, group: str, version: str, referrers: Iterable[tuple[str, ...]]) -> NameBackReference:
    specs = tuple(
        ReferrerSpec(
            path, GvkSelector(rest[1] if len(rest) > 1 else "", rest[2] if len(rest) > 2 else "", rest[0])
        )
        for path, *rest in referrers
    )
    return NameBackReference(GvkSelector(group, version, kind), specs)


# (path, referrer kind[, referrer group[, referrer version]]) per referral kind, in the binary's order.
_TABLE = (
    _target("Deployment", "", "", (("spec/scaleTargetRef/name", "HorizontalPodAutoscaler"),)),
    _target("ReplicationController", "", "", (("spec/scaleTargetRef/name", "HorizontalPodAutoscaler"),)),
    _target("ReplicaSet", "", "", (("spec/scaleTargetRef/name", "HorizontalPodAutoscaler"),)),
    _target("StatefulSet", "", "", (("spec/scaleTargetRef/name", "HorizontalPodAutoscaler"),)),
    _target(
        "ConfigMap",
        "",
        "v1",
        (
            ("spec/volumes/configMap/name", "Pod", "", "v1"),
            ("spec/containers/env/valueFrom/configMapKeyRef/name", "Pod", "", "v1"),
            ("spec/initContainers/env/valueFrom/configMapKeyRef/name", "Pod", "", "v1"),
            ("spec/containers/envFrom/configMapRef/name", "Pod", "", "v1"),
            ("spec/initContainers/envFrom/configMapRef/name", "Pod", "", "v1"),
            ("spec/volumes/projected/sources/configMap/name", "Pod", "", "v1"),
            ("template/spec/volumes/configMap/name", "PodTemplate"),
            ("template/spec/containers/env/valueFrom/configMapKeyRef/name", "PodTemplate"),
            ("template/spec/initContainers/env/valueFrom/configMapKeyRef/name", "PodTemplate"),
            ("template/spec/containers/envFrom/configMapRef/name", "PodTemplate"),
            ("template/spec/initContainers/envFrom/configMapRef/name", "PodTemplate"),
            ("template/spec/volumes/projected/sources/configMap/name", "PodTemplate"),
            ("spec/template/spec/volumes/configMap/name", "Deployment"),
            ("spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "Deployment"),
            ("spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", "Deployment"),
            ("spec/template/spec/containers/envFrom/configMapRef/name", "Deployment"),
            ("spec/template/spec/initContainers/envFrom/configMapRef/name", "Deployment"),
            ("spec/template/spec/volumes/projected/sources/configMap/name", "Deployment"),
            ("spec/template/spec/volumes/configMap/name", "ReplicaSet"),
            ("spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "ReplicaSet"),
            ("spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", "ReplicaSet"),
            ("spec/template/spec/containers/envFrom/configMapRef/name", "ReplicaSet"),
            ("spec/template/spec/initContainers/envFrom/configMapRef/name", "ReplicaSet"),
            ("spec/template/spec/volumes/projected/sources/configMap/name", "ReplicaSet"),
            ("spec/template/spec/volumes/configMap/name", "DaemonSet"),
            ("spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "DaemonSet"),
            ("spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", "DaemonSet"),
            ("spec/template/spec/containers/envFrom/configMapRef/name", "DaemonSet"),
            ("spec/template/spec/initContainers/envFrom/configMapRef/name", "DaemonSet"),
            ("spec/template/spec/volumes/projected/sources/configMap/name", "DaemonSet"),
            ("spec/template/spec/volumes/configMap/name", "StatefulSet"),
            ("spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "StatefulSet"),
            ("spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", "StatefulSet"),
            ("spec/template/spec/containers/envFrom/configMapRef/name", "StatefulSet"),
            ("spec/template/spec/initContainers/envFrom/configMapRef/name", "StatefulSet"),
            ("spec/template/spec/volumes/projected/sources/configMap/name", "StatefulSet"),
            ("spec/template/spec/volumes/configMap/name", "Job"),
            ("spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "Job"),
            ("spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", "Job"),
            ("spec/template/spec/containers/envFrom/configMapRef/name", "Job"),
            ("spec/template/spec/initContainers/envFrom/configMapRef/name", "Job"),
            ("spec/template/spec/volumes/projected/sources/configMap/name", "Job"),
            ("spec/jobTemplate/spec/template/spec/volumes/configMap/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "CronJob"),
            (
                "spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name",
                "CronJob",
            ),
            ("spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name", "CronJob"),
            ("spec/configSource/configMap", "Node"),
            ("rules/resourceNames", "Role"),
            ("rules/resourceNames", "ClusterRole"),
            ("metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "Ingress"),
        ),
    ),
    _target(
        "Secret",
        "",
        "v1",
        (
            ("spec/volumes/secret/secretName", "Pod", "", "v1"),
            ("spec/containers/env/valueFrom/secretKeyRef/name", "Pod", "", "v1"),
            ("spec/initContainers/env/valueFrom/secretKeyRef/name", "Pod", "", "v1"),
            ("spec/containers/envFrom/secretRef/name", "Pod", "", "v1"),
            ("spec/initContainers/envFrom/secretRef/name", "Pod", "", "v1"),
            ("spec/imagePullSecrets/name", "Pod", "", "v1"),
            ("spec/volumes/projected/sources/secret/name", "Pod", "", "v1"),
            ("template/spec/volumes/secret/secretName", "PodTemplate"),
            ("template/spec/containers/env/valueFrom/secretKeyRef/name", "PodTemplate"),
            ("template/spec/initContainers/env/valueFrom/secretKeyRef/name", "PodTemplate"),
            ("template/spec/containers/envFrom/secretRef/name", "PodTemplate"),
            ("template/spec/initContainers/envFrom/secretRef/name", "PodTemplate"),
            ("template/spec/imagePullSecrets/name", "PodTemplate"),
            ("template/spec/volumes/projected/sources/secret/name", "PodTemplate"),
            ("spec/template/spec/volumes/secret/secretName", "Deployment"),
            ("spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "Deployment"),
            ("spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", "Deployment"),
            ("spec/template/spec/containers/envFrom/secretRef/name", "Deployment"),
            ("spec/template/spec/initContainers/envFrom/secretRef/name", "Deployment"),
            ("spec/template/spec/imagePullSecrets/name", "Deployment"),
            ("spec/template/spec/volumes/projected/sources/secret/name", "Deployment"),
            ("spec/template/spec/volumes/secret/secretName", "ReplicaSet"),
            ("spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "ReplicaSet"),
            ("spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", "ReplicaSet"),
            ("spec/template/spec/containers/envFrom/secretRef/name", "ReplicaSet"),
            ("spec/template/spec/initContainers/envFrom/secretRef/name", "ReplicaSet"),
            ("spec/template/spec/imagePullSecrets/name", "ReplicaSet"),
            ("spec/template/spec/volumes/projected/sources/secret/name", "ReplicaSet"),
            ("spec/template/spec/volumes/secret/secretName", "DaemonSet"),
            ("spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "DaemonSet"),
            ("spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", "DaemonSet"),
            ("spec/template/spec/containers/envFrom/secretRef/name", "DaemonSet"),
            ("spec/template/spec/initContainers/envFrom/secretRef/name", "DaemonSet"),
            ("spec/template/spec/imagePullSecrets/name", "DaemonSet"),
            ("spec/template/spec/volumes/projected/sources/secret/name", "DaemonSet"),
            ("spec/template/spec/volumes/secret/secretName", "StatefulSet"),
            ("spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "StatefulSet"),
            ("spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", "StatefulSet"),
            ("spec/template/spec/containers/envFrom/secretRef/name", "StatefulSet"),
            ("spec/template/spec/initContainers/envFrom/secretRef/name", "StatefulSet"),
            ("spec/template/spec/imagePullSecrets/name", "StatefulSet"),
            ("spec/template/spec/volumes/projected/sources/secret/name", "StatefulSet"),
            ("spec/template/spec/volumes/secret/secretName", "Job"),
            ("spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "Job"),
            ("spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", "Job"),
            ("spec/template/spec/containers/envFrom/secretRef/name", "Job"),
            ("spec/template/spec/initContainers/envFrom/secretRef/name", "Job"),
            ("spec/template/spec/imagePullSecrets/name", "Job"),
            ("spec/template/spec/volumes/projected/sources/secret/name", "Job"),
            ("spec/jobTemplate/spec/template/spec/volumes/secret/secretName", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name", "CronJob"),
            ("spec/jobTemplate/spec/template/spec/imagePullSecrets/name", "CronJob"),
            ("spec/tls/secretName", "Ingress"),
            ("metadata/annotations/ingress.kubernetes.io\\/auth-secret", "Ingress"),
            ("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", "Ingress"),
            ("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", "Ingress"),
            ("spec/tls/secretName", "Ingress"),
            ("imagePullSecrets/name", "ServiceAccount"),
            ("parameters/secretName", "StorageClass"),
            ("parameters/adminSecretName", "StorageClass"),
            ("parameters/userSecretName", "StorageClass"),
            ("parameters/secretRef", "StorageClass"),
            ("rules/resourceNames", "Role"),
            ("rules/resourceNames", "ClusterRole"),
            (
                "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
                "Service",
                "serving.knative.dev",
                "v1",
            ),
            ("spec/azureFile/secretName", "PersistentVolume"),
        ),
    ),
    _target(
        "Service",
        "",
        "v1",
        (
            ("spec/serviceName", "StatefulSet", "apps"),
            ("spec/rules/http/paths/backend/serviceName", "Ingress"),
            ("spec/backend/serviceName", "Ingress"),
            ("spec/rules/http/paths/backend/service/name", "Ingress"),
            ("spec/defaultBackend/service/name", "Ingress"),
            ("spec/service/name", "APIService", "apiregistration.k8s.io"),
            (
                "webhooks/clientConfig/service",
                "ValidatingWebhookConfiguration",
                "admissionregistration.k8s.io",
            ),
            ("webhooks/clientConfig/service", "MutatingWebhookConfiguration", "admissionregistration.k8s.io"),
        ),
    ),
    _target(
        "Role",
        "rbac.authorization.k8s.io",
        "",
        (("roleRef/name", "RoleBinding", "rbac.authorization.k8s.io"),),
    ),
    _target(
        "ClusterRole",
        "rbac.authorization.k8s.io",
        "",
        (
            ("roleRef/name", "RoleBinding", "rbac.authorization.k8s.io"),
            ("roleRef/name", "ClusterRoleBinding", "rbac.authorization.k8s.io"),
        ),
    ),
    _target(
        "ServiceAccount",
        "",
        "v1",
        (
            ("subjects", "RoleBinding", "rbac.authorization.k8s.io"),
            ("subjects", "ClusterRoleBinding", "rbac.authorization.k8s.io"),
            ("spec/serviceAccountName", "Pod"),
            ("spec/template/spec/serviceAccountName", "StatefulSet"),
            ("spec/template/spec/serviceAccountName", "Deployment"),
            ("spec/template/spec/serviceAccountName", "ReplicationController"),
            ("spec/jobTemplate/spec/template/spec/serviceAccountName", "CronJob"),
            ("spec/template/spec/serviceAccountName", "Job"),
            ("spec/template/spec/serviceAccountName", "DaemonSet"),
        ),
    ),
    _target(
        "PersistentVolumeClaim",
        "",
        "v1",
        (
            ("spec/volumes/persistentVolumeClaim/claimName", "Pod"),
            ("spec/template/spec/volumes/persistentVolumeClaim/claimName", "StatefulSet"),
            ("spec/template/spec/volumes/persistentVolumeClaim/claimName", "Deployment"),
            ("spec/template/spec/volumes/persistentVolumeClaim/claimName", "ReplicationController"),
            ("spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName", "CronJob"),
            ("spec/template/spec/volumes/persistentVolumeClaim/claimName", "Job"),
            ("spec/template/spec/volumes/persistentVolumeClaim/claimName", "DaemonSet"),
        ),
    ),
    _target(
        "PersistentVolume",
        "",
        "v1",
        (
            ("spec/volumeName", "PersistentVolumeClaim"),
            ("rules/resourceNames", "ClusterRole"),
        ),
    ),
    _target(
        "StorageClass",
        "storage.k8s.io",
        "v1",
        (
            ("spec/storageClassName", "PersistentVolume"),
            ("spec/storageClassName", "PersistentVolumeClaim"),
            ("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"),
        ),
    ),
    _target(
        "PriorityClass",
        "scheduling.k8s.io",
        "v1",
        (
            ("spec/priorityClassName", "Pod"),
            ("spec/template/spec/priorityClassName", "StatefulSet"),
            ("spec/template/spec/priorityClassName", "Deployment"),
            ("spec/template/spec/priorityClassName", "ReplicationController"),
            ("spec/jobTemplate/spec/template/spec/priorityClassName", "CronJob"),
            ("spec/template/spec/priorityClassName", "Job"),
            ("spec/template/spec/priorityClassName", "DaemonSet"),
        ),
    ),
    _target("IngressClass", "networking.k8s.io/v1", "v1", (("spec/ingressClassName", "Ingress"),)),
    _target(
        "ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io",
        "",
        (("spec/policyName", "ValidatingAdmissionPolicyBinding", "admissionregistration.k8s.io"),),
    ),
)

DEFAULT_NAME_REFERENCES: tuple[NameBackReference, ...] = tuple(
    sorted(_TABLE, key=lambda b: gvk_sort_key(b.gvk))
)


def merge_name_references(
    base: Sequence[NameBackReference], extra: Iterable[NameBackReference]
) -> tuple[NameBackReference, ...]:
    """Add entries (from `configurations:` or CRDs) as kustomize merges transformer configs, then sort.

    An entry for a referral Gvk already present extends its referrers; a referrer already there (same path,
    and a Gvk the new one selects) is skipped, or is an error if only its `create` flag differs.
    """
    merged = list(base)
    for entry in extra:
        for i, have in enumerate(merged):
            if have.gvk == entry.gvk:
                referrers = list(have.referrers)
                for spec in entry.referrers:
                    same = next(
                        (
                            r
                            for r in referrers
                            if r.path == spec.path
                            and spec.gvk.selects(r.gvk.group, r.gvk.version, r.gvk.kind)
                        ),
                        None,
                    )
                    if same is None:
                        referrers.append(spec)
                    elif same.create != spec.create:
                        raise KustomizeError(
                            "failed to merge NameReference fieldSpec: conflicting fieldspecs",
                            hint=f"two nameReference fieldSpecs for path {spec.path!r} disagree on `create`",
                        )
                merged[i] = NameBackReference(have.gvk, tuple(referrers))
                break
        else:
            merged.append(entry)
    return tuple(sorted(merged, key=lambda b: gvk_sort_key(b.gvk)))


def parse_name_references(data: Any, *, file: str | None = None) -> tuple[NameBackReference, ...]:
    """The `nameReference:` list of a transformer configuration file, as kustomize reads it."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise KustomizeError("nameReference must be a list", file=file, field="nameReference")
    out: list[NameBackReference] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise KustomizeError("expected a map", file=file, field=f"nameReference[{i}]")
        specs = item.get("fieldSpecs") or []
        if not isinstance(specs, list):
            raise KustomizeError(
                "fieldSpecs must be a list", file=file, field=f"nameReference[{i}].fieldSpecs"
            )
        referrers: list[ReferrerSpec] = []
        for j, spec in enumerate(specs):
            if not isinstance(spec, dict):
                raise KustomizeError("expected a map", file=file, field=f"nameReference[{i}].fieldSpecs[{j}]")
            referrers.append(ReferrerSpec(_str(spec.get("path")), _selector(spec), bool(spec.get("create"))))
        out.append(NameBackReference(_selector(item), tuple(referrers)))
    return tuple(out)


def _selector(item: dict[str, Any]) -> GvkSelector:
    return GvkSelector(_str(item.get("group")), _str(item.get("version")), _str(item.get("kind")))


def _str(value: Any) -> str:
    return "" if value is None else str(value)
