"""The API surface the test server serves: built-in resources, and the ones CRDs add while it runs.

Discovery documents are generated from this registry, so what `/apis/<group>/<version>` lists is exactly
what the resource paths accept: a kind becomes servable the moment its CRD is stored (and refused with the
apiserver's 404 before), as on a real cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status: bool = False  # has a status subresource: `status` is ignored on the main resource
    generation: bool = False  # metadata.generation is maintained
    crd: str = ""  # name of the CRD that defines it, "" for built-ins

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """`deployments.apps`, `configmaps`: how the apiserver names a resource in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def discovery(self) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {
            "name": self.plural,
            "singularName": self.singular or self.kind.lower(),
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": VERBS,
        }
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        if self.categories:
            entry["categories"] = list(self.categories)
        out = [entry]
        if self.status:
            out.append(
                {
                    "name": f"{self.plural}/status",
                    "singularName": "",
                    "namespaced": self.namespaced,
                    "kind": self.kind,
                    "verbs": ["get", "patch", "update"],
                }
            )
        return out


def _r(gv: str, plural: str, kind: str, namespaced: bool = True, **kw: Any) -> Resource:
    group, _, version = gv.rpartition("/")
    return Resource(group, version, plural, kind, namespaced, **kw)


BUILTIN: tuple[Resource, ...] = (
    _r("v1", "namespaces", "Namespace", False, short_names=("ns",), status=True),
    _r("v1", "configmaps", "ConfigMap", short_names=("cm",)),
    _r("v1", "secrets", "Secret"),
    _r("v1", "serviceaccounts", "ServiceAccount", short_names=("sa",)),
    _r("v1", "services", "Service", short_names=("svc",), status=True, categories=("all",)),
    _r("v1", "endpoints", "Endpoints", short_names=("ep",)),
    _r("v1", "pods", "Pod", short_names=("po",), status=True, categories=("all",)),
    _r("v1", "persistentvolumeclaims", "PersistentVolumeClaim", short_names=("pvc",), status=True),
    _r("v1", "persistentvolumes", "PersistentVolume", False, short_names=("pv",), status=True),
    _r("v1", "resourcequotas", "ResourceQuota", short_names=("quota",), status=True),
    _r("v1", "limitranges", "LimitRange", short_names=("limits",)),
    _r("v1", "nodes", "Node", False, short_names=("no",), status=True),
    _r("apps/v1", "deployments", "Deployment", short_names=("deploy",), status=True, generation=True),
    _r("apps/v1", "statefulsets", "StatefulSet", short_names=("sts",), status=True, generation=True),
    _r("apps/v1", "daemonsets", "DaemonSet", short_names=("ds",), status=True, generation=True),
    _r("apps/v1", "replicasets", "ReplicaSet", short_names=("rs",), status=True, generation=True),
    _r("batch/v1", "jobs", "Job", status=True, generation=True),
    _r("batch/v1", "cronjobs", "CronJob", short_names=("cj",), status=True, generation=True),
    _r("rbac.authorization.k8s.io/v1", "roles", "Role"),
    _r("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding"),
    _r("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", False),
    _r("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", False),
    _r(
        "admissionregistration.k8s.io/v1",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
        False,
        generation=True,
    ),
    _r(
        "admissionregistration.k8s.io/v1",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        False,
        generation=True,
    ),
    _r(
        "apiextensions.k8s.io/v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        short_names=("crd", "crds"),
        status=True,
        generation=True,
    ),
    _r("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", short_names=("pdb",), status=True),
    _r("discovery.k8s.io/v1", "endpointslices", "EndpointSlice"),
    _r("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", short_names=("netpol",), generation=True),
    _r("networking.k8s.io/v1", "ingresses", "Ingress", short_names=("ing",), status=True, generation=True),
    _r("networking.k8s.io/v1", "ingressclasses", "IngressClass", False),
    _r("scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", False, short_names=("pc",)),
    _r("storage.k8s.io/v1", "storageclasses", "StorageClass", False, short_names=("sc",)),
    _r("coordination.k8s.io/v1", "leases", "Lease"),
)


@dataclass
class Registry:
    """Served resources by group/version; CRDs add and remove theirs."""

    by_gv: dict[str, dict[str, Resource]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for res in BUILTIN:
            self.add(res)

    def add(self, res: Resource) -> None:
        self.by_gv.setdefault(res.group_version, {})[res.plural] = res

    def remove_crd(self, crd_name: str) -> None:
        for gv in list(self.by_gv):
            kept = {p: r for p, r in self.by_gv[gv].items() if r.crd != crd_name}
            if kept:
                self.by_gv[gv] = kept
            else:
                del self.by_gv[gv]

    def lookup(self, group: str, version: str, plural: str) -> Resource | None:
        gv = f"{group}/{version}" if group else version
        return self.by_gv.get(gv, {}).get(plural)

    def for_kind(self, group: str, kind: str) -> list[Resource]:
        return [r for rs in self.by_gv.values() for r in rs.values() if r.group == group and r.kind == kind]

    def group_versions(self) -> dict[str, list[str]]:
        """group -> served versions, in registration order (the first is the preferred one)."""
        out: dict[str, list[str]] = {}
        for gv in self.by_gv:
            group, _, version = gv.rpartition("/")
            if group:
                out.setdefault(group, []).append(version)
        return out

    # -- discovery documents ---------------------------------------------------------------------------

    def api_versions(self, address: str) -> dict[str, Any]:
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
        }

    def _group(self, group: str, versions: list[str]) -> dict[str, Any]:
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"name": group, "versions": entries, "preferredVersion": entries[0]}

    def api_group_list(self) -> dict[str, Any]:
        groups = [self._group(g, vs) for g, vs in self.group_versions().items()]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def api_group(self, group: str) -> dict[str, Any] | None:
        versions = self.group_versions().get(group)
        if not versions:
            return None
        return {"kind": "APIGroup", "apiVersion": "v1", **self._group(group, versions)}

    def resource_list(self, gv: str) -> dict[str, Any] | None:
        resources = self.by_gv.get(gv)
        if not resources:
            return None
        listed = [entry for res in resources.values() for entry in res.discovery()]
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": listed}


def crd_resources(crd: dict[str, Any]) -> list[Resource]:
    """The resources a stored CRD serves (one per served version)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    name = str((crd.get("metadata") or {}).get("name") or "")
    out = []
    for version in spec.get("versions") or []:
        if not version.get("served"):
            continue
        subresources = version.get("subresources") or {}
        out.append(
            Resource(
                group=str(spec.get("group") or ""),
                version=str(version.get("name") or ""),
                plural=str(names.get("plural") or ""),
                kind=str(names.get("kind") or ""),
                namespaced=spec.get("scope") != "Cluster",
                singular=str(names.get("singular") or ""),
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                status="status" in subresources,
                generation=True,
                crd=name,
            )
        )
    return out
