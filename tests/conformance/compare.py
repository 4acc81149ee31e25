"""Diff kustomize's and stackctl's output for one tree (a debugging aid).

    python -m tests.conformance.compare PATH [--load-restrictor LoadRestrictionsNone]

PATH is a kustomization directory, or a conformance case / random tree directory holding a `build` file
(whose first token names the subpath to build, as in tests/conformance/cases). Prints a unified diff
(kustomize first), or the errors; exits 0 when the outputs are identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from tests.conformance.harness import (
    ROOT_ONLY,
    load_case,
    load_restrictor_of,
    reference,
    stackctl_build,
    udiff,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--load-restrictor", default=None)
    args = parser.parse_args(argv)

    path: Path = args.path.resolve()
    restrictor = args.load_restrictor
    if (path / "build").is_file():
        case = load_case(path)
        path = case.root
        restrictor = restrictor or load_restrictor_of(case.args)
    restrictor = restrictor or ROOT_ONLY

    ref = reference(path, restrictor)
    try:
        got = stackctl_build(path, restrictor)
        got_err = None
    except Exception as exc:
        got, got_err = None, f"{type(exc).__name__}: {exc}"
        if not _is_stackctl_error(exc):
            got_err += "\n" + traceback.format_exc()

    print(f"# {path} ({restrictor})")
    if ref.returncode != 0:
        print(f"# kustomize failed (exit {ref.returncode}):\n{ref.stderr}", end="")
    if got_err is not None:
        print(f"# stackctl failed: {got_err}")
    if ref.returncode != 0 or got is None:
        same = ref.returncode != 0 and got is None
        print("# both failed" if same else "# only one of them failed")
        return 0 if same else 1
    if got == ref.stdout:
        print(f"# identical ({len(got)} bytes)")
        return 0
    sys.stdout.write(udiff(ref.stdout, got))
    return 1


def _is_stackctl_error(exc: BaseException) -> bool:
    try:
        from stackctl.errors import StackctlError
    except ImportError:
        return False
    return isinstance(exc, StackctlError)


if __name__ == "__main__":
    sys.exit(main())
