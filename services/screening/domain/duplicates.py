"""Entries handed in twice (疑似重复申报), as matching suspects them and staff settle them.

Matching finds pairs of entries alike enough to be one project handed in twice (across
districts or calls) and says so with `DuplicateSuspected`, or `DuplicateCleared` once they are
no longer alike; staff settle a pair with `DuplicateMarked`: `duplicate_of` (the entry
`submission_id` is a copy of `other_id`) or `not_duplicate`. A later mark of a pair replaces the
earlier one. Each entry of a pair keeps what it knows of the other (`Pair`, keyed by the other's
id), and its findings follow:

- a standing suspicion (suspected, not cleared, not settled by staff) is a `review` finding
  naming the other entry: staff are to look at both;
- the entry staff marked as the copy gets a `fail`: one project is eligible once, and the
  copy is the one out (the original keeps its own findings);
- `not_duplicate` settles the pair for good: a later suspicion of the same pair (an edit
  bringing them close again) raises nothing, since staff already looked at the two.

Entries with no pair get no finding at all (no `pass` either), so the findings of every other
entry are as they were. Pure: the use case locks both rows and folds the event into each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from services.screening.domain.rules import FAIL, REVIEW, Finding

EVENTS = frozenset({"DuplicateSuspected", "DuplicateCleared", "DuplicateMarked"})
SUSPECTED: Final = "duplicate.suspected"
MARKED: Final = "duplicate.marked"
# 一(二) 征集内容: what the call collects is projects, each once; the notice has no clause on
# entries handed in twice, so the finding cites what is being collected.
CLAUSE: Final = "一(二)"
# What a pair's `mark` says of this entry.
COPY, ORIGINAL, NOT_DUPLICATE = "copy", "original", "not_duplicate"

# {other submission id: {title, district, similarity, suspected, mark}}
Pairs = Mapping[str, Mapping[str, Any]]


def concerns(event_type: str) -> bool:
    return event_type in EVENTS


def other_of(data: Mapping[str, Any], own_id: str) -> str:
    """The other entry of the pair an event is about, seen from `own_id`."""
    return str(data["other_id"] if data["submission_id"] == own_id else data["submission_id"])


def fold(
    pairs: Pairs,
    event_type: str,
    data: Mapping[str, Any],
    own_id: str,
    known: tuple[str | None, str | None] = (None, None),
) -> dict[str, dict[str, Any]]:
    """The entry `own_id`'s pairs after a duplicate event; `known` is the other entry's
    (title, district) as screening knows it, for a mark of a pair never suspected."""
    other = other_of(data, own_id)
    after = {key: dict(value) for key, value in pairs.items()}
    pair = after.get(other) or {
        "title": known[0] or "",
        "district": known[1] or "",
        "similarity": None,
        "suspected": False,
        "mark": None,
    }
    if event_type == "DuplicateSuspected":
        first = data["submission_id"] == own_id
        pair |= {
            "title": data["other_title"] if first else data["title"],
            "district": data["other_district"] if first else data["district"],
            "similarity": data["similarity"],
            "suspected": True,
        }
    elif event_type == "DuplicateCleared":
        pair["suspected"] = False
    elif event_type == "DuplicateMarked":
        if data["decision"] == "duplicate_of":
            pair["mark"] = COPY if data["submission_id"] == own_id else ORIGINAL
        else:
            pair["mark"] = NOT_DUPLICATE
    else:
        return after
    if not pair["suspected"] and pair["mark"] is None:
        after.pop(other, None)  # nothing stands between the two any more
    else:
        after[other] = pair
    return after


def _named(pair: Mapping[str, Any]) -> str:
    title = f"《{pair['title']}》" if pair.get("title") else "另一申报项目"
    return f"{title}（{pair['district']}）" if pair.get("district") else title


def findings(pairs: Pairs) -> tuple[Finding, ...]:
    """The entry's findings from its pairs, most alike first (then by the other's id)."""

    def order(item: tuple[str, Mapping[str, Any]]) -> tuple[float, str]:
        return -(item[1].get("similarity") or 0.0), item[0]

    found: list[Finding] = []
    for _, pair in sorted(pairs.items(), key=order):
        if pair["mark"] == COPY:
            found.append(Finding(
                MARKED, CLAUSE, FAIL,
                f"重复申报（与{_named(pair)}重复，经市科协认定）",
                f"Handed in twice: a copy of “{pair.get('title') or 'another entry'}”, "
                "as the city association ruled",
            ))  # fmt: skip
        elif pair["mark"] is None and pair["suspected"]:
            similarity = float(pair.get("similarity") or 0.0)
            found.append(Finding(
                SUSPECTED, CLAUSE, REVIEW,
                f"疑似重复申报：与{_named(pair)}疑似重复，相似度 {similarity:.2f}",
                f"Possibly handed in twice: alike “{pair.get('title') or 'another entry'}” "
                f"({similarity:.2f})",
            ))  # fmt: skip
    return tuple(found)
