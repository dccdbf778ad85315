"""The notices' tables (migration: reporting_0004_notices). Not generations like the report
projection: a rebuild of the reports leaves them alone (notices are consumed by a subscription
of their own, `reporting-notices`, with its own checkpoints), and read marks and the outbox are
facts of their own that no log could give back.

- `notices`: one row per notice, with its read mark.
- `notice_entries`: what the notices know of each entry (`domain.notices.Facts`).
- `notice_extensions`: the latest district-wide extension per (call, district), for the
  deadline warnings.
- `notice_outbox`: the e-mails to send, one per notice at most, written in the notice's
  transaction (only while e-mail is configured); see `adapters.mailer` for its states.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

notices = Table(
    "notices",
    metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("recipient", String(80), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("submission_id", String(36)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
)
# The inbox: one recipient's notices, unread first, newest first.
Index("notices_inbox", notices.c.recipient, notices.c.created_at)

entries = Table(
    "notice_entries",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("district", String(50)),
    Column("call_id", String(100)),
    Column("title", Text, nullable=False),
    Column("email", Text),
    Column("status", String(20), nullable=False),
    Column("screening_state", String(20)),
)

extensions = Table(
    "notice_extensions",
    metadata,
    Column("call_id", String(100), primary_key=True),
    Column("district", String(50), primary_key=True),
    Column("until", DateTime(timezone=True), nullable=False),
)

# Every extension granted (district-wide: `submission_id` NULL): the entries report's 延期至.
granted = Table(
    "report_extensions",
    metadata,
    Column("extension_id", String(100), primary_key=True),
    Column("call_id", String(100), nullable=False),
    Column("district", String(50), nullable=False),
    Column("submission_id", String(36)),
    Column("until", DateTime(timezone=True), nullable=False),
    Index("report_extensions_call_district", "call_id", "district"),
)

outbox = Table(
    "notice_outbox",
    metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("address", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    # pending -> sending (claimed, committed before the SMTP conversation) -> sent | failed
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
)
Index("notice_outbox_pending", outbox.c.status, outbox.c.created_at)
