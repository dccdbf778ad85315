"""`kechuang`: the operator's command line. `kechuang --help` lists the commands."""

from __future__ import annotations

import logging
import time

import click

from shared import config, topology


@click.group()
def main() -> None:
    """Kechuang (科创项目征集) operator commands."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@click.argument("services", nargs=-1)
def migrate(services: tuple[str, ...]) -> None:
    """Upgrade the tables of SERVICES (default: all four) with Alembic."""
    from ops import schema

    settings = config.load()
    for service in services or config.SERVICES:
        schema.upgrade(settings.db_url(service), service)
        click.echo(f"{service}: schema up to date")


@main.command("declare-topology")
def declare_topology() -> None:
    """Declare the events exchange, every consumer queue and their dead-letter queues."""
    from kombu import Connection

    settings = config.load()
    with Connection(settings.amqp_uri) as connection:
        topology.declare(
            connection,
            topology.standard_queues(settings.exchange, settings.dead_letter_exchange),
            settings.exchange,
            settings.dead_letter_exchange,
        )
    click.echo(f"declared {settings.exchange} and {len(topology.CONSUMERS)} consumer queues")


@main.command()
@click.argument("service")
@click.option("--batch", default=500, show_default=True, help="Events per batch.")
@click.option(
    "--idle",
    default=1.0,
    show_default=True,
    help="Seconds between reads of an idle log should a commit's wake-up be lost.",
)
def relay(service: str, batch: int, idle: float) -> None:
    """Publish SERVICE's stored events to RabbitMQ (runs until stopped)."""
    from shared.db import make_engine
    from shared.observability import configure_logging

    configure_logging(f"relay-{service}")
    from shared.eventstore import EventStore
    from shared.relay import Relay

    settings = config.load()
    store = EventStore(make_engine(settings.db_url(service), pool_size=2))
    Relay(
        store,
        settings.amqp_uri,
        settings.exchange,
        settings.dead_letter_exchange,
        name=f"{service}-relay",
        batch=batch,
    ).run(idle_sleep=idle)


@main.command("provision-storage")
def provision_storage() -> None:
    """Make media's bucket and its MinIO user (KECHUANG_S3_ACCESS_KEY/_SECRET_KEY), allowed that
    bucket's objects only, with MinIO's root credentials (MINIO_ROOT_USER/_PASSWORD)."""
    import os

    from services.media.adapters.provision import provision

    store = config.load().object_store
    root = (os.environ.get("MINIO_ROOT_USER", ""), os.environ.get("MINIO_ROOT_PASSWORD", ""))
    user, secret = (os.environ.get(f"KECHUANG_S3_{k}_KEY", "") for k in ("ACCESS", "SECRET"))
    if not (all(root) and user and secret):
        raise click.UsageError("set MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, KECHUANG_S3_ACCESS_KEY "
                               "and KECHUANG_S3_SECRET_KEY")  # fmt: skip
    try:
        provision(store["endpoint"], root, store["bucket"], user, secret)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"MinIO user {user} may use the objects of {store['bucket']} only")


@main.command()
@click.option("--force", is_flag=True, help="Replace an existing key pair.")
def keygen(force: bool) -> None:
    """Make the Ed25519 key pair tokens are signed with (once; kept with the operator)."""
    from shared.auth import new_key_pair

    private_file, public_file = config.load().jwt_key_files()
    if private_file.exists() and not force:
        click.echo(f"key pair exists: {private_file}")
        return
    private_pem, public_pem = new_key_pair()
    private_file.parent.mkdir(parents=True, exist_ok=True)
    private_file.touch(mode=0o600)
    private_file.write_bytes(private_pem)
    public_file.write_bytes(public_pem)
    click.echo(f"wrote {private_file} (keep it secret) and {public_file}")


