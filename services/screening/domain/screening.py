"""Screening an entry (资格审查): its findings under its category's rules, and its state.

The state follows from the findings in domain.md's order: any `fail` → ineligible; else any
`missing` → incomplete, or ineligible once the window has closed; else staff's settlement of
the review items if there is one; else any `review` → in review; else eligible. Priority only
ranks and never changes the state.

The close is final for an entry only once nothing in flight could complete it: while media
still has to settle materials requested before the close that would leave nothing missing,
the entry stays incomplete rather than passing through ineligible (`evidence`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from services.screening.domain.entry import Entry
from services.screening.domain.rules import FAIL, MISSING, PRIORITY, REVIEW, Finding
from services.screening.domain.rulesets import RULESET_VERSION, RULESETS
from shared.catalog.vocabulary import ELIGIBLE, IN_REVIEW, INCOMPLETE, INELIGIBLE

State = Literal["incomplete", "in_review", "eligible", "ineligible"]  # vocabulary.SCREENED_STATES
SETTLEMENTS: tuple[State, ...] = (ELIGIBLE, INELIGIBLE)


@dataclass(frozen=True)
class Result:
    """An entry's screening: the state, the rule set that judged it, every finding in the
    table's order (passes included, so the office sees what was checked), and priority."""

    state: State
    ruleset: str
    findings: tuple[Finding, ...]
    priority: bool

    def to_dict(self) -> dict[str, Any]:
        """The screening response's JSON shape (api.md)."""
        return {
            "state": self.state,
            "ruleset": self.ruleset,
            "findings": [asdict(finding) for finding in self.findings],
            "priority": self.priority,
        }


def evaluate(entry: Entry) -> tuple[Finding, ...]:
    """One finding per rule of the entry's category, in the notice's order."""
    try:
        rules = RULESETS[entry.category]
    except KeyError:
        raise ValueError(f"unknown category {entry.category!r}") from None
    return tuple(rule.finding(entry) for rule in rules)


def state_of(
    findings: Iterable[Finding], window_closed: bool, review_settled: str | None = None
) -> State:
    """The state the findings give; `review_settled` is staff's decision, if any."""
    if review_settled is not None and review_settled not in SETTLEMENTS:
        raise ValueError(f"unknown review decision {review_settled!r}")
    outcomes = {finding.outcome for finding in findings}
    # Staff settle review items only: a broken criterion stays broken whatever they decide.
    if FAIL in outcomes:
        return INELIGIBLE
    if MISSING in outcomes:
        # At the deadline whatever is still missing can no longer be provided: the entry is out
        # under ⑦ (不能提供征集所需完整材料). The findings keep their outcome `missing`, which
        # says why; only the state changes.
        return INELIGIBLE if window_closed else INCOMPLETE
    if review_settled == ELIGIBLE:
        return ELIGIBLE
    if review_settled == INELIGIBLE:
        # Honoured even with no review finding left: a person ruled the entry out.
        return INELIGIBLE
    return IN_REVIEW if REVIEW in outcomes else ELIGIBLE


def could_still_complete(entry: Entry) -> bool:
    """Whether storing the materials in flight would leave nothing missing."""
    if not entry.in_flight:
        return False
    hoped = evaluate(entry.if_stored_in_flight())
    return all(finding.outcome != MISSING for finding in hoped)


def screen(
    entry: Entry,
    window_closed: bool,
    review_settled: str | None = None,
    beside: tuple[Finding, ...] = (),
) -> Result:
    """Screen an entry under the current rule set; `beside` are findings about the entry in
    relation to others (handed in twice: `duplicates`), after the rules' own."""
    findings = evaluate(entry) + beside
    final = window_closed and not could_still_complete(entry)
    return Result(
        state=state_of(findings, final, review_settled),
        ruleset=RULESET_VERSION,
        findings=findings,
        priority=any(finding.outcome == PRIORITY for finding in findings),
    )
