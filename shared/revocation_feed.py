"""Keeps a process's `Revocations` (shared.revocation) up to date: identity's `account` events
on a queue of the process's own (exclusive, auto-deleted: every process must hear every
event, so no shared consumer queue), and identity's log over RPC (`events_since`) at start,
after a gap, and every `CATCH_UP_SECONDS` in case the bus dropped something; each read to the
log's end confirms the view (`Revocations.confirmed`).

Until the log has been read once (`warm`), and again whenever it has not been confirmed for
`STALE_SECONDS`, a person's token cannot be judged and is answered 503 (retry) rather than
let through: a service restarted while identity is away must not forget who was cut off, and
one cut off from the broker must not go on trusting what it last heard. With identity's RPC
down but the bus up, events still arrive and apply (`apply_early` when one is missing before
them), and the log is asked again every few seconds.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from typing import Any

from kombu import Connection, Queue
from kombu.message import Message
from nameko.standalone.rpc import ClusterRpcProxy

from shared import config, topology
from shared.events import envelope
from shared.revocation import Revocations

log = logging.getLogger("kechuang.revocation")
OWNER = topology.STREAM_OWNERS["account"]
CATCH_UP_SECONDS = 15.0  # well inside STALE_SECONDS: a healthy view never turns stale
RETRY_SECONDS = 3.0  # after a failed read of the log
PAGE = 1000


class RevocationFeed:
    def __init__(self, nameko_config: dict[str, Any], view: Revocations) -> None:
        self.nameko_config = nameko_config
        self.view = view
        self.stopping = False
        self.behind = False  # an event arrived ahead of one not yet heard
        self.reading = False  # a read of identity's log is under way (`_read_beside`)
        self.read_ok = False
        self.last_read = 0.0
        self.rpc: ClusterRpcProxy | None = None
        self.cluster: Any = None

    # -- identity's log --------------------------------------------------------------------

    def catch_up(self) -> None:
        if self.cluster is None:
            self.rpc = ClusterRpcProxy(self.nameko_config, timeout=10)
            self.cluster = self.rpc.start()
        try:
            while True:
                page = getattr(self.cluster, OWNER).events_since(self.view.position, PAGE)
                for raw in page:
                    self.view.apply(envelope.load(raw))
                if len(page) < PAGE:
                    break
        except Exception:
            self.stop_proxy()
            raise
        self.view.warm = True
        self.view.confirmed = time.monotonic()
        self.view.forget_old()

    def _try_catch_up(self) -> bool:
        try:
            self.catch_up()
        except Exception as exc:
            log.warning("revocations: cannot read identity's log (%s); following the bus", exc)
            return False
        return True

    def stop_proxy(self) -> None:
        if self.rpc is not None:
            with contextlib.suppress(Exception):
                self.rpc.stop()
        self.rpc, self.cluster = None, None

    # -- the bus ---------------------------------------------------------------------------

    def on_message(self, body: Any, message: Message) -> None:
        try:
            event = envelope.load(body)
        except Exception as exc:  # not ours to dead-letter: the log is read again anyway
            log.error("ignoring an invalid account event: %s", exc)
            message.ack()
            return
        if self.view.in_order(event):
            self.view.apply(event)
        else:
            # An earlier event has not arrived: refuse what this one refuses at once, and read
            # the log from where we are (now, or on the next turn should identity not answer).
            self.view.apply_early(event)
            self.behind = True
        message.ack()

    def run(self) -> None:
        """Follow until `stop`; reconnect (and read the log again) after any failure."""
        settings = config.load()
        backoff, reported = 1.0, False
        while not self.stopping:
            try:
                self._follow(settings)
            except Exception as exc:
                if not reported:
                    log.warning("revocations: cannot follow identity yet (%s); retrying", exc)
                    reported = True
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            else:
                backoff, reported = 1.0, False

    def _follow(self, settings: config.Settings) -> None:
        queue = Queue(
            f"kechuang.revocations.{uuid.uuid4().hex[:12]}",
            exchange=topology.events_exchange(settings.exchange),
            routing_key="account.*",
            exclusive=True,
            auto_delete=True,
            durable=False,
        )
        with (
            Connection(self.nameko_config["AMQP_URI"]) as connection,
            connection.Consumer(queue, callbacks=[self.on_message], accept=["json"]),
        ):
            # Listening first, then reading the log: nothing falls between the two. The log is
            # read beside the bus, never in its way: with identity down each read waits for
            # its RPC timeout, and the bus's events must apply meanwhile.
            log.info("revocations: following identity from position %s", self.view.position)
            self.last_read, self.read_ok = 0.0, False
            while not self.stopping:
                wait = CATCH_UP_SECONDS if self.read_ok and not self.behind else RETRY_SECONDS
                if not self.view.warm:
                    wait = 1.0  # people's tokens wait on the first read: try again soon
                if not self.reading and time.monotonic() - self.last_read > wait:
                    self.reading = True
                    threading.Thread(target=self._read_beside, daemon=True).start()
                with contextlib.suppress(socket.timeout, TimeoutError):
                    connection.drain_events(timeout=1)

    def _read_beside(self) -> None:
        try:
            self.read_ok = self._try_catch_up()
            self.behind = self.behind and not self.read_ok
        finally:
            self.last_read, self.reading = time.monotonic(), False

    def stop(self) -> None:
        self.stopping = True
        self.stop_proxy()
