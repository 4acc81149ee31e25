"""The engine's only file reads: kustomization roots, resources, patches and generator sources.

It enforces kustomize's default load restriction (RootOnly: a file must resolve, after symlinks, inside the
directory of the kustomization that names it) and parses each YAML file once per process, however many
overlays share it.
"""

from __future__ import annotations

import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from stackctl import yamlio
from stackctl.errors import KustomizeError, LoadRestrictionError
from stackctl.kustomize.kustomization import KUSTOMIZATION_FILES, Kustomization, parse_kustomization


class FileSource(Protocol):
    """What generators and patches need from the loader of one kustomization directory."""

    @property
    def kfile(self) -> str:
        """Display path of the kustomization file, for error locations."""
        ...

    def read_bytes(self, rel: str, *, field: str) -> bytes:
        """Read a file named relative to the kustomization directory.

        Raises `LoadRestrictionError` for a file outside the root, `KustomizeError` for a missing one; both
        carry `file=self.kfile` and `field=field`.
        """
        ...


ROOT_ONLY = "LoadRestrictionsRootOnly"
NO_RESTRICTION = "LoadRestrictionsNone"
LOAD_RESTRICTORS = (ROOT_ONLY, NO_RESTRICTION)


def display_path(path: Path) -> str:
    """A path as the user would write it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


@dataclass
class Workspace:
    """Process-wide state of one or more builds: the load restrictor and the parse cache.

    Each YAML file is parsed once per process; every user gets its own copy, because transformers mutate
    objects in place. marshal round-trips JSON-like data several times faster than a Python deep copy.
    """

    load_restrictor: str = ROOT_ONLY
    _docs: dict[tuple[Path, bool], bytes] = field(default_factory=dict)
    _kustomizations: dict[Path, Kustomization] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.load_restrictor not in LOAD_RESTRICTORS:
            raise KustomizeError(
                f"unknown load restrictor '{self.load_restrictor}'",
                field="--load-restrictor",
                hint=f"use one of {', '.join(LOAD_RESTRICTORS)}",
            )

    def documents(self, path: Path, display: str, *, resources: bool) -> list[Any]:
        """The YAML documents of a file; `resources` keeps annotation values as written, as kustomize prints
        them (patches must not: a null annotation in a patch deletes the key)."""
        key = (path, resources)
        blob = self._docs.get(key)
        if blob is None:
            docs = yamlio.load_documents(
                read_file(path, display), source=display, annotations_as_text=resources
            )
            blob = marshal.dumps(docs)
            self._docs[key] = blob
            return docs
        loaded: list[Any] = marshal.loads(blob)
        return loaded

    def kustomization(
        self, kdir: Path, *, referrer: str | None = None, field: str | None = None
    ) -> Kustomization:
        """The kustomization in `kdir`; `referrer`/`field` locate the entry that named the directory."""
        cached = self._kustomizations.get(kdir)
        if cached is not None:
            return cached
        found = [kdir / name for name in KUSTOMIZATION_FILES if (kdir / name).is_file()]
        if not found:
            where = f"'{display_path(kdir)}' has" if referrer else "directory has"
            raise KustomizeError(
                f"{where} no kustomization file ({', '.join(KUSTOMIZATION_FILES)})",
                file=referrer or display_path(kdir),
                field=field,
            )
        if len(found) > 1:
            raise KustomizeError(
                "more than one kustomization file: "
                + ", ".join(p.name for p in found)
                + " (kustomize refuses this too)",
                file=display_path(kdir),
            )
        kfile = display_path(found[0])
        docs = yamlio.load_documents(read_file(found[0], kfile), source=kfile, kustomization=True)
        if len(docs) > 1:
            raise KustomizeError("a kustomization file must hold one YAML document", file=kfile)
        kust = parse_kustomization(docs[0] if docs else None, kfile)
        self._kustomizations[kdir] = kust
        return kust


def read_file(path: Path, display: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KustomizeError("file not found", file=display) from None
    except IsADirectoryError:
        raise KustomizeError("is a directory, not a file", file=display) from None
    except OSError as exc:
        raise KustomizeError(f"cannot read: {exc.strerror}", file=display) from None


@dataclass
class KustDir:
    """The loader of one kustomization directory: resolves and restricts the files it names."""

    workspace: Workspace
    root: Path
    """Real path (symlinks resolved) of the kustomization directory."""
    kfile: str

    def resolve(self, rel: str, *, field: str) -> Path:
        path = (self.root / rel).resolve()
        if self.workspace.load_restrictor == ROOT_ONLY and not path.is_relative_to(self.root):
            raise LoadRestrictionError(
                f"security; file '{rel}' is not in or below '{display_path(self.root)}'",
                file=self.kfile,
                field=field,
                hint="move the file below the kustomization, or use --load-restrictor LoadRestrictionsNone",
            )
        return path

    def read_bytes(self, rel: str, *, field: str) -> bytes:
        path = self.resolve(rel, field=field)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise KustomizeError(f"file '{rel}' not found", file=self.kfile, field=field) from None
        except IsADirectoryError:
            raise KustomizeError(
                f"'{rel}' is a directory, not a file", file=self.kfile, field=field
            ) from None
        except OSError as exc:
            raise KustomizeError(
                f"cannot read '{rel}': {exc.strerror}", file=self.kfile, field=field
            ) from None

    def documents(self, rel: str, *, field: str, resources: bool = False) -> list[Any]:
        path = self.resolve(rel, field=field)
        if not path.exists():
            raise KustomizeError(f"file '{rel}' not found", file=self.kfile, field=field)
        return self.workspace.documents(path, display_path(path), resources=resources)
