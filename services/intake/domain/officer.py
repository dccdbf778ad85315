"""The service officer (保姆) staff assign to an entry."""

from typing import Any

from marshmallow import validate

from services.intake.domain.phones import Phone
from shared.fields import StrictSchema, Text

_NAME_LENGTH = validate.Length(min=1, max=50, error="长度须在 1 到 50 个字之间")


class Officer(StrictSchema):
    name = Text(required=True, validate=_NAME_LENGTH)
    phone = Phone(required=True)


def load_officer(body: Any) -> dict[str, str]:
    """`{"name", "phone"}`, checked; raises marshmallow's ValidationError (a 422)."""
    return Officer().load(body)  # type: ignore[no-any-return]
