"""What staff send to return an entry for revision (退回修改) and to grant a late exception
(逾期补交), checked. Pure: marshmallow's ValidationError is a 422 at the edge; whether the time
lies in the future, and whose district or entry it is, the use case decides with its clock
and its tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.errors import Refused
from shared.fields import FIELD_MESSAGES, Items, StrictSchema, Text

_REASON = validate.Length(min=1, max=2000, error="长度须在 1 到 2000 个字之间")
_PATH = validate.Length(min=1, max=200, error="长度须在 1 到 200 个字之间")


class _Moment(fields.AwareDateTime):
    """An ISO 8601 time with its offset (a time without one names no moment)."""

    default_error_messages = {
        **FIELD_MESSAGES,
        "invalid": "须为带时区的 ISO 8601 时间，如 2021-11-09T18:00:00+08:00",
        "invalid_awareness": "须带时区（如 +08:00）",
    }


class ReturnRequest(StrictSchema):
    reasons = Text(required=True, validate=_REASON)
    # Field paths (`contact.phone`) or the notice's clauses (`二(一)6⑦`) the reasons concern.
    fields_ = Items(Text(validate=_PATH), 100, data_key="fields", load_default=list)
    due = _Moment(required=True)


class ExtensionRequest(StrictSchema):
    district = Text(validate=validate.Length(min=1, max=50, error="长度须在 1 到 50 个字之间"))
    submission_id = Text(validate=validate.Length(min=1, max=36, error="须为项目编号"))
    until = _Moment(required=True)
    reason = Text(required=True, validate=_REASON)

    @validates_schema
    def one_target(self, data: dict[str, Any], **_: object) -> None:
        if ("district" in data) == ("submission_id" in data):
            raise ValidationError("须指定 district 或 submission_id 之一", "district")


def load_return(body: Any) -> dict[str, Any]:
    """`{"reasons", "fields", "due"}`; `due` as an aware datetime."""
    loaded: dict[str, Any] = ReturnRequest().load(body)
    loaded["fields"] = loaded.pop("fields_", [])
    return loaded


def load_extension(body: Any) -> dict[str, Any]:
    """`{"district" | "submission_id", "until", "reason"}`; `until` as an aware datetime."""
    return ExtensionRequest().load(body)  # type: ignore[no-any-return]


def in_future(moment: datetime, now: datetime, name: str, what: str) -> None:
    """Refuse (422 on `name`) a moment that is not after `now`."""
    if not moment > now:
        raise Refused("validation_failed", f"{what}须晚于当前时间", {name: ["须为将来的时间"]})
