"""Sign-in that a stranger cannot jam, fresh proof, and TOTP done properly (issue #24).

- `sign_in_failures`: failed password checks counted per key (an account's username, a client
  address, a trusted browser), replacing the per-account lock that anyone could set off.
- `trusted_devices`: browsers a person has signed in from (OWASP's device cookies).
- `sessions.confirmed_at`: when the person last gave their password (or TOTP) in that session.
- `revoked_tokens`: CLI tokens revoked by id (`kechuang token revoke`), for identity's own check.
- `accounts.tokens_not_before`: the latest cut-off, so identity's own check honours it too.
- `accounts.totp_last_step`: the last TOTP step accepted (a code is good once).
- `accounts.totp_secret` holds the secret encrypted (Fernet, key `KECHUANG_TOTP_KEY`); a secret
  stored in clear by identity_0001 is encrypted here when the key is set, else the enrolment
  is dropped (the person enrols again) rather than kept in clear.

Revision ID: identity_0002
Revises: identity_0001
"""

import os

import sqlalchemy as sa
from alembic import op

revision = "identity_0002"
down_revision = "identity_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "trusted_devices",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "revoked_tokens",
        sa.Column("token_id", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("sessions", sa.Column("confirmed_at", sa.DateTime(timezone=True)))
    op.add_column("accounts", sa.Column("tokens_not_before", sa.Float()))
    op.add_column("accounts", sa.Column("totp_last_step", sa.BigInteger()))
    op.alter_column("accounts", "totp_secret", type_=sa.Text())
    op.drop_column("accounts", "failures")
    op.drop_column("accounts", "locked_until")
    key = os.environ.get("KECHUANG_TOTP_KEY")
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT person_id, totp_secret FROM accounts "
                                "WHERE totp_secret IS NOT NULL")).all()  # fmt: skip
    for person_id, secret in rows:
        if key:
            from cryptography.fernet import Fernet

            sealed = Fernet(key.encode()).encrypt(secret.encode()).decode()
            conn.execute(sa.text("UPDATE accounts SET totp_secret = :s WHERE person_id = :p"),
                         {"s": sealed, "p": person_id})  # fmt: skip
        else:
            conn.execute(sa.text("UPDATE accounts SET totp_secret = NULL, totp_enabled = false "
                                 "WHERE person_id = :p"), {"p": person_id})  # fmt: skip


def downgrade() -> None:
    op.add_column("accounts", sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.add_column("accounts", sa.Column("failures", sa.Integer(), server_default="0",
                                        nullable=False))  # fmt: skip
    op.drop_column("accounts", "totp_last_step")
    op.drop_column("accounts", "tokens_not_before")
    op.drop_column("sessions", "confirmed_at")
    op.drop_table("revoked_tokens")
    op.drop_table("trusted_devices")
    op.drop_table("sign_in_failures")
