"""OAuth 2 for the SaaS ledger connectors (QuickBooks Online, Xero).

* **Authorising** (once, from the till: ``pos sync connector auth NAME``): the
  authorization-code flow for a desktop app. A listener on the loopback redirect URI
  (``http://127.0.0.1:PORT/callback``) is started first, then the system browser opens
  the provider's consent page; the provider redirects the browser to the listener with
  ``code`` and ``state``. The state must be the one this run made (else the request is
  refused and the listener keeps waiting); with ``pkce`` the code is bound to a
  verifier that never leaves this process (S256). The code is exchanged at the token
  endpoint, and the token set goes to the keyring before anything else happens.
* **Tokens** (every request): access tokens live an hour; they are refreshed a few
  minutes before they expire and once more when the API answers 401. Both vendors
  *rotate* refresh tokens: a refresh returns a new one and the old one stops working
  (Xero keeps it usable for a 30-minute grace period in case the answer was lost,
  Intuit documents none). So the order is: send the refresh, and on the answer
  **store the whole new token set first** — one keyring entry (one JSON value, so the
  access token, refresh token and expiry can never be half old and half new; the
  owner-only file fallback is replaced atomically and fsynced) — and only then use
  it. A refresh is serialised in the process and starts by reading the stored set
  again, so a token another process (the till and ``pos sync run``) rotated meanwhile
  is picked up instead of refreshing with a dead one; ``invalid_grant`` is also
  answered by reading the store again before the connection is declared lost. If the
  store cannot be written, the new set is kept in memory, used, and written again on
  the next request. What no client can repair: the process dying after the provider
  rotated and before the store write finished (a window of one keyring write). With
  Xero the grace period recovers it (the old refresh token is accepted again); with a
  provider without one the connection needs authorising again — it is reported as
  such (``pos sync status``), events stay queued, and they go out once it is
  authorised again. None of this is an event's fault, so nothing is dead-lettered.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .model import REFUSED, UNREACHABLE, TransientError
from .ports import SecretStore

log = logging.getLogger(__name__)
TOKENS_KEY = "oauth_tokens"  # one keyring entry: the whole token set as JSON
REFRESH_MARGIN_S = 300.0  # refresh this long before the access token expires
AUTH_RETRY_S = 300.0  # a lost authorisation is looked at again this often


class OAuthError(Exception):
    """The provider refused (bad client, wrong redirect URI, user said no, bad state)."""


class AuthorizationLost(TransientError):
    """No usable token: someone must authorise the connector again. Events stay queued."""

    def __init__(self, connector: str, why: str) -> None:
        super().__init__(f"{connector}: authorisation lost ({why}); run `pos sync connector "
                         f"auth {connector}` to connect again", AUTH_RETRY_S, REFUSED)


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    pkce: bool = False


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: float  # Unix time
    refresh_expires_at: float | None = None
    obtained_at: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        d = json.loads(text)
        return cls(str(d["access_token"]), str(d["refresh_token"]), float(d["expires_at"]),
                   None if d.get("refresh_expires_at") is None
                   else float(d["refresh_expires_at"]), float(d.get("obtained_at", 0)),
                   {str(k): str(v) for k, v in (d.get("extra") or {}).items()})

    @classmethod
    def from_response(cls, data: Mapping[str, Any], now: float,
                      extra: dict[str, str] | None = None) -> TokenSet:
        try:
            access, refresh = str(data["access_token"]), str(data["refresh_token"])
            expires = float(data.get("expires_in", 3600))
        except (KeyError, TypeError, ValueError) as exc:
            raise OAuthError(f"token endpoint answered without tokens: {exc}") from exc
        rx = data.get("x_refresh_token_expires_in")
        return cls(access, refresh, now + expires, now + float(rx) if rx else None, now,
                   extra or {})


def _token_request(http: httpx.Client, provider: Provider, client_id: str,
                   client_secret: str | None, form: dict[str, str]) -> httpx.Response:
    headers = {"Accept": "application/json"}
    if client_secret:
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    else:  # a public client (PKCE): the id in the form, no secret at all
        form = {**form, "client_id": client_id}
    try:
        return http.post(provider.token_url, data=form, headers=headers)
    except httpx.TransportError as exc:
        raise TransientError(f"cannot reach {provider.name}'s token endpoint: "
                             f"{exc.__class__.__name__}", kind=UNREACHABLE) from exc


class TokenManager:
    """The token set of one connector: load, refresh (rotating), persist, hand out."""

    def __init__(self, connector: str, secrets_: SecretStore, provider: Provider,
                 client_id: str, client_secret: str | None, http: httpx.Client,
                 clock: Callable[[], float] = time.time,
                 margin_s: float = REFRESH_MARGIN_S) -> None:
        self.connector, self._secrets, self.provider = connector, secrets_, provider
        self._client_id, self._client_secret = client_id, client_secret
        self._http, self.clock, self._margin = http, clock, margin_s
        self._lock = threading.Lock()
        self._tokens: TokenSet | None = None
        self._unsaved = False  # the newest set is only in memory (the store failed)
        self.refreshes = 0

    # ----- the store --------------------------------------------------------------------
    def stored(self) -> TokenSet | None:
        text = self._secrets.get(self.connector, TOKENS_KEY)
        return TokenSet.from_json(text) if text else None

    def save(self, tokens: TokenSet) -> None:
        """Persist first, use afterwards (see the module's docstring)."""
        self._tokens = tokens
        try:
            self._secrets.set(self.connector, TOKENS_KEY, tokens.to_json())
            self._unsaved = False
        except Exception:
            self._unsaved = True
            log.exception("%s: could not store the new OAuth tokens; keeping them in memory "
                          "and trying again with the next request", self.connector)

    # ----- handing out access tokens ----------------------------------------------------
    def access_token(self) -> str:
        with self._lock:
            tokens = self._current()
            if tokens.expires_at - self._margin <= self.clock():
                tokens = self._refresh_locked(tokens.access_token)
            return tokens.access_token

    def refresh(self, rejected: str | None = None) -> str:
        """A new access token, because ``rejected`` was refused (401) or is about to expire;
        another thread or process may already have replaced it."""
        with self._lock:
            return self._refresh_locked(rejected).access_token

    def _current(self) -> TokenSet:
        if self._unsaved and self._tokens is not None:
            self.save(self._tokens)
        if self._tokens is None:
            self._tokens = self.stored()
        if self._tokens is None:
            raise AuthorizationLost(self.connector, "never authorised")
        return self._tokens

    def _refresh_locked(self, rejected: str | None) -> TokenSet:
        if not self._unsaved:
            stored = self.stored()  # another process may have rotated it meanwhile
            if stored is not None:
                self._tokens = stored
        tokens = self._current()
        if (rejected is not None and tokens.access_token != rejected
                and tokens.expires_at - self._margin > self.clock()):
            return tokens  # someone else refreshed already
        sent = tokens.refresh_token
        r = _token_request(self._http, self.provider, self._client_id, self._client_secret,
                           {"grant_type": "refresh_token", "refresh_token": sent})
        if r.status_code >= 500 or r.status_code == 429:
            raise TransientError(f"{self.provider.name}'s token endpoint answered HTTP "
                                 f"{r.status_code}")
        if r.status_code != 200:
            error = _oauth_error(r)
            if not self._unsaved:
                again = self.stored()
                if again is not None and again.refresh_token != sent:  # rotated elsewhere
                    self._tokens = again
                    return again
            raise AuthorizationLost(self.connector, f"{self.provider.name} refused the "
                                    f"refresh token: {error}")
        new = TokenSet.from_response(r.json(), self.clock(), tokens.extra)
        self.save(new)  # before the new access token is used for anything
        self.refreshes += 1
        log.info("%s: OAuth tokens refreshed (refresh token rotated: %s)", self.connector,
                 new.refresh_token != sent)
        return new


def _oauth_error(r: httpx.Response) -> str:
    try:
        d = r.json()
        return str(d.get("error_description") or d.get("error") or r.text[:200])
    except ValueError:
        return f"HTTP {r.status_code} {r.text[:200]}"


# ----- the authorization-code flow ----------------------------------------------------------

def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@dataclass
class _Callback:
    path: str
    state: str
    params: dict[str, str] | None = None
    refused: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


def _listener(redirect_uri: str, cb: _Callback) -> HTTPServer:
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise OAuthError(f"redirect_uri {redirect_uri!r}: a desktop app listens on loopback, "
                         "e.g. http://127.0.0.1:8765/callback")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            target = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(target.query).items()}
            if target.path != cb.path:
                self._answer(404, "Not the redirect address.")
                return
            if q.get("state") != cb.state:  # a forged or stale redirect: keep waiting
                cb.refused.append(q.get("state", ""))
                self._answer(400, "This sign-in link does not belong to the running "
                                  "authorisation. Start it again from the till.")
                return
            cb.params = q
            ok = "code" in q
            self._answer(200 if ok else 400,
                         "Connected. You can close this window and go back to the till."
                         if ok else f"Not connected: {q.get('error', 'no code')}.")
            cb.done.set()

        def _answer(self, status: int, text: str) -> None:
            body = f"<!doctype html><title>pos-app</title><p>{text}</p>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    host = "127.0.0.1" if parts.hostname == "localhost" else str(parts.hostname)
    return HTTPServer((host, parts.port or 80), Handler)


