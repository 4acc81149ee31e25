"""From an install base to a ClusterServiceVersion and the objects OLM accepts beside it.

OLM installs an operator from a CSV, not from Deployments and bindings: the Deployments become the install
strategy, the RBAC bound to a deployment's ServiceAccount becomes `permissions` / `clusterPermissions` (OLM
creates the ServiceAccount, the roles and the bindings itself, in the namespace it installs into), webhook
configurations become `webhookdefinitions` (OLM creates them and manages their certificates), and the
Namespace is replaced by the `operatorframework.io/suggested-namespace` annotation. What is left must be a
kind OLM allows in `manifests/`; anything else is refused here, naming the object, rather than written into
a bundle OLM would reject.

Note: a namespaced Role bound to a deployment's ServiceAccount becomes `permissions`, which OLM grants in
the install namespace, whatever namespace the Role was in (cert-manager's leader-election Roles live in
kube-system upstream; its published bundles make the same move).

Older versions of an operator are built from the pinned install base with that version's images (the
repository keeps one install base per operator); `retarget` does the substitution.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackctl.catalog import Operator, OperatorVersion
from stackctl.olm import examples as ex
from stackctl.olm import images as img
from stackctl.olm.model import Obj, OlmError

CSV_API_VERSION = "operators.coreos.com/v1alpha1"
INSTALL_MODE_TYPES = ("OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces")

# Kinds OLM accepts in manifests/ besides the CSV (operator-registry, checked by Kind only).
ALLOWED_KINDS = frozenset(
    {
        "ClusterServiceVersion",
        "CustomResourceDefinition",
        "Secret",
        "ConfigMap",
        "ServiceAccount",
        "Service",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "PrometheusRule",
        "ServiceMonitor",
        "PodMonitor",
        "PodDisruptionBudget",
        "PriorityClass",
        "VerticalPodAutoscaler",
        "NetworkPolicy",
        "ConsoleYAMLSample",
        "ConsoleQuickStart",
        "ConsoleCLIDownload",
        "ConsoleLink",
        "ConsolePlugin",
    }
)
WEBHOOK_TYPES = {
    "ValidatingWebhookConfiguration": "ValidatingAdmissionWebhook",
    "MutatingWebhookConfiguration": "MutatingAdmissionWebhook",
}
GITOPS_ANNOTATION_PREFIXES = ("argocd.argoproj.io/",)
VERSION_LABEL = "app.kubernetes.io/version"


@dataclass(frozen=True)
class CsvResult:
    csv: Obj
    manifests: tuple[Obj, ...]  # the other objects for manifests/, CRDs first, in render order
    from_stack: frozenset[tuple[str, str, str]]  # owned APIs whose example is one of the stack's CRs


def _where(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    name = meta.get("name", "?")
    return f"{obj.get('kind', '?')} {ns + '/' if ns else ''}{name}"


def _replace_strings(value: Any, mapping: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in mapping.items():
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace_strings(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, mapping) for k, v in value.items()}
    return value


def _relabel(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        return [_relabel(v, old, new) for v in value]
    if isinstance(value, dict):
        return {
            k: (new if k == VERSION_LABEL and v == old else _relabel(v, old, new)) for k, v in value.items()
        }
    return value


def retarget(objects: Sequence[Obj], op: Operator, version: OperatorVersion) -> list[Obj]:
    """The pinned install base's objects for another version: its images, its version label."""
    pinned = op.pinned
    if version.version == pinned.version:
        return [copy.deepcopy(o) for o in objects]
    refs = {}
    for image in pinned.images:
        try:
            refs[image.ref] = version.image(image.name).ref
        except Exception:
            raise OlmError(
                f"{op.key} {version.version} has no image named {image.name!r}, which {pinned.version} runs",
                field=f"{op.key}.versions[{version.version}].images",
            ) from None
    out = []
    for obj in objects:
        moved = _replace_strings(obj, refs) if obj.get("kind") != "CustomResourceDefinition" else obj
        out.append(_relabel(copy.deepcopy(moved), pinned.tag, version.tag))
    return out


