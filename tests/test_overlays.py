"""Every kustomization under overlays/ builds with the real kustomize, without warnings, and stackctl renders
it byte for byte; `stackctl render` with no PATH is `kubectl kustomize overlays/envs/dev`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stackctl.kustomize.build import build_yaml
from tests.refkustomize import kustomize_build

REPO = Path(__file__).resolve().parents[1]
OVERLAYS = REPO / "overlays"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
STACKCTL = str(Path(sys.executable).with_name("stackctl"))


def _kustomization_file(folder: Path) -> Path | None:
    return next((folder / n for n in KUSTOMIZATION_FILES if (folder / n).is_file()), None)


def kustomization_dirs() -> list[Path]:
    """Folders under overlays/ holding a kustomization file, except Components (only buildable from a
    Kustomization that lists them)."""
    found = []
    for folder in sorted(p for p in OVERLAYS.rglob("*") if p.is_dir()):
        kfile = _kustomization_file(folder)
        if kfile is None:
            continue
        doc = yaml.safe_load(kfile.read_text()) or {}
        if doc.get("kind") != "Component":
            found.append(folder)
    return found


DIRS = kustomization_dirs()


def test_discovery_finds_the_layout() -> None:
    names = {d.relative_to(OVERLAYS).as_posix() for d in DIRS}
    assert {"stack", "envs/dev", "envs/staging", "envs/prod"} <= names
    assert {f"operators/{op}" for op in ("cert-manager", "external-secrets", "prometheus-operator")} <= names
    assert any(n.startswith("resources/") for n in names)


@pytest.mark.parametrize("folder", DIRS, ids=lambda d: d.relative_to(OVERLAYS).as_posix())
def test_overlay_builds_cleanly_and_stackctl_matches(folder: Path) -> None:
    ref = kustomize_build(folder)
    assert ref.returncode == 0, ref.stderr
    assert ref.stderr == "", f"kustomize warned on {folder}:\n{ref.stderr}"
    assert ref.stdout.strip(), f"{folder} renders nothing"
    assert build_yaml(folder) == ref.stdout


def test_render_without_path_is_the_dev_environment() -> None:
    proc = subprocess.run(
        [STACKCTL, "render"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    ref = kustomize_build(OVERLAYS / "envs" / "dev")
    assert ref.returncode == 0, ref.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == ref.stdout
