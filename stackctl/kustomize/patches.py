"""The three patch fields of a kustomization: `patchesStrategicMerge`, `patches` and `patchesJson6902`.

This module finds each patch's targets and keeps kustomize's identity rules (a strategic merge patch may not
rename or re-kind its target unless allowed; the namespace always stays); the merge itself is smp.py and the
JSON operations json6902.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stackctl import yamlio
from stackctl.errors import KustomizeError, PatchError
from stackctl.kustomize.json6902 import apply_json6902, parse_json6902
from stackctl.kustomize.loader import KustDir
from stackctl.kustomize.resource import Resource
from stackctl.kustomize.selector import Selector, effective_namespace
from stackctl.kustomize.smp import apply_smp
from stackctl.kustomize.transformers import sync_links
from stackctl.model import Obj, ResId, copy_tree

Warn = Callable[[str], None]


def _load_text(kdir: KustDir, text: str, *, field: str) -> list[Any]:
    return yamlio.load_documents(text, source=f"{kdir.kfile}: {field}")


def _patch_source(kdir: KustDir, entry: dict[str, Any], *, field: str) -> tuple[str, str, list[Any]]:
    """The patch's text, the field it came from, and its YAML documents."""
    path, inline = entry.get("path"), entry.get("patch")
    if path and inline:
        raise KustomizeError("give either path or patch, not both", file=kdir.kfile, field=field)
    if path:
        where = f"{field}.path"
        docs = kdir.documents(str(path), field=where)
        return kdir.read_bytes(str(path), field=where).decode("utf-8", errors="replace"), where, docs
    if inline:
        where = f"{field}.patch"
        return str(inline), where, _load_text(kdir, str(inline), field=where)
    raise KustomizeError("a patch needs a path or an inline patch", file=kdir.kfile, field=field)


def _same_id(a: ResId, b: ResId) -> bool:
    return a.gvk == b.gvk and a.name == b.name and effective_namespace(a) == effective_namespace(b)


def _find_by_any_id(resources: list[Resource], rid: ResId, *, file: str, field: str) -> Resource:
    found = [r for r in resources if any(_same_id(i, rid) for i in (*r.prev_ids, r.id))]
    if len(found) == 1:
        return found[0]
    what = "multiple resources match" if found else "no resource matches"
    raise PatchError(
        f"{what} the strategic merge patch for {rid.display}",
        file=file,
        field=field,
        hint=None if found else "check the patch's apiVersion, kind, metadata.name and metadata.namespace",
    )


def _apply_smp(
    resources: list[Resource],
    res: Resource,
    patch: Obj,
    *,
    stringify_metadata: bool,
    file: str,
    field: str,
    allow_name_change: bool = False,
    allow_kind_change: bool = False,
) -> None:
    if allow_name_change or allow_kind_change:
        res.store_previous_id()
    held = None
    if res.created:
        # Fields created by replacements are untagged YAML nodes, which the merge turns into strings.
        # (Only replacements create them, so the module is loaded already.)
        from stackctl.kustomize.replacements import hold_created, settle_created

        held = hold_created(res, patch)
    try:
        merged = apply_smp(
            res.obj,
            patch,
            stringify_metadata=stringify_metadata,
            allow_name_change=allow_name_change,
            allow_kind_change=allow_kind_change,
            file=file,
            field=field,
        )
    except BaseException:
        if held is not None:
            settle_created(res, held, merged=False)
        raise
    if merged is None:
        resources.remove(res)
        return
    res.obj = merged
    if held is not None:
        settle_created(res, held)
    sync_links(res)


def _apply_json6902(res: Resource, ops: Any, *, file: str, field: str) -> None:
    # kustomize records the id before every JSON patch: the patch may rename the object.
    res.store_previous_id()
    annotations = res.meta.get("annotations")
    if res.typed_annotations and isinstance(annotations, dict):
        for key, (text, value) in res.typed_annotations.items():
            if annotations.get(key) == text:
                annotations[key] = value
    res.typed_annotations = {}
    res.created.clear()  # the JSON round trip types every node a replacement created
    res.obj = apply_json6902(res.obj, ops, file=file, field=field)
    # kustomize round-trips the object through JSON for the patch: values shared by several maps
    # (transformers.Link) are separate afterwards.
    res.links.clear()


def _json6902_to_targets(
    resources: list[Resource],
    selector: Selector,
    text: str,
    kdir: KustDir,
    *,
    field: str,
    where: str,
    warn: Warn,
) -> None:
    ops = parse_json6902(text, file=kdir.kfile, field=where)
    targets = selector.select(resources)
    if not targets:
        warn(f"{kdir.kfile}: {field}.target: matches no resource; the patch does nothing")
    for res in targets:
        _apply_json6902(res, ops, file=kdir.kfile, field=field)


