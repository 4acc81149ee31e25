"""The engine's only file reads: kustomization roots, resources, patches and generator sources.

It enforces kustomize's default load restriction (RootOnly: a file must resolve, after symlinks, inside the
directory of the kustomization that names it) and parses each YAML file once per process, however many
overlays share it.
"""

from __future__ import annotations

from typing import Protocol


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
