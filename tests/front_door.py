"""What the tests of the running stack (tests/e2e, tests/browser) share: its front door, and
tokens from the operator's CLI as a deployer makes them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests


def token(*args: str) -> str:
    """`kechuang token ARGS`, e.g. token("--role", "office", "--district", "巴州区")."""
    return subprocess.run(
        [sys.executable, "-m", "ops.cli", "token", *args],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def front_door() -> str:
    """The base URL of the stack `make up` started; the test fails if nothing answers."""
    url = f"http://127.0.0.1:{os.environ.get('KECHUANG_PORT', '8080')}"
    try:
        requests.get(f"{url}/healthz/intake", timeout=5)
    except requests.ConnectionError:
        pytest.fail(f"nothing answers at {url}: run `make up` first (make test does)")
    return url
