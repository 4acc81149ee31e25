"""Server defaults and validation for the kinds the stack uses, so clients meet the noise and the 422s a
real apiserver produces: defaulted fields nobody applied (never in managedFields), allocated cluster IPs,
Secret `stringData` folded into `data`, CRD names that must be `<plural>.<group>`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass(frozen=True)
class Invalid:
    field: str
    message: str  # as the apiserver words it: `Invalid value: "x": ...` or `Required value`
    reason: str = "FieldValueInvalid"


def _setdefault(obj: dict[str, Any], key: str, value: Any) -> None:
    if key not in obj:
        obj[key] = value


def _pod_spec(spec: dict[str, Any]) -> None:
    _setdefault(spec, "restartPolicy", "Always")
    _setdefault(spec, "terminationGracePeriodSeconds", 30)
    _setdefault(spec, "dnsPolicy", "ClusterFirst")
    _setdefault(spec, "securityContext", {})
    _setdefault(spec, "schedulerName", "default-scheduler")
    for container in [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]:
        if not isinstance(container, dict):
            continue
        image = str(container.get("image") or "")
        latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
        _setdefault(container, "imagePullPolicy", "Always" if latest else "IfNotPresent")
        _setdefault(container, "terminationMessagePath", "/dev/termination-log")
        _setdefault(container, "terminationMessagePolicy", "File")
        _setdefault(container, "resources", {})
        for port in container.get("ports") or []:
            if isinstance(port, dict):
                _setdefault(port, "protocol", "TCP")


def _deployment(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    _setdefault(spec, "replicas", 1)
    _setdefault(spec, "revisionHistoryLimit", 10)
    _setdefault(spec, "progressDeadlineSeconds", 600)
    _setdefault(spec, "strategy", {"type": "RollingUpdate"})
    strategy = spec["strategy"]
    if isinstance(strategy, dict) and strategy.get("type") == "RollingUpdate":
        _setdefault(strategy, "rollingUpdate", {"maxSurge": "25%", "maxUnavailable": "25%"})
    template = spec.setdefault("template", {})
    _setdefault(template.setdefault("metadata", {}), "creationTimestamp", None)
    _pod_spec(template.setdefault("spec", {}))


def _service(obj: dict[str, Any], allocate_ip: int) -> None:
    spec = obj.setdefault("spec", {})
    _setdefault(spec, "type", "ClusterIP")
    _setdefault(spec, "sessionAffinity", "None")
    _setdefault(spec, "internalTrafficPolicy", "Cluster")
    if spec.get("clusterIP") != "None" and "clusterIP" not in spec:
        spec["clusterIP"] = f"10.96.{allocate_ip // 250}.{allocate_ip % 250 + 1}"
    if "clusterIPs" not in spec and "clusterIP" in spec:
        spec["clusterIPs"] = [spec["clusterIP"]]
    _setdefault(spec, "ipFamilies", ["IPv4"])
    _setdefault(spec, "ipFamilyPolicy", "SingleStack")
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            _setdefault(port, "protocol", "TCP")
            _setdefault(port, "targetPort", port.get("port"))


def _webhooks(obj: dict[str, Any], mutating: bool) -> None:
    for hook in obj.get("webhooks") or []:
        if not isinstance(hook, dict):
            continue
        _setdefault(hook, "failurePolicy", "Fail")
        _setdefault(hook, "matchPolicy", "Equivalent")
        _setdefault(hook, "namespaceSelector", {})
        _setdefault(hook, "objectSelector", {})
        _setdefault(hook, "timeoutSeconds", 10)
        if mutating:
            _setdefault(hook, "reinvocationPolicy", "Never")
        service = (hook.get("clientConfig") or {}).get("service")
        if isinstance(service, dict):
            _setdefault(service, "port", 443)
        for rule in hook.get("rules") or []:
            if isinstance(rule, dict):
                _setdefault(rule, "scope", "*")


def _crd(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    _setdefault(spec, "conversion", {"strategy": "None"})
    names = spec.get("names")
    if isinstance(names, dict):
        _setdefault(names, "singular", str(names.get("kind") or "").lower())
        _setdefault(names, "listKind", f"{names.get('kind')}List")


def apply_defaults(obj: dict[str, Any], *, serial: int) -> None:
    """Fill in what the apiserver defaults (in place). `serial` makes allocated cluster IPs unique."""
    kind = obj.get("kind")
    api_version = obj.get("apiVersion")
    if kind == "Deployment" and api_version == "apps/v1":
        _deployment(obj)
    elif kind == "Service" and api_version == "v1":
        _service(obj, serial)
    elif kind == "Secret" and api_version == "v1":
        _setdefault(obj, "type", "Opaque")
        string_data = obj.pop("stringData", None)
        if isinstance(string_data, dict):
            data = obj.setdefault("data", {}) or {}
            obj["data"] = data
            for key, value in string_data.items():
                data[key] = base64.b64encode(str(value).encode()).decode()
    elif kind == "Namespace" and api_version == "v1":
        name = (obj.get("metadata") or {}).get("name")
        labels = obj.setdefault("metadata", {}).setdefault("labels", {})
        labels["kubernetes.io/metadata.name"] = name
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["status"] = {"phase": "Active"}
    elif kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        _webhooks(obj, kind == "MutatingWebhookConfiguration")
    elif kind == "CustomResourceDefinition":
        _crd(obj)


def validate(obj: dict[str, Any]) -> list[Invalid]:
    """The checks a client most often trips over; an empty list means valid."""
    errors: list[Invalid] = []
    name = str((obj.get("metadata") or {}).get("name") or "")
    kind = obj.get("kind")
    if not name:
        return [
            Invalid("metadata.name", "Required value: name or generateName is required", "FieldValueRequired")
        ]
    if kind not in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding") and (
        len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name)
    ):
        errors.append(
            Invalid(
                "metadata.name",
                f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case '
                "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            )
        )
    if kind == "Deployment":
        spec = obj.get("spec") or {}
        replicas = spec.get("replicas", 1)
        if not isinstance(replicas, int) or replicas < 0:
            errors.append(
                Invalid("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")
            )
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not selector:
            errors.append(Invalid("spec.selector", "Required value", "FieldValueRequired"))
        elif any(labels.get(k) != v for k, v in selector.items()):
            errors.append(
                Invalid(
                    "spec.template.metadata.labels",
                    f"Invalid value: {_go_map(labels)}: `selector` does not match template `labels`",
                )
            )
    if kind == "CustomResourceDefinition":
        spec = obj.get("spec") or {}
        plural = (spec.get("names") or {}).get("plural")
        group = spec.get("group")
        if name != f"{plural}.{group}":
            errors.append(
                Invalid("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group')
            )
        if spec.get("scope") not in ("Namespaced", "Cluster"):
            errors.append(
                Invalid(
                    "spec.scope",
                    f'Unsupported value: "{spec.get("scope")}": supported values: "Cluster", "Namespaced"',
                    "FieldValueNotSupported",
                )
            )
        storage = [v for v in spec.get("versions") or [] if isinstance(v, dict) and v.get("storage")]
        if len(storage) != 1:
            errors.append(
                Invalid(
                    "spec.versions", "Invalid value: ...: must have exactly one version marked as storage"
                )
            )
    return errors


def _go_map(labels: dict[str, Any]) -> str:
    inner = " ".join(f"{k}:{v}" for k, v in sorted(labels.items()))
    return f"map[string]string{{{inner}}}"
