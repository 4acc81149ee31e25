"""Loading: the RootOnly load restrictor, symlinks, cycles, kustomization file discovery, parse sharing."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackctl.errors import KustomizeError, LoadRestrictionError
from stackctl.kustomize.build import build_many, build_yaml
from stackctl.kustomize.loader import NO_RESTRICTION
from tests.refkustomize import kustomize_build

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_file_outside_root_is_refused_then_allowed_with_none(tmp_path: Path) -> None:
    _write(tmp_path / "shared" / "cm.yaml", CM.format(name="shared"))
    _write(tmp_path / "app" / "kustomization.yaml", "resources:\n- ../shared/cm.yaml\n")
    assert kustomize_build(tmp_path / "app").returncode != 0
    with pytest.raises(LoadRestrictionError) as err:
        build_yaml(tmp_path / "app")
    assert err.value.field == "resources[0]"
    assert err.value.file is not None and err.value.file.endswith("kustomization.yaml")
    ref = kustomize_build(tmp_path / "app", "--load-restrictor", "LoadRestrictionsNone")
    assert ref.returncode == 0, ref.stderr
    assert build_yaml(tmp_path / "app", load_restrictor=NO_RESTRICTION) == ref.stdout


def test_symlink_pointing_outside_root_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "outside.yaml", CM.format(name="outside"))
    _write(tmp_path / "app" / "kustomization.yaml", "resources:\n- link.yaml\n")
    (tmp_path / "app" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    assert kustomize_build(tmp_path / "app").returncode != 0
    with pytest.raises(LoadRestrictionError):
        build_yaml(tmp_path / "app")


def test_directories_outside_root_are_allowed(tmp_path: Path) -> None:
    _write(tmp_path / "base" / "kustomization.yaml", "resources:\n- cm.yaml\n")
    _write(tmp_path / "base" / "cm.yaml", CM.format(name="base"))
    _write(tmp_path / "envs" / "dev" / "kustomization.yaml", "resources:\n- ../../base\nnamePrefix: dev-\n")
    ref = kustomize_build(tmp_path / "envs" / "dev")
    assert ref.returncode == 0, ref.stderr
    assert build_yaml(tmp_path / "envs" / "dev") == ref.stdout


@pytest.mark.parametrize(
    ("layout", "start"),
    [
        (
            {"a/kustomization.yaml": "resources:\n- ../b\n", "b/kustomization.yaml": "resources:\n- ../a\n"},
            "a",
        ),
        ({"a/kustomization.yaml": "resources:\n- .\n"}, "a"),
        (
            {"a/kustomization.yaml": "resources:\n- sub\n", "a/sub/kustomization.yaml": "resources:\n- ..\n"},
            "a",
        ),
    ],
)
def test_cycles_are_errors(tmp_path: Path, layout: dict[str, str], start: str) -> None:
    for rel, text in layout.items():
        _write(tmp_path / rel, text)
    assert kustomize_build(tmp_path / start).returncode != 0
    with pytest.raises(KustomizeError) as err:
        build_yaml(tmp_path / start)
    assert "cycle" in err.value.message
    assert err.value.field is not None and err.value.field.startswith("resources[")


def test_two_kustomization_files_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "kustomization.yaml", "resources: []\n")
    _write(tmp_path / "kustomization.yml", "resources: []\n")
    assert kustomize_build(tmp_path).returncode != 0
    with pytest.raises(KustomizeError):
        build_yaml(tmp_path)


@pytest.mark.parametrize("name", ["kustomization.yaml", "kustomization.yml", "Kustomization"])
def test_every_kustomization_file_name_is_found(tmp_path: Path, name: str) -> None:
    _write(tmp_path / name, "resources:\n- cm.yaml\n")
    _write(tmp_path / "cm.yaml", CM.format(name=name.lower().replace(".", "-")))
    ref = kustomize_build(tmp_path)
    assert ref.returncode == 0, ref.stderr
    assert build_yaml(tmp_path) == ref.stdout


def test_shared_base_builds_the_same_in_one_process(tmp_path: Path) -> None:
    _write(tmp_path / "base" / "kustomization.yaml", "resources:\n- cm.yaml\n")
    _write(tmp_path / "base" / "cm.yaml", CM.format(name="app"))
    envs = []
    for env in ("dev", "prod"):
        _write(
            tmp_path / env / "kustomization.yaml",
            f"resources:\n- ../base\nnamespace: {env}\nnamePrefix: {env}-\n",
        )
        envs.append(tmp_path / env)
    results = build_many(envs)
    for env, result in zip(envs, results, strict=True):
        from stackctl import yamlio

        assert yamlio.dump_documents(result.objects) == kustomize_build(env).stdout
