"""Matching's pure parts on Chinese text: ranking a challenge's offers with an explanation, and
finding entries handed in twice."""

from __future__ import annotations

import uuid

import pytest

from services.matching.domain import duplicates, text
from services.matching.domain.index import rank
from services.matching.domain.profile import Profile, fold

STRAW = Profile(
    submission_id="c-straw",
    district="511902",
    category="challenge",
    status="submitted",
    title="秸秆综合利用技术难题",
    summary="我县每年产生玉米、水稻秸秆约二十万吨，露天焚烧污染空气，"
    "急需秸秆综合利用的成套方案，把秸秆变成肥料、饲料或燃料。",
    keywords=("秸秆", "综合利用"),
    industry_codes=("A", "01"),
    cooperation_mode="joint",
    region_code="511921",
)


def offer(title: str, summary: str, **kwargs: object) -> Profile:
    fields = {"category": "achievement", "status": "submitted", "district": "511903"} | kwargs
    return Profile(submission_id=str(uuid.uuid4()), title=title, summary=summary, **fields)  # type: ignore[arg-type]


STRAW_OFFER = offer(
    "秸秆还田与秸秆饲料化成套技术",
    "研制秸秆粉碎还田机和青贮饲料发酵菌剂，秸秆饲料化利用率达到百分之九十，"
    "已在川东北推广二十万亩。",
    industry_codes=("A",),
    region_code="511902",
)
UNRELATED = offer(
    "高效低成本钙钛矿太阳能电池",
    "采用新型空穴传输材料，电池光电转换效率达到百分之二十五，成本降低三成。",
    industry_codes=("C", "38"),
)
LOAN = offer(
    "科技型中小企业信用贷款",
    "面向科技型中小企业的纯信用贷款产品，额度最高五百万元。",
    category="finance",
)


def ranked(subject: Profile, *others: Profile, limit: int = 10) -> list:
    pool = [(p, text.terms(p)) for p in others]
    return rank(subject, text.terms(subject), pool, limit)


def test_a_straw_challenge_ranks_the_straw_achievement_above_an_unrelated_one() -> None:
    found = ranked(STRAW, UNRELATED, LOAN, STRAW_OFFER)
    assert found[0].other is STRAW_OFFER
    assert all(m.score < found[0].score for m in found[1:])
    assert "秸秆" in found[0].terms
    assert found[0].explanation.startswith("共同词语：秸秆")
    assert "同属行业：农、林、牧、渔业" in found[0].explanation
    assert "合作方式相容：难题方愿意联合开发" in found[0].explanation
    assert "同在巴中市" in found[0].explanation
    assert UNRELATED not in [m.other for m in found]  # no shared word, no shared industry


def test_an_offer_finds_the_challenges_it_may_answer_and_never_other_offers() -> None:
    found = ranked(STRAW_OFFER, UNRELATED, STRAW, LOAN)
    assert [m.other for m in found] == [STRAW]


def test_the_same_division_counts_more_than_the_same_section() -> None:
    division = offer("秸秆打捆机", "秸秆打捆", industry_codes=("01",))
    section = offer("秸秆打捆机", "秸秆打捆", industry_codes=("05",))
    found = ranked(STRAW, section, division)
    assert [m.other for m in found] == [division, section]
    assert found[0].industries == ("01",) and found[1].industries == ("A",)


def test_limit_and_a_subject_without_counterparts() -> None:
    assert len(ranked(STRAW, STRAW_OFFER, offer("秸秆燃料", "秸秆压块燃料"), limit=1)) == 1
    assert ranked(STRAW) == []


def test_the_profile_folds_intake_events_and_withdrawal_drops_it() -> None:
    fields = {
        "title": "秸秆",
        "applicant": {"name": "某公司", "region_code": "511902"},
        "keywords": ["秸秆"],
        "industry_codes": ["A"],
        "cooperation_mode": "joint",
    }
    drafted = fold(None, "SubmissionDrafted", {"submission_id": "s", "district": "511902",
                   "call_id": "c", "category": "challenge", "fields": fields})  # fmt: skip
    assert drafted is not None and drafted.region_code == "511902" and not drafted.handed_in
    submitted = fold(drafted, "SubmissionSubmitted", {"submission_id": "s", "call_id": "c"})
    assert submitted is not None and submitted.handed_in
    withdrawn = fold(submitted, "SubmissionWithdrawn", {"submission_id": "s"})
    assert withdrawn is not None and not withdrawn.handed_in
    assert fold(None, "SubmissionSubmitted", {"submission_id": "s", "call_id": "c"}) is None


ORIGINAL = offer(
    "山地果园智能水肥一体化灌溉系统",
    "针对川东北山地果园取水难、施肥粗放的问题，研制太阳能提水与水肥一体化滴灌设备。"
    "系统根据土壤墒情传感器数据自动决定灌溉时间和施肥量。"
    "在巴中、达州的柑橘园示范应用三千亩，节水百分之四十，节肥百分之三十。",
    benefits="每亩年增收一千二百元，减少面源污染。",
)
COPY = offer(
    "山地果园智能水肥一体化灌溉系统及应用",
    # sentences reordered, a few characters changed
    "系统依据土壤墒情传感器的数据自动决定灌溉时间和施肥量。"
    "在巴中、达州的柑桔园示范推广三千亩，节水百分之四十，节肥百分之三十。"
    "针对川东北山地果园取水难、施肥粗放的问题，研制太阳能提水及水肥一体化滴灌设备。",
    benefits="每亩每年增收一千二百元，减少面源污染。",
    district="511921",
    call_id="another-call",
)


def signed(*profiles: Profile) -> list[tuple[Profile, bytes]]:
    return [(p, duplicates.signature(p)) for p in profiles]


def test_a_copied_summary_with_edits_and_reordered_sentences_is_found() -> None:
    (pair,) = duplicates.pairs(signed(ORIGINAL, STRAW_OFFER, COPY, UNRELATED, STRAW))
    assert {pair.a, pair.b} == {ORIGINAL, COPY}
    assert pair.similarity >= duplicates.SIMILAR
    assert set(pair.fields) == {"title", "summary", "benefits"}


def test_an_unrelated_pair_and_a_same_topic_pair_are_not_duplicates() -> None:
    assert duplicates.pairs(signed(ORIGINAL, UNRELATED)) == []
    assert duplicates.pairs(signed(STRAW, STRAW_OFFER)) == []
    assert not duplicates.is_duplicate(duplicates.compare(STRAW, STRAW_OFFER))


@pytest.mark.parametrize("spacing", ["", " ", "，"])
def test_spacing_and_punctuation_do_not_hide_a_copy(spacing: str) -> None:
    spaced = offer(ORIGINAL.title, spacing.join(ORIGINAL.summary), benefits=ORIGINAL.benefits)
    assert duplicates.compare(ORIGINAL, spaced).similarity == 1.0
