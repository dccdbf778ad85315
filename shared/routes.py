"""What a service answers for a request none of its routes takes, as HTTP says it should.

A path the service serves but not with this method is 405 with `Allow` naming the methods it
does take (an OPTIONS request gets 204 with the same `Allow`); a path it does not serve is 404.
nameko's own answer would be a 405 listing every method of the catch-all route, or a 404 for
a method the catch-all takes, which a client generated from the API document cannot trust.
"""

from __future__ import annotations

import functools
from typing import Any

from nameko.web.handlers import HttpRequestHandler
from werkzeug import Request, Response
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from shared.errors import Refused
from shared.http import STATUS, json_response

CATCH_ALL = "unknown"  # the name (or prefix: unknown_notice) of a service's catch-all entrypoints


@functools.cache
def _routes(service: type) -> Map:
    rules = []
    for name in dir(service):
        for extension in getattr(getattr(service, name), "nameko_entrypoints", ()):
            if isinstance(extension, HttpRequestHandler) and not name.startswith(CATCH_ALL):
                methods = extension.method.split(",")
                rules.append(Rule(extension.url, methods=methods, endpoint=name))
    return Map(rules)


def allowed_methods(service: type, path: str) -> list[str]:
    """The methods `service` takes on `path` (HEAD with GET); empty when it serves no such path."""
    adapter = _routes(service).bind("service")
    try:
        adapter.match(path, method="__none__")
    except MethodNotAllowed as error:
        return sorted(set(error.valid_methods or ()) | {"OPTIONS"})
    except NotFound:
        return []
    return []


def unrouted(service: Any, request: Request) -> Response:
    allowed = allowed_methods(type(service), request.path)
    if not allowed:
        raise Refused("not_found", "没有这个接口")
    headers = {"Allow": ", ".join(allowed)}
    if request.method == "OPTIONS":
        return Response(status=204, headers=headers)
    body = {"error": {"code": "method_not_allowed",
                      "message": f"此接口不支持 {request.method} 方法（支持：{headers['Allow']}）",
                      "fields": {}}}  # fmt: skip
    return json_response(body, STATUS["method_not_allowed"], headers=headers)
