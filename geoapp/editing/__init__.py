"""Corrections by people, as plain functions: ``(… ) -> (headers, status, body)`` for the API,
and the same work for the command line.

* :mod:`~geoapp.editing.validation` — values checked (vocabulary, IATI precision codes, a valid
  geometry inside China, a required comment) before anything is written.
* :mod:`~geoapp.editing.changes` — :func:`correct`, :func:`revert`, :func:`history`: one
  transaction per correction; ``If-Match`` with the project's version (its ``ETag``) makes a
  stale edit a 412 instead of silently overwriting someone else's.
* :mod:`~geoapp.editing.features` — the same through OGC API – Features Part 4.
* :mod:`~geoapp.editing.merge` — :func:`merge` two projects that are one, :func:`split` one
  that is two: one act, a correction on each project, undone together.
* :mod:`~geoapp.editing.transfer` — JSON Lines export/import, provenance kept.
* :mod:`~geoapp.editing.from_layer` — a layer edited in a GIS: its differences become
  corrections, one per project, in one transaction (``geoapp corrections from-layer``).
* :mod:`~geoapp.editing.review` — the review queue: what is most worth a person's look.

:mod:`geoapp.store.corrections` applies the values and keeps them through re-ingestion.
"""

from geoapp.editing.changes import correct, history, project_version, revert
from geoapp.editing.features import ogc_create, ogc_delete, ogc_replace
from geoapp.editing.merge import merge, split
from geoapp.editing.review import review_queue
from geoapp.editing.transfer import export_corrections, import_corrections
from geoapp.editing.validation import CHINA_BOUNDS, validate_changes

__all__ = [
    "correct",
    "revert",
    "merge",
    "split",
    "ogc_create",
    "ogc_replace",
    "ogc_delete",
    "history",
    "project_version",
    "validate_changes",
    "export_corrections",
    "import_corrections",
    "CHINA_BOUNDS",
    "review_queue",
]
