"""Fix references to renamed objects, as kustomize's name-reference transformer does.

namePrefix/nameSuffix, namespace and the generators' hash suffixes change object names; a Deployment that
mounts ConfigMap `app` must then mount `prefix-app-<hash>`. kustomize fixes those references once, at the
top of the build, after the hash suffixes (`FixBackReferences`): for every field its nameReference table
lists, it looks for the objects that once had the referenced name and writes their current name (and, for
fields holding a name+namespace map, their namespace). Which object wins when several once had that name
depends on namespaces, RBAC roleRef kinds and the prefixes/suffixes each object received; this module
reproduces those rules (api/filters/nameref, resmap's SubsetThatCouldBeReferencedByResource) exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stackctl.errors import KustomizeError, field_path
from stackctl.kustomize.fieldspec import parse_group_version
from stackctl.kustomize.k8s_schema import is_namespaced
from stackctl.kustomize.nameref_config import DEFAULT_NAME_REFERENCES, GvkSelector, NameBackReference
from stackctl.kustomize.resource import Resource
from stackctl.model import Gvk

_NOT_A_NAMESPACE = "_non_namespaceable_"


def fix_name_references(
    resources: list[Resource], name_references: Sequence[NameBackReference] = DEFAULT_NAME_REFERENCES
) -> None:
    """Rewrite, in place, every reference to an object by one of its previous names to its current name.

    `resources` is the whole build in its final names (hash suffixes included), each with the id history and
    prefixes/suffixes the transformers recorded. `name_references` is the sorted table to apply (see
    `nameref_config.merge_name_references` for user configurations). Raises KustomizeError where kustomize
    fails: an ambiguous reference, a path that runs into a scalar, a map without `name`.
    """
    nodes = [_Node.of(res) for res in resources]
    by_prev_name: dict[str, list[_Node]] = {}
    for node in nodes:
        for name in node.prev_names:
            by_prev_name.setdefault(name, []).append(node)
    filters_by_gvk: dict[tuple[str, str, str], list[tuple[GvkSelector, str, tuple[str, ...]]]] = {}
    for node in nodes:
        filters = filters_by_gvk.get(node.org_gvk)
        if filters is None:
            filters = [
                (backref.gvk, spec.path, spec.segments)
                for backref in name_references
                for spec in backref.referrers
                if spec.gvk.selects(*node.org_gvk)
            ]
            filters_by_gvk[node.org_gvk] = filters
        if not filters:
            continue
        fixer = _Fixer(node, nodes, by_prev_name)
        for target, path, segments in filters:
            fixer.apply(target, path, segments)


@dataclass(slots=True)
class _Node:
    """What the fixer needs to know about one object; names and namespaces do not change while it runs."""

    res: Resource
    kind: str
    name: str
    namespace: str
    cluster_scoped: bool
    effective_ns: str
    org_gvk: tuple[str, str, str]
    org_effective_ns: str
    prev_names: frozenset[str]
    prev_gvks: tuple[tuple[str, str, str], ...]
    prefixes: list[str]
    suffixes: list[str]

    @classmethod
    def of(cls, res: Resource) -> _Node:
        obj = res.obj
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        api_version = _text(obj.get("apiVersion"))
        kind = _text(obj.get("kind"))
        group, version = parse_group_version(api_version)
        cluster_scoped = _cluster_scoped(api_version, kind)
        namespace = _text(meta.get("namespace"))
        effective_ns = _effective_ns(namespace, cluster_scoped)
        # kustomize rebuilds previous ids from the current apiVersion and the recorded kinds, names and
        # (effective) namespaces.
        prev_gvks = tuple((group, version, prev.gvk.kind) for prev in res.prev_ids)
        if res.prev_ids:
            first = res.prev_ids[0]
            org_gvk = prev_gvks[0]
            org_effective_ns = _effective_ns(
                first.namespace, _cluster_scoped(first.gvk.api_version, first.gvk.kind)
            )
        else:
            org_gvk = (group, version, kind)
            org_effective_ns = effective_ns
        return cls(
            res=res,
            kind=kind,
            name=_text(meta.get("name")),
            namespace=namespace,
            cluster_scoped=cluster_scoped,
            effective_ns=effective_ns,
            org_gvk=org_gvk,
            org_effective_ns=org_effective_ns,
            prev_names=frozenset(prev.name for prev in res.prev_ids),
            prev_gvks=prev_gvks,
            prefixes=_csv_list(res.prefixes),
            suffixes=_csv_list(res.suffixes),
        )

    @property
    def id_string(self) -> str:
        """kustomize's ResId.String(): `Kind.version.group/name.namespace` with placeholders for blanks."""
        group, version = parse_group_version(_text(self.res.obj.get("apiVersion")))
        gvk = ".".join((self.kind or "[noKind]", version or "[noVer]", group or "[noGrp]"))
        return f"{gvk}/{self.name or '[noName]'}.{self.namespace or '[noNs]'}"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _cluster_scoped(api_version: str, kind: str) -> bool:
    return not is_namespaced(Gvk.from_api_version(api_version, kind))


