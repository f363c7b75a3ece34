"""Corrections from a GIS layer edited in QGIS (``geoapp corrections from-layer``).

Contract: :func:`from_layer` reads a GeoPackage, Shapefile, GeoJSON … (through
:func:`gazetteer.layerfile.read_rows`, reprojected to WGS84), finds each row's project by the
``id_field`` and compares the editable fields present in the file — :data:`LAYER_FIELDS` —
with the project as served. Every project that differs gets one correction (all with the one
comment), in one transaction for the whole file. Any bad row (unknown or repeated id, an
empty or unknown value, an empty or invalid geometry, a geometry outside China — usually a
wrong CRS) is one line of :class:`LayerProblems` and nothing is written. ``dry_run`` only
reports what would change.

Geometries are compared with a tolerance: coordinates that travelled through a file (a
GeoPackage, a reprojection to CGCS2000 Gauss–Krüger and back) differ in their last digits.
A geometry counts as changed when its kind (point, line, area) differs or when some vertex
of one lies more than :data:`GEOMETRY_TOLERANCE` degrees (~1 cm) from the other (Hausdorff
distance); a single-part multi geometry (Shapefiles make every line a MultiLineString) is
read as its one part. A moved geometry is placed exactly (precision 1) unless the file gives
another precision than the project had, as with the other ways of editing.

>>> _describe("aliases", ["甲", "乙"]), _describe("precision", 3)
('甲、乙', '3')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from sqlalchemy import select

from gazetteer.errors import LayerError
from gazetteer.layerfile import ReadOptions, read_rows, split_aliases
from geoapp.catalog.sources.projects import refresh_stored_properties
from geoapp.context import Context
from geoapp.editing.changes import record, utc_now
from geoapp.editing.validation import require_comment, validate_changes
from geoapp.errors import InvalidParameter
from geoapp.store import data_version
from geoapp.store.corrections import current_values, project_geometry, same_value
from geoapp.store.models import MAX_ID, Correction, Project, User

__all__ = ["from_layer", "LayerReport", "LayerProblems", "LAYER_FIELDS", "GEOMETRY_TOLERANCE"]

#: the fields a layer may correct (compared only where the file has the column)
LAYER_FIELDS = ("name", "aliases", "category", "subtype", "status", "precision")
#: degrees (~1 cm): closer than this, two geometries are the same
GEOMETRY_TOLERANCE = 1e-7
#: at most this many bad rows are listed (then how many more)
MAX_PROBLEMS = 50
_KINDS = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line"}


class LayerProblems(InvalidParameter):
    """Rows of the layer that cannot be used: one line each (``lines``)."""

    def __init__(self, lines: list[str]):
        shown = lines[:MAX_PROBLEMS]
        if len(lines) > MAX_PROBLEMS:
            shown.append(f"… and {len(lines) - MAX_PROBLEMS} more rows with problems")
        self.lines = shown
        super().__init__("; ".join(shown))


@dataclass
class ProjectChange:
    """What one row changes on one project."""

    project_id: int
    row: int
    changes: dict[str, Any]
    previous: dict[str, Any]


@dataclass
class LayerReport:
    """What a layer changed (or would change, ``dry_run``)."""

    rows: int
    changes: list[ProjectChange] = field(default_factory=list)
    dry_run: bool = False
    #: values left as a person corrected them: the file holds what the correction replaced
    stale: int = 0

    @property
    def unchanged(self) -> int:
        return self.rows - len(self.changes)

    def table(self) -> list[str]:
        """One line per changed field: ``id  field  old → new``."""
        out = []
        for c in self.changes:
            for name, new in c.changes.items():
                old = _describe(name, c.previous.get(name))
                out.append(f"{c.project_id}\t{name}\t{old} → {_describe(name, new, c.previous.get(name))}")
        return out

    def summary(self) -> str:
        verb = "would get" if self.dry_run else "got"
        n = len(self.changes)
        text = f"{self.rows} rows read: {n} project{'s' * (n != 1)} {verb} a correction, {self.unchanged} unchanged"
        if self.stale:
            text += f"; {self.stale} values older than a correction left as corrected"
        return text


def from_layer(
    ctx: Context,
    user: User,
    path: str | Path,
    *,
    id_field: str,
    comment: str,
    layer: str | None = None,
    crs: str | None = None,
    datum: str | None = None,
    dry_run: bool = False,
) -> LayerReport:
    """Turn the differences between the layer at ``path`` and the stored projects into
    corrections by ``user`` (see the module's contract). ``crs``/``datum``: for a file that
    does not say its coordinate system (a Shapefile without ``.prj``), as for gazetteer layers."""
    note = require_comment({"comment": comment})
    if crs and datum:
        raise InvalidParameter("give --crs or --datum, not both")
    try:
        frame, geoms = read_rows(path, ReadOptions(layer=layer, crs=crs, datum=datum))
    except LayerError as exc:
        raise InvalidParameter(str(exc)) from None
    if id_field not in frame.columns:
        fields = ", ".join(str(c) for c in frame.columns)[:300]
        raise InvalidParameter(
            f"no field {id_field!r} for the project ids in {Path(path).name} (fields: {fields})"
        )
    rows = frame.to_dict("records")
    fields = [f for f in LAYER_FIELDS if f in frame.columns]
    has_geometry = any(g is not None for g in geoms)  # else a table of attributes only
    with ctx.database.session() as session:
        first, problems = _ids(rows, id_field)
        projects = _projects(session, list(first))
        replaced = _replaced(session, projects.values())
        report = LayerReport(rows=len(rows), dry_run=dry_run)
        for pid, n in first.items():
            project, where = projects.get(pid), f"row {n} (id {pid})"
            if project is None or project.rejected:
                problems.append(f"{where}: no such project{_hidden(project)}")
                continue
            try:
                change = _row_changes(project, rows[n - 1], fields, geoms[n - 1] if has_geometry else False)
            except InvalidParameter as exc:
                problems.append(f"{where}: {exc}")
                continue
            stale = _stale(change, replaced.get(project.key, {}))
            report.stale += len(stale)
            change = {k: v for k, v in change.items() if k not in stale}
            if change:
                report.changes.append(ProjectChange(pid, n, change, current_values(project, change)))
        if problems:
            raise LayerProblems(sorted(problems, key=_row_number))
        if not dry_run and report.changes:
            moment = utc_now()
            for c in report.changes:
                record(session, user, projects[c.project_id], c.changes, note, moment=moment)
            session.flush()
            refresh_stored_properties(session, ctx.backend, [c.project_id for c in report.changes])
            data_version.bump(session)
    return report


def _hidden(project: Project | None) -> str:
    if project is None:
        return ""
    return " (merged into another)" if project.merged_into else " (marked not a project)"


def _projects(session, ids: list[int]) -> dict[int, Project]:
    return {
        p.id: p
        for start in range(0, len(ids), 900)
        for p in session.scalars(select(Project).where(Project.id.in_(ids[start : start + 900])))
    }


def _replaced(session, projects) -> dict[str, dict[str, list[Any]]]:
    """Per project key and field, the values that active corrections replaced."""
    keys = [p.key for p in projects if p.corrected]
    out: dict[str, dict[str, list[Any]]] = {}
    for start in range(0, len(keys), 900):
        for c in session.scalars(
            select(Correction).where(
                Correction.project_key.in_(keys[start : start + 900]),
                Correction.state == "active",
                Correction.action != "revert",
            )
        ):
            for name, value in (c.previous or {}).items():
                out.setdefault(c.project_key, {}).setdefault(name, []).append(value)
    return out


def _stale(change: dict[str, Any], replaced: dict[str, list[Any]]) -> set[str]:
    """The fields where the file holds a value a person's correction replaced: a file exported
    before that correction, which never undoes it (a revert does)."""
    stale = set()
    for name, value in change.items():
        for old in replaced.get(name, []):
            if old is not None and (
                _same_geometry(shapely.geometry.shape(old), shapely.geometry.shape(value))
                if name == "geometry"
                else same_value(name, old, value)
            ):
                stale.add(name)
    if "geometry" in stale and change.get("precision") == 1:
        stale.add("precision")  # set because the geometry moved, and it did not
    return stale


def _row_number(line: str) -> int:
    digits = line[4:].split(" ", 1)[0].rstrip(":")
    return int(digits) if line.startswith("row ") and digits.isdigit() else 0


def _row_id(value: Any) -> int | None:
    if _missing(value):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 < number <= MAX_ID else None


def _ids(rows: list[dict[str, Any]], id_field: str) -> tuple[dict[int, int], list[str]]:
    """The first row of each project id, and a line for each row without one or with a repeated one."""
    seen: dict[int, int] = {}
    problems = []
    for n, row in enumerate(rows, start=1):
        raw = row.get(id_field)
        pid = _row_id(raw)
        if pid is None:
            problems.append(f"row {n}: {id_field} {_short(raw)!r} is not a project id")
        elif pid in seen:
            problems.append(f"row {n} (id {pid}): the same project as row {seen[pid]}")
        else:
            seen[pid] = n
    return seen, problems


def _row_changes(project: Project, row: dict[str, Any], fields: list[str], geom) -> dict[str, Any]:
    """The values of ``row`` that differ from the project's, checked (raises InvalidParameter);
    ``geom`` False: the file has no geometries."""
    now = current_values(project, fields)
    wanted: dict[str, Any] = {}
    for name in fields:
        value = _value(name, row[name])
        if not _same_text(name, now[name], value):
            wanted[name] = value
    if geom is None:
        raise InvalidParameter("no geometry")
    if geom is not False and not _same_geometry(
        shapely.geometry.shape(project_geometry(project)), _simple(geom)
    ):
        geom = _simple(geom)
        wanted["geometry"] = mapping(geom)
        if wanted.get("precision", project.precision) == project.precision:
            wanted["precision"] = 1  # moved by a person: placed exactly, unless the file says otherwise
    if not wanted:
        return {}
    try:
        checked = validate_changes(wanted)
    except InvalidParameter as exc:
        if "outside China" in str(exc):
            raise InvalidParameter("geometry lies outside China: is the file's CRS right?") from None
        raise
    now = current_values(project, checked)
    return {k: v for k, v in checked.items() if not same_value(k, now[k], v)}


def _value(name: str, raw: Any) -> Any:
    empty = _missing(raw) or str(raw).strip() == ""
    if name == "aliases":
        return [] if empty else list(split_aliases(str(raw)))
    if empty:
        raise InvalidParameter(f"{name} is empty")
    if name == "precision":
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise InvalidParameter(f"precision {_short(raw)!r} is not an IATI code") from None
        return int(number) if number.is_integer() else number
    return str(raw).strip()


def _same_text(name: str, now: Any, value: Any) -> bool:
    """Equal, or cut by a Shapefile's 254 bytes (``…``) from the same text."""
    if same_value(name, now, value):
        return True
    if name == "aliases":
        now, value = "、".join(now or []), "、".join(value)
    return isinstance(value, str) and value.endswith("…") and str(now).startswith(value[:-1])


def _simple(geom):
    """2D, and a single-part multi geometry as its one part."""
    geom = shapely.force_2d(geom)
    if geom.geom_type.startswith("Multi") and shapely.get_num_geometries(geom) == 1:
        return shapely.get_geometry(geom, 0)
    return geom


def _same_geometry(a, b) -> bool:
    a = _simple(a)
    kind_a, kind_b = _KINDS.get(a.geom_type, "area"), _KINDS.get(b.geom_type, "area")
    if kind_a != kind_b or a.is_empty or b.is_empty:
        return kind_a == kind_b and a.is_empty == b.is_empty
    if a.equals_exact(b, GEOMETRY_TOLERANCE):  # the usual case, and fast on long outlines
        return True
    return bool(shapely.hausdorff_distance(a, b) <= GEOMETRY_TOLERANCE)


def _missing(value: Any) -> bool:
    """None, NaN or pandas' NA (an empty cell of an integer column)."""
    import pandas as pd

    return value is None or (not isinstance(value, (str, list)) and bool(pd.isna(value)))


def _short(value: Any) -> str:
    return str(value)[:40]


def _describe(name: str, value: Any, before: Any = None) -> str:
    """A value for the dry run's table (geometries: kind, vertices, and how far it moved)."""
    if name == "aliases":
        return "、".join(value or []) or "—"
    if name != "geometry" or value is None:
        return "—" if value is None else str(value)
    shape = shapely.geometry.shape(value)
    text = f"{shape.geom_type}/{shapely.get_num_coordinates(shape)} pts"
    if before is not None:
        metres = shapely.hausdorff_distance(shapely.geometry.shape(before), shape) * 111_000
        text += f" (≤ {metres:,.0f} m away)"
    return text
