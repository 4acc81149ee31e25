"""`stackctl validate`: the render's custom resources checked against the CRDs they will meet.

A render can build cleanly and still fail on the cluster: a CR in an apiVersion the operator no longer
serves, a field the CRD does not have, a Certificate naming an issuer that is not there. These checks catch
that offline, on exactly the objects Argo CD would apply. `validate(objects, extra_crds)` is pure (core.py);
`inputs` reads the render and CRD folders; `report` formats text and JSON.
"""

from stackctl.validate.core import Report, check, validate
from stackctl.validate.findings import Finding, ObjectRef, Severity

__all__ = ["Finding", "ObjectRef", "Report", "Severity", "check", "validate"]
