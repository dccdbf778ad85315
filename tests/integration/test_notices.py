"""Notices (通知) with real PostgreSQL and RabbitMQ: the inbox through HTTP (district isolation,
read marks, no duplicates on a replay), the deadline warnings, and the e-mail outbox against a
real SMTP server (aiosmtpd, in a child process) this test starts: each notice delivered once,
also across a SIGKILL of the sender in the middle of a send."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from ops import schema
from services.reporting.adapters import mailer
from services.reporting.adapters import notice_tables as t
from services.reporting.adapters.notices import CONSUMER, Notices, replay_from_start
from shared.calls import Call
from shared.catalog import submission
from shared.db import make_engine
from shared.eventstore import consumer_checkpoint
from tests.integration.conftest import throwaway_database
from tests.integration.intake_fixtures import free_port
from tests.integration.reporting_fixtures import Reporting, reporting_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check: Callable[[], Any], seconds: float = 40, what: str = "") -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.2)


def inbox(rpt: Reporting, role: str, district: str | None = None, **params: str) -> dict:
    response = rpt.api.call("GET", "/api/v1/notices", role=role, district=district, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def returned(rpt: Reporting, sid: str) -> None:
    data = {"submission_id": sid, "reasons": "请补充成果证明", "fields": ["title"],
            "due": (datetime.now(UTC) + timedelta(days=5)).isoformat()}  # fmt: skip
    rpt.world.append("intake", submission.SubmissionReturned, submission.stream_id(sid), data)


def test_each_inbox_holds_its_own_notices_unread_first_and_read_marks_stick(
    rpt: Reporting,
) -> None:
    world = rpt.world
    ours = world.draft("巴州区", "achievement", title="巴州的项目")
    theirs = world.draft("恩阳区", "achievement", title="恩阳的项目")
    world.submit(ours)
    world.submit(theirs)
    returned(rpt, ours)
    world.material(theirs, "promo_video", "rejected")
    world.wake()

    mine = wait_for(lambda: inbox(rpt, "office", "巴州区")["items"], what="巴州区's notice")
    [notice] = mine
    assert notice["kind"] == "returned" and "巴州的项目" in notice["title"]
    assert "请补充成果证明" in notice["body"] and notice["read"] is False
    other = wait_for(lambda: inbox(rpt, "office", "恩阳区")["items"], what="恩阳区's notice")
    assert [n["kind"] for n in other] == ["material_rejected"]
    assert inbox(rpt, "staff")["items"] == []

    # Someone else's notice is answered as one that does not exist.
    path = f"/api/v1/notices/{notice['notice_id']}/read"
    refused = rpt.api.call("POST", path, role="office", district="恩阳区")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert rpt.api.call("POST", "/api/v1/notices/nonsense/read").status_code == 404
    marked = rpt.api.call("POST", path, role="office", district="巴州区")
    assert marked.status_code == 200 and marked.json()["read"] is True
    body = inbox(rpt, "office", "巴州区")
    assert body["unread_count"] == 0 and body["total"] == 1
    assert inbox(rpt, "office", "巴州区", unread="true")["items"] == []
    assert inbox(rpt, "office", "恩阳区")["unread_count"] == 1

    # Submitted again after the return: staff hear of it; a newer unread notice comes first.
    world.submit(ours)
    world.wake()
    staff = wait_for(lambda: inbox(rpt, "staff")["items"], what="staff's notice")
    assert [n["kind"] for n in staff] == ["resubmitted"]
    returned(rpt, ours)
    world.wake()
    listed = wait_for(
        lambda: (found := inbox(rpt, "office", "巴州区")["items"]) and len(found) == 2 and found
    )
    assert [n["read"] for n in listed] == [False, True]

    # A replay from the start (the notices' checkpoints dropped) makes no duplicate.
    with rpt.world.engine.begin() as conn:
        replay_from_start(conn)
    rpt.restart()

    def replayed() -> bool:
        with rpt.world.engine.connect() as conn:
            return bool(
                conn.execute(
                    select(func.count())
                    .select_from(consumer_checkpoint)
                    .where(consumer_checkpoint.c.consumer == CONSUMER)
                    .where(consumer_checkpoint.c.position > 0)
                ).scalar_one()
                >= 2  # intake and media read again
            )

    wait_for(replayed, what="the replay")
    time.sleep(1)
    with rpt.world.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.notices)).scalar_one() == 4
    assert inbox(rpt, "office", "巴州区")["unread_count"] == 1  # the read mark stands


def test_deadline_warnings_once_per_call_district_and_threshold(rpt: Reporting) -> None:
    world = rpt.world
    draft = world.draft("通江县", "achievement")
    done = world.draft("巴州区", "achievement")
    world.submit(done)
    world.screen(done, "eligible", 0)

    def known() -> bool:
        with world.engine.connect() as conn:
            rows = conn.execute(select(t.entries.c.submission_id)).scalars().all()
        return {draft, done} <= set(rows)

    world.wake()
    wait_for(known, what="the entries' facts")
    closes = datetime(2030, 11, 2, 15, 59, 59, tzinfo=UTC)
    call = Call("tianfu-2021", "测试征集", closes - timedelta(days=40), closes,
                ("achievement",), ("巴州区", "通江县"))  # fmt: skip
    notices = Notices({call.id: call}, mail=False)
    for _ in range(3):  # the timer runs often; processes restart
        notices.warn_of_deadlines(world.engine, closes - timedelta(days=2))
    notices.warn_of_deadlines(world.engine, closes - timedelta(hours=5))
    notices.warn_of_deadlines(world.engine, closes - timedelta(hours=4))
    items = inbox(rpt, "office", "通江县")["items"]
    assert sorted(n["title"] for n in items) == sorted(
        ["距“测试征集”截止还有不到 3 天", "距“测试征集”截止还有不到 1 天"]
    )
    theirs = [n["kind"] for n in inbox(rpt, "office", "巴州区")["items"]]
    assert "deadline" not in theirs  # nothing left to do there


# -- e-mail ----------------------------------------------------------------------------------


class Mailbox:
    """What the SMTP server (tests/integration/smtp_sink.py, a child process) received, read from
    its directory; with `hold`, it holds the `hold`-th message before answering (the sender waits
    for the answer while the test kills it)."""

    def __init__(self, directory: Path, hold: int | None = None) -> None:
        self.directory = directory
        self.hold = hold

    def holding(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not (self.directory / "holding").exists():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def release(self) -> None:
        (self.directory / "release").touch()

    @property
    def received(self) -> list[email.message.Message]:
        return [email.message_from_bytes(path.read_bytes(), policy=default)
                for path in sorted(self.directory.glob("*.eml"))]  # fmt: skip

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Callable[..., tuple[Mailbox, str]]]:
    """Starts SMTP servers in child processes: `start(hold=None)` → (mailbox, smtp URL)."""
    servers: list[subprocess.Popen[bytes]] = []

    def start(hold: int | None = None) -> tuple[Mailbox, str]:
        directory = tmp_path / f"smtp{len(servers)}"
        directory.mkdir()
        port = free_port()
        args = [sys.executable, "-m", "tests.integration.smtp_sink", str(directory), str(port)]
        servers.append(subprocess.Popen(
            args + ([str(hold)] if hold else []), cwd=ROOT, stdin=subprocess.PIPE
        ))  # fmt: skip
        wait_for(lambda: (directory / "ready").exists(), 30, "the SMTP server")
        return Mailbox(directory, hold), f"smtp://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.terminate()
        server.wait(10)


@pytest.fixture
def reporting_db() -> Iterator[str]:
    with throwaway_database() as url:
        schema.upgrade(url, "reporting")
        yield url


CLOSES = datetime(2030, 11, 2, 15, 59, 59, tzinfo=UTC)
CALL = Call("c", "测试征集", CLOSES - timedelta(days=40), CLOSES, ("achievement",), ("巴州区",))


def make_notices(
    url: str, count: int, mail: bool = True, titles: list[str] | None = None
) -> list[str]:
    """`count` returned entries of 巴州区, each with a contact e-mail: one notice each."""
    engine = make_engine(url, 2)
    notices = Notices({CALL.id: CALL}, mail=mail)
    ids = []
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            for n in range(count):
                sid = str(uuid.uuid4())
                title = titles[n] if titles else f"项目{n}"
                fields = {"title": title, "contact": {"email": f"p{n}@example.org"}}
                drafted = {"submission_id": sid, "district": "巴州区", "call_id": CALL.id,
                           "category": "achievement", "fields": fields}  # fmt: skip
                notices.apply_changes(
                    conn, [(str(uuid.uuid4()), "SubmissionDrafted", drafted, now)]
                )
                event_id = str(uuid.uuid4())
                back = {"submission_id": sid, "reasons": "补充", "due": CLOSES.isoformat()}
                notices.apply_changes(conn, [(event_id, "SubmissionReturned", back, now)])
                ids.append(mailer.message_id(conn.execute(
                    select(t.notices.c.notice_id).where(t.notices.c.submission_id == sid)
                ).scalar_one()))  # fmt: skip
    finally:
        engine.dispose()
    return ids


def statuses(url: str) -> dict[str, int]:
    engine = make_engine(url, 1)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM notice_outbox GROUP BY 1"))
            return {status: n for status, n in rows}
    finally:
        engine.dispose()


def test_without_smtp_no_email_is_queued(reporting_db: str) -> None:
    make_notices(reporting_db, 2, mail=False)
    assert statuses(reporting_db) == {}


def test_each_notice_is_mailed_once_with_a_stable_message_id(
    reporting_db: str, smtp_server: Callable[..., tuple[Mailbox, str]]
) -> None:
    ids = make_notices(reporting_db, 3)
    box, url = smtp_server()
    smtp = mailer.Smtp.parse(url, "noreply@example.org")
    engine = make_engine(reporting_db, 2)
    try:
        assert mailer.send_pending(engine, smtp) == 3
        assert mailer.send_pending(engine, smtp) == 0  # nothing twice
    finally:
        engine.dispose()
    assert sorted(box.ids()) == sorted(ids)
    assert statuses(reporting_db) == {"sent": 3}
    assert box.received[0]["Subject"].startswith("【科创项目征集】")


def test_a_title_with_line_breaks_adds_no_header_and_a_bad_address_stops_no_other(
    reporting_db: str, smtp_server: Callable[..., tuple[Mailbox, str]]
) -> None:
    """Titles are the offices' text, line breaks allowed: one must not add a header (a Bcc to
    anyone) or stop the sender; nor may an address no mail system takes."""
    titles = ["项目\r\nBcc: victim@example.org", "‮反向\n\n第二行\u2028第三行"]
    ids = make_notices(reporting_db, 2, titles=titles)
    engine = make_engine(reporting_db, 2)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO notice_outbox (notice_id, address, subject, body, status,"
                    " created_at, attempts) VALUES (:id, :address, '【科创项目征集】x', 'x',"
                    " 'pending', now() - interval '1 hour', 0)"
                ),
                {"id": str(uuid.uuid4()), "address": "p@example.org\r\nBcc: victim@example.org"},
            )
        box, url = smtp_server()
        assert mailer.send_pending(engine, mailer.Smtp.parse(url, "noreply@example.org")) == 2
    finally:
        engine.dispose()
    assert statuses(reporting_db) == {"sent": 2, "failed": 1}
    engine = make_engine(reporting_db, 1)
    try:
        with engine.connect() as conn:
            reason = conn.execute(text("SELECT error FROM notice_outbox WHERE status = 'failed'"))
            assert reason.scalar_one().startswith("收件地址无效")  # staff read it
    finally:
        engine.dispose()
    received = {str(m["Message-ID"]): m for m in box.received}
    assert sorted(received) == sorted(ids)
    subjects = " | ".join(str(m["Subject"]) for m in received.values())
    assert "\r" not in subjects and "\n" not in subjects
    for shown in ("Bcc: victim@example.org", "‮反向", "第二行", "第三行"):  # as text
        assert shown in subjects
    for message in received.values():
        assert message["Bcc"] is None and "victim" not in str(message["To"])


def sender(url: str, smtp_url: str) -> subprocess.Popen[bytes]:
    env = os.environ | {"KECHUANG_DB_URL_REPORTING": url, "KECHUANG_SMTP_URL": smtp_url}
    return subprocess.Popen(
        [sys.executable, "-m", "services.reporting.adapters.mailer"], cwd=ROOT, env=env
    )


def test_a_sigkill_mid_send_delivers_no_notice_twice_and_every_other_once(
    reporting_db: str, smtp_server: Callable[..., tuple[Mailbox, str]]
) -> None:
    ids = make_notices(reporting_db, 6)
    box, url = smtp_server(hold=3)
    first = sender(reporting_db, url)
    try:
        assert box.holding(60), "the sender never reached the third message"
        first.send_signal(signal.SIGKILL)  # in the middle of the third send
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    box.release()
    assert statuses(reporting_db).get("sending") == 1  # the one in doubt
    second = sender(reporting_db, url)
    try:
        wait_for(lambda: statuses(reporting_db).get("sent") == 5, 60, "the others sent")
        time.sleep(1.5)  # a round or two more: the one in doubt must stay unsent
    finally:
        second.terminate()
        second.wait(10)
    received = box.ids()
    assert len(received) == len(set(received)) == 6  # none twice; the held one reached the server
    assert sorted(received) == sorted(ids)
    assert statuses(reporting_db) == {"sent": 5, "sending": 1}
