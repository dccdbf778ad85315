"""The OpenAPI document (`GET /api/v1/openapi.json`) describes the whole API and nothing else:
it is a well-formed OpenAPI 3.0 document (checked by structure: no validator is installed);
every `@http` route the four services serve under /api/v1 is in it with its method, and every
operation in it is served by the service its tag names; request bodies are the services' own
marshmallow schemas; 4xx answers have the documented error shape; the bearer JWT scheme
guards everything but the document itself and the health checks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from nameko.web.handlers import HttpRequestHandler
from werkzeug import Request
from werkzeug.test import EnvironBuilder

from ops import openapi
from services.identity.service import IdentityService
from services.intake.service import IntakeService
from services.matching.service import MatchingService
from services.media import schemas as media_schemas
from services.media.service import MediaService
from services.reporting.service import ReportingService
from services.screening import schemas as screening_schemas
from services.screening.service import ScreeningService
from shared import openapi as parts

SERVICES: dict[str, type] = {
    "intake": IntakeService,
    "media": MediaService,
    "screening": ScreeningService,
    "reporting": ReportingService,
    "matching": MatchingService,
    "identity": IdentityService,
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# The paths of api.md (the contract clients script against), with their methods.
CONTRACT = {
    ("post", "/api/v1/submissions"),
    ("get", "/api/v1/submissions"),
    ("get", "/api/v1/submissions/{submission_id}"),
    ("patch", "/api/v1/submissions/{submission_id}"),
    ("post", "/api/v1/submissions/{submission_id}/submit"),
    ("post", "/api/v1/submissions/{submission_id}/withdraw"),
    ("post", "/api/v1/submissions/{submission_id}/service-officer"),
    ("get", "/api/v1/submissions/{submission_id}/history"),
    ("post", "/api/v1/submissions/{submission_id}/materials"),
    ("post", "/api/v1/materials/{material_id}/complete"),
    ("get", "/api/v1/materials/{material_id}"),
    ("get", "/api/v1/screenings/{submission_id}"),
    ("post", "/api/v1/screenings/{submission_id}/review"),
    ("post", "/api/v1/screenings/{submission_id}/selection"),
    ("get", "/api/v1/reports/summary"),
    ("get", "/api/v1/reports/entries"),
    ("get", "/api/v1/reports/entries.xlsx"),
    ("get", "/api/v1/reports/entries.csv"),
    ("get", "/api/v1/reports/lag"),
    ("get", "/api/v1/matches/{submission_id}"),
    ("post", "/api/v1/matches/{submission_id}/{other_id}"),
    ("get", "/api/v1/duplicates"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/healthz/intake"),
    ("get", "/healthz/media"),
    ("get", "/healthz/screening"),
    ("get", "/healthz/reporting"),
    ("get", "/healthz/matching"),
}
PUBLIC = {("get", "/api/v1/openapi.json")} | {("get", f"/healthz/{s}") for s in SERVICES}
# The 报送函's QR code is scanned without a token (services/intake/batches.py, `verify`).
PUBLIC |= {("get", "/api/v1/batches/{batch_id}/verify")}
# Signing in, refreshing through the cookie and signing out need no bearer token.
PUBLIC |= {("post", "/api/v1/session"), ("post", "/api/v1/session/refresh"),
           ("delete", "/api/v1/session")}  # fmt: skip
# OpenAPI 3.0 Schema Object keywords (plus the `x-` extensions).
SCHEMA_KEYS = {
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
    "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf", "anyOf",
    "not", "items", "properties", "additionalProperties", "description", "format", "default",
    "nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example",
    "deprecated", "$ref",
}  # fmt: skip
SCHEMA_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
PATH_ITEM_KEYS = METHODS | {"$ref", "summary", "description", "servers", "parameters"}
OPERATION_KEYS = {
    "tags", "summary", "description", "externalDocs", "operationId", "parameters",
    "requestBody", "responses", "callbacks", "deprecated", "security", "servers",
}  # fmt: skip


def openapi_path(url: str) -> str:
    """A werkzeug rule as an OpenAPI path: `<submission_id>` or `<int:n>` becomes `{...}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", url)


def http_routes(service: type) -> Iterator[tuple[str, str]]:
    """(method, werkzeug url) of every nameko `@http` entrypoint of the class."""
    for name in dir(service):
        for entrypoint in getattr(getattr(service, name), "nameko_entrypoints", ()):
            if isinstance(entrypoint, HttpRequestHandler):
                for method in entrypoint.method.split(","):
                    yield method.strip().lower(), entrypoint.url


def served() -> dict[tuple[str, str], str]:
    """(method, OpenAPI path) -> the service serving it, through the front door: the API
    routes under /api/v1 (not the catch-alls), and each service's /healthz as /healthz/<it>."""
    found: dict[tuple[str, str], str] = {}
    for name, service in SERVICES.items():
        for method, url in http_routes(service):
            if url.startswith("/api/v1/") and "<path:" not in url:
                key = (method, openapi_path(url))
                assert key not in found, f"{key} is served by both {found[key]} and {name}"
                found[key] = name
            elif url == "/healthz":
                found[(method, f"/healthz/{name}")] = name
    return found


@pytest.fixture(scope="module", autouse=True)
def fresh_document() -> None:
    """The document is built once per process, with the calls file of that moment (the call
    ids it lists); an integration test earlier in the run may have built it with its own."""
    openapi.spec.cache_clear()
    openapi.document.cache_clear()


@pytest.fixture(scope="module")
def document(fresh_document: None) -> dict[str, Any]:
    return json.loads(openapi.document())


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def walk(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from walk(value, f"{where}/{n}")


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def schema_of(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return resolve(document, schema["$ref"]) if "$ref" in schema else schema


# -- the services' routes and the document's paths ------------------------------------------


def test_the_introspection_finds_every_service_s_routes() -> None:
    """Guards the tests below: a change in nameko's internals must not make them vacuous."""
    routes = served()
    for name in SERVICES:
        assert ("get", f"/healthz/{name}") in routes
        assert any(service == name and path.startswith("/api/v1/")
                   for (_, path), service in routes.items())  # fmt: skip
    assert routes[("post", "/api/v1/submissions/{submission_id}/materials")] == "media"
    assert routes[("get", "/api/v1/reports/entries.csv")] == "reporting"


def test_every_served_route_is_in_the_document_with_its_method(document: dict[str, Any]) -> None:
    documented = {(method, path) for method, path, _ in operations(document)}
    missing = sorted(set(served()) - documented)
    assert not missing, f"served but not documented: {missing}"


def test_every_documented_operation_is_served_by_the_service_it_is_tagged_with(
    document: dict[str, Any],
) -> None:
    routes = served()
    for method, path, operation in operations(document):
        assert (method, path) in routes, f"{method.upper()} {path} is served by no service"
        assert operation["tags"] == [routes[(method, path)]], (method, path)


def test_every_path_of_the_contract_is_documented(document: dict[str, Any]) -> None:
    documented = {(method, path) for method, path, _ in operations(document)}
    assert not sorted(CONTRACT - documented)
    assert set(served()) >= CONTRACT


# -- well-formed OpenAPI 3.0 --------------------------------------------------------------


def test_the_document_is_openapi_3(document: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.0\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    assert set(document) <= {
        "openapi", "info", "servers", "paths", "components", "security", "tags", "externalDocs",
    }  # fmt: skip
    assert all(path.startswith("/") for path in document["paths"])
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    assert json.loads(openapi.document()) == openapi.spec()
    assert openapi.document() is openapi.document(), "built once per process"


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    refs = [node["$ref"] for _, node in walk(document) if isinstance(node, dict) and "$ref" in node]
    assert len(refs) > 20
    for ref in refs:
        resolve(document, ref)


def test_paths_and_operations_have_only_openapi_fields(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        assert set(item) <= PATH_ITEM_KEYS, path
        assert set(item) & METHODS, path
    for method, path, operation in operations(document):
        assert set(operation) <= OPERATION_KEYS, (method, path)
        assert operation["summary"] and operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d|default", status), (method, path, status)
            assert response["description"], (method, path, status)
            for media_type, content in response.get("content", {}).items():
                assert "/" in media_type and "schema" in content, (method, path, status)
        if "requestBody" in operation:
            assert operation["requestBody"]["content"], (method, path)


def test_every_path_parameter_is_declared(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            if method not in METHODS:
                continue
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            for parameter in parameters:
                assert parameter["in"] in {"query", "header", "path", "cookie"}
                assert parameter["name"] and ("schema" in parameter or "content" in parameter)
                if parameter["in"] == "path":
                    assert parameter["required"] is True
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert declared == in_path, (method, path)


def test_schemas_use_only_openapi_3_0_keywords(document: dict[str, Any]) -> None:
    schemas = list(document["components"]["schemas"].items())
    for _, _, operation in operations(document):
        bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
        for body in bodies:
            schemas += [(f"{operation['operationId']} {t}", c["schema"])
                        for t, c in body.get("content", {}).items()]  # fmt: skip
        schemas += [(p["name"], p["schema"]) for p in operation.get("parameters", [])]

    def check(name: str, schema: Any) -> None:
        assert isinstance(schema, dict), name
        assert all(k in SCHEMA_KEYS or k.startswith("x-") for k in schema), (name, schema)
        if "type" in schema:
            assert schema["type"] in SCHEMA_TYPES, (name, schema)
        for key in ("allOf", "oneOf", "anyOf"):
            for part in schema.get(key, []):
                check(name, part)
        for key in ("items", "not"):
            if key in schema:
                check(name, schema[key])
        for prop in schema.get("properties", {}).values():
            check(name, prop)
        if isinstance(schema.get("additionalProperties"), dict):
            check(name, schema["additionalProperties"])
        if "required" in schema and "properties" in schema:
            assert set(schema["required"]) <= set(schema["properties"]), name

    for name, schema in schemas:
        check(name, schema)


# -- what the contract says about errors, security, tags, bodies --------------------------


def test_every_4xx_answer_has_the_documented_error_shape(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    detail = schema_of(document, error["properties"]["error"])
    assert error["required"] == ["error"]
    assert {"code", "message", "fields"} <= set(detail["properties"])
    assert {"code", "message"} <= set(detail["required"])
    for code in ("validation_failed", "not_found", "version_conflict", "call_closed",
                 "invalid_state", "precondition_required", "unauthorized", "forbidden",
                 "payload_too_large", "unsupported_media_type"):  # fmt: skip
        assert code in detail["properties"]["code"]["enum"]
    fours = 0
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                fours += 1
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        if (method, path) not in PUBLIC:
            assert "401" in operation["responses"], (method, path)
    assert fours > 50


def test_bearer_jwt_guards_all_but_the_document_and_the_health_checks(
    document: dict[str, Any],
) -> None:
    assert document["components"]["securitySchemes"]["bearer"] == {
        **document["components"]["securitySchemes"]["bearer"],
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
    }  # fmt: skip
    assert document["security"] == [{"bearer": []}]
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC:
            assert operation["security"] == [], (method, path)
        else:
            assert "security" not in operation, (method, path)


def test_one_tag_per_service_described_in_chinese(document: dict[str, Any]) -> None:
    assert [tag["name"] for tag in document["tags"]] == list(SERVICES)
    chinese = re.compile(r"[\u4e00-\u9fff]")
    for tag in document["tags"]:
        assert chinese.search(tag["description"]), tag
    for method, path, operation in operations(document):
        assert chinese.search(operation["summary"]), (method, path)
        for status, response in operation["responses"].items():
            assert chinese.search(response["description"]), (method, path, status)


def test_request_bodies_are_the_services_own_schemas(document: dict[str, Any]) -> None:
    """Each body is the component generated from the schema the handler loads with."""
    bodies = {
        ("post", "/api/v1/submissions/{submission_id}/materials"): media_schemas.SlotRequest,
        ("post", "/api/v1/materials/{material_id}/complete"): media_schemas.Completion,
        ("post", "/api/v1/screenings/{submission_id}/review"): screening_schemas.ReviewBody,
        ("post", "/api/v1/screenings/{submission_id}/selection"): screening_schemas.SelectionBody,
    }
    for (method, path), schema in bodies.items():
        body = document["paths"][path][method]["requestBody"]
        ref = body["content"]["application/json"]["schema"]["$ref"]
        expected = parts.new_spec()  # with the text rule every part's document applies
        expected.components.schema("Expected", schema=schema)
        want = expected.to_dict()["components"]["schemas"]["Expected"]
        assert resolve(document, ref) == want, (method, path)
        assert want["additionalProperties"] is False  # strict: unknown fields are 422
    slot = document["components"]["schemas"]["SlotRequest"]
    assert slot["properties"]["kind"]["enum"] == ["promo_video", "introduction", "proof"]
    review = document["components"]["schemas"]["ReviewBody"]
    assert review["properties"]["decision"]["enum"] == ["eligible", "ineligible"]


def test_every_answer_with_a_body_has_a_schema(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        ok = [(s, r) for s, r in operation["responses"].items() if s.startswith("2")]
        assert len(ok) == 1, (method, path)
        status, answer = ok[0]
        assert status == "204" or answer["content"], (method, path)  # 204: no body (sign-out)
    created = document["paths"]["/api/v1/submissions/{submission_id}/materials"]["post"]
    slot = schema_of(document, created["responses"]["201"]["content"]["application/json"]["schema"])
    assert {"material_id", "upload", "expires_at"} <= set(slot["properties"])
    completed = document["paths"]["/api/v1/materials/{material_id}/complete"]["post"]
    assert "202" in completed["responses"]
    material = document["components"]["schemas"]["Material"]
    assert {"awaiting_upload", "verifying", "stored", "rejected"} <= set(
        material["properties"]["status"]["enum"]
    )
    view = document["components"]["schemas"]["ScreeningView"]
    assert {"state", "ruleset", "findings", "priority", "review", "selection"} <= set(
        view["properties"]
    )
    summary = document["components"]["schemas"]["Summary"]
    assert {"as_of", "totals", "districts"} <= set(summary["properties"])


def test_the_exports_answer_with_their_content_types(document: dict[str, Any]) -> None:
    for suffix, content_type in (
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv"),
    ):
        operation = document["paths"][f"/api/v1/reports/entries.{suffix}"]["get"]
        content = operation["responses"]["200"]["content"]
        assert list(content) == [content_type]
        assert content[content_type]["schema"] == {"type": "string", "format": "binary"}
        assert {p["name"] for p in operation["parameters"]} == {
            "district",
            "category",
            "state",
            "q",
            "sort",  # the order of the rows, as in the list
            "recommended",  # 推荐省级 only (the province package's 汇总表)
        }


def test_intake_serves_the_document_written_at_its_setting_s_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Intake answers with the file `python -m ops.openapi` wrote (read here from a stand-in:
    no I/O in unit tests; tests/integration/test_intake_api.py reads a real file)."""
    written = {"/run/openapi.json": openapi.document().encode()}
    monkeypatch.setenv("KECHUANG_API_DOCUMENT", "/run/openapi.json")
    monkeypatch.setattr(parts, "published", written.__getitem__)
    request = Request(EnvironBuilder(path="/api/v1/openapi.json").get_environ())
    response = IntakeService.openapi(SimpleNamespace(name="intake"), request)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_data() == openapi.document().encode()
    assert json.loads(response.get_data(as_text=True)) == openapi.spec()


def test_the_document_is_assembled_from_each_service_s_part() -> None:
    assert openapi.linked(parts.build(openapi.PARTS)) == openapi.spec()


def test_links_lead_from_a_new_entry_to_its_upload_and_on_to_completion(
    document: dict[str, Any],
) -> None:
    """The stateful walk a client (and schemathesis) follows: create, patch, submit, upload."""
    ids = {op["operationId"] for _, _, op in operations(document)}
    created = document["paths"]["/api/v1/submissions"]["post"]["responses"]["201"]["links"]
    assert {"PatchSubmission", "SubmitSubmission", "RequestUploadSlot"} <= set(created)
    assert created["PatchSubmission"]["parameters"]["header.If-Match"] == "$response.header.ETag"
    slot = document["paths"]["/api/v1/submissions/{submission_id}/materials"]["post"]
    assert slot["responses"]["201"]["links"]["CompleteUpload"]["operationId"] == "complete_upload"
    for _, _, operation in operations(document):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                assert link["operationId"] in ids
