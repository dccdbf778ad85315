"""The labelled set for matching (tests/data/matching/*.yaml), as matching and intake read it.

Written for the purpose (issue #17): technical challenges naming their true matches among the
offers (achievements, promotions, finance products), entries handed in twice (`duplicate_of`)
and entries on the same subject that are not copies (`related_to`). A copy of a true match is a
true match too: it says the same thing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.matching.domain.profile import Profile
from tests.entries import full_body

DATA = Path(__file__).resolve().parent / "data" / "matching"
TEXT_FIELDS = ("title", "summary", "benefits", "keywords", "industry_codes")


@dataclass(frozen=True)
class LabelledSet:
    entries: dict[str, dict[str, Any]]  # id -> the entry as written
    matches: dict[str, frozenset[str]]  # challenge id -> its true matches (copies included)
    duplicates: frozenset[frozenset[str]]  # the pairs handed in twice

    def profile(self, entry_id: str) -> Profile:
        entry = self.entries[entry_id]
        return Profile(
            submission_id=entry_id,
            district=entry["district"],
            call_id="tianfu-2021",
            category=entry["category"],
            status="submitted",
            title=entry["title"],
            summary=entry["summary"],
            benefits=entry["benefits"],
            keywords=tuple(entry["keywords"]),
            industry_codes=tuple(entry["industry_codes"]),
            cooperation_mode=entry.get("cooperation_mode"),
            region_code=entry["district"],
        )

    def profiles(self) -> list[Profile]:
        return [self.profile(entry_id) for entry_id in self.entries]

    def body(self, entry_id: str) -> dict[str, Any]:
        """The entry as an office hands it to intake (tests/entries.py's shape)."""
        entry = self.entries[entry_id]
        body = full_body(entry["category"])
        body |= {name: entry[name] for name in TEXT_FIELDS}
        body["applicant"] = body["applicant"] | {"region_code": entry["district"]}
        if "cooperation_mode" in entry:
            body["cooperation_mode"] = entry["cooperation_mode"]
        return body


@functools.cache
def load() -> LabelledSet:
    entries: dict[str, dict[str, Any]] = {}
    labels: dict[str, list[str]] = {}
    copies: dict[str, list[str]] = {}
    pairs = set()
    for path in sorted(DATA.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in document.get("challenges", []):
            entries[entry["id"]] = {"category": "challenge", **entry}
            labels[entry["id"]] = entry["matches"]
        for section in ("offers", "duplicates", "related"):
            for entry in document.get(section, []):
                entries[entry["id"]] = entry
                if "duplicate_of" in entry:
                    copies.setdefault(entry["duplicate_of"], []).append(entry["id"])
                    pairs.add(frozenset((entry["id"], entry["duplicate_of"])))
    matches = {}
    for challenge, named in labels.items():
        matches[challenge] = frozenset(named + [c for o in named for c in copies.get(o, [])])
        for copy in copies.get(challenge, []):
            matches[copy] = matches[challenge]
    for challenge, found in matches.items():
        unknown = [o for o in found if o not in entries or entries[o]["category"] == "challenge"]
        assert not unknown, f"{challenge}: unknown or not offers: {unknown}"
    return LabelledSet(entries, matches, frozenset(pairs))


# ---------------------------------------------------------------------------------------------
# The held-out set of issue #26 (tests/data/matching_eval/, written by its generate.py): needs
# described in their own words, offers in theirs, doubles rewritten by a second county, decoys.

EVAL = Path(__file__).resolve().parent / "data" / "matching_eval" / "set.yaml"


@dataclass(frozen=True)
class EvalSet:
    entries: dict[str, dict[str, Any]]  # id -> the entry as written
    matches: dict[str, frozenset[str]]  # challenge id -> its true matches (doubles included)
    duplicates: frozenset[frozenset[str]]  # the pairs handed in twice (rewritten)

    def profile(self, entry_id: str) -> Profile:
        entry = self.entries[entry_id]
        return Profile(
            submission_id=entry_id,
            district=entry["district"],
            call_id="tianfu-2021",
            category=entry["category"],
            status="submitted",
            title=entry["title"],
            summary=entry["summary"],
            benefits=entry["benefits"],
            applicant_name=entry["applicant_name"],
            keywords=tuple(entry["keywords"]),
            industry_codes=tuple(entry["industry_codes"]),
            cooperation_mode=entry.get("cooperation_mode"),
            region_code=entry["region_code"],
            lead_name=entry.get("lead_name", ""),
        )

    def profiles(self) -> list[Profile]:
        return [self.profile(entry_id) for entry_id in self.entries]

    def split(self, entry_id: str) -> str:
        return str(self.entries[entry_id]["split"])

    def challenges(self, split: str) -> dict[str, frozenset[str]]:
        """The challenges of `split` (dev or test) with their true matches."""
        return {c: m for c, m in self.matches.items() if self.split(c) == split}

    def duplicate_pairs(self, split: str) -> frozenset[frozenset[str]]:
        return frozenset(p for p in self.duplicates if self.split(min(p)) == split)

    def ids(self, split: str) -> list[str]:
        """The entries a split's duplicates are judged among: its own and the finance products."""
        return [e for e in self.entries if self.split(e) in (split, "both")]

    def shares_words(self, a: str, b: str) -> bool:
        """Whether two entries share a keyword or a title word (a word of either's title or
        keywords in both): the pairs a matcher can find by the same string."""
        ea, eb = self.entries[a], self.entries[b]
        if set(ea["keywords"]) & set(eb["keywords"]):
            return True
        return bool(_title_words(ea) & _title_words(eb))

    def unshared(self, split: str) -> dict[str, frozenset[str]]:
        """The challenges of `split` none of whose true matches shares a keyword or a title word
        with it: the half where the answer is described in the offer's own terms."""
        return {
            c: m for c, m in self.challenges(split).items()
            if not any(self.shares_words(c, o) for o in m)
        }  # fmt: skip


def _title_words(entry: dict[str, Any]) -> set[str]:
    from services.matching.domain import text

    found = set(text.words(entry["title"]))
    for keyword in entry["keywords"]:
        found |= set(text.words(keyword)) | {keyword.lower()}
    return found


@functools.cache
def load_eval() -> EvalSet:
    document = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in document["entries"]}
    matches = {
        e["id"]: frozenset(e["matches"]) for e in entries.values() if e["category"] == "challenge"
    }
    pairs = frozenset(
        frozenset((e["id"], e["duplicate_of"])) for e in entries.values() if "duplicate_of" in e
    )
    for challenge, found in matches.items():
        unknown = [o for o in found if o not in entries or entries[o]["category"] == "challenge"]
        assert not unknown, f"{challenge}: unknown or not offers: {unknown}"
    return EvalSet(entries, matches, pairs)
