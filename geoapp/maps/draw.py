"""Drawing a report map with matplotlib: layout, layers, labels, legend, scale bar.

Input is a :class:`MapContent` already in metres (see :mod:`geoapp.maps.render`);
output the encoded file plus facts about what was drawn (for tests and logs).

Sizes are designed for the page: every font size and line width below is what
it measures when the image is printed at A4 text width (170 mm), multiplied by
``scale`` — so a 1600-px and a 4000-px image of the same view look alike and
both stay readable on paper.
"""

from __future__ import annotations

import contextlib
import gc
import io
import math
import threading
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import matplotlib
import numpy as np
import shapely
import textalloc
from matplotlib import font_manager, patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geoapp.catalog.style import (
    category_style,
    label,
    line_style,
    status_marker,
    status_style,
    subtype_style,
)
from geoapp.errors import ConfigError
from geoapp.maps.content import CountyShape, MapContent, Mark

__all__ = [
    "Layout",
    "layout",
    "draw_map",
    "scale_bar_length",
    "ensure_cjk_font",
    "printable",
    "CJK_FONT",
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


def _printable_content(content: MapContent) -> MapContent:
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
class _Ctx:
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


def draw_map(
    content: MapContent, width: int, height: int, dpi: int, fmt: str
) -> tuple[bytes, dict[str, Any]]:
    """Draw ``content`` and encode it as ``fmt`` (png, svg, pdf). Returns the bytes and facts."""
    content = _printable_content(content)
    with _LOCK, matplotlib.rc_context(_RC), _no_gc():
        lay = layout(width, height, dpi)
        fig = Figure(figsize=(lay.width, lay.height), dpi=dpi, facecolor="white")
        FigureCanvasAgg(fig)
        x, y, w, h = lay.map_rect
        ax = fig.add_axes((x / lay.width, y / lay.height, w / lay.width, h / lay.height))
        xmin, ymin, xmax, ymax = content.bounds
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        ax.add_artist(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=_BACKGROUND, zorder=-1))
        c = _Ctx(fig, ax, lay, content, k=(xmax - xmin) / w)
        c.info.update(epsg=content.epsg, bounds=content.bounds, scale=lay.scale)
        _draw_counties(c)
        _draw_context(c)
        _draw_projects(c)
        _draw_scale_bar(c)
        _draw_north_arrow(c)
        if content.empty_note:
            _draw_empty_note(c)
        _draw_county_names(c)
        _place_labels(c)
        ax.add_artist(
            Rectangle(
                (0, 0),
                1,
                1,
                transform=ax.transAxes,
                fill=False,
                edgecolor="#333333",
                linewidth=c.pt(0.8),
                zorder=20,
                clip_on=False,
            )
        )
        _draw_title(c)
        _draw_legend(c)
        _draw_footer(c)
        buf = io.BytesIO()
        if fmt == "png":
            _write_png(fig, buf, dpi)
        else:
            fig.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt], facecolor="white")
        return buf.getvalue(), c.info


def _write_png(fig: Figure, out: io.BytesIO, dpi: int) -> None:
    """An opaque RGB PNG (a map has no transparency: a quarter less to compress than RGBA), at zlib
    level 3 (smaller than the default 6 here, and twice as fast), with no time in its metadata."""
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    info = PngInfo()
    info.add_text("Software", _METADATA["png"]["Software"])
    Image.fromarray(rgba[..., :3]).save(out, format="png", compress_level=3, pnginfo=info, dpi=(dpi, dpi))


