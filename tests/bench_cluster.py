"""`python -m tests.bench_cluster`: `stackctl diff` of the dev stack against the API test server.

Counts object requests at the server (target <= 2 per object) and times `--concurrency 8` against
`--concurrency 1` in the same run (target <= 0.3x), with a fixed simulated latency per request so that the
figure reflects round trips, as against a real apiserver, rather than loopback speed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stackctl.kustomize.build import build
from tests.apiserver import ApiServer

REPO = Path(__file__).resolve().parents[1]
STACKCTL = str(Path(sys.executable).with_name("stackctl"))
ENV = REPO / "overlays" / "envs" / "dev"
LATENCY = 0.02


def run(kubeconfig: Path, *args: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        [STACKCTL, *args, str(ENV), "--kubeconfig", str(kubeconfig)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode > 1:
        raise SystemExit(f"stackctl {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, proc.returncode


def main() -> None:
    objects = len(build(ENV).objects)
    with tempfile.TemporaryDirectory(prefix="stackctl-bench-cluster-") as tmp, ApiServer() as server:
        kubeconfig = Path(tmp) / "kubeconfig"
        server.write_kubeconfig(kubeconfig)
        server.fault(status=None, delay=LATENCY, times=None)
        print(f"stackctl diff of overlays/envs/dev ({objects} objects), {LATENCY * 1000:.0f} ms per request")
        for state in ("empty cluster", "after apply"):
            if state == "after apply":
                run(kubeconfig, "apply", "--concurrency", "8", "--no-backup")
            walls = {}
            for concurrency in (1, 8):
                server.clear()
                server.fault(status=None, delay=LATENCY, times=None)
                walls[concurrency], _ = run(kubeconfig, "diff", "--concurrency", str(concurrency))
                per_object = len(server.resource_requests()) / objects
            print(
                f"  {state:<14} --concurrency 1 {walls[1]:6.2f}s  8 {walls[8]:6.2f}s  "
                f"ratio {walls[8] / walls[1]:.2f}x (target <= 0.3x)  "
                f"{per_object:.2f} object requests per object (target <= 2)"
            )


if __name__ == "__main__":
    main()
