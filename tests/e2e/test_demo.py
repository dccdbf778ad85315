"""`kechuang demo` on the running stack: a newcomer sees entries in every state, in every
district of the open call, and is told where the console is and how to sign in."""

import os
import subprocess
from pathlib import Path

from ops import demo
from ops.client import Client, wait_until
from shared import calls, config
from shared.catalog.vocabulary import STATE_LABELS as STATES
from tests.front_door import token


def newcomer(*args: str) -> subprocess.CompletedProcess:
    """`kechuang ARGS` as a newcomer types it after `make up`: from the PATH, in a fresh shell
    that has none of the runner's environment."""
    bin_dir = os.environ.get("KECHUANG_BIN_DIR", "/usr/local/bin")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": os.environ["HOME"], "LANG": "C.UTF-8"}
    return subprocess.run(["kechuang", *args], env=env, cwd=Path.home(),
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_kechuang_on_the_path_makes_tokens_the_stack_accepts(base_url: str) -> None:
    made = newcomer("token", "--role", "office", "--district", "巴州区")
    assert made.returncode == 0, made.stderr[-2000:]
    office = Client(base_url, made.stdout.strip())
    assert office.summary()["districts"]  # a token signed with another key would get a 401


def test_the_demo_shows_every_state_in_every_district(base_url: str) -> None:
    loaded = newcomer("demo")  # `make up && kechuang demo`, as the README says
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

    again = newcomer("demo")
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(demo_rows()) == len(rows), "a second run must not add entries"
