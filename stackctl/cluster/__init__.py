"""Cluster access: the only package that imports the `kubernetes` client.

Everything that talks to an apiserver lives here (kubeconfig loading as kubectl does it, discovery, GET,
server-side apply with dryRun, waiting, retries) and every failure leaves it as a `StackctlError`, so the
planner stays pure and the CLI only prints.
"""
