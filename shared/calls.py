"""Calls for projects (征集), read from the YAML file named by `KECHUANG_CALLS`.

A call has a window (`opens` .. `closes`, inclusive, with their offsets; the 2021 call closes
at 2021-11-02T23:59:59+08:00), the categories it takes, the districts that take part and the
notice's contact (四(三)). Districts are GB/T 2260 codes in the file (511902); older files name
them (巴州区) and are mapped through `shared.regions`, a name that maps to no county of 巴中市
being an error at start-up. A `Call` keeps the names too, since tokens name an office's
district by name (`office:巴州区`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from shared import regions
from shared.catalog.vocabulary import CATEGORIES

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "deploy" / "calls.yaml"
# Calls run on Beijing time (UTC+8 all year, no DST): deadlines, "this year", and every time an
# office or the city reads are in it.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

# Where a district named (not coded) in a calls file is looked for: 巴中市, the city served.
DISTRICTS_WITHIN = "5119"


def beijing_time(moment: datetime) -> str:
    """As an office reads a deadline: 2021年11月2日 23:59:59（北京时间）."""
    at = moment.astimezone(BEIJING)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M:%S}（北京时间）"


@dataclass(frozen=True)
class Contact:
    """Whom offices ask about the call (the notice's 四(三) 联系方式)."""

    name: str
    phone: str
    address: str
    email: str


@dataclass(frozen=True)
class Call:
    id: str
    title: str
    opens: datetime
    closes: datetime
    categories: tuple[str, ...]
    districts: tuple[str, ...]  # names, as tokens carry them
    district_codes: tuple[str, ...] = ()  # the same districts, in the same order
    # The file's `contact`: whom everyone asks where no contact of their own is given (older
    # files, which named one contact for all; the 2021 notice's 四(三) is 巴州区's).
    contact: Contact | None = None
    # The city's (市科协) contact: whom offices' questions reach and where staff's notices are
    # e-mailed; and each district's own (区县科协), by district name.
    city_contact: Contact | None = None
    district_contacts: tuple[tuple[str, Contact], ...] = ()

    def contact_of_city(self) -> Contact | None:
        """The city's contact (staff's), or the call's one contact of an older file."""
        return self.city_contact or self.contact

    def contact_of(self, district: str | None) -> Contact | None:
        """A district's own contact (an office's), else the city's, else the call's one."""
        own = dict(self.district_contacts).get(district or "")
        return own or self.contact_of_city()

    def is_open(self, now: datetime) -> bool:
        return self.opens <= now.replace(microsecond=0) and not past(self.closes, now)

    def has_closed(self, now: datetime) -> bool:
        return past(self.closes, now)


def past(deadline: datetime, moment: datetime) -> bool:
    """Whether `moment` is after `deadline`. The notice gives whole seconds ("23:59:59"): that
    whole second still counts."""
    return moment.replace(microsecond=0) > deadline


# When a call closes for one entry: (call, the entry's district, its submission id) -> the
# moment: the call's own close, or later when the city granted the entry or its district a
# late exception (`extended`). Media (refusing new upload slots) and screening (judging
# completeness at the close) take one, so both judge the same moment.
ClosesAt = Callable[[Call, str, str], datetime]


def call_closes(call: Call, district: str, submission_id: str) -> datetime:
    """No extensions: every entry's call closes when the call does."""
    return call.closes


@dataclass(frozen=True)
class Extension:
    """A late exception (逾期补交) the city granted: one district's entries of a call, or one
    entry (`submission_id`), may be handed in, amended and given materials until `until`."""

    call_id: str
    district: str  # the district's name, as entries and tokens carry it
    submission_id: str | None
    until: datetime

    def covers(self, call_id: str, district: str, submission_id: str) -> bool:
        if self.call_id != call_id:
            return False
        if self.submission_id is not None:
            return self.submission_id == submission_id
        return self.district == district


def extended(
    call: Call,
    district: str,
    submission_id: str,
    extensions: Iterable[Extension],
    returned_due: datetime | None = None,
) -> datetime:
    """When the call closes for one entry: the latest of the call's close, the extensions
    that cover the entry, and the due time of a return for revision (the office may complete
    a returned entry until then, even after the call closed). Never earlier than the call's
    close: an extension only ever gives more time."""
    moments = [call.closes]
    moments += [e.until for e in extensions if e.covers(call.id, district, submission_id)]
    if returned_due is not None:
        moments.append(returned_due)
    return max(moments)


def returned_until(
    call: Call, district: str, submission_id: str, extensions: Iterable[Extension], due: datetime
) -> datetime:
    """Until when a returned entry may be edited and submitted again: the later of the
    return's due time and the entry's own close (the call's close, or later when an extension
    covers it). A return never shortens the call (domain.md, round 3): an entry returned on
    10-10 with a due of 10-15 may still be handed in again until the call closes on 11-02, as
    a fresh draft with the same content could be; a due after the close gives more time."""
    return max(due, extended(call, district, submission_id, extensions))


def _district_code(value: str) -> str:
    if value.isdigit():
        if regions.is_known(value) and not value.endswith("00"):
            return value
        raise ValidationError(f"unknown district code {value!r}: not a county in GB/T 2260")
    code = regions.code_of_district(value, DISTRICTS_WITHIN)
    if code is None:
        raise ValidationError(f"unknown district {value!r}: give its GB/T 2260 code")
    return code


class _District(fields.String):
    """A county as its six-digit code, or (older files) its name in 巴中市; loads as the code.
    An unquoted code (YAML reads 511902 as a number) is taken too."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return _district_code(super()._deserialize(value, attr, data, **kwargs))


class _ContactSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    phone = fields.String(required=True, validate=validate.Length(min=1))
    address = fields.String(required=True, validate=validate.Length(min=1))
    email = fields.Email(required=True)

    @post_load
    def make(self, data: dict, **_: object) -> Contact:
        return Contact(**data)


class _CallSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True)
    opens = fields.AwareDateTime(required=True)
    closes = fields.AwareDateTime(required=True)
    categories = fields.List(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        required=True,
    )
    districts = fields.List(_District(), required=True)
    contact = fields.Nested(_ContactSchema)
    city_contact = fields.Nested(_ContactSchema)
    # {district code (or name in 巴中市): contact}; every key one of the call's districts.
    district_contacts = fields.Dict(keys=_District(), values=fields.Nested(_ContactSchema))

    @validates_schema
    def window(self, data: dict, **_: object) -> None:
        if data["opens"] >= data["closes"]:
            raise ValidationError("opens must be before closes")

    @validates_schema
    def distinct_districts(self, data: dict, **_: object) -> None:
        names = [regions.name_of(code) for code in data["districts"]]
        if len(set(names)) != len(names):  # tokens name districts: two alike are one office
            raise ValidationError("a district is listed twice", "districts")

    @validates_schema
    def contacts_of_its_districts(self, data: dict, **_: object) -> None:
        strangers = set(data.get("district_contacts") or {}) - set(data["districts"])
        if strangers:
            raise ValidationError(
                f"contacts of districts the call does not list: {sorted(strangers)}",
                "district_contacts",
            )

    @post_load
    def make(self, data: dict, **_: object) -> Call:
        codes = tuple(data["districts"])
        names = tuple(regions.name_of(code) or code for code in codes)
        own = data.pop("district_contacts", None) or {}
        by_name = tuple((regions.name_of(code) or code, own[code]) for code in codes if code in own)
        return Call(
            **data
            | {"categories": tuple(data["categories"]), "districts": names, "district_codes": codes,
               "district_contacts": by_name}
        )  # fmt: skip


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
