"""The notices' derivation (services/reporting/domain/notices.py): events in, notices out."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.reporting.domain import notices as n
from shared.calls import Call, Contact

CLOSES = datetime(2021, 11, 2, 15, 59, 59, tzinfo=UTC)  # 23:59:59 Beijing time
CALL = Call(
    id="tianfu-2021",
    title="科创项目征集",
    opens=CLOSES - timedelta(days=40),
    closes=CLOSES,
    categories=("achievement",),
    districts=("巴州区", "恩阳区"),
    contact=Contact("陈训煜", "0827-5223387", "巴州区西华街2号7楼", "city@example.org"),
)
CALLS = {CALL.id: CALL}
AT = datetime(2021, 10, 1, 2, tzinfo=UTC)
SID = str(uuid.uuid4())


def drafted(email: str | None = "office@example.org") -> n.Facts | None:
    fields = {"title": "智慧农业", "contact": {"name": "张三", "email": email}}
    data = {"submission_id": SID, "district": "巴州区", "call_id": CALL.id, "fields": fields}
    return n.fold_facts(None, "SubmissionDrafted", data | {"category": "achievement"})


def derive(type_: str, data: dict, facts: n.Facts | None, event_id: str = "e1") -> list[n.Notice]:
    return n.derive(event_id, type_, data, AT, facts, CALLS)


def test_a_return_tells_the_entrys_office_the_reasons_fields_and_due_time() -> None:
    data = {
        "submission_id": SID,
        "reasons": "请补充知识产权证明",
        "fields": ["applicant.name"],
        "due": "2021-11-10T09:00:00+08:00",
    }
    [notice] = derive("SubmissionReturned", data, drafted())
    assert notice.recipient == "office:巴州区"
    assert notice.kind == "returned"
    assert "智慧农业" in notice.title
    assert "请补充知识产权证明" in notice.body and "applicant.name" in notice.body
    assert "2021年11月10日 09:00:00" in notice.body
    assert notice.submission_id == SID
    assert notice.email == "office@example.org"
    # A due before the call's close never shortens the call (issue #25 item 1).
    early = data | {"due": "2021-10-10T09:00:00+08:00"}
    [notice] = derive("SubmissionReturned", early, drafted())
    assert "2021年11月2日 23:59:59" in notice.body and "10月10日" not in notice.body


def test_the_same_event_and_recipient_always_give_the_same_notice_id() -> None:
    data = {"submission_id": SID, "reasons": "x", "due": "2021-11-10T09:00:00+08:00"}
    first = derive("SubmissionReturned", data, drafted())
    again = derive("SubmissionReturned", data, drafted())
    other = derive("SubmissionReturned", data, drafted(), event_id="e2")
    assert [x.notice_id for x in first] == [x.notice_id for x in again]
    assert first[0].notice_id != other[0].notice_id
    assert n.notice_id("e1", "staff") != n.notice_id("e1", "office:巴州区")


def test_an_extension_goes_to_the_district_office() -> None:
    data = {
        "extension_id": "x",
        "call_id": CALL.id,
        "district": "恩阳区",
        "submission_id": None,
        "until": "2021-11-09T23:59:59+08:00",
        "reason": "停电",
    }
    [notice] = derive("ExtensionGranted", data, None)
    assert notice.recipient == "office:恩阳区"
    assert notice.kind == "extension"
    assert "停电" in notice.body and "2021年11月9日 23:59:59" in notice.body


def test_a_screening_result_tells_the_office_only_when_the_state_changes() -> None:
    facts = drafted()
    data = {"submission_id": SID, "state": "incomplete", "findings": []}
    [notice] = derive("ScreeningCompleted", data, facts)
    assert notice.kind == "screening" and "待补充材料" in notice.title
    later = n.fold_facts(facts, "ScreeningCompleted", data)
    assert derive("ScreeningCompleted", data, later) == []  # same state: no news
    assert derive("ScreeningCompleted", data | {"state": "pending"}, facts) == []


def test_a_screening_result_before_the_draft_tells_no_one() -> None:
    data = {"submission_id": SID, "state": "eligible", "findings": []}
    assert derive("ScreeningCompleted", data, None) == []


def test_a_rejected_material_and_a_selection_tell_the_office() -> None:
    data = {"material_id": "m", "submission_id": SID, "kind": "promo_video", "reason": "不是视频"}
    [rejected] = derive("MediaRejected", data, drafted())
    assert rejected.kind == "material_rejected" and "不是视频" in rejected.body
    [selected] = derive("SelectionRecorded", {"submission_id": SID, "decision": "selected"},
                        drafted())  # fmt: skip
    assert selected.kind == "selected"
    not_selected = {"submission_id": SID, "decision": "not_selected"}
    assert derive("SelectionRecorded", not_selected, drafted()) == []


def test_a_lapsed_decision_tells_the_office_and_staff_why() -> None:
    """Issue #25 item 9: a selection and a recommendation screening voided (the entry changed
    after them) reach the office and staff with the reason, so an empty province package is
    never a mystery; a lapsed review reaches staff; a withdrawal staff made themselves, no one."""
    reason = "项目提交后内容已修改，原审核、遴选结论不再适用，须重新审核"
    lapsed = {"submission_id": SID, "decision": "not_selected", "note": reason, "lapsed": True}
    told = derive("SelectionRecorded", lapsed, drafted())
    assert {x.recipient for x in told} == {"office:巴州区", "staff"}
    assert all(x.kind == "lapsed" and "遴选结论已失效" in x.title and reason in x.body
               for x in told)  # fmt: skip
    assert len({x.notice_id for x in told}) == 2
    ended = {"submission_id": SID, "reason": reason, "lapsed": True}
    told = derive("RecommendationWithdrawn", ended, drafted(), event_id="e2")
    assert {x.recipient for x in told} == {"office:巴州区", "staff"}
    assert all("省级推荐已失效" in x.title for x in told)
    by_staff = {"submission_id": SID, "reason": "排序调整", "lapsed": False}
    assert derive("RecommendationWithdrawn", by_staff, drafted(), event_id="e3") == []
    [review] = derive("ReviewLapsed", {"submission_id": SID, "reason": reason}, drafted())
    assert review.recipient == "staff" and "审核结论已失效" in review.title


def test_a_proposed_service_officer_tells_staff() -> None:
    data = {"submission_id": SID, "name": "王保姆", "phone": "13900000001"}
    [told] = derive("ServiceOfficerProposed", data, drafted())
    assert told.recipient == "staff" and told.kind == "officer_proposed"
    assert "王保姆" in told.body and "巴州区" in told.title


def test_helpers_events_are_handled_by_name() -> None:
    [recommended] = derive("EntryRecommended", {"submission_id": SID, "rank": 2}, drafted())
    assert recommended.recipient == "office:巴州区" and "第 2 位" in recommended.body
    batch = {"batch_id": "b", "call_id": CALL.id, "district": "巴州区", "entries": [{}, {}]}
    [sent] = derive("BatchSent", batch, None)
    assert sent.recipient == "staff" and sent.kind == "batch_sent" and "2 个项目" in sent.body
    assert sent.email == "city@example.org"  # staff are mailed at the call's contact


def test_staff_notices_go_to_the_city_s_address_not_a_district_s() -> None:
    """Issue #25 item 6: with a contact per district and the city's, staff (市科协) are mailed at
    the city's address; 巴州区's mailbox (四(三)) is 巴州区's own."""
    bazhou = Contact("陈训煜", "0827-5223387", "巴州区西华街2号7楼", "522176313@qq.com")
    city = Contact("巴中市科协", "0827-5260000", "巴中市", "city@example.org")
    call = replace(CALL, contact=None, city_contact=city, district_contacts=(("巴州区", bazhou),))
    batch = {"batch_id": "b", "call_id": CALL.id, "district": "巴州区", "entries": [{}]}
    [sent] = n.derive("e9", "BatchSent", batch, AT, None, {CALL.id: call})
    assert sent.recipient == "staff" and sent.email == "city@example.org"


