"""KML and KMZ downloads styled like the map.

GDAL writes the features (geometry, ``<name>``, ``<description>``, the attributes as
``SchemaData``); :func:`style_kml` then gives the document one shared ``<Style>`` per
category — the style table's colour for points, lines and polygon outlines — and every
Placemark a ``<styleUrl>`` to it, in place of GDAL's own per-feature red line style.
A KMZ (:func:`write_kmz`) is the same KML as ``doc.kml`` plus one PNG per category:
the legend's Font Awesome icon, white on the category's colour, drawn from the
vendored font (nothing is fetched; a plain KML has the colours, not the pictures).

The description is the project's category and status and the precision in words
(IATI code, e.g. "位置仅精确到区县") with the location note. Google Earth shows
descriptions as HTML, so the text is HTML-escaped before GDAL XML-escapes it:
document text can never become markup in a balloon.

>>> kml_color("#1f77b4")
'ffb4771f'
>>> glyph("road")
'\\uf018'
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from geoapp.catalog.style import Style, vocabulary
from geoapp.settings import STATIC_DIR

__all__ = [
    "PLACE_STYLE",
    "kml_color",
    "glyph",
    "icon_png",
    "style_for",
    "describe_feature",
    "style_kml",
    "write_kmz",
]

KML_NS = "http://www.opengis.net/kml/2.2"
FONT_AWESOME = STATIC_DIR / "vendor" / "fontawesome-free-6.2.0"
#: gazetteer places whose subtype belongs to no category (townships, villages, counties)
PLACE_STYLE = Style("category", "place", "地名", "Place", "#555555", "location-dot", "", 0, 99)
_ICON_PX = 64


def kml_color(hex_rgb: str, alpha: int = 0xFF) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha:02x}{b}{g}{r}".lower()


@cache
def _glyphs() -> dict[str, str]:
    """Font Awesome icon name → character, read from the vendored style sheet."""
    css = (FONT_AWESOME / "css" / "all.min.css").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for selectors, code in re.findall(r'((?:\.fa-[\w-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}', css):
        for name in re.findall(r"\.fa-([\w-]+):before", selectors):
            out.setdefault(name, chr(int(code, 16)))
    return out


def glyph(name: str) -> str:
    """The character of Font Awesome icon ``name`` (a dot for an unknown name)."""
    return _glyphs().get(name, _glyphs()["circle"])


@cache
def icon_png(style: Style) -> bytes:
    """The legend's icon for ``style``: its glyph in white on a disc of its colour, as PNG."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGBA", (_ICON_PX, _ICON_PX), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((2, 2, _ICON_PX - 3, _ICON_PX - 3), fill=style.color, outline="white", width=4)
    font = ImageFont.truetype(str(FONT_AWESOME / "webfonts" / "fa-solid-900.ttf"), int(_ICON_PX * 0.5))
    draw.text((_ICON_PX / 2, _ICON_PX / 2), glyph(style.icon), font=font, fill="white", anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def style_for(props: dict[str, Any]) -> Style:
    """The category style of a feature: a project's category; a place's through its subtype."""
    categories = vocabulary()["category"]
    if props.get("category") in categories:
        return categories[props["category"]]
    # the style table ties each subtype to a category (a reservoir is water)
    sub = vocabulary()["subtype"].get(props.get("subtype") or "")
    row_category = _subtype_categories().get(sub.code) if sub else None
    return categories.get(row_category or "", PLACE_STYLE)


@cache
def _subtype_categories() -> dict[str, str]:
    import csv

    from geoapp.catalog.style import VOCABULARY

    with open(VOCABULARY, encoding="utf-8", newline="") as fh:
        return {
            r["code"]: r["category"] for r in csv.DictReader(fh) if r["kind"] == "subtype" and r["category"]
        }


def describe_feature(props: dict[str, Any]) -> str:
    """The balloon text: category · status, then the precision in words and the location note.
    HTML-escaped (Google Earth renders descriptions as HTML); lines end with ``<br>``."""
    head = " · ".join(
        str(props[k]) for k in ("category_label", "subtype_label", "status_label", "kind") if props.get(k)
    )
    precision = props.get("precision")
    lines = [
        head,
        f"位置精度 Precision {precision}: {props.get('precision_text') or ''}"
        if precision is not None
        else "",
        str(props.get("location_note") or ""),
    ]
    return "<br>".join(html.escape(line) for line in lines if line)


def _style_element(etree, style: Style, kmz: bool):
    el = etree.Element(f"{{{KML_NS}}}Style", id=f"cat-{style.code}")
    icon_style = etree.SubElement(el, f"{{{KML_NS}}}IconStyle")
    etree.SubElement(icon_style, f"{{{KML_NS}}}color").text = "ffffffff" if kmz else kml_color(style.color)
    if kmz:  # the picture carries the colour; a KML without pictures tints the viewer's pin
        icon = etree.SubElement(icon_style, f"{{{KML_NS}}}Icon")
        etree.SubElement(icon, f"{{{KML_NS}}}href").text = f"icons/{style.code}.png"
    label = etree.SubElement(el, f"{{{KML_NS}}}LabelStyle")
    etree.SubElement(label, f"{{{KML_NS}}}scale").text = "0.8"
    line = etree.SubElement(el, f"{{{KML_NS}}}LineStyle")
    etree.SubElement(line, f"{{{KML_NS}}}color").text = kml_color(style.color)
    etree.SubElement(line, f"{{{KML_NS}}}width").text = "3"
    poly = etree.SubElement(el, f"{{{KML_NS}}}PolyStyle")
    etree.SubElement(poly, f"{{{KML_NS}}}color").text = kml_color(style.color, 0x40)
    return el


def style_kml(path: Path, *, kmz: bool = False) -> list[Style]:
    """Rewrite GDAL's KML at ``path`` with one shared style per category; the styles used."""
    from lxml import etree

    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, huge_tree=True))
    ns = {"k": KML_NS}
    used: dict[str, Style] = {}
    for placemark in tree.iterfind(".//k:Placemark", ns):
        props = {d.get("name"): d.text for d in placemark.iterfind(".//k:SimpleData", ns)}
        style = style_for(props)
        used.setdefault(style.code, style)
        for inline in placemark.findall("k:Style", ns):  # GDAL's default red line
            placemark.remove(inline)
        url = etree.Element(f"{{{KML_NS}}}styleUrl")
        url.text = f"#cat-{style.code}"
        anchor = placemark.find("k:description", ns)
        if anchor is None:
            anchor = placemark.find("k:name", ns)
        if anchor is None:
            placemark.insert(0, url)
        else:
            anchor.addnext(url)
    document = tree.find("k:Document", ns)
    for style in reversed(sorted(used.values(), key=lambda s: s.order)):
        document.insert(0, _style_element(etree, style, kmz))
    tree.write(str(path), xml_declaration=True, encoding="utf-8")
    return list(used.values())


def write_kmz(kml: Path, styles: list[Style], path: Path) -> None:
    """``doc.kml`` (first, as KMZ readers expect) and the category icons, zipped to ``path``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(kml, "doc.kml")
        for style in styles:
            zf.writestr(f"icons/{style.code}.png", icon_png(style))
