"""A cluster of near-copies names each entry in a few pairs, not every other entry."""

from services.matching.domain.duplicates import PAIRS_PER_ENTRY, pairs, signature
from services.matching.domain.profile import Profile

SUMMARY = (
    "本项目研发了一种秸秆综合利用技术，将农作物秸秆经粉碎、发酵制成有机肥和饲料，"
    "年处理秸秆五万吨，减少焚烧污染，带动农户增收，已在三个乡镇推广应用。"
)


def test_twenty_near_copies_give_each_entry_at_most_a_few_pairs() -> None:
    entries = []
    for n in range(20):
        profile = Profile(
            submission_id=f"{n:08d}-0000-0000-0000-000000000000",
            district="巴州区",
            category="achievement",
            status="submitted",
            title=f"秸秆综合利用技术第{n}号",
            summary=SUMMARY + f"（第{n}版，修改{n * 7}处）",
            benefits="节本增效",
        )
        entries.append((profile, signature(profile)))
    found = pairs(entries)
    named: dict[str, int] = {}
    for pair in found:
        for side in (pair.a.submission_id, pair.b.submission_id):
            named[side] = named.get(side, 0) + 1
    assert found, "near-copies are found at all"
    assert max(named.values()) <= PAIRS_PER_ENTRY
    assert len(found) < 20 * 19 // 2