def authorize(provider: Provider, client_id: str, client_secret: str | None,
              redirect_uri: str, open_browser: Callable[[str], object],
              timeout_s: float = 300.0, http: httpx.Client | None = None,
              clock: Callable[[], float] = time.time, listen_uri: str | None = None,
              ) -> tuple[TokenSet, dict[str, str]]:
    """Run the flow; returns the token set and the redirect's parameters (e.g. realmId).

    ``listen_uri``: where the loopback listener waits, when the registered redirect URI is
    an https page that forwards the browser there (Intuit's production keys)."""
    state = secrets.token_urlsafe(24)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "scope": " ".join(provider.scopes), "state": state}
    verifier = None
    if provider.pkce:
        verifier, challenge = pkce_pair()
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    local = listen_uri or redirect_uri
    cb = _Callback(urlsplit(local).path or "/", state)
    server = _listener(local, cb)  # listening before the browser can be redirected
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True,
                              name="oauth-redirect")
    thread.start()
    try:
        url = f"{provider.authorize_url}?{urlencode(params)}"
        open_browser(url)
        if not cb.done.wait(timeout_s):
            raise OAuthError(f"no answer from {provider.name} within {timeout_s:.0f} s")
    finally:
        server.shutdown()
        server.server_close()
    got = cb.params or {}
    if "code" not in got:
        raise OAuthError(f"{provider.name} did not authorise: "
                         f"{got.get('error_description') or got.get('error', 'no code')}")
    form = {"grant_type": "authorization_code", "code": got["code"],
            "redirect_uri": redirect_uri}
    if verifier:
        form["code_verifier"] = verifier
    own = http is None
    client = http or httpx.Client(timeout=30)
    try:
        r = _token_request(client, provider, client_id, client_secret, form)
    finally:
        if own:
            client.close()
    if r.status_code != 200:
        raise OAuthError(f"{provider.name} refused the code: {_oauth_error(r)}")
    extra = {k: v for k, v in got.items() if k not in ("code", "state")}
    return TokenSet.from_response(r.json(), clock(), extra), extra
