"""The five operators of the stack as validated, typed data (see operators.yaml beside this file).

One source for what the OLM bundle builder, the apply planner and `stackctl vendor` need to know about each
operator: package, versions and upgrade graph, channels, namespace, images, owned CRDs, CSV metadata,
readiness rules and the upstream release files to vendor.

    catalog = load_catalog()
    catalog.operator("cert-manager").pinned.images
    catalog.owner("cert-manager.io", "Certificate").package
"""

from __future__ import annotations

from stackctl.catalog.model import (
    CAPABILITY_LEVELS,
    CATEGORIES,
    Catalog,
    CatalogError,
    Channel,
    ChildCheck,
    ConditionMatch,
    ConditionsCheck,
    CsvMetadata,
    FieldCheck,
    Icon,
    Image,
    Link,
    Maintainer,
    Operator,
    OperatorVersion,
    OwnedCrd,
    Provider,
    ReadinessRule,
    UpstreamFile,
    Workload,
    WorkloadCheck,
)
from stackctl.catalog.parse import load_catalog, load_catalog_file, parse_catalog, parse_version

__all__ = [
    "CAPABILITY_LEVELS",
    "CATEGORIES",
    "Catalog",
    "CatalogError",
    "Channel",
    "ChildCheck",
    "ConditionMatch",
    "ConditionsCheck",
    "CsvMetadata",
    "FieldCheck",
    "Icon",
    "Image",
    "Link",
    "Maintainer",
    "Operator",
    "OperatorVersion",
    "OwnedCrd",
    "Provider",
    "ReadinessRule",
    "UpstreamFile",
    "Workload",
    "WorkloadCheck",
    "load_catalog",
    "load_catalog_file",
    "parse_catalog",
    "parse_version",
]
