"""Phone numbers as people write them, stored in one form.

Accepted: spaces, hyphens, parentheses round the area code, a leading +86 or 0086, and for a
landline an extension (转123, -ext123, ext123, or -123 after the number). Stored: a mobile as
13541785756, a landline as 0827-5223387, with its extension as 0827-5223387-123. The area code
is split off by the numbering plan (010 and 02x have two digits after the 0, every other code
three), not by where the writer put a space, so one number is always stored the same way.
"""

from __future__ import annotations

import re
from typing import Any

from shared.fields import Text

BAD_PHONE = (
    "请填写有效的手机号或带区号的固定电话，可写作：13541785756、+86 135 4178 5756、"
    "0827-5223387、0827 5223387、(0827)5223387、+86 827 5223387，"
    "分机号写在后面：0827-5223387 转 123、0827-5223387-ext123"
)

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")  # area code (3 or 4 digits with the 0) + 7 or 8 digits
_COUNTRY = re.compile(r"(?:\+86|0086|\(\+86\)|\(0086\))-?")
_EXTENSION = re.compile(r"(.+?)-?(?:转|ext\.?|x)(\d{1,6})", re.IGNORECASE)
_DASHED_EXTENSION = re.compile(r"(.+)-(\d{1,6})")
_WIDE = str.maketrans("（）＋－０１２３４５６７８９", "()+-0123456789")


def normalise(raw: str) -> str | None:
    """The stored form of `raw`, or None when it is no mainland mobile or landline."""
    text = re.sub(r"\s+", "", raw.translate(_WIDE))
    number = _number(text)
    if number is not None:
        return number
    for form in (_EXTENSION, _DASHED_EXTENSION):
        match = form.fullmatch(text)
        if match:
            main = _number(match[1])
            # Only a landline has extensions: "135-4178-5756" is not 1354178 extension 5756.
            if main is not None and main.startswith("0"):
                return f"{main}-{match[2]}"
    return None


def _number(text: str) -> str | None:
    country = _COUNTRY.match(text)
    rest = text[country.end() :] if country else text
    if not re.fullmatch(r"[\d()\-]+", rest) or rest.count("(") != rest.count(")"):
        return None
    digits = re.sub(r"[()\-]", "", rest)
    if _MOBILE.fullmatch(digits):
        return digits
    if country and not digits.startswith("0"):
        digits = "0" + digits  # +86 827 5223387: the trunk 0 is dropped after a country code
    if not _LANDLINE.fullmatch(digits):
        return None
    area = 3 if digits[1] in "12" else 4
    local = digits[area:]
    return f"{digits[:area]}-{local}" if 7 <= len(local) <= 8 else None


class Phone(Text):
    """A mainland mobile or a landline with area code, loaded as its stored form."""

    default_error_messages = {**Text.default_error_messages, "phone": BAD_PHONE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        normalised = normalise(super()._deserialize(value, attr, data, **kwargs))
        if normalised is None:
            raise self.make_error("phone")
        return normalised
