"""Random valid kustomize trees (randomtrees.py), built by kustomize and by stackctl, compared byte for byte.

Deterministic by default (seed below). Explore with other seeds:

    STACKCTL_RANDOM_SEED=123 .venv/bin/pytest tests/conformance/test_random_trees.py -n 2
    STACKCTL_RANDOM_TREES=2000 ...        # more trees (default 200)

A failure names each failing tree's seed and where it was kept (under pytest's tmp dir, which keeps the
last three runs); reproduce with

    python -m tests.conformance.randomtrees SEED /tmp/tree && python -m tests.conformance.compare /tmp/tree
"""

from __future__ import annotations

import os
import shutil
import traceback
from pathlib import Path

import pytest

from stackctl.errors import StackctlError
from tests.conformance.harness import mismatch_report, reference, stackctl_build
from tests.conformance.randomtrees import generate_tree

DEFAULT_SEED = "20250101"
SEED = os.environ.get("STACKCTL_RANDOM_SEED", DEFAULT_SEED)
TOTAL = int(os.environ.get("STACKCTL_RANDOM_TREES", "200"))
PER_ITEM = 10  # several trees per test item: cheap to schedule, still spread over xdist workers
BATCHES = list(range((TOTAL + PER_ITEM - 1) // PER_ITEM))


def _check_tree(seed: str, dest: Path) -> str | None:
    """None if stackctl agrees with kustomize on this tree, else a report."""
    tree = generate_tree(seed, dest)
    ref = reference(tree.root)
    try:
        got: str | None = stackctl_build(tree.root)
        err = None
    except StackctlError as exc:
        got, err = None, f"stackctl rejected it: {exc}"
    except Exception:
        got, err = None, "stackctl crashed:\n" + traceback.format_exc(limit=8)

    if ref.returncode != 0:
        # The generator aims for valid trees; a rejected one is fine only if stackctl rejects it too.
        if got is None and err and err.startswith("stackctl rejected"):
            return None
        outcome = "builds it" if got is not None else err
        return f"kustomize rejects the tree but stackctl {outcome}:\n{ref.stderr}"
    if got is None:
        return str(err)
    if got != ref.stdout:
        return mismatch_report(ref.stdout, got, limit=60)
    return None


@pytest.mark.parametrize(
    "batch", BATCHES, ids=[f"trees-{b * PER_ITEM}-{b * PER_ITEM + PER_ITEM - 1}" for b in BATCHES]
)
def test_random_trees_match_kustomize(batch: int, tmp_path: Path) -> None:
    failures: list[str] = []
    for index in range(batch * PER_ITEM, min((batch + 1) * PER_ITEM, TOTAL)):
        seed = f"{SEED}-{index}"
        dest = tmp_path / f"tree-{index}"
        report = _check_tree(seed, dest)
        if report is None:
            shutil.rmtree(dest, ignore_errors=True)  # keep only failing trees
            continue
        root = dest / (dest / "build").read_text().strip()
        failures.append(
            f"--- tree seed={seed!r} kept at {root}\n"
            f"    reproduce: python -m tests.conformance.randomtrees {seed} /tmp/tree-{index} && "
            f"python -m tests.conformance.compare /tmp/tree-{index}\n{report}"
        )
    if failures:
        pytest.fail(
            f"{len(failures)} of {PER_ITEM} random trees differ:\n" + "\n".join(failures), pytrace=False
        )
