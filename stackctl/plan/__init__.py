"""The apply planner: pure functions from rendered (and live) objects to ordered waves and diffs.

Nothing here talks to a cluster: live objects come in as data from `stackctl.cluster`, so the ordering,
health rules, normalisation and Secret masking are unit-tested without one, and the same waves can later
feed Argo CD's sync waves.
"""
