"""Schemathesis against the OpenAPI document, over real HTTP, on both backends.

Every operation of ``/api`` gets generated requests — valid and invalid parameters,
odd strings, huge numbers — and every response is checked with schemathesis's checks:
no 5xx, a status code the document declares, a declared content type, JSON bodies
matching their schema.

Bounded for ``make test`` (``GEOAPP_FUZZ_EXAMPLES`` per operation and mode, valid and invalid
input, default 25: about 1,000 requests per backend, which keeps ``make test`` within its time
budget); ``make fuzz`` runs the same test with 400 (about 16,000 requests per backend). The
number of requests sent is printed.
Two of schemathesis's checks are left out: see the comment in ``_fuzz``.
"""

from __future__ import annotations

import logging
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from tests.conftest import ARTIFACTS, LiveServer

# thousands of requests: the live server's access log would only bury the result
logging.getLogger("werkzeug").setLevel(logging.ERROR)

EXAMPLES = int(os.environ.get("GEOAPP_FUZZ_EXAMPLES", "25"))
#: expensive operations get fewer examples (each render draws a map; a download writes a file)
SLOW = {"renderMap": 0.2, "downloadProjects": 0.4, "countyReport": 0.4}
#: writes: without a token every one is a 401 before the body is read (tests/test_corrections.py
#: sends them real bodies), so a few examples each check that answer and its schema
WRITES = (
    "correctProject",
    "revertCorrection",
    "createProject",
    "replaceProject",
    "patchProject",
    "rejectProject",
    "mergeProject",
    "splitProject",
)
SLOW.update(dict.fromkeys(WRITES, 0.1))
#: the single-geometry collections (projects-points …) run their mixed collection's code, fuzzed
#: in full: a few examples each (3 by default), enough to check their own geometry schema
VIEW_SHARE = 0.06


def _fuzz(operation, mode, sent: list[int]) -> None:
    op_id = operation.definition.raw.get("operationId", "")
    share = SLOW.get(op_id, VIEW_SHARE if op_id.endswith(("-points", "-lines", "-areas")) else 1)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=max(3, int(EXAMPLES * share)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        sent.append(1)
        # Every check but two that compare the server's strictness with the document's:
        # - "positive data acceptance": the document does not spell out every rule the
        #   server applies (no control characters in text, years 1900–2100, bbox corners
        #   inside the CRS's area), so a stricter server is no failure;
        # - "negative data rejection": the server is deliberately lenient where clients
        #   expect it (an empty value is an absent one, as HTML forms send them; a limit
        #   above the maximum is served at the maximum, as OGC API – Features allows; a
        #   non-string name in a geocoding batch gets its own "not a string" result).
        # Whatever the input, the answer must still be no 5xx, a documented status and
        # content type, and a body matching its schema.
        case.call_and_validate(
            timeout=60, excluded_checks=[positive_data_acceptance, negative_data_rejection]
        )

    run()


def test_api_never_fails(app, capsys):
    failures: list[str] = []
    sent: list[int] = []
    with LiveServer(app) as server:
        schema = schemathesis.openapi.from_url(f"{server.url}/api?f=json")
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz(operation, mode, sent)
                except Unsatisfiable:  # no parameters to break (e.g. /healthz in negative mode)
                    continue
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 — collect every operation's failure
                    failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    with capsys.disabled():
        print(f"\nschemathesis: {len(sent)} requests, {len(failures)} failing operations")
    if failures:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "fuzz-failures.txt").write_text("\n\n".join(failures), encoding="utf-8")
        pytest.fail("\n\n".join(failures), pytrace=False)
