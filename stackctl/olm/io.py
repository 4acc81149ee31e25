"""The OLM package's edges: rendering the inputs, reading bundles and catalogs, writing bundles/ atomically.

Writing: the new tree is assembled in a temporary directory beside the output (untouched packages copied
over from the old tree), then swapped in with two renames. Any failure before the swap leaves the old
bundles/ exactly as it was; the swap itself restores the old tree if its second rename fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from stackctl import yamlio
from stackctl.catalog import Catalog, Operator
from stackctl.kustomize.build import build
from stackctl.olm.generate import OperatorInputs
from stackctl.olm.model import BundleSource, CatalogSource, GeneratedFile, Obj, OlmError

RESOURCES_DIR = "overlays/resources"
DEFAULT_SIZING = "overlays/envs/prod"


def render_inputs(
    catalog: Catalog, root: Path, keys: Sequence[str], sizing: str | None = DEFAULT_SIZING
) -> list[OperatorInputs]:
    """Render each operator's install base, the stack's resources for it, and the sizing environment."""
    sized: list[Obj] = build(root / sizing).objects if sizing else []
    out = []
    for key in keys:
        op = catalog.operator(key)
        base = build(root / op.bundle_base).objects
        resources = root / RESOURCES_DIR / op.key
        stack = build(resources).objects if (resources / "kustomization.yaml").is_file() else []
        owned = {(c.group, c.kind) for c in op.crds}
        stack = [
            o for o in stack if (str(o.get("apiVersion", "")).rpartition("/")[0], o.get("kind")) in owned
        ]
        out.append(OperatorInputs(op, base, stack, sized))
    return out


def operators_for(catalog: Catalog, names: Sequence[str] | None) -> list[Operator]:
    return [catalog.operator(n) for n in names] if names else list(catalog.operators)


# -- writing ------------------------------------------------------------------------------------------------


def write_tree(out: Path, files: Iterable[GeneratedFile], owned: Sequence[str]) -> None:
    """Replace the `owned` top-level paths of `out` with `files`, keeping everything else, atomically."""
    out = out.absolute()
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    backup: Path | None = None
    try:
        if out.is_dir():
            for entry in sorted(out.rglob("*")):
                rel = entry.relative_to(out).as_posix()
                if any(rel == o or rel.startswith(o + "/") for o in owned):
                    continue
                target = tmp / rel
                if entry.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(entry, target)
        elif out.exists():
            raise OlmError(f"{out} exists and is not a directory", field="--out")
        for f in files:
            target = tmp / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(f.text)
        if out.is_dir():
            backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            backup.rmdir()
            os.rename(out, backup)
            try:
                os.rename(tmp, out)
            except OSError:
                os.rename(backup, out)
                backup = None
                raise
        else:
            os.rename(tmp, out)
    except OSError as exc:
        raise OlmError(f"cannot write {out}: {exc.strerror or exc}", file=str(out)) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if backup is not None and backup.exists():
            shutil.rmtree(backup, ignore_errors=True)


# -- reading ------------------------------------------------------------------------------------------------


def is_bundle_dir(path: Path) -> bool:
    return (path / "manifests").is_dir() or (path / "metadata").is_dir()


def read_bundle(path: Path, name: str | None = None) -> BundleSource:
    files: dict[str, str] = {}
    unreadable: list[str] = []
    for entry in sorted(path.rglob("*")):
        if entry.is_dir():
            continue
        rel = entry.relative_to(path).as_posix()
        if not entry.is_file():
            unreadable.append(rel)
            continue
        try:
            files[rel] = entry.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            unreadable.append(rel)
    return BundleSource(name or str(path), files, tuple(unreadable))


def _catalog_docs(path: Path) -> list[tuple[str, Obj]]:
    docs: list[tuple[str, Obj]] = []
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    )
    for f in files:
        shown = f.as_posix()
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OlmError(f"cannot read {shown}: {exc}", file=shown) from None
        for doc in yamlio.load_documents(text, source=shown):
            if isinstance(doc, dict) and str(doc.get("schema", "")).startswith("olm."):
                docs.append((shown, doc))
    return docs


def looks_like_catalog(path: Path) -> bool:
    if path.is_file():
        return True
    return any(
        p.suffix in (".yaml", ".yml", ".json")
        and "schema: olm." in p.read_text(encoding="utf-8", errors="replace")
        for p in path.rglob("*")
        if p.is_file()
        and not any(part in ("manifests", "metadata", "tests") for part in p.relative_to(path).parts)
    )


def discover(paths: Sequence[Path]) -> tuple[list[BundleSource], list[CatalogSource]]:
    """Bundles and catalogs under the given paths: a bundle directory, a catalog directory or file, or a
    directory holding them (bundles/, bundles/<package>)."""
    bundles: list[BundleSource] = []
    catalogs: list[CatalogSource] = []

    def walk(path: Path, depth: int) -> bool:
        if path.is_dir() and is_bundle_dir(path):
            bundles.append(read_bundle(path, path.as_posix()))
            return True
        if ((path.is_dir() and path.name == "catalog") or path.is_file()) and looks_like_catalog(path):
            catalogs.append(CatalogSource(path.as_posix(), tuple(_catalog_docs(path))))
            return True
        if not path.is_dir() or depth > 3:
            return False
        found = False
        for child in sorted(path.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_dir():
                found = walk(child, depth + 1) or found
        if not found and depth > 0 and looks_like_catalog(path):
            catalogs.append(CatalogSource(path.as_posix(), tuple(_catalog_docs(path))))
            found = True
        return found

    for path in paths:
        if not path.exists():
            raise OlmError(f"{path} does not exist", file=str(path))
        if not walk(path, 0):
            if path.is_dir() and looks_like_catalog(path):
                catalogs.append(CatalogSource(path.as_posix(), tuple(_catalog_docs(path))))
            else:
                raise OlmError(
                    f"{path} holds no bundle (manifests/, metadata/) and no file-based catalog",
                    file=str(path),
                    hint="give a bundle directory, a catalog directory, or a directory of them",
                )
    return bundles, catalogs