def _effective_ns(namespace: str, cluster_scoped: bool) -> str:
    if cluster_scoped:
        return _NOT_A_NAMESPACE
    return namespace or "default"


def _csv_list(values: list[str]) -> list[str]:
    # kustomize keeps prefixes and suffixes in a comma-joined annotation and splits it back.
    return ",".join(values).split(",") if values else []


def _role_binding_sa_namespaces(referrer: _Node) -> set[str]:
    if referrer.kind != "RoleBinding":
        return set()
    subjects = referrer.res.obj.get("subjects")
    if not isinstance(subjects, list):
        return set()
    found: set[str] = set()
    for i, subject in enumerate(subjects):
        if not isinstance(subject, dict):
            raise KustomizeError(
                f"subjects of {referrer.id_string} must be maps, found {subject!r}",
                file=referrer.res.origin,
                field=f"subjects[{i}]",
            )
        if "namespace" in subject and "kind" in subject and subject["kind"] == "ServiceAccount":
            namespace = subject["namespace"]
            if not isinstance(namespace, str):
                raise KustomizeError(
                    f'Invalid Input: namespace is blank for resource "{referrer.id_string}"',
                    file=referrer.res.origin,
                    field=f"subjects[{i}].namespace",
                    hint="give the ServiceAccount subject a namespace, or remove the empty `namespace:`",
                )
            found.add(namespace)
    return found


