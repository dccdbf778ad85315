"""What the rules ask of an entry's data: a few predicate builders, and the named predicates
the rule tables use. Each returns True (met), False (broken), None (data absent) or `Unsure`
(data there that cannot settle it: staff check it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.screening.domain.entry import Entry
from services.screening.domain.rules import Answer, Check, Unsure
from shared import regions
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


def _first_unsure(results: Sequence[Answer]) -> Unsure | None:
    return next((result for result in results if isinstance(result, Unsure)), None)


def all_of(*checks: Check) -> Check:
    """Every check is met; a broken one outweighs an unanswered one, which outweighs a doubt
    (what is absent must be given before anything is for staff to judge)."""

    def check(entry: Entry) -> Answer:
        results = [one(entry) for one in checks]
        if False in results:
            return False
        if None in results:
            return None
        return _first_unsure(results) or True

    return check


def any_of(*checks: Check) -> Check:
    """Some check is met; else a doubt (one might be met, staff check), else broken if any
    was answered, else unanswered."""

    def check(entry: Entry) -> Answer:
        results = [one(entry) for one in checks]
        if True in results:
            return True
        unsure = _first_unsure(results)
        if unsure is not None:
            return unsure
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


def in_sichuan(path: str, unknown: Unsure) -> Check:
    """The place at `path` (a GB/T 2260 code) is in 四川省; a code that is no known division
    is `unknown` (staff check the place), never a fail."""

    def check(entry: Entry) -> Answer:
        code = entry.get(path)
        if code is None:
            return None
        inside = regions.in_sichuan(code) if isinstance(code, str) else None
        return unknown if inside is None else inside

    return check


# --- the named predicates, in the notice's words -----------------------------------------

RESEARCH_BODIES = ("university", "institute")
CHINA = "CN"  # ISO 3166-1 alpha-2 (`lead.country`; absent: 中国)

published = given("platform_listing_id")

# 二(一)2 "由四川省高校、科研院所、企业的科技工作者牵头实施" is about who leads (项目负责人), not
# who applies: any applicant (an individual, a 学会, a workstation member) may hand it in.
_LEAD_UNKNOWN_PLACE = Unsure(
    "项目负责人所在地无法识别，须人工核实是否为四川省的高校、科研院所或企业",
    "The lead's place is not a known division code; staff check it is in Sichuan",
)
_LEAD_NOT_NAMED = Unsure(
    "未填写项目负责人（早于该字段的申报），须人工核实是否由四川省的高校、科研院所、企业的科技工作者牵头",
    "No lead named (an entry written before the field existed); staff check who leads",
)
_lead_from_sichuan = all_of(
    one_of("lead.affiliation_type", "university", "institute", "enterprise"),
    in_sichuan("lead.region_code", _LEAD_UNKNOWN_PLACE),
)


def led_from_sichuan(entry: Entry) -> Answer:
    """The lead's affiliation is a university, institute or enterprise in Sichuan. Intake asks
    for the lead before an entry is submitted, so a submitted entry without one was written
    before the lead was asked for: staff check it rather than the entry being excluded."""
    if entry.get("lead") is None:
        return _LEAD_NOT_NAMED
    if entry.get("lead.country") not in (None, CHINA):
        return False  # led from abroad: not 四川省的高校、科研院所、企业
    return _lead_from_sichuan(entry)


ownership_clear = is_("ip.ownership_clear", True)
no_unresolved_dispute = is_not("ip.dispute", "unresolved")
# 国际领先 is above both levels the notice names (domain.md, round 2).
leading_level = one_of("tech_level", "international_leading", "international_advanced",
                       "domestic_leading")  # fmt: skip
# 二(一)3 "具有较高的技术含量和成熟度": only a person can judge it from the description.
mature = for_staff("summary")
not_widely_deployed = is_not("deployment", "widely_deployed")
piloted = one_of("deployment", "pilot_completed", "early_industrialization")
lawful = is_("declarations.lawful", True)
statutory_review_done = is_not("declarations.statutory_review", "pending")
no_state_secret = is_("declarations.state_secret", False)

# Promotion (二(二)1 "由国内外企业牵头…高校、科研院所作为技术依托的合作单位参与"): the lead
# enterprise is named in its own field, since the applying unit may be one of the partners
# rather than the enterprise itself.
_LEAD_TYPE_UNKNOWN = Unsure(
    "牵头单位类型未注明（早于该字段的申报），须人工核实是否由企业牵头",
    "The lead's type is not given (an entry written before the field existed); staff check",
)


def enterprise_leads(entry: Entry) -> Answer:
    """`lead_enterprise.type` is an enterprise. An entry upcast from the days when the lead
    was a name only has no type: staff check it, rather than it failing."""
    lead = entry.get("lead_enterprise")
    if lead is None:
        return None
    if not isinstance(lead, Mapping):
        return False
    if lead.get("type") is None:
        return _LEAD_TYPE_UNKNOWN
    return lead["type"] == "enterprise"


enterprise_led = all_of(given("lead_enterprise.name"), enterprise_leads)


def applicant_is_partner(entry: Entry) -> Answer:
    """A university or institute applying for a project an enterprise leads is itself the
    technical partner, listed or not; any other applicant says nothing about partners (None),
    so the partners listed decide."""
    if entry.get("applicant.type") not in RESEARCH_BODIES:
        return None
    leads = enterprise_leads(entry)
    return None if leads is False else leads


research_partner = any_of(some_item("partners", "type", RESEARCH_BODIES), applicant_is_partner)
agreement_signed = is_("agreement_signed", True)
# `plan_project` names a provincial or national plan project accepted (验收通过) on completion.
high_award_or_plan = any_of(
    some_item("awards", "level", ("national", "provincial_ministerial")),
    one_of("plan_project", "provincial", "national"),
)

not_solved = is_("solved", False)

# 一(二)4: finance products are "金融机构推出的".
from_financial_institution = one_of("applicant.type", "financial_institution")


# The notice is "面向全区": an applicant elsewhere is not excluded by any clause, but staff
# should see it (it may be a branch, or the wrong office). Never a fail.
_PLACE_UNKNOWN = Unsure("所在地无法识别", "The applicant's place is not a known division code")


def in_the_district(entry: Entry) -> Answer:
    """The applicant's place (`applicant.region_code`) is the office's district."""
    applicant = entry.get("applicant")
    if not isinstance(applicant, Mapping):
        return None
    code = applicant.get("region_code")
    district = regions.code_of_district(entry.district)
    if not regions.is_known(code) or district is None:
        return _PLACE_UNKNOWN
    return code == district


willing_to_cooperate = one_of("cooperation_mode", "joint", "commissioned", "either")

video = stored(PROMO_VIDEO)
introduction = stored(INTRODUCTION)
proof = stored(PROOF)
