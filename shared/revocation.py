"""Which persons' tokens are no longer good: a view every service keeps in memory, fed by
identity's `account` events (`shared.catalog.identity`), so a service refuses a revoked token
at once without asking identity on each request.

The rules, for a token that names a person (it has a session, `sid`):
- the person is disabled: refused;
- it was issued (`iat`) before the person's latest cut-off (a password change, "sign out
  everywhere", a disabling): refused;
- its session was revoked (signed out, or its refresh token family was reused): refused.
A token without a session (the CLI's: service accounts, the operator's) is refused when its
id (`jti`) was revoked (`kechuang token revoke`).

The view is only as good as its last confirmation: `confirmed` is when identity's log was
last read to its end. A view not confirmed for `STALE_SECONDS` (the broker or identity out of
reach) is not trusted with people's tokens: they are answered 503 until it is current again
(`shared.dependencies.Authenticator`).

A person's access token lives 15 minutes, so a revoked session needs remembering only that
long: older ones are forgotten (`SESSION_MEMORY`), and the view stays small.

`Revocations.apply` takes events in log order; a gap (an event the bus brought before an
earlier one) is reported to the caller, which then reads identity's log from `position`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from shared.auth import PERSON_TTL, Principal
from shared.events import Event

# How long after its revocation a session's tokens could still be unexpired, with a margin.
SESSION_MEMORY = PERSON_TTL + 5 * 60
# How long a view may go without reading identity's log to its end and still judge tokens.
STALE_SECONDS = 60.0


@dataclass
class Revocations:
    position: int = 0  # identity's log position applied so far
    warm: bool = False  # read identity's log once since start
    disabled: set[str] = field(default_factory=set)
    not_before: dict[str, float] = field(default_factory=dict)  # person -> cut-off
    sessions: dict[str, float] = field(default_factory=dict)  # revoked sid -> when
    tokens: dict[str, float] = field(default_factory=dict)  # revoked jti -> its expiry
    confirmed: float | None = None  # time.monotonic() of the last read to the log's end
    stale_seconds: float = STALE_SECONDS

    def current(self, now: float | None = None) -> bool:
        """Warm, and confirmed against identity's log within `stale_seconds`."""
        moment = time.monotonic() if now is None else now
        return (
            self.warm
            and self.confirmed is not None
            and moment - self.confirmed < self.stale_seconds
        )

    def apply(self, event: Event) -> None:
        """Apply one event of identity's log (others are ignored); idempotent by position."""
        if event.position is not None:
            if event.position <= self.position:
                return
            self.position = event.position
        self._effect(event)

    def apply_early(self, event: Event) -> None:
        """An event the bus brought ahead of one not yet heard: its refusal takes effect now
        (refusing sooner is safe), but the position stays, so the log read that fills the gap
        applies both in order. Letting someone back in (`AccountEnabled`) waits for order."""
        if event.type != "AccountEnabled" and (event.position or 0) > self.position:
            self._effect(event)

    def _effect(self, event: Event) -> None:
        data: dict[str, Any] = event.data
        person = str(data.get("person_id"))
        if event.type == "AccountDisabled":
            self.disabled.add(person)
            self._cut(person, data["not_before"])
        elif event.type == "AccountEnabled":
            self.disabled.discard(person)
        elif event.type in ("PasswordChanged", "SignedOutEverywhere", "TotpReset"):
            self._cut(person, data["not_before"])
        elif event.type == "SessionRevoked":
            self.sessions[data["session_id"]] = event.occurred_at.timestamp()
        elif event.type == "TokenRevoked":
            self.tokens[data["token_id"]] = float(data["expires_at"])

    def _cut(self, person: str, moment: float) -> None:
        self.not_before[person] = max(self.not_before.get(person, 0.0), float(moment))

    def in_order(self, event: Event) -> bool:
        """Whether `event` is the next one (or one already applied): False means a gap."""
        return event.position is None or event.position <= self.position + 1

    def refuses(self, principal: Principal) -> bool:
        if not principal.is_person:
            return principal.token_id is not None and principal.token_id in self.tokens
        person = principal.subject
        return (
            person in self.disabled
            or principal.issued_at < self.not_before.get(person, 0.0)
            or principal.session in self.sessions
        )

    def forget_old(self, now: float | None = None) -> None:
        """Drop sessions revoked so long ago that none of their tokens can be unexpired."""
        limit = (time.time() if now is None else now) - SESSION_MEMORY
        for sid in [s for s, at in self.sessions.items() if at < limit]:
            del self.sessions[sid]
        moment = time.time() if now is None else now
        for jti in [t for t, expires in self.tokens.items() if expires < moment]:
            del self.tokens[jti]