@contextlib.contextmanager
def _no_gc():
    """A figure is thousands of small objects in reference cycles: without this, the cyclic
    collector runs several times per map and adds up to a quarter to its time. They are
    collected later, in one pass."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# ----------------------------------------------------------------------------- layers
def _draw_counties(c: _Ctx) -> None:
    ax = c.ax
    for county in c.content.counties:
        path = polygon_path(county.geom)
        if path is None:
            continue
        if county.focus:
            ax.add_artist(PathPatch(path, facecolor=_FOCUS_FACE, edgecolor="none", zorder=1.5))
            ax.add_artist(
                PathPatch(
                    path,
                    facecolor="none",
                    edgecolor=_FOCUS_EDGE,
                    linewidth=c.pt(1.1),
                    zorder=3.5,
                    joinstyle="round",
                )
            )
        else:
            ax.add_artist(
                PathPatch(
                    path, facecolor=_NEIGHBOUR_FACE, edgecolor=_NEIGHBOUR_EDGE, linewidth=c.pt(0.45), zorder=1
                )
            )
        if county.county_level:
            patch = PathPatch(path, facecolor="none", edgecolor="none", hatch="////", zorder=2.5, linewidth=0)
            patch.set_hatchcolor(_HATCH)
            ax.add_artist(patch)
    c.info["focus_counties"] = [x.name for x in c.content.counties if x.focus]


def _draw_context(c: _Ctx) -> None:
    ax, content = c.ax, c.content
    if content.corridor is not None:
        _name, line, band = content.corridor
        path = polygon_path(band)
        if path is not None:
            ax.add_artist(
                PathPatch(
                    path,
                    facecolor=_CORRIDOR_FACE,
                    edgecolor=_CORRIDOR_EDGE,
                    alpha=0.75,
                    linewidth=c.pt(0.6),
                    linestyle=(0, (c.pt(3), c.pt(2))),
                    zorder=2,
                )
            )
        ax.add_collection(
            LineCollection(line_parts(line), colors=_CORRIDOR_EDGE, linewidths=c.pt(1.4), zorder=2.1),
            autolim=False,
        )
    for name, geom in content.rivers:
        width = 1.6 if name == "长江" else 0.9
        ax.add_collection(
            LineCollection(
                line_parts(geom),
                colors=_RIVER,
                linewidths=c.pt(width),
                zorder=3,
                capstyle="round",
                joinstyle="round",
            ),
            autolim=False,
        )
    if content.towns:
        xs = [t[1] for t in content.towns]
        ys = [t[2] for t in content.towns]
        ax.scatter(xs, ys, s=c.pt(2.2) ** 2, marker="s", c=_TOWN, linewidths=0, zorder=4)


_MARKERS = {"circle": ("o", 5.0), "diamond": ("D", 4.4), "ring": ("o", 4.8), "dot": ("o", 3.2)}


def _marker_kwargs(c: _Ctx, shape: str, color: str, size_factor: float = 1.0) -> dict[str, Any]:
    marker, size = _MARKERS[shape]
    kw: dict[str, Any] = {"marker": marker, "s": (c.pt(size) * size_factor) ** 2}
    if shape == "ring":
        kw.update(facecolors="white", edgecolors=color, linewidths=c.pt(1.5))
    else:
        kw.update(facecolors=color, edgecolors="white", linewidths=c.pt(0.5))
    return kw


def _draw_projects(c: _Ctx) -> None:
    ax = c.ax
    marks = c.content.marks
    for m in (m for m in marks if m.kind == "area"):
        path = polygon_path(m.geom)
        if path is not None:
            color = category_style(m.category).color
            ax.add_artist(PathPatch(path, facecolor=color, alpha=0.22, edgecolor="none", zorder=5))
            ax.add_artist(PathPatch(path, facecolor="none", edgecolor=color, linewidth=c.pt(0.8), zorder=5.1))
    # Estimated routes get a wide pale band under them: "somewhere along here", not a surveyed
    # alignment. All lines go in two collections (one draw call each, not two per route).
    bands: list[np.ndarray] = []
    band_colors: list[str] = []
    segs: list[np.ndarray] = []
    colors: list[tuple] = []
    widths: list[float] = []
    styles: list = []
    for m in (m for m in marks if m.kind == "line"):
        st = line_style(m.category, m.subtype)
        parts = line_parts(m.geom)
        if m.estimated:
            bands += parts
            band_colors += [str(st["color"])] * len(parts)
        segs += parts
        colors += [to_rgba(str(st["color"]), 0.85 if m.estimated else 1.0)] * len(parts)
        widths += [c.pt(float(st["weight"]) * 0.42)] * len(parts)
        styles += [_dashes(str(st["dashArray"] or ""), c.lay.scale)] * len(parts)
    if bands:
        ax.add_collection(
            LineCollection(
                bands,
                colors=band_colors,
                alpha=0.13,
                linewidths=c.pt(4.5),
                capstyle="round",
                joinstyle="round",
                zorder=5.5,
            ),
            autolim=False,
        )
    if segs:
        ax.add_collection(
            LineCollection(
                segs,
                colors=colors,
                linewidths=widths,
                linestyles=styles,
                capstyle="butt",
                joinstyle="round",
                zorder=6,
            ),
            autolim=False,
        )
    # One status marker per project, at its label's anchor; lines get a smaller one.
    groups: dict[tuple[str, float], list[Mark]] = {}
    for m in marks:
        groups.setdefault((status_marker(m.status), 0.8 if m.kind == "line" else 1.0), []).append(m)
    order = ["dot", "ring", "circle", "diamond"]
    for (shape, factor), members in sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        colors = [category_style(m.category).color for m in members]
        kw = _marker_kwargs(c, shape, "k", factor)
        if shape == "ring":
            kw["edgecolors"] = colors
        else:
            kw["facecolors"] = colors
        ax.scatter(
            [m.anchor[0] for m in members],
            [m.anchor[1] for m in members],
            zorder=7 + order.index(shape) / 10,
            **kw,
        )
    c.info["drawn"] = len(marks)


def _text_box(c: _Ctx, artist) -> tuple[float, float, float, float]:
    """An artist's extent in data coordinates."""
    renderer = c.fig.canvas.get_renderer()
    bb = artist.get_window_extent(renderer).transformed(c.ax.transData.inverted())
    return (bb.x0, bb.y0, bb.x1, bb.y1)


