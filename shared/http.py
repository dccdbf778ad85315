"""HTTP plumbing shared by every service: the documented error shape, JSON in and out, paging.

Every response an API client sees is JSON; every error has the shape of api.md:
`{"error": {"code", "message", "fields"}}`, with messages in Chinese. This is the one place a
`shared.errors.Refused` (raised by domains, use cases and the edge alike) becomes that body and
the status its code stands for (`STATUS`). `endpoint` wraps a nameko `@http` handler so that
no input, however broken, turns into a 500 page: known failures become their 4xx, and an
unexpected exception is logged with its traceback and answered with a documented 500 body
that leaks nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import amqp.exceptions
import kombu.exceptions
import sqlalchemy.exc
from marshmallow import ValidationError
from werkzeug import Request, Response
from werkzeug.exceptions import RequestEntityTooLarge

from shared import observability, text
from shared.errors import Refused

log = logging.getLogger("kechuang.http")

MAX_BODY_BYTES = 1024 * 1024
MAX_PAGE = 10**6
MAX_PER_PAGE = 500

STATUS = {
    "validation_failed": 422,
    "not_found": 404,
    "version_conflict": 409,
    "call_closed": 409,
    "invalid_state": 409,
    "precondition_required": 428,
    "too_many_requests": 429,  # throttled: sign-in and password checks, the front door's limit
    "unauthorized": 401,
    "forbidden": 403,
    "method_not_allowed": 405,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "internal": 500,
    "unavailable": 503,
}

# A store or the broker out of reach for a moment (PostgreSQL restarting, RabbitMQ's app
# stopped): nothing was decided, so the client is told to retry (503 with Retry-After), not
# that the server is broken. SQLAlchemy wraps the driver's connection errors as these two.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    kombu.exceptions.OperationalError,
    amqp.exceptions.RecoverableConnectionError,
    ConnectionError,
)


# Screening still raises these names; they are the one error now. Remove when screening moves.
ApiError = Refused


def refusal(error: Refused) -> Response:
    """The documented error body for `error`, with the status its code stands for; `extra`
    keys (`current_version`, `state`, …) sit beside `code`, `message` and `fields`; a
    `retry_after` (seconds) is sent as the `Retry-After` header instead."""
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    body["error"].update((k, v) for k, v in error.extra.items() if k != "retry_after")
    retry = error.extra.get("retry_after")
    headers = {"Retry-After": str(int(retry))} if isinstance(retry, int | float) else None
    return json_response(body, STATUS[error.code], headers)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=_default),
        status=status,
        headers=headers,
        content_type="application/json; charset=utf-8",
    )


def read_json(request: Request) -> Any:
    """The request's JSON body: 415 unless it is JSON, 413 over 1 MiB, 422 if it won't parse
    or holds a string (key or value) that `shared.text` refuses."""
    if request.mimetype != "application/json":
        raise Refused("unsupported_media_type", "请求体须为 JSON（Content-Type: application/json）")
    request.max_content_length = MAX_BODY_BYTES
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise Refused("payload_too_large", "请求体过大（上限 1 MiB）") from None
    try:
        body = json.loads(raw.decode(request.mimetype_params.get("charset", "utf-8")))
    except (UnicodeDecodeError, LookupError, json.JSONDecodeError, RecursionError) as exc:
        raise Refused(
            "validation_failed", "请求体不是有效的 JSON", {"_body": [f"无法解析：{exc}"]}
        ) from None
    # Keys too, and fields no schema declares: none of it may reach a store or a log line.
    refused = text.faults(body)
    if refused:
        raise Refused("validation_failed", "输入有误", refused)
    return body


def validation_fields(error: ValidationError) -> dict[str, list[str]]:
    """marshmallow's nested messages as dotted paths (`contact.phone`)."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, messages: Any) -> None:
        if isinstance(messages, dict):
            for key, value in messages.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
            flat.setdefault(prefix or "_body", []).extend(messages)
        else:
            flat.setdefault(prefix or "_body", []).append(str(messages))

    walk("", error.messages)
    return flat


_IF_MATCH = re.compile(r'[ \t]*(?:W/)?"?([0-9]+)"?[ \t]*')


def if_match(request: Request) -> int | None:
    """The version an `If-Match` header names (`"3"`, `W/"3"`, `3`), None without one; 422
    when it is not a version number (ASCII digits only: "²".isdigit() holds, int("²") fails)."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    match = _IF_MATCH.fullmatch(raw)
    if match is None:
        raise Refused(
            "validation_failed", "If-Match 须为版本号", {"If-Match": ['形如 "3" 的版本号']}
        )
    return int(match.group(1))


def client_address(request: Request) -> str | None:
    """The client's address as the front door saw it: nginx sets X-Forwarded-For to its
    `$remote_addr`, which `real_ip` takes from a trusted proxy only (deploy/nginx/http.conf).
    At most 64 characters, and None for one no store may hold (`shared.text`)."""
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()[:64]
    address = forwarded or request.remote_addr or None
    return address if address and not text.fault(address) else None


def paging(request: Request) -> tuple[int, int]:
    """`?page=1&per_page=50` (per_page at most 500), checked."""
    fields: dict[str, list[str]] = {}
    values = {}
    for name, default, top in (("page", 1, MAX_PAGE), ("per_page", 50, MAX_PER_PAGE)):
        raw = request.args.get(name, str(default))
        # ASCII digits only: "²".isdigit() holds, but int("²") raises.
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= top:
            fields[name] = [f"须为 1 到 {top} 之间的整数"]
        else:
            values[name] = int(raw)
    if fields:
        raise Refused("validation_failed", "分页参数无效", fields)
    return values["page"], values["per_page"]


def page_body(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "per_page": per_page}


Handler = Callable[..., Response]


def endpoint(handler: Handler) -> Handler:
    """Answer every outcome of `handler` in the documented shape; never an HTML 500. Each
    request runs under its correlation id (echoed in `X-Request-Id`), is logged and counted."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        correlation_id = observability.correlation_from(request.headers.get("X-Request-Id"))
        observability.correlation.set(correlation_id)
        started = time.perf_counter()
        response = _answer(handler, self, request, *args, **kwargs)
        seconds = time.perf_counter() - started
        response.headers["X-Request-Id"] = str(correlation_id)
        observability.observe_request(self.name, handler.__name__, request.method,
                                      response.status_code, seconds)  # fmt: skip
        figures = {"status": response.status_code, "duration_ms": round(seconds * 1000, 1)}
        log.info("%s %s %s", request.method, request.path, response.status_code, extra=figures)
        return response

    return wrapper


def _answer(
    handler: Handler, service: Any, request: Request, *args: Any, **kwargs: Any
) -> Response:
    try:
        return handler(service, request, *args, **kwargs)
    except Refused as error:
        return refusal(error)
    except ValidationError as error:
        return refusal(Refused("validation_failed", "输入有误", validation_fields(error)))
    except UNAVAILABLE as error:
        log.warning("%s %s: a store is out of reach: %s", request.method, request.path,
                    str(error).splitlines()[0] if str(error) else type(error).__name__)  # fmt: skip
        answer = refusal(Refused("unavailable", "服务暂时不可用，请稍后重试"))
        answer.headers["Retry-After"] = "1"
        return answer
    except Exception:
        log.exception("unexpected error in %s %s", request.method, request.path)
        return refusal(Refused("internal", "服务器内部错误，请稍后重试"))
