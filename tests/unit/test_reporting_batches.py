"""Reporting's 报送后已修改: a `BatchSent` marks each entry it froze with the batch and what it
froze; intake amending or withdrawing the entry after it, or its stored materials changing,
marks it changed; a later batch that includes it again clears the mark. Media's log is read
apart from intake's, so the materials are judged as they stand, whichever log comes first."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from services.reporting.adapters.export import HEADERS, row_values
from services.reporting.domain.projection import Entry, fold, per_entry

T0 = datetime(2021, 10, 1, tzinfo=UTC)
SID, OTHER = "7f0c5e8e-0000-4000-8000-000000000001", "7f0c5e8e-0000-4000-8000-000000000002"
M = {"submission_id": SID, "kind": "promo_video", "size": 10}


def _sent(number: int, version: int, materials: list[str], batch: str = "b1") -> dict[str, Any]:
    entries = [
        {"id": SID, "version": version, "materials": [{"id": m} for m in materials]},
        {"id": OTHER, "version": 1, "materials": []},
    ]
    return {"batch_id": batch, "number": number, "call_id": "c", "district": "巴州区",
            "manifest": {"entries": entries}, "sha256": "0" * 64}  # fmt: skip


def _fold(events: list[tuple[str, dict[str, Any]]]) -> Entry:
    entry: Entry | None = None
    for n, (type_, whole) in enumerate(events):
        for one, data in per_entry(type_, whole):
            if data["submission_id"] == SID:
                entry = fold(entry, one, data, T0 + timedelta(minutes=n))
    assert entry is not None
    return entry


DRAFT = ("SubmissionDrafted", {"submission_id": SID, "district": "巴州区", "call_id": "c",
                               "category": "achievement", "fields": {"title": "甲"}})  # fmt: skip
SUBMIT = ("SubmissionSubmitted", {"submission_id": SID, "call_id": "c"})
UPDATE = (
    "SubmissionUpdated",
    {"submission_id": SID, "changed": ["title"], "fields": {"title": "乙"}},
)
STORE_A = [
    ("MaterialRequested", M | {"material_id": "a", "filename": "a.mp4"}),
    ("MediaStored", M | {"material_id": "a"}),
]


def batch_cells(entry: Entry) -> list[object]:
    """The 汇总表's two batch columns of the entry's row."""
    at = HEADERS.index("报送批次")
    assert HEADERS[at : at + 2] == ["报送批次", "报送后已修改"]
    return row_values(1, entry)[at : at + 2]


def test_a_batch_names_each_entry_it_froze() -> None:
    parts = per_entry("BatchSent", _sent(1, 2, ["a"]))
    assert [p["submission_id"] for _, p in parts] == [SID, OTHER]
    assert parts[0][1] == {"submission_id": SID, "batch_id": "b1", "number": 1, "version": 2,
                           "materials": ["a"]}  # fmt: skip
    assert per_entry("SubmissionSubmitted", SUBMIT[1]) == [SUBMIT]


def test_an_entry_unchanged_since_its_batch_is_not_marked() -> None:
    entry = _fold([DRAFT, SUBMIT, *STORE_A, ("BatchSent", _sent(1, 2, ["a"]))])
    assert (entry.batch_id, entry.batch_number, entry.batch_version) == ("b1", 1, 2)
    assert entry.changed_after_batch is False
    assert entry.updated_at == T0 + timedelta(minutes=3)  # a batch is not a change of the entry
    assert batch_cells(entry) == ["第1批", "否"]


def test_no_batch_no_mark() -> None:
    entry = _fold([DRAFT, SUBMIT, UPDATE])
    assert entry.batch_number is None and entry.changed_after_batch is False
    assert batch_cells(entry) == ["", ""]


def test_amended_or_withdrawn_after_the_batch_is_marked_and_a_new_batch_clears_it() -> None:
    sent = ("BatchSent", _sent(1, 2, []))
    assert _fold([DRAFT, SUBMIT, sent, UPDATE]).changed_after_batch is True
    withdrawn = ("SubmissionWithdrawn", {"submission_id": SID, "reason": ""})
    assert _fold([DRAFT, SUBMIT, sent, withdrawn]).changed_after_batch is True
    # Amended before the batch: what the batch froze already holds it.
    assert _fold([DRAFT, SUBMIT, UPDATE, sent]).changed_after_batch is False
    again = _fold([DRAFT, SUBMIT, sent, UPDATE, ("BatchSent", _sent(2, 3, [], batch="b2"))])
    assert (again.batch_number, again.changed_after_batch) == (2, False)
    assert batch_cells(_fold([DRAFT, SUBMIT, sent, UPDATE])) == ["第1批", "是"]


def test_a_material_added_removed_or_replaced_after_the_batch_is_marked() -> None:
    sent_with_a = ("BatchSent", _sent(1, 2, ["a"]))
    replaced = [
        ("MaterialRequested", M | {"material_id": "b", "filename": "b.mp4"}),
        ("MediaStored", M | {"material_id": "b"}),
    ]
    assert _fold([DRAFT, SUBMIT, *STORE_A, sent_with_a, *replaced]).changed_after_batch is True
    added = ("BatchSent", _sent(1, 2, []))
    assert _fold([DRAFT, SUBMIT, added, *STORE_A]).changed_after_batch is True
    # A new upload that is not stored (yet, or ever) changes nothing that was sent.
    pending = ("MaterialRequested", M | {"material_id": "c", "filename": "c.mp4", "kind": "proof"})
    assert _fold([DRAFT, SUBMIT, *STORE_A, sent_with_a, pending]).changed_after_batch is False


def test_the_mark_does_not_depend_on_how_intake_s_and_media_s_logs_interleave() -> None:
    intake = [DRAFT, SUBMIT, ("BatchSent", _sent(1, 2, ["a"]))]
    results = set()
    for first, second in itertools.permutations([intake, STORE_A]):
        entry = _fold([*first, *second])
        results.add((entry.changed_after_batch, entry.batch_number))
    assert results == {(False, 1)}


def test_a_rebuild_folds_a_batch_into_each_entry_it_names() -> None:
    """`kechuang rebuild reporting` reads the logs as pages of raw events (`log_page`)."""
    from services.reporting.adapters.rebuild import fold_log

    at = T0.isoformat()
    other_draft = DRAFT[1] | {"submission_id": OTHER}
    intake = [
        [1, "SubmissionDrafted", 1, at, DRAFT[1]],
        [2, "SubmissionDrafted", 1, at, other_draft],
        [3, "BatchSent", 1, at, _sent(1, 1, [])],
        [4, "SubmissionUpdated", 1, at, UPDATE[1]],
    ]

    def fetch(source: str, after: int, limit: int) -> list[Any]:
        return [item for item in intake if item[0] > after][:limit] if source == "intake" else []

    state, positions, count = fold_log(fetch, ["intake"], batch=2, window=1)
    assert (positions, count) == ({"intake": 4}, 4)
    assert (state[SID].batch_number, state[SID].changed_after_batch) == (1, True)
    assert (state[OTHER].batch_number, state[OTHER].changed_after_batch) == (1, False)
