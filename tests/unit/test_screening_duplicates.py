"""Entries handed in twice (screening's domain.duplicates): a standing suspicion asks staff to
look (`review`, naming the other entry), the entry staff mark as the copy fails, `not_duplicate`
settles the pair for good, and an entry with no pair gets no finding at all."""

from __future__ import annotations

from typing import Any

from services.screening.domain import duplicates
from services.screening.domain.entry import Entry
from services.screening.domain.rules import FAIL, REVIEW
from services.screening.domain.screening import IN_REVIEW, INELIGIBLE, screen
from tests.entries import full_body
from tests.unit.test_screening_rules import ALL_STORED

A, B, C = "a" * 8, "b" * 8, "c" * 8


def suspected(first: str = A, second: str = B, similarity: float = 0.93) -> dict[str, Any]:
    return {
        "submission_id": first, "other_id": second, "similarity": similarity,
        "title": f"标题{first}", "district": "巴州区",
        "other_title": f"标题{second}", "other_district": "恩阳区",
    }  # fmt: skip


def marked(copy: str, original: str, decision: str = "duplicate_of") -> dict[str, Any]:
    return {"submission_id": copy, "other_id": original, "decision": decision, "note": ""}


def after(own: str, *events: tuple[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    pairs: dict[str, dict[str, Any]] = {}
    for event_type, data in events:
        pairs = duplicates.fold(pairs, event_type, data, own)
    return pairs


def test_a_suspicion_is_a_review_finding_on_each_entry_naming_the_other() -> None:
    event = ("DuplicateSuspected", suspected())
    (on_a,) = duplicates.findings(after(A, event))
    (on_b,) = duplicates.findings(after(B, event))
    assert on_a.outcome == on_b.outcome == REVIEW
    assert on_a.rule == duplicates.SUSPECTED and on_a.clause == duplicates.CLAUSE
    assert on_a.message == f"疑似重复申报：与《标题{B}》（恩阳区）疑似重复，相似度 0.93"
    assert on_b.message == f"疑似重复申报：与《标题{A}》（巴州区）疑似重复，相似度 0.93"


def test_a_cleared_suspicion_leaves_nothing() -> None:
    pairs = after(A, ("DuplicateSuspected", suspected()), ("DuplicateCleared", {
        "submission_id": A, "other_id": B}))  # fmt: skip
    assert pairs == {} and duplicates.findings(pairs) == ()


def test_not_duplicate_settles_the_pair_even_when_suspected_again() -> None:
    events = [
        ("DuplicateSuspected", suspected()),
        ("DuplicateMarked", marked(B, A, "not_duplicate")),
    ]
    assert duplicates.findings(after(A, *events)) == ()
    assert duplicates.findings(after(B, *events)) == ()
    again = [*events, ("DuplicateCleared", {"submission_id": A, "other_id": B}),
             ("DuplicateSuspected", suspected(B, A, 0.97))]  # fmt: skip
    assert duplicates.findings(after(A, *again)) == ()


def test_duplicate_of_fails_the_copy_only() -> None:
    events = [("DuplicateSuspected", suspected()), ("DuplicateMarked", marked(B, A))]
    (on_copy,) = duplicates.findings(after(B, *events))
    assert on_copy.outcome == FAIL and on_copy.rule == duplicates.MARKED
    assert on_copy.message == f"重复申报（与《标题{A}》（巴州区）重复，经市科协认定）"
    assert duplicates.findings(after(A, *events)) == ()
    # Staff's mark stands when the pair is no longer alike, and a later mark replaces it.
    cleared = [*events, ("DuplicateCleared", {"submission_id": A, "other_id": B})]
    assert [f.outcome for f in duplicates.findings(after(B, *cleared))] == [FAIL]
    undone = [*cleared, ("DuplicateMarked", marked(A, B, "not_duplicate"))]
    assert duplicates.findings(after(B, *undone)) == ()


def test_a_mark_of_a_pair_never_suspected_names_the_other_as_screening_knows_it() -> None:
    pairs = duplicates.fold({}, "DuplicateMarked", marked(B, A), B, ("原项目", "通江县"))
    (finding,) = duplicates.findings(pairs)
    assert finding.message == "重复申报（与《原项目》（通江县）重复，经市科协认定）"
    unnamed = duplicates.findings(duplicates.fold({}, "DuplicateMarked", marked(B, A), B))
    assert unnamed[0].message == "重复申报（与另一申报项目重复，经市科协认定）"


def test_pairs_are_listed_most_alike_first_and_kept_apart() -> None:
    pairs = after(A, ("DuplicateSuspected", suspected(A, B, 0.91)),
                  ("DuplicateSuspected", suspected(C, A, 0.99)))  # fmt: skip
    assert [f.message.split("《")[1][:10] for f in duplicates.findings(pairs)] == [
        f"标题{C}", f"标题{B}"]  # fmt: skip
    assert set(after(A, ("DuplicateCleared", {"submission_id": A, "other_id": B}))) == set()


def test_the_findings_come_after_the_rules_and_set_the_state() -> None:
    entry = Entry("achievement", full_body("achievement"), dict(ALL_STORED), "巴州区")
    plain = screen(entry, False)
    beside = duplicates.findings(after(B, ("DuplicateMarked", marked(B, A))))
    result = screen(entry, False, None, beside)
    assert result.findings == plain.findings + beside and result.state == INELIGIBLE
    review = duplicates.findings(after(A, ("DuplicateSuspected", suspected())))
    assert screen(entry, False, None, review).state == IN_REVIEW
    # No pair: no finding, so every other entry's findings are as they were.
    assert screen(entry, False, None, duplicates.findings({})) == plain
