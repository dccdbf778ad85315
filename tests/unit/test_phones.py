"""Phones as people write them (issue #13): accepted, and stored in one form."""

import pytest

from services.intake.domain.phones import BAD_PHONE, normalise


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("13541785756", "13541785756"),
        ("+86 13541785756", "13541785756"),
        ("+8613541785756", "13541785756"),
        ("0086 135 4178 5756", "13541785756"),
        ("135-4178-5756", "13541785756"),
        ("0827 5223387", "0827-5223387"),
        ("(0827)5223387", "0827-5223387"),
        ("（0827）5223387", "0827-5223387"),
        ("(0827) 522 3387", "0827-5223387"),
        ("+86 827 5223387", "0827-5223387"),
        ("+86 (0827) 5223387", "0827-5223387"),
        ("08275223387", "0827-5223387"),
        ("010 1234 5678", "010-12345678"),
        ("028-85551234", "028-85551234"),
        ("0827-5223387转123", "0827-5223387-123"),
        ("0827 5223387 转 123", "0827-5223387-123"),
        ("0827-5223387-ext123", "0827-5223387-123"),
        ("0827-5223387ext123", "0827-5223387-123"),
        ("0827-5223387 EXT 9", "0827-5223387-9"),
        ("0827-5223387-123", "0827-5223387-123"),
    ],
)
def test_a_phone_written_as_people_write_it_is_stored_normalised(written: str, stored: str) -> None:
    assert normalise(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "12800000000",  # no such mobile prefix
        "1354178575",  # a digit short
        "135417857561",
        "5223387",  # no area code
        "827-5223387",
        "13541785756转123",  # a mobile has no extension
        "0827-5223387转1234567",  # an extension of seven digits
        "(0827-5223387",
        "0827-52233",
        "+1 415 5550100",
        "电话",
        "",
    ],
)
def test_what_is_no_phone_number_is_refused(written: str) -> None:
    assert normalise(written) is None


def test_the_message_shows_the_accepted_forms() -> None:
    for form in ("13541785756", "+86", "0827-5223387", "(0827)5223387", "转 123", "ext123"):
        assert form in BAD_PHONE
