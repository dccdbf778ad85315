"""Staff's decisions name the entry version they were made on (`If-Match`, issue #25 item 9),
over real HTTP, PostgreSQL and RabbitMQ (see screening_fixtures).

The afternoon the issue tells of: screening some seconds behind intake, staff decide on the
entry as intake shows it (amended since screening last looked); screening then catches up with
the amendment that came *before* the decisions and lapses them. Now screening refuses a
decision on a version it has not applied yet (409, 请刷新后重试, with the version it has), and
one on a version the entry has moved past; only a change after a decision lapses it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from sqlalchemy import func, select

from shared.consumer import _CONSUMER_LOCK
from tests.entries import full_body
from tests.integration import screening_fixtures
from tests.integration.screening_fixtures import ScreeningApi

screening_api = screening_fixtures.screening_api  # the fixture, used by name below

BASE = "/api/v1/screenings"
FIELDS = {k: v for k, v in full_body("achievement").items() if k != "call_id"}


def decide(
    api: ScreeningApi, sid: str, what: str, body: dict[str, Any], version: int | None
) -> requests.Response:
    headers = {} if version is None else {"If-Match": f'"{version}"'}
    return api.call("POST", f"{BASE}/{sid}/{what}", role="staff", json=body, headers=headers)


@contextmanager
def consumer_held_back(api: ScreeningApi) -> Iterator[None]:
    """Screening's subscription cannot apply anything while this holds its advisory lock (each
    batch takes it first): the stack "behind" as on a busy afternoon, decisions still served."""
    with api.store.engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(_CONSUMER_LOCK, func.hashtext("screening"))))
        yield


def in_review(api: ScreeningApi) -> str:
    feed = api.feed
    sid = feed.draft()
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(sid, kind)
    feed.submit(sid)
    api.wait_for(sid, "in_review", until=lambda s: s["entry_version"] == 2)
    return sid


def test_a_decision_on_a_version_screening_has_not_applied_is_refused_not_lapsed_later(
    screening_api: ScreeningApi,
) -> None:
    api, feed = screening_api, screening_api.feed
    sid = in_review(api)
    with consumer_held_back(api):
        amended = feed.update(sid, FIELDS | {"summary": "修改后的项目简介"})
        assert amended.version == 3  # what intake shows staff now
        for what, body in (("review", {"decision": "eligible"}),
                           ("selection", {"decision": "selected"})):  # fmt: skip
            refused = decide(api, sid, what, body, amended.version)
            assert refused.status_code == 409, refused.text
            error = refused.json()["error"]
            assert error["code"] == "version_conflict"
            assert "请稍后刷新后重试" in error["message"]
            assert error["current_version"] == 2
        assert api.get(sid).json()["review"] is None
    # Caught up: the same decision on the same version now stands, and nothing undoes it.
    api.wait_for(sid, "in_review", until=lambda s: s["entry_version"] == 3)
    reviewed = decide(api, sid, "review", {"decision": "eligible"}, 3)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["review"]["entry_version"] == 3
    api.forward(sid)  # the district's batch: its own stream, no new entry version
    selected = decide(api, sid, "selection", {"decision": "selected"}, 3)
    assert selected.status_code == 200, selected.text
    api.settle("intake")
    shown = api.get(sid).json()
    assert shown["state"] == "eligible" and shown["review"]["decision"] == "eligible"
    assert shown["selection"]["decision"] == "selected" and not shown["selection"]["lapsed"]
    assert not api.events(sid, "ReviewLapsed")


def test_a_decision_on_an_outdated_version_is_refused_with_the_current_one(
    screening_api: ScreeningApi,
) -> None:
    api, feed = screening_api, screening_api.feed
    sid = in_review(api)
    feed.update(sid, FIELDS | {"summary": "第二稿"})
    api.wait_for(sid, "in_review", until=lambda s: s["entry_version"] == 3)
    stale = decide(api, sid, "review", {"decision": "eligible"}, 2)
    assert stale.status_code == 409, stale.text
    error = stale.json()["error"]
    assert error["code"] == "version_conflict" and error["current_version"] == 3
    assert "请刷新后重试" in error["message"]
    assert api.get(sid).json()["review"] is None
    # Weak and unquoted forms name a version too; a non-number is a 422.
    odd = api.call("POST", f"{BASE}/{sid}/review", role="staff", json={"decision": "eligible"},
                   headers={"If-Match": "v2"})  # fmt: skip
    assert odd.status_code == 422 and "If-Match" in odd.json()["error"]["fields"]
    assert decide(api, sid, "review", {"decision": "eligible"}, 3).status_code == 200
    api.forward(sid)
    stale_select = decide(api, sid, "selection", {"decision": "selected"}, 2)
    assert stale_select.status_code == 409
    assert stale_select.json()["error"]["current_version"] == 3
    assert decide(api, sid, "selection", {"decision": "selected"}, 3).status_code == 200
    stale_rank = decide(api, sid, "recommendation", {"rank": 1, "reason": "优"}, 2)
    assert stale_rank.status_code == 409, stale_rank.text
    recommended = decide(api, sid, "recommendation", {"rank": 1, "reason": "优"}, 3)
    assert recommended.status_code == 200, recommended.text
    assert recommended.json()["recommendation"]["rank"] == 1


def test_only_a_change_after_the_decisions_lapses_them(screening_api: ScreeningApi) -> None:
    api, feed = screening_api, screening_api.feed
    sid = in_review(api)
    assert decide(api, sid, "review", {"decision": "eligible"}, 2).status_code == 200
    api.forward(sid)
    assert decide(api, sid, "selection", {"decision": "selected"}, 2).status_code == 200
    assert decide(api, sid, "recommendation", {"rank": 1, "reason": "优"}, 2).status_code == 200
    later = feed.update(sid, FIELDS | {"summary": "入选后又改了简介"})
    shown = api.wait_for(sid, "in_review", until=lambda s: s["entry_version"] == later.version)
    assert shown["review"] is None and shown["recommendation"] is None
    assert shown["selection"]["decision"] == "not_selected" and shown["selection"]["lapsed"]
    (lapse,) = [e for e in api.events(sid, "SelectionRecorded") if e.data["lapsed"]]
    assert lapse.causation_id == later.event_id
