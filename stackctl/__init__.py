"""stackctl: render, bundle and apply a GitOps operator stack exactly as kustomize and Argo CD see it."""

from pathlib import Path

__version__ = "0.1.0"

DEFAULT_ENV = Path("overlays/envs/dev")
"""The default environment: what render, validate, diff and apply build when given no PATH."""
