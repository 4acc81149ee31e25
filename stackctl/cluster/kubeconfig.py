"""Which cluster, as kubectl decides it: `--kubeconfig`, else `KUBECONFIG` (merged), else ~/.kube/config,
else the in-cluster service account; `--context` over `current-context`.

The merge is kubectl's, done here rather than by the client library: the first file that defines a
cluster, user or context by name wins, and so does the first `current-context` (the kubernetes client's
merger lets the last `current-context` win). Relative file paths are resolved against the file that names
them, before the files are merged into one dict.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from stackctl.cluster.errors import KubeconfigError

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")

_PATH_FIELDS = {
    "clusters": ("cluster", ("certificate-authority",)),
    "users": ("user", ("client-certificate", "client-key", "tokenFile")),
}


@dataclass(frozen=True)
class ClusterConfig:
    configuration: k8s_client.Configuration = field(compare=False, repr=False)
    context: str
    namespace: str  # the context's namespace: where namespaced objects without one go
    server: str
    source: str  # the kubeconfig files, or "in-cluster"


def _resolve(base: Path, value: Any) -> Any:
    if isinstance(value, str) and value and not os.path.isabs(value):
        return str(base / value)
    return value


def _absolutize(section: str, item: Mapping[str, Any], base: Path) -> dict[str, Any]:
    out = dict(item)
    inner_key, keys = _PATH_FIELDS.get(section, ("", ()))
    inner = out.get(inner_key)
    if isinstance(inner, Mapping):
        inner = dict(inner)
        for key in keys:
            if key in inner:
                inner[key] = _resolve(base, inner[key])
        exec_cfg = inner.get("exec")
        if isinstance(exec_cfg, Mapping) and "/" in str(exec_cfg.get("command") or ""):
            inner["exec"] = {**exec_cfg, "command": _resolve(base, exec_cfg["command"])}
        out[inner_key] = inner
    return out


def merge(files: Sequence[tuple[Path, Mapping[str, Any]]]) -> dict[str, Any]:
    """Merge parsed kubeconfig files as kubectl does (first definition of a name wins)."""
    merged: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [],
        "users": [],
        "contexts": [],
        "current-context": "",
    }
    seen: dict[str, set[str]] = {"clusters": set(), "users": set(), "contexts": set()}
    for path, doc in files:
        for section in ("clusters", "users", "contexts"):
            for item in doc.get(section) or []:
                if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                    continue
                if item["name"] in seen[section]:
                    continue
                seen[section].add(item["name"])
                merged[section].append(_absolutize(section, item, path.parent))
        if not merged["current-context"] and doc.get("current-context"):
            merged["current-context"] = str(doc["current-context"])
    return merged


def _read(path: Path) -> Mapping[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KubeconfigError(f"cannot read kubeconfig: {exc}", file=str(path)) from None
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise KubeconfigError("a kubeconfig must be a map", file=str(path))
    return doc


def kubeconfig_paths(explicit: str | None, environ: Mapping[str, str]) -> list[Path]:
    """The files to merge: the explicit one (which must exist), else KUBECONFIG's existing entries, else
    ~/.kube/config when it exists."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise KubeconfigError(f"kubeconfig file {path} not found", field="--kubeconfig")
        return [path]
    if environ.get("KUBECONFIG"):
        entries = [Path(p).expanduser() for p in environ["KUBECONFIG"].split(os.pathsep) if p]
        return [p for p in entries if p.is_file()]
    default = Path(environ.get("HOME") or Path.home()) / ".kube" / "config"
    return [default] if default.is_file() else []


def load(
    kubeconfig: str | None = None,
    context: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> ClusterConfig:
    env = os.environ if environ is None else environ
    paths = kubeconfig_paths(kubeconfig, env)
    configuration = k8s_client.Configuration()
    if not paths:
        if env.get("KUBERNETES_SERVICE_HOST") and env.get("KUBERNETES_SERVICE_PORT"):
            return _in_cluster(configuration)
        raise KubeconfigError(
            "no kubeconfig found and not running in a cluster",
            hint="pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config",
        )
    merged = merge([(p, _read(p)) for p in paths])
    source = os.pathsep.join(str(p) for p in paths)
    name = context or merged["current-context"]
    if not name:
        raise KubeconfigError("no current-context is set", file=source, hint="pass --context NAME")
    contexts = {c["name"]: c.get("context") or {} for c in merged["contexts"]}
    if name not in contexts:
        known = ", ".join(sorted(contexts)) or "none"
        raise KubeconfigError(
            f'context "{name}" does not exist',
            file=source,
            field="--context" if context else "current-context",
            hint=f"contexts in the kubeconfig: {known}",
        )
    try:
        k8s_config.load_kube_config_from_dict(  # type: ignore[no-untyped-call]
            merged, context=name, client_configuration=configuration, persist_config=False
        )
    except (k8s_config.ConfigException, ValueError, KeyError, OSError) as exc:
        raise KubeconfigError(f'context "{name}": {exc}', file=source) from None
    namespace = str(contexts[name].get("namespace") or "default")
    return ClusterConfig(configuration, name, namespace, str(configuration.host), source)


def _in_cluster(configuration: k8s_client.Configuration) -> ClusterConfig:
    try:
        k8s_config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    except k8s_config.ConfigException as exc:
        raise KubeconfigError(f"in-cluster configuration: {exc}") from None
    try:
        namespace = (SERVICE_ACCOUNT / "namespace").read_text().strip() or "default"
    except OSError:
        namespace = "default"
    return ClusterConfig(configuration, "in-cluster", namespace, str(configuration.host), "in-cluster")