def apply_sizing(objects: Sequence[Obj], sizing: Iterable[Obj]) -> list[Obj]:
    """Give containers without CPU and memory requests the resources another render (an environment) sets.

    Upstream ships cert-manager and External Secrets without requests and lets the environment size them;
    a bundle has no environment, so it carries the requests the stack runs with.
    """
    sized: dict[tuple[str, str], Any] = {}
    for obj in sizing:
        if obj.get("kind") != "Deployment":
            continue
        pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for c in pod.get("containers") or []:
            resources = c.get("resources") or {}
            requests = resources.get("requests") or {}
            if "cpu" in requests and "memory" in requests:
                sized[(obj["metadata"]["name"], c["name"])] = resources
    out = []
    for obj in objects:
        if obj.get("kind") == "Deployment":
            obj = copy.deepcopy(obj)
            pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
            for c in pod.get("containers") or []:
                requests = (c.get("resources") or {}).get("requests") or {}
                key = (obj["metadata"]["name"], c.get("name"))
                if not ("cpu" in requests and "memory" in requests) and key in sized:
                    c["resources"] = copy.deepcopy(sized[key])
        out.append(obj)
    return out


def _clean(obj: Obj) -> Obj:
    """An object as it goes into manifests/: no namespace (OLM sets it), no GitOps annotations."""
    obj = copy.deepcopy(obj)
    meta = obj.setdefault("metadata", {})
    meta.pop("namespace", None)
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        for key in [k for k in annotations if k.startswith(GITOPS_ANNOTATION_PREFIXES)]:
            del annotations[key]
        if not annotations:
            del meta["annotations"]
    return obj


def _deployment_sa(dep: Obj) -> str:
    pod = ((dep.get("spec") or {}).get("template") or {}).get("spec") or {}
    return str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")


def _webhook_definitions(objects: Sequence[Obj], deployments: Sequence[Obj], namespace: str) -> list[Obj]:
    services = {
        o["metadata"]["name"]: o
        for o in objects
        if o.get("kind") == "Service" and o["metadata"].get("namespace", namespace) == namespace
    }
    out: list[Obj] = []
    for obj in objects:
        kind = obj.get("kind", "")
        if kind not in WEBHOOK_TYPES:
            continue
        for i, hook in enumerate(obj.get("webhooks") or []):
            where = f"{_where(obj)} webhooks[{i}]"
            ref = (hook.get("clientConfig") or {}).get("service")
            if not isinstance(ref, Mapping):
                raise OlmError(f"{where}: OLM serves webhooks only from a Service of a deployment in the CSV")
            service = services.get(str(ref.get("name")))
            if service is None:
                raise OlmError(f"{where}: Service {ref.get('name')!r} is not in the install base")
            port = int(ref.get("port", 443))
            target: Any = port
            for p in (service.get("spec") or {}).get("ports") or []:
                if int(p.get("port", 0)) == port:
                    target = p.get("targetPort", port)
            selector = (service.get("spec") or {}).get("selector") or {}
            owners = [
                d["metadata"]["name"]
                for d in deployments
                if selector
                and all(
                    (((d.get("spec") or {}).get("template") or {}).get("metadata") or {})
                    .get("labels", {})
                    .get(k)
                    == v
                    for k, v in selector.items()
                )
            ]
            if len(owners) != 1:
                raise OlmError(
                    f"{where}: Service {service['metadata']['name']} selects {len(owners)} deployments, "
                    "OLM needs exactly one (deploymentName)"
                )
            definition: Obj = {
                "type": WEBHOOK_TYPES[kind],
                "generateName": hook["name"],
                "deploymentName": owners[0],
                "containerPort": port,
                "targetPort": target,
                "admissionReviewVersions": list(hook.get("admissionReviewVersions") or ["v1"]),
                "sideEffects": hook.get("sideEffects", "None"),
                "failurePolicy": hook.get("failurePolicy", "Fail"),
            }
            if "path" in ref:
                definition["webhookPath"] = ref["path"]
            for key in ("rules", "matchPolicy", "objectSelector", "timeoutSeconds", "reinvocationPolicy"):
                if key in hook:
                    definition[key] = copy.deepcopy(hook[key])
            out.append(definition)
    names = [d["generateName"] for d in out]
    for d in out:  # one name per definition, as cert-manager's published bundles spell them
        if names.count(d["generateName"]) > 1:
            d["generateName"] = ("mutate." if d["type"] == "MutatingAdmissionWebhook" else "validate.") + d[
                "generateName"
            ]
    return out


