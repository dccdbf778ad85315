"""Intake's own tables (migrations: services/intake/migrations). `submissions` is the entry as
listed and shown, written in the same transaction as the entry's events, so it never lags them.
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
    Text,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("district", String(50), nullable=False),
    Column("call_id", String(100), nullable=False),
    Column("category", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("selected", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("body", JSONB, nullable=False),
    Index("submissions_district", "district", "created_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("district", String(50), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("body_hash", String(64), nullable=False),
    Column("submission_id", String(36), nullable=False),
    Column("response", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The late exceptions (逾期补交) staff granted, written with their `ExtensionGranted` events:
# what submit and amend (and media, through `submission_owner`) judge an entry's close by.
extensions = Table(
    "extensions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("call_id", String(100), nullable=False),
    Column("district", String(50), nullable=False),
    Column("submission_id", String(36), nullable=True),  # null: the whole district's entries
    Column("until", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("granted_by", String(200), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Index("extensions_call_district", "call_id", "district"),
)

# The district's batches (汇总报送), written with their `BatchSent` events: `manifest` is the
# canonical JSON whose SHA-256 is `sha256`, kept as the very text that was hashed.
batches = Table(
    "batches",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("call_id", String(100), nullable=False),
    Column("district", String(50), nullable=False),
    Column("number", Integer, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("manifest", Text, nullable=False),
    Column("sent_by", String(200), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Index("batches_call_district_number", "call_id", "district", "number", unique=True),
)