def _fits(c: _Ctx, b: tuple[float, float, float, float]) -> bool:
    """Inside the frame and clear of every fixed text and map element placed so far."""
    xmin, ymin, xmax, ymax = c.content.bounds
    if b[0] < xmin or b[2] > xmax or b[1] < ymin or b[3] > ymax:
        return False
    return not any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in c.obstacles)


def _draw_county_names(c: _Ctx) -> None:
    """County names (the selected ones bold), each with its count of county-level projects;
    a neighbour's name that would be cut by the frame or collide is left out."""
    ax = c.ax
    line = c.k * c.pt(12) / 72
    anchors = np.array([m.anchor for m in c.content.marks]).reshape(-1, 2)
    for county in sorted(c.content.counties, key=lambda x: not x.focus):
        x, y = county.label_at
        if county.focus:
            t = ax.text(
                x,
                y,
                county.name,
                fontsize=c.pt(8.5),
                fontweight="bold",
                color="#1a1a1a",
                ha="center",
                va="center",
                zorder=9,
                path_effects=c.halo(2.4),
            )
            b = _text_box(c, t)
            x, y = _name_spot(c, county, anchors, b[2] - b[0], (b[3] - b[1]) + 2 * line)
            t.set_position((x, y))
        else:
            t = ax.text(
                x,
                y,
                county.name,
                fontsize=c.pt(6.6),
                color="#7d7d7d",
                ha="center",
                va="center",
                zorder=9,
                path_effects=c.halo(1.6),
            )
        b = _text_box(c, t)
        if not county.focus and not _fits(c, b):
            t.remove()
            continue
        c.obstacles.append(b)
        if not county.county_level:
            continue
        for dy in (-line, line):  # below the name, else above it
            badge = ax.text(
                x,
                y + dy,
                f"县级定位 {county.county_level} 项",
                fontsize=c.pt(5.8),
                color="#3c3c3c",
                ha="center",
                va="center",
                zorder=9,
                bbox={
                    "boxstyle": "round,pad=0.25",
                    "facecolor": "white",
                    "edgecolor": _HATCH,
                    "linewidth": c.pt(0.5),
                    "alpha": 0.92,
                },
            )
            pad = c.k * c.pt(5.8 * 0.3) / 72
            bx = _text_box(c, badge)
            bx = (bx[0] - pad, bx[1] - pad, bx[2] + pad, bx[3] + pad)
            if _fits(c, bx):
                c.obstacles.append(bx)
                break
            badge.remove()


