"""A screening rule: one criterion of the notice, its clause, and what breaking it means.

A rule's `check` answers "is the criterion met?" from the entry's data:

- True: met, the finding is `pass`.
- False: the data is there and breaks it, the finding is the rule's `outcome_if_broken`.
- None: the data the rule reads is absent (missing or null), the finding is `missing`, never
  `fail`. "Not told yet" can still be put right while the call is open, "told, and wrong"
  cannot. Intake refuses to submit an entry lacking a required field, so this mostly
  concerns drafts and optional fields; once the window closes a `missing` finding excludes
  the entry just as a missing material does (see `screening`).

- `Unsure(reason)`: the data is there but cannot settle the criterion (a place whose code is
  not a known division, an entry written before a field existed), the finding is `review`
  with the reason as its message, whatever the rule's outcome when broken: data that might be
  right is for staff to check, never a `fail`.

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


@dataclass(frozen=True)
class Unsure:
    """A check's answer when the data is there but cannot settle the criterion: staff check
    it (`review`), told why in `message`."""

    message: str
    message_en: str


Answer = bool | Unsure | None
Check = Callable[[Entry], Answer]


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

    def _outcome(self, met: Answer) -> Outcome:
        if self.outcome_if_broken == PRIORITY:
            return PRIORITY if met is True else PASS
        if met is None:
            return MISSING
        if isinstance(met, Unsure):
            return REVIEW
        return PASS if met else self.outcome_if_broken

    def outcome(self, entry: Entry) -> Outcome:
        """This rule's finding for the entry: see the module docstring."""
        return self._outcome(self.check(entry))

    def finding(self, entry: Entry) -> Finding:
        """The finding to report, citing this rule's clause, with the rule's message or, when
        the data could not settle it, the reason why."""
        met = self.check(entry)
        outcome = self._outcome(met)
        if isinstance(met, Unsure) and outcome == REVIEW:
            return Finding(self.id, self.clause, outcome, met.message, met.message_en)
        return Finding(self.id, self.clause, outcome, self.message, self.message_en)
