"""Cluster failures as `StackctlError`s: what the apiserver said, about which object, and what to do.

The apiserver's `Status` body carries the reason, a message and, for apply conflicts, one cause per field
naming the manager that owns it. Users should not have to read JSON to learn that `.spec.replicas` belongs
to `kube-controller-manager`, so those become the message and the hint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stackctl.errors import StackctlError


class ClusterError(StackctlError):
    """Anything that went wrong talking to a cluster."""


class KubeconfigError(ClusterError):
    """No usable kubeconfig, context or in-cluster configuration."""


class ConnectionFailed(ClusterError):
    """The apiserver could not be reached, or kept dropping connections or timing out, after retries."""


class NoMatchError(ClusterError):
    """A kind the cluster does not serve (its CRD is not installed)."""


class WaitTimeout(ClusterError):
    """Objects not ready before --timeout."""


@dataclass(frozen=True)
class FieldConflict:
    field: str  # `.spec.replicas`
    manager: str  # the manager that owns it


class ApiError(ClusterError):
    """An error response from the apiserver."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        reason: str,
        file: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, file=file, field=field, hint=hint)
        self.status = status
        self.reason = reason


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    """409: an apply conflict (`conflicts` set) or an optimistic-concurrency conflict."""

    def __init__(self, message: str, *, conflicts: tuple[FieldConflict, ...] = (), **kw: Any) -> None:
        super().__init__(message, **kw)
        self.conflicts = conflicts


class InvalidError(ApiError):
    """422: the apiserver rejected the object."""


class ForbiddenError(ApiError):
    pass


def parse_status(body: bytes) -> Mapping[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return doc if isinstance(doc, Mapping) and doc.get("kind") == "Status" else {}


def _manager(message: str) -> str:
    # `conflict with "hpa-controller" using apps/v1` -> hpa-controller
    start = message.find('"')
    end = message.find('"', start + 1)
    return message[start + 1 : end] if 0 <= start < end else message


def translate(status: int, body: bytes, *, what: str, secret: bool = False) -> ApiError:
    """The error for an HTTP error response about `what` (`Deployment.apps/ns/name`, or a path).

    For a Secret the server's message is left out (an Invalid message can quote the value); the reason
    and the fields named in the causes remain.
    """
    doc = parse_status(body)
    reason = str(doc.get("reason") or "")
    message = str(doc.get("message") or body.decode("utf-8", "replace").strip() or f"HTTP {status}")
    details = doc.get("details") if isinstance(doc.get("details"), Mapping) else {}
    causes = [c for c in (details or {}).get("causes") or [] if isinstance(c, Mapping)]
    if status == 409 and any(c.get("reason") == "FieldManagerConflict" for c in causes):
        conflicts = tuple(
            FieldConflict(str(c.get("field") or ""), _manager(str(c.get("message") or ""))) for c in causes
        )
        owned = ", ".join(f'{c.field} (owned by "{c.manager}")' for c in conflicts)
        n = len(conflicts)
        return ConflictError(
            f"{what}: apply conflict{'s' if n > 1 else ''} on {owned}",
            conflicts=conflicts,
            status=status,
            reason=reason or "Conflict",
            hint="rerun with --force-conflicts to take these fields over, or stop setting them",
        )
    if secret and status == 422:
        fields = ", ".join(str(c.get("field")) for c in causes if c.get("field")) or "(no field given)"
        message = f"the Secret is invalid: {fields} (message withheld: it may quote a secret value)"
    text = f"{what}: {message}"
    if status == 404:
        return NotFoundError(text, status=status, reason=reason or "NotFound")
    if status == 409:
        return ConflictError(text, status=status, reason=reason or "Conflict")
    if status == 422:
        return InvalidError(text, status=status, reason=reason or "Invalid")
    if status == 401:
        return ApiError(
            text,
            status=status,
            reason=reason or "Unauthorized",
            hint="check the credentials of the kubeconfig user",
        )
    if status == 403:
        return ForbiddenError(
            text,
            status=status,
            reason=reason or "Forbidden",
            hint="the kubeconfig user lacks RBAC permission (server-side apply needs patch and create)",
        )
    return ApiError(f"{what}: HTTP {status} {reason}: {message}".rstrip(), status=status, reason=reason)
