"""The projects collection: one feature per project, with its labels, counties and first source sentence."""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Table, Text, and_, case, cast, func, select, true, update

from geoapp.catalog.cql import Queryable
from geoapp.catalog.crs import CRS84
from geoapp.catalog.filters import FILTER_PARAMS, ProjectFilter, parse_filters
from geoapp.catalog.properties import PROJECT_COLUMNS, python_properties, sql_pairs
from geoapp.catalog.queries import (
    all_mentions,
    apply_filter,
    corridor_geometry,
    county_names,
    first_mentions,
    mention_summaries,
)
from geoapp.catalog.sources.base import Source
from geoapp.catalog.style import CATEGORIES, STATUSES, SUBTYPES
from geoapp.context import Context, as_lists
from geoapp.store.corrections import any_rejected
from geoapp.store.models import MAX_ID, Document, Mention, Meta, Project, ProjectCounty

__all__ = ["ProjectsSource", "properties_version", "refresh_stored_properties", "stored_properties_complete"]


class ProjectsSource(Source):
    id = "projects"
    title = "规划项目 Projects"
    description = (
        "县级规划文件中提到的项目，每个项目一个要素；精度 precision 为 IATI 地理精度代码"
        "（1 精确 … 6 国家）。Projects named in county planning documents, one feature per project."
    )
    params = tuple(p for p in FILTER_PARAMS if p != "bbox")
    id_type = "integer"

    def frm(self):
        return Project.__table__

    def hidden(self, ctx):
        # only when an editor rejected some: the condition costs whole exports ~10 %
        return Project.rejected if any_rejected(ctx.session) else None

    @property
    def id_col(self):
        return Project.id

    @property
    def geom_col(self):
        return Project.geom

    def queryables(self):
        return {
            q.name: q
            for q in (
                Queryable("id", Project.id, "integer", "项目编号"),
                Queryable("name", Project.name, "string", "名称"),
                Queryable("category", Project.category, "string", "类别", CATEGORIES),
                Queryable("subtype", Project.subtype, "string", "子类", SUBTYPES),
                Queryable("status", Project.status, "string", "状态", STATUSES),
                Queryable("county", Project.county_name, "string", "所在区县（主）"),
                Queryable("investment_wan", Project.investment_wan, "number", "总投资（万元）"),
                Queryable("period_start", Project.period_start, "integer", "建设起始年"),
                Queryable("period_end", Project.period_end, "integer", "建设结束年"),
                Queryable("batch", Project.batch, "string", "批次"),
                Queryable("lead_unit", Project.lead_unit, "string", "牵头单位"),
                Queryable("precision", Project.precision, "integer", "地理精度代码 (IATI)"),
                Queryable("location_class", Project.location_class, "integer", "位置类别 (IATI)"),
                Queryable("location_note", Project.location_note, "string", "位置说明"),
                Queryable("geometry", Project.geom, "geometry", "几何"),
            )
        }

    def prepare(self, ctx, args):
        def corridor_exists(cid: str) -> bool:
            return corridor_geometry(ctx.session, cid) is not None

        # bbox is the OGC parameter here (exact intersection, with bbox-crs): not the map's
        plain = {k: v for k, v in as_lists(args).items() if k != "bbox"}
        f, _ = parse_filters(
            plain, strict=True, county_resolver=ctx.county_code, corridor_exists=corridor_exists
        )
        return replace(f, bbox=None)

    def apply(self, ctx, stmt, prepared: ProjectFilter | None):
        if prepared is None:
            return stmt
        return apply_filter(stmt, prepared, ctx.backend, ctx.session, shown_only=False)  # _where hides

    def bbox_condition(self, ctx, bbox):
        b = ctx.backend
        return and_(
            b.bbox_filter("projects", Project.geom, Project.id, bbox),
            b.spatial_predicate("intersects", Project.geom, b.envelope(bbox)),
        )

    def parse_id(self, raw):
        # ids are 32-bit on PostGIS: a larger number is no feature, not a database error
        return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID else None

    def py_columns(self):
        return list(PROJECT_COLUMNS)

    def py_properties(self, ctx, rows, *, lang="zh", mentions="summaries"):
        """The properties of selected rows, built in Python: the one place a project's Python
        properties are made. ``mentions`` says what they tell of the project's sources:
        ``summaries`` (the collection and downloads: the first mention's fields, present on
        every feature, and every document and mention summarised), ``first`` (the JSON API's
        map layer: the first mention's fields when there is one) or ``all`` (a project's own
        page: every mention in full). Labels are in ``lang``."""
        ids = [r.id for r in rows]
        counties = county_names(ctx.session, ids)
        firsts = first_mentions(ctx.session, ids) if mentions != "all" else {}
        every = all_mentions(ctx.session, ids) if mentions != "first" else {}
        out = []
        for r in rows:
            ms = every.get(r.id, [])
            first = firsts.get(r.id) if mentions != "all" else (ms[0] if ms else None)
            props = python_properties(r, counties.get(r.id, []), first, lang)
            if mentions == "summaries":
                for key in ("sentence", "section", "document"):
                    props.setdefault(key, None)  # same keys on every feature (GIS schemas)
                props["documents"], props["mentions"] = mention_summaries(ms)
            elif mentions == "all":
                props["mentions"] = ms
                props["documents"] = sorted({m["document"] for m in ms})
            out.append(props)
        return out

    def stored_properties(self, ctx):
        # Written by ingestion; used only when no project lacks it (one index probe).
        return Project.feature_properties if stored_properties_complete(ctx.session, ctx.backend) else None

    def stored_feature(self, ctx, crs):
        # the default output (CRS84, lon/lat, 7 decimals) is kept whole
        if crs.key != CRS84.key or crs.swap_xy or crs.digits != CRS84.digits:
            return None
        return Project.feature_json if stored_properties_complete(ctx.session, ctx.backend) else None

    def sql_properties(self, ctx, bulk, id_range=None):
        b = ctx.backend
        p = Project
        start, end = p.period_start, p.period_end
        period = case(
            (and_(start.is_(None), end.is_(None)), None),
            (start == end, cast(start, Text)),
            else_=func.coalesce(cast(start, Text), "") + "–" + func.coalesce(cast(end, Text), ""),
        )
        if bulk:
            # One ordered pass over each side table, merge-joined: fast for whole exports.
            counties = select(ProjectCounty).order_by(ProjectCounty.project_id, ProjectCounty.position)
            mentions = b.first_per_group(
                [Mention.project_id.label("pid"), Mention.sentence, Mention.section, Mention.document_id],
                Mention.project_id,
                Mention.id,
            )
            if id_range is not None:  # a chunk of a parallel export reads only its own ids
                counties = counties.where(ProjectCounty.project_id.between(*id_range))
                mentions = mentions.where(Mention.project_id.between(*id_range))
            counties = counties.subquery("pc_sorted")
            pc = (
                select(
                    counties.c.project_id.label("pid"),
                    # input sorted by position: the lists keep that order without a sort per project
                    b.list_agg(counties.c.county_name).label("names"),
                    b.list_agg(counties.c.county_code).label("codes"),
                )
                .group_by(counties.c.project_id)
                .subquery("pc")
            )
            fm = mentions.subquery("fm")
            ms, docs = _mention_lists(b, id_range)
            ms, docs = ms.group_by(Mention.project_id).subquery("ms"), docs.subquery("docs")

            def joins(frm):
                return (
                    frm.outerjoin(pc, pc.c.pid == p.id)
                    .outerjoin(fm, fm.c.pid == p.id)
                    .outerjoin(Document, Document.id == fm.c.document_id)
                    .outerjoin(ms, ms.c.pid == p.id)
                    .outerjoin(docs, docs.c.pid == p.id)
                )

            document = Document.file_name
        else:
            # LATERAL: per-row index lookups, cheapest for a page of a few hundred features.
            pc = (
                select(
                    b.list_agg(ProjectCounty.county_name, ProjectCounty.position).label("names"),
                    b.list_agg(ProjectCounty.county_code, ProjectCounty.position).label("codes"),
                )
                .where(ProjectCounty.project_id == p.id)
                .lateral("pc")
            )
            fm = (
                select(Mention.sentence, Mention.section, Document.file_name.label("file_name"))
                .join(Document, Document.id == Mention.document_id)
                .where(Mention.project_id == p.id)
                .order_by(Mention.id)
                .limit(1)
                .lateral("fm")
            )

            ms, docs = _mention_lists(b, None, project=p.id)
            ms, docs = ms.lateral("ms"), docs.lateral("docs")

            def joins(frm):
                return (
                    frm.outerjoin(pc, true())
                    .outerjoin(fm, true())
                    .outerjoin(ms, true())
                    .outerjoin(docs, true())
                )

            document = fm.c.file_name

        computed = {
            "county_names": func.coalesce(pc.c.names, b.empty_list()),
            "county_codes": func.coalesce(pc.c.codes, b.empty_list()),
            "period": period,
            "documents": func.coalesce(docs.c.documents, b.empty_list()),
            "mentions": func.coalesce(ms.c.mentions, b.empty_json_list()),
        }
        mention = {"sentence": fm.c.sentence, "section": fm.c.section, "document": document}
        pairs = sql_pairs(b, computed, mention)
        return pairs, joins


