"""`stackctl vendor`: pinned upstream release files, verified against a lock, written under an operator base.

The install bases under overlays/operators ship CRDs written by hand for offline use; real users swap in
upstream's own files. Vendoring makes that swap reproducible and safe: the catalog says which files a
release has and where they come from, the lock (vendor.lock.json) pins the sha256 of each, and nothing is
written unless every file of the release downloaded and matched. A re-run with the files already in place
touches nothing and needs no network.

Deciding what to do (`plan_vendor`) is pure; fetching (HTTP through urllib, which honours the usual proxy
variables, or a local folder) and writing are the I/O edges. Writes are staged in a temporary directory
inside the operator's base and moved into place only after the whole release verified, so a failed run
leaves the tree exactly as it was.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit, urlunsplit

from stackctl import __version__
from stackctl.catalog import Operator, parse_version
from stackctl.catalog.parse import RAW_URL
from stackctl.errors import StackctlError

DEFAULT_TIMEOUT = 60.0
MAX_FILE_BYTES = 64 * 1024 * 1024  # the largest upstream CRD bundle is a few MB
LOCK_FILE = "vendor.lock.json"
UPSTREAM_PREFIX = RAW_URL.split("{", 1)[0]  # https://raw.githubusercontent.com/
_CHUNK = 1 << 16


class VendorError(StackctlError):
    """A release that cannot be vendored: no pinned hash, a failed download, a checksum mismatch."""


# ---------------------------------------------------------------------------------------------------------
# the lock


@dataclass(frozen=True)
class LockEntry:
    url: str
    sha256: str


@dataclass(frozen=True)
class Lock:
    file: str
    entries: Mapping[tuple[str, str, str], LockEntry]  # (operator key, version, dest) -> entry

    def get(self, operator: str, version: str, dest: str) -> LockEntry | None:
        return self.entries.get((operator, version, dest))


def _is_sha256(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def parse_lock(data: Any, *, file: str) -> Lock:
    """`{lockVersion: 1, operators: {<key>: {<version>: {<dest>: {url, sha256}}}}}`."""

    def fail(field: str | None, message: str) -> VendorError:
        return VendorError(message, file=file, field=field)

    if not isinstance(data, dict):
        raise fail(None, "expected a JSON object")
    unknown = sorted(set(data) - {"lockVersion", "comment", "operators"})
    if unknown:
        raise fail(unknown[0], "unknown field")
    if data.get("lockVersion") != 1:
        raise fail(
            "lockVersion", f"unsupported lock version {data.get('lockVersion')!r} (this stackctl reads 1)"
        )
    operators = data.get("operators")
    if not isinstance(operators, dict):
        raise fail("operators", "expected an object of operators")
    entries: dict[tuple[str, str, str], LockEntry] = {}
    for key, versions in operators.items():
        if not isinstance(versions, dict):
            raise fail(f"operators.{key}", "expected an object of versions")
        for version, files in versions.items():
            at = f"operators.{key}.{version}"
            try:
                parse_version(version)
            except ValueError as exc:
                raise fail(at, str(exc)) from None
            if not isinstance(files, dict):
                raise fail(at, "expected an object of files by destination")
            for dest, entry in files.items():
                field = f"{at}.{dest}"
                path = PurePosixPath(dest)
                if path.is_absolute() or any(p in ("..", ".", "") for p in dest.split("/")):
                    raise fail(field, "the destination must be a relative path without '..'")
                if not isinstance(entry, dict) or set(entry) != {"url", "sha256"}:
                    raise fail(field, "expected exactly the fields url and sha256")
                if not _is_sha256(entry["sha256"]):
                    raise fail(f"{field}.sha256", "expected 64 lower-case hex digits")
                url = entry["url"]
                if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
                    raise fail(f"{field}.url", "expected an http(s) URL")
                entries[(key, version, dest)] = LockEntry(url=url, sha256=entry["sha256"])
    return Lock(file=file, entries=entries)


def load_lock(path: Path | None = None) -> Lock:
    """The lock at `path`, or the one shipped with the catalog (stackctl/catalog/vendor.lock.json)."""
    if path is None:
        file = f"stackctl/catalog/{LOCK_FILE}"
        text = resources.files("stackctl.catalog").joinpath(LOCK_FILE).read_text(encoding="utf-8")
    else:
        file = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise VendorError(f"cannot read the lock: {exc.strerror}", file=file, field="--lock") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VendorError(f"invalid JSON: {exc.msg} at line {exc.lineno}", file=file) from None
    return parse_lock(data, file=file)


# ---------------------------------------------------------------------------------------------------------
# planning (pure)


@dataclass(frozen=True)
class PlannedFile:
    url: str  # where it is fetched from (the upstream URL, or its mirror)
    upstream_path: str  # path in the upstream repository
    dest: str  # relative to the plan's target directory
    target: Path
    sha256: str


@dataclass(frozen=True)
class Plan:
    operator: str
    version: str
    base_dir: Path  # the operator's install base
    target_dir: Path  # <base>/vendor/<tag>
    files: tuple[PlannedFile, ...]


def display_url(url: str) -> str:
    """A URL as it may be printed: no user info, no query string (either may carry a credential)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_mirror(mirror: str) -> str:
    parts = urlsplit(mirror)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise VendorError(f"{display_url(mirror)!r} is not an http(s) URL", field="--mirror")
    if parts.username or parts.password:
        raise VendorError(
            "credentials in the mirror URL are not supported",
            field="--mirror",
            hint="they would end up in logs; use a proxy (HTTPS_PROXY) that authenticates instead",
        )
    if parts.query or parts.fragment:
        raise VendorError("the mirror URL must not have a query or fragment", field="--mirror")
    return mirror.rstrip("/") + "/"


