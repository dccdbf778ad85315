"""The API document is exact: schemathesis, driven by GET /api/v1/openapi.json, sends what the
document allows (and what it forbids) through the front door, as an office and as staff, with
every check (`--checks all`), and finds nothing the document does not say.

Its stateful phase follows the document's links (ops/openapi.py LINKS): an office's run
creates entries, patches and submits them, asks for upload slots and completes them. The run
is bounded (examples per operation, a fixed seed, a time budget) to stay within ~3 minutes in
all; its exceptions, each with its reason, are in schemathesis.toml beside this file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.front_door import token

pytestmark = pytest.mark.e2e

CONFIG = Path(__file__).with_name("schemathesis.toml")
ROLES = {
    "office": ("--role", "office", "--district", "巴州区", "--subject", "schemathesis"),
    "staff": ("--role", "staff", "--subject", "schemathesis"),
}
MAX_EXAMPLES = 20
SEED = 20211102  # the 2021 call's closing day: a fixed seed, so a failure is reproducible
MAX_SECONDS = 80  # per role; the fuzzing and stateful phases stop when it is spent
# How long one answer may take before the client gives up: the front door's own read timeout
# (deploy/nginx/routes.conf), past which nginx answers 504 itself. The PDFs schemathesis.toml
# allows 60 s need it: a 1,000-row 汇总表 took 32–46 s while the rest of the suite ran beside it.
REQUEST_SECONDS = 60


def schemathesis() -> str:
    """The `schemathesis` beside this interpreter (a dev dependency, see pyproject.toml)."""
    found = Path(sys.executable).with_name("schemathesis")
    if not found.exists():
        pytest.fail("schemathesis is not installed: pip install -e '.[dev]'")
    return str(found)


@pytest.mark.parametrize("role", list(ROLES))
def test_the_api_document_holds_for(role: str, base_url: str, tmp_path: Path) -> None:
    command = [
        schemathesis(), "--config-file", str(CONFIG), "run", f"{base_url}/api/v1/openapi.json",
        "--url", base_url,
        "-H", f"Authorization: Bearer {token(*ROLES[role])}",
        "--checks", "all",
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--max-time", str(MAX_SECONDS), "--workers", "1",
        "--request-timeout", str(REQUEST_SECONDS),
        "--report", "junit", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS * 3 + 2 * REQUEST_SECONDS,  # a hang guard, past any slow answer
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
        cwd=tmp_path,  # its cache and reports stay out of the checkout
    )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
