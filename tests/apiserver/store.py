"""The test server's state: objects by resource, namespace and name, and the writes the apiserver does.

Every operation runs under one lock, so concurrent clients see the same serial history a real apiserver
(with etcd) gives. Dry-run requests compute exactly what a write would, then drop it: nothing is stored and
no resourceVersion is consumed.

"Controllers" stand in for the ones a real cluster runs, only as far as clients can observe them: a CRD
becomes Established (after `establish_delay`), a Deployment becomes Available (after `rollout_delay`), an
available Deployment's pods back an EndpointSlice for every Service that selects them, and a custom
resource gets a ready status (after `operands_ready`; None: never, as with no operator running).
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jsonpatch

from tests.apiserver import defaults, fields
from tests.apiserver.resources import Registry, Resource, crd_resources

Obj = dict[str, Any]
Key = tuple[str, str, str, str]  # group, plural, namespace, name

INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiError(Exception):
    """An error response: HTTP code and a `Status` body, as the apiserver writes it."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self) -> Obj:
        body: Obj = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def not_found_path() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def not_found(res: Resource, name: str) -> ApiError:
    details: Obj = {"name": name, "kind": res.plural}
    if res.group:
        details = {"name": name, "group": res.group, "kind": res.plural}
    return ApiError(404, "NotFound", f'{res.group_resource} "{name}" not found', details)


def namespace_not_found(namespace: str) -> ApiError:
    return ApiError(
        404, "NotFound", f'namespaces "{namespace}" not found', {"name": namespace, "kind": "namespaces"}
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def invalid(res: Resource, name: str, errors: list[defaults.Invalid]) -> ApiError:
    gk = f"{res.kind}.{res.group}" if res.group else res.kind
    text = "; ".join(f"{e.field}: {e.message}" for e in errors)
    if len(errors) > 1:
        text = "[" + ", ".join(f"{e.field}: {e.message}" for e in errors) + "]"
    details: Obj = {"name": name, "kind": res.kind}
    if res.group:
        details["group"] = res.group
    details["causes"] = [{"reason": e.reason, "message": e.message, "field": e.field} for e in errors]
    return ApiError(422, "Invalid", f'{gk} "{name}" is invalid: {text}', details)


def conflict_error(res: Resource, conflicts: list[fields.Conflict]) -> ApiError:
    n = len(conflicts)
    managers = sorted({c.manager for c in conflicts})
    if n == 1:
        c = conflicts[0]
        message = (
            f'Apply failed with 1 conflict: conflict with "{c.manager}" using {c.api_version}: {c.field}'
        )
    else:
        lines = []
        for manager in managers:
            mine = [c for c in conflicts if c.manager == manager]
            lines.append(f'conflicts with "{manager}" using {mine[0].api_version}:')
            lines.extend(f"- {c.field}" for c in mine)
        message = f"Apply failed with {n} conflicts: " + "\n".join(lines)
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f'conflict with "{c.manager}" using {c.api_version}',
            "field": c.field,
        }
        for c in conflicts
    ]
    return ApiError(409, "Conflict", message, {"causes": causes})


