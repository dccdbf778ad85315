"""Identity's part of the OpenAPI 3 document: signing in, the session and its refresh cookie,
the person's own password and second factor, and the admins' accounts. Assembled by
`ops.openapi`."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from marshmallow import Schema, fields, validate

from services.identity.domain.passwords import MAX_LENGTH, MIN_LENGTH
from shared.auth import PERSON_TTL
from shared.catalog.identity import ROLES
from shared.fields import Text
from shared.openapi import (
    add_health,
    add_schemas,
    errors,
    json_body,
    json_response,
    list_of,
    operation,
    path_param,
    ref,
)

TAG = "identity"
COOKIE_NOTE = (
    "刷新令牌放在 Cookie `kechuang_refresh` 中（HttpOnly; Secure; SameSite=Strict; "
    "Path=/api/v1/session），服务端只存其散列，每次刷新即更换；已换下的刷新令牌再次出现，"
    "视为被盗用，整个会话随即作废。登录成功的浏览器另得 Cookie `kechuang_device`（同样 HttpOnly），"
    "标记为本人用过的浏览器：他人在别处反复试错，不妨碍本人从此浏览器登录。"
)
FRESH_NOTE = (
    "须在 5 分钟内输入过本人密码（登录或 `POST /api/v1/session/confirm`），"
    "否则 403 `reauthenticate`。"
)


class SignInBody(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=64))
    password = Text(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))
    totp = Text(
        metadata={"description": "动态验证码（启用了动态验证码的市科协账号）", "example": "123456"}
    )


class Person(Schema):
    person_id = fields.UUID(required=True)
    username = fields.String(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(ROLES)})
    district = fields.String(allow_none=True, required=True)
    admin = fields.Boolean(required=True, metadata={"description": "可管理区县科协账号"})
    enabled = fields.Boolean(required=True)
    must_change_password = fields.Boolean(
        required=True, metadata={"description": "初始密码：须先修改密码"}
    )
    totp_enabled = fields.Boolean(required=True)
    must_enrol_totp = fields.Boolean(
        metadata={"description": "管理员与运维须先启用动态验证码：此前的令牌只能用于启用"}
    )
    created_at = fields.DateTime(required=True)


class Session(Schema):
    access_token = fields.String(
        required=True,
        metadata={"description": f"访问令牌（Ed25519 JWT，{PERSON_TTL // 60} 分钟有效）"},
    )
    token_type = fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = fields.Integer(required=True, metadata={"example": PERSON_TTL})
    person = fields.Nested(Person, required=True)


class PasswordBody(Schema):
    current_password = Text(required=True)
    new_password = Text(
        required=True,
        validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH),
        metadata={"description": f"至少 {MIN_LENGTH} 位，含字母、数字、符号中的至少两类"},
    )


class ConfirmBody(Schema):
    password = Text(metadata={"description": "本人当前密码"})
    totp = Text(metadata={"description": "或：动态验证码（已启用的）"})


class Confirmed(Schema):
    confirmed_until = fields.DateTime(required=True)


class TotpBody(Schema):
    code = Text(metadata={"description": "不带：生成密钥；带：验证后启用"})


class Totp(Schema):
    enabled = fields.Boolean(required=True)
    otpauth_uri = fields.String(metadata={"description": "供身份验证器 App 扫码"})
    secret = fields.String()
    access_token = fields.String(metadata={"description": "启用后：可用于一切操作的新访问令牌"})
    person = fields.Nested(Person)


class NewAccount(Schema):
    username = Text(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9._-]{1,63}$"))
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    phone = Text(validate=validate.Length(max=40))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    district = Text(allow_none=True, metadata={"description": "区县科协账号必填，如 巴州区"})
    admin = fields.Boolean(metadata={"description": "仅市科协工作人员"})
    password = Text(
        required=True,
        validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH),
        metadata={"description": "初始密码，首次登录须修改"},
    )


def _signed_in(description: str) -> dict[str, Any]:
    cookie = {"Set-Cookie": {"description": COOKIE_NOTE, "schema": {"type": "string"}}}
    return json_response(description, "Session", headers=cookie)


def add_paths(api: APISpec) -> None:
    """Identity's tag, schemas and paths."""
    api.tag({"name": TAG, "description": "账号与登录：登录、会话、修改密码、动态验证码、账号管理"})
    add_schemas(api, {
        "SignInBody": SignInBody, "Person": Person, "Session": Session,
        "PasswordBody": PasswordBody, "TotpBody": TotpBody, "Totp": Totp,
        "ConfirmBody": ConfirmBody, "Confirmed": Confirmed,
        "NewAccount": NewAccount,
    })  # fmt: skip
    no_content = {"204": {"description": "已退出"}}
    person = json_response("账号", "Person")
    api.path(
        path="/api/v1/session",
        operations={
            "post": operation(
                TAG, "sign_in", "登录",
                "以用户名和密码登录（启用了动态验证码的须带 totp，每个验证码只能用一次）。"
                "同一用户名从未登录过的浏览器 15 分钟内失败 5 次、同一来源地址失败 100 次，"
                "暂停 15 分钟（429，带 Retry-After）；本人登录过的浏览器另行计数，不受他人影响。"
                "不存在的用户名与密码错误答复相同。" + COOKIE_NOTE,
                {"200": _signed_in("已登录"), **errors(401, 413, 415, 422, 429, 503)},
                body=json_body(ref("SignInBody")), public=True,
            ),
            "get": operation(
                TAG, "who_am_i", "当前登录的账号", "须以个人账号的令牌访问。",
                {"200": person, **errors(401, 403)},
            ),
            "delete": operation(
                TAG, "sign_out", "退出登录",
                "作废 Cookie 中刷新令牌（或访问令牌）所属的会话，其访问令牌在各服务随即失效。",
                {**no_content, **errors(401)}, public=True,
            ),
        },
    )  # fmt: skip
    api.path(
        path="/api/v1/session/refresh",
        operations={"post": operation(
            TAG, "refresh_session", "刷新访问令牌",
            "以 Cookie 中的刷新令牌换取新的访问令牌，并换发刷新令牌。" + COOKIE_NOTE,
            {"200": _signed_in("新的访问令牌"), **errors(401)}, public=True,
        )},
    )  # fmt: skip
    api.path(
        path="/api/v1/session/everywhere",
        operations={"post": operation(
            TAG, "sign_out_everywhere", "在所有设备上退出",
            "作废本人的全部会话；此前签发的访问令牌在各服务随即失效。",
            {**no_content, **errors(401, 403)},
        )},
    )  # fmt: skip
    api.path(
        path="/api/v1/session/password",
        operations={"post": operation(
            TAG, "change_password", "修改密码",
            "验证原密码后设置新密码（原密码错误与登录失败同样计数，过多则 429）；"
            "本人其他会话与此前签发的全部令牌随即作废，本会话以答复中的新访问令牌继续。",
            {"200": _signed_in("已修改"), **errors(401, 403, 413, 415, 422, 429)},
            body=json_body(ref("PasswordBody")),
        )},
    )  # fmt: skip
    api.path(
        path="/api/v1/session/confirm",
        operations={"post": operation(
            TAG, "confirm_identity", "确认身份",
            "再次输入本人密码（或动态验证码），此后 5 分钟内可管理账号、启用动态验证码；"
            "密码错误与登录失败同样计数（422，过多则 429）。",
            {"200": json_response("已确认", "Confirmed"), **errors(401, 403, 413, 415, 422, 429)},
            body=json_body(ref("ConfirmBody")),
        )},
    )  # fmt: skip
    api.path(
        path="/api/v1/session/totp",
        operations={"post": operation(
            TAG, "enrol_totp", "启用动态验证码（市科协）",
            "不带 code：生成密钥，答以 otpauth URI；带 code：验证身份验证器 App 的验证码后启用，"
            "此后登录须带动态验证码；启用后答复新的访问令牌。" + FRESH_NOTE,
            {"200": json_response("密钥或已启用", "Totp"),
             **errors(401, 403, 409, 413, 415, 422, 503)},
            body=json_body(ref("TotpBody"), required=False),
        )},
    )  # fmt: skip
    api.path(
        path="/api/v1/accounts",
        operations={
            "get": operation(
                TAG, "list_accounts", "账号列表（管理员）",
                "市科协管理员看区县科协的账号；运维看全部。",
                {"200": json_response("账号", list_of(ref("Person"))), **errors(401, 403)},
            ),
            "post": operation(
                TAG, "create_account", "开设账号（管理员）",
                "市科协管理员可开设区县科协账号；运维可开设任何账号。" + FRESH_NOTE,
                {"201": json_response("已开设", "Person"), **errors(401, 403, 413, 415, 422)},
                body=json_body(ref("NewAccount")),
            ),
        },
    )  # fmt: skip
    person_id = path_param("person_id", "账号 ID")
    for action, summary, description in (
        (
            "disable",
            "停用账号（管理员）",
            "其访问令牌在各服务随即失效，会话全部作废。" + FRESH_NOTE,
        ),
        ("enable", "启用账号（管理员）", "须重新登录；停用前签发的令牌仍然无效。" + FRESH_NOTE),
    ):
        api.path(
            path=f"/api/v1/accounts/{{person_id}}/{action}",
            operations={"post": operation(
                TAG, f"{action}_account", summary, description,
                {"200": person, **errors(401, 403, 404, 409)},
                parameters=[person_id],
            )},
        )  # fmt: skip
    add_health(api, TAG)
