"""Events of the `account-<person id>` streams, owned by identity: a person's account and the
moments their tokens stop being good.

Secrets never travel in events (they are published on the bus and served to every consumer's
catch-up): the password's argon2id hash, the TOTP secret and the refresh tokens' hashes stay
in identity's own tables. What the events say is enough for every service to refuse a token
on its own (`shared.revocation`):

- `AccountDisabled`: every token of the person is refused (`AccountEnabled` lets new ones in;
  tokens issued before the disabling stay refused, `not_before`);
- `PasswordChanged`, `SignedOutEverywhere`: tokens issued (`iat`) before `not_before` refused;
- `SessionRevoked`: tokens of that session (`sid`) refused (sign-out, a reused refresh token);
- `TotpReset`: the operator cleared the person's TOTP; tokens before `not_before` refused;
- `TokenRevoked` (stream `account-token-<jti>`): the operator revoked a CLI token by its id
  (`jti`); `expires_at` says how long it needs remembering.

`not_before` is seconds since the epoch with milliseconds, like the `iat` of a person's token.
"""

from marshmallow import Schema, fields, validate

from shared.events import declare

STREAM_TYPE = "account"
ROLES = ("office", "staff", "operator")


def stream_id(person_id: str) -> str:
    return f"account-{person_id}"


class Created(Schema):
    person_id = fields.String(required=True)
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    district = fields.String(load_default=None, allow_none=True)
    admin = fields.Boolean(load_default=False)
    must_change_password = fields.Boolean(load_default=True)


class Person(Schema):
    person_id = fields.String(required=True)


class Cutoff(Schema):
    person_id = fields.String(required=True)
    not_before = fields.Float(required=True)


class PasswordChange(Cutoff):
    # False when an operator or an admin set it (the person must change it at sign-in).
    by_self = fields.Boolean(load_default=True)


class Session(Schema):
    person_id = fields.String(required=True)
    session_id = fields.String(required=True)
    reason = fields.String(load_default="signed_out")  # signed_out | refresh_reused


class Token(Schema):
    token_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    expires_at = fields.Float(required=True)


def token_stream_id(token_id: str) -> str:
    return f"account-token-{token_id}"


AccountCreated = declare("AccountCreated", STREAM_TYPE, Created)
AccountDisabled = declare("AccountDisabled", STREAM_TYPE, Cutoff)
AccountEnabled = declare("AccountEnabled", STREAM_TYPE, Person)
PasswordChanged = declare("PasswordChanged", STREAM_TYPE, PasswordChange)
SignedOutEverywhere = declare("SignedOutEverywhere", STREAM_TYPE, Cutoff)
SessionRevoked = declare("SessionRevoked", STREAM_TYPE, Session)
TotpEnabled = declare("TotpEnabled", STREAM_TYPE, Person)
TotpReset = declare("TotpReset", STREAM_TYPE, Cutoff)
TokenRevoked = declare("TokenRevoked", STREAM_TYPE, Token)