def plan_vendor(
    operator: Operator, version: str | None, lock: Lock, root: Path, *, mirror: str | None = None
) -> Plan:
    """What vendoring `version` (default: the pinned one) of `operator` means, checked against the lock.

    `mirror` replaces https://raw.githubusercontent.com/ in every URL (a proxying artifact store); the
    lock still pins the upstream URL and the same sha256.
    """
    v = operator.version(version) if version is not None else operator.pinned
    if not v.files:
        raise VendorError(f"the catalog lists no upstream files for {operator.key} {v.version}")
    at = f"operators.{operator.key}.{v.version}"
    missing = [f for f in v.files if lock.get(operator.key, v.version, f.dest) is None]
    if missing:
        raise VendorError(
            f"no sha256 pinned for {len(missing)} of the {len(v.files)} files of {operator.key} {v.version}, "
            f"first {missing[0].dest} ({missing[0].url})",
            file=lock.file,
            field=at,
            hint="verify the upstream files, then pin their sha256 in the lock: nothing unpinned is written",
        )
    prefix = check_mirror(mirror) if mirror is not None else None
    base_dir = root / operator.base
    target_dir = base_dir / "vendor" / v.tag
    planned = []
    for f in v.files:
        entry = lock.get(operator.key, v.version, f.dest)
        assert entry is not None
        if entry.url != f.url:
            raise VendorError(
                f"the lock pins {entry.url} but the catalog fetches {f.url}",
                file=lock.file,
                field=f"{at}.{f.dest}.url",
                hint="the lock is stale: re-verify the file and update its url and sha256 together",
            )
        url = f.url
        if prefix is not None and url.startswith(UPSTREAM_PREFIX):
            url = prefix + url[len(UPSTREAM_PREFIX) :]
        planned.append(
            PlannedFile(
                url=url, upstream_path=f.path, dest=f.dest, target=target_dir / f.dest, sha256=entry.sha256
            )
        )
    return Plan(
        operator=operator.key,
        version=v.version,
        base_dir=base_dir,
        target_dir=target_dir,
        files=tuple(planned),
    )


# ---------------------------------------------------------------------------------------------------------
# fetching


class Fetcher(Protocol):
    """Writes the bytes of one planned file to `out`, or raises VendorError naming it."""

    def fetch(self, file: PlannedFile, out: BinaryIO) -> None: ...


def _copy(src: BinaryIO, out: BinaryIO, file: PlannedFile, what: str) -> None:
    total = 0
    while chunk := src.read(_CHUNK):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise VendorError(
                f"{what} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", file=str(file.target)
            )
        out.write(chunk)


