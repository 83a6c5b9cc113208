"""schemathesis against the OpenAPI spec, in process: no 5xx, responses as documented.

Positive and negative examples for every operation, with and without the token; the
checks are no server error, documented status codes, content types and response schemas.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from web_support import AUTH, make_quarantine

EXAMPLES = 25  # per operation: the whole run stays well under a minute


def test_api_spec_fuzzing_finds_no_server_error(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import schemathesis
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )
    from schemathesis.generation import GenerationMode

    from emoguard.testing import emotet

    state = tmp_path / "fuzz-state"
    make_quarantine(tmp_path, state, n=1)  # something real to list, get and release
    client = make_client(state_dir=state, max_upload=300_000)
    client.post("/api/v1/analyze", content=emotet.thread_hijack_doc(seed=1),
                headers={**AUTH, "Content-Type": "message/rfc822"})
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app, headers=AUTH)
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) == 7
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures: list[str] = []
    for op, mode in ((op, mode) for op in ops for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
        if op.path == "/api/v1/health" and mode is GenerationMode.NEGATIVE:
            continue  # nothing to get wrong
        run = _runner(op, op.as_strategy(generation_mode=mode), checks, failures)
        try:
            run()
        except Exception as e:  # collect every operation's problem, then fail once
            failures.append(f"{op.label} ({mode.value}): {type(e).__name__}: {str(e)[:800]}")
    assert len(CALLS) > 200
    if failures:
        pytest.fail("\n".join(failures))


CALLS: list[int] = []


def _runner(op, strategy, checks, failures):  # type: ignore[no-untyped-def]
    """The hypothesis test for one operation (a function, so each closes over its own op)."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy, with_token=st.booleans())
    def run(case, with_token: bool) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=AUTH if with_token else {})
        CALLS.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{op.label}: {response.status_code} {response.text[:200]}")
        if not with_token and op.path != "/api/v1/health":
            assert response.status_code == 401, (op.label, response.status_code)
        case.validate_response(response, checks=checks)

    return run
