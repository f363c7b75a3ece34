"""Drawing a report map with matplotlib: :func:`draw_map` lays out the page, draws the layers
(:mod:`~geoapp.maps.draw_layers`), the labels, title, legend and footer
(:mod:`~geoapp.maps.draw_labels`) on a :class:`~geoapp.maps.canvas.Canvas`, and encodes it.

Input is a :class:`MapContent` already in metres (see :mod:`geoapp.maps.render`);
output the encoded file plus facts about what was drawn (for tests and logs).
"""

from __future__ import annotations

import contextlib
import gc
import io
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from geoapp.maps.canvas import (
    _BACKGROUND,
    _LOCK,
    _METADATA,
    _RC,
    CJK_FONT,
    Canvas,
    Layout,
    ensure_cjk_font,
    layout,
    printable,
    printable_content,
    scale_bar_length,
)
from geoapp.maps.draw_labels import draw_footer, draw_legend, draw_title, place_labels
from geoapp.maps.draw_layers import (
    draw_context,
    draw_counties,
    draw_county_names,
    draw_empty_note,
    draw_north_arrow,
    draw_projects,
    draw_scale_bar,
)
from geoapp.maps.frame import MapContent

__all__ = ["draw_map", "layout", "Layout", "scale_bar_length", "ensure_cjk_font", "printable", "CJK_FONT"]


def draw_map(
    content: MapContent, width: int, height: int, dpi: int, fmt: str
) -> tuple[bytes, dict[str, Any]]:
    """Draw ``content`` and encode it as ``fmt`` (png, svg, pdf). Returns the bytes and facts."""
    content = printable_content(content)
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
        c = Canvas(fig, ax, lay, content, k=(xmax - xmin) / w)
        c.info.update(epsg=content.epsg, bounds=content.bounds, scale=lay.scale)
        draw_counties(c)
        draw_context(c)
        draw_projects(c)
        draw_scale_bar(c)
        draw_north_arrow(c)
        if content.empty_note:
            draw_empty_note(c)
        draw_county_names(c)
        place_labels(c)
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
        draw_title(c)
        draw_legend(c)
        draw_footer(c)
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