def _name_spot(c: _Ctx, county: CountyShape, anchors: np.ndarray, w: float, h: float) -> tuple[float, float]:
    """Where in the county its name (and the badge under it) hides the fewest project markers
    and keeps clear of the map furniture; near the county's middle among equals."""
    xmin, ymin, xmax, ymax = c.content.bounds
    area = shapely.clip_by_rect(county.geom, xmin, ymin, xmax, ymax)
    if area.is_empty:
        return county.label_at
    x0, y0, x1, y1 = area.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 11), np.linspace(y0, y1, 11))
    xs = np.append(gx.ravel(), county.label_at[0])
    ys = np.append(gy.ravel(), county.label_at[1])
    keep = shapely.contains_xy(area, xs, ys)
    xs, ys = xs[keep], ys[keep]
    if not len(xs):
        return county.label_at
    # box: the name centred on (x, y) with the badge below it
    left, right, bottom, top = xs - w / 2, xs + w / 2, ys - h * 0.75, ys + h * 0.25
    hidden = np.zeros(len(xs))
    if len(anchors):
        ax_, ay_ = anchors[:, 0][None, :], anchors[:, 1][None, :]
        hidden = (
            (ax_ > left[:, None]) & (ax_ < right[:, None]) & (ay_ > bottom[:, None]) & (ay_ < top[:, None])
        ).sum(1)
    blocked = np.zeros(len(xs), dtype=bool)
    for o in c.obstacles:
        blocked |= (left < o[2]) & (o[0] < right) & (bottom < o[3]) & (o[1] < top)
    outside = (left < xmin) | (right > xmax) | (bottom < ymin) | (top > ymax)
    dist = np.hypot(xs - county.label_at[0], ys - county.label_at[1]) / max(xmax - xmin, 1)
    score = hidden * 10 + (blocked | outside) * 100 + dist
    best = int(np.argmin(score))
    return float(xs[best]), float(ys[best])


def _draw_scale_bar(c: _Ctx) -> None:
    """A four-segment bar of a round length, true in metres (the map is in Gauss–Krüger metres),
    numbered at 0, the middle and the end, with its unit after it."""
    ax = c.ax
    xmin, ymin, xmax, _ = c.content.bounds
    inch = c.k * c.lay.scale  # metres per design inch
    length = scale_bar_length(xmax - xmin)
    x0, y0, bar_h = xmin + 0.2 * inch, ymin + 0.2 * inch, 0.045 * inch
    for i in range(4):
        ax.add_artist(
            Rectangle(
                (x0 + i * length / 4, y0),
                length / 4,
                bar_h,
                facecolor="#222" if i % 2 == 0 else "white",
                edgecolor="#222",
                linewidth=c.pt(0.5),
                zorder=10.5,
            )
        )
    km = length >= 1000
    unit = "公里" if km else "米"
    for value in (0, length / 2, length):
        ax.text(
            x0 + value,
            y0 + bar_h + 0.03 * inch,
            f"{value / 1000 if km else value:g}",
            fontsize=c.pt(5.6),
            ha="center",
            va="bottom",
            zorder=11,
            color="#222",
        )
    u = ax.text(
        x0 + length + 0.06 * inch,
        y0 + bar_h / 2,
        unit,
        fontsize=c.pt(5.6),
        ha="left",
        va="center",
        zorder=11,
        color="#222",
    )
    right = _text_box(c, u)[2]
    frame = (x0 - 0.1 * inch, y0 - 0.08 * inch, right + 0.08 * inch, y0 + bar_h + 0.2 * inch)
    ax.add_artist(
        Rectangle(
            frame[:2],
            frame[2] - frame[0],
            frame[3] - frame[1],
            facecolor="white",
            alpha=0.85,
            edgecolor="none",
            zorder=10,
        )
    )
    c.obstacles.append(frame)
    c.info["scale_bar"] = {
        "metres": length,
        "x0": x0,
        "x1": x0 + length,
        "label": f"{length / 1000 if km else length:g} {unit}",
    }


