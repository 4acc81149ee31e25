"""kustomize's resource selector (patch `target`, replacement `select`/`reject`).

Group, version and kind must equal when given; name and namespace are anchored regular expressions matched
against an object's original or current id; label and annotation selectors use Kubernetes label-selector
syntax (`a=b,c!=d,e in (f,g),!h`). Written by hand: no maintained Python library parses label selectors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stackctl.errors import KustomizeError
from stackctl.kustomize.k8s_schema import is_namespaced
from stackctl.kustomize.resource import Resource
from stackctl.model import ResId

SELECTOR_FIELDS = ("group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector")


def effective_namespace(rid: ResId) -> str:
    """kustomize compares namespaces with "" meaning "default", and none at all for cluster-scoped kinds."""
    if not is_namespaced(rid.gvk):
        return ""
    return rid.namespace or "default"


_REQ = re.compile(
    r"""\s*(?:
        (?P<not>!)\s*(?P<nkey>[^\s,!=()]+)
      | (?P<key>[^\s,!=()]+)\s*(?:
            (?P<op>==|=|!=)\s*(?P<val>[^\s,!=()]*)
          | (?P<setop>in|notin)\s*\((?P<set>[^)]*)\)
        )?
    )\s*(?:,|$)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Requirement:
    """One term of a label selector: `key=v`, `key!=v`, `key in (..)`, `key notin (..)`, `key`, `!key`."""

    key: str
    op: str
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, Any]) -> bool:
        value = labels.get(self.key)
        present = self.key in labels
        match self.op:
            case "exists":
                return present
            case "!":
                return not present
            case "in" | "=":
                return present and value in self.values
            case _:  # "notin" and "!=" also match objects without the key
                return value not in self.values

    __call__ = matches


def parse_label_selector(text: str, *, file: str, field: str) -> list[Requirement]:
    reqs: list[Requirement] = []
    pos = 0
    text = text.strip()
    if text.endswith(","):
        raise KustomizeError(f"invalid selector '{text}': trailing comma", file=file, field=field)
    while pos < len(text):
        m = _REQ.match(text, pos)
        if not m or m.end() == pos:
            raise KustomizeError(f"invalid selector '{text}'", file=file, field=field)
        pos = m.end()
        if m["not"]:
            reqs.append(Requirement(m["nkey"], "!"))
        elif m["op"]:
            reqs.append(Requirement(m["key"], "!=" if m["op"] == "!=" else "=", frozenset([m["val"]])))
        elif m["setop"]:
            values = frozenset(v.strip() for v in m["set"].split(",") if v.strip())
            reqs.append(Requirement(m["key"], m["setop"], values))
        else:
            reqs.append(Requirement(m["key"], "exists"))
    return reqs


@dataclass(frozen=True)
class Selector:
    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: re.Pattern[str] | None = None
    namespace: re.Pattern[str] | None = None
    labels: tuple[Requirement, ...] = ()
    annotations: tuple[Requirement, ...] = ()

    @classmethod
    def parse(cls, raw: Any, *, file: str, field: str) -> Selector:
        if not isinstance(raw, dict):
            raise KustomizeError("a target must be a map", file=file, field=field)
        for key in raw:
            if key not in SELECTOR_FIELDS:
                raise KustomizeError(f"unknown field '{key}'", file=file, field=f"{field}.{key}")

        def text(key: str) -> str | None:
            value = raw.get(key)
            return None if value in (None, "") else str(value)

        def regex(key: str) -> re.Pattern[str] | None:
            value = text(key)
            if value is None:
                return None
            try:
                return re.compile(f"^(?:{value})$")
            except re.error as exc:
                raise KustomizeError(
                    f"invalid regular expression: {exc}", file=file, field=f"{field}.{key}"
                ) from None

        def reqs(key: str) -> tuple[Requirement, ...]:
            value = text(key)
            if value is None:
                return ()
            return tuple(parse_label_selector(value, file=file, field=f"{field}.{key}"))

        return cls(
            text("group"),
            text("version"),
            text("kind"),
            regex("name"),
            regex("namespace"),
            reqs("labelSelector"),
            reqs("annotationSelector"),
        )

    def matches(self, res: Resource) -> bool:
        cur = res.id
        org = res.org_id
        if self.namespace is not None and not (
            self.namespace.match(effective_namespace(org)) or self.namespace.match(effective_namespace(cur))
        ):
            return False
        if self.name is not None and not (self.name.match(org.name) or self.name.match(cur.name)):
            return False
        gvk = cur.gvk
        if self.group is not None and self.group != gvk.group:
            return False
        if self.version is not None and self.version != gvk.version:
            return False
        if self.kind is not None and self.kind != gvk.kind:
            return False
        if self.labels:
            labels = res.meta.get("labels") or {}
            if not all(req.matches(labels) for req in self.labels):
                return False
        if self.annotations:
            annotations = res.meta.get("annotations") or {}
            if not all(req.matches(annotations) for req in self.annotations):
                return False
        return True

    def select(self, resources: list[Resource]) -> list[Resource]:
        return [r for r in resources if self.matches(r)]
