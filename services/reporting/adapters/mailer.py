"""Sending the notices' e-mails from the outbox (`notice_outbox`), each at most once.

The scheme: a row is *claimed* (pending -> sending) in a transaction of its own that commits
before the SMTP conversation starts, and marked sent after the server accepted it. So:
- two senders (processes, or the timer overlapping itself) never send one row: the claim
  takes it with FOR UPDATE SKIP LOCKED and flips its status in one committed statement;
- a sender killed between the claim and the mark (SIGKILL, a crash, a lost connection during
  DATA) leaves the row `sending`. Whether the server got the message is then unknown: it is
  *not* sent again (the issue asks for at most once) but shown to staff as 状态不明
  (`GET /api/v1/notices/outbox`) to check with the recipient. The window is one message wide,
  the time of one SMTP DATA exchange. Every message carries a stable Message-ID (from the
  notice id), so a mail system that does see a copy twice can tell they are one.
- a refusal the server states (recipient or sender refused, data refused) is known not to be
  delivered: the row becomes `failed` with the reason, never retried by itself.
- the server unreachable before a claim: nothing is claimed; the next round tries again.

Settings: `KECHUANG_SMTP_URL` (`smtp://[user:password@]host:port`, or `smtps://` for TLS from
the start) and `KECHUANG_SMTP_FROM`; the password is never logged (only host and port are).
Without the URL nothing is queued or sent (`adapters.notices`). Run as
`python -m services.reporting.adapters.mailer` for a sender of its own, or by the reporting
service's timer.
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, text

log = logging.getLogger("kechuang.reporting.mailer")

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
TIMEOUT = 30  # seconds for one SMTP exchange


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    tls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log line
    sender: str = "kechuang@localhost"

    @classmethod
    def parse(cls, url: str, sender: str | None = None) -> Smtp:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("KECHUANG_SMTP_URL must be smtp://host:port or smtps://host:port")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=sender or "kechuang@localhost",
        )

    def connect(self) -> smtplib.SMTP:
        kind = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        client = kind(self.host, self.port, timeout=TIMEOUT)
        if self.user:
            client.login(self.user, self.password or "")
        return client


def message_id(notice_id: str) -> str:
    """The same for every attempt at one notice's e-mail."""
    return f"<{notice_id}@notices.kechuang>"


def _one_line(text: str) -> str:
    """A header holds one line. An entry's title may hold line breaks (text pasted with them),
    and a CR or LF there would end the Subject and start a header of the office's choosing
    (`Bcc: …`): each run of breaks and spaces becomes one space."""
    return " ".join(text.split())


def _message(row: Any, smtp: Smtp) -> EmailMessage:
    """The notice's e-mail; ValueError when its address is none a mail system takes."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = row.address
    message["Subject"] = _one_line(row.subject)
    message["Message-ID"] = message_id(row.notice_id)
    message["Date"] = formatdate(localtime=False)
    message.set_content(row.body)
    return message


_CLAIM = text(
    """
    UPDATE notice_outbox SET status = 'sending', claimed_at = now(), attempts = attempts + 1
    WHERE notice_id = (
        SELECT notice_id FROM notice_outbox WHERE status = 'pending'
        ORDER BY created_at, notice_id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING notice_id, address, subject, body
    """
)
_ANY_PENDING = text("SELECT 1 FROM notice_outbox WHERE status = 'pending' LIMIT 1")


def _settle(engine: Engine, notice_id: str, status: str, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE notice_outbox SET status = :status, error = :error, "
                "sent_at = CASE WHEN :sent THEN now() END WHERE notice_id = :id"
            ),
            {"status": status, "error": error, "sent": status == SENT, "id": notice_id},
        )


def send_pending(engine: Engine, smtp: Smtp, limit: int = 100) -> int:
    """Send up to `limit` pending e-mails over one connection; returns how many were sent."""
    with engine.connect() as conn:
        if conn.execute(_ANY_PENDING).first() is None:
            return 0
    try:
        client = smtp.connect()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP %s:%s unreachable (%s); trying later",
                    smtp.host, smtp.port, type(exc).__name__)  # fmt: skip
        return 0
    sent = 0
    try:
        while sent < limit:
            try:
                client.noop()  # a connection the server dropped is found before a claim
            except (OSError, smtplib.SMTPException):
                break
            with engine.begin() as conn:  # the claim commits before anything is sent
                row = conn.execute(_CLAIM).first()
            if row is None:
                break
            try:
                message = _message(row, smtp)
            except ValueError as exc:  # not an address: known not delivered
                _settle(engine, row.notice_id, FAILED, f"收件地址无效（{exc}）"[:500])
                continue
            try:
                client.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError) as exc:  # fmt: skip
                # The server said no: known not delivered. The reason staff read (the
                # outbox, GET /api/v1/notices/outbox): Chinese first, then the server's own.
                refused = f"邮件服务器拒收（{type(exc).__name__}: {exc}）"
                _settle(engine, row.notice_id, FAILED, refused[:500])
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # Lost mid-conversation: delivered or not, nobody knows. Left `sending`.
                log.error("e-mail of notice %s in doubt (%s)", row.notice_id,
                          type(exc).__name__)  # fmt: skip
                break
            _settle(engine, row.notice_id, SENT)
            sent += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return sent


def main() -> None:  # pragma: no cover - run as a process by the tests and operators
    from shared import config
    from shared.db import make_engine

    logging.basicConfig(level=logging.INFO)
    settings = config.load()
    if not settings.smtp_url:
        raise SystemExit("KECHUANG_SMTP_URL is not set: nothing to send")
    smtp = Smtp.parse(settings.smtp_url, settings.smtp_from)
    engine = make_engine(settings.db_url("reporting"), 2)
    log.info("sending notices' e-mails through %s:%s", smtp.host, smtp.port)
    while True:
        if send_pending(engine, smtp) == 0:
            time.sleep(1)


if __name__ == "__main__":
    main()
