"""Rules the API document publishes, held by the handlers: If-Match is a version in ASCII
digits (quoted, weak or bare), a report filter shorter than its minLength is refused."""

from __future__ import annotations

import re

import pytest
from werkzeug import Request
from werkzeug.test import EnvironBuilder

from ops import openapi
from services.intake.openapi import IF_MATCH
from services.intake.service import _version
from services.reporting.queries import parse_filters
from shared.errors import Refused


def _request(if_match: str) -> Request:
    return Request(EnvironBuilder(headers={"If-Match": if_match}).get_environ())


@pytest.mark.parametrize("value, version", [('"3"', 3), ('W/"12"', 12), ("7", 7), (' "4" ', 4)])
def test_if_match_takes_a_version(value: str, version: int) -> None:
    assert _version(_request(value)) == version
    assert re.search(IF_MATCH, value)


@pytest.mark.parametrize("value", ["*", '"²"', '"3"x', "W/", ""])
def test_if_match_refuses_what_the_document_refuses(value: str) -> None:
    with pytest.raises(Refused) as refused:
        _version(_request(value))
    assert refused.value.code == "validation_failed"
    assert not re.search(IF_MATCH, value)


@pytest.mark.parametrize("name", ["q", "district", "category", "state"])
def test_an_empty_report_filter_is_refused_as_the_document_says(name: str) -> None:
    with pytest.raises(Refused):
        parse_filters({name: ""})


def test_text_fields_publish_what_they_refuse() -> None:
    schemas = openapi.spec()["components"]["schemas"]
    title = schemas["AchievementDraft"]["properties"]["title"]
    assert re.search(title["pattern"], "标题 emoji 🚀\t")
    assert not re.search(title["pattern"], "a\x00b")
    phone = schemas["Officer"]["properties"]["phone"]["pattern"]
    assert re.search(phone, " 13800000000 ") and not re.search(phone, "\x9113800000000")
