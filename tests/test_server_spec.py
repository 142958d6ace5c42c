"""A bounded schemathesis run against the spec the server serves: no 5xx, answers as documented."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from companion.pipeline import analyze_file
from tests.support.server import OWNER_KEY

OWNER = {"Authorization": f"Bearer {OWNER_KEY}"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_api_answers_as_its_spec_says(app, store, settings, sample_vtt):
    # Real sessions to aim at (an analysed one with a report, a scheduled live one), besides random ids.
    result = analyze_file(sample_vtt, settings)
    sids = [store.save_analysis(result.report, result.utterances, title="Sample", source="sample.vtt"),
            store.create_session(title="Live", participants=[{"name": "Ann", "role": "coach"},
                                                             {"name": "Bo", "role": "coachee"}])["id"]]
    # The spec as the owner fetches it from the running app, not as the code would build it.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=OWNER)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:
        @given(case=operation.as_strategy(), aim=st.sampled_from([None, *sids]))
        @hypothesis_settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case, aim):
            if aim is not None and "sid" in (case.path_parameters or {}):
                case.path_parameters["sid"] = aim
            case.call_and_validate(headers=OWNER, checks=CHECKS)

        check()
