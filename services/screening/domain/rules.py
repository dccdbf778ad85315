"""A screening rule: one criterion of the notice, its clause, and what breaking it means.

A rule's `check` answers "is the criterion met?" from the entry's data:

- True: met, the finding is `pass`.
- False: the data is there and breaks it, the finding is the rule's `outcome_if_broken`.
- None: the data the rule reads is absent (missing or null), the finding is `missing`, never
  `fail`. "Not told yet" can still be put right while the call is open, "told, and wrong"
  cannot. Intake refuses to submit an entry lacking a required field, so this mostly
  concerns drafts and optional fields; once the window closes a `missing` finding excludes
  the entry just as a missing material does (see `screening`).

Two kinds of rule bend this:

- `review`: the data cannot settle the criterion (is it an original breakthrough? are the
  prospects good?), so the check returns False whenever there is something to judge, raising
  it for staff; it never passes by itself. None still means "nothing to judge yet".
- `priority`: True means the entry ranks higher (finding `priority`); False or None is a plain
  `pass`, since priority is optional and must never make an entry incomplete or exclude it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from services.screening.domain.entry import Entry

Outcome = Literal["pass", "fail", "missing", "review", "priority"]
Broken = Literal["fail", "missing", "review", "priority"]
PASS: Final = "pass"
FAIL: Final = "fail"
MISSING: Final = "missing"
REVIEW: Final = "review"
PRIORITY: Final = "priority"

Check = Callable[[Entry], bool | None]


@dataclass(frozen=True)
class Finding:
    """What one rule found about one entry, as the screening response carries it."""

    rule: str
    clause: str
    outcome: Outcome
    message: str
    message_en: str | None = None


@dataclass(frozen=True)
class Rule:
    """One criterion of the notice's section 二.

    `clause` is the reference a finding cites (`二(一)6②`); `restates` lists other clauses the
    same check covers (二(一)1 and 6① both ask for a platform listing), so every clause is
    traceable to a rule without reporting one fact twice. `message` is the notice's own words.
    """

    id: str
    clause: str
    outcome_if_broken: Broken
    check: Check
    message: str
    message_en: str | None = None
    restates: tuple[str, ...] = ()

    @property
    def clauses(self) -> tuple[str, ...]:
        """Every clause of the notice this rule stands for, the cited one first."""
        return (self.clause, *self.restates)

    def outcome(self, entry: Entry) -> Outcome:
        """This rule's finding for the entry: see the module docstring."""
        met = self.check(entry)
        if self.outcome_if_broken == PRIORITY:
            return PRIORITY if met else PASS
        if met is None:
            return MISSING
        return PASS if met else self.outcome_if_broken

    def finding(self, entry: Entry) -> Finding:
        """The finding to report, citing this rule's clause and message."""
        return Finding(self.id, self.clause, self.outcome(entry), self.message, self.message_en)
