"""kustomize's output order: the "legacy" kind order by default, or `sortOptions` of the top kustomization."""

from __future__ import annotations

from collections.abc import Sequence

from stackctl.errors import KustomizeError
from stackctl.kustomize.resource import Resource
from stackctl.model import ResId

LEGACY_FIRST = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
LEGACY_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def type_ranks(first: Sequence[str] = LEGACY_FIRST, last: Sequence[str] = LEGACY_LAST) -> dict[str, int]:
    """kustomize's type order: negative for the kinds that go first, positive for the last (others: 0)."""
    ranks = {kind: i - len(first) for i, kind in enumerate(first)}
    ranks.update({kind: i + 1 for i, kind in enumerate(last)})
    return ranks


_LEGACY_RANKS = type_ranks()


def kind_rank(kind: str) -> int:
    return _LEGACY_RANKS.get(kind, 0)


def _gvk_string(rid: ResId) -> str:
    g = rid.gvk
    return f"{g.group or '~G'}_{g.version or '~V'}_{g.kind or '~K'}"


def legacy_sort(
    resources: Sequence[Resource],
    first: Sequence[str] = LEGACY_FIRST,
    last: Sequence[str] = LEGACY_LAST,
) -> list[Resource]:
    rank = type_ranks(first, last)

    def key(res: Resource) -> tuple[int, str, str]:
        rid = res.id
        # One joined string, as kustomize compares it: namespace "ab" sorts before "a" ('b' < '|').
        return (rank.get(rid.gvk.kind, 0), _gvk_string(rid), f"{rid.namespace or '~X'}|{rid.name}")

    return sorted(resources, key=key)


def sort_resources(resources: list[Resource], sort_options: dict[str, object], kfile: str) -> list[Resource]:
    if not sort_options:
        return legacy_sort(resources)
    order = sort_options.get("order")
    if order == "fifo":
        if sort_options.get("legacySortOptions"):
            raise KustomizeError(
                "legacySortOptions is only valid with order: legacy", file=kfile, field="sortOptions"
            )
        return list(resources)
    if order == "legacy":
        opts = sort_options.get("legacySortOptions") or {}
        if not isinstance(opts, dict):
            raise KustomizeError("expected a map", file=kfile, field="sortOptions.legacySortOptions")
        first = opts.get("orderFirst") or LEGACY_FIRST
        last = opts.get("orderLast") or LEGACY_LAST
        return legacy_sort(resources, [str(k) for k in first], [str(k) for k in last])
    raise KustomizeError(
        f"unknown order '{order}'", file=kfile, field="sortOptions.order", hint="use legacy or fifo"
    )
