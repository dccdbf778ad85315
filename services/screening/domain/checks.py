"""What the rules ask of an entry's data: a few predicate builders, and the named predicates
the rule tables use. Each returns True (met), False (broken) or None (data absent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.screening.domain.entry import Entry
from services.screening.domain.rules import Check
from shared.catalog.vocabulary import INTRODUCTION, PROMO_VIDEO, PROOF


def given(path: str) -> Check:
    """Text that says something: a blank string is an answer, and a wrong one."""

    def check(entry: Entry) -> bool | None:
        value = entry.get(path)
        if value is None:
            return None
        return isinstance(value, str) and value.strip() != ""

    return check


def one_of(path: str, *allowed: object) -> Check:
    """The value is one of the allowed ones."""

    def check(entry: Entry) -> bool | None:
        value = entry.get(path)
        return None if value is None else value in allowed

    return check


def is_(path: str, expected: bool) -> Check:
    """A yes/no declaration with the expected answer (`is`: only a JSON true/false counts)."""

    def check(entry: Entry) -> bool | None:
        value = entry.get(path)
        return None if value is None else value is expected

    return check


def is_not(path: str, excluded: object) -> Check:
    """The value is anything but the excluded one: the notice excludes named cases only."""

    def check(entry: Entry) -> bool | None:
        value = entry.get(path)
        return None if value is None else value != excluded

    return check


def some_item(path: str, key: str, allowed: Sequence[object]) -> Check:
    """Some item of a list has `key` in `allowed`; an empty list is an answer (no)."""

    def check(entry: Entry) -> bool | None:
        items = entry.get(path)
        if items is None:
            return None
        if not isinstance(items, list):
            return False
        return any(isinstance(item, Mapping) and item.get(key) in allowed for item in items)

    return check


def all_of(*checks: Check) -> Check:
    """Every check is met; a broken one outweighs an unanswered one."""

    def check(entry: Entry) -> bool | None:
        results = [one(entry) for one in checks]
        if False in results:
            return False
        return None if None in results else True

    return check


def any_of(*checks: Check) -> Check:
    """Some check is met; unanswered only when none was answered."""

    def check(entry: Entry) -> bool | None:
        results = [one(entry) for one in checks]
        if True in results:
            return True
        return False if False in results else None

    return check


def stored(kind: str) -> Check:
    """A material of this kind is stored; absent or not yet verified both mean "not provided",
    so this is never None: the rule's own outcome (`missing`) says so."""

    def check(entry: Entry) -> bool | None:
        return entry.has_stored(kind)

    return check


def for_staff(*paths: str) -> Check:
    """A criterion only a person can judge: raised (False) once any of the text it is judged
    on is given, unanswered (None) before that, never met by the data alone."""

    def check(entry: Entry) -> bool | None:
        return None if all(entry.get(path) is None for path in paths) else False

    return check


# --- the named predicates, in the notice's words -----------------------------------------

published = given("platform_listing_id")
led_from_sichuan = all_of(
    one_of("applicant.type", "university", "institute", "enterprise"),
    one_of("applicant.province", "四川省"),
)
ownership_clear = is_("ip.ownership_clear", True)
no_unresolved_dispute = is_not("ip.dispute", "unresolved")
leading_level = one_of("tech_level", "international_advanced", "domestic_leading")
not_widely_deployed = is_not("deployment", "widely_deployed")
piloted = one_of("deployment", "pilot_completed", "early_industrialization")
lawful = is_("declarations.lawful", True)
statutory_review_done = is_not("declarations.statutory_review", "pending")
no_state_secret = is_("declarations.state_secret", False)

# Promotion: the lead enterprise is named in its own field, since the applying unit may be
# one of the partners rather than the enterprise itself.
enterprise_led = given("lead_enterprise")
research_partner = some_item("partners", "type", ("university", "institute"))
agreement_signed = is_("agreement_signed", True)
# `plan_project` names a provincial or national plan project accepted (验收通过) on completion.
high_award_or_plan = any_of(
    some_item("awards", "level", ("national", "provincial_ministerial")),
    one_of("plan_project", "provincial", "national"),
)

not_solved = is_("solved", False)
willing_to_cooperate = one_of("cooperation_mode", "joint", "commissioned", "either")

video = stored(PROMO_VIDEO)
introduction = stored(INTRODUCTION)
proof = stored(PROOF)
