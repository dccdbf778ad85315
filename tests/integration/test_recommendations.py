"""The city's recommendation to the province (推荐省级) in screening over real HTTP, PostgreSQL
and RabbitMQ: only a selected entry, ranks unique within the call (the refusal names the
holder), a re-post moves the rank, staff withdraw it, and an amendment that lapses the
selection lapses the recommendation too, each an event of screening's log."""

from __future__ import annotations

import threading
from typing import Any

from tests.entries import full_body
from tests.integration import screening_fixtures
from tests.integration.helpers import wait_until
from tests.integration.screening_fixtures import ScreeningApi

screening_api = screening_fixtures.screening_api  # the fixture, used by name below
BASE = "/api/v1/screenings"


def recommend(api: ScreeningApi, entry: str, body: Any, role: str = "staff"):  # type: ignore[no-untyped-def]
    return api.call("POST", f"{BASE}/{entry}/recommendation", role=role, json=body)


def selected(api: ScreeningApi, select: bool = True) -> str:
    feed = api.feed
    entry = feed.draft()
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(entry, kind)
    feed.submit(entry)
    api.wait_for(entry, "in_review")
    for what, body in (("review", {"decision": "eligible"}),
                       ("selection", {"decision": "selected"})):  # fmt: skip
        if what == "selection" and not select:
            break
        if what == "selection":
            api.forward(entry)
        done = api.call("POST", f"{BASE}/{entry}/{what}", role="staff", json=body)
        assert done.status_code == 200, done.text
    return entry


def test_only_selected_entries_are_recommended_with_unique_ranks(
    screening_api: ScreeningApi,
) -> None:
    first, second = selected(screening_api), selected(screening_api)
    eligible = selected(screening_api, select=False)
    refused = recommend(screening_api, eligible, {"rank": 1, "reason": "优秀"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_state"
    assert "入选" in refused.json()["error"]["message"]
    office = recommend(screening_api, first, {"rank": 1, "reason": "优秀"}, role="office")
    assert office.status_code == 403
    for bad in ({"rank": 0, "reason": "r"}, {"rank": "1", "reason": "r"}, {"rank": 1},
                {"rank": 1, "reason": "r", "x": 1}):  # fmt: skip
        assert recommend(screening_api, first, bad).status_code == 422, bad

    done = recommend(screening_api, first, {"rank": 1, "reason": "技术领先"})
    assert done.status_code == 200, done.text
    assert done.json()["recommendation"]["rank"] == 1
    taken = recommend(screening_api, second, {"rank": 1, "reason": "也优秀"})
    assert taken.status_code == 409 and first in taken.json()["error"]["message"]
    assert taken.json()["error"]["holder"] == first
    assert recommend(screening_api, second, {"rank": 2, "reason": "也优秀"}).status_code == 200
    moved = recommend(screening_api, first, {"rank": 3, "reason": "调整"})
    assert moved.status_code == 200 and moved.json()["recommendation"]["reason"] == "调整"
    assert recommend(screening_api, second, {"rank": 1, "reason": "升"}).status_code == 200
    shown = screening_api.get(second).json()
    assert (shown["recommendation"]["rank"], shown["recommendation"]["by"]) == (1, "test-staff")

    withdrawn = screening_api.call("DELETE", f"{BASE}/{second}/recommendation", role="staff",
                                   json={"reason": "名额调整"})  # fmt: skip
    assert withdrawn.status_code == 200 and withdrawn.json()["recommendation"] is None
    again = screening_api.call("DELETE", f"{BASE}/{second}/recommendation", role="staff")
    assert again.status_code == 409
    kinds = [(e.type, e.actor.role) for e in screening_api.events(second)][-4:]
    assert kinds == [
        ("SelectionRecorded", "staff"),
        ("EntryRecommended", "staff"),
        ("EntryRecommended", "staff"),
        ("RecommendationWithdrawn", "staff"),
    ]
    assert screening_api.events(second)[-1].data["reason"] == "名额调整"


def test_an_amendment_that_lapses_the_selection_lapses_the_recommendation(
    screening_api: ScreeningApi,
) -> None:
    entry = selected(screening_api)
    assert recommend(screening_api, entry, {"rank": 5, "reason": "优秀"}).status_code == 200
    screening_api.feed.update(entry, full_body("achievement") | {"title": "修改后的标题"})

    def lapsed() -> dict[str, Any] | None:
        shown = screening_api.get(entry).json()
        return shown if shown["recommendation"] is None else None

    shown = wait_until(lapsed, timeout=15, message="recommendation lapsed")
    assert shown["selection"]["lapsed"] is True
    ended = screening_api.events(entry, "RecommendationWithdrawn")[-1]
    assert ended.data["lapsed"] is True and ended.actor.role == "system"
    # The rank is free again for another entry of the call.
    other = selected(screening_api)
    assert recommend(screening_api, other, {"rank": 5, "reason": "递补"}).status_code == 200


def race(api: ScreeningApi, entries: list[str], rank: int) -> dict[str, int]:
    """Each of `entries` asks for `rank` at the same moment; their answers' statuses."""
    barrier = threading.Barrier(len(entries))
    answers: dict[str, int] = {}

    def ask(entry: str) -> None:
        barrier.wait()
        answers[entry] = recommend(api, entry, {"rank": rank, "reason": "同时"}).status_code

    threads = [threading.Thread(target=ask, args=(e,)) for e in entries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_two_entries_asking_for_one_rank_at_once_cannot_both_have_it(
    screening_api: ScreeningApi,
) -> None:
    """The rank check and the write run under a per-call lock: without it two requests could
    both see the rank free and both take it."""
    entries = [selected(screening_api) for _ in range(4)]
    for rank in (11, 12, 13):
        answers = race(screening_api, entries, rank)
        winners = [e for e, status in answers.items() if status == 200]
        assert len(winners) == 1, answers
        assert sorted(answers.values()) == [200] + [409] * (len(entries) - 1)
        entries.remove(winners[0])  # it holds that rank now; the others race for the next
    assert [screening_api.get(e).json()["recommendation"] for e in entries] == [None]
