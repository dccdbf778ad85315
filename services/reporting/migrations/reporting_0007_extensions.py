"""Every late exception (逾期补交) granted, district-wide or for one entry (issue #25 item 7):
what the entries report and the 汇总表 show as 延期至. Written by the notices' subscription
with each `ExtensionGranted`; the district-wide ones granted before this revision are copied
from `notice_extensions` (their latest `until` per call and district). Entry-wide ones granted
before it were not kept by reporting and show only once granted again.

Revision ID: reporting_0007
Revises: reporting_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0007"
down_revision = "reporting_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_extensions",
        sa.Column("extension_id", sa.String(100), primary_key=True),
        sa.Column("call_id", sa.String(100), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("submission_id", sa.String(36)),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("report_extensions_call_district", "report_extensions",
                    ["call_id", "district"])  # fmt: skip
    op.execute(
        "INSERT INTO report_extensions (extension_id, call_id, district, submission_id, until) "
        "SELECT 'before-0007:' || call_id || ':' || district, call_id, district, NULL, until "
        "FROM notice_extensions"
    )


def downgrade() -> None:
    op.drop_table("report_extensions")
