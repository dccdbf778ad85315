import pytest

from shared import config, topology


def test_database_urls_are_built_from_the_environment():
    settings = config.load({"KECHUANG_DB_PASSWORD_INTAKE": "s3cret", "KECHUANG_PG_PORT": "6000"})
    assert settings.db_url("intake") == (
        "postgresql+psycopg://kechuang_intake:s3cret@127.0.0.1:6000/kechuang_intake"
    )


def test_an_explicit_database_url_wins():
    settings = config.load({"KECHUANG_DB_URL_MEDIA": "postgresql+psycopg://x@y/z"})
    assert settings.db_url("media") == "postgresql+psycopg://x@y/z"


def test_every_consumer_queue_dead_letters_into_its_own_dead_queue():
    for queue in topology.standard_queues("ex", "dlx"):
        assert queue.durable
        assert queue.queue_arguments["x-dead-letter-exchange"] == "dlx"
        dead = topology.dead_letter_queue(queue, "dlx")
        assert dead.name == f"{queue.name}.dead"
        assert dead.routing_key == queue.queue_arguments["x-dead-letter-routing-key"]


def test_every_consumed_stream_type_has_an_owner_to_catch_up_from():
    for reads in topology.CONSUMERS.values():
        for key in reads:
            assert key.split(".")[0] in topology.STREAM_OWNERS


def test_the_queue_type_is_the_deployment_s_and_dead_letter_queues_share_it(monkeypatch):
    monkeypatch.setenv("KECHUANG_QUEUE_TYPE", "quorum")
    for queue in topology.standard_queues("ex", "dlx"):
        assert queue.queue_arguments["x-queue-type"] == "quorum"
        dead = topology.dead_letter_queue(queue, "dlx")
        assert dead.queue_arguments == {"x-queue-type": "quorum"}
    # Classic queues carry no type argument: those declared before the setting still match.
    monkeypatch.setenv("KECHUANG_QUEUE_TYPE", "classic")
    for queue in topology.standard_queues("ex", "dlx"):
        assert "x-queue-type" not in queue.queue_arguments
        assert not topology.dead_letter_queue(queue, "dlx").queue_arguments


def test_an_unknown_queue_type_is_refused():
    with pytest.raises(ValueError, match="KECHUANG_QUEUE_TYPE"):
        _ = config.load({"KECHUANG_QUEUE_TYPE": "lazy"}).queue_type


def test_every_owned_stream_type_is_read_or_published_without_mandatory():
    """The relay publishes with `mandatory`: a type no queue reads would come back and stall
    it, unless it is published for whoever listens (BROADCAST) or for no one yet (UNREAD)."""
    read = {key.split(".")[0] for reads in topology.CONSUMERS.values() for key in reads}
    for stream_type in topology.STREAM_OWNERS:
        assert stream_type in read or not topology.mandatory(stream_type), stream_type
    assert topology.mandatory("duplicate") and not topology.mandatory("match")