@dataclass
class Store:
    establish_delay: float = 0.0
    rollout_delay: float = 0.0
    controllers: bool = True
    operands_ready: float | None = 0.0  # seconds until a custom resource is ready; None: never
    registry: Registry = field(default_factory=Registry)
    objects: dict[Key, Obj] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    resource_version: int = 1000
    serial: int = 0
    timers: list[threading.Timer] = field(default_factory=list)

    def __post_init__(self) -> None:
        ns = self.registry.lookup("", "v1", "namespaces")
        assert ns is not None
        for name in INITIAL_NAMESPACES:
            self.create(ns, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, "kube")

    def close(self) -> None:
        for timer in self.timers:
            timer.cancel()

    # -- helpers -----------------------------------------------------------------------------------------

    def _key(self, res: Resource, namespace: str, name: str) -> Key:
        return (res.group, res.plural, namespace if res.namespaced else "", name)

    def _view(self, res: Resource, obj: Obj) -> Obj:
        out = copy.deepcopy(obj)
        out["apiVersion"] = res.group_version
        out["kind"] = res.kind
        return out

    def _next_rv(self) -> str:
        self.resource_version += 1
        return str(self.resource_version)

    def _check_namespace(self, res: Resource, namespace: str) -> None:
        if res.namespaced and ("", "namespaces", "", namespace) not in self.objects:
            raise namespace_not_found(namespace)

    def _check_identity(self, res: Resource, namespace: str, name: str, body: Obj) -> None:
        if not isinstance(body, dict):
            raise bad_request("the body of the request was in an unknown format")
        api_version = body.get("apiVersion")
        kind = body.get("kind")
        if api_version != res.group_version or kind != res.kind:
            raise bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({res.group_version})"
                if api_version != res.group_version
                else f"the kind in the data ({kind}) does not match the expected kind ({res.kind})"
            )
        meta = body.get("metadata")
        if meta is not None and not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        meta = meta or {}
        if name and meta.get("name") and meta["name"] != name:
            raise bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
            )
        body_ns = meta.get("namespace")
        if res.namespaced and body_ns and body_ns != namespace:
            raise bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )

    def _finish(self, res: Resource, before: Obj | None, after: Obj, namespace: str, name: str) -> None:
        """Server-owned metadata, defaults and validation, on the object about to be stored."""
        meta = after.setdefault("metadata", {})
        meta["name"] = name
        if res.namespaced:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        after["apiVersion"] = res.group_version
        after["kind"] = res.kind
        old_meta = (before or {}).get("metadata") or {}
        for key in ("uid", "creationTimestamp", "resourceVersion", "generation"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        if before is None:
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
        if res.status:
            if before is not None and "status" in before:
                after["status"] = copy.deepcopy(before["status"])
            else:
                after.pop("status", None)
        self.serial += 1
        defaults.apply_defaults(after, serial=self.serial)
        errors = defaults.validate(after)
        if errors:
            raise invalid(res, name, errors)
        if res.generation:
            if before is None:
                meta["generation"] = 1
            elif _spec_of(before) != _spec_of(after):
                meta["generation"] = int(old_meta.get("generation") or 0) + 1

    def _store(self, res: Resource, key: Key, before: Obj | None, after: Obj, dry_run: bool) -> Obj:
        if before is not None and _without_rv(before) == _without_rv(after):
            return self._view(res, before)  # a no-op write is not a write
        if dry_run:
            return self._view(res, after)
        after["metadata"]["resourceVersion"] = self._next_rv()
        self.objects[key] = after
        self._after_write(res, before, after)
        return self._view(res, after)

    # -- reads -------------------------------------------------------------------------------------------

    def get(self, res: Resource, namespace: str, name: str) -> Obj:
        with self.lock:
            obj = self.objects.get(self._key(res, namespace, name))
            if obj is None:
                raise not_found(res, name)
            return self._view(res, obj)

    def list(self, res: Resource, namespace: str, selector: str = "") -> Obj:
        match = _selector(selector)
        with self.lock:
            items = []
            for (group, plural, ns, _), obj in sorted(self.objects.items()):
                if group != res.group or plural != res.plural:
                    continue
                if namespace and ns != namespace:
                    continue
                if not match(((obj.get("metadata") or {}).get("labels")) or {}):
                    continue
                item = self._view(res, obj)
                if not res.crd:  # typed lists omit their items' apiVersion and kind
                    item.pop("apiVersion", None)
                    item.pop("kind", None)
                items.append(item)
            return {
                "kind": f"{res.kind}List",
                "apiVersion": res.group_version,
                "metadata": {"resourceVersion": str(self.resource_version)},
                "items": items,
            }

    # -- writes ------------------------------------------------------------------------------------------

    def apply(
        self,
        res: Resource,
        namespace: str,
        name: str,
        body: Obj,
        *,
        manager: str,
        force: bool,
        dry_run: bool,
    ) -> tuple[int, Obj]:
        if not manager:
            raise bad_request("PATCH, application/apply-patch+yaml requests must have a fieldManager")
        self._check_identity(res, namespace, name, body)
        with self.lock:
            self._check_namespace(res, namespace)
            key = self._key(res, namespace, name)
            live = self.objects.get(key)
            applied = copy.deepcopy(body)
            if res.status:
                applied.pop("status", None)
            result = fields.apply(
                live, applied, manager=manager, api_version=res.group_version, force=force, now=now()
            )
            if result.conflicts:
                raise conflict_error(res, result.conflicts)
            after = result.obj
            self._finish(res, live, after, namespace, name)
            return (201 if live is None else 200), self._store(res, key, live, after, dry_run)

    def create(self, res: Resource, namespace: str, body: Obj, manager: str, dry_run: bool = False) -> Obj:
        self._check_identity(res, namespace, "", body)
        name = str((body.get("metadata") or {}).get("name") or "")
        with self.lock:
            self._check_namespace(res, namespace)
            key = self._key(res, namespace, name)
            if name and key in self.objects:
                raise ApiError(
                    409,
                    "AlreadyExists",
                    f'{res.group_resource} "{name}" already exists',
                    {"name": name, "group": res.group, "kind": res.plural}
                    if res.group
                    else {"name": name, "kind": res.plural},
                )
            after = copy.deepcopy(body)
            after.setdefault("metadata", {}).pop("managedFields", None)
            if res.status:
                after.pop("status", None)
            self._finish(res, None, after, namespace, name)
            fields.record_update(None, after, manager=manager, api_version=res.group_version, now=now())
            return self._store(res, key, None, after, dry_run)

    def update(
        self,
        res: Resource,
        namespace: str,
        name: str,
        change: Callable[[Obj], Obj],
        *,
        manager: str,
        subresource: str = "",
        dry_run: bool = False,
    ) -> Obj:
        """PUT and the non-apply PATCH types: `change` maps the live object to the new one."""
        with self.lock:
            key = self._key(res, namespace, name)
            live = self.objects.get(key)
            if live is None:
                raise not_found(res, name)
            after = change(copy.deepcopy(live))
            if not isinstance(after, dict):
                raise bad_request("the patch did not produce an object")
            meta = after.setdefault("metadata", {})
            rv = meta.get("resourceVersion")
            if rv and rv != live["metadata"].get("resourceVersion"):
                raise ApiError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {res.group_resource} "{name}": the object has been '
                    "modified; please apply your changes to the latest version and try again",
                    {"name": name, "group": res.group, "kind": res.plural},
                )
            meta["managedFields"] = copy.deepcopy(live["metadata"].get("managedFields") or [])
            if subresource == "status":
                status = after.get("status")
                after = copy.deepcopy(live)
                if status is not None:
                    after["status"] = status
                else:
                    after.pop("status", None)
                after["metadata"]["resourceVersion"] = live["metadata"].get("resourceVersion")
            else:
                self._finish(res, live, after, namespace, name)
            fields.record_update(
                live,
                after,
                manager=manager,
                api_version=res.group_version,
                now=now(),
                subresource=subresource,
            )
            return self._store(res, key, live, after, dry_run)

    def delete(self, res: Resource, namespace: str, name: str, dry_run: bool = False) -> Obj:
        with self.lock:
            key = self._key(res, namespace, name)
            obj = self.objects.get(key)
            if obj is None:
                raise not_found(res, name)
            if dry_run:
                return self._view(res, obj)
            del self.objects[key]
            self.resource_version += 1
            if res.kind == "Namespace":
                for other in [k for k in self.objects if k[2] == name]:
                    del self.objects[other]
            if res.kind == "CustomResourceDefinition" and res.group == "apiextensions.k8s.io":
                for served in crd_resources(obj):
                    for other in [k for k in self.objects if k[:2] == (served.group, served.plural)]:
                        del self.objects[other]
                self.registry.remove_crd(name)
            return self._view(res, obj)

    # -- controllers -------------------------------------------------------------------------------------

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        if delay <= 0:
            action()
            return
        timer = threading.Timer(delay, lambda: self._locked(action))
        timer.daemon = True
        self.timers.append(timer)
        timer.start()

    def _locked(self, action: Callable[[], None]) -> None:
        with self.lock:
            action()

    def _after_write(self, res: Resource, before: Obj | None, after: Obj) -> None:
        if res.group == "apiextensions.k8s.io" and res.kind == "CustomResourceDefinition":
            self._crd_written(before, after)
        if not self.controllers:
            return
        if res.crd and self.operands_ready is not None:
            key = self._key(res, after["metadata"].get("namespace", ""), after["metadata"]["name"])
            self._later(self.operands_ready, lambda: self._operand_ready(key))
        if res.group == "apps" and res.kind == "Deployment":
            key = self._key(res, after["metadata"]["namespace"], after["metadata"]["name"])
            generation = after["metadata"].get("generation")
            self._deployment_progressing(key, after)
            self._later(self.rollout_delay, lambda: self._deployment_available(key, generation))
        elif res.group == "" and res.kind == "Service":
            self._sync_endpoints(after["metadata"]["namespace"])

    def _crd_written(self, before: Obj | None, crd: Obj) -> None:
        name = crd["metadata"]["name"]
        served = crd_resources(crd)
        names = (crd.get("spec") or {}).get("names") or {}
        conditions = ((before or {}).get("status") or {}).get("conditions") or []
        established = any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)
        if established and ((before or {}).get("spec") or {}).get("names") == names:
            self.registry.remove_crd(name)  # a new set of versions is served at once
            for res in served:
                self.registry.add(res)
            return
        self.registry.remove_crd(name)
        crd["status"] = {
            "acceptedNames": names,
            "conditions": [
                _condition("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
                _condition("Established", "False", "Installing", "the initial names have been accepted"),
            ],
            "storedVersions": [
                v["name"] for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")
            ],
        }

        def establish() -> None:
            if self.objects.get(("apiextensions.k8s.io", "customresourcedefinitions", "", name)) is not crd:
                return
            for res in served:
                self.registry.add(res)
            crd["status"]["conditions"][1] = _condition(
                "Established", "True", "InitialNamesAccepted", "the initial names have been accepted"
            )

        self._later(self.establish_delay, establish)

    def _operand_ready(self, key: Key) -> None:
        """Stand in for the operators: a custom resource nobody gave a status to becomes ready by every rule
        clients know (Ready with the operator's reason, Available and Reconciled conditions, Zalando's
        cluster status, OT Redis' state)."""
        obj = self.objects.get(key)
        if obj is None or obj.get("status"):
            return
        reason = _READY_REASONS.get(str(obj.get("kind")), "Ready")
        obj["status"] = {
            "conditions": [
                _condition("Ready", "True", reason, "ready (test server operator stand-in)"),
                _condition("Available", "True", "Available", "available (test server operator stand-in)"),
                _condition("Reconciled", "True", "Reconciled", "reconciled (test server operator stand-in)"),
            ],
            "PostgresClusterStatus": "Running",
            "state": "Ready",
        }
        obj["metadata"]["resourceVersion"] = self._next_rv()
        if key[:2] == ("redis.redis.opstreelabs.in", "redissentinels"):
            self._sentinel_statefulset(key[2], key[3])

    def _sentinel_statefulset(self, namespace: str, name: str) -> None:
        """OT's operator runs a RedisSentinel as the StatefulSet <name>-sentinel; here it is ready at once."""
        sts = f"{name}-sentinel"
        self.objects[("apps", "statefulsets", namespace, sts)] = {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {
                "name": sts,
                "namespace": namespace,
                "uid": str(uuid.uuid4()),
                "creationTimestamp": now(),
                "generation": 1,
                "resourceVersion": self._next_rv(),
            },
            "spec": {"replicas": 1},
            "status": {"observedGeneration": 1, "replicas": 1, "readyReplicas": 1, "updatedReplicas": 1},
        }

    def _deployment_progressing(self, key: Key, dep: Obj) -> None:
        status = dep.setdefault("status", {})
        status["observedGeneration"] = dep["metadata"].get("generation")
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "Progressing"]
        conditions.append(
            _condition("Progressing", "True", "ReplicaSetUpdated", "ReplicaSet is progressing.")
        )
        status["conditions"] = conditions
        status["updatedReplicas"] = 0

    def _deployment_available(self, key: Key, generation: Any) -> None:
        dep = self.objects.get(key)
        if dep is None or dep["metadata"].get("generation") != generation:
            return
        replicas = (dep.get("spec") or {}).get("replicas", 1)
        dep["status"] = {
            "observedGeneration": generation,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "conditions": [
                _condition(
                    "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."
                ),
                _condition(
                    "Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed."
                ),
            ],
        }
        dep["metadata"]["resourceVersion"] = self._next_rv()
        self._sync_endpoints(key[2])

    def _sync_endpoints(self, namespace: str) -> None:
        """An EndpointSlice per selecting Service, with a ready endpoint per available replica."""
        ready_labels = [
            (((dep.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
            for (group, plural, ns, _), dep in self.objects.items()
            if (group, plural, ns) == ("apps", "deployments", namespace)
            and (dep.get("status") or {}).get("availableReplicas")
        ]
        for (group, plural, ns, name), svc in list(self.objects.items()):
            if (group, plural, ns) != ("", "services", namespace):
                continue
            selector = (svc.get("spec") or {}).get("selector") or {}
            ready = bool(selector) and any(
                all(labels.get(k) == v for k, v in selector.items()) for labels in ready_labels
            )
            key: Key = ("discovery.k8s.io", "endpointslices", namespace, f"{name}-slice")
            slice_obj: Obj = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "name": f"{name}-slice",
                    "namespace": namespace,
                    "labels": {
                        "kubernetes.io/service-name": name,
                        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                    },
                    "uid": str(uuid.uuid4()),
                    "creationTimestamp": now(),
                },
                "addressType": "IPv4",
                "endpoints": [{"addresses": ["10.244.0.10"], "conditions": {"ready": True}}] if ready else [],
                "ports": [
                    {"name": p.get("name", ""), "port": p.get("targetPort", p.get("port")), "protocol": "TCP"}
                    for p in (svc.get("spec") or {}).get("ports") or []
                    if isinstance(p, dict)
                ],
            }
            old = self.objects.get(key)
            if old is not None and old["endpoints"] == slice_obj["endpoints"]:
                continue
            slice_obj["metadata"]["resourceVersion"] = self._next_rv()
            self.objects[key] = slice_obj


# The Ready reason each operator reports on success (reference/operators.md "Readiness").
_READY_REASONS = {"ExternalSecret": "SecretSynced", "SecretStore": "Valid", "ClusterSecretStore": "Valid"}


def _condition(type_: str, status: str, reason: str, message: str) -> Obj:
    return {
        "type": type_,
        "status": status,
        "lastTransitionTime": now(),
        "reason": reason,
        "message": message,
    }


def _spec_of(obj: Obj) -> Any:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _without_rv(obj: Obj) -> str:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    return json.dumps({**obj, "metadata": meta}, sort_keys=True, default=str)


def _selector(text: str) -> Callable[[dict[str, Any]], bool]:
    """Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated."""
    terms = [t.strip() for t in text.split(",") if t.strip()]

    def match(labels: dict[str, Any]) -> bool:
        for term in terms:
            if "!=" in term:
                k, v = term.split("!=", 1)
                if labels.get(k.strip()) == v.strip():
                    return False
            elif "=" in term:
                k, v = term.replace("==", "=").split("=", 1)
                if labels.get(k.strip()) != v.strip():
                    return False
            elif term.startswith("!"):
                if term[1:] in labels:
                    return False
            elif term not in labels:
                return False
        return True

    return match


def json_patch(obj: Obj, patch: Any) -> Obj:
    try:
        result: Obj = jsonpatch.apply_patch(obj, patch)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise ApiError(
            422, "Invalid", f"the server rejected our request due to an error in our request: {exc}"
        ) from None
    return result


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (the server treats strategic merge patches the same way)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out
