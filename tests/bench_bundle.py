"""`python -m tests.bench_bundle`: how long `stackctl bundle` takes for the five operators and their catalogs.

Measured, not asserted (target <= 1 s): (a) the installed command, end to end (start-up, render of the five
install bases, the stack's resources and the sizing environment, ten bundles, five catalogs, the atomic
write) into a temporary directory; (b) the pure generation step alone, in process; (c) validating the
result with `--strict --select-optional suite=operatorframework` (the known warnings make it exit 1, which
is not counted as a failure here). Figures are medians of several runs.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bench import STACKCTL, compile_package, measure

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    compile_package()
    from stackctl.catalog import load_catalog
    from stackctl.olm import generate, io

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bundles"
        run = measure([STACKCTL, "bundle", "--root", str(REPO), "--out", str(out)], repeat=5)
        files = sum(1 for p in out.rglob("*") if p.is_file())
        print(
            f"stackctl bundle (5 operators, 10 bundles, 5 catalogs, {files} files)  {run.wall:6.3f}s "
            f"{run.max_rss_kb / 1024:7.1f}MB"
        )

        catalog = load_catalog()
        inputs = io.render_inputs(catalog, REPO, catalog.keys)
        walls = []
        for _ in range(5):
            start = time.perf_counter()
            generate.generate(inputs, "quay.io/ecoeco")
            walls.append(time.perf_counter() - start)
        print(f"generation alone (pure, in process)                         {statistics.median(walls):6.3f}s")

        walls = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [
                    STACKCTL,
                    "bundle",
                    "validate",
                    str(out),
                    "--strict",
                    "--select-optional",
                    "suite=operatorframework",
                ],
                stdout=subprocess.DEVNULL,
                check=False,
            )
            walls.append(time.perf_counter() - start)
        print(f"stackctl bundle validate --strict (10 bundles, catalogs)    {statistics.median(walls):6.3f}s")


if __name__ == "__main__":
    main()
