"""The one error family every user-visible failure belongs to.

A command catches `StackctlError` at the edge and prints `error: <location>: <message>` plus an optional
hint, without a traceback (unless --debug). Keeping location and hint as data, not baked into the message,
lets `-o json` callers and tests read them separately.
"""

from __future__ import annotations

from collections.abc import Iterable

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def field_path(parts: Iterable[str | int]) -> str:
    """Render a field path the way users write it: `patches[1].target`, `spec.template`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class StackctlError(Exception):
    """Base of every error a user may see.

    `location` is `file` or `file: field.path`; `hint` says what to do about it.
    """

    exit_code: int = EXIT_ERROR

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.field = field
        self.hint = hint

    @property
    def location(self) -> str | None:
        if self.file and self.field:
            return f"{self.file}: {self.field}"
        return self.file or self.field

    def __str__(self) -> str:
        loc = self.location
        return f"{loc}: {self.message}" if loc else self.message


class YamlError(StackctlError):
    """Input that is not valid YAML, or YAML that kustomize refuses."""


class KustomizeError(StackctlError):
    """A kustomization that cannot be built: bad field, missing file, cycle, conflicting ids."""


class LoadRestrictionError(KustomizeError):
    """A file outside the kustomization root under the default RootOnly load restrictor."""


class UnsupportedFieldError(KustomizeError):
    """A kustomization field kustomize knows but stackctl does not support yet."""


class PatchError(KustomizeError):
    """A patch that cannot apply: no target, bad JSON 6902 operation, bad strategic merge directive."""
