"""OLM's version language: semantic versions and skipRange expressions, as blang/semver reads them.

OLM parses CSV versions, `minKubeVersion` and `olm.skipRange` with blang/semver (v4): a version may carry a
pre-release and build metadata (`1.19.0-0`), a range is comparators joined by spaces (all must hold) with
alternatives joined by `||`, and a comparator's version may be partial or use `x` wildcards (`>=1.2`,
`1.x`). The `semver` package parses and orders the versions; this module adds the range syntax, which
`semver` does not have in blang's form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import semver

_COMPARATOR = re.compile(r"(>=|<=|>|<|!=|==|=|!)?\s*v?([0-9xX*]+(?:\.[0-9xX*]+){0,2}(?:-[0-9A-Za-z.-]+)?)")


def parse(text: str) -> semver.Version:
    """A strict semantic version (`1.2.3`, `1.19.0-0`, `1.2.3+build`); ValueError otherwise."""
    return semver.Version.parse(text)


def is_semver(text: str) -> bool:
    try:
        parse(text)
    except (ValueError, TypeError):
        return False
    return True


def key(text: str) -> semver.Version:
    """Sort key for version strings already known to be valid."""
    return parse(text)


_OPS: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "==": lambda c: c == 0,
    "!=": lambda c: c != 0,
    "!": lambda c: c != 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
}


@dataclass(frozen=True)
class Comparator:
    op: str
    version: semver.Version

    def holds(self, v: semver.Version) -> bool:
        return _OPS[self.op](v.compare(self.version))


@dataclass(frozen=True)
class Range:
    """Alternatives (`||`) of conjunctions of comparators."""

    text: str
    alternatives: tuple[tuple[Comparator, ...], ...]

    def __contains__(self, version: object) -> bool:
        v = parse(version) if isinstance(version, str) else version
        if not isinstance(v, semver.Version):
            return False
        return any(all(c.holds(v) for c in conj) for conj in self.alternatives)


def _expand(op: str, text: str) -> list[Comparator]:
    """One comparator, with blang's wildcard and partial-version expansion (`1.x` is `>=1.0.0 <2.0.0`)."""
    core, dash, _ = text.partition("-")
    parts = core.split(".")
    wild = [p in ("x", "X", "*") for p in parts]
    if any(wild) or len(parts) < 3:
        if dash:
            raise ValueError(f"{text!r}: a wildcard version cannot carry a pre-release")
        fixed: list[int] = []
        for part, is_wild in zip(parts, wild, strict=True):
            if is_wild:
                break
            fixed.append(int(part))
        if len(fixed) == 0:
            if op in ("", "=", "==", ">=", "<="):
                return []  # any version
            raise ValueError(f"{text!r}: nothing to compare with")
        lower = semver.Version(*(fixed + [0] * (3 - len(fixed))))
        upper = lower.bump_major() if len(fixed) == 1 else lower.bump_minor()
        if op in ("", "=", "=="):
            return [Comparator(">=", lower), Comparator("<", upper)]
        if op in ("!=", "!"):
            raise ValueError(f"{text!r}: a wildcard cannot be excluded")
        if op in (">", "<="):
            return [Comparator(">=" if op == ">" else "<", upper)]
        return [Comparator(op, lower)]
    return [Comparator(op or "=", parse(text))]


def parse_range(text: str) -> Range:
    """A blang/semver range (`>=1.21.0 <1.21.1`, `>1.0.0 <2.0.0 || >=3.0.0`); ValueError if it is not one."""
    alternatives: list[tuple[Comparator, ...]] = []
    for alternative in text.split("||"):
        tokens = alternative.split()
        if not tokens:
            raise ValueError(f"{text!r} has an empty alternative")
        # blang allows a space between the operator and its version (`>= 1.0.0`): glue them back.
        glued: list[str] = []
        for token in tokens:
            if glued and glued[-1] in _OPS:
                glued[-1] += token
            else:
                glued.append(token)
        conj: list[Comparator] = []
        for token in glued:
            m = _COMPARATOR.fullmatch(token)
            if m is None:
                raise ValueError(f"{token!r} in {text!r} is not a comparator")
            try:
                conj.extend(_expand(m.group(1) or "", m.group(2)))
            except ValueError as exc:
                raise ValueError(f"{token!r} in {text!r} is not a comparator: {exc}") from None
        alternatives.append(tuple(conj))
    return Range(text, tuple(alternatives))
