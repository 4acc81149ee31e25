"""A kustomize engine whose output is byte-identical to `kustomize build` (v5.8.1).

Argo CD builds this repo with the real kustomize, so what stackctl shows must be exactly that. The engine is
pure apart from `loader` (the only file reads): a kustomization tree goes in, a list of objects in
kustomize's output order comes out.
"""
