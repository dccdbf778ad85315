"""Screening over real HTTP, PostgreSQL and RabbitMQ: intake's and media's events, appended to
stores of their own and published by relays, are screened as they come; staff review and
select; the deadline excludes what is still missing (see screening_fixtures)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from kombu import Connection, Producer
from nameko.standalone.rpc import ClusterRpcProxy

from shared.catalog import submission as submission_catalog
from tests.entries import full_body
from tests.integration import screening_fixtures
from tests.integration.helpers import wait_until
from tests.integration.screening_fixtures import ScreeningApi

screening_api = screening_fixtures.screening_api  # the fixture, used by name below

BASE = "/api/v1/screenings"
REVIEW_ITEMS = {
    "achievement.frontier_breakthrough",
    "achievement.maturity",
    "achievement.evident_benefit",
}


def error(response) -> dict:  # type: ignore[no-untyped-def]
    payload = response.json()
    assert set(payload) == {"error"} and {"code", "message", "fields"} <= set(payload["error"])
    return payload["error"]


def finding(shown: dict, rule: str) -> dict:
    return next(f for f in shown["findings"] if f["rule"] == rule)


def post(screening: ScreeningApi, submission_id: str, what: str, body: object, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("role", "staff")
    return screening.call("POST", f"{BASE}/{submission_id}/{what}", json=body, **kwargs)


def test_an_entry_goes_from_incomplete_to_eligible_and_is_selected(
    screening_api: ScreeningApi,
) -> None:
    feed = screening_api.feed
    entry = feed.draft()
    draft = screening_api.wait_for(entry, "pending")
    assert draft["findings"] == [] and draft["review"] is None and draft["version"] == 0

    feed.material(entry, "promo_video")
    feed.material(entry, "introduction")
    feed.submit(entry)
    incomplete = screening_api.wait_for(
        entry, "incomplete",
        until=lambda shown: finding(shown, "achievement.promo_video")["outcome"] == "pass",
    )  # fmt: skip
    assert finding(incomplete, "achievement.proof")["outcome"] == "missing"
    assert finding(incomplete, "achievement.proof")["clause"] == "二(一)6⑦"
    assert finding(incomplete, "achievement.promo_video")["outcome"] == "pass"
    assert incomplete["ruleset"] and incomplete["priority"] is False
    # Staff settle review items only when nothing is missing or failing.
    early = post(screening_api, entry, "review", {"decision": "eligible"})
    assert early.status_code == 409 and error(early)["code"] == "invalid_state"

    feed.material(entry, "proof", outcome="rejected")  # a failed upload changes nothing
    feed.material(entry, "proof")
    in_review = screening_api.wait_for(entry, "in_review")
    assert {f["rule"] for f in in_review["findings"] if f["outcome"] == "review"} == REVIEW_ITEMS

    for what, body in (
        ("review", {"decision": "eligible"}),
        ("selection", {"decision": "selected"}),
    ):
        refused = post(screening_api, entry, what, body, role="office")
        assert refused.status_code == 403 and error(refused)["code"] == "forbidden"
    too_soon = post(screening_api, entry, "selection", {"decision": "selected"})
    assert too_soon.status_code == 409 and error(too_soon)["code"] == "invalid_state"

    reviewed = post(screening_api, entry, "review", {"decision": "eligible", "note": "材料属实"})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["state"] == "eligible"
    assert reviewed.json()["review"]["decision"] == "eligible"
    assert reviewed.json()["review"]["note"] == "材料属实"
    again = post(screening_api, entry, "review", {"decision": "ineligible"})
    assert again.status_code == 409  # settled: no longer in review

    screening_api.forward(entry)  # 四(二): the city selects from what the district forwarded
    selected = post(screening_api, entry, "selection", {"decision": "selected", "note": "推荐"})
    assert selected.status_code == 200, selected.text
    assert selected.json()["selection"]["decision"] == "selected"

    own = screening_api.get(entry, role="office")
    assert own.status_code == 200 and own.json()["selection"]["decision"] == "selected"
    other = screening_api.get(entry, role="office", district="恩阳区")
    assert other.status_code == 404 and error(other)["code"] == "not_found"

    # Intake's and media's logs are consumed independently, so the submission may be screened
    # before or after the first materials are counted (an `incomplete` with fewer findings
    # missing is a new outcome): only what follows is fixed.
    history = [(e.type, e.data.get("state")) for e in screening_api.events(entry)]
    assert history[0] == ("ScreeningCompleted", "incomplete")
    assert history[-4:] == [
        ("ScreeningCompleted", "in_review"),
        ("ReviewRecorded", None),
        ("ScreeningCompleted", "eligible"),
        ("SelectionRecorded", None),
    ]
    assert own.json()["version"] == len(history)
    completed = screening_api.events(entry, "ScreeningCompleted")[-1]
    assert completed.actor.role == "staff" and completed.data["window_closed"] is False


def test_a_widely_deployed_achievement_is_ineligible_and_no_review_overrides_it(
    screening_api: ScreeningApi,
    broker,  # type: ignore[no-untyped-def]
) -> None:
    feed = screening_api.feed
    entry = feed.draft(deployment="widely_deployed")
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(entry, kind)
    feed.submit(entry)
    shown = screening_api.wait_for(entry, "ineligible")
    failed = [f for f in shown["findings"] if f["outcome"] == "fail"]
    assert [(f["clause"], f["rule"]) for f in failed] == [
        ("二(一)6②", "achievement.not_widely_deployed")
    ]
    assert failed[0]["message"] == "已经大面积推广的成果不列入本次征集范围"
    # What intake's printed 回执 asks over RPC is what staff read.
    with ClusterRpcProxy({"AMQP_URI": broker.uri}, timeout=10) as cluster:
        assert cluster.screening.screening_of(entry) == shown
        assert cluster.screening.screening_of("not-an-id") is None

    review = post(screening_api, entry, "review", {"decision": "eligible"})
    assert review.status_code == 409 and error(review)["code"] == "invalid_state"
    selection = post(screening_api, entry, "selection", {"decision": "selected"})
    assert selection.status_code == 409 and error(selection)["code"] == "invalid_state"
    declined = post(screening_api, entry, "selection", {"decision": "not_selected"})
    assert declined.status_code == 200 and declined.json()["state"] == "ineligible"


def test_a_missing_video_makes_the_entry_ineligible_when_the_call_closes(
    screening_api: ScreeningApi,
) -> None:
    feed = screening_api.feed
    late = feed.draft(call_id="closing-call")
    complete = feed.draft(call_id="closing-call")
    for kind in ("introduction", "proof"):
        feed.material(late, kind)
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(complete, kind)
    feed.submit(late, "closing-call")
    feed.submit(complete, "closing-call")
    shown = screening_api.wait_for(late, "incomplete")
    assert not shown["window_closed"]
    screening_api.wait_for(complete, "in_review")
    before_deadline = len(screening_api.events(complete))

    # Nobody acts: the deadline passes and the timer re-screens.
    closed = screening_api.wait_for(late, "ineligible", timeout=30)
    video = finding(closed, "achievement.promo_video")
    assert (video["clause"], video["outcome"]) == ("二(一)6⑦", "missing")
    assert closed["window_closed"] is True
    last = screening_api.events(late, "ScreeningCompleted")[-1]
    assert (last.data["state"], last.data["window_closed"], last.actor.role) == (
        "ineligible", True, "system",
    )  # fmt: skip

    # An entry with nothing missing is screened as closed too, but its outcome is the same.
    wait_until(lambda: screening_api.get(complete).json()["window_closed"], timeout=10)
    assert len(screening_api.events(complete)) == before_deadline
    assert screening_api.get(complete).json()["state"] == "in_review"


def test_a_redelivered_event_appends_nothing(screening_api: ScreeningApi, broker) -> None:
    feed = screening_api.feed
    entry = feed.draft(deployment="widely_deployed")
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(entry, kind)
    submitted = feed.submit(entry)
    screening_api.wait_for(entry, "ineligible")
    fields = {k: v for k, v in full_body("achievement").items() if k != "call_id"}
    feed.update(entry, fields)  # deployment: pilot_completed
    screening_api.wait_for(entry, "in_review")
    before = len(screening_api.events(entry))

    # Applying the old submit again would screen the amended entry again, and applying the
    # draft again would bring back `widely_deployed`: both must be recognised as seen.
    old = feed.intake.read_log_raw(after=0)
    drafted = next(raw for raw in old if raw["type"] == "SubmissionDrafted"
                   and raw["data"]["submission_id"] == entry)  # fmt: skip
    resubmitted = next(raw for raw in old if raw["event_id"] == str(submitted.event_id))
    with Connection(broker.uri) as conn:
        producer = Producer(conn.default_channel)
        for raw in (drafted, drafted, resubmitted, resubmitted):
            producer.publish(raw, exchange=broker.exchange, serializer="json",
                             routing_key=f"submission.{raw['type']}")  # fmt: skip
    # A later event of the same log, published after the repeats: once it is applied, the
    # repeats have been handled.
    screening_api.settle("intake")
    time.sleep(0.5)
    assert len(screening_api.events(entry)) == before
    assert screening_api.get(entry).json()["state"] == "in_review"


def test_an_amendment_voids_the_review_and_the_selection(screening_api: ScreeningApi) -> None:
    feed = screening_api.feed
    entry = feed.draft()
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(entry, kind)
    feed.submit(entry)
    screening_api.wait_for(entry, "in_review")
    assert post(screening_api, entry, "review", {"decision": "eligible"}).status_code == 200
    screening_api.forward(entry)
    assert post(screening_api, entry, "selection", {"decision": "selected"}).status_code == 200

    fields = {k: v for k, v in full_body("achievement").items() if k != "call_id"}
    feed.update(entry, fields | {"summary": "修改后的项目简介"})
    shown = screening_api.wait_for(entry, "in_review")
    assert shown["review"] is None
    assert shown["selection"]["decision"] == "not_selected" and shown["selection"]["lapsed"]
    tail = [e.type for e in screening_api.events(entry)][-3:]
    assert tail == ["ReviewLapsed", "SelectionRecorded", "ScreeningCompleted"]
    lapse = screening_api.events(entry, "SelectionRecorded")[-1]
    assert lapse.data["decision"] == "not_selected" and lapse.causation_id is not None

    # An update that changes nothing (the same fields again) keeps the new review.
    assert post(screening_api, entry, "review", {"decision": "eligible"}).status_code == 200
    count = len(screening_api.events(entry))
    feed.update(entry, fields | {"summary": "修改后的项目简介"})
    screening_api.settle("intake")
    assert screening_api.get(entry).json()["state"] == "eligible"
    assert len(screening_api.events(entry)) == count


def test_a_withdrawn_entry_is_no_longer_screened(screening_api: ScreeningApi) -> None:
    feed = screening_api.feed
    entry = feed.draft()
    feed.submit(entry)
    screening_api.wait_for(entry, "incomplete")
    feed.submission(submission_catalog.SubmissionWithdrawn, entry, reason="不再参加")
    wait_until(lambda: screening_api.get(entry).json()["entry_status"] == "withdrawn")
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(entry, kind)
    screening_api.settle("media")
    assert screening_api.get(entry).json()["state"] == "incomplete"
    assert len(screening_api.events(entry)) == 1
    refused = post(screening_api, entry, "selection", {"decision": "not_selected"})
    assert refused.status_code == 409 and error(refused)["code"] == "invalid_state"


def test_requests_are_checked(screening_api: ScreeningApi) -> None:
    feed = screening_api.feed
    entry = feed.draft()
    screening_api.wait_for(entry, "pending")
    draft_review = post(screening_api, entry, "review", {"decision": "eligible"})
    assert draft_review.status_code == 409 and error(draft_review)["code"] == "invalid_state"

    for body, field in (
        ({"decision": "eligible", "extra": 1}, "extra"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": True}, "decision"),
        ({"note": "无结论"}, "decision"),
        ({"decision": "eligible", "note": "长" * 2001}, "note"),
    ):
        refused = post(screening_api, entry, "review", body)
        assert refused.status_code == 422, (body, refused.text)
        assert error(refused)["code"] == "validation_failed"
        assert field in error(refused)["fields"], refused.text
    assert post(screening_api, entry, "review", ["eligible"]).status_code == 422
    bad_selection = post(screening_api, entry, "selection", {"decision": "eligible"})
    assert error(bad_selection)["fields"]["decision"] == ["须为 selected 或 not_selected"]
    as_text = screening_api.call(
        "POST", f"{BASE}/{entry}/review", role="staff", data="decision=eligible",
        headers={"Content-Type": "text/plain"},
    )  # fmt: skip
    assert as_text.status_code == 415

    for missing in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        unknown = screening_api.get(missing)
        assert unknown.status_code == 404 and error(unknown)["code"] == "not_found"
        assert post(screening_api, missing, "review", {"decision": "eligible"}).status_code == 404
    anonymous = screening_api.call("GET", f"{BASE}/{entry}", headers={"Authorization": ""})
    assert anonymous.status_code == 401 and error(anonymous)["code"] == "unauthorized"
    operator = screening_api.get(entry, role="operator")
    assert operator.status_code == 403
    office = post(screening_api, "not-a-uuid", "review", {"decision": "eligible"}, role="office")
    assert office.status_code == 403


def test_at_the_close_materials_count_by_when_they_were_requested(
    screening_api: ScreeningApi,
) -> None:
    feed = screening_api.feed
    no_proof = feed.draft(call_id="closing-call")
    slow_video = feed.draft(call_id="closing-call")
    for kind in ("promo_video", "introduction"):
        feed.material(no_proof, kind)
    for kind in ("introduction", "proof"):
        feed.material(slow_video, kind)
    video = feed.request(slow_video, "promo_video")  # before the close, uploaded after it
    feed.submit(no_proof, "closing-call")
    feed.submit(slow_video, "closing-call")
    screening_api.wait_for(no_proof, "incomplete")
    screening_api.wait_for(slow_video, "incomplete")
    assert datetime.now(UTC) < screening_api.closes, "the fixture's call closed too early"

    # The close: the entry missing its proof is out; the one whose video is on its way waits.
    screening_api.wait_for(no_proof, "ineligible", timeout=40)
    screening_api.wait_for(slow_video, "incomplete", until=lambda shown: shown["window_closed"])

    # After it: a proof requested late (media would refuse the slot) never revives the entry,
    feed.material(no_proof, "proof")
    # while the video requested before the close, uploaded and verified after it, counts.
    feed.finish(video, slow_video, "promo_video")
    screening_api.wait_for(slow_video, "in_review")
    screening_api.settle("media")
    late = screening_api.get(no_proof).json()
    assert late["state"] == "ineligible"
    assert finding(late, "achievement.proof")["outcome"] == "missing"
    states = [e.data["state"] for e in screening_api.events(slow_video, "ScreeningCompleted")]
    assert "ineligible" not in states and states[-1] == "in_review"
