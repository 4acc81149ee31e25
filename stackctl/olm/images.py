"""Which images a bundle runs: container images, and image references passed in args, env and config.

An operator often starts other images it names in a flag (prometheus-operator's config reloader,
cert-manager's ACME solver) or in its ConfigMap (Zalando's Spilo image). A disconnected install mirrors
only what `relatedImages` lists, so the builder lists all of them and the validator checks that nothing a
deployment runs is missing. Both use this one scanner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

# registry host (with a dot or a port, or localhost) / path [:tag] [@digest]; a tag or a digest is required
# so that `kube-system/kubelet` or a URL path is not taken for an image.
IMAGE_REF = re.compile(
    r"(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::[0-9]+)?|localhost(?::[0-9]+)?)"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(?:@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})"
)


def refs_in_text(text: str) -> Iterator[str]:
    """Image references in a string: the whole string, or the value of a `--flag=ref` / `key=ref`."""
    if IMAGE_REF.fullmatch(text):
        yield text
        return
    _, eq, value = text.partition("=")
    if eq and IMAGE_REF.fullmatch(value):
        yield value


def _containers(pod_spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in pod_spec.get(key) or []:
            if isinstance(c, Mapping):
                yield c


def deployment_images(spec: Mapping[str, Any]) -> list[str]:
    """Every image a Deployment spec runs or passes on, in order of appearance, without duplicates."""
    template = spec.get("template") if isinstance(spec, Mapping) else None
    pod = template.get("spec") if isinstance(template, Mapping) else None
    if not isinstance(pod, Mapping):
        return []
    found: list[str] = []
    for c in _containers(pod):
        image = c.get("image")
        if isinstance(image, str) and image:
            found.append(image)
        for key in ("command", "args"):
            for arg in c.get(key) or []:
                if isinstance(arg, str):
                    found.extend(refs_in_text(arg))
        for env in c.get("env") or []:
            value = env.get("value") if isinstance(env, Mapping) else None
            if isinstance(value, str):
                found.extend(refs_in_text(value))
    return list(dict.fromkeys(found))


def configmap_images(obj: Mapping[str, Any]) -> list[str]:
    data = obj.get("data")
    if not isinstance(data, Mapping):
        return []
    found = [
        ref for _, value in sorted(data.items()) if isinstance(value, str) for ref in refs_in_text(value)
    ]
    return list(dict.fromkeys(found))


def image_name(ref: str) -> str:
    """A relatedImages name for an image the catalog does not name: its repository's last path part."""
    path = ref.split("@", 1)[0]
    last = path.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]
