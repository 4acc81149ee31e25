"""Objects on a cluster: GET live, server-side apply (optionally dryRun=All), LIST.

`Cluster` ties a kubeconfig's client to discovery, so callers pass manifests and get live objects back.
Namespaced manifests without a namespace go to the context's namespace, as with kubectl.
"""

from __future__ import annotations

import contextlib
from typing import Any

from stackctl.cluster.client import Client, RetryPolicy
from stackctl.cluster.discovery import ApiResource, Discovery
from stackctl.cluster.errors import NotFoundError
from stackctl.cluster.kubeconfig import ClusterConfig
from stackctl.model import Obj, ResId
from stackctl.plan.mask import is_secret

APPLY_PATCH = "application/apply-patch+yaml"


class Cluster:
    def __init__(
        self,
        config: ClusterConfig,
        *,
        concurrency: int = 8,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        self.client = Client(config, timeout=timeout, retry=retry, pool_size=concurrency)
        self.discovery = Discovery(self.client)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def namespace(self) -> str:
        return self.config.namespace

    def locate(self, obj: Obj) -> tuple[ApiResource, str, str]:
        """(resource, namespace, name) of a manifest; raises NoMatchError for kinds not served."""
        rid = ResId.of(obj)
        res = self.discovery.require(rid.gvk.api_version, rid.gvk.kind)
        namespace = (rid.namespace or self.namespace) if res.namespaced else ""
        return res, namespace, rid.name

    def get(self, obj: Obj) -> Obj | None:
        res, namespace, name = self.locate(obj)
        return self.read(res, namespace, name)

    def read(self, res: ApiResource, namespace: str, name: str) -> Obj | None:
        what = _what(res, namespace, name)
        try:
            live: Obj = self.client.request("GET", res.path(namespace, name), what=what)
        except NotFoundError:
            return None
        return live

    def apply(self, obj: Obj, *, manager: str, force: bool = False, dry_run: bool = False) -> Obj:
        """Server-side apply of a manifest; the response is the object as stored (or as it would be)."""
        res, namespace, name = self.locate(obj)
        query = {"fieldManager": manager}
        if force:
            query["force"] = "true"
        if dry_run:
            query["dryRun"] = "All"
        result: Obj = self.client.request(
            "PATCH",
            res.path(namespace, name),
            what=_what(res, namespace, name),
            query=query,
            body=obj,
            content_type=APPLY_PATCH,
            secret=is_secret(obj),
        )
        return result

    def delete(self, res: ApiResource, namespace: str, name: str, *, dry_run: bool = False) -> None:
        """DELETE with background propagation (kubectl's default); an object already gone is fine."""
        query = {"propagationPolicy": "Background"}
        if dry_run:
            query["dryRun"] = "All"
        with contextlib.suppress(NotFoundError):
            self.client.request(
                "DELETE",
                res.path(namespace, name),
                what=_what(res, namespace, name),
                query=query,
                secret=True,
            )

    def list(self, res: ApiResource, namespace: str = "", selector: str = "") -> list[Obj]:
        query = {"labelSelector": selector} if selector else None
        doc: Any = self.client.request("GET", res.path(namespace), what=f"list {res.plural}", query=query)
        items = (doc or {}).get("items") or []
        return [i for i in items if isinstance(i, dict)]


def _what(res: ApiResource, namespace: str, name: str) -> str:
    gk = f"{res.kind}.{res.group}" if res.group else res.kind
    return f"{gk}/{namespace}/{name}" if namespace else f"{gk}/{name}"
