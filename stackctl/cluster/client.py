"""HTTP to the apiserver through the official client, with retries that kubectl users expect.

The kubernetes client (`ApiClient`) provides what a kubeconfig implies: TLS, client certificates, bearer
tokens, exec credential plugins. Its own urllib3 retries are turned off (`retries=False`) so that every
retry is decided, counted and logged here: 429 and 5xx (honouring `Retry-After`), timeouts and dropped
connections, with capped exponential backoff and jitter. Server-side apply is idempotent (the same
configuration applied twice is one change), so retrying a PATCH whose response was lost is safe.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import urllib3
from kubernetes import client as k8s_client

from stackctl import __version__
from stackctl.cluster.errors import ConnectionFailed, translate
from stackctl.cluster.kubeconfig import ClusterConfig

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base: float = 0.2  # seconds before the first retry; doubled each time
    cap: float = 5.0  # longest backoff between tries
    max_retry_after: float = 60.0  # longest Retry-After honoured

    def delay(
        self, retry: int, retry_after: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds before retry number `retry` (1-based): the server's Retry-After when it sent one, else
        capped exponential backoff with jitter (between half and all of it)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        backoff = min(self.cap, self.base * 2.0 ** (retry - 1))
        return backoff * (0.5 + rand() / 2)


@dataclass
class Stats:
    requests: int = 0
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, *, retry: bool) -> None:
        with self.lock:
            self.requests += 1
            self.retries += retry


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # an HTTP date: fall back to backoff


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "timed out waiting for the response"
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError | urllib3.exceptions.NewConnectionError):
        return f"cannot connect: {getattr(exc, 'reason', None) or exc}"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "the connection was dropped"
    return f"{type(exc).__name__}: {exc}"


class Client:
    """JSON over HTTP to one cluster; safe to share between threads."""

    def __init__(
        self,
        config: ClusterConfig,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        pool_size: int = 8,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        configuration = config.configuration
        configuration.retries = False
        configuration.connection_pool_maxsize = max(pool_size, 1)
        self.config = config
        self.api = k8s_client.ApiClient(configuration)
        self.api.user_agent = f"stackctl/{__version__}"
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.stats = Stats()

    def close(self) -> None:
        self.api.close()  # type: ignore[no-untyped-call]

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        secret: bool = False,
    ) -> Any:
        """Send one request (retrying as the policy says) and return the decoded JSON body. `path` is
        already escaped (ApiResource.path does that).

        Error responses become `ApiError`s about `what`; `secret` withholds the server's message for Secrets.
        """
        url = path + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
        for attempt in range(1, self.retry.attempts + 1):
            last = attempt == self.retry.attempts
            self.stats.count(retry=attempt > 1)
            try:
                status, raw, retry_after = self._once(method, url, headers, data)
            except k8s_client.ApiException as exc:  # TLS failures: no retry will fix them
                raise ConnectionFailed(f"{what}: {exc.reason}", hint=f"server {self.config.server}") from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if last:
                    raise ConnectionFailed(
                        f"{what}: {_describe(exc)} (after {attempt} attempts)",
                        hint=f"is the apiserver at {self.config.server} up? (--request-timeout: the wait)",
                    ) from None
                self.sleep(self.retry.delay(attempt, None))
                continue
            if status in RETRYABLE_STATUS and not last:
                self.sleep(self.retry.delay(attempt, _retry_after(retry_after)))
                continue
            if status >= 400:
                raise translate(status, raw, what=what, secret=secret)
            return json.loads(raw) if raw else None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self, method: str, url: str, headers: dict[str, str], data: bytes | None
    ) -> tuple[int, bytes, str | None]:
        _, full_url, full_headers, _, _ = self.api.param_serialize(
            method=method, resource_path=url, header_params=dict(headers), auth_settings=["BearerToken"]
        )
        resp = self.api.call_api(
            method, full_url, header_params=full_headers, body=data, _request_timeout=self.timeout
        )
        try:
            raw: bytes = resp.read() or b""  # type: ignore[no-untyped-call]
        finally:
            resp.response.release_conn()
        retry_after: str | None = resp.getheader("Retry-After")  # type: ignore[no-untyped-call]
        return int(resp.status), raw, retry_after