class HttpFetcher:
    """Downloads over HTTP(S) with urllib: proxies from the environment (http_proxy, https_proxy, no_proxy),
    redirects followed, `timeout` seconds for the connection and for each read."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._opener = urllib.request.build_opener()

    def fetch(self, file: PlannedFile, out: BinaryIO) -> None:
        url = display_url(file.url)
        request = urllib.request.Request(file.url, headers={"User-Agent": f"stackctl/{__version__}"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                _copy(response, out, file, url)
        except urllib.error.HTTPError as exc:
            raise self._failed(file, f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):  # socket.timeout is TimeoutError
                raise self._failed(file, f"timed out after {self.timeout:g}s") from None
            text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
            raise self._failed(file, text) from None
        except TimeoutError:
            raise self._failed(file, f"timed out after {self.timeout:g}s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise self._failed(file, f"connection failed: {exc.__class__.__name__}") from None

    def _failed(self, file: PlannedFile, why: str) -> VendorError:
        return VendorError(
            f"cannot download {display_url(file.url)}: {why}",
            file=str(file.target),
            hint="nothing was written",
        )


class DirFetcher:
    """Takes the files from a local folder: either laid out like the vendor output (`<dest>`), or a checkout
    of the upstream repository at the tag (`<path in the repository>`), looked up in that order."""

    def __init__(self, directory: Path) -> None:
        if not directory.is_dir():
            raise VendorError("not a directory", file=str(directory), field="--from")
        self.directory = directory

    def fetch(self, file: PlannedFile, out: BinaryIO) -> None:
        candidates = [self.directory / file.dest, self.directory / file.upstream_path]
        for candidate in candidates:
            if candidate.is_file():
                try:
                    with candidate.open("rb") as src:
                        _copy(src, out, file, str(candidate))
                except OSError as exc:
                    raise VendorError(
                        f"cannot read {candidate}: {exc.strerror}",
                        file=str(file.target),
                        hint="nothing was written",
                    ) from None
                return
        looked = " or ".join(str(c) for c in dict.fromkeys(candidates))
        raise VendorError(
            f"{file.dest} is not in {self.directory} (looked for {looked})",
            file=str(file.target),
            field="--from",
            hint="nothing was written",
        )


# ---------------------------------------------------------------------------------------------------------
# writing


@dataclass(frozen=True)
class Outcome:
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def vendor(plan: Plan, fetcher: Fetcher) -> Outcome:
    """Fetch and verify every file of `plan` that is not already in place, then move them all into place.

    Nothing under the operator's base changes unless every file downloaded and matched its pinned sha256.
    """
    if not plan.base_dir.is_dir():
        raise VendorError(
            "the operator's install base does not exist",
            file=str(plan.base_dir),
            hint="run from the repository root, or pass --root",
        )
    unchanged: list[Path] = []
    todo: list[PlannedFile] = []
    for f in plan.files:
        if f.target.is_file() and not f.target.is_symlink() and sha256_file(f.target) == f.sha256:
            unchanged.append(f.target)
        elif f.target.is_dir() or f.target.is_symlink():
            raise VendorError(
                "exists and is not a regular file", file=str(f.target), hint="nothing was written"
            )
        else:
            todo.append(f)
    if not todo:
        return Outcome(written=(), unchanged=tuple(unchanged))
    try:
        staging = Path(tempfile.mkdtemp(prefix=".stackctl-vendor-", dir=plan.base_dir))
    except OSError as exc:
        raise VendorError(f"cannot stage files here: {exc.strerror}", file=str(plan.base_dir)) from None
    tree = staging / "tree"
    try:
        for f in todo:
            staged = tree / f.dest
            try:
                staged.parent.mkdir(parents=True, exist_ok=True)
                with staged.open("xb") as out:
                    fetcher.fetch(f, out)
                actual = sha256_file(staged)
            except OSError as exc:
                raise VendorError(
                    f"cannot stage {f.dest}: {exc.strerror}", file=str(f.target), hint="nothing was written"
                ) from None
            if actual != f.sha256:
                raise VendorError(
                    f"sha256 mismatch for {display_url(f.url)}: expected {f.sha256}, got {actual}",
                    file=str(f.target),
                    hint="nothing was written; the upstream file changed or the lock is wrong",
                )
        _move_into_place(plan, todo, tree)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Outcome(written=tuple(f.target for f in todo), unchanged=tuple(unchanged))


def _move_into_place(plan: Plan, todo: list[PlannedFile], tree: Path) -> None:
    """Every staged file verified: a new release directory appears in one rename; files of an existing one
    are replaced one atomic rename each."""
    current: Path = plan.target_dir
    try:
        if not plan.target_dir.exists():
            plan.target_dir.parent.mkdir(parents=True, exist_ok=True)
            os.rename(tree, plan.target_dir)
            return
        for f in todo:
            current = f.target
            f.target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tree / f.dest, f.target)
    except OSError as exc:
        raise VendorError(
            f"cannot move the verified files into place: {exc.strerror}",
            file=str(current),
            hint="another run may be writing the same release; run again",
        ) from None
