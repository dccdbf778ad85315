"""Catch-up depends on every owning service serving its log over RPC: ask the running ones."""

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared import config


@pytest.mark.parametrize("service", ["intake", "media", "screening"])
def test_every_owning_service_serves_its_event_log(service: str) -> None:
    with ClusterRpcProxy({"AMQP_URI": config.load().amqp_uri}, timeout=10) as cluster:
        log = getattr(cluster, service).events_since(0, 10)
    assert isinstance(log, list)
    positions = [event["position"] for event in log]
    assert positions == list(range(1, len(positions) + 1))


def test_a_bad_position_is_refused_not_served() -> None:
    from nameko.exceptions import RemoteError

    with (
        ClusterRpcProxy({"AMQP_URI": config.load().amqp_uri}, timeout=10) as cluster,
        pytest.raises(RemoteError, match="non-negative"),
    ):
        cluster.intake.events_since(-1, 10)