def _draw_north_arrow(c: _Ctx) -> None:
    ax, k, s = c.ax, c.k, c.lay.scale
    _, _, xmax, ymax = c.content.bounds
    cx, cy = xmax - 0.28 * k * s, ymax - 0.42 * k * s
    length = 0.34 * k * s
    a = c.content.north_angle  # true north is rotated from grid north by the meridian convergence
    ux, uy = math.sin(a), math.cos(a)
    px, py = -uy, ux
    tip = (cx + ux * length / 2, cy + uy * length / 2)
    base = (cx - ux * length / 2, cy - uy * length / 2)
    half = 0.07 * k * s
    left = (base[0] + px * half, base[1] + py * half)
    right = (base[0] - px * half, base[1] - py * half)
    notch = (cx - ux * length * 0.25, cy - uy * length * 0.25)
    ax.add_artist(
        Polygon(
            [tip, left, notch],
            closed=True,
            facecolor="#222",
            edgecolor="#222",
            linewidth=c.pt(0.5),
            zorder=11,
        )
    )
    ax.add_artist(
        Polygon(
            [tip, notch, right],
            closed=True,
            facecolor="white",
            edgecolor="#222",
            linewidth=c.pt(0.5),
            zorder=11,
        )
    )
    t = ax.text(
        tip[0] + ux * 0.02 * k * s,
        tip[1] + uy * 0.02 * k * s,
        "北",
        fontsize=c.pt(7),
        fontweight="bold",
        ha="center",
        va="bottom",
        zorder=11,
        path_effects=c.halo(1.8),
    )
    c.obstacles.append(
        (cx - 0.16 * k * s, cy - length / 2 - 0.05 * k * s, cx + 0.16 * k * s, _text_box(c, t)[3])
    )
    c.info["north_angle_deg"] = math.degrees(a)


def _draw_empty_note(c: _Ctx) -> None:
    xmin, ymin, xmax, ymax = c.content.bounds
    t = c.ax.text(
        (xmin + xmax) / 2,
        (ymin + ymax) / 2,
        c.content.empty_note,
        fontsize=c.pt(11),
        ha="center",
        va="center",
        color="#333",
        zorder=12,
        bbox={
            "boxstyle": "round,pad=0.6",
            "facecolor": "white",
            "edgecolor": "#888",
            "alpha": 0.95,
            "linewidth": c.pt(0.6),
        },
    )
    c.obstacles.append(_text_box(c, t))
    c.info["empty_note"] = c.content.empty_note


# ----------------------------------------------------------------------------- labels
MAX_LABEL_CHARS = 12
#: labels tried, most important first: an A4 map has room for about this many; each costs time
MAX_PROJECT_LABELS = 90
LEADING_PROJECT_LABELS = 20


