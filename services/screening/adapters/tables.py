"""Screening's own table (migrations: services/screening/migrations).

One `screenings` row per entry: what screening knows of the entry from intake's and media's
events (district, call, category, fields, intake status, materials), its latest result, the
review settlement and the selection, and the version of its `screening-<id>` stream. The row is
written in the same transaction as the events it follows from (consumed or appended), so it
never disagrees with them.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

screenings = Table(
    "screenings",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    # Null until intake's SubmissionDrafted arrives: media's events may come first, since the
    # two logs are consumed independently.
    Column("district", String(50), nullable=True),
    Column("call_id", String(100), nullable=True),
    Column("category", String(20), nullable=True),
    Column("fields", JSONB, nullable=True),
    Column("status", String(20), nullable=True),  # intake's: draft, submitted, withdrawn
    # [{material_id, kind, status}], oldest first (JSONB objects do not keep key order).
    Column("materials", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("state", String(20), nullable=False, server_default="pending"),
    Column("result", JSONB, nullable=True),  # the latest ScreeningCompleted's data
    # Whether the latest run saw the call closed: the deadline timer re-screens rows without it.
    Column("window_closed", Boolean, nullable=False, server_default=false()),
    Column("review", JSONB, nullable=True),
    Column("selection", JSONB, nullable=True),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The standing return for revision (domain.returns), kept after a resubmission.
    Column("returned", JSONB, nullable=True),
    # The standing recommendation to the province ({rank, reason, by, at}): its rank is unique
    # within the call (checked under a per-call lock, `rows.rank_holder`).
    # none_as_null: a withdrawn recommendation is SQL NULL (not JSON null), so the partial
    # index and `IS NOT NULL` see only standing ones.
    Column("recommendation", JSONB(none_as_null=True), nullable=True),
    # Matching's suspicions and staff's marks of entries handed in twice, by the other entry's
    # id (domain.duplicates): what the 疑似重复申报 and 重复申报 findings are made from.
    Column("duplicates", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    # The version of intake's `submission-<id>` stream screening has applied (0: not known, a
    # row from before screening_0005): what staff's decisions are checked against.
    Column("entry_version", Integer, nullable=False, server_default="0"),
    # The latest district batch that forwarded the entry ({batch_id, number, version,
    # materials, changed}; `domain.forwarding`), SQL NULL when none does.
    Column("forwarded", JSONB(none_as_null=True), nullable=True),
    Index(
        "screenings_awaiting_deadline",
        "call_id",
        postgresql_where=text("status = 'submitted' AND NOT window_closed"),
    ),
    Index(
        "screenings_recommended",
        "call_id",
        postgresql_where=text("recommendation IS NOT NULL"),
    ),
)

# The late exceptions granted on calls (intake's ExtensionGranted): an entry's close is the
# latest of its call's close and the extensions of its district or of the entry itself.
extensions = Table(
    "extensions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("call_id", String(100), nullable=False),
    Column("district", String(50), nullable=False),
    Column("submission_id", String(36), nullable=True),
    Column("until", DateTime(timezone=True), nullable=False),
    Index("extensions_call_district", "call_id", "district"),
)
