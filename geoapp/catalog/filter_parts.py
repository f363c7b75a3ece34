"""The building blocks of the project filters (:mod:`geoapp.catalog.filters`): reading
query values leniently (each problem becomes a sentence in :attr:`Parsing.problems`, the
value is left out), and writing numbers back into links and captions.

>>> p = Parsing({"distance_km": ["2,x"]})
>>> values_of(p.args, "distance_km"), parse_number("distance_km", "x", p.problems), p.problems
(['2', 'x'], None, ["distance_km='x' is not a number"])
>>> number_text(5.0), number_text(2.5), amount_text(12000), amount_text(0.5)
('5', '2.5', '12,000', '0.5')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from geoapp.context import values as param_values

__all__ = [
    "Parsing",
    "values_of",
    "last_value",
    "last_raw",
    "parse_number",
    "choices",
    "parse_bbox",
    "ordered_pair",
    "number_text",
    "amount_text",
    "escape_like",
    "each_once",
]


@dataclass
class Parsing:
    """What the parsers of one request share: the arguments, the values read so far
    (``ProjectFilter`` field → value), the problems found, and the lookups of county names
    and corridors."""

    args: Mapping[str, Any]
    county_resolver: Callable[[str], str | None] | None = None
    corridor_exists: Callable[[str], bool] | None = None
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def values_of(args: Mapping[str, Any], name: str) -> list[str]:
    """All values of a parameter, comma-separated lists flattened."""
    out: list[str] = []
    for item in param_values(args, name):
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return out


def last_value(args: Mapping[str, Any], name: str) -> str | None:
    values = values_of(args, name)
    return values[-1] if values else None


def last_raw(args: Mapping[str, Any], name: str) -> str | None:
    """The last value as given (commas kept), blank values skipped."""
    raw = [v for v in param_values(args, name) if v.strip()]
    return raw[-1] if raw else None


def parse_number(name: str, raw: str, problems: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name}={raw[:40]!r} is not a number")
        return None
    if not math.isfinite(value):
        problems.append(f"{name}={raw[:40]!r} is not a finite number")
        return None
    return value


def choices(
    name: str, values: Iterable[str], allowed: tuple[str, ...], problems: list[str]
) -> tuple[str, ...]:
    good = []
    for v in values:
        if v in allowed:
            if v not in good:
                good.append(v)
        else:
            problems.append(f"unknown {name} {v[:40]!r}")
    return tuple(good)


def parse_bbox(raw: str, problems: list[str]) -> tuple[float, float, float, float] | None:
    parts = [p for p in raw.split(",")]
    if len(parts) not in (4, 6):
        problems.append(f"bbox must have 4 numbers (minlon,minlat,maxlon,maxlat), got {len(parts)}")
        return None
    parsed = [parse_number("bbox", p.strip(), problems) for p in parts]
    nums = [n for n in parsed if n is not None]
    if len(nums) != len(parsed):
        return None
    if len(nums) == 6:  # 3-D bbox: drop the heights
        nums = [nums[0], nums[1], nums[3], nums[4]]
    minx, miny, maxx, maxy = nums
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        problems.append("bbox is outside -180..180 / -90..90")
        return None
    if miny > maxy:
        problems.append("bbox minimum latitude is above its maximum")
        return None
    if minx > maxx:
        problems.append("bbox crossing the antimeridian (minlon > maxlon) is not supported")
        return None
    return (minx, miny, maxx, maxy)


def ordered_pair(p: Parsing, read: dict[str, Any], low: str, high: str, problem: str) -> None:
    """Keep the values ``read`` (a range's bounds), swapping a reversed range and saying so."""
    if low in read and high in read and read[low] > read[high]:
        read[low], read[high] = read[high], read[low]
        p.problems.append(problem)
    p.values.update(read)


def number_text(v: float) -> str:
    """A number as a query parameter: ``5``, ``2.5``."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def amount_text(wan: float) -> str:
    """An amount in 万元 as a caption writes it: ``12,000``, ``0.5``."""
    return f"{wan:,.0f}" if wan >= 1 else f"{wan:g}"


def escape_like(text: str) -> str:
    """``text`` matched literally by ``LIKE … ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def each_once(functions: Iterable[Callable | None]) -> Iterator[Callable]:
    """Each function once, in order, Nones skipped (filters read together share one)."""
    seen: list[Callable] = []
    for fn in functions:
        if fn is not None and fn not in seen:
            seen.append(fn)
            yield fn
