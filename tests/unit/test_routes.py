"""A request no route takes: 405 with the path's own methods in `Allow`, or 404."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import EnvironBuilder

from services.intake.service import IntakeService
from services.media.service import MediaService
from shared.errors import Refused
from shared.routes import allowed_methods, unrouted


def request(method: str, path: str):  # type: ignore[no-untyped-def]
    return EnvironBuilder(method=method, path=path).get_request()


def test_a_path_served_with_other_methods_names_them() -> None:
    assert allowed_methods(IntakeService, "/api/v1/catalog") == ["GET", "HEAD", "OPTIONS"]
    assert allowed_methods(IntakeService, "/api/v1/submissions/x") == [
        "GET", "HEAD", "OPTIONS", "PATCH"
    ]  # fmt: skip
    assert allowed_methods(MediaService, "/api/v1/materials/x/complete") == ["OPTIONS", "POST"]
    assert allowed_methods(IntakeService, "/api/v1/nothing") == []


def test_a_wrong_method_is_405_with_allow_and_options_is_204() -> None:
    service = IntakeService()
    answer = unrouted(service, request("PUT", "/api/v1/catalog"))
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert json.loads(answer.get_data())["error"]["code"] == "method_not_allowed"
    options = unrouted(service, request("OPTIONS", "/api/v1/catalog"))
    assert (options.status_code, options.headers["Allow"]) == (204, "GET, HEAD, OPTIONS")


def test_a_path_no_route_serves_is_404() -> None:
    with pytest.raises(Refused) as refused:
        unrouted(IntakeService(), request("GET", "/api/v1/nothing"))
    assert refused.value.code == "not_found"
