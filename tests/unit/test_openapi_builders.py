"""The shared OpenAPI builders (`shared.openapi`) write exactly the shapes the services' parts
used to spell out by hand: the published document must not change when a part uses them."""

from __future__ import annotations

from marshmallow import Schema, fields

from shared import openapi
from shared.http import MAX_PAGE, MAX_PER_PAGE


def test_operation_writes_only_what_is_given() -> None:
    responses = {"200": {"description": "好"}}
    assert openapi.operation("intake", "get_x", "查看", "说明", responses) == {
        "tags": ["intake"],
        "operationId": "get_x",
        "summary": "查看",
        "description": "说明",
        "responses": responses,
    }
    assert "description" not in openapi.operation("intake", "get_x", "查看", None, responses)


def test_operation_with_parameters_body_and_no_token() -> None:
    param = openapi.path_param("x_id", "X 的 id")
    body = openapi.json_body("XBody")
    op = openapi.operation(
        "intake", "post_x", "新建", "说明", {}, parameters=[param], body=body, public=True
    )
    assert op["parameters"] == [param]
    assert op["requestBody"] == body
    assert op["security"] == []
    assert openapi.operation("intake", "x", "s", None, {}, links={})["links"] == {}


def test_bodies_and_responses() -> None:
    content = {"content": {"application/json": {"schema": openapi.ref("X")}}}
    assert openapi.json_body(openapi.ref("X")) == {"required": True, **content}
    assert openapi.json_body(openapi.ref("X"), required=False, description="d") == {
        "required": False,
        "description": "d",
        **content,
    }
    assert openapi.json_response("好", openapi.ref("X"), headers={}) == {
        "description": "好",
        "headers": {},
        **content,
    }
    assert openapi.errors(404) == {
        "404": {
            "description": "不存在",
            "content": {"application/json": {"schema": "Error"}},
        }
    }


def test_file_response() -> None:
    binary = {"schema": {"type": "string", "format": "binary"}}
    assert openapi.file_response("PDF", "application/pdf") == {
        "description": "PDF",
        "content": {"application/pdf": binary},
    }
    named = openapi.file_response("PDF", "application/pdf", "attachment; filename=a.pdf")
    assert named["headers"] == {
        "Content-Disposition": {
            "description": "attachment; filename=a.pdf",
            "schema": {"type": "string"},
        }
    }


def test_parameters() -> None:
    assert openapi.path_param("x_id", "X") == {
        "name": "x_id",
        "in": "path",
        "required": True,
        "description": "X",
        "schema": {"type": "string", "format": "uuid"},
    }
    assert openapi.parameter("header", "H", "h", {"type": "string"}) == {
        "name": "H",
        "in": "header",
        "description": "h",
        "schema": {"type": "string"},
    }
    assert openapi.parameter("query", "q", "q", {}, required=False)["required"] is False
    assert openapi.int_param("limit", "最多", maximum=20, default=10) == {
        "name": "limit",
        "in": "query",
        "description": "最多",
        "schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 10},
    }
    page, per_page = openapi.paging_params()
    assert page["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
    assert per_page["schema"]["maximum"] == MAX_PER_PAGE


def test_list_of() -> None:
    listed = openapi.list_of(openapi.ref("X"))
    assert listed == {
        "type": "object",
        "required": ["items", "total"],
        "properties": {
            "items": {"type": "array", "items": openapi.ref("X")},
            "total": {"type": "integer"},
        },
    }
    assert "required" not in openapi.list_of(openapi.ref("X"), required=False)


def test_add_schemas_takes_marshmallow_schemas_and_dicts() -> None:
    class Thing(Schema):
        code = fields.String(required=True)

    api = openapi.new_spec()
    openapi.add_schemas(api, {"Thing": Thing, "Plain": {"type": "object"}})
    schemas = api.to_dict()["components"]["schemas"]
    assert schemas["Plain"] == {"type": "object"}
    assert schemas["Thing"]["required"] == ["code"]
