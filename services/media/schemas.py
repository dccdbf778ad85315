"""Request bodies of the materials endpoints (messages in Chinese)."""

from typing import Any

from marshmallow import validate

from shared.catalog.vocabulary import MATERIAL_KINDS as KINDS
from shared.fields import Items, Object, StrictSchema, Text, WholeNumber
from shared.text import CONTROL_CHARACTER

# A filename and a content type go into object metadata and download headers: one line only
# (text elsewhere may hold CR for Windows line ends; these may not).
ONE_LINE = validate.Regexp(r"[^\r\n]*\Z", error=CONTROL_CHARACTER)


class SlotRequest(StrictSchema):
    kind = Text(required=True, validate=validate.OneOf(KINDS, error="须为 {choices} 之一"))
    filename = Text(
        required=True,
        validate=[validate.Length(min=1, max=255, error="长度须在 1 到 255 之间"), ONE_LINE],
    )
    content_type = Text(required=True, validate=[validate.Length(min=1, max=200), ONE_LINE])
    size = WholeNumber(required=True, validate=validate.Range(min=1, error="须为正整数"))
    sha256 = Text(required=True)


class PartDone(StrictSchema):
    part_number = WholeNumber(required=True, validate=validate.Range(min=1, max=10_000))
    etag = Text(required=True, validate=validate.Length(min=1, max=200))


class Completion(StrictSchema):
    parts = Items(Object(PartDone), max_items=10_000)


def load_slot_request(body: Any) -> dict[str, Any]:
    return SlotRequest().load(body)  # type: ignore[no-any-return]


def load_completion(body: Any) -> dict[str, Any]:
    return Completion().load(body)  # type: ignore[no-any-return]
