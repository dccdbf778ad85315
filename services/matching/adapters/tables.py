"""Matching's tables (migrations: services/matching/migrations).

- `match_entries`: one row per entry (the folded `domain.profile.Profile`), with what was
  derived from its text when it changed: the words ranking reads (`terms`) and the MinHash
  signature near-duplicates are found by (`signature`), so a query segments nothing; its
  sentence embedding, which ranking and the duplicate check read (`embedding`); and its
  `revision`, from the REVISIONS sequence, newer at each write (`adapters.index` reads by it).
- `match_decisions`: staff's latest decision on a (challenge, offer) pair, written in the
  transaction that appends its `MatchDecided` event.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
REVISIONS = "match_entries_revision"

entries = Table(
    "match_entries",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("district", String(50), nullable=False),
    Column("call_id", String(100), nullable=False),
    Column("category", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("benefits", Text, nullable=False),
    Column("applicant_name", Text, nullable=False),
    Column("lead_name", Text, nullable=False, server_default=""),
    Column("keywords", JSONB, nullable=False),
    Column("industry_codes", JSONB, nullable=False),
    Column("cooperation_mode", String(20)),
    Column("region_code", String(20)),
    Column("terms", JSONB, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    # Its sentence embedding (domain.semantic), derived with the words; empty until then.
    Column("embedding", LargeBinary, nullable=False, server_default=text("''")),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Set from the sequence on every write (adapters.live): the index reads what is newer.
    Column("revision", BigInteger, nullable=False, server_default=text(f"nextval('{REVISIONS}')")),
    Index("match_entries_pool", "status", "category"),
    Index("match_entries_revision_idx", "revision"),
)

decisions = Table(
    "match_decisions",
    metadata,
    Column("challenge_id", String(36), primary_key=True),
    Column("offer_id", String(36), primary_key=True),
    Column("decision", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("decided_by", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Index("match_decisions_offer", "offer_id"),
)

# Staff's latest decision on a suspected pair, keyed by its ids in order (first < second).
duplicate_decisions = Table(
    "duplicate_decisions",
    metadata,
    Column("first_id", String(36), primary_key=True),
    Column("second_id", String(36), primary_key=True),
    Column("submission_id", String(36), nullable=False),  # the copy, for duplicate_of
    Column("other_id", String(36), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("decided_by", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

# The pairs matching has published a DuplicateSuspected for (and no DuplicateCleared since).
duplicate_suspicions = Table(
    "duplicate_suspicions",
    metadata,
    Column("first_id", String(36), primary_key=True),
    Column("second_id", String(36), primary_key=True),
    Column("similarity", Float, nullable=False),
    Column("suspected_at", DateTime(timezone=True), nullable=False),
)

PROFILE_COLUMNS = (
    "submission_id", "district", "call_id", "category", "status", "title", "summary",
    "benefits", "applicant_name", "lead_name", "keywords", "industry_codes", "cooperation_mode",
    "region_code",
)  # fmt: skip