@main.group(invoke_without_command=True)
@click.option("--role", type=click.Choice(["office", "staff", "operator"]))
@click.option("--district", help="The office's district (offices only), e.g. 巴州区.")
@click.option("--subject", help="Who the token is for (default: the role and district).")
@click.option(
    "--service-account",
    "service_account",
    metavar="NAME",
    help="A script's named service account: the token's subject is svc:NAME.",
)
@click.option(
    "--ttl",
    type=click.IntRange(60, 12 * 3600),
    default=8 * 3600,
    show_default=True,
    help="Seconds until it expires (at most 12 hours).",
)
@click.pass_context
def token(
    ctx: click.Context, role: str | None, district: str | None, subject: str | None,
    service_account: str | None, ttl: int,
) -> None:  # fmt: skip
    """Print a signed access token (no session: for scripts and the operator; people sign in
    with a password). Its id and expiry go to standard error: `kechuang token revoke ID`
    refuses it everywhere."""
    import uuid
    from datetime import UTC, datetime

    from shared.auth import issue

    if ctx.invoked_subcommand is not None:
        return
    if role is None:
        raise click.UsageError("Missing option '--role'.")
    if service_account is not None:
        if subject is not None:
            raise click.UsageError("--subject and --service-account exclude each other")
        subject = f"svc:{service_account}"
    token_id = str(uuid.uuid4())
    try:
        key = config.load().jwt_private_key()
        signed = issue(key, role, subject or f"{role}:{district or role}", district, ttl, token_id)
    except (ValueError, FileNotFoundError) as error:
        raise click.UsageError(str(error)) from None
    click.echo(signed)
    expires = datetime.fromtimestamp(time.time() + ttl, UTC).isoformat(timespec="seconds")
    click.echo(f"token id {token_id}, expires {expires} (kechuang token revoke {token_id})",
               err=True)  # fmt: skip


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke the CLI token TOKEN_ID (a token's id, or the token itself): every service
    refuses it within a second."""
    import jwt

    import shared.catalog  # noqa: F401  (registers the event types)
    from services.identity.accounts import revoke_token
    from shared.auth import MAX_TOKEN_TTL
    from shared.db import make_engine
    from shared.eventstore import EventStore

    expires_at = time.time() + MAX_TOKEN_TTL  # unknown: as long as any token could live
    if token_id.count(".") == 2:  # the token itself: read its id and expiry (checked below)
        public = config.load().jwt_public_key()
        try:
            claims = jwt.decode(token_id, public, algorithms=["EdDSA"],
                                options={"verify_exp": False, "verify_iss": False})  # fmt: skip
        except jwt.PyJWTError as error:
            raise click.UsageError(f"not a token of this deployment: {error}") from None
        if "jti" not in claims:
            raise click.UsageError("this token has no id (a person's: disable the account)")
        token_id, expires_at = str(claims["jti"]), float(claims["exp"])
    if not 1 <= len(token_id) <= 64:
        raise click.UsageError("a token id is 1 to 64 characters")
    store = EventStore(make_engine(config.load().db_url("identity"), pool_size=1))
    done = revoke_token(store, token_id, expires_at)
    click.echo(f"token {token_id}: {'revoked' if done else 'already revoked'}")


# --- people's accounts (services/identity): the operator writes to identity's database ------
# directly, with the same use cases the service runs, as `kechuang migrate` reaches every
# database: the operator holds the database passwords (the run folder's secrets.env).


def _accounts():  # type: ignore[no-untyped-def]
    import shared.catalog  # noqa: F401  (registers the event types)
    from services.identity.accounts import Accounts
    from shared.db import make_engine
    from shared.eventstore import EventStore

    return Accounts(EventStore(make_engine(config.load().db_url("identity"), pool_size=1)))


def _refused(error: Exception) -> click.UsageError:
    from shared.errors import Refused

    if isinstance(error, Refused):
        details = "; ".join(f"{k}: {'，'.join(v)}" for k, v in error.fields.items())
        return click.UsageError(f"{error.message}{'（' + details + '）' if details else ''}")
    return click.UsageError(str(error))


@main.group()
def user() -> None:
    """People's accounts: add, disable, enable, list."""


@user.command("add")
@click.argument("username")
@click.option("--name", required=True, help="The person's name, e.g. 张三.")
@click.option("--role", type=click.Choice(["office", "staff", "operator"]), required=True)
@click.option("--district", help="The office's district (offices only), e.g. 巴州区.")
@click.option("--phone", default="", help="A telephone number.")
@click.option("--admin", is_flag=True, help="City staff who manage offices' accounts.")
def user_add(
    username: str, name: str, role: str, district: str | None, phone: str, admin: bool
) -> None:
    """Add USERNAME; the initial password is read from standard input (the person must change
    it at first sign-in)."""
    import sys

    from shared.errors import Refused

    password = (click.prompt("初始密码", hide_input=True) if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\r\n"))  # fmt: skip
    body = {"username": username, "name": name, "role": role, "district": district,
            "phone": phone, "admin": admin, "password": password}  # fmt: skip
    try:
        person = _accounts().create(None, body)
    except Refused as error:
        raise _refused(error) from None
    click.echo(f"added {person['username']} ({person['name']}, {role}) {person['person_id']}")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable USERNAME (through identity's log, like a disabling in the console): every
    service refuses their tokens within a second."""
    _set_enabled(username, False)


@user.command("enable")
@click.argument("username")
def user_enable(username: str) -> None:
    """Enable USERNAME again (they sign in afresh)."""
    _set_enabled(username, True)


def _set_enabled(username: str, enabled: bool) -> None:
    from shared.errors import Refused

    accounts = _accounts()
    try:
        person = accounts.set_enabled(None, accounts.person_id_of(username), enabled)
    except Refused as error:
        raise _refused(error) from None
    click.echo(f"{person['username']}: {'enabled' if person['enabled'] else 'disabled'}")


@user.command("reset-totp")
@click.argument("username")
def user_reset_totp(username: str) -> None:
    """Clear USERNAME's TOTP (a lost phone): they enrol again at their next sign-in, and the
    tokens they hold are refused everywhere."""
    from shared.errors import Refused

    accounts = _accounts()
    try:
        person = accounts.reset_totp(None, accounts.person_id_of(username))
    except Refused as error:
        raise _refused(error) from None
    click.echo(f"{person['username']}: TOTP cleared; they enrol again at their next sign-in")


@user.command("list")
def user_list() -> None:
    """Every account: username, name, role, district, state."""
    from ops.terminal import shown

    for person in _accounts().list(None):
        marks = {"admin": person["admin"], "disabled": not person["enabled"],
                 "must-change-password": person["must_change_password"]}  # fmt: skip
        flags = [flag for flag, on in marks.items() if on]
        click.echo("\t".join(shown(v) for v in (
            person["username"], person["name"], person["role"], person["district"] or "-",
            ",".join(flags) or "-")))  # fmt: skip


@main.command()
@click.argument("projection", type=click.Choice(["reporting"]))
@click.option("--batch", default=5000, show_default=True, help="Events asked per RPC call.")
@click.option("--window", default=4, show_default=True, help="Calls in flight per owner.")
def rebuild(projection: str, batch: int, window: int) -> None:
    """Drop and rebuild PROJECTION from every owner's event log (read over RPC), with a
    progress bar. The service keeps answering from the old tables until the switch."""
    from sqlalchemy import select
    from tqdm import tqdm

    import shared.catalog  # noqa: F401  (registers the event types)
    from services.reporting.adapters import rebuild as build
    from services.reporting.adapters.owners import LogPages
    from shared.db import make_engine
    from shared.eventstore import consumer_checkpoint

    settings = config.load()
    engine = make_engine(settings.db_url(projection), pool_size=3)
    sources = sorted({topology.STREAM_OWNERS[s] for s in topology.CONSUMERS[projection]})
    with engine.connect() as conn:
        # The live consumer's positions: a fair estimate of how long the logs are.
        estimate = sum(
            conn.execute(
                select(consumer_checkpoint.c.position).where(
                    consumer_checkpoint.c.consumer == projection
                )
            ).scalars()
        )
    with (
        LogPages({"AMQP_URI": settings.amqp_uri}) as fetch,
        tqdm(total=estimate or None, unit="event", unit_scale=True, desc="rebuild") as bar,
    ):
        result = build.rebuild(
            engine, fetch, sources, batch=batch, progress=bar.update, window=window
        )
    engine.dispose()
    rate = result.events / result.seconds if result.seconds else 0.0
    click.echo(
        f"{projection}: generation {result.generation} from {result.events} events "
        f"({result.entries} entries) in {result.seconds:.1f} s, {rate:,.0f} events/s"
    )


@main.command()
@click.option(
    "--url", default=None, help="The front door (default: http://127.0.0.1:$KECHUANG_PORT)."
)
@click.option("--call", "call_id", default=None, help="The call to fill (default: the open one).")
def demo(url: str | None, call_id: str | None) -> None:
    """Load a realistic demo into the running stack: entries of every category and state in
    every district of an open call, with generated videos and documents."""
    from datetime import UTC, datetime

    from tqdm import tqdm

    from ops import demo as demo_data
    from shared import calls
    from shared.auth import issue
    from shared.catalog.vocabulary import STATE_LABELS as names

    settings = config.load()
    url = (url or f"http://127.0.0.1:{settings.http_port}").rstrip("/")
    known = calls.load(settings.calls_file)
    open_now = calls.open_calls(known, datetime.now(UTC))
    if call_id is None and len(open_now) != 1:
        raise click.UsageError("no single open call: name one with --call (KECHUANG_CALLS)")
    call = known.get(call_id) if call_id else open_now[0]
    if call is None or call not in open_now:
        raise click.UsageError(f"call {call_id!r} is not open; an open call is needed to submit")
    key = settings.jwt_private_key()

    def token(role: str, district: str | None) -> str:
        # An hour: enough to look around; people sign in with accounts (`kechuang user add`).
        return issue(key, role, f"demo:{district or role}", district, 3600)

    with tqdm(total=len(demo_data.plan(call.districts)), desc="演示数据", unit="项") as bar:
        states = demo_data.load(url, token, call.id, call.districts, progress=bar.update)
    click.echo(f"\n已载入「{call.title}」演示数据 {sum(states.values())} 项：" + "，".join(
        f"{names.get(s, s)} {n}" for s, n in sorted(states.items())))  # fmt: skip
    click.echo(f"\n打开控制台：{url}/")
    click.echo(f"区县经办人（{call.districts[0]}）令牌（1 小时内有效）：\n"
               f"{token('office', call.districts[0])}")  # fmt: skip
    click.echo(f"市级工作人员令牌（1 小时内有效）：\n{token('staff', None)}")


# -- the city's recommendation to the province (推荐省级) ----------------------------------------


@main.group()
def export() -> None:
    """Download what the stack makes for others (through the front door)."""


@export.command("recommendations")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The zip.")
@click.option(
    "--url", default=None, help="The front door (default: http://127.0.0.1:$KECHUANG_PORT)."
)
def export_recommendations(out: str, url: str | None) -> None:
    """The province package (推荐省级材料包) with a progress bar, written to OUT.part and renamed
    once complete, then checked against its manifest.json (sizes and SHA-256)."""
    from pathlib import Path

    from tqdm import tqdm

    from ops import province
    from ops.client import Client
    from ops.terminal import shown
    from shared.auth import issue

    settings = config.load()
    url = (url or f"http://127.0.0.1:{settings.http_port}").rstrip("/")
    client = Client(url, issue(settings.jwt_private_key(), "staff", "cli:export", None, 3600))
    target = Path(out)
    with tqdm(desc="下载省级材料包", unit="B", unit_scale=True, unit_divisor=1024) as bar:

        def progress(n: int, total: int | None) -> None:
            bar.total = total
            bar.update(n)

        try:
            client.download("/api/v1/reports/recommendations.zip", target, progress)
        except Exception as exc:  # noqa: BLE001 - the operator reads what went wrong
            raise click.ClickException(f"下载失败（已保留 {target.name}.part）：{exc}") from None
    checked = province.check(target)
    entries = checked.manifest["entries"]
    click.echo(f"已保存 {target}：推荐项目 {len(entries)} 个，文件 {checked.files} 个，"
               f"材料 {checked.material_bytes / 1024 / 1024:.1f} MiB")  # fmt: skip
    for entry in entries:
        click.echo(f"  {entry['rank']}. {shown(entry['title'])}（{shown(entry['district'])}）")
    click.echo(f"推荐清单摘要（推荐函所引）：{checked.manifest['table_sha256']}")
    for gone in checked.manifest.get("missing", []):  # verified once, lost from the bucket
        click.echo(f"  未能打包（存储中找不到）：{shown(gone['filename'])}"
                   f"（项目 {gone['submission_id']}），请联系区县重新上传", err=True)  # fmt: skip
    if not checked.ok:
        for what, names in (("校验不符", checked.wrong), ("缺少", checked.missing),
                            ("清单外", checked.extra)):  # fmt: skip
            for name in names:
                click.echo(f"  {what}：{shown(name)}", err=True)
        raise click.ClickException("材料包与 manifest.json 不符")
    click.echo("manifest.json 校验通过：每个文件的大小和 SHA-256 均相符")


if __name__ == "__main__":
    main()
