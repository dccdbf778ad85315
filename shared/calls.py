"""Calls for projects (征集), read from the YAML file named by `KECHUANG_CALLS`.

A call has a window (`opens` .. `closes`, inclusive, with their offsets; the 2021 call closes
at 2021-11-02T23:59:59+08:00), the categories it takes and the districts that take part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from shared.catalog.vocabulary import CATEGORIES

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "deploy" / "calls.yaml"
# Calls run on Beijing time (UTC+8 all year, no DST): deadlines, "this year", and every time an
# office or the city reads are in it.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class Call:
    id: str
    title: str
    opens: datetime
    closes: datetime
    categories: tuple[str, ...]
    districts: tuple[str, ...]

    # The notice gives whole seconds ("23:59:59"): that whole second still counts.
    def is_open(self, now: datetime) -> bool:
        return self.opens <= now.replace(microsecond=0) <= self.closes

    def has_closed(self, now: datetime) -> bool:
        return now.replace(microsecond=0) > self.closes


class _CallSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True)
    opens = fields.AwareDateTime(required=True)
    closes = fields.AwareDateTime(required=True)
    categories = fields.List(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        required=True,
    )
    districts = fields.List(fields.String(), required=True)

    @validates_schema
    def window(self, data: dict, **_: object) -> None:
        if data["opens"] >= data["closes"]:
            raise ValidationError("opens must be before closes")

    @post_load
    def make(self, data: dict, **_: object) -> Call:
        return Call(
            **data
            | {"categories": tuple(data["categories"]), "districts": tuple(data["districts"])}
        )


class _FileSchema(Schema):
    calls = fields.List(fields.Nested(_CallSchema), required=True)


def parse(text: str) -> dict[str, Call]:
    """Parse a calls file; a broken file is an error at start-up, not a surprise later."""
    calls = _FileSchema().load(yaml.safe_load(text) or {})["calls"]
    by_id = {call.id: call for call in calls}
    if len(by_id) != len(calls):
        raise ValidationError("call ids must be unique")
    return by_id


def load(path: str | None) -> dict[str, Call]:
    return parse(Path(path or DEFAULT_FILE).read_text(encoding="utf-8"))


def open_calls(calls: dict[str, Call], now: datetime) -> list[Call]:
    return [call for call in calls.values() if call.is_open(now)]
