"""Media's own table (migrations: services/media/migrations): each material as shown, written
in the same transaction as its events."""

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

materials = Table(
    "materials",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("submission_id", String(36), nullable=False),
    Column("district", String(50), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("body", JSONB, nullable=False),
    Index("materials_status", "status", "updated_at"),
)