def _mention_lists(b, id_range, project=None):
    """Every mention of a project as JSON objects, and its documents in order of first
    mention: per project (``project``, for a LATERAL join) or for all (grouped, bulk)."""
    obj = [("document", Document.file_name), ("section", Mention.section), ("sentence", Mention.sentence),
           ("status_phrase", Mention.status_phrase)]  # fmt: skip
    ms = select(Mention.project_id.label("pid"), b.object_list_agg(obj, Mention.id).label("mentions")).join(
        Document, Document.id == Mention.document_id
    )
    first = (
        select(Mention.project_id.label("pid"), Document.file_name, func.min(Mention.id).label("first_id"))
        .join(Document, Document.id == Mention.document_id)
        .group_by(Mention.project_id, Document.file_name)
    )
    if project is not None:
        outer = Project.__table__  # the row the LATERAL joins are evaluated for
        ms = ms.where(Mention.project_id == project).correlate(outer)
        first = first.where(Mention.project_id == project).correlate(outer)
    elif id_range is not None:
        ms = ms.where(Mention.project_id.between(*id_range))
        first = first.where(Mention.project_id.between(*id_range))
    # per project, the inner query refers to the outer row too: LATERAL lets it
    first = first.lateral("first_docs") if project is not None else first.subquery("first_docs")
    docs = select(first.c.pid, b.list_agg(first.c.file_name, first.c.first_id).label("documents")).group_by(
        first.c.pid
    )
    if project is not None:
        ms = ms.group_by(Mention.project_id)
    return ms, docs


