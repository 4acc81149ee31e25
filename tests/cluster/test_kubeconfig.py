"""Kubeconfig selection and merging as kubectl does it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from stackctl.cluster.errors import KubeconfigError
from stackctl.cluster.kubeconfig import load, merge


def _config(
    name: str, server: str, *, current: str | None = None, namespace: str | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {"cluster": name, "user": name}
    if namespace:
        context["namespace"] = namespace
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server}}],
        "users": [{"name": name, "user": {"token": f"token-{name}"}}],
        "contexts": [{"name": name, "context": context}],
    }
    if current:
        doc["current-context"] = current
    return doc


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    return path


def test_merge_first_definition_and_first_current_context_win(tmp_path: Path) -> None:
    a = _config("dev", "https://a.example:6443", current="dev")
    b = _config("dev", "https://b.example:6443", current="prod")
    b["clusters"].append({"name": "prod", "cluster": {"server": "https://prod.example:6443"}})
    merged = merge([(tmp_path / "a", a), (tmp_path / "b", b)])
    assert merged["current-context"] == "dev"
    assert [c["cluster"]["server"] for c in merged["clusters"]] == [
        "https://a.example:6443",
        "https://prod.example:6443",
    ]


def test_merge_resolves_relative_paths_against_their_file(tmp_path: Path) -> None:
    doc = _config("dev", "https://a.example:6443")
    doc["clusters"][0]["cluster"]["certificate-authority"] = "ca.crt"
    doc["users"][0]["user"] = {"client-certificate": "certs/me.crt", "client-key": "/abs/me.key"}
    merged = merge([(tmp_path / "sub" / "config", doc)])
    assert merged["clusters"][0]["cluster"]["certificate-authority"] == str(tmp_path / "sub" / "ca.crt")
    assert merged["users"][0]["user"] == {
        "client-certificate": str(tmp_path / "sub" / "certs" / "me.crt"),
        "client-key": "/abs/me.key",
    }


def test_kubeconfig_env_is_colon_separated_and_skips_missing_files(tmp_path: Path) -> None:
    first = _write(tmp_path / "one", _config("one", "http://127.0.0.1:1", current="one", namespace="team"))
    second = _write(tmp_path / "two", _config("two", "http://127.0.0.1:2", current="two"))
    env = {"KUBECONFIG": f"{tmp_path / 'missing'}:{first}:{second}", "HOME": str(tmp_path)}
    cfg = load(environ=env)
    assert (cfg.context, cfg.namespace, cfg.server) == ("one", "team", "http://127.0.0.1:1")
    cfg = load(context="two", environ=env)
    assert (cfg.context, cfg.namespace, cfg.server) == ("two", "default", "http://127.0.0.1:2")
    assert cfg.configuration.api_key["BearerToken"] == "Bearer token-two"


def test_explicit_kubeconfig_wins_over_env_and_must_exist(tmp_path: Path) -> None:
    env_file = _write(tmp_path / "env", _config("env", "http://127.0.0.1:1", current="env"))
    flag_file = _write(tmp_path / "flag", _config("flag", "http://127.0.0.1:2", current="flag"))
    env = {"KUBECONFIG": str(env_file), "HOME": str(tmp_path)}
    assert load(str(flag_file), environ=env).context == "flag"
    with pytest.raises(KubeconfigError, match=r"kubeconfig file .*/nope not found") as info:
        load(str(tmp_path / "nope"), environ=env)
    assert info.value.field == "--kubeconfig"


def test_default_file_then_in_cluster_then_error(tmp_path: Path) -> None:
    _write(tmp_path / ".kube" / "config", _config("home", "http://127.0.0.1:3", current="home"))
    assert load(environ={"HOME": str(tmp_path)}).context == "home"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(KubeconfigError, match="no kubeconfig found") as info:
        load(environ={"HOME": str(empty)})
    assert info.value.hint and "--kubeconfig" in info.value.hint
    in_cluster = {"HOME": str(empty), "KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    with pytest.raises(KubeconfigError, match="in-cluster configuration"):
        load(environ=in_cluster)  # the service account token file does not exist here


def test_unknown_context_names_the_known_ones(tmp_path: Path) -> None:
    path = _write(tmp_path / "c", _config("dev", "http://127.0.0.1:1", current="dev"))
    with pytest.raises(KubeconfigError, match='context "prod" does not exist') as info:
        load(str(path), "prod", environ={})
    assert info.value.hint == "contexts in the kubeconfig: dev"
    no_current = _write(tmp_path / "d", _config("dev", "http://127.0.0.1:1"))
    with pytest.raises(KubeconfigError, match="no current-context"):
        load(str(no_current), environ={})