class _FieldError(Exception):
    """A failure inside one field walk, with the concrete field it happened at (for the error location)."""

    def __init__(self, message: str, at: _Where, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.at = at
        self.hint = hint


_Where = tuple[str | int, ...]


class _Fixer:
    """Applies the nameReference field specs that select one referrer."""

    def __init__(self, referrer: _Node, nodes: list[_Node], by_prev_name: dict[str, list[_Node]]) -> None:
        self.referrer = referrer
        self.nodes = nodes
        self.by_prev_name = by_prev_name
        self.sa_namespaces = set() if referrer.cluster_scoped else _role_binding_sa_namespaces(referrer)
        self._org_namespaces: set[str] | None = None

    def _could_refer_to(self, node: _Node) -> bool:
        """kustomize's SubsetThatCouldBeReferencedByResource: cluster-scoped objects, the referrer's own
        namespace, and for a RoleBinding the namespaces of its ServiceAccount subjects."""
        referrer = self.referrer
        return (
            referrer.cluster_scoped
            or node.cluster_scoped
            or node.effective_ns == referrer.effective_ns
            or node.namespace in self.sa_namespaces
        )

    def _named(self, old: str) -> list[_Node]:
        return [node for node in self.by_prev_name.get(old, ()) if self._could_refer_to(node)]

    def apply(self, target: GvkSelector, path: str, segments: tuple[str, ...]) -> None:
        try:
            self._walk(self.referrer.res.obj, segments, target, path, ())
        except _FieldError as err:
            where = self.referrer.id_string
            raise KustomizeError(
                f"updating name reference in '{path}' field of '{where}': "
                f"considering field '{path}' of object {where}: {err.message}",
                file=self.referrer.res.origin,
                field=field_path(err.at) or None,
                hint=err.hint or "kustomize expects a name there, a list of names or a map with `name`",
            ) from None

    # -- the field-spec walk (kyaml's fieldspec filter, never creating fields) --

    def _walk(self, node: Any, segments: tuple[str, ...], target: GvkSelector, path: str, at: _Where) -> None:
        if not segments:
            self._set(node, target, path, at)
            return
        if isinstance(node, list):
            for i, item in enumerate(node):
                if item is None:
                    continue
                try:
                    self._walk(item, segments, target, path, (*at, i))
                except _FieldError as err:
                    message = f"visit traversal on path: [{' '.join(segments)}]: {err.message}"
                    raise _FieldError(message, err.at, err.hint) from None
            return
        if not isinstance(node, dict):
            raise _FieldError("expected sequence or mapping node", at)
        key = segments[0].removesuffix("[]")
        if not key:
            raise _FieldError("cannot set or create an empty field name", at)
        child = node.get(key)
        if child is None:
            return
        if len(segments) == 1 and not isinstance(child, (dict, list)):
            new = self._scalar(child, target, path, (*at, key))
            if new is not None:
                node[key] = new
            return
        self._walk(child, segments[1:], target, path, (*at, key))

    def _set(self, value: Any, target: GvkSelector, path: str, at: _Where) -> None:
        """The value at the end of the path if a map or a list (the caller replaces scalars itself)."""
        if isinstance(value, dict):
            self._set_mapping(value, target, path, at)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    self._set_mapping(item, target, path, (*at, i))
                elif isinstance(item, list):
                    raise _FieldError(
                        f"{item!r} is expected to be either a string or a map of string", (*at, i)
                    )
                elif item is not None:
                    new = self._scalar(item, target, path, (*at, i))
                    if new is not None:
                        value[i] = new

    def _scalar(self, value: Any, target: GvkSelector, path: str, at: _Where) -> str | None:
        """The new value for a scalar name, or None to leave it as it is."""
        old = _scalar_text(value)
        if old is None:
            return None
        referral = self._select(self._named(old), target, path, at, with_namespace=False)
        if referral is None or referral.name == old:
            return None
        return referral.name

    def _set_mapping(self, value: dict[str, Any], target: GvkSelector, path: str, at: _Where) -> None:
        if "name" not in value:
            raise _FieldError("path config error; no 'name' field in node", at)
        old = _scalar_text(value["name"]) or ""
        candidates = self._named(old)
        if "namespace" in value:
            candidates = self._in_namespace(candidates, _scalar_text(value["namespace"]) or "")
        referral = self._select(candidates, target, path, (*at, "name"), with_namespace=True)
        if referral is None or (referral.name == old and not referral.namespace):
            return
        value["name"] = referral.name
        if referral.namespace:
            value["namespace"] = referral.namespace

    def _in_namespace(self, candidates: list[_Node], namespace: str) -> list[_Node]:
        """Candidates in `namespace`: by the namespace they started in if any candidate for this referrer
        started there (whatever its name), else by their current one."""
        if self._org_namespaces is None:
            self._org_namespaces = {n.org_effective_ns for n in self.nodes if self._could_refer_to(n)}
            self._org_namespaces.discard(_NOT_A_NAMESPACE)
        if namespace == _NOT_A_NAMESPACE:
            return []
        if namespace in self._org_namespaces:
            return [node for node in candidates if node.org_effective_ns == namespace]
        return [node for node in candidates if node.effective_ns == namespace]

    # -- choosing the referral (nameref.Filter.selectReferral) --

    def _select(
        self, candidates: list[_Node], target: GvkSelector, path: str, at: _Where, *, with_namespace: bool
    ) -> _Node | None:
        """The one object the name means among those that once had it; None if none; error if several."""
        found = [node for node in candidates if any(target.selects(*gvk) for gvk in node.prev_gvks)]
        if not found:
            return None
        if path.endswith("roleRef/name"):
            role_ref = _role_ref_selector(self.referrer.res.obj)
            if role_ref is not None:
                found = [node for node in found if any(role_ref.selects(*gvk) for gvk in node.prev_gvks)]
        found = [node for node in found if self._same_namespace(node)]
        if len(found) == 1:
            return found[0]
        for allow_empty in (True, False):
            found = [node for node in found if self._same_prefixes_suffixes(node, allow_empty)]
            if len(found) == 1:
                return found[0]
        if not found:
            return None
        first = found[0]
        if all(
            node.name == first.name and (not with_namespace or node.namespace == first.namespace)
            for node in found
        ):
            return first
        ids = ", ".join(node.id_string for node in found)
        raise _FieldError(
            f"found multiple possible referrals: {ids}",
            at,
            "several objects in reach of the referrer once had this name and none matches its "
            "prefixes/suffixes better; rename one of them",
        )

    def _same_namespace(self, node: _Node) -> bool:
        if self.referrer.cluster_scoped or node.cluster_scoped or node.kind == "ServiceAccount":
            return True
        return node.effective_ns == self.referrer.effective_ns

    def _same_prefixes_suffixes(self, node: _Node, allow_empty: bool) -> bool:
        mine, theirs = self.referrer, node
        if allow_empty:
            return (
                not mine.prefixes or not theirs.prefixes or _same_ending(mine.prefixes, theirs.prefixes)
            ) and (not mine.suffixes or not theirs.suffixes or _same_ending(mine.suffixes, theirs.suffixes))
        return _same_ending(mine.prefixes, theirs.prefixes) and _same_ending(mine.suffixes, theirs.suffixes)


def _same_ending(a: list[str], b: list[str]) -> bool:
    """Whether the shorter list is a tail of the longer one; an empty list only matches an empty list."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return not long
    return long[len(long) - len(short) :] == short


def _scalar_text(value: Any) -> str | None:
    """The text kustomize compares for a scalar name (it reads the YAML text; ours is parsed, so booleans and
    numbers are spelled the usual way); None for null."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return None


def _role_ref_selector(obj: dict[str, Any]) -> GvkSelector | None:
    """roleRef's apiGroup and kind as a selector, or None (accept any kind) when either is missing."""
    role_ref = obj.get("roleRef")
    if not isinstance(role_ref, dict):
        return None
    group, kind = role_ref.get("apiGroup"), role_ref.get("kind")
    if group is None or kind is None:
        return None
    return GvkSelector(_text(group), "", _text(kind))
