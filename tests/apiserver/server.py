"""The Kubernetes REST protocol over a real socket on 127.0.0.1, for the cluster tests and for people.

Why not kmock (PyPI, evaluated at 0.8): its Kubernetes emulator merges patches as plain dicts; it has no
server-side apply (no managedFields, field ownership, 409 FieldManagerConflict, force, dryRun=All), serves
discovery from a static list rather than from stored CRDs, and is asyncio/aiohttp (our client is the
synchronous official client; a test would run an event loop in a thread to host it). Its fault DSL is the
part we would have used; a fault list here is thirty lines. So this is the stdlib `ThreadingHTTPServer`
speaking plain HTTP, which both the kubernetes client and kubectl accept from a kubeconfig
`server: http://127.0.0.1:PORT`.

Served: /version, /api, /apis, /api/v1, /apis/<group>[/<version>] (from the live registry), and for every
served resource GET (object, list with labelSelector, Table for kubectl), POST, PUT, PATCH (apply-patch+yaml
as server-side apply; merge, strategic-merge and json patches), DELETE, and the status subresource; the
query parameters fieldManager, force and dryRun=All. Every request is logged (`requests`) so tests can
count them at the server, and `fault()` injects 429/5xx with Retry-After, delays and dropped connections
per method and path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from tests.apiserver.resources import Registry, Resource
from tests.apiserver.store import ApiError, Obj, Store, bad_request, json_patch, merge_patch, not_found_path

HOST = "127.0.0.1"  # loopback only, always
TOKEN = "stackctl-test-token"  # not a credential: it opens this in-memory test server and nothing else

_REASONS = {
    429: ("TooManyRequests", "Too many requests, please try again later."),
    500: ("InternalError", "Internal error occurred: injected fault"),
    502: ("InternalError", "Internal error occurred: bad gateway"),
    503: ("ServiceUnavailable", "The server is currently unable to handle the request"),
    504: ("Timeout", "The server was unable to return a response in the time allotted"),
}


@dataclass
class Fault:
    """A fault for requests matching `method` (HTTP method, None: any) and `path` (regex searched in the path,
    None: any), and `dry_run` (None: either), for the next `times` matches (None: every match)."""

    method: str | None = None
    path: str | None = None
    status: int | None = 500
    times: int | None = 1
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False
    dry_run: bool | None = None
    hits: int = 0

    def matches(self, method: str, path: str, dry_run: bool) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path is not None and not re.search(self.path, path):
            return False
        return self.dry_run is None or self.dry_run == dry_run


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    status: int = 0
    fault: bool = False

    @property
    def dry_run(self) -> bool:
        return "All" in self.query.get("dryRun", [])

    @property
    def is_discovery(self) -> bool:
        return _is_discovery(self.path)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


def _is_discovery(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    return (
        path in ("/version", "/api", "/apis")
        or parts == ["api", "v1"]
        or (len(parts) in (2, 3) and parts[0] == "apis")
        or path.startswith("/openapi")
    )


@dataclass
class ApiServer:
    token: str | None = None  # kubectl sends no bearer token over plain HTTP; set one to test auth
    establish_delay: float = 0.0
    rollout_delay: float = 0.0
    controllers: bool = True
    operands_ready: float | None = 0.0  # seconds until custom resources are ready; None: never
    store: Store = field(init=False)
    requests: list[Request] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    peak_in_flight: int = 0  # most requests served at the same moment since the last clear()
    _in_flight: int = 0
    _log_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.store = Store(
            establish_delay=self.establish_delay,
            rollout_delay=self.rollout_delay,
            controllers=self.controllers,
            operands_ready=self.operands_ready,
        )

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self, port: int = 0) -> ApiServer:
        handler = type("Handler", (_Handler,), {"api": self})
        self._httpd = ThreadingHTTPServer((HOST, port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="apiserver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.store.close()

    def __enter__(self) -> ApiServer:
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def write_kubeconfig(
        self, path: Path, *, context: str = "stackctl-test", namespace: str = "default"
    ) -> Path:
        user: dict[str, Any] = {"token": self.token} if self.token else {}
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": user}],
            "contexts": [
                {"name": context, "context": {"cluster": context, "user": context, "namespace": namespace}}
            ],
            "current-context": context,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    # -- test helpers ------------------------------------------------------------------------------------

    def fault(self, **kwargs: Any) -> Fault:
        fault = Fault(**kwargs)
        with self._log_lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget logged requests and remaining faults (objects stay)."""
        with self._log_lock:
            self.requests.clear()
            self.faults.clear()
            self.peak_in_flight = self._in_flight

    def resource_requests(self) -> list[Request]:
        with self._log_lock:
            return [r for r in self.requests if not r.is_discovery]

    def writes(self) -> list[Request]:
        with self._log_lock:
            return [r for r in self.requests if r.method in ("POST", "PUT", "PATCH", "DELETE")]

    def object(self, api_version: str, kind: str, name: str, namespace: str = "") -> Obj | None:
        group, _, version = api_version.rpartition("/")
        for res in self.store.registry.for_kind(group, kind):
            if res.version == version:
                try:
                    return self.store.get(res, namespace, name)
                except ApiError:
                    return None
        return None

    def put_object(self, obj: Obj, manager: str = "test") -> Obj:
        """Store an object as another client would (server-side apply by `manager`, forced)."""
        res = self._resource_of(obj)
        meta = obj.get("metadata") or {}
        ns = str(meta.get("namespace") or ("default" if res.namespaced else ""))
        _, stored = self.store.apply(
            res, ns, str(meta["name"]), obj, manager=manager, force=True, dry_run=False
        )
        return stored

    def set_status(self, api_version: str, kind: str, name: str, status: Obj, namespace: str = "") -> Obj:
        res = self._resource_of({"apiVersion": api_version, "kind": kind})

        def change(live: Obj) -> Obj:
            live["status"] = status
            return live

        return self.store.update(
            res, namespace, name, change, manager="test-controller", subresource="status"
        )

    def _resource_of(self, obj: Obj) -> Resource:
        group, _, version = str(obj.get("apiVersion")).rpartition("/")
        for res in self.store.registry.for_kind(group, str(obj.get("kind"))):
            if res.version == version:
                return res
        raise LookupError(f"{obj.get('apiVersion')} {obj.get('kind')} is not served")

    def _log(self, request: Request) -> Fault | None:
        with self._log_lock:
            self.requests.append(request)
            for fault in self.faults:
                if fault.matches(request.method, request.path, request.dry_run):
                    fault.hits += 1
                    request.fault = True
                    return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    api: ApiServer
    protocol_version = "HTTP/1.1"
    server_version = "stackctl-test-apiserver"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every response (Go's net/http, the real apiserver, sets it too).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # -- plumbing ----------------------------------------------------------------------------------------

    def _serve(self, method: str) -> None:
        api = self.api
        with api._log_lock:
            api._in_flight += 1
            api.peak_in_flight = max(api.peak_in_flight, api._in_flight)
        try:
            self._serve_one(method)
        finally:
            with api._log_lock:
                api._in_flight -= 1

    def _serve_one(self, method: str) -> None:
        split = urlsplit(self.path)
        query = parse_qs(split.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        request = Request(method, split.path, query, self.headers.get("Content-Type") or "")
        fault = self.api._log(request)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                request.status = -1
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault.status is not None:
                reason, message = _REASONS.get(fault.status, ("InternalError", "injected fault"))
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                details = {"retryAfterSeconds": int(float(fault.retry_after))} if fault.retry_after else None
                self._error(request, ApiError(fault.status, reason, message, details, headers))
                return
        if self.api.token and self.headers.get("Authorization") != f"Bearer {self.api.token}":
            self._error(request, ApiError(401, "Unauthorized", "Unauthorized"))
            return
        try:
            code, body = self._route(method, split.path, query, raw)
        except ApiError as exc:
            self._error(request, exc)
            return
        if (
            "as=Table" in (self.headers.get("Accept") or "")
            and method == "GET"
            and body.get("kind") != "Status"
        ):
            body = _table(body)
        self._send(request, code, body)

    def _error(self, request: Request, exc: ApiError) -> None:
        self._send(request, exc.code, exc.status(), exc.headers)

    def _send(self, request: Request, code: int, body: Obj, headers: dict[str, str] | None = None) -> None:
        request.status = code
        data = json.dumps(body).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _body(self, raw: bytes, content_type: str) -> Any:
        if "protobuf" in content_type:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types include: "
                f"application/json, application/yaml (the test server does not speak {content_type})",
            )
        if not raw:
            raise bad_request("the body of the request was empty")
        try:
            if "yaml" in content_type:
                return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            return json.loads(raw)
        except (ValueError, yaml.YAMLError) as exc:
            raise bad_request(f"the body of the request could not be decoded: {exc}") from None

    # -- routing -----------------------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> tuple[int, Obj]:
        registry = self.api.store.registry
        parts = [unquote(p) for p in path.split("/") if p]
        if method == "GET":
            with self.api.store.lock:
                doc: Obj | None = None
                if path == "/version":
                    doc = {"major": "1", "minor": "37", "gitVersion": "v1.37.1", "platform": "linux/amd64"}
                elif parts == ["api"]:
                    doc = registry.api_versions(f"{HOST}:{self.api.port}")
                elif parts == ["apis"]:
                    doc = registry.api_group_list()
                elif parts == ["api", "v1"]:
                    doc = registry.resource_list("v1")
                elif len(parts) == 2 and parts[0] == "apis":
                    doc = registry.api_group(parts[1])
                    if doc is None:
                        raise not_found_path()
                elif len(parts) == 3 and parts[0] == "apis":
                    doc = registry.resource_list(f"{parts[1]}/{parts[2]}")
                    if doc is None:
                        raise not_found_path()
                elif parts[:2] == ["openapi", "v3"]:
                    doc = _openapi_v3(registry, "/".join(parts[2:]))
                if doc is not None:
                    return 200, doc
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise not_found_path()
        if not rest:
            raise not_found_path()
        namespace = ""
        with self.api.store.lock:
            if len(rest) >= 3 and rest[0] == "namespaces":
                candidate = registry.lookup(group, version, rest[2])
                if candidate is not None and candidate.namespaced:
                    namespace, rest = rest[1], rest[2:]
            res = registry.lookup(group, version, rest[0])
        if res is None or (namespace and not res.namespaced) or len(rest) > 3:
            raise not_found_path()
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        if sub and (sub != "status" or not res.status):
            raise not_found_path()
        dry = query.get("dryRun", [])
        if any(v != "All" for v in dry):
            raise bad_request(f'Invalid dry run value: {dry}: supported values: "All"')
        dry_run = bool(dry)
        manager = (query.get("fieldManager") or [""])[0]
        store = self.api.store
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if res.namespaced and not namespace and name:
            raise not_found_path()
        if method == "GET":
            if name:
                return 200, store.get(res, namespace, name)
            return 200, store.list(res, namespace, (query.get("labelSelector") or [""])[0])
        if method == "POST" and not name:
            if res.namespaced and not namespace:
                raise not_found_path()
            body = self._body(raw, content_type)
            return 201, store.create(res, namespace, body, manager or self._agent(), dry_run)
        if not name:
            raise ApiError(
                405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
            )
        if method == "DELETE":
            return 200, store.delete(res, namespace, name, dry_run)
        if method == "PUT":
            body = self._body(raw, content_type)
            return 200, store.update(
                res,
                namespace,
                name,
                lambda _: body,
                manager=manager or self._agent(),
                subresource=sub,
                dry_run=dry_run,
            )
        if method == "PATCH":
            body = self._body(raw, content_type)
            if content_type == "application/apply-patch+yaml":
                if sub:
                    raise bad_request(
                        "server-side apply to a subresource is not supported by the test server"
                    )
                force = (query.get("force") or ["false"])[0] == "true"
                return store.apply(res, namespace, name, body, manager=manager, force=force, dry_run=dry_run)
            if content_type == "application/json-patch+json":
                change = lambda live: json_patch(live, body)  # noqa: E731
            elif content_type in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
                change = lambda live: merge_patch(live, body)  # noqa: E731
            else:
                raise ApiError(
                    415,
                    "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted "
                    "media types include: application/json-patch+json, application/merge-patch+json, "
                    "application/apply-patch+yaml",
                )
            return 200, store.update(
                res,
                namespace,
                name,
                change,
                manager=manager or self._agent(),
                subresource=sub,
                dry_run=dry_run,
            )
        raise ApiError(
            405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
        )

    def _agent(self) -> str:
        """The manager of a write without fieldManager: the user agent's program name (as the apiserver)."""
        agent = self.headers.get("User-Agent") or "unknown"
        return agent.split("/", 1)[0]


def _openapi_v3(registry: Registry, gv_path: str) -> Obj:
    """Just enough OpenAPI v3 for kubectl: the index, and per group/version the PATCH operations with their
    `fieldValidation` parameter, which tells kubectl to leave validation to the server."""
    served = {gv: ("api/" if "/" not in gv else "apis/") + gv for gv in registry.by_gv}
    if not gv_path:
        paths = {
            p: {"serverRelativeURL": f"/openapi/v3/{p}?hash={_digest(registry, gv)}"}
            for gv, p in served.items()
        }
        return {"paths": paths}
    gv = next((gv for gv, p in served.items() if p == gv_path), None)
    if gv is None:
        raise not_found_path()
    ops: Obj = {}
    for res in registry.by_gv[gv].values():
        scope = "/namespaces/{namespace}" if res.namespaced else ""
        gvk = {"group": res.group, "version": res.version, "kind": res.kind}
        params = [{"name": n, "in": "query", "schema": {"type": "string"}} for n in _PATCH_PARAMS]
        patch = {"x-kubernetes-group-version-kind": gvk, "parameters": params, "responses": {}}
        ops[f"/{gv_path}{scope}/{res.plural}/{{name}}"] = {"patch": patch}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.37.1"}, "paths": ops}


_PATCH_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force")


def _digest(registry: Registry, gv: str) -> str:
    text = json.dumps(sorted(registry.by_gv[gv]), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32].upper()


def _table(body: Obj) -> Obj:
    """A `meta.k8s.io/v1` Table (name and creation time), as the apiserver's default table convertor."""
    items = body.get("items", [body])
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": str((body.get("metadata") or {}).get("resourceVersion") or "")},
        "columnDefinitions": [
            {
                "name": "Name",
                "type": "string",
                "format": "name",
                "description": "Name of the object",
                "priority": 0,
            },
            {
                "name": "Created At",
                "type": "date",
                "format": "",
                "description": "Creation time",
                "priority": 0,
            },
        ],
        "rows": [
            {
                "cells": [item["metadata"]["name"], item["metadata"].get("creationTimestamp")],
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": item["metadata"],
                },
            }
            for item in items
        ],
    }
