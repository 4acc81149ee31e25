"""`stackctl vendor` against a local HTTP server (never the real network): verified, all-or-nothing writes,
idempotent re-runs, clear errors for mismatches and failed downloads; and the shipped lock against the real
upstream files in ../shared/reference/upstream-crds."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import pytest

from stackctl import yamlio
from stackctl.catalog import Operator, load_catalog
from stackctl.vendor import (
    DirFetcher,
    HttpFetcher,
    Lock,
    PlannedFile,
    VendorError,
    check_mirror,
    display_url,
    load_lock,
    parse_lock,
    plan_vendor,
    vendor,
)

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO.parent / "shared" / "reference" / "upstream-crds"
needs_upstream = pytest.mark.skipif(
    not UPSTREAM.is_dir(), reason=f"the real upstream CRDs are not at {UPSTREAM} (shared/reference is absent)"
)
STACKCTL = str(Path(sys.executable).with_name("stackctl"))
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
KEY = "redis-operator"  # five files, one of them with a destination unlike its upstream name


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's proxy settings must not send the local test traffic elsewhere."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


class Server:
    """A local stand-in for raw.githubusercontent.com (or an HTTP proxy): serves `files` by URL path."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if server.delay:
                    time.sleep(server.delay)
                path = urlsplit(self.path).path  # a proxy is asked for the absolute URL
                body = server.files.get(path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def operator() -> Operator:
    return load_catalog().operator(KEY)


def upstream_path(url: str) -> str:
    return urlsplit(url).path


def serve_release(server: Server, op: Operator) -> dict[str, bytes]:
    """Fake contents for every file of the pinned release, served at its upstream path; by destination."""
    contents = {}
    for f in op.pinned.files:
        body = f"# {f.path} at {op.pinned.tag}\n".encode() * 50
        server.files[upstream_path(f.url)] = body
        contents[f.dest] = body
    return contents


def lock_for(op: Operator, contents: dict[str, bytes], tmp_path: Path) -> Path:
    files = {f.dest: {"url": f.url, "sha256": sha(contents[f.dest])} for f in op.pinned.files}
    path = tmp_path / "test.lock.json"
    path.write_text(
        json.dumps({"lockVersion": 1, "operators": {op.key: {op.current: files}}}), encoding="utf-8"
    )
    return path


def make_root(tmp_path: Path, op: Operator) -> Path:
    root = tmp_path / "repo"
    (root / op.base).mkdir(parents=True)
    (root / op.base / "kustomization.yaml").write_text("resources: []\n", encoding="utf-8")
    return root


def tree(path: Path) -> dict[str, bytes]:
    """Every file below `path` (hidden ones too) by relative path."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


class Unreachable:
    def fetch(self, file: PlannedFile, out: BinaryIO) -> None:
        raise AssertionError(f"nothing should be fetched, asked for {file.url}")


@pytest.fixture
def release(server: Server, tmp_path: Path) -> tuple[Operator, dict[str, bytes], Lock, Path]:
    op = operator()
    contents = serve_release(server, op)
    return op, contents, load_lock(lock_for(op, contents, tmp_path)), make_root(tmp_path, op)


# ---------------------------------------------------------------------------------------------------------
# downloading


def test_vendor_downloads_verifies_and_writes_the_release(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path]
) -> None:
    op, contents, lock, root = release
    plan = plan_vendor(op, None, lock, root, mirror=server.url)
    outcome = vendor(plan, HttpFetcher(timeout=5))
    target = root / op.base / "vendor" / "v0.26.0"
    assert plan.target_dir == target
    assert tree(target) == contents
    assert set(contents) == {
        "chart-crds.yaml",
        "redis.redis.opstreelabs.in_redis.yaml",
        "redis.redis.opstreelabs.in_redisclusters.yaml",
        "redis.redis.opstreelabs.in_redisreplications.yaml",
        "redis.redis.opstreelabs.in_redissentinels.yaml",
    }
    assert sorted(outcome.written) == sorted(target / dest for dest in contents)
    assert outcome.unchanged == ()
    assert sorted(server.requests) == sorted(
        f"/OT-CONTAINER-KIT/redis-operator/v0.26.0/{f.path}" for f in op.pinned.files
    )
    # nothing but the release and the base's own kustomization: no staging directory left behind
    assert sorted(tree(root / op.base)) == [
        "kustomization.yaml",
        *sorted(f"vendor/v0.26.0/{d}" for d in contents),
    ]


def test_a_rerun_with_the_files_in_place_does_nothing_and_fetches_nothing(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path]
) -> None:
    op, contents, lock, root = release
    vendor(plan_vendor(op, None, lock, root, mirror=server.url), HttpFetcher(timeout=5))
    before = tree(root)
    outcome = vendor(plan_vendor(op, None, lock, root, mirror=server.url), Unreachable())
    assert outcome.written == ()
    assert len(outcome.unchanged) == len(contents)
    assert tree(root) == before


def test_a_modified_or_missing_file_is_fetched_again_and_only_that(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path]
) -> None:
    op, contents, lock, root = release
    plan = plan_vendor(op, None, lock, root, mirror=server.url)
    vendor(plan, HttpFetcher(timeout=5))
    target = plan.target_dir
    (target / "chart-crds.yaml").write_bytes(b"hand edited\n")
    (target / "redis.redis.opstreelabs.in_redis.yaml").unlink()
    server.requests.clear()
    outcome = vendor(plan, HttpFetcher(timeout=5))
    assert sorted(p.name for p in outcome.written) == [
        "chart-crds.yaml",
        "redis.redis.opstreelabs.in_redis.yaml",
    ]
    assert len(outcome.unchanged) == 3
    assert len(server.requests) == 2
    assert tree(target) == contents


def test_a_checksum_mismatch_writes_nothing_and_names_url_destination_and_digests(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path]
) -> None:
    op, contents, lock, root = release
    bad = next(f for f in op.pinned.files if f.dest == "redis.redis.opstreelabs.in_redisclusters.yaml")
    server.files[upstream_path(bad.url)] = b"tampered\n"
    plan = plan_vendor(op, None, lock, root, mirror=server.url)
    with pytest.raises(VendorError) as err:
        vendor(plan, HttpFetcher(timeout=5))
    target = plan.target_dir / bad.dest
    assert err.value.file == str(target)
    assert err.value.message == (
        f"sha256 mismatch for {server.url}{upstream_path(bad.url)}: "
        f"expected {sha(contents[bad.dest])}, got {sha(b'tampered' + bytes([10]))}"
    )
    assert err.value.hint is not None and "nothing was written" in err.value.hint
    assert tree(root / op.base) == {"kustomization.yaml": b"resources: []\n"}
    assert not (root / op.base / "vendor").exists()


def test_a_failed_rerun_leaves_the_files_already_there_intact(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path]
) -> None:
    op, _contents, lock, root = release
    plan = plan_vendor(op, None, lock, root, mirror=server.url)
    vendor(plan, HttpFetcher(timeout=5))
    (plan.target_dir / "chart-crds.yaml").write_bytes(b"hand edited\n")
    (plan.target_dir / "redis.redis.opstreelabs.in_redis.yaml").unlink()
    before = tree(root)
    server.files[upstream_path(next(f.url for f in op.pinned.files if f.dest == "chart-crds.yaml"))] = (
        b"other\n"
    )
    with pytest.raises(VendorError, match="sha256 mismatch"):
        vendor(plan, HttpFetcher(timeout=5))
    assert tree(root) == before  # the good file was not moved in either: all or nothing


def test_http_404_names_url_and_destination_and_writes_nothing(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path]
) -> None:
    op, _contents, lock, root = release
    gone = op.pinned.files[-1]
    del server.files[upstream_path(gone.url)]
    plan = plan_vendor(op, None, lock, root, mirror=server.url)
    with pytest.raises(VendorError) as err:
        vendor(plan, HttpFetcher(timeout=5))
    assert err.value.file == str(plan.target_dir / gone.dest)
    assert err.value.message == f"cannot download {server.url}{upstream_path(gone.url)}: HTTP 404 Not Found"
    assert tree(root / op.base) == {"kustomization.yaml": b"resources: []\n"}


def test_connection_refused_names_the_url_and_writes_nothing(
    release: tuple[Operator, dict[str, bytes], Lock, Path],
) -> None:
    op, _contents, lock, root = release
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    plan = plan_vendor(op, None, lock, root, mirror=f"http://127.0.0.1:{port}")
    with pytest.raises(VendorError) as err:
        vendor(plan, HttpFetcher(timeout=5))
    first = plan.files[0]
    assert err.value.file == str(first.target)
    assert err.value.message.startswith(f"cannot download {first.url}: ")
    assert "refused" in err.value.message.lower()
    assert tree(root / op.base) == {"kustomization.yaml": b"resources: []\n"}


def test_a_server_that_does_not_answer_times_out(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path]
) -> None:
    op, _contents, lock, root = release
    server.delay = 2.0
    plan = plan_vendor(op, None, lock, root, mirror=server.url)
    started = time.monotonic()
    with pytest.raises(VendorError) as err:
        vendor(plan, HttpFetcher(timeout=0.3))
    assert time.monotonic() - started < 1.9
    assert err.value.message == f"cannot download {plan.files[0].url}: timed out after 0.3s"
    assert tree(root / op.base) == {"kustomization.yaml": b"resources: []\n"}


def test_downloads_go_through_the_proxy_from_the_environment(
    server: Server, release: tuple[Operator, dict[str, bytes], Lock, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    op, contents, lock, root = release
    monkeypatch.setenv("http_proxy", server.url)  # the local server plays the proxy
    server.files.update({f"/raw{path}": body for path, body in server.files.items()})
    plan = plan_vendor(op, None, lock, root, mirror="http://mirror.invalid/raw")
    vendor(plan, HttpFetcher(timeout=5))
    assert tree(plan.target_dir) == contents
    assert sorted(server.requests) == sorted(
        f"http://mirror.invalid/raw{upstream_path(f.url)}" for f in op.pinned.files
    )


def test_errors_never_show_credentials_or_query_strings(server: Server, tmp_path: Path) -> None:
    assert display_url("https://user:s3cret@mirror.example:8443/raw/a.yaml?token=s3cret#x") == (
        "https://mirror.example:8443/raw/a.yaml"
    )
    file = PlannedFile(
        url=f"{server.url}/missing.yaml?token=s3cret",
        upstream_path="missing.yaml",
        dest="missing.yaml",
        target=tmp_path / "missing.yaml",
        sha256="0" * 64,
    )
    with pytest.raises(VendorError) as err, (tmp_path / "out").open("wb") as out:
        HttpFetcher(timeout=5).fetch(file, out)
    assert "s3cret" not in str(err.value)
    assert f"{server.url}/missing.yaml" in err.value.message
    for bad in ("https://user:pw@mirror.example/", "https://mirror.example/?x=1", "ftp://mirror.example/"):
        with pytest.raises(VendorError) as err:
            check_mirror(bad)
        assert err.value.field == "--mirror"
        assert "pw" not in str(err.value)


# ---------------------------------------------------------------------------------------------------------
# --from DIR


def test_from_a_folder_laid_out_like_the_vendor_output(
    release: tuple[Operator, dict[str, bytes], Lock, Path], tmp_path: Path
) -> None:
    op, contents, lock, root = release
    source = tmp_path / "download"
    for dest, body in contents.items():
        (source / dest).parent.mkdir(parents=True, exist_ok=True)
        (source / dest).write_bytes(body)
    plan = plan_vendor(op, None, lock, root)
    outcome = vendor(plan, DirFetcher(source))
    assert len(outcome.written) == len(contents)
    assert tree(plan.target_dir) == contents
    assert vendor(plan, DirFetcher(source)).written == ()


def test_from_an_upstream_checkout_at_the_tag(
    release: tuple[Operator, dict[str, bytes], Lock, Path], tmp_path: Path
) -> None:
    op, contents, lock, root = release
    checkout = tmp_path / "redis-operator"
    for f in op.pinned.files:
        (checkout / f.path).parent.mkdir(parents=True, exist_ok=True)
        (checkout / f.path).write_bytes(contents[f.dest])
    plan = plan_vendor(op, None, lock, root)
    vendor(plan, DirFetcher(checkout))
    assert tree(plan.target_dir) == contents


def test_from_a_folder_missing_a_file_or_holding_a_wrong_one_writes_nothing(
    release: tuple[Operator, dict[str, bytes], Lock, Path], tmp_path: Path
) -> None:
    op, contents, lock, root = release
    source = tmp_path / "download"
    source.mkdir()
    for dest, body in list(contents.items())[:-1]:
        (source / dest).write_bytes(body)
    missing = list(contents)[-1]
    plan = plan_vendor(op, None, lock, root)
    with pytest.raises(VendorError) as err:
        vendor(plan, DirFetcher(source))
    assert err.value.field == "--from"
    assert err.value.file == str(plan.target_dir / missing)
    assert str(source / missing) in err.value.message
    wrong = b"not the pinned file\n"
    (source / missing).write_bytes(wrong)
    with pytest.raises(VendorError, match=f"expected {sha(contents[missing])}, got {sha(wrong)}"):
        vendor(plan, DirFetcher(source))
    assert tree(root / op.base) == {"kustomization.yaml": b"resources: []\n"}


def test_from_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(VendorError) as err:
        DirFetcher(tmp_path / "nope")
    assert (err.value.file, err.value.field, err.value.message) == (
        str(tmp_path / "nope"),
        "--from",
        "not a directory",
    )


def test_a_release_directory_that_appears_meanwhile_is_an_error_not_a_crash(
    release: tuple[Operator, dict[str, bytes], Lock, Path], tmp_path: Path
) -> None:
    """Another writer won the race (here: a file where the release directory goes)."""
    op, contents, lock, root = release
    source = tmp_path / "download"
    source.mkdir()
    for dest, body in contents.items():
        (source / dest).write_bytes(body)
    plan = plan_vendor(op, None, lock, root)
    inner = DirFetcher(source)

    class Racing:
        def fetch(self, file: PlannedFile, out: BinaryIO) -> None:
            plan.target_dir.parent.mkdir(parents=True, exist_ok=True)
            plan.target_dir.write_bytes(b"someone else\n")
            inner.fetch(file, out)

    with pytest.raises(VendorError) as err:
        vendor(plan, Racing())
    assert err.value.message.startswith("cannot move the verified files into place: ")
    assert tree(root / op.base) == {
        "kustomization.yaml": b"resources: []\n",
        "vendor/v0.26.0": b"someone else\n",
    }


# ---------------------------------------------------------------------------------------------------------
# the lock


def test_a_version_without_pinned_hashes_is_refused_before_any_download(tmp_path: Path) -> None:
    op = operator()
    lock = load_lock()
    with pytest.raises(VendorError) as err:
        plan_vendor(op, "0.25.0", lock, tmp_path)
    assert err.value.file == "stackctl/catalog/vendor.lock.json"
    assert err.value.field == "operators.redis-operator.0.25.0"
    first = op.version("0.25.0").files[0]
    assert err.value.message == (
        f"no sha256 pinned for 4 of the 4 files of redis-operator 0.25.0, first {first.dest} ({first.url})"
    )


def test_a_lock_pinning_another_url_is_stale(tmp_path: Path) -> None:
    op = operator()
    entries = {f.dest: {"url": f.url, "sha256": "a" * 64} for f in op.pinned.files}
    moved = op.pinned.files[0]
    entries[moved.dest]["url"] = moved.url.replace("v0.26.0", "v0.25.0")
    lock = parse_lock({"lockVersion": 1, "operators": {op.key: {op.current: entries}}}, file="l.json")
    with pytest.raises(VendorError) as err:
        plan_vendor(op, None, lock, tmp_path)
    assert (err.value.file, err.value.field) == (
        "l.json",
        f"operators.redis-operator.0.26.0.{moved.dest}.url",
    )


GOOD_ENTRY = {"url": "https://raw.githubusercontent.com/a/b/v1.0.0/x.yaml", "sha256": "a" * 64}
BAD_LOCKS = [
    ({"lockVersion": 2, "operators": {}}, "lockVersion"),
    ({"lockVersion": 1, "operators": {}, "extra": 1}, "extra"),
    ({"lockVersion": 1, "operators": {"x": {"v1.0.0": {}}}}, "operators.x.v1.0.0"),
    (
        {"lockVersion": 1, "operators": {"x": {"1.0.0": {"../x.yaml": GOOD_ENTRY}}}},
        "operators.x.1.0.0.../x.yaml",
    ),
    (
        {"lockVersion": 1, "operators": {"x": {"1.0.0": {"x.yaml": {**GOOD_ENTRY, "sha256": "A" * 64}}}}},
        "operators.x.1.0.0.x.yaml.sha256",
    ),
    (
        {"lockVersion": 1, "operators": {"x": {"1.0.0": {"x.yaml": {**GOOD_ENTRY, "url": "file:///etc/x"}}}}},
        "operators.x.1.0.0.x.yaml.url",
    ),
    (
        {"lockVersion": 1, "operators": {"x": {"1.0.0": {"x.yaml": {"url": GOOD_ENTRY["url"]}}}}},
        "operators.x.1.0.0.x.yaml",
    ),
]


@pytest.mark.parametrize(("data", "field"), BAD_LOCKS)
def test_a_broken_lock_is_refused_naming_the_field(data: Any, field: str) -> None:
    with pytest.raises(VendorError) as err:
        parse_lock(data, file="vendor.lock.json")
    assert (err.value.file, err.value.field) == ("vendor.lock.json", field)


def test_the_shipped_lock_pins_exactly_the_files_of_the_catalog() -> None:
    catalog, lock = load_catalog(), load_lock()
    listed = {
        (op.key, v.version, f.dest): f.url for op in catalog.operators for v in op.versions for f in v.files
    }
    for where, entry in lock.entries.items():
        assert listed.get(where) == entry.url, where  # no stale or unknown entry
    for op in catalog.operators:  # every pinned release can be vendored
        for f in op.pinned.files:
            assert lock.get(op.key, op.current, f.dest) is not None, (op.key, f.dest)


def test_the_shipped_lock_is_in_canonical_form() -> None:
    path = REPO / "stackctl" / "catalog" / "vendor.lock.json"
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_a_missing_install_base_is_refused(tmp_path: Path) -> None:
    plan = plan_vendor(operator(), None, load_lock(), tmp_path)
    with pytest.raises(VendorError) as err:
        vendor(plan, Unreachable())
    assert err.value.file == str(tmp_path / "overlays/operators/redis-operator")
    assert err.value.hint is not None and "--root" in err.value.hint


# ---------------------------------------------------------------------------------------------------------
# the real upstream files (../shared/reference/upstream-crds)


def _sources() -> dict[str, tuple[str, str, str]]:
    """SOURCES.txt: operator -> (repository, tag, commit)."""
    out = {}
    for line in (UPSTREAM / "SOURCES.txt").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) >= 7 and words[2] == "tag" and words[4] == "commit":
            out[words[0]] = (words[1], words[3], words[5])
    return out


@needs_upstream
def test_pinned_releases_are_the_tags_and_commits_the_upstream_copies_came_from() -> None:
    sources = _sources()
    catalog = load_catalog()
    assert set(sources) == set(catalog.keys)
    for key, (repository, tag, commit) in sources.items():
        op = catalog.operator(key)
        assert (op.repository.lower(), op.pinned.tag, op.pinned.commit) == (repository.lower(), tag, commit)


@needs_upstream
def test_the_lock_pins_the_real_upstream_files() -> None:
    """Each stored upstream file is the exact file at its tag: its sha256 must be the lock's, and the lock
    must cover every one of them."""
    lock = load_lock()
    for op in load_catalog().operators:
        stored = tree(UPSTREAM / op.key)
        assert stored, op.key
        pinned = {d: entry for (k, v, d), entry in lock.entries.items() if (k, v) == (op.key, op.current)}
        assert set(pinned) == set(stored), op.key
        for dest, body in stored.items():
            assert pinned[dest].sha256 == sha(body), f"{op.key}: {dest}"


@needs_upstream
@pytest.mark.parametrize(
    "key", ["cert-manager", "external-secrets", "prometheus-operator", "redis-operator", "postgres-operator"]
)
def test_vendoring_the_real_release_from_the_stored_copies(key: str, tmp_path: Path) -> None:
    """End to end with the shipped catalog and lock: the vendored upstream CRDs define every kind the
    catalog says the operator owns, at the served versions it lists."""
    op = load_catalog().operator(key)
    root = make_root(tmp_path, op)
    plan = plan_vendor(op, None, load_lock(), root)
    assert len(vendor(plan, DirFetcher(UPSTREAM / key)).written) == len(op.pinned.files)
    defined: dict[tuple[str, str], tuple[str, ...]] = {}
    for f in plan.files:
        if "/" in f.dest or f.dest in ("bundle.yaml", "chart-crds.yaml"):
            continue  # the same CRDs again, as the Helm chart or the "full" variant ships them
        for doc in yamlio.load_documents(f.target.read_bytes(), source=f.dest):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                spec = doc["spec"]
                served = tuple(v["name"] for v in spec["versions"] if v.get("served"))
                defined[(spec["group"], spec["names"]["kind"])] = served
    for crd in op.crds:
        assert defined.get((crd.group, crd.kind)) == crd.versions, crd.name


# ---------------------------------------------------------------------------------------------------------
# the command


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env.update(NO_COLOR="1", COLUMNS="100")
    return subprocess.run(
        [STACKCTL, "vendor", *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


def test_command_writes_reports_and_is_idempotent(server: Server, tmp_path: Path) -> None:
    op = operator()
    contents = serve_release(server, op)
    lock = lock_for(op, contents, tmp_path)
    root = make_root(tmp_path, op)
    args = (KEY, "--lock", str(lock), "--mirror", server.url)
    proc = run(*args, cwd=root)
    assert (proc.returncode, proc.stdout) == (0, "")
    where = "overlays/operators/redis-operator/vendor/v0.26.0"
    wrote = "".join(f"wrote {where}/{f.dest}\n" for f in op.pinned.files)
    assert proc.stderr == wrote + f"redis-operator 0.26.0: 5 written, 0 already up to date in {where}\n"
    assert tree(root / where) == contents
    again = run(*args, "--version", "v0.26.0", cwd=root)
    assert (again.returncode, again.stdout) == (0, "")
    assert (
        again.stderr
        == f"redis-operator 0.26.0: nothing to do, 5 files already vendored and verified in {where}\n"
    )


def test_command_errors_are_one_line_naming_file_and_field(server: Server, tmp_path: Path) -> None:
    op = operator()
    contents = serve_release(server, op)
    lock = lock_for(op, contents, tmp_path)
    root = make_root(tmp_path, op)
    bad = op.pinned.files[1]
    server.files[upstream_path(bad.url)] = b"tampered\n"
    proc = run(KEY, "--lock", str(lock), "--mirror", server.url, cwd=root)
    target = f"overlays/operators/redis-operator/vendor/v0.26.0/{bad.dest}"
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (
        f"error: {target}: sha256 mismatch for {server.url}{upstream_path(bad.url)}: "
        f"expected {sha(contents[bad.dest])}, got {sha(b'tampered' + bytes([10]))} "
        "(hint: nothing was written; the upstream file changed or the lock is wrong)\n"
    )
    assert not (root / "overlays/operators/redis-operator/vendor").exists()
    unpinned = run("redis-operator", "--version", "0.25.0", cwd=root)
    assert unpinned.returncode == 1
    assert unpinned.stderr.startswith(
        "error: stackctl/catalog/vendor.lock.json: operators.redis-operator.0.25.0: "
        "no sha256 pinned for 4 of the 4 files of redis-operator 0.25.0"
    )
    unknown = run("redis", cwd=root)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith(
        "error: OPERATOR: unknown operator 'redis' (hint: one of: cert-manager, "
    )
    assert run(KEY, "--version", "9.9.9", cwd=root).stderr.startswith(
        "error: --version: redis-operator has no version"
    )
