"""A channel's upgrade graph, checked as `opm validate` checks it.

Entries are bundles (CSV names) with `replaces` and `skips` edges; `skipRange` adds no edge to the graph
opm walks. A channel needs exactly one head (an entry nothing replaces or skips), every entry must be
reached from the head along replaces (or be skipped by a reached entry), and the replaces chain must not
loop. The tail may replace a bundle outside the channel (an older release published elsewhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    name: str
    replaces: str | None = None
    skips: tuple[str, ...] = ()


def problems(entries: Sequence[Entry]) -> list[str]:
    """What is wrong with one channel's graph, as messages (empty: the graph is sound)."""
    out: list[str] = []
    names = [e.name for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        out.append(f"duplicate channel entries: {', '.join(dupes)}")
    by_name = {e.name: e for e in entries}
    incoming = {e.replaces for e in entries if e.replaces in by_name} | {
        s for e in entries for s in e.skips if s in by_name
    }
    heads = sorted(n for n in by_name if n not in incoming)
    if not heads:
        out.append("no channel head: every entry is replaced or skipped by another (the graph has a cycle)")
        return out
    if len(heads) > 1:
        out.append(f"multiple channel heads found in graph: {', '.join(heads)}")
    reached: set[str] = set()
    for head in heads:
        chain: list[str] = []
        current: str | None = head
        while current is not None and current in by_name:
            if current in chain:
                loop = [*chain[chain.index(current) :], current]
                out.append(f"the replaces chain has a cycle: {' -> '.join(loop)}")
                break
            chain.append(current)
            reached.add(current)
            reached.update(s for s in by_name[current].skips if s in by_name)
            current = by_name[current].replaces
    stranded = sorted(set(by_name) - reached)
    if stranded:
        out.append(f"channel contains one or more stranded bundles: {', '.join(stranded)}")
    return out


def head(entries: Sequence[Entry]) -> str | None:
    by_name = {e.name for e in entries}
    incoming = {e.replaces for e in entries} | {s for e in entries for s in e.skips}
    heads = sorted(n for n in by_name if n not in incoming)
    return heads[0] if len(heads) == 1 else None
