"""The login page's data, framework-free: its strings, where to go after, and whether the last
attempt failed (one message for every failure: nothing about which names or tokens exist)."""

from __future__ import annotations

from dataclasses import dataclass

from geoapp.context import lang_of
from geoapp.pages.planner_map import ui_strings

__all__ = ["LoginPage", "login_page"]


@dataclass
class LoginPage:
    lang: str
    t: dict[str, str]
    #: the path to return to (already checked to be on this site)
    next: str
    failed: bool


def login_page(args, next_path: str, failed: bool = False) -> LoginPage:
    lang = lang_of(args)
    return LoginPage(lang=lang, t=ui_strings(lang), next=next_path, failed=failed)