def _smp_objects(docs: list[Any], *, file: str, field: str) -> list[Obj]:
    objs: list[Obj] = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise PatchError("a strategic merge patch must be a map", file=file, field=field)
        objs.append(doc)
    return objs


def _is_json6902(docs: list[Any]) -> bool:
    return len(docs) == 1 and isinstance(docs[0], list)


def apply_patches_strategic_merge(resources: list[Resource], entries: list[Any], kdir: KustDir) -> None:
    for i, entry in enumerate(entries):
        field = f"patchesStrategicMerge[{i}]"
        if not isinstance(entry, str):
            raise KustomizeError("expected a file path or an inline patch", file=kdir.kfile, field=field)
        if "\n" not in entry and kdir.resolve(entry, field=field).exists():
            docs = kdir.documents(entry, field=field)
        else:
            docs = _load_text(kdir, entry, field=field)
            if not any(isinstance(d, dict) for d in docs):
                raise KustomizeError(f"file '{entry}' not found", file=kdir.kfile, field=field)
        for patch in _smp_objects(docs, file=kdir.kfile, field=field):
            target = _find_by_any_id(resources, ResId.of(patch), file=kdir.kfile, field=field)
            _apply_smp(resources, target, patch, stringify_metadata=True, file=kdir.kfile, field=field)


def apply_patches(resources: list[Resource], entries: list[Any], kdir: KustDir, warn: Warn) -> None:
    for i, entry in enumerate(entries):
        field = f"patches[{i}]"
        if not isinstance(entry, dict):
            raise KustomizeError("expected a map with path or patch", file=kdir.kfile, field=field)
        for key in entry:
            if key not in ("path", "patch", "target", "options"):
                raise KustomizeError(f"unknown field '{key}'", file=kdir.kfile, field=f"{field}.{key}")
        text, where, docs = _patch_source(kdir, entry, field=field)
        options = entry.get("options") or {}
        allow_name = bool(options.get("allowNameChange"))
        allow_kind = bool(options.get("allowKindChange"))
        raw_target = entry.get("target")
        selector = (
            Selector.parse(raw_target, file=kdir.kfile, field=f"{field}.target")
            if raw_target is not None
            else None
        )
        if _is_json6902(docs):
            if selector is None:
                raise PatchError("a JSON 6902 patch needs a target", file=kdir.kfile, field=f"{field}.target")
            _json6902_to_targets(resources, selector, text, kdir, field=field, where=where, warn=warn)
            continue
        patches = _smp_objects(docs, file=kdir.kfile, field=field)
        if not patches:
            raise PatchError("the patch is empty", file=kdir.kfile, field=field)
        if selector is None:
            for patch in patches:
                target = _find_by_any_id(resources, ResId.of(patch), file=kdir.kfile, field=field)
                _apply_smp(
                    resources,
                    target,
                    patch,
                    stringify_metadata=False,
                    file=kdir.kfile,
                    field=field,
                    allow_name_change=allow_name,
                    allow_kind_change=allow_kind,
                )
            continue
        targets = selector.select(resources)
        if not targets:
            warn(f"{kdir.kfile}: {field}.target: matches no resource; the patch does nothing")
        for res in targets:
            for patch in patches:
                copy: Obj = copy_tree(patch)
                meta = copy.setdefault("metadata", {})
                if not isinstance(meta, dict):
                    raise PatchError("metadata must be a map", file=kdir.kfile, field=field)
                if not allow_name:
                    meta["name"] = res.name
                if res.namespace:
                    meta["namespace"] = res.namespace
                else:
                    meta.pop("namespace", None)
                if not allow_kind:
                    copy["apiVersion"] = res.obj.get("apiVersion")
                    copy["kind"] = res.kind
                if res in resources:
                    _apply_smp(
                        resources,
                        res,
                        copy,
                        stringify_metadata=True,
                        file=kdir.kfile,
                        field=field,
                        allow_name_change=allow_name,
                        allow_kind_change=allow_kind,
                    )


def apply_patches_json6902(resources: list[Resource], entries: list[Any], kdir: KustDir, warn: Warn) -> None:
    for i, entry in enumerate(entries):
        field = f"patchesJson6902[{i}]"
        if not isinstance(entry, dict):
            raise KustomizeError("expected a map with target and path or patch", file=kdir.kfile, field=field)
        raw_target = entry.get("target")
        if raw_target is None:
            raise PatchError("a JSON 6902 patch needs a target", file=kdir.kfile, field=f"{field}.target")
        selector = Selector.parse(raw_target, file=kdir.kfile, field=f"{field}.target")
        text, where, _docs = _patch_source(kdir, entry, field=field)
        _json6902_to_targets(resources, selector, text, kdir, field=field, where=where, warn=warn)
