"""Rendered map images and printable county reports (filled in by the report-maps work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
