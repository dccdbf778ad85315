"""An entry's life: drafts, amendments, submission inside the call's window, withdrawal."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.intake.domain import submission as domain
from shared.calls import parse
from shared.catalog import submission as catalog
from shared.errors import Refused
from shared.events import Actor, new_event
from tests.entries import full_body

BEIJING = timezone(timedelta(hours=8))
CALL = parse(
    """
calls:
  - id: tianfu-2021
    title: 首届科创会
    opens: 2021-09-27T00:00:00+08:00
    closes: 2021-11-02T23:59:59+08:00
    categories: [achievement, promotion, challenge, finance]
    districts: [巴州区, 恩阳区]
"""
)["tianfu-2021"]
IN_WINDOW = datetime(2021, 10, 15, 9, 0, tzinfo=BEIJING)


def entry(category: str = "achievement", status: str = domain.DRAFT, **fields) -> domain.Submission:  # type: ignore[no-untyped-def]
    return domain.Submission(
        id="s1", district="巴州区", call_id=CALL.id, category=category,
        fields=full_body(category) | fields, status=status, version=1,
    )  # fmt: skip


@pytest.mark.parametrize(
    "moment, is_open",
    [
        (datetime(2021, 9, 26, 23, 59, 59, tzinfo=BEIJING), False),
        (datetime(2021, 9, 27, 0, 0, 0, tzinfo=BEIJING), True),
        (datetime(2021, 11, 2, 23, 59, 59, tzinfo=BEIJING), True),
        (datetime(2021, 11, 2, 23, 59, 59, 999_999, tzinfo=BEIJING), True),
        (datetime(2021, 11, 3, 0, 0, 0, tzinfo=BEIJING), False),
        (datetime(2021, 11, 2, 15, 59, 59, tzinfo=UTC), True),  # same instant, UTC
        (datetime(2021, 11, 2, 16, 0, 0, tzinfo=UTC), False),
    ],
)
def test_the_window_edges_follow_beijing_time(moment: datetime, is_open: bool) -> None:
    assert CALL.is_open(moment) is is_open


def test_submitting_inside_the_window_at_the_last_second_is_accepted() -> None:
    last_second = datetime(2021, 11, 2, 23, 59, 59, tzinfo=BEIJING)
    assert domain.submit(entry(), CALL, last_second) == {"submission_id": "s1", "call_id": CALL.id}


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (datetime(2021, 11, 3, tzinfo=BEIJING), "征集已于2021年11月2日 23:59:59（北京时间）截止"),
        (
            datetime(2021, 9, 1, tzinfo=UTC),
            "征集尚未开始，将于2021年9月27日 00:00:00（北京时间）开始",
        ),
    ],
)
def test_submitting_outside_the_window_is_call_closed(moment: datetime, message: str) -> None:
    with pytest.raises(Refused) as refused:
        domain.submit(entry(), CALL, moment)
    assert refused.value.code == "call_closed"
    assert refused.value.message == message  # the deadline as an office reads it


def test_an_incomplete_draft_cannot_be_submitted_and_every_gap_is_named() -> None:
    draft = entry()
    draft = domain.Submission(**{**draft.__dict__, "fields": {"category": "finance"}})
    with pytest.raises(Refused) as refused:
        domain.submit(draft, CALL, IN_WINDOW)
    assert refused.value.code == "validation_failed"
    assert "platform_listing_id" in refused.value.fields


@pytest.mark.parametrize("status", [domain.SUBMITTED, domain.WITHDRAWN])
def test_only_a_draft_can_be_submitted(status: str) -> None:
    with pytest.raises(Refused) as refused:
        domain.submit(entry(status=status), CALL, IN_WINDOW)
    assert refused.value.code == "invalid_state"


def test_a_submitted_entry_may_be_amended_in_the_window_but_must_stay_complete() -> None:
    changed = domain.update(entry(status=domain.SUBMITTED), {"title": "新题目"}, CALL, IN_WINDOW)
    assert changed["fields"]["title"] == "新题目" and changed["changed"] == ["title"]
    with pytest.raises(Refused) as refused:
        domain.update(entry(status=domain.SUBMITTED), {"summary": None}, CALL, IN_WINDOW)
    assert "summary" in refused.value.fields


def test_a_submitted_entry_cannot_change_after_the_deadline() -> None:
    with pytest.raises(Refused) as refused:
        domain.update(
            entry(status=domain.SUBMITTED),
            {"title": "x"},
            CALL,
            datetime(2022, 1, 1, tzinfo=BEIJING),
        )
    assert refused.value.code == "call_closed"
    assert refused.value.message.startswith("征集已于2021年11月2日 23:59:59（北京时间）截止")


def test_a_draft_may_be_edited_after_the_deadline_but_not_submitted() -> None:
    late = datetime(2022, 1, 1, tzinfo=BEIJING)
    assert domain.update(entry(), {"title": "x"}, CALL, late)["fields"]["title"] == "x"


def test_a_withdrawn_entry_is_closed_and_a_selected_one_cannot_be_withdrawn() -> None:
    for refused_call in (
        lambda: domain.update(entry(status=domain.WITHDRAWN), {"title": "x"}, CALL, IN_WINDOW),
        lambda: domain.withdraw(entry(status=domain.WITHDRAWN), selected=False),
        lambda: domain.withdraw(entry(status=domain.SUBMITTED), selected=True),
    ):
        with pytest.raises(Refused) as refused:
            refused_call()
        assert refused.value.code == "invalid_state"


def test_a_district_outside_the_call_cannot_draft() -> None:
    with pytest.raises(Refused) as refused:
        domain.draft("s2", "通江县", CALL, full_body("challenge"))
    assert refused.value.code == "forbidden"


def test_the_entry_is_folded_from_its_events() -> None:
    actor = Actor("office", "o", "巴州区")
    stream = catalog.stream_id("s1")
    drafted = domain.draft("s1", "巴州区", CALL, full_body("finance"))
    events = [
        new_event(catalog.SubmissionDrafted, stream, drafted, actor),
        new_event(catalog.SubmissionSubmitted, stream, {"submission_id": "s1", "call_id": CALL.id}),
        new_event(catalog.ServiceOfficerAssigned, stream,
                  {"submission_id": "s1", "name": "李", "phone": "13900000000"}),
        new_event(catalog.SubmissionWithdrawn, stream, {"submission_id": "s1"}),
    ]  # fmt: skip
    events = [e.__class__(**{**e.__dict__, "version": n}) for n, e in enumerate(events, 1)]
    folded = domain.replay(events)
    assert folded is not None
    assert (folded.status, folded.version, folded.category) == (domain.WITHDRAWN, 4, "finance")
    assert folded.officer == {"name": "李", "phone": "13900000000"}
    assert folded.submitted_at == events[1].occurred_at
