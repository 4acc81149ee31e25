"""kustomize's resource selector (patch `target`, replacement `select`/`reject`).

Group, version and kind must equal when given; name and namespace are anchored regular expressions matched
against an object's original or current id; label and annotation selectors use Kubernetes label-selector
syntax (`a=b,c!=d,e in (f,g),!h`). Written by hand: no maintained Python library parses label selectors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stackctl.errors import KustomizeError
from stackctl.kustomize.k8s_schema import is_namespaced
from stackctl.kustomize.resource import Resource
from stackctl.model import ResId

SELECTOR_FIELDS = ("group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector")

Requirement = Callable[[Mapping[str, Any]], bool]


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
            key = m["nkey"]
            reqs.append(lambda labels, key=key: key not in labels)
        elif m["op"]:
            key, val = m["key"], m["val"]
            if m["op"] == "!=":
                reqs.append(lambda labels, key=key, val=val: labels.get(key) != val)
            else:
                reqs.append(lambda labels, key=key, val=val: labels.get(key) == val)
        elif m["setop"]:
            key = m["key"]
            values = frozenset(v.strip() for v in m["set"].split(",") if v.strip())
            if m["setop"] == "in":
                reqs.append(lambda labels, key=key, values=values: labels.get(key) in values)
            else:
                reqs.append(lambda labels, key=key, values=values: labels.get(key) not in values)
        else:
            key = m["key"]
            reqs.append(lambda labels, key=key: key in labels)
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
                raise KustomizeError(f"invalid regular expression: {exc}", file=file, field=f"{field}.{key}") from None

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
            if not all(req(labels) for req in self.labels):
                return False
        if self.annotations:
            annotations = res.meta.get("annotations") or {}
            if not all(req(annotations) for req in self.annotations):
                return False
        return True

    def select(self, resources: list[Resource]) -> list[Resource]:
        return [r for r in resources if self.matches(r)]
