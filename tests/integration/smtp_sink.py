"""A real SMTP server for the outbox tests, run as a child process: `python -m
tests.integration.smtp_sink DIR PORT [HOLD]`.

It lives in its own process because the tests run under eventlet's monkey-patching (nameko's
pytest plugin), where aiosmtpd's asyncio loop in a thread of the test process can stall: a
whole CI run once hung there. Each message received is written to DIR as `NNN.eml`; with HOLD,
the HOLD-th message is written, then `DIR/holding` is created and the answer waits until
`DIR/release` exists (the sender waits for it while the test kills the sender).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory: Path, hold: int | None) -> None:
        self.directory = directory
        self.hold = hold
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        path = self.directory / f"{self.count:03d}.eml"
        path.with_suffix(".part").write_bytes(envelope.content)
        path.with_suffix(".part").rename(path)  # whole or absent for the reader
        if self.count == self.hold:
            (self.directory / "holding").touch()
            while not (self.directory / "release").exists():
                await asyncio.sleep(0.05)
        return "250 OK"


def main() -> None:
    directory, port = Path(sys.argv[1]), int(sys.argv[2])
    hold = int(sys.argv[3]) if len(sys.argv) > 3 else None
    controller = Controller(Sink(directory, hold), hostname="127.0.0.1", port=port)
    controller.start()
    (directory / "ready").touch()
    try:
        sys.stdin.read()  # until the test closes our standard input (or dies)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
