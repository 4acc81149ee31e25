"""`python -m tests.bench_validate`: wall time and peak memory of `stackctl validate` on the stack.

Measured, not asserted (the target is <= 2 s with the real upstream CRDs, on the 2-core machines here):
(a) the dev environment against its own compact CRDs;
(b) the same with `--crds ../shared/reference/upstream-crds` (the whole folder, 14.8 MB, parsed);
(c) a copy of overlays/ whose operators' CRD files are replaced by upstream's, validated as rendered
    (the CRDs go through the kustomize engine, as after vendoring).
Each figure is the median of several runs of the installed command, as users run it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.bench import STACKCTL, UPSTREAM_CRDS, Run, compile_package, measure

REPO = Path(__file__).resolve().parents[1]


def substituted_tree(root: Path) -> tuple[Path, int]:
    """overlays/ copied under root, every operators/*/crds/ file replaced by upstream's file of that name."""
    tree = root / "overlays"
    shutil.copytree(REPO / "overlays", tree)
    replaced = 0
    for crd_file in sorted(tree.glob("operators/*/crds/*.yaml")):
        operator = crd_file.parent.parent.name
        upstream = UPSTREAM_CRDS / operator / crd_file.name
        if not upstream.is_file():
            raise SystemExit(f"no upstream CRD file for {crd_file.relative_to(tree)} at {upstream}")
        shutil.copyfile(upstream, crd_file)
        replaced += 1
    return tree, replaced


def show(name: str, run: Run) -> None:
    print(f"{name:<58} {run.wall:6.3f}s {run.max_rss_kb / 1024:7.1f}MB")


def main() -> None:
    compile_package()
    print("stackctl validate (median wall, peak RSS); target <= 2 s with the upstream CRDs")
    dev = str(REPO / "overlays" / "envs" / "dev")
    show("(a) envs/dev, render's CRDs", measure([STACKCTL, "validate", dev], 5))
    if not UPSTREAM_CRDS.is_dir():
        print(f"(b), (c): skipped, {UPSTREAM_CRDS} is absent")
        return
    show(
        "(b) envs/dev --crds upstream-crds/",
        measure([STACKCTL, "validate", dev, "--crds", str(UPSTREAM_CRDS)], 5),
    )
    with tempfile.TemporaryDirectory(prefix="stackctl-bench-validate-") as tmp:
        tree, replaced = substituted_tree(Path(tmp))
        show(
            f"(c) envs/dev, {replaced} CRD files swapped for upstream's",
            measure([STACKCTL, "validate", str(tree / "envs" / "dev")], 5),
        )


if __name__ == "__main__":
    main()
