"""The console script's typer-free path for `stackctl render`: same results as the typer app, argument for
argument, and typer never loaded when it is taken."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stackctl.cli.entry import RenderArgs, parse_render

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
FAST = "import sys; sys.argv[0] = 'stackctl'; from stackctl.cli.entry import run; run()"
TYPER = "import sys; sys.argv[0] = 'stackctl'; from stackctl.cli.main import run; run()"


def _run(code: str, argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd, env=ENV, check=False
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["render"], RenderArgs(())),
        (["render", "a", "-o", "json"], RenderArgs((Path("a"),), output="json")),
        (["render", "--output=json", "a"], RenderArgs((Path("a"),), output="json")),
        (
            ["--debug", "render", "a", "b", "--out-dir", "out"],
            RenderArgs((Path("a"), Path("b")), out_dir=Path("out"), debug=True),
        ),
        (
            ["render", "--load-restrictor", "LoadRestrictionsNone", "--", "-odd"],
            RenderArgs((Path("-odd"),), load_restrictor="LoadRestrictionsNone"),
        ),
    ],
)
def test_plain_arguments_take_the_fast_path(argv: list[str], expected: RenderArgs) -> None:
    assert parse_render(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "--help"],
        ["render", "-ojson"],  # click's attached short value: left to click
        ["render", "-o", "xml"],
        ["render", "-o"],
        ["render", "-o", "json", "-o", "yaml"],
        ["render", "--output="],
        ["render", "a", "b"],  # several PATHs need --out-dir: typer words the usage error
        ["render", "--debug", "a"],  # a global option after the command
        ["render", ""],
        ["validate", "a"],
        ["--version", "render"],
        [],
    ],
)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert parse_render(argv) is None


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("entry")
    (root / "app").mkdir()
    (root / "app" / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\ncommonLabels: {team: a}\nnamePrefix: x-\n"  # commonLabels: a warning
    )
    (root / "app" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (root / "other").mkdir()
    (root / "other" / "kustomization.yaml").write_text("resources: [../app/cm.yaml]\n")  # outside its root
    (root / "broken").mkdir()
    (root / "broken" / "kustomization.yaml").write_text("resources: []\nnamePrefx: x-\n")
    return root


CASES = [
    ["render", "app"],
    ["render", "-o", "json", "app"],
    ["render", "--output=json", "--", "app"],
    ["render", "other"],
    ["render", "other", "--load-restrictor", "LoadRestrictionsNone"],
    ["render", "broken"],
    ["render", "missing"],
    ["--debug", "render", "app"],
    ["render", "app", "other", "--out-dir", "OUT", "--load-restrictor=LoadRestrictionsNone"],
    ["render", "app", "broken", "--out-dir", "OUT"],
    ["render"],  # no default environment below this directory
    ["render", "app", "other"],  # both: typer's usage error
]


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c) for c in CASES])
def test_fast_path_and_typer_app_agree(work: Path, tmp_path: Path, argv: list[str]) -> None:
    results = []
    for name, code in (("fast", FAST), ("typer", TYPER)):
        out = tmp_path / name
        args = [str(out) if a == "OUT" else a for a in argv]
        proc = _run(code, args, work)
        stderr = proc.stderr.replace(str(out), "OUT")
        results.append((proc.returncode, proc.stdout, stderr, _tree(out) if out.exists() else None))
    assert results[0] == results[1]


def test_default_environment_agrees_and_typer_is_not_loaded() -> None:
    probe = "; import sys as s; print('TYPER' if 'typer' in s.modules else 'NO-TYPER', file=s.stderr)"
    fast = _run(FAST.replace("run()", "run()" + probe), ["render"], REPO)
    slow = _run(TYPER, ["render"], REPO)
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert fast.stdout == slow.stdout
    assert fast.stderr == "NO-TYPER\n"
