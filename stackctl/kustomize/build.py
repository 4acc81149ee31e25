"""The build: kustomize's accumulate-then-transform recursion over a tree of kustomizations.

Mirrors kustomize's KustTarget: for each kustomization, resources (files and sub-builds) are accumulated,
generators run, components are applied to the same accumulation, then the builtin transformers run in
kustomize's fixed order. Hash suffixes, name references, `local-config` filtering and ordering happen once,
at the top.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackctl import yamlio
from stackctl.errors import KustomizeError
from stackctl.kustomize import hashing, nameref, transformers
from stackctl.kustomize.kustomization import Kustomization
from stackctl.kustomize.loader import ROOT_ONLY, KustDir, Workspace, display_path
from stackctl.kustomize.order import sort_resources
from stackctl.kustomize.resource import Resource
from stackctl.kustomize.selector import effective_namespace
from stackctl.model import Obj

LOCAL_CONFIG = "config.kubernetes.io/local-config"


@dataclass(frozen=True)
class BuildResult:
    objects: list[Obj]
    warnings: list[str]


def _id_key(res: Resource) -> tuple[str, str, str, str, str]:
    rid = res.id
    return (rid.gvk.group, rid.gvk.version, rid.gvk.kind, effective_namespace(rid), rid.name)


def _is_remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(("github.com/", "git@", "gitlab.com/", "bitbucket.org/"))


@dataclass
class Builder:
    workspace: Workspace
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- entry points -------------------------------------------------------------------------------------

    def build(self, path: Path) -> list[Resource]:
        root = self._confirm_dir(path, stack=(), file=None, field=None)
        kust = self.workspace.kustomization(root)
        if kust.kind == "Component":
            raise KustomizeError(
                "a Component cannot be built on its own; list it under `components` of a Kustomization",
                file=kust.kfile,
                field="kind",
            )
        resources = self._accumulate(root, kust, (root,), [])
        hashing.add_hash_suffixes(resources)
        nameref.fix_name_references(resources)
        resources = [r for r in resources if (r.meta.get("annotations") or {}).get(LOCAL_CONFIG) != "true"]
        for res in resources:
            _finish_annotations(res)
        return sort_resources(resources, kust.get_map("sortOptions"), kust.kfile)

    # -- accumulation -------------------------------------------------------------------------------------

    def _confirm_dir(
        self, path: Path, *, stack: tuple[Path, ...], file: str | None, field: str | None
    ) -> Path:
        real = path.resolve()
        if not real.is_dir():
            raise KustomizeError(f"'{display_path(path)}' is not a directory", file=file, field=field)
        for visited in stack:
            if visited.is_relative_to(real):
                raise KustomizeError(
                    f"cycle detected: '{display_path(real)}' contains or is '{display_path(visited)}', "
                    "which is already being built",
                    file=file,
                    field=field,
                )
        return real

    def _accumulate(
        self, root: Path, kust: Kustomization, stack: tuple[Path, ...], acc: list[Resource]
    ) -> list[Resource]:
        kdir = KustDir(self.workspace, root, kust.kfile)
        self.warnings.extend(kust.deprecations())
        for i, entry in enumerate(kust.get_list("resources")):
            self._add_resource_entry(acc, kdir, stack, entry, f"resources[{i}]")
        if {"configMapGenerator", "secretGenerator", "generatorOptions"} & kust.fields.keys():
            from stackctl.kustomize import generators  # lazily: start-up time matters to a CLI

            generators.run_generators(acc, kust.fields, kdir)
        for i, entry in enumerate(kust.get_list("components")):
            field_name = f"components[{i}]"
            if not isinstance(entry, str):
                raise KustomizeError("expected a path", file=kust.kfile, field=field_name)
            sub = self._confirm_dir(root / entry, stack=stack, file=kust.kfile, field=field_name)
            sub_kust = self.workspace.kustomization(sub, referrer=kust.kfile, field=field_name)
            if sub_kust.kind != "Component":
                raise KustomizeError(
                    f"'{entry}' is a {sub_kust.kind}, but components must be of kind Component",
                    file=kust.kfile,
                    field=field_name,
                )
            acc = self._accumulate(sub, sub_kust, (*stack, sub), acc)
        self._transform(acc, kust, kdir)
        return acc

    def _add_resource_entry(
        self, acc: list[Resource], kdir: KustDir, stack: tuple[Path, ...], entry: Any, field_name: str
    ) -> None:
        if not isinstance(entry, str) or not entry:
            raise KustomizeError("expected a file or directory path", file=kdir.kfile, field=field_name)
        if _is_remote(entry):
            raise KustomizeError(
                f"remote resource '{entry}' is not supported by stackctl",
                file=kdir.kfile,
                field=field_name,
                hint="vendor the files into the repository",
            )
        candidate = kdir.root / entry
        if candidate.is_dir():
            sub = self._confirm_dir(candidate, stack=stack, file=kdir.kfile, field=field_name)
            sub_kust = self.workspace.kustomization(sub, referrer=kdir.kfile, field=field_name)
            if sub_kust.kind == "Component":
                raise KustomizeError(
                    f"'{entry}' is a Component; list it under `components`, not `resources`",
                    file=kdir.kfile,
                    field=field_name,
                )
            self._append(acc, self._accumulate(sub, sub_kust, (*stack, sub), []), kdir, field_name)
            return
        docs = kdir.documents(entry, field=field_name, resources=True)
        origin = display_path(kdir.resolve(entry, field=field_name))
        self._append(acc, list(_resources_from_docs(docs, origin)), kdir, field_name)

    def _append(self, acc: list[Resource], new: Iterable[Resource], kdir: KustDir, field_name: str) -> None:
        seen = {_id_key(r) for r in acc}
        for res in new:
            key = _id_key(res)
            if key in seen:
                raise KustomizeError(
                    f"may not add resource with an already registered id: {res.id.display} "
                    f"(from {res.origin})",
                    file=kdir.kfile,
                    field=field_name,
                    hint="two resources have the same kind, namespace and name",
                )
            seen.add(key)
            acc.append(res)

    # -- transformers, in kustomize's fixed order -----------------------------------------------------------

    def _transform(self, acc: list[Resource], kust: Kustomization, kdir: KustDir) -> None:
        f = kust.fields
        if f.get("patchesStrategicMerge") or f.get("patches") or f.get("patchesJson6902"):
            from stackctl.kustomize import patches  # lazily: start-up time matters to a CLI
        if f.get("patchesStrategicMerge"):
            patches.apply_patches_strategic_merge(acc, kust.get_list("patchesStrategicMerge"), kdir)
        if f.get("patches"):
            patches.apply_patches(acc, kust.get_list("patches"), kdir, self.warn)
        if f.get("namespace"):
            transformers.set_namespace(acc, kust.get_str("namespace"))
        if f.get("namePrefix") or f.get("nameSuffix"):
            transformers.add_name_prefix_suffix(acc, kust.get_str("namePrefix"), kust.get_str("nameSuffix"))
        for i, entry in enumerate(kust.get_list("labels")):
            transformers.add_labels_entry(acc, entry, index=i, file=kust.kfile)
        if "commonLabels" in f:
            transformers.add_labels(
                acc,
                transformers.string_map(f["commonLabels"], name="commonLabels", file=kust.kfile),
                include_selectors=True,
                include_templates=True,
                file=kust.kfile,
                field="commonLabels",
            )
        if "commonAnnotations" in f:
            transformers.add_annotations(
                acc,
                transformers.string_map(f["commonAnnotations"], name="commonAnnotations", file=kust.kfile),
            )
        if f.get("patchesJson6902"):
            patches.apply_patches_json6902(acc, kust.get_list("patchesJson6902"), kdir, self.warn)
        if f.get("replicas"):
            transformers.set_replicas(acc, kust.get_list("replicas"), file=kust.kfile)
        if f.get("images"):
            transformers.set_images(acc, kust.get_list("images"), file=kust.kfile)
        if f.get("replacements"):
            from stackctl.kustomize import replacements

            replacements.apply_replacements(acc, kust.get_list("replacements"), kdir)
            for res in acc:
                transformers.sync_links(res)


def _finish_annotations(res: Resource) -> None:
    # kustomize strips its internal build annotations last, rewriting the map as strings: every value
    # becomes its text (collections ""), and an empty or null map disappears (an empty `labels` stays).
    meta = res.obj.get("metadata")
    if not isinstance(meta, dict) or "annotations" not in meta:
        return
    annotations = meta["annotations"]
    if not annotations:
        del meta["annotations"]
        return
    if not isinstance(annotations, dict):
        return
    for key, value in annotations.items():
        if not isinstance(value, str):
            annotations[key] = "" if isinstance(value, (dict, list)) else yamlio.scalar_text(value)


def _resources_from_docs(docs: list[Any], origin: str) -> Iterable[Resource]:
    for doc in docs:
        if not isinstance(doc, dict):
            raise KustomizeError("missing Resource metadata: a resource must be a map", file=origin)
        source_form = doc.pop(yamlio.SOURCE_FORM, None)
        kind = doc.get("kind")
        items = doc.get("items")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
            # kustomize decodes a List's items through JSON: they keep no source spelling
            yield from _resources_from_docs(items, origin)
            continue
        if not kind:
            raise KustomizeError("missing kind in object", file=origin, field="kind")
        meta = doc.get("metadata")
        if not isinstance(meta, dict) or not meta.get("name"):
            raise KustomizeError(
                f"missing metadata.name in {kind} object", file=origin, field="metadata.name"
            )
        res = Resource(doc, origin)
        if source_form:
            res.spellings, res.flow_maps = source_form
        typed = meta.pop(yamlio.TYPED_ANNOTATIONS, None)
        if typed:
            texts = meta.get("annotations") or {}
            res.typed_annotations = {k: (texts[k], v) for k, v in typed.items() if k in texts}
        yield res


def build(path: str | Path, *, load_restrictor: str = ROOT_ONLY) -> BuildResult:
    builder = Builder(Workspace(load_restrictor))
    resources = builder.build(Path(path))
    return BuildResult([r.obj for r in resources], builder.warnings)


def build_many(paths: Iterable[str | Path], *, load_restrictor: str = ROOT_ONLY) -> list[BuildResult]:
    """Several builds in one process, sharing parsed files (three environments over one base)."""
    workspace = Workspace(load_restrictor)
    results = []
    for path in paths:
        builder = Builder(workspace)
        resources = builder.build(Path(path))
        results.append(BuildResult([r.obj for r in resources], builder.warnings))
    return results


def build_yaml(path: str | Path, *, load_restrictor: str = ROOT_ONLY) -> str:
    return yamlio.dump_documents(build(path, load_restrictor=load_restrictor).objects)


Renderer = Callable[[list[Obj]], str]
