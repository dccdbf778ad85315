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
                {"submission_id": SID, "state": "in_review", "findings": [{}, {}]},
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
