"""The pairs kept change by change (`Pairing`) are the pairs computed from scratch.

The reference below is the from-scratch computation matching made before: every group head
queried against datasketch's own LSH index of all heads. Random histories of entries handed in,
edited (a new text, or the same text under another district), copied and withdrawn must leave
the incremental pairs equal to the reference's for the set that remains; a small window makes
the windows' edges (a head entering or leaving the CANDIDATES_PER_ENTRY nearest) happen often.
"""

import random

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHashLSH

from services.matching.domain import duplicates
from services.matching.domain.profile import Profile

PIECES = [
    "本项目研发了一种秸秆综合利用技术",
    "将农作物秸秆经粉碎发酵制成有机肥和饲料",
    "年处理秸秆五万吨",
    "减少焚烧污染",
    "带动农户增收",
    "已在三个乡镇推广应用",
    "采用钙钛矿太阳能电池",
    "建成示范生产线一条",
]


def reference(entries: list[tuple[Profile, bytes]]) -> list[duplicates.Pair]:
    groups: dict[bytes, list[Profile]] = {}
    for profile, stored in sorted(entries, key=lambda e: e[0].submission_id):
        groups.setdefault(stored, []).append(profile)
    found = [duplicates._copy(m[0], copy) for m in groups.values() for copy in m[1:]]
    lsh = MinHashLSH(threshold=duplicates.CANDIDATE_THRESHOLD, num_perm=duplicates.NUM_PERM)
    heads = {}
    for stored, members in groups.items():
        values = np.frombuffer(stored, dtype="<u4")
        minhash = LeanMinHash(seed=duplicates.SEED, hashvalues=values, scheme=duplicates.SCHEME)
        heads[members[0].submission_id] = (members[0], minhash)
        lsh.insert(members[0].submission_id, minhash)
    for key, (profile, minhash) in heads.items():
        others = sorted(other for other in lsh.query(minhash) if other > key)
        for other in others[: duplicates.CANDIDATES_PER_ENTRY]:
            pair = duplicates.compare(profile, heads[other][0])
            if duplicates.is_duplicate(pair):
                found.append(pair)
    found.sort(key=lambda p: (-p.similarity, p.a.submission_id, p.b.submission_id))
    return duplicates._most_alike(found)


def entry(rng: random.Random, sid: str, texts: list[str]) -> tuple[Profile, bytes]:
    if texts and rng.random() < 0.3:
        summary = rng.choice(texts)  # a copy of a text handed in before
    else:
        summary = "，".join(rng.sample(PIECES, rng.randint(3, 6)))
        texts.append(summary)
    profile = Profile(
        submission_id=sid,
        district=rng.choice(["巴州区", "平昌县", "通江县"]),
        category="achievement",
        status="submitted",
        title="秸秆综合利用技术",
        summary=summary,
        benefits="节本增效",
    )
    return profile, duplicates.signature(profile)


def keys(found: list[duplicates.Pair]) -> list[tuple[str, str, float, tuple[str, ...]]]:
    return [(p.a.submission_id, p.b.submission_id, p.similarity, p.fields) for p in found]


@pytest.mark.parametrize("seed", range(4))
def test_pairs_kept_change_by_change_equal_the_pairs_computed_from_scratch(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duplicates, "CANDIDATES_PER_ENTRY", 4)
    rng = random.Random(seed)
    texts: list[str] = []
    pairing = duplicates.Pairing()
    present: dict[str, tuple[Profile, bytes]] = {}
    for step in range(50):
        put, removed = [], []
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if present and roll < 0.2:
                removed.append(rng.choice(sorted(present)))  # withdrawn
            elif present and roll < 0.4:
                put.append(entry(rng, rng.choice(sorted(present)), texts))  # edited
            else:
                put.append(entry(rng, f"{rng.randrange(10**6):06d}-{step}", texts))
        for sid in removed:
            present.pop(sid, None)
        for profile, stored in put:
            present[profile.submission_id] = (profile, stored)
        pairing.update(put, removed)
        assert keys(pairing.pairs()) == keys(reference(list(present.values()))), step
    assert len(pairing) == len(present)
    assert pairing.pairs(), "the histories make pairs at all"
