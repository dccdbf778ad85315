"""The reporting projection's pure parts: the overall state, the fold, the Chinese labels."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.reporting.adapters.export import HEADERS, row_values
from services.reporting.domain import labels
from services.reporting.domain.projection import Entry, fold, overall_state
from shared.catalog.vocabulary import CATEGORY_LABELS, STATE_LABELS, STATES
from tests.entries import full_body

T0 = datetime(2021, 10, 1, tzinfo=UTC)
SID = "7f0c5e8e-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("status", "screening", "selection", "expected"),
    [
        ("draft", None, None, "draft"),
        ("submitted", None, None, "submitted"),
        ("submitted", "pending", None, "submitted"),
        ("submitted", "incomplete", None, "incomplete"),
        ("submitted", "in_review", None, "in_review"),
        ("submitted", "eligible", None, "eligible"),
        ("submitted", "ineligible", None, "ineligible"),
        ("submitted", "eligible", "selected", "selected"),
        ("submitted", "eligible", "not_selected", "eligible"),
        ("withdrawn", "eligible", None, "withdrawn"),
        ("withdrawn", None, None, "withdrawn"),
        # A screening result folded before intake's submission (another owner's log).
        ("draft", "in_review", None, "in_review"),
    ],
)
def test_overall_state(status: str, screening: str | None, selection: str | None,
                       expected: str) -> None:  # fmt: skip
    assert overall_state(status, screening, selection) == expected


def test_every_state_and_category_has_a_chinese_label() -> None:
    assert list(STATE_LABELS) == list(STATES)
    assert STATE_LABELS["incomplete"] == "待补充材料"
    assert CATEGORY_LABELS["achievement"] == "科技成果转化项目"
    assert CATEGORY_LABELS["finance"] == "科技金融创新产品"
    assert labels.label(STATE_LABELS, "something_new") == "something_new"
    assert labels.label(STATE_LABELS, None) == ""
    assert (
        labels.materials_text(
            [{"kind": "promo_video", "status": "stored"}, {"kind": "proof", "status": "rejected"}]
        )
        == "推介视频：已存储；成果证明材料：已退回"
    )


def _findings(*outcomes: str) -> list[dict[str, Any]]:
    return [
        {"rule": f"r{n}", "clause": "二(一)1", "outcome": outcome, "message": "……"}
        for n, outcome in enumerate(outcomes)
    ]


def _screened(state: str, *outcomes: str, priority: bool = False) -> Entry:
    data = {"submission_id": SID, "state": state, "findings": _findings(*outcomes),
            "priority": priority, "window_closed": False}  # fmt: skip
    entry = fold(None, "ScreeningCompleted", data, T0)
    assert entry is not None
    return entry


def _events() -> dict[str, list[tuple[str, dict[str, Any]]]]:
    fields = {"title": "钙钛矿", "applicant": {"name": "某公司"},
              "contact": {"name": "张三", "phone": "13800000000"}}  # fmt: skip
    m = {"submission_id": SID, "kind": "promo_video"}
    return {
        "intake": [
            (
                "SubmissionDrafted",
                {
                    "submission_id": SID,
                    "district": "巴州区",
                    "call_id": "c",
                    "category": "achievement",
                    "fields": fields,
                },
            ),
            ("SubmissionSubmitted", {"submission_id": SID, "call_id": "c"}),
            ("ServiceOfficerAssigned", {"submission_id": SID, "name": "李", "phone": "1"}),
        ],  # fmt: skip
        "media": [
            ("MaterialRequested", m | {"material_id": "a", "filename": "a.mp4"}),
            ("MaterialUploaded", m | {"material_id": "a"}),
            ("MediaStored", m | {"material_id": "a"}),
            ("MaterialRequested", m | {"material_id": "b", "filename": "b.mp4"}),
            ("MediaStored", m | {"material_id": "b"}),
        ],
        "screening": [
            (
                "ScreeningCompleted",
                {
                    "submission_id": SID,
                    "state": "in_review",
                    "findings": _findings("pass", "review", "priority", "review"),
                    "priority": True,
                },
            ),
            ("ScreeningCompleted", {"submission_id": SID, "state": "eligible", "findings": []}),
            ("SelectionRecorded", {"submission_id": SID, "decision": "selected"}),
        ],  # fmt: skip
    }


def _fold_all(order: list[tuple[str, dict[str, Any], datetime]]) -> Entry | None:
    entry = None
    for type_, data, at in order:
        entry = fold(entry, type_, data, at)
    return entry


def test_the_fold_does_not_depend_on_how_the_owners_logs_interleave() -> None:
    logs = _events()
    stamped = {}
    n = 0
    for source, items in logs.items():
        stamped[source] = []
        for type_, data in items:
            n += 1
            stamped[source].append((type_, data, T0 + timedelta(minutes=n)))
    results = set()
    # Every order of the three logs, each log kept in its own order (what catch-up and a
    # rebuild may produce), folds to the same entry.
    for sources in itertools.permutations(stamped):
        entry = _fold_all([e for s in sources for e in stamped[s]])
        assert entry is not None
        results.add(repr(entry))
    assert len(results) == 1
    entry = _fold_all([e for s in stamped for e in stamped[s]])
    assert entry is not None
    assert (entry.known, entry.district, entry.state) == (True, "巴州区", "selected")
    assert entry.findings_count == 0
    assert entry.officer_name == "李"
    # The second stored video replaced the first.
    assert [(m["material_id"], m["status"]) for m in entry.materials] == [("b", "stored")]
    assert entry.updated_at == T0 + timedelta(minutes=n)
    assert entry.count_key == ("巴州区", "achievement", "selected")


def test_a_selection_lapsed_by_a_withdrawal_shows_the_entry_withdrawn() -> None:
    """Selected, then withdrawn (intake had not heard of the selection): screening lapses the
    selection with a `not_selected` of its own. However the logs interleave, the entry counts
    as withdrawn and its selection reads `not_selected`."""
    logs = _events()
    logs["intake"].append(("SubmissionWithdrawn", {"submission_id": SID}))
    lapsed = {"submission_id": SID, "decision": "not_selected", "note": "区县已撤回该项目",
              "lapsed": True}  # fmt: skip
    logs["screening"] += [("ReviewLapsed", {"submission_id": SID, "reason": "区县已撤回该项目"}),
                          ("SelectionRecorded", lapsed)]  # fmt: skip
    for sources in itertools.permutations(logs):
        entry = _fold_all([(t, d, T0) for s in sources for t, d in logs[s]])
        assert entry is not None
        assert (entry.state, entry.selection) == ("withdrawn", "not_selected")
        assert entry.count_key == ("巴州区", "achievement", "withdrawn")


def test_an_entry_known_only_from_other_owners_is_not_counted() -> None:
    entry = fold(None, "ScreeningCompleted",
                 {"submission_id": SID, "state": "eligible", "findings": []}, T0)  # fmt: skip
    assert entry is not None and not entry.known and entry.count_key is None


def test_an_event_the_projection_does_not_use_changes_nothing() -> None:
    entry = Entry(submission_id=SID)
    assert fold(entry, "ReviewRecorded", {"submission_id": SID}, T0) is entry
    assert fold(entry, "SomethingNew", {}, T0) is entry


def test_a_row_of_the_summary_table_is_in_chinese() -> None:
    entry = Entry(
        submission_id=SID, known=True, district="巴州区", category="challenge", title="难题",
        status="submitted", screening_state="incomplete", findings_count=2,
        materials=[{"kind": "introduction", "status": "awaiting_upload"}],
        selection=None, updated_at=T0,
    )  # fmt: skip
    row = dict(zip(HEADERS, row_values(1, entry), strict=True))
    assert row["项目类别"] == "科技难题攻关项目"
    assert row["状态"] == "待补充材料"
    assert row["材料"] == "项目介绍资料：待上传"
    assert row["筛查问题数"] == 2
    assert row["更新时间"] == "2021-10-01 08:00"  # T0 is midnight UTC: 8 o'clock in Beijing


@pytest.mark.parametrize(
    ("state", "outcomes", "problems", "reviews"),
    [
        ("eligible", ("pass", "pass", "priority"), 0, 0),
        ("ineligible", ("pass", "fail", "missing", "review"), 2, 0),
        ("incomplete", ("pass", "missing", "missing", "review"), 2, 1),
        ("in_review", ("pass", "review", "review", "priority"), 0, 2),
        # Staff settled the review items: nothing awaits them any more.
        ("eligible", ("pass", "review", "review"), 0, 0),
        ("ineligible", ("fail",), 1, 0),
    ],
)
def test_problems_count_fail_and_missing_and_review_items_are_counted_apart(
    state: str, outcomes: tuple[str, ...], problems: int, reviews: int
) -> None:
    entry = _screened(state, *outcomes)
    assert (entry.findings_count, entry.review_count) == (problems, reviews)


def test_priority_is_what_screening_says_and_blank_before_it() -> None:
    assert _screened("eligible", "priority", priority=True).priority is True
    assert _screened("eligible", "pass").priority is False
    assert Entry(submission_id=SID).priority is None


def _drafted(fields: dict[str, Any]) -> Entry:
    data = {"submission_id": SID, "district": "巴州区", "call_id": "c",
            "category": "promotion", "fields": fields}  # fmt: skip
    entry = fold(None, "SubmissionDrafted", data, T0)
    assert entry is not None
    return entry


def test_the_entry_s_listing_number_applicant_place_lead_and_level_come_from_its_fields() -> None:
    entry = _drafted(full_body("promotion") | {"tech_level": "international_leading"})
    assert entry.platform_listing_id == "TFY-2021_0001"
    assert (entry.applicant_type, entry.region_code) == ("enterprise", "511902")
    assert entry.location == "四川省巴中市巴州区"
    assert (entry.lead_name, entry.lead_affiliation) == ("李四", "四川大学")
    assert entry.tech_level == "international_leading"
    updated = fold(entry, "SubmissionUpdated", {"submission_id": SID, "fields": {}}, T0)
    assert updated is not None and updated.location == "" and updated.lead_name == ""


def test_an_entry_written_before_codes_is_placed_by_its_names() -> None:
    old = full_body("promotion")
    old["applicant"] = {"name": "某公司", "type": "enterprise", "province": "四川",
                        "city": "巴中市", "district": "通江县"}  # fmt: skip
    old["lead_enterprise"] = "巴中某科技有限公司"  # a string before #13
    del old["lead"]
    entry = _drafted(old)
    assert (entry.region_code, entry.location) == ("511921", "四川省巴中市通江县")
    assert (entry.lead_name, entry.lead_affiliation) == ("", "")
    # Names that map to no code are shown as written, never guessed.
    old["applicant"] |= {"province": "火星", "city": "某市 ", "district": ""}
    entry = _drafted(old)
    assert (entry.region_code, entry.location) == (None, "火星某市")


def test_the_summary_table_s_new_columns() -> None:
    entry = _drafted(full_body("achievement") | {"tech_level": "international_leading"})
    entry = entry._replace(status="submitted", screening_state="in_review", findings_count=0,
                           review_count=2, priority=False)  # fmt: skip
    row = dict(zip(HEADERS, row_values(1, entry), strict=True))
    assert row["平台发布编号"] == "TFY-2021_0001"
    assert row["技术水平"] == "国际领先"
    assert row["优先支持"] == "否"
    assert row["申报单位类型"] == "企业"
    assert row["所在地"] == "四川省巴中市巴州区"
    assert row["项目负责人"] == "李四（四川大学）"
    assert (row["筛查问题数"], row["待审核项数"]) == (0, 2)
    blank = dict(zip(HEADERS, row_values(2, Entry(submission_id=SID)), strict=True))
    assert (blank["优先支持"], blank["技术水平"], blank["项目负责人"]) == ("", "", "")


def test_a_returned_entry_ignores_a_screening_result_from_before_the_return() -> None:
    """Returned after it was screened: whichever log reporting reads first, the entry shows
    `returned`; a result screening gives later (the due passed unanswered) counts."""
    logs = {
        "intake": [
            ("SubmissionDrafted", {"submission_id": SID, "district": "巴州区",
                                   "category": "challenge", "call_id": "demo",
                                   "fields": full_body("challenge")}),
            ("SubmissionSubmitted", {"submission_id": SID}),
            ("SubmissionReturned", {"submission_id": SID}),
        ],
        "screening": [("ScreeningCompleted", {"submission_id": SID, "state": "in_review",
                                              "findings": []})],
    }  # fmt: skip
    times = {"SubmissionDrafted": T0, "SubmissionSubmitted": T0 + timedelta(minutes=1),
             "ScreeningCompleted": T0 + timedelta(minutes=2),
             "SubmissionReturned": T0 + timedelta(minutes=3)}  # fmt: skip
    for sources in itertools.permutations(logs):
        entry = _fold_all([(t, d, times[t]) for s in sources for t, d in logs[s]])
        assert entry is not None and entry.state == "returned"
    lapsed = {"submission_id": SID, "state": "ineligible", "findings": []}
    entry = fold(entry, "ScreeningCompleted", lapsed, T0 + timedelta(days=8))
    assert entry is not None and entry.state == "ineligible"


def test_a_recommendation_shows_its_rank_and_reason_until_withdrawn() -> None:
    entry = _drafted(full_body("achievement"))
    recommended = fold(entry, "EntryRecommended",
                       {"submission_id": SID, "rank": 2, "reason": "技术领先"}, T0)  # fmt: skip
    assert recommended is not None
    assert (recommended.recommendation_rank, recommended.recommendation_reason) == (2, "技术领先")
    row = dict(zip(HEADERS, row_values(1, recommended), strict=True))
    assert (row["推荐排序"], row["推荐理由"]) == (2, "技术领先")
    withdrawn = fold(recommended, "RecommendationWithdrawn",
                     {"submission_id": SID, "reason": "", "lapsed": True}, T0)  # fmt: skip
    assert withdrawn is not None and withdrawn.recommendation_rank is None
    assert dict(zip(HEADERS, row_values(1, withdrawn), strict=True))["推荐排序"] == ""
