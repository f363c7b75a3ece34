"""The words on a report map: project labels placed clear of each other and of the marks,
the title, the legend and the footer (drawn on a :class:`Canvas`)."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np
import textalloc
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from shapely.geometry import box

from geoapp.catalog.style import (
    category_style,
    label,
    line_style,
    status_marker,
    status_style,
    subtype_style,
)
from geoapp.maps.canvas import (
    _CORRIDOR_EDGE,
    _CORRIDOR_FACE,
    _FOCUS_EDGE,
    _FOCUS_FACE,
    _HATCH,
    _NEIGHBOUR_EDGE,
    _NEIGHBOUR_FACE,
    _RIVER,
    _RIVER_TEXT,
    _STATUS_GREY,
    _TOWN,
    Canvas,
    _dashes,
    corrected_marker,
)
from geoapp.maps.draw_layers import _marker_kwargs
from geoapp.maps.frame import Mark

# ----------------------------------------------------------------------------- labels
MAX_LABEL_CHARS = 12
#: labels tried, most important first: an A4 map has room for about this many; each costs time
MAX_PROJECT_LABELS = 90
LEADING_PROJECT_LABELS = 20


def short_name(name: str, limit: int = MAX_LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _obstacle_points(c: Canvas) -> tuple[list[float], list[float]]:
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


def place_labels(c: Canvas) -> None:
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


def draw_title(c: Canvas) -> None:
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


def _legend_rows(c: Canvas) -> list[tuple[str, str, Any]]:  # noqa: C901 — over the limit; see CONTRIBUTING.md, "Complexity"
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
    corrected = sum(m.corrected for m in content.marks)
    if corrected:
        rows.append(("corrected", f"人工校正  {corrected}", None))
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


def _flow(c: Canvas, rows: list, size: float, col_w: float, h: float, ncols: int) -> list | None:
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


def draw_legend(c: Canvas) -> None:
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


def _swatch(c: Canvas, lax, kind: str, swatch: Any, x: float, y: float, w: float) -> None:
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
    elif kind == "corrected":
        lax.scatter([x], [y], **_marker_kwargs(c, "circle", _STATUS_GREY))
        lax.scatter([x], [y], **corrected_marker(c))
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


def draw_footer(c: Canvas) -> None:
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
