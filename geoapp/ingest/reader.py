"""Reading a document file into text: encodings, .docx, text-layer .pdf.

Every failure is an :class:`~geoapp.errors.IngestError` whose message names the
reason in one line (the caller adds the file name).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from geoapp.errors import IngestError
from geoapp.ingest.script import halfwidth, to_simplified

__all__ = ["RawDocument", "read_document", "MAX_BYTES", "decode_text"]

#: Largest file accepted. Planning documents are a few hundred KB; anything far
#: larger is a mistake (a data dump, an archive) and would only fill memory.
MAX_BYTES = 20 * 1024 * 1024

# Artefacts of .docx → text conversion (pandoc-style bookmarks) carry no content.
_ARTEFACTS = re.compile(r"\[bookmark: [^\]]*\]")
# Characters that carry no text but can hide or reorder it: C0/C1 controls (NUL cannot even
# be stored in PostgreSQL; most are invalid in XML/KML), zero-width characters and BOMs
# (they split names: 忠县\u200b水库 would match nothing), and the bidirectional embedding,
# override and isolate controls (they make a name display as something else).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@dataclass(frozen=True)
class RawDocument:
    path: Path
    text: str
    sha256: str
    encoding: str
    size: int


def _text_quality(text: str) -> float:
    """Share of characters that are ordinary text (CJK, letters, digits, punctuation, spaces)."""
    if not text:
        return 0.0
    good = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return good / len(text)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode document bytes: UTF-8 (with or without BOM), else GB18030/GBK, else a detected encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _text_quality(text) > 0.98 and _cjk_share(text) > 0.05:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and _text_quality(str(best)) > 0.98:
        return str(best), best.encoding
    raise IngestError("unknown text encoding (not UTF-8, GB18030/GBK or another detectable one)")


def _cjk_share(text: str) -> float:
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff") / max(1, len(text))


def _read_docx(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"damaged or truncated .docx ({type(exc).__name__})") from None
    except Exception as exc:  # python-docx raises a few different things on bad XML
        raise IngestError(f"unreadable .docx ({type(exc).__name__}: {str(exc)[:80]})") from None
    lines: list[str] = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.append("")
        for row in table.rows:
            lines.extend("\t" + cell.text.replace("\n", " ") for cell in row.cells)
            lines.append("")
    return "\n".join(lines)


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise IngestError(f"damaged PDF ({type(exc).__name__})") from None
    text = "\n".join(pages)
    if len(text.strip()) < 20:
        raise IngestError("the PDF has no text layer (a scan?): run OCR first")
    return text


def read_document(path: Path) -> RawDocument:
    """Read and decode ``path``; raise :class:`IngestError` with the reason if it is not a document."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise IngestError("no such file") from None
    except OSError as exc:
        raise IngestError(f"cannot read the file ({exc.strerror})") from None
    if path.is_dir():
        raise IngestError("is a directory, not a document")
    if size == 0:
        raise IngestError("empty file")
    if size > MAX_BYTES:
        raise IngestError(f"file too large ({size / 1048576:.0f} MB; at most {MAX_BYTES // 1048576} MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read the file ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix == ".docx":
        text, encoding = _read_docx(data), "docx"
    elif data.startswith(b"%PDF") or suffix == ".pdf":
        text, encoding = _read_pdf(data), "pdf"
    else:
        # Binary formats are full of NUL bytes; a text with a stray NUL (or a hostile one)
        # is still text, and the NUL is dropped below with the other invisible characters.
        if data[:4096].count(b"\x00") > 4 and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            raise IngestError("binary file, not a text document")
        text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", _ARTEFACTS.sub("", text))
    # One script for the rules, offsets unchanged (see geoapp.ingest.script).
    text, converted = to_simplified(halfwidth(text))
    if converted:
        encoding += "+t2s"
    if not text.strip():
        raise IngestError("the document has no text")
    if _cjk_share(text) < 0.02:
        raise IngestError("no Chinese text found: not a planning document this service can read")
    return RawDocument(path, text, hashlib.sha256(data).hexdigest(), encoding, size)