def short_name(name: str, limit: int = MAX_LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _obstacle_points(c: _Ctx) -> tuple[list[float], list[float]]:
    """Grids of points over fixed texts and map furniture, so labels keep off them."""
    step = c.k * c.pt(3.0) / 72  # a few points apart: finer than the smallest label is tall
    xs: list[float] = []
    ys: list[float] = []
    for x0, y0, x1, y1 in c.obstacles:
        gx = np.arange(x0, x1 + step, step)
        gy = np.arange(y0, y1 + step, step)
        mx, my = np.meshgrid(gx, gy)
        xs.extend(mx.ravel().tolist())
        ys.extend(my.ravel().tolist())
    return xs, ys


def _place_labels(c: _Ctx) -> None:
    """Labels placed by textalloc in priority order — the largest projects, rivers, towns, then the
    other projects; what cannot be placed without overlap is left out, never drawn on top."""
    content = c.content
    xmin, ymin, xmax, ymax = content.bounds
    inside = box(xmin, ymin, xmax, ymax)
    projects, rivers, towns = [], [], []
    if content.labels:
        for m in sorted(content.marks, key=_label_priority)[:MAX_PROJECT_LABELS]:
            projects.append(("project", short_name(m.name), m.anchor[0], m.anchor[1], c.pt(6.4), "#111111"))
    for name, geom in content.rivers:
        part = geom.intersection(inside)
        if not part.is_empty and part.length > (xmax - xmin) * 0.08:
            pt = part.interpolate(0.5, normalized=True)
            rivers.append(("river", name, pt.x, pt.y, c.pt(6.0), _RIVER_TEXT))
    if content.labels:
        # A town already labelled as a project (a document naming 金鸡 as a place) keeps only its dot.
        anchors = np.array([m.anchor for m in content.marks]).reshape(-1, 2)
        near = c.k * 0.04  # 1 mm on the printed map
        for name, x, y in content.towns:
            if not len(anchors) or np.min(np.hypot(anchors[:, 0] - x, anchors[:, 1] - y)) >= near:
                towns.append(("town", name, x, y, c.pt(5.5), _TOWN))
    # Towns right after the leading projects: a reader needs them to find the rest.
    ordered = projects[:LEADING_PROJECT_LABELS] + rivers + towns + projects[LEADING_PROJECT_LABELS:]
    kinds = [o[0] for o in ordered]
    texts = [o[1] for o in ordered]
    xs = [o[2] for o in ordered]
    ys = [o[3] for o in ordered]
    sizes = [o[4] for o in ordered]
    colors = [o[5] for o in ordered]
    c.info["labels"] = []
    if not texts:
        return
    sx = [m.anchor[0] for m in content.marks] + [t[1] for t in content.towns]
    sy = [m.anchor[1] for m in content.marks] + [t[2] for t in content.towns]
    ox, oy = _obstacle_points(c)
    # Labels may cross lines (their white halo keeps both legible): on a county map a dozen routes
    # cross everything, and keeping clear of them leaves no room for labels at all.
    c.ax.apply_aspect()
    with contextlib.redirect_stdout(io.StringIO()):  # textalloc prints when it places nothing
        _, leaders, text_objects, _ = textalloc.allocate(
            c.ax,
            xs,
            ys,
            texts,
            x_scatter=sx + ox,
            y_scatter=sy + oy,
            textsize=sizes,
            textcolor=colors,
            margin=0.0035,
            min_distance=0.006,
            max_distance=0.07,
            nbr_candidates=80,
            draw_all=False,
            draw_lines=False,
            xlims=(xmin, xmax),
            ylims=(ymin, ymax),
            # Given a transform, textalloc skips a full draw of the figure (a third of its time).
            transform=_DataTransform(),
            path_effects=c.halo(1.6),
            zorder=8.5,
        )
    # Leader lines from moved labels back to their feature, as one collection.
    segments = [
        np.column_stack(line[:2])
        for line, t in zip(leaders, text_objects, strict=True)
        if line is not None and t is not None
    ]
    if segments:
        c.ax.add_collection(
            LineCollection(segments, colors="#8a8a8a", linewidths=c.pt(0.45), zorder=8.4), autolim=False
        )
    renderer = c.fig.canvas.get_renderer()
    for kind, text, artist in zip(kinds, texts, text_objects, strict=True):
        if artist is not None:
            bb = artist.get_window_extent(renderer)
            c.info["labels"].append({"kind": kind, "text": text, "box": (bb.x0, bb.y0, bb.x1, bb.y1)})


class _DataTransform:
    """``transform=`` for textalloc: the axes' data coordinates, via matplotlib's
    ``_as_mpl_transform`` protocol (the one cartopy's CRS objects use)."""

    def _as_mpl_transform(self, ax):
        return ax.transData


def _label_priority(m: Mark) -> tuple:
    # Big investments first, then what exists or is being built, then the precisely located.
    status_rank = {"under_construction": 0, "built": 1, "planned": 2}.get(m.status, 3)
    return (-(m.investment or 0), status_rank, m.precision, m.name, m.id)


# ----------------------------------------------------------------------------- title, legend, footer
def _em_width(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E7F else 0.56 for ch in text)


_NO_LINE_START = set("）)，,。.；;、：:”’》」』")


def wrap(text: str, width_in: float, size_pt: float) -> list[str]:
    """Greedy line breaks for mixed Chinese/Latin text (matplotlib only breaks at spaces)."""
    per_line = width_in * 72 / size_pt
    lines, current = [], ""
    for ch in text:
        # Closing punctuation stays on its line (Chinese typesetting never starts a line with it).
        if _em_width(current + ch) > per_line and current and ch not in _NO_LINE_START:
            lines.append(current)
            current = ch.lstrip()
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def _draw_title(c: _Ctx) -> None:
    lay = c.lay
    x = lay.map_rect[0]
    width = lay.width - 2 * x
    title = c.content.title
    size = c.pt(12.5)
    if _em_width(title) * size / 72 > width:  # long custom titles shrink rather than spill
        size = max(width * 72 / _em_width(title), c.pt(8))
    c.fig.text(
        x / lay.width,
        lay.title_y / lay.height,
        title,
        fontsize=size,
        fontweight="bold",
        va="top",
        color="#111",
    )
    sub = wrap(c.content.subtitle, width, c.pt(6.6))[:2]
    c.fig.text(
        x / lay.width,
        (lay.title_y - c.pt(17) / 72) / lay.height,
        "\n".join(sub),
        fontsize=c.pt(6.6),
        va="top",
        color="#444",
        linespacing=1.35,
    )


def _legend_rows(c: _Ctx) -> list[tuple[str, str, Any]]:  # noqa: C901 — over the limit; see CONTRIBUTING.md, "Complexity"
    """(kind, text, swatch) rows: only what is on this map."""
    content = c.content
    rows: list[tuple[str, str, Any]] = []
    counts: dict[str, int] = {}
    for m in content.marks:
        counts[m.category] = counts.get(m.category, 0) + 1
    if counts:
        rows.append(("header", "项目类别（图上项数）", None))
        for code in sorted(counts, key=lambda x: category_style(x).order):
            rows.append(
                ("category", f"{label('category', code)}  {counts[code]}", category_style(code).color)
            )
    # One row per look: subtypes with their own line style by name, the rest by category.
    looks: dict[str, tuple[tuple, dict]] = {}
    for m in content.marks:
        if m.kind == "line":
            own = bool(subtype_style(m.subtype).color)
            text = label("subtype", m.subtype) if own else f"{label('category', m.category)}线路"
            order = (category_style(m.category).order, subtype_style(m.subtype).order if own else 0)
            looks.setdefault(text, (order, line_style(m.category, m.subtype)))
    if looks:
        rows.append(("header", "线状项目", None))
        for text, (_, st) in sorted(looks.items(), key=lambda kv: kv[1][0]):
            rows.append(("line", text, st))
    statuses = sorted({m.status for m in content.marks}, key=lambda x: status_style(x).order)
    if statuses:
        rows.append(("header", "建设状态", None))
        for st in statuses:
            rows.append(("status", label("status", st), status_marker(st)))
    rows.append(("header", "图面要素", None))
    if any(m.kind == "line" and m.estimated for m in content.marks):
        rows.append(("band", "线路走向为示意（经由地点连线）", None))
    if any(m.kind == "area" for m in content.marks):
        rows.append(("area", "项目片区范围", None))
    if any(x.county_level for x in content.counties):
        rows.append(("hatch", "仅定位到区县的项目（未逐个绘出）", None))
    if content.corridor is not None:
        rows.append(("corridor", f"{content.corridor[0]} 走廊范围", None))
    if any(x.focus for x in content.counties):
        rows.append(("focus", "所选区县", None))
    if any(not x.focus for x in content.counties):
        rows.append(("neighbour", "相邻区县", None))
    if content.rivers:
        rows.append(("river", "河流（示意）", None))
    if content.towns:
        rows.append(("town", "乡镇、街道", None))
    for note in content.notes:
        rows.append(("note", note, None))
    return rows


def _flow(c: _Ctx, rows: list, size: float, col_w: float, h: float, ncols: int) -> list | None:
    """Rows placed top to bottom in columns at font ``size``: [(row, lines, column, y, height)],
    or None when they do not fit. A header never ends a column."""
    sw = 0.22 * c.lay.scale
    top = 0.04 * c.lay.scale
    out, col, y = [], 0, top
    for i, (kind, text, swatch) in enumerate(rows):
        lines = wrap(text, col_w - sw - 0.12 * c.lay.scale, c.pt(size * 0.92)) if kind == "note" else [text]
        need = (1.85 if kind == "header" else 1.5) * c.pt(size) / 72 * len(lines)
        after = 1.5 * c.pt(size) / 72 if kind == "header" and i + 1 < len(rows) else 0.0
        if y + need + after > h:
            col, y = col + 1, top
            if col >= ncols:
                return None
        out.append(((kind, text, swatch), lines, col, y, need))
        y += need
    return out


def _draw_legend(c: _Ctx) -> None:
    """The legend panel: only what this map shows, shrunk (to 70 % at most) to fit its panel."""
    lay = c.lay
    x, y, w, h = lay.legend_rect
    lax = c.fig.add_axes((x / lay.width, y / lay.height, w / lay.width, h / lay.height))
    lax.set_xlim(0, w)
    lax.set_ylim(h, 0)  # inches from the top
    lax.set_axis_off()
    rows = _legend_rows(c)
    ncols = 3 if lay.portrait else 1
    col_w = w / ncols
    placed, size = None, 6.4
    for size in np.linspace(6.4, 4.5, 9):
        placed = _flow(c, rows, float(size), col_w, h, ncols)
        if placed is not None:
            break
    if placed is None:  # still too many: what fits at the smallest size, the rest left out
        placed = _flow(c, rows[: max(1, len(rows) - 1)], float(size), col_w, h * 10, 1) or []
        placed = [p for p in placed if p[3] + p[4] <= h]
    sw = 0.22 * lay.scale  # swatch width
    drawn = []
    for (kind, text, swatch), lines, col, top, need in placed:
        x0 = col * col_w
        mid = top + need / 2 if kind != "header" else top + need * 0.55
        if kind == "header":
            lax.text(x0, mid, text, fontsize=c.pt(size * 1.05), fontweight="bold", va="center", color="#111")
        else:
            _swatch(c, lax, kind, swatch, x0 + sw / 2, mid, sw)
            lax.text(
                x0 + sw + 0.06 * lay.scale,
                mid,
                "\n".join(lines),
                fontsize=c.pt(size * (0.92 if kind == "note" else 1.0)),
                va="center",
                color="#555" if kind == "note" else "#222",
                linespacing=1.3,
            )
        drawn.append({"kind": kind, "text": text})
    c.info["legend"] = drawn
    c.info["legend_size"] = round(float(size), 2)


def _swatch(c: _Ctx, lax, kind: str, swatch: Any, x: float, y: float, w: float) -> None:
    s = c.lay.scale
    hw, hh = w / 2, 0.045 * s
    if kind == "category":
        lax.scatter(
            [x],
            [y],
            marker="o",
            s=c.pt(5.0) ** 2,
            facecolors=swatch,
            edgecolors="white",
            linewidths=c.pt(0.5),
        )
    elif kind == "status":
        kw = _marker_kwargs(c, swatch, _STATUS_GREY)
        lax.scatter([x], [y], **kw)
    elif kind == "line":
        lax.add_artist(
            Line2D(
                [x - hw, x + hw],
                [y, y],
                color=swatch["color"],
                linewidth=c.pt(float(swatch["weight"]) * 0.42),
                linestyle=_dashes(str(swatch["dashArray"] or ""), s),
            )
        )
    elif kind == "band":
        lax.add_artist(
            Line2D(
                [x - hw, x + hw],
                [y, y],
                color="#777",
                alpha=0.22,
                linewidth=c.pt(4.5),
                solid_capstyle="round",
            )
        )
        lax.add_artist(Line2D([x - hw, x + hw], [y, y], color="#555", linewidth=c.pt(1.2)))
    elif kind == "river":
        lax.add_artist(Line2D([x - hw, x + hw], [y, y], color=_RIVER, linewidth=c.pt(1.2)))
    elif kind == "town":
        lax.scatter([x], [y], marker="s", s=c.pt(2.2) ** 2, c=_TOWN, linewidths=0)
    elif kind != "note":
        face, edge, lw, hatch = {
            "area": ("#9467bd40", "#9467bd", 0.8, None),
            "hatch": ("white", _HATCH, 0.4, "////"),
            "corridor": (_CORRIDOR_FACE, _CORRIDOR_EDGE, 0.6, None),
            "focus": (_FOCUS_FACE, _FOCUS_EDGE, 1.1, None),
            "neighbour": (_NEIGHBOUR_FACE, _NEIGHBOUR_EDGE, 0.45, None),
        }[kind]
        patch = Rectangle(
            (x - hw, y - hh), w, 2 * hh, facecolor=face, edgecolor=edge, linewidth=c.pt(lw), hatch=hatch
        )
        if hatch:
            patch.set_hatchcolor(_HATCH)
        lax.add_artist(patch)


def _draw_footer(c: _Ctx) -> None:
    lay = c.lay
    x = lay.map_rect[0]
    size = c.pt(5.2)
    lines: list[str] = []
    for part in c.content.footer:
        lines.extend(wrap(part, lay.width - 2 * x, size))
    c.fig.text(
        x / lay.width,
        lay.footer_y / lay.height,
        "\n".join(lines[:3]),
        fontsize=size,
        va="bottom",
        color="#555",
        linespacing=1.3,
    )
