"""Reading documents: encodings, .docx, .pdf, and every kind of bad file."""

import os
import zipfile
from pathlib import Path

import docx
import pytest

from geoapp.errors import IngestError
from geoapp.ingest.reader import MAX_BYTES, read_document

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "004_c8348abb5d8ded36.txt"
TEXT = SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_text_in_every_common_chinese_encoding_reads_the_same(tmp_path, encoding):
    path = tmp_path / f"doc-{encoding}.txt"
    path.write_bytes(TEXT.encode(encoding, errors="strict"))
    doc = read_document(path)
    assert doc.text == TEXT.replace("\r\n", "\n")
    assert doc.encoding in (encoding, "gb18030")  # GBK is decoded as its superset GB18030
    assert len(doc.sha256) == 64


def test_docx_paragraphs_and_tables(tmp_path):
    d = docx.Document()
    d.add_paragraph("开州区推动建设行动方案")
    d.add_paragraph("一、总体要求")
    d.add_paragraph("加快建设汉丰湖国家湿地公园，完工渝西、成达万高铁。")
    table = d.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["序号", "项目名称", "总投资（万元）"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "开州港区白家溪作业区", "52000"], strict=True):
        cell.text = text
    path = tmp_path / "plan.docx"
    d.save(path)
    doc = read_document(path)
    assert doc.encoding == "docx"
    assert "完工渝西、成达万高铁" in doc.text
    assert "\t开州港区白家溪作业区" in doc.text  # table cells become tab-indented lines


def test_pdf_with_a_text_layer(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": ["Noto Sans CJK SC"], "pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8, 3))
        fig.text(0.05, 0.5, "忠县推动建设行动方案\n一、总体要求\n加快建设新生港物流园区。", fontsize=12)
        path = tmp_path / "plan.pdf"
        fig.savefig(path)
        plt.close(fig)
    doc = read_document(path)
    assert doc.encoding == "pdf"
    assert "加快建设新生港物流园区" in doc.text


def _pdf_without_text(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(3, 3))
    fig.figimage(np.random.default_rng(0).random((50, 50)))
    fig.savefig(path)
    plt.close(fig)


def test_every_bad_file_gets_one_clear_reason(tmp_path):
    cases = {}
    cases["empty.txt"] = b""
    cases["binary.bin"] = bytes(range(256)) * 40
    cases["random.txt"] = bytes((i * 7919) % 128 + 128 for i in range(5000))
    cases["english.txt"] = b"This is not a Chinese planning document. " * 20
    good = tmp_path / "good.docx"
    d = docx.Document()
    d.add_paragraph("加快建设新生港")
    d.save(good)
    cases["truncated.docx"] = good.read_bytes()[:300]
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    _pdf_without_text(tmp_path / "scan.pdf")
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:  # a sparse 50 MB file: rejected before it is read
        fh.truncate(50 * 1024 * 1024)
    expected = {
        "empty.txt": "empty file",
        "binary.bin": "binary file",
        "random.txt": "unknown text encoding",
        "english.txt": "no Chinese text",
        "truncated.docx": "damaged or truncated .docx",
        "scan.pdf": "no text layer",
        "huge.txt": "file too large",
        "missing.txt": "no such file",
    }
    for name, reason in expected.items():
        with pytest.raises(IngestError) as info:
            read_document(tmp_path / name)
        message = str(info.value)
        assert reason in message, (name, message)
        assert "\n" not in message


def test_size_limit_is_generous_for_real_documents():
    assert MAX_BYTES >= 10 * 1024 * 1024
    assert max(os.path.getsize(p) for p in (ROOT / "seeds").iterdir()) < MAX_BYTES


def test_docx_is_a_zip_we_do_not_trust_blindly(tmp_path):
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a word document")
    with pytest.raises(IngestError, match="docx"):
        read_document(path)
