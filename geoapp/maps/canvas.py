"""What every part of a report map is drawn with: the page layout, the CJK font, the sizes
and colours, shapes turned into matplotlib paths, and :class:`Canvas` (figure, axes, layout,
content, what is in the way of labels, facts about what was drawn).

Sizes are designed for the page: every font size and line width is what it measures when
the image is printed at A4 text width (170 mm), multiplied by ``scale`` — so a 1600-px and a
4000-px image of the same view look alike and both stay readable on paper.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import shapely
from matplotlib import font_manager, patheffects
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from geoapp.errors import ConfigError
from geoapp.maps.frame import MapContent

__all__ = [
    "Canvas",
    "Layout",
    "layout",
    "scale_bar_length",
    "ensure_cjk_font",
    "printable",
    "printable_content",
    "CJK_FONT",
    "corrected_marker",
]

CJK_FONT = "Noto Sans CJK SC"
#: A4 text width in inches: the design size of every map element
DESIGN_WIDTH_IN = 6.7
DESIGN_HEIGHT_IN = 4.6

_RC = {
    "font.family": [CJK_FONT],
    "axes.unicode_minus": False,  # the CJK font has no U+2212
    "lines.scale_dashes": False,  # dash lengths are given in points already
    "svg.hashsalt": "geoapp",  # stable element ids → byte-identical SVG
    "svg.fonttype": "path",  # no fonts needed where the SVG is opened
    "pdf.fonttype": 3,  # subset outlines; Type 42 cannot subset the CFF-based Noto CJK quickly
    "hatch.linewidth": 0.6,
    "path.simplify": True,
    # Names and titles come from documents and requests: "$…$" in them is text, not TeX.
    "text.parse_math": False,
}
_METADATA = {
    "png": {"Software": "geoapp"},
    "svg": {"Date": None, "Creator": "geoapp"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "geoapp", "Producer": "geoapp"},
}

# matplotlib keeps global state (rcParams, font and text-layout caches): one figure at a time.
_LOCK = threading.Lock()

_HALO = "#ffffff"
_BACKGROUND = "#f3f3f1"
_NEIGHBOUR_FACE, _NEIGHBOUR_EDGE = "#e2e2e0", "#b0b0ad"
_FOCUS_FACE, _FOCUS_EDGE = "#fffdf6", "#2b2b2b"
_TOWN = "#5a5a5a"
_RIVER, _RIVER_TEXT = "#5aa9e6", "#1f6fae"
_HATCH = "#a5a5a5"
_CORRIDOR_FACE, _CORRIDOR_EDGE = "#fff1b8", "#c8a200"
_STATUS_GREY = "#555555"
#: a person corrected it (人工校正): a square frame at its marker, a halo or outline on its shape
_CORRECTED = "#d6336c"


@dataclass(frozen=True)
class Layout:
    """Figure geometry in inches; ``scale`` turns design sizes into figure sizes."""

    width: float
    height: float
    scale: float
    portrait: bool
    map_rect: tuple[float, float, float, float]  # x, y, w, h
    legend_rect: tuple[float, float, float, float]
    title_y: float
    footer_y: float


def layout(width_px: int, height_px: int, dpi: int) -> Layout:
    """Where the map, legend, title and footer go for an image of this size."""
    w, h = width_px / dpi, height_px / dpi
    s = min(w / DESIGN_WIDTH_IN, h / DESIGN_HEIGHT_IN)
    pad, title_h, footer_h = 0.12 * s, 0.52 * s, 0.36 * s
    portrait = h > w * 1.05
    top = h - pad - title_h
    bottom = pad + footer_h
    if portrait:
        legend_h = min(1.55 * s, (top - bottom) * 0.4)
        map_rect = (pad, bottom + legend_h + 0.08 * s, w - 2 * pad, top - bottom - legend_h - 0.08 * s)
        legend_rect = (pad, bottom, w - 2 * pad, legend_h)
    else:
        legend_w = min(1.62 * s, w * 0.34)
        map_rect = (pad, bottom, w - 2 * pad - legend_w - 0.1 * s, top - bottom)
        legend_rect = (w - pad - legend_w, bottom, legend_w, top - bottom)
    return Layout(w, h, s, portrait, map_rect, legend_rect, h - pad, pad)


def scale_bar_length(view_width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) near a fifth of the view."""
    target = view_width_m / 5
    exp = 10 ** math.floor(math.log10(target))
    return max(n * exp for n in (1, 2, 5) if n * exp <= target)


