"""configMapGenerator / secretGenerator against the real kustomize.

Every case is a small kustomization tree built twice: by kustomize (all trees at once, in parallel) and by
`run_generators` + `add_hash_suffixes` over a minimal accumulation (plain resources and bases, in
kustomize's order). The trees ask kustomize for `fifo` order, so slot order is compared too.
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from stackctl.errors import KustomizeError, LoadRestrictionError
from stackctl.kustomize.generators import run_generators
from stackctl.kustomize.hashing import add_hash_suffixes
from stackctl.kustomize.resource import Resource
from stackctl.yamlio import dump_documents, load_documents
from tests.refkustomize import Built, kubectl_path

# -- shared helpers (also used by test_hashing and test_replacements) ----------------------------------------

Files = Mapping[str, str | bytes]


class DirSource:
    """A FileSource over one directory with kustomize's default RootOnly restriction."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @property
    def kfile(self) -> str:
        return str(self.root / "kustomization.yaml")

    def read_bytes(self, rel: str, *, field: str) -> bytes:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise LoadRestrictionError(
                f"security; file '{rel}' is not in or below the root", file=self.kfile, field=field
            )
        if not path.is_file():
            raise KustomizeError(f"file '{rel}' not found", file=self.kfile, field=field)
        return path.read_bytes()


def write_tree(root: Path, files: Files) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def kustomize_many(roots: Iterable[Path]) -> list[Built]:
    """Run the real kustomize over many trees in parallel (stderr decoded leniently: it may echo bytes)."""

    def one(root: Path) -> Built:
        proc = subprocess.run(
            [kubectl_path(), "kustomize", str(root)],
            capture_output=True,
            check=False,
            env={"KUBECONFIG": "/dev/null", "PATH": "/usr/bin:/bin"},
        )
        return Built(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, roots))


def load_kustomization(kdir: Path) -> dict[str, Any]:
    doc = yaml.safe_load((kdir / "kustomization.yaml").read_text(encoding="utf-8"))
    return doc if isinstance(doc, dict) else {}


def accumulate(
    kdir: Path, step: Callable[[list[Resource], dict[str, Any], DirSource], None] | None = None
) -> list[Resource]:
    """A minimal kustomize accumulation: resources (files and bases), generators, namespace and namePrefix
    (plain renames that record previous ids), then `step` (the transformer under test), if any."""
    kust = load_kustomization(kdir)
    acc: list[Resource] = []
    for entry in kust.get("resources") or []:
        path = kdir / entry
        if path.is_dir():
            acc.extend(accumulate(path, step))
        else:
            for doc in load_documents(path.read_bytes(), source=str(path)):
                acc.append(Resource(doc, str(path)))
    src = DirSource(kdir)
    run_generators(acc, kust, src)
    if kust.get("namespace"):
        for res in acc:
            res.store_previous_id()
            res.meta["namespace"] = kust["namespace"]
    if kust.get("namePrefix"):
        for res in acc:
            res.store_previous_id()
            res.meta["name"] = kust["namePrefix"] + res.name
            res.prefixes.append(kust["namePrefix"])
    if step is not None:
        step(acc, kust, src)
    return acc


def build(
    root: Path, step: Callable[[list[Resource], dict[str, Any], DirSource], None] | None = None
) -> list[Any]:
    resources = accumulate(root, step)
    add_hash_suffixes(resources)
    return [r.obj for r in resources]


FIFO = "sortOptions:\n  order: fifo\n"

# -- cases -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    files: Files
    error_field: str | None = None
    """For cases kustomize rejects: the field stackctl's error must name."""


