"""IATI / AidData geographic precision codes and location classes, in words.

>>> describe(5, "zh")
'位置为估计：沿线路或在地点之间'
>>> describe(2, "en")
'near the named place (within ~25 km)'
>>> more_specific(5, 3), more_specific(3, 5), more_specific(2, 5)
(True, False, True)
"""

from __future__ import annotations

__all__ = [
    "EXACT",
    "NEAR",
    "COUNTY",
    "PROVINCE",
    "ESTIMATED",
    "COUNTRY",
    "SUBCOUNTY",
    "PRECISION",
    "SHORT",
    "describe_short",
    "LOCATION_CLASS",
    "describe",
    "describe_class",
    "SPECIFICITY",
    "more_specific",
]

EXACT = 1
NEAR = 2
COUNTY = 3
PROVINCE = 4
ESTIMATED = 5
COUNTRY = 6
SUBCOUNTY = 9

#: code → (Chinese, English)
PRECISION: dict[int, tuple[str, str]] = {
    1: ("位置精确", "exact location"),
    2: ("位置接近：在所列地点附近（25 公里内）", "near the named place (within ~25 km)"),
    3: ("位置仅精确到区县", "located only to the county/district"),
    4: ("位置仅精确到省（直辖市）", "located only to the province/municipality"),
    5: ("位置为估计：沿线路或在地点之间", "estimated: along a route or between places"),
    6: ("位置仅精确到国家", "located only to the country"),
    7: ("位置未知", "location unknown"),
    8: ("位置为估计：中央政府", "estimated: central government"),
    9: ("位置为估计：区县以下行政区", "estimated: sub-county administrative area"),
}

#: code → a word or two in Chinese, for table cells (the full wording is :data:`PRECISION`)
SHORT: dict[int, str] = {1: "精确", 2: "附近", 3: "区县", 4: "省级", 5: "示意", 6: "国家", 9: "乡镇级"}

#: class → (Chinese, English)
LOCATION_CLASS: dict[int, tuple[str, str]] = {
    1: ("行政区", "administrative region"),
    2: ("居民点", "populated place"),
    3: ("设施或构筑物", "structure"),
    4: ("其他地理要素", "other topographical feature"),
}


#: the codes from most to least specific. The codes are not in that order: a line drawn
#: through a route's resolved stops (5) says more than the outline of its county (3), and a
#: sub-county area (9) more than the county; "central government" (8) and "unknown" (7) last.
SPECIFICITY: tuple[int, ...] = (1, 2, 5, 9, 3, 4, 8, 6, 7)


def more_specific(a: int, b: int) -> bool:
    """Does precision code ``a`` place a thing more specifically than ``b``?"""
    order = {code: i for i, code in enumerate(SPECIFICITY)}
    return order.get(a, len(order)) < order.get(b, len(order))


def describe(precision: int, lang: str = "zh") -> str:
    """The precision code in words (``lang`` is ``zh`` or ``en``)."""
    zh, en = PRECISION.get(precision, PRECISION[7])
    return zh if lang == "zh" else en


def describe_short(precision: int) -> str:
    """The precision code in a word or two (Chinese); the full wording where none is shorter.

    >>> describe_short(3), describe_short(8)
    ('区县', '位置为估计：中央政府')
    """
    return SHORT.get(precision) or describe(precision, "zh")


def describe_class(location_class: int, lang: str = "zh") -> str:
    zh, en = LOCATION_CLASS.get(location_class, ("未知", "unknown"))
    return zh if lang == "zh" else en
