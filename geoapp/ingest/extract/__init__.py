"""Finding named works and places in a document.

Prose is cut into *chunks* at punctuation, verbs and function words (word lists
in ``geoapp/data``); a chunk that ends in a facility suffix (高铁, 水库, 产业园 …)
or carries a road code (G350) is a candidate project. Facility suffixes win over
verbs that overlap them (开发区 is a suffix, not 开发 + 区). Coordinated lists that
share one suffix (渝西、成达万高铁) are expanded when the bare names resolve in the
gazetteer. Towns, counties and named features are found by the gazetteer's
name scanner. Table rows of project annexes become candidates with their fields.

Contract: :func:`extract_candidates` returns every candidate of a document in text order
(by start, longer first); it reads the gazetteer and the word lists and changes nothing.

Reading order of the package:

- :mod:`.candidate` — what is found (:class:`Candidate`);
- :mod:`.chars` — the punctuation and digits rules are written with (words are data);
- :mod:`.names` — judging a name on its own (suffix, work words, specific or generic);
- :mod:`.scan` — tokens, and the :class:`~.scan.SentenceScanner` the prose rules work on;
- :mod:`.chunks` — one chunk → its projects;
- :mod:`.lists` — lists sharing a tail, an area or a count;
- :mod:`.places` — places named in passing, by short names, at a route's ends;
- :mod:`.prose` — the walk through each sentence;
- :mod:`.tables` — project tables and the other cells.
"""

from __future__ import annotations

from gazetteer import Gazetteer
from geoapp.ingest.extract.candidate import Candidate
from geoapp.ingest.extract.names import clean_name
from geoapp.ingest.extract.places import ShortPlaces, place_candidates
from geoapp.ingest.extract.prose import prose_candidates
from geoapp.ingest.extract.tables import table_candidates, table_sentences
from geoapp.ingest.structure import Structure
from geoapp.ingest.vocab import vocabulary

__all__ = ["Candidate", "extract_candidates", "clean_name"]


def extract_candidates(structure: Structure, gazetteer: Gazetteer, own_county: str | None) -> list[Candidate]:
    """Every candidate project and place of a document, in text order."""
    vocab = vocabulary()
    county = gazetteer.get(f"adm:{own_county}") if own_county else None
    places = ShortPlaces(gazetteer, county)
    sentences = structure.sentences + table_sentences(structure)
    found = table_candidates(structure, vocab, gazetteer)
    found += prose_candidates(sentences, gazetteer, vocab, places)
    for cand in list(found):
        if cand.kind == "project":
            found.extend(places.endpoints(cand))
    projects = [(c.start, c.end) for c in found if c.kind == "project" and not c.from_table]
    for place in place_candidates(sentences, gazetteer, own_county, vocab):
        # A place name inside a project name is still a place (磨子 in 磨子竹山村公路),
        # but a feature that *is* the project's name is the project.
        same = any(place.start == s and place.end == e for s, e in projects)
        if not same:
            found.append(place)
    found.sort(key=lambda c: (c.start, -c.end))
    return found
