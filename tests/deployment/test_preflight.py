"""deploy/local/preflight.sh: what a machine may already have stops `make up` with what to do,
or works as it is. Each check runs alone (the script sourced), against a throw-away run folder
and a stand-in listener on a spare port, with `rabbitmqctl` and `pg_lsclusters` stood in for,
so nothing of the running stack is touched and the checks do not depend on it."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PREFLIGHT = REPO / "deploy" / "local" / "preflight.sh"
STUBS = {
    "rabbitmqctl": 'exit "${STUB_RABBITMQ_STATUS:-69}"',
    "pg_lsclusters": 'printf "%s" "${STUB_CLUSTERS:-}"',
    "sudo": 'exec "$@"',
}


@pytest.fixture
def listener() -> Iterator[int]:
    """A program listening on a spare port of 127.0.0.1 (this test's own socket)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """The environment preflight.sh sees: a run folder of its own, no `kechuang` on the PATH,
    every port it checks free, stand-ins for the servers' tools."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    (tmp_path / "bin").mkdir()
    return {
        "PATH": f"{stubs}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "KECHUANG_RUN_DIR": str(tmp_path / "run"),
        "KECHUANG_BIN_DIR": str(tmp_path / "bin"),
        "KECHUANG_PG_PORT": str(_free_port()),
        "KECHUANG_PORT": str(_free_port()),
        "KECHUANG_MINIO_ENDPOINT": f"127.0.0.1:{_free_port()}",
    }


def _check(env: dict[str, str], *calls: str) -> tuple[int, str]:
    """Source preflight.sh, run the checks named, then its report: (exit status, what it said)."""
    script = f"source {PREFLIGHT}\n" + "\n".join(calls) + "\nreport\n"
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def test_a_program_on_the_projects_postgres_port_stops_make_up(machine, listener) -> None:
    machine["KECHUANG_PG_PORT"] = str(listener)
    status, said = _check(machine, "check_postgres")
    assert status == 1, said
    assert f"port {listener} (PostgreSQL, the project's own cluster 15/kechuang) is in use" in said
    assert f"KECHUANG_PG_PORT={listener + 1} make up" in said
    assert f"PID {os.getpid()}" in said  # who holds it (this test), as ss tells


def test_another_cluster_on_the_projects_port_is_named(machine, listener) -> None:
    # e.g. 15/main on 5433, made by apt next to a PostgreSQL 16 on 5432.
    machine["KECHUANG_PG_PORT"] = str(listener)
    machine["STUB_CLUSTERS"] = f"16 main {listener} online postgres /var/lib/x /var/log/x\n"
    status, said = _check(machine, "check_postgres")
    assert status == 1, said
    assert f"PostgreSQL cluster 16/main runs on port {listener}" in said
    assert "pg_ctlcluster 16 main stop" in said


def test_a_postgres_on_5432_or_the_projects_own_cluster_is_no_concern(machine, listener) -> None:
    machine["KECHUANG_PG_PORT"] = str(listener)  # our own cluster listens there
    machine["STUB_CLUSTERS"] = (
        "15 main 5432 online postgres /var/lib/x /var/log/x\n"
        f"15 kechuang {listener} online postgres /var/lib/y /var/log/y\n"
    )
    status, said = _check(machine, "check_postgres")
    assert (status, said) == (0, "")


def test_the_projects_cluster_on_another_port_says_which(machine) -> None:
    machine["STUB_CLUSTERS"] = "15 kechuang 5999 down postgres /var/lib/y /var/log/y\n"
    status, said = _check(machine, "check_postgres")
    assert status == 1, said
    assert "cluster 15/kechuang is set to port 5999, not KECHUANG_PG_PORT=" in said
    assert "KECHUANG_PG_PORT=5999" in said


def test_a_port_held_by_a_broker_rabbitmqctl_cannot_reach_stops_make_up(machine, listener) -> None:
    status, said = _check(machine, f"check_rabbitmq {listener} {_free_port()}")
    assert status == 1, said
    assert f"port {listener} (RabbitMQ) is in use" in said
    assert "not a RabbitMQ node rabbitmqctl can reach" in said


def test_a_running_rabbitmq_without_the_management_api_says_how(machine, listener) -> None:
    machine["STUB_RABBITMQ_STATUS"] = "0"
    status, said = _check(machine, f"check_rabbitmq {listener} {_free_port()}")
    assert status == 1, said
    assert "not started by make up) without the management API" in said
    assert "rabbitmq-plugins enable rabbitmq_management" in said


def test_a_running_rabbitmq_with_the_management_api_is_used_as_it_is(machine, listener) -> None:
    machine["STUB_RABBITMQ_STATUS"] = "0"
    with socket.socket() as management:
        management.bind(("127.0.0.1", 0))
        management.listen()
        port = management.getsockname()[1]
        status, said = _check(machine, f"check_rabbitmq {listener} {port}")
        assert status == 0, said
        assert "using the RabbitMQ already running on this machine" in said
        assert "make down leaves it running" in said
        # One make up started is its own: nothing to say.
        pids = Path(machine["KECHUANG_RUN_DIR"]) / "pids"
        pids.mkdir(parents=True, exist_ok=True)
        (pids / "rabbitmq.pid").write_text("1\n")
        assert _check(machine, f"check_rabbitmq {listener} {port}") == (0, "")


def test_the_front_door_and_minio_ports_held_by_another_program(machine, listener) -> None:
    machine["KECHUANG_PORT"] = str(listener)
    status, said = _check(machine, "check_front_door")
    assert status == 1, said
    assert f"port {listener} (the front door, nginx) is in use" in said
    assert f"KECHUANG_PORT={listener + 1} make up" in said
    # ... but not when it is this stack's own nginx (its PID file names a live process).
    pids = Path(machine["KECHUANG_RUN_DIR"]) / "pids"
    pids.mkdir(parents=True, exist_ok=True)
    (pids / "nginx.pid").write_text(f"{os.getpid()}\n")
    assert _check(machine, "check_front_door") == (0, "")

    machine["KECHUANG_MINIO_ENDPOINT"] = f"127.0.0.1:{listener}"
    status, said = _check(machine, "check_minio")
    assert status == 1, said
    assert f"KECHUANG_MINIO_ENDPOINT=127.0.0.1:{listener + 10} make up" in said


def test_the_running_stack_of_an_older_checkout_stops_make_up(machine, tmp_path) -> None:
    older = tmp_path / "older-checkout"
    (older / ".run" / "supervisor").mkdir(parents=True)
    cli = Path(machine["KECHUANG_BIN_DIR"]) / "kechuang"
    cli.write_text(f"#!/bin/sh\n# kechuang local runner (make up in {older})\nexec true\n")
    supervisord = older / ".run" / "supervisor" / "supervisord.pid"
    supervisord.write_text(f"{os.getpid()}\n")  # alive
    done = subprocess.run([str(PREFLIGHT)], env=machine, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"the stack of another checkout, {older}, is running" in done.stdout
    assert f"make -C {older} down" in done.stdout
    # Once it is stopped, its `kechuang` is simply replaced at the end of make up.
    dead = subprocess.Popen(["true"])
    dead.wait()
    supervisord.write_text(f"{dead.pid}\n")
    assert _check(machine, "check_other_checkout") == (0, "")
