"""Issue 12, finding 5: schemathesis against the API's own OpenAPI schema, run by the suite.

Every operation of the schema served at ``/api/openapi.json`` is called in-process through
the WSGI application (``bangban.wsgi.application``) with data schemathesis generates from
the schema — valid and invalid (its positive and negative modes), NUL characters included —
as a staff member with an API token, and no answer may be 5xx. It runs on the suite's
database: SQLite, and PostgreSQL when BANGBAN_DATABASE_URL is set (where a NUL character
once answered 500 in every string field).

The operations are read from ``api.get_openapi_schema()`` when the tests are collected, one
test per operation (``test_the_served_schema_is_the_one_fuzzed`` checks that it is the
schema the site serves). Schemathesis's own pytest loader (``from_fixture``) does not work
with pytest 9, so each operation's strategy is driven with Hypothesis directly.

The requests go straight to the WSGI application, not through Django's test client, so the
database connection is kept open across them the way the test client keeps it
(``close_old_connections`` would otherwise end the test's transaction after one request).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from bangban.api import api
from bangban.apiauth.tokens import token_create


def served_form(schema: dict) -> dict:
    """The schema as JSON has it (response codes as text keys, as the site serves it)."""
    return json.loads(json.dumps(schema, cls=DjangoJSONEncoder))


SCHEMA = schemathesis.openapi.from_dict(served_form(api.get_openapi_schema()))
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


def test_the_served_schema_is_the_one_fuzzed(db):
    served = Client().get("/api/openapi.json")
    assert served.status_code == 200
    assert served.json() == served_form(api.get_openapi_schema())
    assert len(OPERATIONS) >= 15  # every operation, none lost to a schema error


@pytest.fixture
def app(db, world):
    """The WSGI application, with a case, its client and a consultation to be named."""
    from bangban.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(world) -> dict:
    """Path parameters that name real objects, so the fuzzing gets past "not found"."""
    from bangban.cases.tests.helpers import open_case
    from bangban.consultations.models import ConsultationChannel
    from bangban.consultations.services import consultation_record

    case = open_case(world)
    consultation = consultation_record(
        staff=world.coordinator,
        client_name="张三",
        contact="13812345678",
        channel=list(ConsultationChannel)[0],
        content="开饭店要办哪些证",
    )
    return {"number": case.number, "client_id": case.client_id, "consultation_id": consultation.pk}


@pytest.fixture
def api_headers(world):
    """A coordinator's token: the persona that may see and do the most at the county."""
    _, raw = token_create(staff=world.coordinator, name="模糊测试")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_finding_5_fuzzing_the_api_never_answers_5xx(label, app, api_headers, real_ids):
    operation = OPERATIONS[label]
    names = {p.name for p in operation.path_parameters}
    real = {k: v for k, v in real_ids.items() if k in names}
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if real and names <= set(real):  # and half the time, an object that exists
        strategies += [operation.as_strategy(mode, path_parameters=real) for mode in GenerationMode]
    cases = st.one_of(*strategies)

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case):
        cache.clear()  # the API's own rate limits would soon answer 429 to everything
        response = case.call(app=app, headers=api_headers)
        case.validate_response(response, checks=[not_a_server_error])

    run()
