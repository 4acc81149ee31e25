"""`make bench`: stackctl against the real kustomize, measured side by side in one run.

Figures are ratios against the reference measured in the same run, never absolute thresholds, so they mean
the same on any machine. Wall time is the median of several runs; peak memory is the child's max RSS.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.refkustomize import kubectl_path

UPSTREAM_CRDS = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "upstream-crds"
STACKCTL = str(Path(sys.executable).with_name("stackctl"))


@dataclass(frozen=True)
class Run:
    wall: float
    max_rss_kb: int


def measure(argv: Sequence[str], repeat: int) -> Run:
    walls: list[float] = []
    rss = 0
    for _ in range(repeat):
        start = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{err}")
        rss = max(rss, usage.ru_maxrss)
    return Run(statistics.median(walls), rss)


def measure_many(argvs: Sequence[Sequence[str]], repeat: int) -> Run:
    """Several commands run one after another count as one run (wall summed, peak memory the max)."""
    walls: list[float] = []
    rss = 0
    for _ in range(repeat):
        total = 0.0
        for argv in argvs:
            one = measure(argv, 1)
            total += one.wall
            rss = max(rss, one.max_rss_kb)
        walls.append(total)
    return Run(statistics.median(walls), rss)


def report(name: str, ours: Run, ref: Run, targets: str) -> None:
    print(
        f"{name:<34} stackctl {ours.wall:7.3f}s {ours.max_rss_kb / 1024:7.1f}MB | "
        f"kustomize {ref.wall:7.3f}s {ref.max_rss_kb / 1024:7.1f}MB | "
        f"wall {ours.wall / ref.wall:5.2f}x  mem {ours.max_rss_kb / ref.max_rss_kb:5.2f}x  ({targets})"
    )


def write_base(base: Path) -> None:
    base.mkdir(parents=True, exist_ok=True)
    (base / "kustomization.yaml").write_text("resources:\n- deploy.yaml\n- svc.yaml\n")
    (base / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
        "  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n"
        "        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n"
        "        envFrom:\n        - configMapRef:\n            name: web-config\n"
    )
    (base / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n"
        "  ports:\n  - port: 80\n"
    )


def tiny_tree(root: Path) -> Path:
    write_base(root / "tiny" / "base")
    overlay = root / "tiny" / "overlay"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text(
        "resources:\n- ../base\nnamespace: prod\nnamePrefix: prod-\ncommonLabels:\n  env: prod\n"
        "images:\n- name: nginx\n  newTag: '1.27'\nconfigMapGenerator:\n- name: web-config\n"
        "  literals:\n  - LOG_LEVEL=info\n"
    )
    return overlay


def crd_tree(root: Path) -> Path | None:
    if not UPSTREAM_CRDS.is_dir():
        return None
    tree = root / "crds"
    tree.mkdir()
    names = []
    skip = {"bundle.yaml", "chart-crds.yaml"}
    for op in sorted(p for p in UPSTREAM_CRDS.iterdir() if p.is_dir()):
        for f in sorted(op.glob("*.yaml")):
            if f.name in skip:
                continue
            target = tree / f"{op.name}__{f.name}"
            shutil.copyfile(f, target)
            names.append(target.name)
    (tree / "kustomization.yaml").write_text("resources:\n" + "".join(f"- {n}\n" for n in names))
    return tree


def env_trees(root: Path, crds: Path | None) -> list[Path]:
    base = root / "envs" / "base"
    write_base(base)
    resources = ["deploy.yaml", "svc.yaml"]
    if crds is not None:
        for f in sorted(crds.glob("*.yaml")):
            if f.name != "kustomization.yaml":
                shutil.copyfile(f, base / f.name)
                resources.append(f.name)
    (base / "kustomization.yaml").write_text("resources:\n" + "".join(f"- {n}\n" for n in resources))
    envs = []
    for env, replicas in (("dev", 1), ("staging", 2), ("prod", 3)):
        d = root / "envs" / env
        d.mkdir()
        (d / "kustomization.yaml").write_text(
            f"resources:\n- ../base\nnamespace: {env}\nlabels:\n- pairs:\n    env: {env}\n"
            f"replicas:\n- name: web\n  count: {replicas}\n"
        )
        envs.append(d)
    return envs


def compile_package() -> None:
    """Byte-compile stackctl as `pip install` does, so start-up is measured as users see it (this
    environment may set PYTHONDONTWRITEBYTECODE, which would make every run compile from source)."""
    import compileall

    import stackctl

    compileall.compile_dir(str(Path(stackctl.__file__).parent), quiet=1)


def main() -> None:
    compile_package()
    kubectl = kubectl_path()
    with tempfile.TemporaryDirectory(prefix="stackctl-bench-") as tmp:
        root = Path(tmp)
        print("stackctl bench: ratios are stackctl / kustomize (kubectl kustomize v5.8.1), same run")
        version = measure([STACKCTL, "--version"], 7)
        print(f"{'stackctl --version':<34} {version.wall * 1000:7.1f}ms (target <= 150 ms)")

        tiny = tiny_tree(root)
        report(
            "(a) tiny overlay",
            measure([STACKCTL, "render", str(tiny)], 7),
            measure([kubectl, "kustomize", str(tiny)], 7),
            "target wall <= 2x",
        )
        crds = crd_tree(root)
        if crds is None:
            print(f"(b) upstream CRDs: skipped, {UPSTREAM_CRDS} is absent")
        else:
            size = sum(f.stat().st_size for f in crds.glob("*.yaml")) / 1e6
            report(
                f"(b) upstream CRDs ({size:.1f} MB)",
                measure([STACKCTL, "render", str(crds)], 3),
                measure([kubectl, "kustomize", str(crds)], 3),
                "target wall <= 0.5x, mem <= 0.5x",
            )
        envs = env_trees(root, crds)
        out = root / "hydrated"
        report(
            "(c) 3 envs, one process vs 3 runs",
            measure([STACKCTL, "render", *map(str, envs), "--out-dir", str(out)], 3),
            measure_many([[kubectl, "kustomize", str(e)] for e in envs], 3),
            "one stackctl process",
        )


if __name__ == "__main__":
    main()