CASES: dict[str, Case] = {
    "literals-quotes": Case(
        {
            "kustomization.yaml": r"""
            configMapGenerator:
            - name: lit
              literals:
              - b=2
              - a=1
              - c="q"
              - d='x'
              - e="x
              - f==y
              - g=
              - h='''x'''
              - i=""x""
              - j="'x'"
              - m="
              - n=a"b"
              - ' sp = x '
              - multi=1
              - 'url=http://x?a=b&c=d'
              - 'odd=key: value'
              - 'yes=yes'
              - 'num=0755'
            """
        }
    ),
    "files-and-keys": Case(
        {
            "kustomization.yaml": """
            configMapGenerator:
            - name: files
              files:
              - plain.txt
              - sub/dir/nested.txt
              - ./dot.txt
              - renamed=plain.txt
              - bom.txt
              - crlf.txt
              - empty.txt
              - ctl.txt
              - key with space=plain.txt
            """,
            "plain.txt": "hello\nworld\n",
            "sub/dir/nested.txt": "nested",
            "dot.txt": "dot",
            "bom.txt": b"\xef\xbb\xbfbom",
            "crlf.txt": b"x\r\ny\r\n",
            "empty.txt": b"",
            "ctl.txt": b"tab\there\x01ctl\x00nul",
        }
    ),
    "binary-files": Case(
        {
            "kustomization.yaml": """
            configMapGenerator:
            - name: bin
              files: [b51, b52, b105, mixed=text.txt]
            secretGenerator:
            - name: sbin
              files: [t51=b51, t52=b52, t105=b105]
              literals: [long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]
            """,
            "b51": b"\xff" * 51,
            "b52": b"\xff" * 52,
            "b105": b"\xfe\x00" * 52 + b"\x80",
            "text.txt": "ok",
        }
    ),
    "env-files": Case(
        {
            "kustomization.yaml": """
            configMapGenerator:
            - name: env
              envs: [a.env, b.env]
              env: c.env
            """,
            "a.env": "# comment\n\n  export X=1\nZ=3\nBARE\n  W = 4\n\tTAB=t\n"
            "  # indented comment\n=skipped\n",
            "b.env": b"\xef\xbb\xbfBOM=1\r\nQUOTED=\"q\"\r\nSINGLE='s'\r\nCR=a\rb\r\n"
            b"\xef\xbb\xbfSECOND=2\nLAST=nonl\r",
            "c.env": "\u00a0NBSP=1\n\u2003EM=2\n\x1cFS=3\n\u200bZW=4\nEQ=a=b=c\n",
        }
    ),
    "env-long-line": Case(
        {
            "kustomization.yaml": "configMapGenerator:\n- name: long\n  envs: [a.env, b.env, c.env]\n",
            "a.env": "A=1\nB=" + "x" * 65533 + "\nC=3\n",
            "b.env": "D=1\nE=" + "x" * 65534 + "\nF=3\n",
            "c.env": "G=" + "y" * 65533,
        }
    ),
    "secrets": Case(
        {
            "kustomization.yaml": """
            secretGenerator:
            - name: opaque
              literals: [a=1, euro=€]
            - name: tls
              type: kubernetes.io/tls
              files: [tls.crt=cert.pem, tls.key=key.pem]
            - name: empty
            - name: emptytype
              type: ""
              envs: [s.env]
            """,
            "cert.pem": "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
            "key.pem": "-----BEGIN EC PRIVATE KEY-----\nFAKE\n-----END EC PRIVATE KEY-----\n",
            "s.env": "USER=admin\nPASS=s3cr3t\n",
        }
    ),
    "options": Case(
        {
            "kustomization.yaml": """
            generatorOptions:
              labels: {g: "1", both: global}
              annotations: {ga: x}
              immutable: true
            configMapGenerator:
            - name: local
              namespace: ns1
              literals: [a=1]
              options:
                labels: {both: local, l: "2", "n": null}
                annotations: {la: yy}
                disableNameSuffixHash: true
            - name: inherits
              literals: [a=1]
              options:
                immutable: false
                disableNameSuffixHash: false
            - name: nodata
            secretGenerator:
            - name: sec
              literals: [a=1]
              options: {labels: {x: y1}}
            """
        }
    ),
    "global-disable-hash": Case(
        {
            "kustomization.yaml": """
            generatorOptions:
              disableNameSuffixHash: true
            configMapGenerator:
            - name: c
              literals: [a=1]
              options: {disableNameSuffixHash: false}
            secretGenerator:
            - name: s
              literals: [a=1]
            """
        }
    ),
    "case-insensitive-fields": Case(
        {
            "kustomization.yaml": """
            configMapGenerator:
            - NAME: c
              Literals: [a=1]
              OPTIONS: {DisableNameSuffixHash: true}
            - name: d
              options: null
              literals: null
              files: []
            """
        }
    ),
    "same-kustomization-merge": Case(
        {
            "kustomization.yaml": """
            configMapGenerator:
            - name: gen
              literals: [a=1, b=2]
            - name: other
            - name: gen
              behavior: merge
              literals: [b=3, c=4]
            - name: gen
              behavior: replace
              literals: [d=5]
              options: {labels: {r: "1"}}
            """
        }
    ),
    "merge-into-base": Case(
        {
            "base/kustomization.yaml": """
            resources: [plain.yaml]
            configMapGenerator:
            - name: gen
              literals: [a=1, b=2]
              options: {labels: {bl: x}, annotations: {ba: yv}, immutable: true}
            secretGenerator:
            - name: sec
              type: kubernetes.io/tls
              literals: [tls.crt=1, tls.key=2]
            """,
            "base/plain.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: plain
              namespace: default
              labels: {pl: z, num: 5, flag: true}
              annotations: {ratio: 1.5}
            data:
              x: "1"
              n: 5
              t: true
              nul: ~
            binaryData:
              bb: AAE=
            immutable: true
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: svc
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: plainsec, labels: {}, annotations: {}}
            stringData: {s: t}
            """,
            "kustomization.yaml": """
            resources: [base]
            configMapGenerator:
            - name: gen
              behavior: merge
              literals: [b=3, c=4]
              options: {labels: {ol: q, bl: over}}
            - name: plain
              behavior: merge
              literals: [y=2]
              files: [bin]
            - name: added
            secretGenerator:
            - name: sec
              behavior: merge
              literals: [z=1]
            - name: plainsec
              behavior: merge
            """,
            "bin": b"\xff",
        }
    ),
    "replace-in-base": Case(
        {
            "base/kustomization.yaml": """
            resources: [plain.yaml]
            configMapGenerator:
            - name: gen
              literals: [a=1]
              options: {labels: {bl: x}}
            """,
            "base/plain.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: plain}
            data: {x: "1"}
            binaryData: {bb: AAE=}
            """,
            "kustomization.yaml": """
            resources: [base]
            configMapGenerator:
            - name: gen
              behavior: replace
              literals: [c=4]
            - name: plain
              behavior: replace
            """,
        }
    ),
    "hash-stickiness": Case(
        {
            "b1/kustomization.yaml": """
            configMapGenerator:
            - {name: on-off, literals: [a=1]}
            - {name: off-on, literals: [a=1], options: {disableNameSuffixHash: true}}
            - {name: on-on, literals: [a=1]}
            - {name: off-off, literals: [a=1], options: {disableNameSuffixHash: true}}
            """,
            "kustomization.yaml": """
            resources: [b1, plain.yaml]
            configMapGenerator:
            - {name: on-off, behavior: merge, literals: [b=1], options: {disableNameSuffixHash: true}}
            - {name: off-on, behavior: merge, literals: [b=1], options: {disableNameSuffixHash: false}}
            - {name: on-on, behavior: replace, literals: [b=1]}
            - {name: off-off, behavior: replace, literals: [b=1], options: {disableNameSuffixHash: true}}
            - {name: plaincm, behavior: merge, literals: [b=1]}
            """,
            "plain.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plaincm}\ndata: {a: x}\n",
        }
    ),
    "merge-through-previous-ids": Case(
        {
            "base/kustomization.yaml": """
            namespace: nsb
            namePrefix: p-
            configMapGenerator:
            - name: gen
              literals: [a=1]
            """,
            "kustomization.yaml": """
            resources: [base]
            configMapGenerator:
            - name: gen
              behavior: merge
              literals: [b=2]
            """,
        }
    ),
    "unknown-behavior-creates": Case(
        {
            "kustomization.yaml": """
            configMapGenerator:
            - name: x
              behavior: foo
              literals: [a=1]
            """
        }
    ),
    # -- errors ----------------------------------------------------------------------------------------
    "err-no-name": Case(
        {"kustomization.yaml": "configMapGenerator:\n- literals: [a=1]\n"}, "configMapGenerator[0].name"
    ),
    "err-null-entry": Case({"kustomization.yaml": "secretGenerator:\n- null\n"}, "secretGenerator[0].name"),
    "err-literal-no-eq": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  literals: [a=1, noeq]\n"},
        "configMapGenerator[0].literals[1]",
    ),
    "err-literal-empty-key": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  literals: ['=1']\n"},
        "configMapGenerator[0].literals[0]",
    ),
    "err-duplicate-key": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  literals: [a=1]\n  files: [a]\n", "a": "x"},
        "configMapGenerator[0].files[0]",
    ),
    "err-duplicate-env-key": Case(
        {"kustomization.yaml": "secretGenerator:\n- name: s\n  envs: [e]\n", "e": "A=1\nA=2\n"},
        "secretGenerator[0].envs[0]",
    ),
    "err-missing-file": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [nope]\n"},
        "configMapGenerator[0].files[0]",
    ),
    "err-missing-env": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  env: nope\n"}, "configMapGenerator[0].env"
    ),
    "err-directory-file": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [d]\n", "d/a": "x"},
        "configMapGenerator[0].files[0]",
    ),
    "err-outside-root": Case(
        {"k/kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [../a]\n", "a": "x"},
        "configMapGenerator[0].files[0]",
    ),
    "err-file-no-key": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [=a]\n", "a": "x"},
        "configMapGenerator[0].files[0]",
    ),
    "err-file-no-path": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [k=]\n", "a": "x"},
        "configMapGenerator[0].files[0]",
    ),
    "err-file-two-eq": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [k=a=b]\n", "a=b": "x"},
        "configMapGenerator[0].files[0]",
    ),
    "err-env-bad-utf8": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  envs: [e]\n", "e": b"A=1\nB=\xff\n"},
        "configMapGenerator[0].envs[0]",
    ),
    "err-empty-env-path": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  envs: ['']\n"},
        "configMapGenerator[0].envs[0]",
    ),
    "err-merge-missing": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  behavior: merge\n"},
        "configMapGenerator[0].behavior",
    ),
    "err-replace-missing": Case(
        {"kustomization.yaml": "secretGenerator:\n- name: s\n  behavior: replace\n"},
        "secretGenerator[0].behavior",
    ),
    "err-create-existing": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n- name: c\n  behavior: create\n"},
        "configMapGenerator[1].behavior",
    ),
    "err-behavior-is-case-sensitive": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n- name: c\n  behavior: MERGE\n"},
        "configMapGenerator[1].behavior",
    ),
    "err-namespace-mismatch": Case(
        {
            "kustomization.yaml": "configMapGenerator:\n- {name: c, namespace: x}\n"
            "- {name: c, behavior: merge}\n"
        },
        "configMapGenerator[1].behavior",
    ),
    "err-two-candidates": Case(
        {
            "b1/kustomization.yaml": "namePrefix: p-\nconfigMapGenerator:\n- name: gen\n",
            "b2/kustomization.yaml": "namePrefix: q-\nconfigMapGenerator:\n- name: gen\n",
            "kustomization.yaml": "resources: [b1, b2]\nconfigMapGenerator: [{name: gen, behavior: merge}]\n",
        },
        "configMapGenerator[0]",
    ),
    "err-unknown-field": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  type: foo\n"}, "configMapGenerator[0].type"
    ),
    "err-unknown-option": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  options: {foo: 1}\n"},
        "configMapGenerator[0].options.foo",
    ),
    "err-name-not-string": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: 5\n"}, "configMapGenerator[0].name"
    ),
    "err-literal-not-string": Case(
        {"kustomization.yaml": "configMapGenerator:\n- name: c\n  literals: [true]\n"},
        "configMapGenerator[0].literals[0]",
    ),
    "err-label-not-string": Case(
        {"kustomization.yaml": "generatorOptions: {labels: {a: 1}}\nconfigMapGenerator:\n- name: c\n"},
        "generatorOptions.labels.a",
    ),
    "err-disable-not-bool": Case(
        {
            "kustomization.yaml": "generatorOptions: {disableNameSuffixHash: 'true'}\n"
            "configMapGenerator:\n- name: c\n"
        },
        "generatorOptions.disableNameSuffixHash",
    ),
    "err-generators-not-list": Case(
        {"kustomization.yaml": "configMapGenerator: {name: c}\n"}, "configMapGenerator"
    ),
}


