"""The `stackctl` command as users run it: exit codes, stdout/stderr discipline, formats, hydration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from stackctl.yamlio import load_documents
from tests.refkustomize import kustomize_build

REPO = Path(__file__).resolve().parents[2]
STACKCTL = str(Path(sys.executable).with_name("stackctl"))
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}


def stackctl(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STACKCTL, *args], capture_output=True, text=True, cwd=cwd, env=ENV, check=False)


def test_version() -> None:
    from stackctl import __version__

    proc = stackctl("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"stackctl {__version__}\n"


def test_render_default_environment_equals_kustomize() -> None:
    proc = stackctl("render")
    ref = kustomize_build(REPO / "overlays" / "envs" / "dev")
    assert ref.returncode == 0, ref.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ref.stdout


def test_render_json_is_a_list_of_the_same_objects() -> None:
    proc = stackctl("render", "overlays/envs/dev", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["kind"] == "List"
    # stackctl's loader, not yaml.safe_load: the real AlertmanagerConfig schema has a bare `- =` item.
    yaml_docs = load_documents(stackctl("render", "overlays/envs/dev").stdout, source="stdout")
    assert len(doc["items"]) == len(yaml_docs) > 10
    assert doc["items"] == yaml_docs


def test_missing_path_is_one_line_error_and_no_stdout(tmp_path: Path) -> None:
    proc = stackctl("render", str(tmp_path / "nope"))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert "nope" in proc.stderr


def test_unknown_field_names_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\nnamePrefx: x-\n")
    proc = stackctl("render", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "kustomization.yaml: namePrefx: unknown field" in proc.stderr
    assert kustomize_build(tmp_path).returncode != 0


def test_unsupported_field_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("helmCharts:\n- name: x\n")
    proc = stackctl("render", str(tmp_path))
    assert proc.returncode == 1
    assert "kustomization.yaml: helmCharts: " in proc.stderr
    assert "not supported" in proc.stderr


def test_debug_shows_traceback(tmp_path: Path) -> None:
    proc = stackctl("--debug", "render", str(tmp_path / "nope"))
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr


def test_several_paths_need_out_dir() -> None:
    proc = stackctl("render", "overlays/envs/dev", "overlays/envs/prod")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "--out-dir" in proc.stderr


def test_out_dir_writes_each_build_and_failure_keeps_old_files(tmp_path: Path) -> None:
    out = tmp_path / "hydrated"
    proc = stackctl("render", "overlays/envs/dev", "overlays/envs/prod", "--out-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "dev.yaml").read_text() == kustomize_build(REPO / "overlays/envs/dev").stdout
    assert (out / "prod.yaml").read_text() == kustomize_build(REPO / "overlays/envs/prod").stdout
    before = (out / "dev.yaml").read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    proc = stackctl("render", "overlays/envs/dev", str(bad), "--out-dir", str(out))
    assert proc.returncode == 1
    assert (out / "dev.yaml").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["dev.yaml", "prod.yaml"]


def test_render_does_not_import_the_kubernetes_client() -> None:
    code = (
        "import sys\n"
        "from stackctl.cli.main import app\n"
        "try:\n"
        "    app(['render', 'overlays/envs/dev'], standalone_mode=False)\n"
        "finally:\n"
        "    sys.stdout.flush()\n"
        "    print('KUBERNETES_LOADED' if 'kubernetes' in sys.modules else 'CLEAN', file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=ENV, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().endswith("CLEAN")


def test_default_environment_outside_the_repo_is_a_clear_error(tmp_path: Path) -> None:
    proc = stackctl("render", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: no PATH given, and the default environment overlays/envs/dev")
    assert "run from the repository root" in proc.stderr