def test_staff_hear_of_a_returned_entry_submitted_again_and_of_nothing_else() -> None:
    facts = drafted()
    submitted = {"submission_id": SID, "call_id": CALL.id}
    assert derive("SubmissionSubmitted", submitted, facts) == []  # a first submission
    returned = n.fold_facts(facts, "SubmissionReturned", {"submission_id": SID})
    assert returned is not None and returned.status == "returned"
    [again] = derive("SubmissionSubmitted", submitted, returned)
    assert again.recipient == "staff" and again.kind == "resubmitted"


def test_an_entry_without_an_email_gets_no_address() -> None:
    data = {"submission_id": SID, "reasons": "x", "due": "2021-11-10T09:00:00+08:00"}
    [notice] = derive("SubmissionReturned", data, drafted(email=""))
    assert notice.email is None


# -- the deadline ----------------------------------------------------------------------------


def warnings(now: datetime, extended: dict | None = None) -> list[n.Notice]:
    work = [(CALL.id, "巴州区")]
    return n.deadline_notices([CALL], work, extended or {}, now)


def test_no_warning_earlier_than_three_days_before_the_close() -> None:
    assert warnings(CLOSES - timedelta(days=3, seconds=1)) == []


def test_the_three_day_warning_then_the_one_day_warning_each_with_its_own_id() -> None:
    [three] = warnings(CLOSES - timedelta(days=2))
    [three_later] = warnings(CLOSES - timedelta(days=1, hours=1))
    [one] = warnings(CLOSES - timedelta(hours=3))
    assert three.notice_id == three_later.notice_id  # the timer may run any number of times
    assert one.notice_id != three.notice_id
    assert "3 天" in three.title and "1 天" in one.title
    assert three.recipient == "office:巴州区" and three.kind == "deadline"


def test_no_warning_after_the_close() -> None:
    assert warnings(CLOSES + timedelta(seconds=1)) == []


def test_a_district_extension_moves_its_warnings() -> None:
    later = CLOSES + timedelta(days=10)
    assert warnings(CLOSES - timedelta(hours=3), {(CALL.id, "巴州区"): later}) == []
    [one] = warnings(later - timedelta(hours=3), {(CALL.id, "巴州区"): later})
    assert "1 天" in one.title


def test_which_entries_count_as_work_left() -> None:
    assert n.work_left(n.Facts("a"))
    assert n.work_left(n.Facts("a", status="submitted", screening_state="incomplete"))
    assert not n.work_left(n.Facts("a", status="submitted", screening_state="eligible"))
    assert not n.work_left(n.Facts("a", status="withdrawn"))
    assert not n.work_left(n.Facts("a", status="returned"))
