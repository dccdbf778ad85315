"""Property-based fuzz of create and patch bodies: whatever arrives, intake answers below 500,
in the documented shape."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.entries import full_body
from tests.integration.intake_fixtures import Api

BASE = "/api/v1/submissions"

# What JSON can carry: no NaN or infinity (requests refuses to send them).
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def entry_bodies(draw: st.DrawFn) -> Any:
    """Mostly near-valid bodies (one category's body with some values and keys swapped for
    random JSON), sometimes any JSON value at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    body = full_body(draw(st.sampled_from(["achievement", "promotion", "challenge", "finance"])))
    body["call_id"] = draw(st.sampled_from(["open-call", "tianfu-2021", "nope"]))
    for key in draw(st.lists(st.sampled_from(sorted(body)), max_size=3)):
        body[key] = draw(json_values)
    for key, value in draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)).items():
        body[key] = value
    return body


def assert_documented(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message", "fields"}


FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(body=entry_bodies())
def test_no_create_body_gets_a_5xx(intake_api: Api, body: Any) -> None:
    assert_documented(intake_api.call("POST", BASE, json=body))


@FUZZ
@given(patch=entry_bodies(), if_match=st.sampled_from(['"1"', "1", '"x"', "", '"99"']))
def test_no_patch_body_gets_a_5xx(intake_api: Api, patch: Any, if_match: str) -> None:
    created = intake_api.call("POST", BASE, json=full_body("promotion") | {"call_id": "open-call"})
    path = f"{BASE}/{created.json()['id']}"
    assert_documented(intake_api.call("PATCH", path, headers={"If-Match": if_match}, json=patch))
