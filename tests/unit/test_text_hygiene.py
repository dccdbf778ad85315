"""Hostile text at the boundary: what no text may hold is refused naming the field, in Chinese;
everything else that is text (bidi overrides, emoji, mixed scripts, long strings) is kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from marshmallow import ValidationError
from werkzeug import Request
from werkzeug.test import EnvironBuilder

from services.intake.domain.entry import EntryInvalid, load_draft
from services.intake.domain.officer import load_officer
from services.media.schemas import load_slot_request
from services.screening.schemas import ReviewBody, SelectionBody
from shared import text
from shared.fields import Items, StrictSchema, Text
from shared.http import read_json
from tests.entries import full_body

CONTROL = text.CONTROL_CHARACTER
NOT_TEXT = text.NOT_TEXT

REFUSED = {
    "NUL": ("标题\x00", CONTROL),
    "bell": ("标\x07题", CONTROL),
    "escape": ("\x1b[31m红色", CONTROL),
    "form feed": ("第一行\x0c第二行", CONTROL),
    "vertical tab": ("a\x0bb", CONTROL),
    "DEL": ("a\x7fb", CONTROL),
    "C1 control": ("a\x85b", CONTROL),
    "lone high surrogate": ("a\ud800b", NOT_TEXT),
    "lone low surrogate": ("\udfff", NOT_TEXT),
    "U+FFFE": ("a\ufffe", NOT_TEXT),
    "U+FFFF": ("a\uffff", NOT_TEXT),
}

ACCEPTED = {
    "Chinese": "高效低成本钙钛矿太阳能电池",
    "tab and newline": "第一行\t说明\n第二行",
    "Windows line ends": "第一行\r\n第二行",
    "bidi override": "\u202egpj.exe",
    "bidi isolates and marks": "\u2066abc\u2069\u200f\u200e",
    "emoji": "光伏 🌞👩🏽‍🔬 项目",
    "mixed scripts": "Résumé проект プロジェクト مشروع 项目",
    "zero-width joiner": "a\u200db",
    "10,000 characters": "长" * 10_000,
    "formula-looking": '=HYPERLINK("http://x")',
}


@pytest.mark.parametrize(("value", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_the_text_rule_refuses_what_no_text_may_hold(value: str, message: str) -> None:
    assert text.fault(value) == message


@pytest.mark.parametrize("value", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_text_rule_keeps_everything_that_is_text(value: str) -> None:
    assert text.fault(value) is None
    assert text.faults({"title": value, "items": [value]}) == {}


class Body(StrictSchema):
    title = Text(required=True)
    tags = Items(Text(), max_items=50)


@pytest.mark.parametrize(("value", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_every_text_field_refuses_control_characters_naming_the_field(
    value: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Body().load({"title": value})
    assert caught.value.messages == {"title": [message]}


@pytest.mark.parametrize("value", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_every_text_field_keeps_text_exactly(value: str) -> None:
    assert Body().load({"title": value}) == {"title": value}


def test_an_entry_with_a_nul_in_a_nested_field_names_the_path() -> None:
    body = full_body("promotion")
    body["title"] = "标题\x00"
    body["applicant"]["name"] = "某公司\x01"
    body["partners"][0]["name"] = "四川大学\ud800"
    with pytest.raises(EntryInvalid) as caught:
        load_draft(body)
    assert caught.value.fields == {
        "title": [CONTROL],
        "applicant.name": [CONTROL],
        "partners.0.name": [NOT_TEXT],
    }


def test_an_entry_keeps_bidi_emoji_and_mixed_scripts() -> None:
    body = full_body("challenge")
    body["title"] = "\u202e光伏 🌞 Résumé проект"
    body["summary"] = "长" * 5000
    assert load_draft(body)["title"] == body["title"]


@pytest.mark.parametrize("schema", [ReviewBody, SelectionBody])
def test_a_screening_note_with_a_nul_is_refused(schema: Any) -> None:
    decision = "eligible" if schema is ReviewBody else "selected"
    with pytest.raises(ValidationError) as caught:
        schema().load({"decision": decision, "note": "备注\x00"})
    assert caught.value.messages == {"note": [CONTROL]}


def test_a_material_filename_or_content_type_with_controls_is_refused() -> None:
    slot = {"kind": "promo_video", "filename": "a\x00.mp4", "content_type": "video/mp4\x1b",
            "size": 1, "sha256": "0" * 64}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        load_slot_request(slot)
    assert caught.value.messages == {"filename": [CONTROL], "content_type": [CONTROL]}


def test_a_material_filename_with_a_bidi_override_is_kept_as_text() -> None:
    slot = {"kind": "promo_video", "filename": "\u202e4pm.exe", "content_type": "video/mp4",
            "size": 1, "sha256": "0" * 64}  # fmt: skip
    assert load_slot_request(slot)["filename"] == "\u202e4pm.exe"


def test_an_officer_name_with_a_control_character_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        load_officer({"name": "李\x08四", "phone": "13800000000"})
    assert caught.value.messages == {"name": [CONTROL]}


def _request(raw: bytes) -> Request:
    return Request(EnvironBuilder(method="POST", data=raw, content_type="application/json")
                   .get_environ())  # fmt: skip


def _refusal(raw: bytes) -> Any:
    # Whichever refusal the edge raises (ApiError, or shared.errors.Refused after its move),
    # it carries the documented code and fields.
    with pytest.raises(Exception) as caught:  # noqa: B017
        read_json(_request(raw))
    return caught.value


def test_a_body_key_with_a_nul_is_refused_before_any_schema_sees_it() -> None:
    error = _refusal(b'{"ti\\u0000tle": "x", "contact": {"na\\u0007me": "y"}}')
    assert error.code == "validation_failed"
    assert error.fields == {
        "ti\\u0000tle": ["字段名" + CONTROL],
        "contact.na\\u0007me": ["字段名" + CONTROL],
    }


def test_a_body_value_holding_a_lone_surrogate_is_refused_naming_it() -> None:
    # Valid JSON syntax, but not Unicode text: it could not even be hashed or stored as UTF-8.
    error = _refusal(b'{"title": "ok", "awards": [{"name": "\\ud800"}]}')
    assert error.fields == {"awards.0.name": [NOT_TEXT]}


def test_a_body_of_a_single_string_with_a_control_is_refused() -> None:
    assert _refusal(b'"\\u0001"').fields == {"_body": [CONTROL]}


def test_a_body_nested_too_deep_to_parse_is_a_422_not_a_500() -> None:
    error = _refusal(b"[" * 100_000 + b"]" * 100_000)
    assert error.code == "validation_failed" and "_body" in error.fields


def test_a_body_of_hostile_but_valid_text_is_read_as_given() -> None:
    body = {"title": ACCEPTED["bidi override"], "tags": list(ACCEPTED.values())}
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert read_json(_request(raw)) == body


def test_refused_characters_are_escaped_when_echoed() -> None:
    assert text.escaped("a\x00b\ud800c\u202e") == "a\\u0000b\\ud800c\u202e"


@pytest.mark.parametrize(
    ("value", "refused"),
    [("retry-1", False), ("é\x94®", False), ("a\tb", False), ("a\x01b", True),
     ("a\x7f", True), ("a\nb", True)],
)  # fmt: skip
def test_a_header_value_refuses_only_what_http_forbids(value: str, refused: bool) -> None:
    # Bytes 0x80-0x9f in a header are UTF-8 read as Latin-1 ("é\x94®" is "键"), not controls.
    assert (text.header_fault(value) is not None) is refused
