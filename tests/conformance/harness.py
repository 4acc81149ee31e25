"""Shared plumbing for the conformance suite: case discovery, running both tools, diffs.

A case is a directory under `cases/` (or `errors/`). By default the case directory itself is the
kustomization root to build. A `build` file overrides that: its first token is the subpath to build, the
remaining tokens are extra `kustomize build` arguments (only `--load-restrictor X` is meaningful), e.g.

    overlays/prod --load-restrictor LoadRestrictionsNone

Error cases carry an `expect.yaml` instead (see `ErrorCase`). Expected output is never stored: it is
produced live by the real kustomize (`kubectl kustomize`) in the same test.
"""

from __future__ import annotations

import difflib
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.refkustomize import Built, kustomize_build

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
ERRORS_DIR = HERE / "errors"

ROOT_ONLY = "LoadRestrictionsRootOnly"
NO_RESTRICTIONS = "LoadRestrictionsNone"


def load_restrictor_of(args: tuple[str, ...]) -> str:
    """The load restrictor named by kustomize-style extra arguments (default RootOnly)."""
    restrictor = ROOT_ONLY
    it = iter(args)
    for arg in it:
        if arg == "--load-restrictor":
            restrictor = next(it)
        elif arg.startswith("--load-restrictor="):
            restrictor = arg.split("=", 1)[1]
        else:
            raise ValueError(f"unsupported extra kustomize argument in a case: {arg!r}")
    return restrictor


@dataclass(frozen=True)
class Case:
    name: str
    dir: Path
    subpath: str = "."
    args: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return (self.dir / self.subpath).resolve() if self.subpath != "." else self.dir

    @property
    def load_restrictor(self) -> str:
        return load_restrictor_of(self.args)


def load_case(case_dir: Path) -> Case:
    build_file = case_dir / "build"
    if build_file.exists():
        tokens = shlex.split(build_file.read_text())
        return Case(case_dir.name, case_dir, tokens[0], tuple(tokens[1:]))
    return Case(case_dir.name, case_dir)


def discover_cases(base: Path = CASES_DIR) -> list[Case]:
    return [load_case(d) for d in sorted(base.iterdir()) if d.is_dir()]


@dataclass(frozen=True)
class ErrorCase:
    """An `errors/<name>/` tree and what its `expect.yaml` demands.

    expect.yaml keys:
      build: subpath to build (default ".")
      file: a string, or a list of alternatives, one of which the error message must contain
      field: the kustomization field the message must name (omit when there is none)
      mentions: further strings the message must contain (e.g. the missing file's name)
      kustomize: "fails" (default; asserted) or "builds" (a field kustomize supports that stackctl
                 may not: stackctl must then either match kustomize byte for byte or reject the tree
                 with a proper error naming the file and field -- never silently ignore it)
      builds_with_load_restrictor_none: true when both tools must build the same tree identically
                 under --load-restrictor LoadRestrictionsNone
    """

    name: str
    dir: Path
    subpath: str = "."
    files: tuple[str, ...] = ()
    field: str | None = None
    mentions: tuple[str, ...] = ()
    kustomize_builds: bool = False
    builds_with_load_restrictor_none: bool = False

    @property
    def root(self) -> Path:
        return (self.dir / self.subpath).resolve() if self.subpath != "." else self.dir


def load_error_case(case_dir: Path) -> ErrorCase:
    spec = yaml.safe_load((case_dir / "expect.yaml").read_text()) or {}
    files = spec.pop("file", [])
    files = [files] if isinstance(files, str) else list(files)
    kustomize = spec.pop("kustomize", "fails")
    if kustomize not in ("fails", "builds"):
        raise ValueError(f"{case_dir}/expect.yaml: kustomize must be 'fails' or 'builds'")
    case = ErrorCase(
        name=case_dir.name,
        dir=case_dir,
        subpath=str(spec.pop("build", ".")),
        files=tuple(files),
        field=spec.pop("field", None),
        mentions=tuple(spec.pop("mentions", ())),
        kustomize_builds=kustomize == "builds",
        builds_with_load_restrictor_none=bool(spec.pop("builds_with_load_restrictor_none", False)),
    )
    if spec:
        raise ValueError(f"{case_dir}/expect.yaml: unknown keys {sorted(spec)}")
    return case


def discover_error_cases(base: Path = ERRORS_DIR) -> list[ErrorCase]:
    return [load_error_case(d) for d in sorted(base.iterdir()) if d.is_dir()]


# --- running the two tools -------------------------------------------------------------------------


def reference(root: Path, load_restrictor: str = ROOT_ONLY) -> Built:
    extra = () if load_restrictor == ROOT_ONLY else ("--load-restrictor", load_restrictor)
    return kustomize_build(root, *extra)


def stackctl_build(root: Path, load_restrictor: str = ROOT_ONLY) -> str:
    """The engine in process. Raises whatever the engine raises (StackctlError on a kustomize error)."""
    from stackctl.kustomize.build import build_yaml

    return build_yaml(root, load_restrictor=load_restrictor)


def stackctl_executable() -> Path:
    return Path(sys.executable).with_name("stackctl")


def stackctl_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`stackctl ARGS` as a user runs it: a subprocess of the virtualenv's console script."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env.update(NO_COLOR="1", TERM="dumb", KUBECONFIG=os.devnull)
    return subprocess.run(
        [str(stackctl_executable()), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        cwd=cwd,
        env=env,
    )


def error_lines(stderr: str) -> list[str]:
    """stderr minus the `warning:` lines (kustomize's deprecation warnings, which stackctl mirrors)."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.lstrip().lower().startswith(("warning:", "# warning:"))
    ]


def udiff(want: str, got: str, want_label: str = "kustomize", got_label: str = "stackctl") -> str:
    lines = difflib.unified_diff(
        want.splitlines(keepends=True),
        got.splitlines(keepends=True),
        fromfile=want_label,
        tofile=got_label,
    )
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
    return text or "(no textual difference)"


def mismatch_report(want: str, got: str, limit: int = 120) -> str:
    """A diff short enough for an assertion message."""
    diff = udiff(want, got).splitlines()
    if len(diff) > limit:
        diff = [*diff[:limit], f"... ({len(diff) - limit} more diff lines)"]
    return "output differs from kustomize:\n" + "\n".join(diff)
