"""Discovery: which kinds a cluster serves, at which paths, namespaced or not.

Only the group/versions the objects use are fetched (`/api/v1`, `/apis/<group>/<version>`), once each per
run, even when a whole wave asks at the same moment: the first caller fetches, the others wait for its
answer. A group/version the server does not serve (404) is remembered as missing until `forget_missing()`,
which the apply calls once the CRDs it created are Established (Helm and kubectl refresh discovery there
too).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from urllib.parse import quote

from stackctl.cluster.client import Client
from stackctl.cluster.errors import NoMatchError, NotFoundError


@dataclass(frozen=True)
class ApiResource:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str = "", name: str = "") -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        return f"{base}/{quote(name, safe='')}" if name else base


def _gv_path(api_version: str) -> str:
    return f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"


class Discovery:
    def __init__(self, client: Client) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._by_gv: dict[str, Future[dict[str, ApiResource] | None]] = {}

    def _fetch(self, api_version: str) -> dict[str, ApiResource] | None:
        try:
            doc = self.client.request("GET", _gv_path(api_version), what=f"discovery of {api_version}")
        except NotFoundError:
            return None
        group, _, version = api_version.rpartition("/")
        out: dict[str, ApiResource] = {}
        for entry in (doc or {}).get("resources") or []:
            name = str(entry.get("name") or "")
            if not name or "/" in name:
                continue  # subresources
            out[str(entry.get("kind"))] = ApiResource(
                group, version, str(entry["kind"]), name, bool(entry.get("namespaced"))
            )
        return out

    def _resources(self, api_version: str) -> dict[str, ApiResource] | None:
        with self._lock:
            future = self._by_gv.get(api_version)
            owner = future is None
            if future is None:
                future = self._by_gv[api_version] = Future()
        if owner:
            try:
                future.set_result(self._fetch(api_version))
            except BaseException as exc:
                with self._lock:
                    self._by_gv.pop(api_version, None)
                future.set_exception(exc)
        return future.result()

    def resource(self, api_version: str, kind: str) -> ApiResource | None:
        """The resource serving `kind` in `api_version`, or None when the cluster does not serve it."""
        resources = self._resources(api_version)
        return resources.get(kind) if resources is not None else None

    def require(self, api_version: str, kind: str) -> ApiResource:
        res = self.resource(api_version, kind)
        if res is None:
            raise NoMatchError(
                f'no matches for kind "{kind}" in version "{api_version}"',
                hint="install its CustomResourceDefinition first (or add it to the render)",
            )
        return res

    def preferred_version(self, group: str) -> str | None:
        """The version the server prefers for `group` ("v1" for the core group), None when not served."""
        if not group:
            return "v1"
        try:
            doc = self.client.request("GET", f"/apis/{quote(group, safe='')}", what=f"discovery of {group}")
        except NotFoundError:
            return None
        preferred = (doc or {}).get("preferredVersion") or {}
        version = preferred.get("version") or next(
            (v.get("version") for v in (doc or {}).get("versions") or [] if v.get("version")), None
        )
        return str(version) if version else None

    def for_group_kind(self, group: str, kind: str) -> ApiResource | None:
        """The resource serving a group-kind at the preferred version, None when it is not served."""
        version = self.preferred_version(group)
        if version is None:
            return None
        return self.resource(f"{group}/{version}" if group else version, kind)

    def forget_missing(self) -> None:
        """Drop what is known to be missing (and any failed lookups), so CRDs created since are seen."""
        with self._lock:
            for gv, future in list(self._by_gv.items()):
                if future.done() and (future.exception() is not None or future.result() is None):
                    del self._by_gv[gv]

    def forget(self, api_versions: set[str]) -> None:
        with self._lock:
            for gv in api_versions:
                self._by_gv.pop(gv, None)
