"""A consumer's message that cannot be settled (acknowledged, requeued or dead-lettered), or an
RPC answer that cannot be sent, because the broker's connection is gone does not end the
service: the broker delivers the message again, the caller asks again."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
from amqp.exceptions import ConnectionForced
from kombu.exceptions import OperationalError

from shared.entrypoints import EventConsumer, RpcEntrypoint


class DroppedConnection:
    """nameko's queue consumer and a message whose socket the broker reset."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.delivery_info: dict[str, Any] = {"routing_key": "intake.SubmissionSubmitted"}

    def ack_message(self, message: Any) -> None:
        raise self.error

    requeue_message = ack_message

    def reject(self, requeue: bool) -> None:
        raise self.error


@pytest.mark.parametrize("error", [ConnectionResetError(104, "reset"), ConnectionForced()])
@pytest.mark.parametrize("outcome", ["applied", "failed once", "failed again"])
def test_a_message_whose_connection_dropped_is_left_to_the_broker(
    error: Exception, outcome: str, caplog: pytest.LogCaptureFixture
) -> None:
    consumer = EventConsumer("reporting")
    dropped = DroppedConnection(error)
    consumer.queue_consumer = dropped  # type: ignore[assignment]
    dropped.delivery_info["redelivered"] = outcome == "failed again"
    failure = None if outcome == "applied" else (RuntimeError, RuntimeError("boom"), None)
    with caplog.at_level(logging.WARNING, logger="kechuang.consumer"):
        consumer.handle_message_processed(dropped, exc_info=failure)  # raises nothing
    assert any("the broker delivers it again" in r.getMessage() for r in caplog.records)


class BrokerGone:
    """nameko's RPC consumer when the reply cannot be published: the broker restarted."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(
    "error", [ConnectionRefusedError(111, "refused"), OperationalError("ECONNREFUSED")]
)
def test_an_answer_the_broker_cannot_take_does_not_end_the_service(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker's result is returned, not the error, which would kill the container."""
    entrypoint = RpcEntrypoint()
    entrypoint.rpc_consumer = BrokerGone(error)  # type: ignore[assignment]
    worker = SimpleNamespace(entrypoint=SimpleNamespace(method_name="events_since"))
    with caplog.at_level(logging.WARNING, logger="kechuang.consumer"):
        answer = entrypoint.handle_result(object(), worker, ["event"], None)
    assert answer == (["event"], None)
    assert any("could not answer events_since" in r.getMessage() for r in caplog.records)
