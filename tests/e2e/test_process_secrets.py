"""The processes `make up` starts hold only the secrets that are theirs (issue #24, item 6):
no service or relay can act as MinIO's root; media reaches MinIO as its own user (`kechuang
provision-storage`); each holds its own database password only; identity alone is told where
the signing key is and holds the TOTP key; ffprobe, which reads anyone's bytes, runs as an
unprivileged user with an empty environment."""

import os
from pathlib import Path

RUN = Path(os.environ.get("KECHUANG_RUN_DIR", Path(__file__).resolve().parents[2] / ".run"))


def environment(name: str) -> dict[str, str]:
    pid = (RUN / "pids" / f"{name}.pid").read_text().strip()
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def started() -> list[str]:
    infra = {"minio", "postgres", "rabbitmq", "nginx"}
    names = [p.stem for p in (RUN / "pids").glob("*.pid")]
    return sorted(n for n in names if n not in infra)


def test_no_service_or_relay_holds_minio_s_root_credentials(base_url: str) -> None:
    names = started()
    assert {"screening", "reporting", "relay-intake", "media-1", "intake-1"} <= set(names)
    for name in names:
        env = environment(name)
        assert "MINIO_ROOT_USER" not in env and "MINIO_ROOT_PASSWORD" not in env, name


def test_media_uses_its_own_minio_user(base_url: str) -> None:
    for name in (n for n in started() if n.startswith("media-")):
        env = environment(name)
        assert env["KECHUANG_S3_ACCESS_KEY"] not in ("", os.environ["MINIO_ROOT_USER"]), name
        assert env["KECHUANG_S3_SECRET_KEY"] != os.environ["MINIO_ROOT_PASSWORD"], name


def test_each_process_holds_only_its_own_secrets(base_url: str) -> None:
    """Defends against: a code-execution bug in one process (media's, say) reading another
    service's database password or minting tokens with the signing key."""
    for name in started():
        env = environment(name)
        service = name.removeprefix("relay-").split("-")[0].upper()
        passwords = {k for k in env if k.startswith("KECHUANG_DB_PASSWORD_")}
        assert passwords <= {f"KECHUANG_DB_PASSWORD_{service}"}, (name, passwords)
        holds_key = "KECHUANG_JWT_PRIVATE_KEY_FILE" in env or "KECHUANG_TOTP_KEY" in env
        assert holds_key == (name == "identity"), name
        assert ("KECHUANG_S3_SECRET_KEY" in env) == name.startswith("media-"), name


def test_the_signing_key_is_readable_by_its_owner_only(base_url: str) -> None:
    key = RUN / "keys" / "jwt-private.pem"
    assert key.stat().st_mode & 0o077 == 0


def test_ffprobe_runs_unprivileged_with_an_empty_environment(base_url: str) -> None:
    """The probe of an uploaded video: as kechuang-probe (no access to root's 0600 files or
    processes), with no secret in its environment."""
    import pwd

    from services.media.adapters.inspection import PROBE_USER, _unprivileged

    how = _unprivileged()
    assert how["user"] == pwd.getpwnam(PROBE_USER).pw_uid != 0
    assert how["env"] == {"PATH": "/usr/bin:/bin"}
