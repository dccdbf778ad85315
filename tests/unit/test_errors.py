"""One refusal: domains and use cases raise `Refused`; the edge alone gives it its HTTP shape."""

import json
import uuid

import pytest

from shared.errors import Refused, not_found, parse_id
from shared.http import STATUS, refusal


def test_the_edge_answers_a_refusal_in_the_documented_shape_with_its_extra_keys() -> None:
    answer = refusal(
        Refused("version_conflict", "项目已被他人修改，请刷新后重试", current_version=3)
    )
    assert answer.status_code == 409
    assert answer.content_type == "application/json; charset=utf-8"
    assert json.loads(answer.get_data()) == {
        "error": {
            "code": "version_conflict",
            "message": "项目已被他人修改，请刷新后重试",
            "fields": {},
            "current_version": 3,
        }
    }


@pytest.mark.parametrize("code", sorted(STATUS))
def test_every_documented_code_has_its_status(code: str) -> None:
    assert refusal(Refused(code, "…", {"x": ["y"]})).status_code == STATUS[code]


def test_not_found_names_what_is_missing() -> None:
    missing = not_found("申报项目")
    assert (missing.code, missing.message, missing.fields) == ("not_found", "申报项目不存在", {})


def test_a_uuid_is_kept_and_anything_else_is_not_found() -> None:
    given = str(uuid.uuid4())
    assert parse_id(given, "材料") == given
    for bad in ("", "abc", "1" * 5000, "../etc/passwd"):
        with pytest.raises(Refused) as refused:
            parse_id(bad, "材料")
        assert (refused.value.code, refused.value.message) == ("not_found", "材料不存在")