def _rbac(
    objects: Sequence[Obj], sa_names: set[str], namespace: str
) -> tuple[dict[str, list[Obj]], dict[str, list[Obj]], set[tuple[str, str, str]]]:
    """permissions and clusterPermissions rules per ServiceAccount, and the (kind, namespace, name) of the
    bindings and roles they replace."""
    roles = {
        (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
        for o in objects
        if o.get("kind") in ("Role", "ClusterRole")
    }
    perms: dict[str, list[Obj]] = {}
    cluster_perms: dict[str, list[Obj]] = {}
    consumed: set[tuple[str, str, str]] = set()
    role_users: dict[tuple[str, str, str], int] = {}
    for obj in objects:
        kind = obj.get("kind")
        if kind not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        ns = obj["metadata"].get("namespace", "")
        ref = obj.get("roleRef") or {}
        role_key = (str(ref.get("kind")), ns if ref.get("kind") == "Role" else "", str(ref.get("name")))
        role_users[role_key] = role_users.get(role_key, 0) + 1
        subjects = obj.get("subjects") or []
        ours = [
            s["name"]
            for s in subjects
            if s.get("kind") == "ServiceAccount"
            and s.get("name") in sa_names
            and s.get("namespace", ns) == namespace
        ]
        if not ours or len(ours) != len(subjects):
            continue
        role = roles.get(role_key)
        if role is None:
            raise OlmError(
                f"{_where(obj)} binds {role_key[0]} {role_key[2]}, which is not in the install base"
            )
        target = cluster_perms if kind == "ClusterRoleBinding" else perms
        for sa in ours:
            target.setdefault(sa, []).extend(copy.deepcopy(role.get("rules") or []))
        consumed.add((kind, ns, obj["metadata"]["name"]))
        role_users[role_key] -= 1
    for role_key, role in roles.items():
        labels = (role.get("metadata") or {}).get("labels") or {}
        aggregated = any(k.startswith("rbac.authorization.k8s.io/aggregate-to-") for k in labels)
        if (
            role_key in role_users
            and role_users[role_key] == 0
            and not aggregated
            and "aggregationRule" not in role
        ):
            consumed.add(role_key)
    return perms, cluster_perms, consumed


def _key_of(obj: Obj) -> tuple[str, str, str]:
    kind = str(obj.get("kind"))
    ns = obj["metadata"].get("namespace", "") if kind in ("Role", "RoleBinding") else ""
    return kind, ns, str(obj["metadata"]["name"])


def related_images(version: OperatorVersion, deployments: Sequence[Obj], objects: Sequence[Obj]) -> list[Obj]:
    """The catalog's images of the version, then any other image a deployment or ConfigMap names, by name."""
    by_ref: dict[str, str] = {i.ref: i.name for i in version.images}
    found: list[str] = []
    for dep in deployments:
        found.extend(img.deployment_images(dep.get("spec") or {}))
    for obj in objects:
        if obj.get("kind") == "ConfigMap":
            found.extend(img.configmap_images(obj))
    names = dict(by_ref)
    taken = set(names.values())
    for ref in found:
        if ref in names:
            continue
        name = img.image_name(ref)
        base, n = name, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        names[ref] = name
        taken.add(name)
    return sorted(({"name": n, "image": r} for r, n in names.items()), key=lambda e: (e["name"], e["image"]))


def build_csv(
    op: Operator,
    version: OperatorVersion,
    objects: Sequence[Obj],
    stack_objects: Iterable[Obj],
) -> CsvResult:
    """The CSV and the manifests/ objects for one operator version, from its (retargeted, sized) base."""
    namespace = op.namespace
    for obj in objects:
        if not isinstance(obj.get("metadata"), dict) or not obj["metadata"].get("name"):
            raise OlmError(f"{_where(obj)} has no metadata.name")
    deployments = [o for o in objects if o.get("kind") == "Deployment"]
    if not deployments:
        raise OlmError(
            f"{op.bundle_base} has no Deployment: OLM needs at least one to install", file=op.bundle_base
        )
    for ns_obj in (o for o in objects if o.get("kind") == "Namespace"):
        if ns_obj["metadata"]["name"] != namespace:
            raise OlmError(
                f"{_where(ns_obj)}: the catalog says the operator runs in {namespace!r}",
                file=op.bundle_base,
                hint="one namespace per bundle: the suggested-namespace annotation",
            )
    sa_names = {_deployment_sa(d) for d in deployments}
    perms, cluster_perms, consumed = _rbac(objects, sa_names, namespace)
    crds = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "CustomResourceDefinition"}
    for crd_obj in crds.values():
        if ((crd_obj.get("spec") or {}).get("conversion") or {}).get("strategy") == "Webhook":
            raise OlmError(
                f"{_where(crd_obj)} has a conversion webhook: not supported by the bundle builder yet",
                file=op.bundle_base,
            )
    manifests: list[Obj] = []
    for obj in objects:
        kind = str(obj.get("kind"))
        if kind in ("Namespace", "Deployment") or kind in WEBHOOK_TYPES:
            continue
        if kind == "ServiceAccount" and obj["metadata"]["name"] in sa_names:
            continue  # OLM creates the deployments' service accounts from (cluster)permissions
        if kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding") and _key_of(obj) in consumed:
            continue
        if kind not in ALLOWED_KINDS:
            raise OlmError(
                f"{_where(obj)}: OLM does not accept kind {kind} in a bundle",
                file=op.bundle_base,
                hint="allowed: " + ", ".join(sorted(ALLOWED_KINDS - {"ClusterServiceVersion"})),
            )
        manifests.append(_clean(obj))
    manifests.sort(key=lambda o: 0 if o.get("kind") == "CustomResourceDefinition" else 1)

    missing = sorted(c.name for c in op.crds if c.name not in crds)
    if missing:
        raise OlmError(
            f"{op.bundle_base} lacks the CRDs the catalog says {op.key} owns: {', '.join(missing)}"
        )
    unowned = sorted(set(crds) - {c.name for c in op.crds})
    if unowned:
        raise OlmError(f"{op.bundle_base} has CRDs the catalog does not list as owned: {', '.join(unowned)}")

    example_list, from_stack = ex.examples(op, crds, stack_objects)
    example_by_gvk = {ex._gvk(e): e for e in example_list}
    owned: list[Obj] = []
    for crd in ex.owned_order(op.crds):
        for v in crd.versions:
            schema = ex.version_schema(crds[crd.name], v)
            entry: Obj = {
                "name": crd.name,
                "version": v,
                "kind": crd.kind,
                "displayName": crd.display_name,
                "description": crd.description,
            }
            spec_d = ex.spec_descriptors(schema, example_by_gvk.get((crd.group, v, crd.kind)))
            status_d = ex.status_descriptors(schema, ex.phase_path(op, crd))
            if spec_d:
                entry["specDescriptors"] = spec_d
            if status_d:
                entry["statusDescriptors"] = status_d
            owned.append(entry)

    meta = op.csv
    annotations: dict[str, str] = {
        "alm-examples": ex.examples_json(example_list),
        "capabilities": meta.capabilities,
        "categories": ", ".join(meta.categories),
        "containerImage": version.container_image,
        "description": meta.summary,
        "operatorframework.io/suggested-namespace": namespace,
        "repository": meta.repository,
        "support": meta.support,
    }
    if version.released is not None:
        annotations["createdAt"] = created_at(version.released)
    if version.skip_range:
        annotations["olm.skipRange"] = version.skip_range
    internal = sorted(c.name for c in op.crds if c.internal)
    if internal:
        annotations["operators.operatorframework.io/internal-objects"] = json.dumps(internal, indent=2)
    monitors = {"ServiceMonitor", "PodMonitor", "PrometheusRule"}
    if namespace.startswith("openshift-") and any(o.get("kind") in monitors for o in manifests):
        # OpenShift scrapes the namespace only for operators it trusts with an openshift- namespace.
        annotations["operatorframework.io/cluster-monitoring"] = "true"

    install_spec: Obj = {
        "deployments": [
            {
                "name": d["metadata"]["name"],
                "label": copy.deepcopy(d["metadata"].get("labels") or {}),
                "spec": copy.deepcopy(d.get("spec") or {}),
            }
            for d in deployments
        ],
    }
    for sa in sorted(sa_names):
        if sa not in perms and sa not in cluster_perms:
            perms[sa] = []  # OLM creates only the service accounts (cluster)permissions name
    if perms:
        install_spec["permissions"] = [{"serviceAccountName": sa, "rules": perms[sa]} for sa in sorted(perms)]
    if cluster_perms:
        install_spec["clusterPermissions"] = [
            {"serviceAccountName": sa, "rules": cluster_perms[sa]} for sa in sorted(cluster_perms)
        ]

    spec: Obj = {
        "apiservicedefinitions": {},
        "customresourcedefinitions": {"owned": owned},
        "description": meta.description,
        "displayName": meta.display_name,
        "install": {"strategy": "deployment", "spec": install_spec},
        "installModes": [{"type": t, "supported": t in meta.install_modes} for t in INSTALL_MODE_TYPES],
        "keywords": list(meta.keywords),
        "links": [{"name": link.name, "url": link.url} for link in meta.links],
        "maintainers": [{"name": m.name, "email": m.email} for m in meta.maintainers],
        "maturity": meta.maturity,
        "minKubeVersion": meta.min_kube_version,
        "provider": {"name": meta.provider.name, **({"url": meta.provider.url} if meta.provider.url else {})},
        "relatedImages": related_images(version, deployments, objects),
        "version": version.version,
    }
    if meta.icon is not None:
        spec["icon"] = [{"base64data": meta.icon.base64data, "mediatype": meta.icon.mediatype}]
    if version.replaces:
        spec["replaces"] = f"{op.package}.v{version.replaces}"
    if version.skips:
        spec["skips"] = [f"{op.package}.v{s}" for s in version.skips]
    webhooks = _webhook_definitions(objects, deployments, namespace)
    if webhooks:
        spec["webhookdefinitions"] = webhooks
    csv: Obj = {
        "apiVersion": CSV_API_VERSION,
        "kind": "ClusterServiceVersion",
        "metadata": {
            "name": op.csv_name(version.version),
            "namespace": "placeholder",
            "annotations": annotations,
        },
        "spec": spec,
    }
    return CsvResult(csv, tuple(manifests), frozenset(from_stack))


def created_at(released: str) -> str:
    """The catalog's release date or RFC 3339 time as OperatorHub's createdAt, `yyyy-mm-ddThh:mm:ssZ` in
    UTC; a release known only by its date is stamped at the start of that day."""
    if len(released) == len("2006-01-02"):
        return f"{released}T00:00:00Z"
    when = dt.datetime.fromisoformat(released.replace("Z", "+00:00")).astimezone(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
