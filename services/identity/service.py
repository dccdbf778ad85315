"""Identity: people's accounts, sign-in and sessions. Owns the `account-<person id>` streams.

The nameko class is thin: each endpoint parses, calls `sessions.Sessions` (signing in, the
person's own account) or `accounts.Accounts` (managing accounts) and answers in the
documented shape. It is the one service holding the private signing key besides the
operator. Its events reach every service's revocation view through its relay.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from nameko.extensions import DependencyProvider
from nameko.timer import timer
from werkzeug import Request, Response

import shared.catalog  # noqa: F401  (registers the event types)
from services.identity import throttle
from services.identity.accounts import Accounts
from services.identity.sessions import Client, Policy, Sessions, SignedIn
from shared import config
from shared.auth import Principal
from shared.dependencies import Authenticator, Store
from shared.entrypoints import ServesEventLog, http
from shared.errors import Refused
from shared.http import client_address, endpoint, json_response, read_json, refusal
from shared.routes import unrouted

SESSION = "/api/v1/session"
ACCOUNTS = "/api/v1/accounts"
COOKIE = "kechuang_refresh"
# The device cookie (OWASP's brute-force guidance): names a browser the person signed in from,
# so a stranger's failed guesses elsewhere never keep them out (services/identity/throttle.py).
DEVICE_COOKIE = "kechuang_device"
DEVICE_SECONDS = 180 * 24 * 3600


class SigningKey(DependencyProvider):
    """The Ed25519 private key and the sign-in policy, read once at start."""

    def setup(self) -> None:
        settings = config.load()
        self.key = settings.jwt_private_key()
        self.policy = Policy(settings.identity_lock_seconds, settings.identity_refresh_seconds,
                             settings.identity_fresh_seconds, settings.totp_key())  # fmt: skip

    def get_dependency(self, worker_ctx: object) -> SigningKey:
        return self


def _with_cookie(response: Response, signed: SignedIn, max_age: int) -> Response:
    if signed.refresh_token is not None:
        response.set_cookie(COOKIE, signed.refresh_token, max_age=max_age, path=SESSION,
                            secure=True, httponly=True, samesite="Strict")  # fmt: skip
    if signed.device_token is not None:
        response.set_cookie(DEVICE_COOKIE, signed.device_token, max_age=DEVICE_SECONDS,
                            path=SESSION, secure=True, httponly=True,
                            samesite="Strict")  # fmt: skip
    return response


def _client(request: Request) -> Client:
    """Where the attempt comes from (`shared.http.client_address`) and its device cookie."""
    return Client(client_address(request) or "-", request.cookies.get(DEVICE_COOKIE) or None)


def _cleared(response: Response) -> Response:
    response.delete_cookie(COOKIE, path=SESSION, secure=True, httponly=True, samesite="Strict")
    return response


class IdentityService(ServesEventLog):
    name = "identity"
    event_store = Store("identity")
    # Takes a token from a sign-in with an initial password (or without the TOTP a staff admin
    # must enrol): changing it, enrolling, is what it is for.
    # No revocation view: every person's request is checked against identity's own tables
    # (`_person`, `_manager`), which are ahead of any view of its events.
    authenticate = Authenticator(allow_initial_password=True, follow_identity=False)
    signing = SigningKey()

    def sessions(self) -> Sessions:
        return Sessions(self.event_store, self.signing.key, self.signing.policy)

    def accounts(self) -> Accounts:
        return Accounts(self.event_store)

    def _signed_in(self, signed: SignedIn) -> Response:
        response = json_response(signed.body, headers={"Cache-Control": "no-store"})
        return _with_cookie(response, signed, self.signing.policy.refresh_seconds)

    def _manager(self, request: Request, fresh: bool = False) -> Principal:
        """Managing accounts needs a password of one's own (not the initial one), TOTP where
        it is required, and for a change (`fresh`) the password given within minutes."""
        principal = self.authenticate(request)
        self.sessions().still_open(principal)
        if principal.must_change_password:
            raise Refused("forbidden", "请先修改初始密码", must_change_password=True)
        if principal.must_enrol_totp:
            raise Refused("forbidden", "请先启用动态验证码", must_enrol_totp=True)
        if fresh:
            self.sessions().require_fresh(principal)
        return principal

    def _person(self, request: Request) -> Principal:
        """The bearer's principal, whose session identity's own tables say is still open (its
        revocation view, fed by its relay, may trail its own commit by a moment)."""
        principal = self.authenticate(request)
        self.sessions().still_open(principal)
        return principal

    @timer(interval=60)
    def forget_old_failures(self) -> None:
        """Counts of failed sign-ins whose window passed go (services/identity/throttle.py)."""
        with self.sessions().store.engine.begin() as conn:
            throttle.forget_old(conn, datetime.now(UTC))

    @http("POST", SESSION)
    @endpoint
    def sign_in(self, request: Request) -> Response:
        return self._signed_in(self.sessions().sign_in(read_json(request), _client(request)))

    @http("POST", f"{SESSION}/refresh")
    @endpoint
    def refresh(self, request: Request) -> Response:
        try:
            return self._signed_in(self.sessions().refresh(request.cookies.get(COOKIE)))
        except Refused as refused:
            return _cleared(refusal(refused))

    @http("DELETE", SESSION)
    @endpoint
    def sign_out(self, request: Request) -> Response:
        principal = None
        with contextlib.suppress(Refused):  # an expired or revoked bearer: the cookie decides
            principal = self.authenticate(request) if "Authorization" in request.headers else None
        self.sessions().sign_out(request.cookies.get(COOKIE), principal)
        return _cleared(Response(status=204))

    @http("GET", SESSION)
    @endpoint
    def me(self, request: Request) -> Response:
        return json_response(self.sessions().me(self._person(request)))

    @http("POST", f"{SESSION}/everywhere")
    @endpoint
    def sign_out_everywhere(self, request: Request) -> Response:
        self.sessions().sign_out_everywhere(self._person(request))
        return _cleared(Response(status=204))

    @http("POST", f"{SESSION}/password")
    @endpoint
    def change_password(self, request: Request) -> Response:
        principal = self._person(request)
        changed = self.sessions().change_password(principal, read_json(request), _client(request))
        return self._signed_in(changed)

    @http("POST", f"{SESSION}/confirm")
    @endpoint
    def confirm(self, request: Request) -> Response:
        """Fresh proof before a sensitive change: the password (or a TOTP code) again."""
        principal = self._person(request)
        answer = self.sessions().confirm(principal, read_json(request), _client(request))
        return json_response(answer, headers={"Cache-Control": "no-store"})

    @http("POST", f"{SESSION}/totp")
    @endpoint
    def enrol_totp(self, request: Request) -> Response:
        principal = self._person(request)
        body = read_json(request) if request.content_length else {}
        answer = self.sessions().enrol_totp(principal, body)
        return json_response(answer, headers={"Cache-Control": "no-store"})

    @http("GET", ACCOUNTS)
    @endpoint
    def list_accounts(self, request: Request) -> Response:
        items = self.accounts().list(self._manager(request))
        return json_response({"items": items, "total": len(items)})

    @http("POST", ACCOUNTS)
    @endpoint
    def create_account(self, request: Request) -> Response:
        principal = self._manager(request, fresh=True)
        return json_response(self.accounts().create(principal, read_json(request)), 201)

    @http("POST", f"{ACCOUNTS}/<person_id>/disable")
    @endpoint
    def disable_account(self, request: Request, person_id: str) -> Response:
        principal = self._manager(request, fresh=True)
        return json_response(self.accounts().set_enabled(principal, person_id, False))

    @http("POST", f"{ACCOUNTS}/<person_id>/enable")
    @endpoint
    def enable_account(self, request: Request, person_id: str) -> Response:
        principal = self._manager(request, fresh=True)
        return json_response(self.accounts().set_enabled(principal, person_id, True))

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/api/<path:anything>")
    @endpoint
    def unknown(self, request: Request, anything: str) -> Response:
        return unrouted(self, request)
