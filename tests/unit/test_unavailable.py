"""A store or the broker out of reach is 503 with Retry-After (retry), never a 500."""

from __future__ import annotations

import json

import kombu.exceptions
import pytest
import sqlalchemy.exc
from werkzeug import Request, Response
from werkzeug.test import EnvironBuilder

from shared.http import endpoint


class Service:
    name = "test"


@pytest.mark.parametrize(
    "error",
    [
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused")),
        sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("connection closed")),
        kombu.exceptions.OperationalError("broker gone"),
        ConnectionRefusedError(111, "refused"),
    ],
)
def test_a_store_out_of_reach_is_503_with_retry_after(error: Exception) -> None:
    @endpoint
    def handler(self: Service, request: Request) -> Response:
        raise error

    answer = handler(Service(), EnvironBuilder(path="/api/v1/x").get_request())
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert json.loads(answer.get_data())["error"]["code"] == "unavailable"


def test_a_bug_is_still_a_500() -> None:
    @endpoint
    def handler(self: Service, request: Request) -> Response:
        raise KeyError("bug")

    answer = handler(Service(), EnvironBuilder(path="/api/v1/x").get_request())
    assert answer.status_code == 500


def test_a_request_to_a_container_being_killed_is_503_not_nameko_s_500() -> None:
    from nameko.exceptions import ContainerBeingKilled

    from shared.entrypoints import HttpEntrypoint

    answer = HttpEntrypoint("GET", "/api/v1/x").response_from_exception(ContainerBeingKilled())
    assert answer.status_code == 503
    assert json.loads(answer.get_data())["error"]["code"] == "unavailable"
