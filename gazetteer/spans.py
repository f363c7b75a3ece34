"""Finding known names in running text (:meth:`find_names`): every span of a sentence that is a
gazetteer name, longest first, for the extraction to build on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from gazetteer.layers import is_layer_id
from gazetteer.model import Entry

__all__ = ["NameFinding", "NameSpan"]


def _without_short_layer_names(span: NameSpan) -> NameSpan | None:
    """Inside a longer name, a layer's two-character name (a shop, a stop) is too weak a clue."""
    if span.end - span.start >= 3:
        return span
    entries = tuple(e for e in span.entries if not is_layer_id(e.id))
    return NameSpan(span.start, span.end, span.text, entries) if entries else None


@dataclass(frozen=True)
class NameSpan:
    """A known name found in running text."""

    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]


class NameFinding:
    """Methods of :class:`gazetteer.resolver.Gazetteer` (a mixin: ``self`` is the gazetteer)."""

    # ------------------------------------------------------------------ running text
    def find_names(
        self, text: str, *, safe_only: bool = True, kinds: Iterable[str] | None = None
    ) -> list[NameSpan]:
        """Known names in ``text``, longest first, not overlapping.

        With ``safe_only`` (for running text) only names that cannot be ordinary
        words are used: full names and aliases, and short names of counties and
        cities (``开州``), not bare township stems (``新生``, ``黄金``).
        """
        kinds = set(kinds) if kinds else None
        n = len(text)
        taken = [False] * n
        spans: list[NameSpan] = []
        candidates: list[tuple[int, int, tuple[Entry, ...]]] = []
        lengths_by_first = self._lengths_by_first
        for i in range(n):
            lengths = lengths_by_first.get(text[i])
            if not lengths:
                continue
            for length in lengths:
                if length > n - i:
                    continue
                key = text[i : i + length]
                if key in self._generic:
                    continue
                hits = self._lookup(key)
                if not hits:
                    continue
                entries = tuple(
                    e
                    for e, how in hits
                    if (kinds is None or e.kind in kinds) and (not safe_only or self._safe(e, key, how))
                )
                if entries:
                    candidates.append((i, i + length, entries))
                    break
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        for start, end, entries in candidates:
            if any(taken[start:end]):
                continue
            for k in range(start, end):
                taken[k] = True
            spans.append(NameSpan(start, end, text[start:end], entries))
        spans.sort(key=lambda s: s.start)
        return spans

    @cached_property
    def _lengths_by_first(self) -> dict[str, tuple[int, ...]]:
        """First character → the lengths of index keys starting with it, longest first."""
        out: dict[str, set[int]] = {}
        for key in self._index:
            out.setdefault(key[0], set()).add(len(key))
        for key in self.layers.keys if self.layers is not None else ():
            out.setdefault(key[0], set()).add(len(key))
        return {c: tuple(sorted(ls, reverse=True)) for c, ls in out.items()}
