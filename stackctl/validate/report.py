"""The two output formats of `stackctl validate`, as text from a `Report` (printing is the CLI's).

Text: one line per finding, then a summary line:
    <severity>: [<source>: ]<Kind>/<namespace>/<name> (<apiVersion>): [<field>: ]<message>[ (hint: <hint>)]
    <E> errors, <W> warnings: <C> custom resources checked against <D> CRDs (<N> objects)

JSON (`-o json`), one document, keys always present (null when unknown), findings in render order:
    {
      "apiVersion": "stackctl.validate/v1",
      "kind": "ValidationReport",
      "path": "<the kustomization built>",
      "summary": {"errors": E, "warnings": W, "objects": N, "customResources": C, "crds": D},
      "findings": [
        {"severity": "error" | "warning", "code": "<check>",
         "object": {"apiVersion": ..., "kind": ..., "namespace": ... | null, "name": ...},
         "field": "spec.issuerRef.name" | null, "message": ..., "hint": ... | null, "source": ... | null}
      ]
    }
Codes: missing-crd, unserved-version, deprecated-version, invalid-crd, metadata, cluster-scoped-namespace,
unknown-field, schema, missing-issuer, missing-secret-store, missing-replication, not-selected,
missing-namespace.
"""

from __future__ import annotations

import json

from stackctl.validate.core import Report
from stackctl.validate.findings import Finding

REPORT_API_VERSION = "stackctl.validate/v1"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def finding_line(finding: Finding) -> str:
    parts = [f"{finding.severity.value}: "]
    if finding.source:
        parts.append(f"{finding.source}: ")
    parts.append(f"{finding.object.display} ({finding.object.api_version}): ")
    if finding.field:
        parts.append(f"{finding.field}: ")
    parts.append(finding.message)
    if finding.hint:
        parts.append(f" (hint: {finding.hint})")
    return "".join(parts)


def summary_line(report: Report) -> str:
    return (
        f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}: "
        f"{_plural(report.custom_resources, 'custom resource')} checked against "
        f"{_plural(report.crds, 'CRD')} ({_plural(report.objects, 'object')})"
    )


def to_text(report: Report) -> str:
    return "".join(f"{finding_line(f)}\n" for f in report.findings) + summary_line(report) + "\n"


def to_json(report: Report, path: str) -> str:
    doc = {
        "apiVersion": REPORT_API_VERSION,
        "kind": "ValidationReport",
        "path": path,
        "summary": {
            "errors": report.errors,
            "warnings": report.warnings,
            "objects": report.objects,
            "customResources": report.custom_resources,
            "crds": report.crds,
        },
        "findings": [f.to_json() for f in report.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
