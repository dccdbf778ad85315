"""A consumer's message that cannot be settled (acknowledged, requeued or dead-lettered)
because its connection is gone does not end the service: the broker delivers it again."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from amqp.exceptions import ConnectionForced

from shared.entrypoints import EventConsumer


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
