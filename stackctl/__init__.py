"""stackctl: render, bundle and apply a GitOps operator stack exactly as kustomize and Argo CD see it."""

__version__ = "0.1.0"