def ensure_cjk_font() -> str:
    """The path of the CJK font; registers it when matplotlib's font cache predates its install."""
    try:
        return font_manager.findfont(CJK_FONT, fallback_to_default=False)
    except ValueError:
        pass
    import glob

    for path in sorted(glob.glob("/usr/share/fonts/**/NotoSansCJK*.tt[cf]", recursive=True)):
        font_manager.fontManager.addfont(path)
    try:
        return font_manager.findfont(CJK_FONT, fallback_to_default=False)
    except ValueError:
        raise ConfigError(
            f"the font {CJK_FONT!r} is missing: install it with `apt-get install fonts-noto-cjk`"
        ) from None


@cache
def _font_chars() -> frozenset[int]:
    return frozenset(font_manager.get_font(ensure_cjk_font()).get_charmap())


def printable(text: str) -> str:
    """``text`` with every character the CJK font lacks (an emoji in a title, a rare ideograph in a
    name) shown as □ — visibly, instead of an empty box and a "Glyph … missing" warning."""
    chars = _font_chars()
    return "".join(ch if ord(ch) in chars or ch in "\n\t" else "□" for ch in text)


def printable_content(content: MapContent) -> MapContent:
    p = printable
    return replace(
        content,
        title=p(content.title),
        subtitle=p(content.subtitle),
        notes=[p(n) for n in content.notes],
        footer=[p(x) for x in content.footer],
        marks=[replace(m, name=p(m.name)) for m in content.marks],
        counties=[replace(x, name=p(x.name)) for x in content.counties],
        towns=[(p(n), x, y) for n, x, y in content.towns],
        rivers=[(p(n), g) for n, g in content.rivers],
        corridor=None if content.corridor is None else (p(content.corridor[0]), *content.corridor[1:]),
        empty_note=None if content.empty_note is None else p(content.empty_note),
    )


# ----------------------------------------------------------------------------- geometry → paths
def _ring_codes(n: int) -> list[int]:
    return [MplPath.MOVETO] + [MplPath.LINETO] * (n - 2) + [MplPath.CLOSEPOLY]


def polygon_path(geom: BaseGeometry) -> MplPath | None:
    """A compound path of a (multi)polygon; holes wind the other way, so they stay empty."""
    geom = shapely.orient_polygons(geom)
    verts: list[np.ndarray] = []
    codes: list[int] = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) >= 4:
                verts.append(xy)
                codes.extend(_ring_codes(len(xy)))
    if not verts:
        return None
    return MplPath(np.concatenate(verts), codes)


def line_parts(geom: BaseGeometry) -> list[np.ndarray]:
    parts = getattr(geom, "geoms", [geom])
    return [np.asarray(p.coords)[:, :2] for p in parts if p.geom_type == "LineString" and len(p.coords) > 1]


def _dashes(dash: str, scale: float) -> tuple[float, tuple[float, ...]] | str:
    """A Leaflet dashArray (pixels, "8 4") as a matplotlib dash pattern in points."""
    if not dash:
        return "solid"
    return (0, tuple(float(v) * 0.55 * scale for v in dash.split()))


# ----------------------------------------------------------------------------- the figure
@dataclass
class Canvas:
    """One map being drawn: the figure and its map axes, the layout, the content, and what
    the labels must avoid; ``info`` collects facts about what was drawn (tests and logs)."""

    fig: Figure
    ax: Any
    lay: Layout
    content: MapContent
    k: float  # metres per inch on the map
    obstacles: list[tuple[float, float, float, float]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def pt(self, v: float) -> float:
        """A design size (points at A4 width) in figure points."""
        return v * self.lay.scale

    def halo(self, width: float = 1.8) -> list:
        return [patheffects.withStroke(linewidth=self.pt(width), foreground=_HALO)]


def corrected_marker(c: Canvas) -> dict[str, Any]:
    """The frame of a corrected project's marker (on the map and in the legend)."""
    return {
        "marker": "s",
        "s": c.pt(8.6) ** 2,
        "facecolors": "none",
        "edgecolors": _CORRECTED,
        "linewidths": c.pt(1.1),
    }
