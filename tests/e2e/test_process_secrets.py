"""The processes `make up` starts hold only the secrets that are theirs: no service or relay can
act as MinIO's root; media reaches MinIO as its own user (`kechuang provision-storage`)."""

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
