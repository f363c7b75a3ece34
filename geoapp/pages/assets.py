"""Serve folium's front-end assets from ``static/`` instead of CDNs.

folium's element classes list their JS/CSS as ``default_js`` / ``default_css``
pairs of (name, CDN URL). We rewrite those class attributes once, mapping each
CDN URL to the vendored copy listed in ``static/vendor/manifest.json``; a URL
missing from the manifest is an error at start-up, not a blank map in the field.
"""

from __future__ import annotations

import json
from functools import cache

import folium
import folium.plugins  # noqa: F401  (load the plugin classes so they are rewritten too)
from branca.element import Element

from geoapp.settings import STATIC_DIR

__all__ = ["vendor_assets", "MANIFEST", "local_url"]

MANIFEST = STATIC_DIR / "vendor" / "manifest.json"

#: classes geoapp uses; their CDN URLs must all be vendored
_REQUIRED = (
    "Map",
    "MarkerCluster",
    "Fullscreen",
)


@cache
def _manifest() -> dict[str, str]:
    with open(MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def local_url(cdn_url: str, static_prefix: str = "/static") -> str | None:
    path = _manifest().get(cdn_url)
    return None if path is None else f"{static_prefix}/{path}"


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


@cache
def vendor_assets(static_prefix: str = "/static") -> int:
    """Point every folium class at the vendored files. Returns how many URLs changed."""
    changed = 0
    missing = []
    for cls in _subclasses(Element):
        for attr in ("default_js", "default_css"):
            pairs = cls.__dict__.get(attr)
            if not pairs:
                continue
            new = []
            for name, url in pairs:
                local = local_url(url, static_prefix)
                if local is None:
                    if url.startswith("http") and cls.__name__ in _REQUIRED:
                        missing.append(url)
                    new.append((name, url))
                else:
                    new.append((name, local))
                    changed += 1
            setattr(cls, attr, new)
    if missing:
        raise RuntimeError("front-end assets not vendored: " + ", ".join(missing))
    return changed
