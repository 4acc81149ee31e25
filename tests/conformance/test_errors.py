"""Trees kustomize rejects (errors/<name>/, see harness.ErrorCase for expect.yaml).

For each: kustomize must fail (asserted, so the case stays honest); `stackctl render` must exit 1, print
nothing on stdout and exactly one error line on stderr (warning lines aside) naming the file and, where
there is one, the field. Error texts are not compared with kustomize's.

Cases marked `kustomize: builds` cover fields kustomize supports that stackctl may not: stackctl must then
either reproduce kustomize's output exactly or reject the tree loudly -- never ignore the field.
"""

from __future__ import annotations

import pytest

from stackctl.errors import StackctlError
from tests.conformance.harness import (
    NO_RESTRICTIONS,
    ErrorCase,
    discover_error_cases,
    error_lines,
    mismatch_report,
    reference,
    stackctl_build,
    stackctl_cli,
)

ERROR_CASES = discover_error_cases()


def test_there_are_enough_error_cases() -> None:
    assert sum(not c.kustomize_builds for c in ERROR_CASES) >= 10


def _assert_names_location(case: ErrorCase, message: str) -> None:
    if case.files:
        assert any(f in message for f in case.files), (
            f"error message names none of {list(case.files)}: {message!r}"
        )
    if case.field:
        assert case.field in message, f"error message does not name the field {case.field!r}: {message!r}"
    for needle in case.mentions:
        assert needle in message, f"error message does not mention {needle!r}: {message!r}"


def _assert_clean_cli_failure(case: ErrorCase, *extra: str) -> None:
    proc = stackctl_cli("render", case.subpath, *extra, cwd=case.dir)
    assert proc.returncode == 1, (
        f"stackctl render should fail with exit 1, got {proc.returncode}\n"
        f"stdout: {proc.stdout[:2000]}\nstderr: {proc.stderr[:2000]}"
    )
    assert proc.stdout == "", f"stackctl printed on stdout while failing: {proc.stdout[:2000]!r}"
    lines = error_lines(proc.stderr)
    assert len(lines) == 1, f"expected exactly one error line on stderr, got {len(lines)}:\n{proc.stderr}"
    _assert_names_location(case, lines[0])


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.name for c in ERROR_CASES])
def test_error_case(case: ErrorCase) -> None:
    ref = reference(case.root)
    if case.kustomize_builds:
        assert ref.returncode == 0, f"kustomize should build this tree:\n{ref.stderr}"
        proc = stackctl_cli("render", case.subpath, cwd=case.dir)
        if proc.returncode == 0:
            # Supported: then it must be exact.
            if proc.stdout != ref.stdout:
                pytest.fail(mismatch_report(ref.stdout, proc.stdout), pytrace=False)
            return
        _assert_clean_cli_failure(case)
        return

    assert ref.returncode != 0, f"kustomize unexpectedly builds this error case:\n{ref.stdout[:2000]}"

    # In process: the engine raises the project's error family, with the location in str().
    with pytest.raises(StackctlError) as excinfo:
        stackctl_build(case.root)
    _assert_names_location(case, str(excinfo.value))

    # Through the CLI, as a user sees it.
    _assert_clean_cli_failure(case)

    if case.builds_with_load_restrictor_none:
        ref_none = reference(case.root, NO_RESTRICTIONS)
        assert ref_none.returncode == 0, (
            f"kustomize should build with LoadRestrictionsNone:\n{ref_none.stderr}"
        )
        got = stackctl_build(case.root, NO_RESTRICTIONS)
        if got != ref_none.stdout:
            pytest.fail(mismatch_report(ref_none.stdout, got), pytrace=False)
        proc = stackctl_cli("render", case.subpath, "--load-restrictor", NO_RESTRICTIONS, cwd=case.dir)
        assert proc.returncode == 0, proc.stderr
        if proc.stdout != ref_none.stdout:
            pytest.fail(mismatch_report(ref_none.stdout, proc.stdout), pytrace=False)
