"""What the extractor finds: a :class:`Candidate` — a project or place named at a span of
the document text, with what its words say (kind, category, subtype, geometry, status).

Contract: a candidate is a plain record; placing it is :mod:`geoapp.ingest.locate`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geoapp.ingest.structure import Sentence

__all__ = ["Candidate"]


@dataclass
class Candidate:
    """A project or place named at ``start:end`` of the document text."""

    name: str
    surface: str
    start: int
    end: int
    kind: str  # project | place
    sentence: str
    sentence_start: int
    subtype: str = "other"
    category: str = "urban"
    geometry_hint: str = "point"
    status: str = "mentioned"
    status_phrase: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    group: str = ""
    entry_ids: tuple[str, ...] = ()
    from_table: bool = False

    @classmethod
    def at(cls, sentence: Sentence, start: int, surface: str, name: str | None = None, **fields) -> Candidate:
        """A candidate for ``surface`` found at ``start`` inside ``sentence``."""
        return cls(
            name=name or surface,
            surface=surface,
            start=start,
            end=start + len(surface),
            sentence=sentence.text.strip(),
            sentence_start=sentence.start,
            **fields,
        )
