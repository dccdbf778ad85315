"""Strict marshmallow field types with Chinese messages, for every request body.

Strict means JSON types only, no coercion: "true" is not a boolean, "2020" not an integer.
Every text field refuses what `shared.text` says no text may hold (control characters, lone
surrogates), so nothing a client sends can break a store or a reader downstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow import validate as _validate

from shared import text

NOT_AN_OBJECT = "必须是 JSON 对象"

# Messages shared by every field; each field type adds its own "invalid".
FIELD_MESSAGES = {
    "required": "此项必须填写",
    "null": "不能为 null",
    "validator_failed": "取值无效",
}


class Text(fields.String):
    """A string, kept exactly as given (Chinese text, emoji, bidi marks included), but never
    one holding control characters or lone surrogates (see `shared.text`)."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": "必须是文本"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        # Checked before the field's validators, so none of them ever sees (or echoes) it.
        problem = text.fault(loaded)
        if problem:
            raise ValidationError(problem)
        return loaded


class Flag(fields.Boolean):
    """JSON true/false only: marshmallow's Boolean would also take "true", "yes", 1."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": "必须是 true 或 false"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class WholeNumber(fields.Integer):
    """A JSON integer only: not "2020", not 2020.0, not true."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": "必须是整数", "too_large": "数值过大"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


class Object(fields.Nested):
    """A nested JSON object, checked by its own strict schema."""

    default_error_messages = {**FIELD_MESSAGES, "type": NOT_AN_OBJECT}

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, partial: Any = None, **kwargs: Any
    ) -> Any:
        # Checked here so the error sits on the field ("contact"), not on "contact._schema".
        if not isinstance(value, Mapping):
            raise self.make_error("type")
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


class Items(fields.List[Any]):
    """A JSON array of at most `max_items` items (and whatever else `validate` asks)."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": "必须是列表"}

    def __init__(
        self, inner: fields.Field[Any], max_items: int, validate: Any = None, **kwargs: Any
    ) -> None:
        rules: list[Any] = [_validate.Length(max=max_items, error="最多 {max} 项")]
        if validate is not None:
            rules += list(validate) if isinstance(validate, list | tuple) else [validate]
        super().__init__(inner, validate=rules, **kwargs)


class StrictSchema(Schema):
    """Unknown keys are errors, at every level."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "未知字段", "type": NOT_AN_OBJECT}