#: ``meta`` key of the fingerprint of the SQL that wrote ``projects.feature_properties``
PROPERTIES_VERSION_KEY = "feature_properties_version"
_versions: dict[str, str] = {}


def properties_version(session, backend) -> str:
    """Fingerprint of how feature properties are built (their SQL, with the label tables
    written into it): stored JSON written by another version of the code is not used."""
    name = type(backend).__name__
    if name not in _versions:
        pairs, joins = ProjectsSource().sql_properties(Context(session, backend, {}), bulk=True)
        _, props = backend.json_properties(pairs)
        sql = str(select(props, _stored_feature(backend, props)).compile(dialect=session.get_bind().dialect))
        _versions[name] = hashlib.sha256(sql.encode()).hexdigest()[:16]
    return _versions[name]


def _stored_feature(backend, props):
    """The whole feature in CRS84, as the collection writes it."""
    geometry = backend.geojson_in(Project.geom, CRS84.epsg, CRS84.swap_xy, CRS84.digits)
    return backend.feature_text(Project.id, geometry, props)


def refresh_stored_properties(session, backend, ids: Sequence[int] | None = None) -> None:
    """Write the feature properties of projects ``ids`` into ``projects.feature_properties``:
    the same JSON the collection builds on the fly. Every project is rewritten when ``ids``
    is None or when the stored JSON was written by another version of the code.

    Only where the database builds feature JSON (PostGIS); elsewhere readers build the
    properties in Python and nothing is stored."""
    if not backend.builds_json:
        return
    version = properties_version(session, backend)
    stored = session.get(Meta, PROPERTIES_VERSION_KEY)
    if stored is None or stored.value != version:
        ids = None
        if stored is None:
            session.add(Meta(key=PROPERTIES_VERSION_KEY, value=version))
        else:
            stored.value = version
    src = ProjectsSource()
    ctx = Context(session, backend, {})
    chunks = [None] if ids is None else [list(ids[i : i + 900]) for i in range(0, len(ids), 900)]
    for chunk in chunks:
        if chunk == []:
            continue
        # every project: one merge-joined pass over the side tables; a few: index lookups
        pairs, joins = src.sql_properties(ctx, bulk=chunk is None)
        row, props = backend.json_properties(pairs)
        sub = select(Project.id.label("pid"), props.label("props")).select_from(
            joins(Project.__table__).join(row, true())
        )
        if chunk is not None:
            sub = sub.where(Project.id.in_(chunk))
        computed = sub.subquery("computed")
        session.execute(
            update(typing.cast(Table, Project.__table__))
            .where(Project.id == computed.c.pid)
            .values(
                feature_properties=computed.c.props, feature_json=_stored_feature(backend, computed.c.props)
            )
        )


def stored_properties_complete(session, backend) -> bool:
    """Does every project have stored properties written by this version of the code (so
    readers can skip the joins)?"""
    if not backend.builds_json:
        return False
    stored = session.execute(select(Meta.value).where(Meta.key == PROPERTIES_VERSION_KEY)).scalar()
    if stored != properties_version(session, backend):
        return False
    missing = session.execute(select(Project.id).where(Project.feature_properties.is_(None)).limit(1)).first()
    return missing is None
