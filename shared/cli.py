"""`kechuang`: the operator's command line. `kechuang --help` lists the commands."""

from __future__ import annotations

import logging

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
    from shared import migrations

    settings = config.load()
    for service in services or config.SERVICES:
        migrations.upgrade(settings.db_url(service))
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
def relay(service: str, batch: int) -> None:
    """Publish SERVICE's stored events to RabbitMQ (runs until stopped)."""
    from shared.db import make_engine
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
    ).run()


if __name__ == "__main__":
    main()