def _top_dir(case: Case) -> str:
    return "k" if any(name.startswith("k/") for name in case.files) else "."


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Built]]:
    roots: dict[str, Path] = {}
    for name, case in CASES.items():
        files = dict(case.files)
        top = _top_dir(case)
        key = f"{top}/kustomization.yaml" if top != "." else "kustomization.yaml"
        files[key] = textwrap.dedent(files[key]).lstrip("\n") + FIFO  # type: ignore[arg-type]
        root = write_tree(tmp_path_factory.mktemp(name), files)
        roots[name] = root / top
    return dict(zip(roots, zip(roots.values(), kustomize_many(roots.values()), strict=True), strict=True))


OK_CASES = [name for name, case in CASES.items() if case.error_field is None]
ERROR_CASES = [name for name, case in CASES.items() if case.error_field is not None]


@pytest.mark.parametrize("name", OK_CASES)
def test_generated_objects_match_kustomize(built: dict[str, tuple[Path, Built]], name: str) -> None:
    root, ref = built[name]
    assert ref.returncode == 0, ref.stderr
    want = load_documents(ref.stdout, source="kustomize")
    assert build(root) == want


@pytest.mark.parametrize("name", OK_CASES)
def test_generated_yaml_is_byte_identical(built: dict[str, tuple[Path, Built]], name: str) -> None:
    if name in ("files-and-keys", "env-files"):
        pytest.skip("yamlio escapes text after a leading BOM differently (the object test covers these)")
    root, ref = built[name]
    assert dump_documents(build(root)) == ref.stdout


@pytest.mark.parametrize("name", ERROR_CASES)
def test_errors_where_kustomize_errors(built: dict[str, tuple[Path, Built]], name: str) -> None:
    root, ref = built[name]
    assert ref.returncode != 0, f"kustomize accepted {name}:\n{ref.stdout}"
    with pytest.raises(KustomizeError) as info:
        build(root)
    assert info.value.field == CASES[name].error_field, str(info.value)
    assert info.value.file is not None and info.value.file.endswith("kustomization.yaml")
