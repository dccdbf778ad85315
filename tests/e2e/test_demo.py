"""`kechuang demo` on the running stack: a newcomer sees entries in every state, in every
district of the open call, and is told where the console is and how to sign in."""

import subprocess
import sys

from services.reporting.domain.labels import STATES
from shared import calls, config, demo
from shared.client import Client, wait_until
from tests.front_door import token


def test_the_demo_shows_every_state_in_every_district(base_url: str) -> None:
    loaded = subprocess.run([sys.executable, "-m", "shared.cli", "demo", "--url", base_url],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert f"{base_url}/" in loaded.stdout and "令牌" in loaded.stdout

    districts = calls.load(config.load().calls_file)["demo"].districts
    staff = Client(base_url, token("--role", "staff"))
    titles = {scenario.title for scenario in demo.SCENARIOS}

    def demo_rows() -> list[dict]:
        return [row for title in titles for row in staff.report_rows(q=title)]

    rows = wait_until(lambda: len(demo_rows()) >= len(demo.plan(districts)) and demo_rows(),
                      30, "the demo's entries in the reports")  # fmt: skip
    assert {row["state"] for row in rows} >= set(STATES) - {"submitted"}
    assert {row["district"] for row in rows} == set(districts)
    assert {row["category"] for row in rows} == {"achievement", "promotion", "challenge", "finance"}
    for row in rows:  # the summary table's words for them are Chinese
        assert STATES[row["state"]]

    again = subprocess.run([sys.executable, "-m", "shared.cli", "demo", "--url", base_url],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(demo_rows()) == len(rows), "a second run must not add entries"
