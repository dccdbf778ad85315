"""The province package (推荐省级材料包) as a plan, before any byte is read. Pure.

The package holds `manifest.json`, `汇总表.xlsx`, `推荐函.pdf` and every stored material of the
recommended entries under `materials/<rank>-<title>/<filename>`. Names come from stored text
(titles and filenames an office typed), so each is made safe here: no path separator, no `..`,
no control or bidi character, no name a zip tool would put outside the package's folders, and
every path unique (a second `a.pdf` in a folder becomes `a-2.pdf`).

The manifest is known up front: a material's SHA-256 is what media verified when it stored it,
and the stream checks that the bytes it reads give that same digest (`adapters.package`), so a
package can never list one thing and hold another.

The letter (推荐函) goes inside the package, so it cannot cite the package's own digest; it cites
the table's digest instead (`table_digest`): the SHA-256 of the canonical list of recommended
entries, their ranks and their materials' verified digests, which anyone can recompute from
`manifest.json`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.reporting.domain.projection import Entry
from shared.catalog.vocabulary import STORED

MANIFEST = "manifest.json"
TABLE = "汇总表.xlsx"
LETTER = "推荐函.pdf"
MATERIALS = "materials"
TITLE_CHARS = 40
FILENAME_CHARS = 100
# Characters no file name may hold on the systems the package is opened on (Windows' set is
# the widest), besides the separators.
_FORBIDDEN = re.compile(r'[/\\:*?"<>|]')
_SPACES = re.compile(r"\s+")


def safe_name(text: str, limit: int, fallback: str) -> str:
    """`text` as one path segment: NFC, control/format characters (bidi overrides, zero-width
    joiners, NUL) removed, separators and reserved characters replaced by `_`, spaces
    collapsed, no leading dot (no `..`, no hidden file), at most `limit` characters."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _SPACES.sub(" ", _FORBIDDEN.sub("_", text)).strip().lstrip(".").strip()
    if len(text) > limit:
        stem, dot, suffix = text.rpartition(".")
        # Keep a short extension (a.pdf stays .pdf) when the stem is what is too long.
        if dot and stem and 0 < len(suffix) <= 8:
            text = stem[: limit - len(suffix) - 1].rstrip() + "." + suffix
        else:
            text = text[:limit].rstrip()
    return text or fallback


def _unique(path: str, taken: set[str]) -> str:
    """`path`, or `path` with `-2`, `-3`… before its extension if taken (case-insensitively:
    the package is opened on file systems that fold case)."""
    folder, _, name = path.rpartition("/")
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    candidate, n = path, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{folder}/{stem}-{n}{dot}{suffix}" if folder else f"{stem}-{n}{dot}{suffix}"
    taken.add(candidate.casefold())
    return candidate


@dataclass(frozen=True)
class PackedMaterial:
    """One material's place in the package and what media verified of it."""

    path: str
    material_id: str
    submission_id: str
    size: int
    sha256: str


@dataclass(frozen=True)
class MissingMaterial:
    """A material media verified whose object is not in the bucket (or not whole) now: listed
    in the manifest for a person to follow up, never packed."""

    material_id: str
    submission_id: str
    filename: str
    sha256: str


@dataclass(frozen=True)
class Plan:
    """The package's entries (by rank) and materials, with their paths."""

    entries: tuple[Entry, ...]
    folders: dict[str, str] = field(default_factory=dict)  # submission id -> folder path
    materials: tuple[PackedMaterial, ...] = ()
    missing: tuple[MissingMaterial, ...] = ()


def plan(entries: Sequence[Entry], digests: Mapping[str, Mapping[str, Any]]) -> Plan:
    """Where each recommended entry's stored materials go. `entries` are in rank order;
    `digests` is media's `material_digests` (size, sha256, status by material id): a material
    media does not list as stored is left out, whatever the projection says; one stored but
    with `in_bucket` false (its object lost from the bucket) is listed in `missing`."""
    taken = {name.casefold() for name in (MANIFEST, TABLE, LETTER)}
    folders: dict[str, str] = {}
    packed: list[PackedMaterial] = []
    missing: list[MissingMaterial] = []
    for entry in entries:
        title = safe_name(entry.title, TITLE_CHARS, "未命名项目")
        folder = _unique(f"{MATERIALS}/{entry.recommendation_rank or 0}-{title}", taken)
        folders[entry.submission_id] = folder
        for material in entry.materials:
            material_id = str(material.get("material_id", ""))
            digest = digests.get(material_id)
            if digest is None or digest.get("status") != STORED:
                continue
            if digest.get("in_bucket") is False:
                missing.append(MissingMaterial(material_id, entry.submission_id,
                                               str(material.get("filename") or ""),
                                               str(digest["sha256"])))  # fmt: skip
                continue
            name = safe_name(str(material.get("filename") or ""), FILENAME_CHARS, material_id)
            packed.append(
                PackedMaterial(
                    path=_unique(f"{folder}/{name}", taken),
                    material_id=material_id,
                    submission_id=entry.submission_id,
                    size=int(digest["size"]),
                    sha256=str(digest["sha256"]),
                )
            )
    return Plan(tuple(entries), folders, tuple(packed), tuple(missing))


def table_digest(plan: Plan) -> str:
    """SHA-256 of the canonical list of recommended entries: `[{"submission_id", "rank",
    "materials": [{"material_id", "sha256"}, …]}, …]` in rank order, materials by id, as
    compact JSON with sorted keys (`manifest.json` gives all of it, so it can be recomputed)."""
    by_entry: dict[str, list[dict[str, str]]] = {e.submission_id: [] for e in plan.entries}
    for m in plan.materials:
        by_entry[m.submission_id].append({"material_id": m.material_id, "sha256": m.sha256})
    canonical = [
        {
            "submission_id": e.submission_id,
            "rank": e.recommendation_rank,
            "materials": sorted(by_entry[e.submission_id], key=lambda m: m["material_id"]),
        }
        for e in plan.entries
    ]
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest(plan: Plan, documents: Mapping[str, bytes], made_at: str) -> dict[str, Any]:
    """`manifest.json`: every file but itself with its size and SHA-256 (the documents hashed
    here, the materials as media verified them), the entries by rank, and the table digest
    the letter cites."""
    files = [
        {"path": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        for name, body in documents.items()
    ]
    files += [
        {"path": m.path, "size": m.size, "sha256": m.sha256, "material_id": m.material_id,
         "submission_id": m.submission_id}
        for m in plan.materials
    ]  # fmt: skip
    entries = [
        {"rank": e.recommendation_rank, "submission_id": e.submission_id, "title": e.title,
         "district": e.district, "category": e.category, "reason": e.recommendation_reason,
         "folder": plan.folders[e.submission_id]}
        for e in plan.entries
    ]  # fmt: skip
    return {
        "package": "推荐省级材料包",
        "made_at": made_at,
        "table_sha256": table_digest(plan),
        "table_sha256_covers": "[{submission_id, rank, materials: [{material_id, sha256}]}]，"
        "按推荐排序，材料按 id；紧凑 JSON，键排序，UTF-8",
        "entries": entries,
        "files": files,
        # Verified once, gone from the bucket now: named so the province is not left guessing
        # and staff can ask the office to upload it again.
        "missing": [
            {
                "material_id": m.material_id,
                "submission_id": m.submission_id,
                "filename": m.filename,
                "sha256": m.sha256,
                "reason": "存储中找不到该材料或其不完整",
            }
            for m in plan.missing
        ],  # fmt: skip
    }
