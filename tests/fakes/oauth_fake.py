"""A fake OAuth 2 authorisation server as Intuit and Xero run theirs.

* ``GET /authorize``: checks the client, that the redirect URI is one registered for it
  (exactly), the scopes and, where required, a PKCE S256 challenge; the "user" consents
  (or declines: ``decline = True``) and is redirected (302) to the redirect URI with
  ``code`` and ``state`` (plus ``realmId`` for Intuit: ``redirect_extra``).
* ``POST /token``: ``authorization_code`` (a code works once, only with its redirect URI
  and verifier) and ``refresh_token``. Confidential clients authenticate with HTTP Basic,
  public (PKCE) clients send ``client_id`` in the form. Access tokens expire after
  ``access_ttl`` seconds of the fake's clock; every refresh **rotates** the refresh
  token: the old one is rejected (``invalid_grant``) — except within ``grace_s`` after
  its rotation (Xero documents 30 minutes, for answers that were lost).
* The API fakes ask ``grant_of(access_token)``: the grant (who consented, to which
  company or tenants) or None when the token is unknown or expired.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .http import Drops, FakeServer, Request, Response


@dataclass
class Client:
    secret: str | None  # None: a public client, PKCE required
    redirect_uris: tuple[str, ...]


@dataclass
class Grant:
    client_id: str
    scopes: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)  # realmId, tenants


@dataclass
class _Refresh:
    grant: Grant
    rotated_at: float | None = None  # None: the current one


class OAuthFake:
    def __init__(self, clock: Callable[[], float] = time.time, access_ttl: float = 3600,
                 grace_s: float = 0.0, scopes: tuple[str, ...] = (),
                 redirect_extra: Callable[[Grant], dict[str, str]] | None = None) -> None:
        self.clock, self.access_ttl, self.grace_s = clock, access_ttl, grace_s
        self.scopes = scopes
        self.redirect_extra = redirect_extra
        self.clients: dict[str, Client] = {}
        self.grant_extra: dict[str, Any] = {}  # what the consenting user grants access to
        self.decline = False
        self.lock = threading.Lock()
        self._codes: dict[str, tuple[Grant, str, str | None]] = {}  # code -> grant, uri, chal.
        self._access: dict[str, tuple[Grant, float]] = {}
        self._refresh: dict[str, _Refresh] = {}
        self.log: list[tuple[str, str]] = []  # (grant_type or "authorize", outcome)
        self.drops = Drops()
        self.server = FakeServer(self.handle, "oauth-fake")

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def add_client(self, client_id: str, secret: str | None, *redirect_uris: str) -> None:
        self.clients[client_id] = Client(secret, tuple(redirect_uris))

    # ----- for the API fakes and the tests ------------------------------------------------
    def grant_of(self, access_token: str) -> Grant | None:
        with self.lock:
            found = self._access.get(access_token)
            if found is None or found[1] <= self.clock():
                return None
            return found[0]

    def expire_access_tokens(self) -> None:
        """Every access token stops working now (as if an hour had passed on the server)."""
        with self.lock:
            self._access = {k: (g, self.clock()) for k, (g, _) in self._access.items()}

    def issue(self, grant: Grant) -> dict[str, Any]:
        """A token set for a grant (tests that start authorised)."""
        with self.lock:
            return self._issue(grant)

    def current_refresh_tokens(self) -> list[str]:
        return [t for t, r in self._refresh.items() if r.rotated_at is None]

    def count(self, kind: str, outcome: str | None = None) -> int:
        return sum(1 for k, o in self.log if k == kind and outcome in (None, o))

    # ----- HTTP ------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        with self.lock:
            if req.method == "GET" and req.path == "/authorize":
                return self._authorize(req)
            if req.method == "POST" and req.path == "/token":
                resp = self._token(req)
                resp.drop = self.drops.take("POST", "/token")
                return resp
        return Response(404, b'{"error":"not_found"}')

    def _authorize(self, req: Request) -> Response:
        q = {k: v[0] for k, v in req.query.items()}
        client = self.clients.get(q.get("client_id", ""))
        if client is None or q.get("redirect_uri") not in client.redirect_uris:
            self.log.append(("authorize", "bad client or redirect_uri"))
            return Response(400, b"invalid client_id or redirect_uri")  # never redirect
        back = q["redirect_uri"]
        def redirect(params: dict[str, str]) -> Response:
            sep = "&" if "?" in back else "?"
            return Response(302, b"", {"Location": back + sep + urlencode(params)})
        state = q.get("state", "")
        if q.get("response_type") != "code":
            return redirect({"error": "unsupported_response_type", "state": state})
        asked = tuple(q.get("scope", "").split())
        if not asked or any(s not in self.scopes for s in asked):
            self.log.append(("authorize", "invalid_scope"))
            return redirect({"error": "invalid_scope", "state": state})
        challenge = q.get("code_challenge")
        if client.secret is None and (not challenge or q.get("code_challenge_method")
                                      != "S256"):
            self.log.append(("authorize", "pkce required"))
            return redirect({"error": "invalid_request", "error_description":
                             "code_challenge (S256) required", "state": state})
        if self.decline:
            self.log.append(("authorize", "access_denied"))
            return redirect({"error": "access_denied", "state": state})
        grant = Grant(q["client_id"], asked, dict(self.grant_extra))
        code = secrets.token_urlsafe(16)
        self._codes[code] = (grant, back, challenge)
        self.log.append(("authorize", "ok"))
        params = {"code": code, "state": state}
        if self.redirect_extra:
            params |= self.redirect_extra(grant)
        return redirect(params)

    def _client(self, req: Request, form: dict[str, str]) -> str | None:
        auth = req.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            client = self.clients.get(cid)
            return cid if client is not None and client.secret == secret else None
        cid = form.get("client_id", "")
        client = self.clients.get(cid)
        return cid if client is not None and client.secret is None else None

    def _token(self, req: Request) -> Response:
        form = dict(parse_qsl(req.body.decode()))
        kind = form.get("grant_type", "")
        cid = self._client(req, form)
        if cid is None:
            self.log.append((kind, "invalid_client"))
            return _error(401, "invalid_client")
        if kind == "authorization_code":
            found = self._codes.pop(form.get("code", ""), None)
            if found is None or found[0].client_id != cid or found[1] != form.get(
                    "redirect_uri"):
                self.log.append((kind, "invalid_grant"))
                return _error(400, "invalid_grant")
            grant, _, challenge = found
            if challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(
                    hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
                if digest != challenge:
                    self.log.append((kind, "bad verifier"))
                    return _error(400, "invalid_grant", "code_verifier does not match")
            self.log.append((kind, "ok"))
            return Response(200, json.dumps(self._issue(grant)).encode(),
                            {"Content-Type": "application/json"})
        if kind == "refresh_token":
            token = form.get("refresh_token", "")
            r = self._refresh.get(token)
            now = self.clock()
            if r is None or r.grant.client_id != cid or (
                    r.rotated_at is not None and (self.grace_s <= 0
                                                  or now - r.rotated_at > self.grace_s)):
                self.log.append((kind, "invalid_grant"))
                return _error(400, "invalid_grant", "Token has been expired or revoked.")
            grace = r.rotated_at is not None
            if not grace:
                r.rotated_at = now  # rotated: the old one is done (after the grace)
            self.log.append((kind, "ok (grace)" if grace else "ok"))
            return Response(200, json.dumps(self._issue(r.grant)).encode(),
                            {"Content-Type": "application/json"})
        return _error(400, "unsupported_grant_type")

    def _issue(self, grant: Grant) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self._access[access] = (grant, self.clock() + self.access_ttl)
        self._refresh[refresh] = _Refresh(grant)
        return {"access_token": access, "refresh_token": refresh, "token_type": "bearer",
                "expires_in": int(self.access_ttl), "x_refresh_token_expires_in": 8726400}


def _error(status: int, error: str, description: str | None = None) -> Response:
    body: dict[str, str] = {"error": error}
    if description:
        body["error_description"] = description
    return Response(status, json.dumps(body).encode(), {"Content-Type": "application/json"})
