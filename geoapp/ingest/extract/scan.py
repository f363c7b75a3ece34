"""Reading one sentence: its tokens, and the :class:`SentenceScanner` every rule of the
prose extractor works on.

A sentence is cut into *tokens*: chunks of name material, separated by punctuation (outside
brackets), verbs and function words (``geoapp/data/verbs.csv``, ``function_words.csv``).
Facility suffixes win over verbs that overlap them (开发区 is a suffix, not 开发 + 区).

Contract: a :class:`SentenceScanner` holds the sentence, its tokens, the gazetteer, the
vocabulary and a position (the token being read); :meth:`SentenceScanner.at` gives the same
scanner at another position. It reads, it never changes the tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gazetteer import Gazetteer
from geoapp.ingest.extract.candidate import Candidate
from geoapp.ingest.extract.chars import BREAKS, CLAUSE_END, CLOSE, LIST_MARK, OPEN, SENTENCE_END
from geoapp.ingest.extract.names import classify
from geoapp.ingest.structure import Sentence
from geoapp.ingest.vocab import Suffix, Vocabulary

__all__ = ["Token", "tokenize", "SentenceScanner"]


@dataclass
class Token:
    start: int
    end: int
    text: str
    kind: str  # chunk | verb | function | punct
    status: str = ""
    position: str = ""


def _word_at(sentence: str, i: int, vocab: Vocabulary) -> tuple[str, str]:
    """The longest verb, function word or suffix starting at ``i``, and which it is
    ("suffix" | "verb" | "function"), or ("", "")."""
    for length in vocab.word_lengths.get(sentence[i], ()):
        if length > len(sentence) - i:
            continue
        word = sentence[i : i + length]
        if word in vocab.suffixes and length > 1:
            return word, "suffix"
        if word in vocab.verbs:
            return word, "verb"
        if word in vocab.function_words:
            return word, "function"
    return "", ""


def tokenize(sentence: str, offset: int, vocab: Vocabulary) -> list[Token]:
    """The tokens of ``sentence`` (which starts at ``offset`` of the document)."""
    tokens: list[Token] = []
    chunk_start: int | None = None
    depth = 0  # inside brackets or quotes, nothing cuts a chunk
    i = 0

    def close_chunk(at: int) -> None:
        nonlocal chunk_start
        if chunk_start is not None and at > chunk_start:
            tokens.append(Token(offset + chunk_start, offset + at, sentence[chunk_start:at], "chunk"))
        chunk_start = None

    while i < len(sentence):
        c = sentence[i]
        if c in OPEN:
            depth += 1
        elif c in CLOSE and depth:
            depth -= 1
        if depth == 0 and c in BREAKS:
            close_chunk(i)
            tokens.append(Token(offset + i, offset + i + 1, c, "punct"))
            i += 1
            continue
        word, kind = _word_at(sentence, i, vocab) if c in vocab.word_lengths else ("", "")
        if kind in ("verb", "function") and depth == 0:
            close_chunk(i)
            status, position = vocab.verbs.get(word, ("", ""))
            tokens.append(Token(offset + i, offset + i + len(word), word, kind, status, position))
            i += len(word)
            continue
        if chunk_start is None:
            chunk_start = i
        i += len(word) if kind == "suffix" else 1  # a suffix is name material
    close_chunk(len(sentence))
    return tokens


@dataclass(slots=True)
class SentenceScanner:
    """One sentence being read, at the token ``index``."""

    sentence: Sentence
    tokens: list[Token]
    gazetteer: Gazetteer
    vocab: Vocabulary
    index: int = 0

    @classmethod
    def read(cls, sentence: Sentence, gazetteer: Gazetteer, vocab: Vocabulary) -> SentenceScanner:
        return cls(sentence, tokenize(sentence.text, sentence.start, vocab), gazetteer, vocab)

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def at(self, index: int) -> SentenceScanner:
        """The same sentence, read at token ``index``."""
        return SentenceScanner(self.sentence, self.tokens, self.gazetteer, self.vocab, index)

    def chunks(self) -> Iterator[SentenceScanner]:
        """The scanner at each chunk of the sentence, in order."""
        for i, tok in enumerate(self.tokens):
            if tok.kind == "chunk":
                yield self.at(i)

    def after_list_mark(self) -> bool:
        """Is the token an item after the first of a list (…、X)?"""
        return self.index > 0 and self.tokens[self.index - 1].text == LIST_MARK

    def before_list_mark(self) -> bool:
        """Is the token followed by the list mark (X、…)?"""
        nxt = self.tokens[self.index + 1] if self.index + 1 < len(self.tokens) else None
        return nxt is not None and nxt.kind == "punct" and nxt.text == LIST_MARK

    def text_at(self, start: int, length: int) -> str:
        """The sentence's text at document offset ``start``."""
        offset = start - self.sentence.start
        return self.sentence.text[offset : offset + length]

    def status(self) -> tuple[str, str | None]:
        """Status of the token: a cue after it in the same clause (…等项目前期工作) wins;
        else the nearest verb before it in the sentence."""
        for tok in self.tokens[self.index + 1 :]:
            if tok.kind == "punct" and tok.text in CLAUSE_END:
                break
            if tok.kind == "verb" and tok.position in ("after", "both") and tok.status:
                return tok.status, tok.text
        for tok in reversed(self.tokens[: self.index]):
            if tok.kind == "punct" and tok.text in SENTENCE_END:
                break
            if tok.kind == "verb" and tok.position in ("before", "both") and tok.status:
                return tok.status, tok.text
        return "mentioned", None

    def project(self, start: int, surface: str, name: str, suffix: Suffix | None) -> Candidate:
        """A project candidate, classified from its name and given the status its sentence says."""
        category, subtype, geom = classify(name, suffix, self.vocab)
        status, phrase = self.status()
        return Candidate.at(
            self.sentence,
            start,
            surface,
            name,
            kind="project",
            subtype=subtype,
            category=category,
            geometry_hint=geom,
            status=status,
            status_phrase=phrase,
        )
