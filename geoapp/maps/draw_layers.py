"""The map's layers, bottom to top: county areas, context (towns, rivers, roads), the projects,
county names, scale bar, north arrow and the note of an empty map (drawn on a :class:`Canvas`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch, Polygon, Rectangle

from geoapp.catalog.style import (
    category_style,
    line_style,
    status_marker,
)
from geoapp.maps.canvas import (
    _CORRECTED,
    _CORRIDOR_EDGE,
    _CORRIDOR_FACE,
    _FOCUS_EDGE,
    _FOCUS_FACE,
    _HATCH,
    _NEIGHBOUR_EDGE,
    _NEIGHBOUR_FACE,
    _RIVER,
    _TOWN,
    Canvas,
    _dashes,
    corrected_marker,
    line_parts,
    polygon_path,
    scale_bar_length,
)
from geoapp.maps.frame import CountyShape, Mark


# ----------------------------------------------------------------------------- layers
def draw_counties(c: Canvas) -> None:
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


def draw_context(c: Canvas) -> None:
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


def _marker_kwargs(c: Canvas, shape: str, color: str, size_factor: float = 1.0) -> dict[str, Any]:
    marker, size = _MARKERS[shape]
    kw: dict[str, Any] = {"marker": marker, "s": (c.pt(size) * size_factor) ** 2}
    if shape == "ring":
        kw.update(facecolors="white", edgecolors=color, linewidths=c.pt(1.5))
    else:
        kw.update(facecolors=color, edgecolors="white", linewidths=c.pt(0.5))
    return kw


def draw_projects(c: Canvas) -> None:
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
    _draw_corrected(c, [m for m in marks if m.corrected])
    c.info["drawn"] = len(marks)


def _draw_corrected(c: Canvas, marks: list[Mark]) -> None:
    """What a person corrected, recognisable on paper: a square frame around its marker, a halo
    under its line, a dashed outline round its area (legend: 人工校正)."""
    c.info["corrected"] = len(marks)
    if not marks:
        return
    for m in (m for m in marks if m.kind == "area"):
        path = polygon_path(m.geom)
        if path is not None:
            c.ax.add_artist(
                PathPatch(
                    path,
                    facecolor="none",
                    edgecolor=_CORRECTED,
                    linewidth=c.pt(1.0),
                    linestyle=(0, (4, 2)),
                    zorder=5.2,
                )
            )
    halo = [part for m in marks if m.kind == "line" for part in line_parts(m.geom)]
    if halo:
        c.ax.add_collection(
            LineCollection(
                halo, colors=_CORRECTED, alpha=0.45, linewidths=c.pt(3.2), capstyle="round", zorder=5.8
            ),
            autolim=False,
        )
    c.ax.scatter(
        [m.anchor[0] for m in marks],
        [m.anchor[1] for m in marks],
        **corrected_marker(c),
        zorder=7.6,
    )


def _text_box(c: Canvas, artist) -> tuple[float, float, float, float]:
    """An artist's extent in data coordinates."""
    renderer = c.fig.canvas.get_renderer()
    bb = artist.get_window_extent(renderer).transformed(c.ax.transData.inverted())
    return (bb.x0, bb.y0, bb.x1, bb.y1)


def _fits(c: Canvas, b: tuple[float, float, float, float]) -> bool:
    """Inside the frame and clear of every fixed text and map element placed so far."""
    xmin, ymin, xmax, ymax = c.content.bounds
    if b[0] < xmin or b[2] > xmax or b[1] < ymin or b[3] > ymax:
        return False
    return not any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in c.obstacles)


def draw_county_names(c: Canvas) -> None:
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


def _name_spot(
    c: Canvas, county: CountyShape, anchors: np.ndarray, w: float, h: float
) -> tuple[float, float]:
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


def draw_scale_bar(c: Canvas) -> None:
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


def draw_north_arrow(c: Canvas) -> None:
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


def draw_empty_note(c: Canvas) -> None:
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
