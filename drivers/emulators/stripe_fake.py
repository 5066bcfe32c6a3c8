"""A stateful local fake of the Stripe API paths a server-driven Terminal till uses.

Why: no Stripe emulator with Terminal endpoints can be installed here, and the
driver's safety (one PaymentIntent per attempt, no double capture) only shows
against a backend that keeps state, replays idempotent requests and fails the
way Stripe does. Stdlib only, loopback only.

It follows Stripe's documented behaviour: the PaymentIntent state machine
(``requires_payment_method`` → ``requires_capture`` (manual) → ``succeeded`` on
capture, or ``canceled``), reader actions ``in_progress`` → ``succeeded`` /
``failed`` with ``failure_code``/``failure_message``, ``terminal_reader_busy``,
idempotency keys (same key and parameters replay the first response with
``Idempotent-Replayed: true``; other parameters → ``idempotency_error``), Bearer
auth, the JSON error envelope and the Terminal test amounts. Every request is
checked against the official OpenAPI spec (shipped gzipped next to this file);
a request the spec does not allow gets a 400 and lands in ``violations``.

Test controls are methods (``set_reader``, ``present``, ``drop_after_commit``,
``wait_until``) and the same under ``/_fake/...`` over HTTP for demos.
"""

from __future__ import annotations

import argparse
import base64
import copy
import gzip
import hashlib
import itertools
import json
import re
import secrets
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SPEC_PATH = Path(__file__).parent / "specs" / "stripe_spec3_2024-04-10.pos-trimmed.json.gz"
DEFAULT_KEY = "sk_test_fake"

# Stripe Terminal test amounts (docs.stripe.com/terminal/references/testing): the
# last two minor digits of the amount pick the simulated decline.
DECLINE_AMOUNTS: dict[int, tuple[str, str | None, str]] = {
    1: ("card_declined", "call_issuer", "The card was declined: call the issuer."),
    5: ("card_declined", "generic_decline", "The card was declined."),
    55: ("incorrect_pin", None, "The PIN entered is incorrect."),
    65: ("card_declined", "withdrawal_count_limit_exceeded",
         "The card's withdrawal count limit was exceeded."),
    75: ("card_declined", "pin_try_exceeded", "The allowable number of PIN tries was exceeded."),
}
# Stripe's test card numbers that decline whatever the amount.
DECLINE_CARDS: dict[str, tuple[str, str | None, str]] = {
    "4000000000000002": ("card_declined", "generic_decline", "The card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds",
                         "The card has insufficient funds to complete the purchase."),
    "4000000000009987": ("card_declined", "lost_card", "The card was declined (lost card)."),
}

_ids = itertools.count(1)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}{next(_ids):04d}"


class ApiError(Exception):
    """A Stripe error answer: HTTP status plus the ``error`` envelope."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None,
                 extra: dict[str, Any] | None = None, retry: bool | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "type": type}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.body["param"] = param
        self.body.update(extra or {})
        self.retry = retry


# --------------------------------------------------------------------------- spec validation

class SpecValidator:
    """Checks a request against one operation of the OpenAPI spec.

    Stripe's form bodies use bracket notation (``metadata[k]=v``,
    ``payment_method_types[0]=x`` or ``[]``); they are decoded into nested
    objects, coerced by the schema (form values are strings) and checked for
    unknown keys, types, enums, lengths and required fields.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.routes: list[tuple[re.Pattern[str], str, dict[str, Any]]] = []
        for template, ops in spec["paths"].items():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            self.routes.append((re.compile(f"^{pattern}$"), template, ops))

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> SpecValidator:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            return cls(json.load(f))

    def match(self, method: str, path: str) -> tuple[str, dict[str, str], dict[str, Any]]:
        """(template, path params, operation); ApiError 404 for what the spec lacks."""
        for pattern, template, ops in self.routes:
            m = pattern.match(path)
            if m and method.lower() in ops:
                return template, m.groupdict(), ops[method.lower()]
        raise ApiError(404, f"Unrecognized request URL ({method}: {path}).")

    def validate(self, op: dict[str, Any], method: str,
                 pairs: list[tuple[str, str]]) -> dict[str, Any]:
        """Decode and check the parameters; returns them as typed nested data."""
        raw = _decode_form(pairs)
        if method == "GET":
            return self._validate_query(op, raw)
        content = op.get("requestBody", {}).get("content", {})
        schema = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
        checked: dict[str, Any] = self._check(schema, raw, "")
        return checked

    def _validate_query(self, op: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
        params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        out: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in params:
                raise ApiError(400, f"Received unknown parameter: {name}", param=name)
            out[name] = self._check(params[name].get("schema", {}), value, name)
        for name, p in params.items():
            if p.get("required") and name not in raw:
                raise ApiError(400, f"Missing required param: {name}.", param=name)
        return out

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _check(self, schema: dict[str, Any], value: Any, where: str) -> Any:
        schema = self._resolve(schema)
        if "anyOf" in schema:
            errors: list[ApiError] = []
            for option in schema["anyOf"]:
                try:
                    return self._check(option, value, where)
                except ApiError as exc:
                    errors.append(exc)
            raise ApiError(400, f"Invalid value for {where or 'body'}: "
                           + "; ".join(str(e) for e in errors), param=where or None)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._check_object(schema, value, where)
        if kind == "array":
            items = _as_list(value, where)
            return [self._check(schema.get("items", {}), v, f"{where}[{i}]")
                    for i, v in enumerate(items)]
        if isinstance(value, (dict, list)):
            raise ApiError(400, f"Invalid {kind or 'value'} for {where}: got a hash or array",
                           param=where)
        typed: Any = value
        if kind == "integer":
            if not re.fullmatch(r"-?\d+", value):
                raise ApiError(400, f"Invalid integer: {value}", param=where)
            typed = int(value)
        elif kind == "number":
            try:
                typed = float(value)
            except ValueError:
                raise ApiError(400, f"Invalid decimal: {value}", param=where) from None
        elif kind == "boolean":
            if value.lower() not in ("true", "false"):
                raise ApiError(400, f"Invalid boolean: {value}", param=where)
            typed = value.lower() == "true"
        elif kind == "string":
            limit = schema.get("maxLength")
            if limit is not None and len(value) > limit:
                raise ApiError(400, f"{where} is too long (max {limit} characters)", param=where)
        enum = schema.get("enum")
        if enum is not None and typed not in enum and not schema.get("x-stripeBypassValidation"):
            raise ApiError(400, f"Invalid {where}: must be one of "
                           + ", ".join(str(e) for e in enum), param=where)
        return typed

    def _check_object(self, schema: dict[str, Any], value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ApiError(400, f"Invalid object: {where or 'body'}", param=where or None)
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", not props)
        out: dict[str, Any] = {}
        for key, sub in value.items():
            name = f"{where}[{key}]" if where else key
            if key in props:
                out[key] = self._check(props[key], sub, name)
            elif isinstance(extra, dict):
                out[key] = self._check(extra, sub, name)
            elif extra is True:
                out[key] = sub
            else:
                raise ApiError(400, f"Received unknown parameter: {name}", param=name)
        for key in schema.get("required", []):
            if key not in value:
                name = f"{where}[{key}]" if where else key
                raise ApiError(400, f"Missing required param: {name}.", param=name)
        return out


def _decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][0]=x`` → ``{"a": {"b": {"0": "x"}}}``; ``a[]=x`` appends to a list."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        m = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        if not m:
            raise ApiError(400, f"Invalid parameter name: {key}", param=key)
        parts = [m.group(1), *re.findall(r"\[([^\[\]]*)\]", m.group(2))]
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":
                if not isinstance(node, list):
                    raise ApiError(400, f"Invalid array parameter: {key}", param=key)
                if last:
                    node.append(value)
                else:
                    node.append({})
                    node = node[-1]
                continue
            if not isinstance(node, dict):
                raise ApiError(400, f"Invalid parameter: {key}", param=key)
            if last:
                if part in node:
                    raise ApiError(400, f"Duplicate parameter: {key}", param=key)
                node[part] = value
            else:
                nxt = parts[i + 1]
                default: Any = [] if nxt == "" else {}
                node = node.setdefault(part, default)
    return root


def _as_list(value: Any, where: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(k.isdigit() for k in value):
        indexes = sorted(int(k) for k in value)
        if indexes != list(range(len(indexes))):
            raise ApiError(400, f"Invalid array: {where} has gaps", param=where)
        return [value[str(i)] for i in indexes]
    raise ApiError(400, f"Invalid array: {where}", param=where)


# --------------------------------------------------------------------------- state

@dataclass
class ReaderControl:
    """How the simulated reader behaves when it is asked to collect a card.

    ``present_after_polls``: ``None`` never presents a card by itself (a test
    presents one, or the action waits for ever); ``0`` presents right after
    ``process_payment_intent``; ``n`` before answering the n-th poll.
    ``card`` is the test card number presented; ``decline`` forces a decline code.
    """

    present_after_polls: int | None = 1
    card: str = "4242424242424242"
    decline: str | None = None
    polls: int = 0


@dataclass
class _Drop:
    method: str
    pattern: re.Pattern[str]
    times: int


@dataclass
class _Stored:
    method: str
    path: str
    fingerprint: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class StripeFake:
    """The fake backend: state, HTTP server and controls. Use as a context manager."""

    def __init__(self, api_key: str = DEFAULT_KEY, host: str = "127.0.0.1", port: int = 0,
                 spec_path: Path = SPEC_PATH, reader_id: str | None = None) -> None:
        self.api_key = api_key
        self.validator = SpecValidator.load(spec_path)
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.readers: dict[str, dict[str, Any]] = {}
        self.controls: dict[str, ReaderControl] = {}
        self.captures: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()  # "POST /v1/payment_intents" → count
        self.log: list[tuple[str, str, int]] = []  # (method, path, status)
        self.violations: list[str] = []
        self.replays = 0
        self.dropped = 0
        self._idempotency: dict[str, _Stored] = {}
        self._drops: list[_Drop] = []
        self.reader_id = self.add_reader(reader_id)
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---
    def start(self) -> StripeFake:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer((self._host, self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="stripe-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StripeFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- controls ---
    def add_reader(self, reader_id: str | None = None, label: str = "Simulated reader") -> str:
        rid = reader_id or _new_id("tmr")
        with self.lock:
            self.readers[rid] = {
                "id": rid, "object": "terminal.reader", "action": None,
                "device_sw_version": "", "device_type": "simulated_wisepos_e",
                "ip_address": "0.0.0.0", "label": label, "last_seen_at": _now_ms(),
                "livemode": False, "location": None, "metadata": {},
                "serial_number": secrets.token_hex(8), "status": "online",
            }
            self.controls[rid] = ReaderControl()
        return rid

    def set_reader(self, reader_id: str | None = None, *, online: bool | None = None,
                   present_after_polls: int | str | None = "keep", card: str | None = None,
                   decline: str | bool | None = False) -> None:
        """Change how a reader behaves; ``"keep"``/``False`` leave a field as it is."""
        rid = reader_id or self.reader_id
        with self.changed:
            control = self.controls[rid]
            if online is not None:
                self.readers[rid]["status"] = "online" if online else "offline"
            if present_after_polls != "keep":
                control.present_after_polls = present_after_polls  # type: ignore[assignment]
            if card is not None:
                control.card = card
            if decline is not False:
                control.decline = decline  # type: ignore[assignment]
            self.changed.notify_all()

    def present(self, reader_id: str | None = None, card: str | None = None) -> dict[str, Any]:
        """Tap a card on the reader now (what the test helper endpoint does)."""
        with self.changed:
            return self._present(reader_id or self.reader_id, card)

    def drop_after_commit(self, method: str, path_regex: str, times: int = 1) -> None:
        """Process matching requests fully, then close the connection without an answer:
        the backend committed, the client saw a network failure."""
        with self.lock:
            self._drops.append(_Drop(method.upper(), re.compile(path_regex), times))

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` (evaluated under the state lock) holds."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def count(self, method: str, path_regex: str) -> int:
        with self.lock:
            pattern = re.compile(path_regex)
            return sum(n for k, n in self.requests.items()
                       if k.startswith(method.upper() + " ") and pattern.search(k.split(" ", 1)[1]))

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"reader": self.reader_id, "requests": dict(self.requests),
                    "captures": dict(self.captures), "violations": list(self.violations),
                    "replays": self.replays, "dropped": self.dropped,
                    "payment_intents": copy.deepcopy(self.payment_intents),
                    "refunds": copy.deepcopy(self.refunds),
                    "readers": copy.deepcopy(self.readers)}

    # --- request handling (called by the HTTP handler) ---
    def handle(self, method: str, target: str, headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes, bool]:
        """(status, headers, body, drop_connection) for one request."""
        split = urlsplit(target)
        path = split.path
        if path.startswith("/_fake/"):
            return self._control(method, path, body)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        if method == "POST":
            pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        with self.changed:
            try:
                status, out, extra, drop = self._api(method, path, headers, pairs)
            finally:
                self.changed.notify_all()
        return status, extra, out, drop

    def _api(self, method: str, path: str, headers: dict[str, str],
             pairs: list[tuple[str, str]]) -> tuple[int, bytes, dict[str, str], bool]:
        self.requests[f"{method} {path}"] += 1
        try:
            self._authenticate(headers)
            template, path_params, op = self.validator.match(method, path)
        except ApiError as exc:
            if exc.status == 404:
                self.violations.append(f"{method} {path}: not in the spec")
            return self._record(method, path, exc.status, _error_body(exc), {}, False, exc)
        route = f"{method} {template}"
        try:
            params = self.validator.validate(op, method, pairs)
        except ApiError as exc:
            self.violations.append(f"{method} {path}: {exc}")
            return self._record(method, path, exc.status, _error_body(exc), {}, False, exc)
        drop = self._take_drop(method, path)
        key = headers.get("idempotency-key") if method == "POST" else None
        fingerprint = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
        if key:
            stored = self._idempotency.get(key)
            if stored is not None:
                if (stored.method, stored.path, stored.fingerprint) != (method, path, fingerprint):
                    clash = ApiError(400, "Keys for idempotent requests can only be used with "
                                     "the same parameters they were first used with. Try using "
                                     "a key other than '" + key + "' if you meant to execute a "
                                     "different request.", type="idempotency_error")
                    return self._record(method, path, 400, _error_body(clash), {}, drop, clash)
                self.replays += 1
                extra = dict(stored.headers, **{"Idempotent-Replayed": "true",
                                                "Original-Request": stored.headers["Request-Id"]})
                return self._record(method, path, stored.status, stored.body, extra, drop, None)
        request_id = _new_id("req")
        extra = {"Request-Id": request_id}
        try:
            result = self._dispatch(route, path_params, params)
            status, out = 200, json.dumps(result).encode()
            error: ApiError | None = None
        except ApiError as exc:
            status, out, error = exc.status, _error_body(exc), exc
            if exc.retry is not None:
                extra["Stripe-Should-Retry"] = "true" if exc.retry else "false"
        if key:
            extra["Idempotency-Key"] = key
            if status != 409:  # a conflict is not a result: Stripe saves none
                self._idempotency[key] = _Stored(method, path, fingerprint, status, out,
                                                 dict(extra))
        return self._record(method, path, status, out, extra, drop, error)

    def _record(self, method: str, path: str, status: int, out: bytes, extra: dict[str, str],
                drop: bool, error: ApiError | None) -> tuple[int, bytes, dict[str, str], bool]:
        self.log.append((method, path, status))
        if drop:
            self.dropped += 1
        return status, out, extra, drop

    def _authenticate(self, headers: dict[str, str]) -> None:
        auth = headers.get("authorization", "")
        key = ""
        if auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        elif auth.lower().startswith("basic "):
            try:
                key = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
            except ValueError:
                key = ""
        if not key:
            raise ApiError(401, "You did not provide an API key. You need to provide your API "
                           "key in the Authorization header, using Bearer auth.")
        if key != self.api_key:
            shown = key[:8] + "*" * 4 + key[-4:] if len(key) > 12 else "***"
            raise ApiError(401, f"Invalid API Key provided: {shown}")

    def _take_drop(self, method: str, path: str) -> bool:
        for drop in self._drops:
            if drop.method == method and drop.pattern.search(path) and drop.times > 0:
                drop.times -= 1
                return True
        return False

    # --- the API ---
    def _dispatch(self, route: str, p: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
        handlers: dict[str, Callable[..., dict[str, Any]]] = {
            "POST /v1/payment_intents": self._pi_create,
            "GET /v1/payment_intents/{intent}": self._pi_get,
            "POST /v1/payment_intents/{intent}/capture": self._pi_capture,
            "POST /v1/payment_intents/{intent}/cancel": self._pi_cancel,
            "POST /v1/refunds": self._refund_create,
            "GET /v1/refunds/{refund}": self._refund_get,
            "POST /v1/terminal/readers": self._reader_create,
            "GET /v1/terminal/readers": self._reader_list,
            "GET /v1/terminal/readers/{reader}": self._reader_get,
            "POST /v1/terminal/readers/{reader}/process_payment_intent": self._reader_process,
            "POST /v1/terminal/readers/{reader}/cancel_action": self._reader_cancel,
            "POST /v1/test_helpers/terminal/readers/{reader}/present_payment_method":
                self._reader_present,
            "POST /v1/terminal/connection_tokens": self._connection_token,
        }
        return handlers[route](*p.values(), params)

    def _pi(self, pi_id: str) -> dict[str, Any]:
        pi = self.payment_intents.get(pi_id)
        if pi is None:
            raise ApiError(404, f"No such payment_intent: '{pi_id}'", code="resource_missing",
                           param="intent")
        return pi

    def _reader(self, rid: str) -> dict[str, Any]:
        reader = self.readers.get(rid)
        if reader is None:
            raise ApiError(404, f"No such terminal.reader: '{rid}'", code="resource_missing",
                           param="reader")
        return reader

    def _pi_create(self, params: dict[str, Any]) -> dict[str, Any]:
        amount = params["amount"]
        if amount < 1:
            raise ApiError(400, "Amount must be at least 1", code="amount_too_small",
                           param="amount")
        pi_id = _new_id("pi")
        pi = {
            "id": pi_id, "object": "payment_intent", "amount": amount,
            "amount_capturable": 0, "amount_received": 0, "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": params.get("capture_method", "automatic"),
            "client_secret": f"{pi_id}_secret_{secrets.token_hex(8)}",
            "confirmation_method": "automatic", "created": int(time.time()),
            "currency": params["currency"].lower(), "description": params.get("description"),
            "last_payment_error": None, "latest_charge": None, "livemode": False,
            "metadata": params.get("metadata", {}), "payment_method": None,
            "payment_method_types": params.get("payment_method_types", ["card"]),
            "status": "requires_payment_method",
        }
        self.payment_intents[pi_id] = pi
        return copy.deepcopy(pi)

    def _pi_get(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(self._pi(pi_id))

    def _pi_capture(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        pi = self._pi(pi_id)
        if pi["status"] != "requires_capture":
            raise ApiError(400, "This PaymentIntent could not be captured because it has a "
                           f"status of {pi['status']}. Only a PaymentIntent with one of the "
                           "following statuses may be captured: requires_capture.",
                           code="payment_intent_unexpected_state",
                           extra={"payment_intent": copy.deepcopy(pi)})
        amount = params.get("amount_to_capture", pi["amount_capturable"])
        if amount > pi["amount_capturable"] or amount < 1:
            raise ApiError(400, f"The amount to capture ({amount}) must be at most the "
                           f"amount capturable ({pi['amount_capturable']}).",
                           code="amount_too_large", param="amount_to_capture")
        pi.update(status="succeeded", amount_received=amount, amount_capturable=0)
        if "metadata" in params and isinstance(params["metadata"], dict):
            pi["metadata"].update(params["metadata"])
        self.captures[pi_id] += 1
        return copy.deepcopy(pi)

    def _pi_cancel(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        pi = self._pi(pi_id)
        if pi["status"] in ("succeeded", "canceled"):
            raise ApiError(400, "You cannot cancel this PaymentIntent because it has a status "
                           f"of {pi['status']}. Only a PaymentIntent with one of the following "
                           "statuses may be canceled: requires_payment_method, requires_capture, "
                           "requires_confirmation, requires_action, processing.",
                           code="payment_intent_unexpected_state",
                           extra={"payment_intent": copy.deepcopy(pi)})
        pi.update(status="canceled", canceled_at=int(time.time()), amount_capturable=0,
                  cancellation_reason=params.get("cancellation_reason"))
        return copy.deepcopy(pi)

    def _refund_create(self, params: dict[str, Any]) -> dict[str, Any]:
        pi_id = params.get("payment_intent")
        if pi_id is None and params.get("charge"):
            pi_id = next((p["id"] for p in self.payment_intents.values()
                          if p["latest_charge"] == params["charge"]), None)
            if pi_id is None:
                raise ApiError(404, f"No such charge: '{params['charge']}'",
                               code="resource_missing", param="charge")
        if pi_id is None:
            raise ApiError(400, "One of `charge` or `payment_intent` is required.")
        pi = self._pi(pi_id)
        if pi["status"] != "succeeded":
            raise ApiError(400, f"This PaymentIntent ({pi_id}) does not have a successful "
                           "charge to refund.", code="charge_not_refundable",
                           param="payment_intent")
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["payment_intent"] == pi_id and r["status"] == "succeeded")
        left = pi["amount_received"] - refunded
        amount = params.get("amount", left)
        if amount < 1 or amount > left:
            raise ApiError(400, f"Refund amount ({amount}) is greater than unrefunded amount "
                           f"on charge ({left})", code="amount_too_large", param="amount")
        refund_id = _new_id("re")
        refund = {"id": refund_id, "object": "refund", "amount": amount,
                  "charge": pi["latest_charge"], "created": int(time.time()),
                  "currency": pi["currency"], "metadata": params.get("metadata") or {},
                  "payment_intent": pi_id, "reason": params.get("reason"),
                  "status": "succeeded"}
        self.refunds[refund_id] = refund
        return copy.deepcopy(refund)

    def _refund_get(self, refund_id: str, params: dict[str, Any]) -> dict[str, Any]:
        refund = self.refunds.get(refund_id)
        if refund is None:
            raise ApiError(404, f"No such refund: '{refund_id}'", code="resource_missing",
                           param="refund")
        return copy.deepcopy(refund)

    def _reader_create(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["registration_code"] != "simulated-wpe":
            raise ApiError(400, "The registration code is invalid or expired.",
                           code="resource_missing", param="registration_code")
        rid = self.add_reader(label=params.get("label", "simulated-wpe"))
        return copy.deepcopy(self.readers[rid])

    def _reader_list(self, params: dict[str, Any]) -> dict[str, Any]:
        data = [r for r in self.readers.values()
                if ("status" not in params or r["status"] == params["status"])
                and ("device_type" not in params or r["device_type"] == params["device_type"])]
        limit = params.get("limit", 10)
        return {"object": "list", "url": "/v1/terminal/readers", "has_more": len(data) > limit,
                "data": copy.deepcopy(data[:limit])}

    def _reader_get(self, rid: str, params: dict[str, Any]) -> dict[str, Any]:
        reader = self._reader(rid)
        action, control = reader["action"], self.controls[rid]
        if action and action["status"] == "in_progress" and reader["status"] == "online":
            control.polls += 1
            after = control.present_after_polls
            if after is not None and control.polls >= after:
                self._present(rid, None)
        return copy.deepcopy(reader)

    def _reader_process(self, rid: str, params: dict[str, Any]) -> dict[str, Any]:
        reader = self._reader(rid)
        pi = self._pi(params["payment_intent"])
        if reader["status"] != "online":
            raise ApiError(400, "Reader is currently offline, please ensure the reader is "
                           "powered on and connected to the internet before retrying your "
                           "request.", code="terminal_reader_offline")
        if reader["action"] and reader["action"]["status"] == "in_progress":
            raise ApiError(409, "Reader is currently busy processing another request, please "
                           "retry after the current action is completed.",
                           code="terminal_reader_busy", retry=False)
        if "card_present" not in pi["payment_method_types"]:
            raise ApiError(400, "The PaymentIntent does not accept card_present payments.",
                           code="payment_intent_invalid_parameter", param="payment_intent")
        if pi["status"] != "requires_payment_method":
            raise ApiError(400, f"This PaymentIntent has a status of {pi['status']}; only a "
                           "PaymentIntent in requires_payment_method can be processed.",
                           code="payment_intent_unexpected_state", param="payment_intent")
        action: dict[str, Any] = {
            "type": "process_payment_intent", "status": "in_progress",
            "failure_code": None, "failure_message": None,
            "process_payment_intent": {"payment_intent": pi["id"]},
        }
        if "process_config" in params:
            action["process_payment_intent"]["process_config"] = params["process_config"]
        reader["action"] = action
        self.controls[rid].polls = 0
        answer = copy.deepcopy(reader)
        if self.controls[rid].present_after_polls == 0:
            self._present(rid, None)
        return answer

    def _reader_cancel(self, rid: str, params: dict[str, Any]) -> dict[str, Any]:
        reader = self._reader(rid)
        if reader["status"] != "online":
            raise ApiError(400, "Reader is currently offline, please ensure the reader is "
                           "powered on and connected to the internet before retrying your "
                           "request.", code="terminal_reader_offline")
        action = reader["action"]
        if not action or action["status"] != "in_progress":
            raise ApiError(400, "This reader has no action in progress to cancel.",
                           code="terminal_reader_invalid_state")
        reader["action"] = None
        return copy.deepcopy(reader)

    def _reader_present(self, rid: str, params: dict[str, Any]) -> dict[str, Any]:
        self._reader(rid)
        card = (params.get("card_present") or {}).get("number")
        return self._present(rid, card)

    def _present(self, rid: str, card: str | None) -> dict[str, Any]:
        reader = self._reader(rid)
        action = reader["action"]
        if not action or action["status"] != "in_progress":
            raise ApiError(400, "The reader has no action waiting for a payment method.",
                           code="terminal_reader_invalid_state")
        control = self.controls[rid]
        pi = self.payment_intents[action["process_payment_intent"]["payment_intent"]]
        card = card or control.card
        decline = DECLINE_CARDS.get(card) or DECLINE_AMOUNTS.get(pi["amount"] % 100)
        if control.decline:
            decline = ("card_declined", control.decline, f"The card was declined "
                       f"({control.decline}).")
        if pi["status"] != "requires_payment_method":
            action.update(status="failed", failure_code="payment_intent_unexpected_state",
                          failure_message=f"The PaymentIntent has a status of {pi['status']}.")
        elif decline:
            code, decline_code, message = decline
            action.update(status="failed", failure_code=code, failure_message=message)
            pi["last_payment_error"] = {"type": "card_error", "code": code,
                                        "decline_code": decline_code, "message": message}
        else:
            charge = _new_id("ch")
            manual = pi["capture_method"] == "manual"
            pi.update(status="requires_capture" if manual else "succeeded",
                      amount_capturable=pi["amount"] if manual else 0,
                      amount_received=0 if manual else pi["amount"],
                      latest_charge=charge, payment_method=_new_id("pm"), last_payment_error=None)
            action.update(status="succeeded")
        self.changed.notify_all()
        return copy.deepcopy(reader)

    def _connection_token(self, params: dict[str, Any]) -> dict[str, Any]:
        token = {"object": "terminal.connection_token",
                 "secret": "pst_test_" + secrets.token_hex(16)}
        if "location" in params:
            token["location"] = params["location"]
        return token

    # --- HTTP controls for demos: /_fake/state, /_fake/reader, /_fake/present, /_fake/drop ---
    def _control(self, method: str, path: str,
                 body: bytes) -> tuple[int, dict[str, str], bytes, bool]:
        try:
            args = json.loads(body or b"{}") if method == "POST" else {}
            if path == "/_fake/state" and method == "GET":
                result: Any = self.state()
            elif path == "/_fake/reader" and method == "POST":
                self.set_reader(args.pop("reader", None), **args)
                result = self.state()["readers"]
            elif path == "/_fake/present" and method == "POST":
                result = self.present(args.get("reader"), args.get("card"))
            elif path == "/_fake/drop" and method == "POST":
                self.drop_after_commit(args["method"], args["path"], int(args.get("times", 1)))
                result = {"ok": True}
            else:
                raise ApiError(404, f"unknown control {method} {path}")
            return 200, {}, json.dumps(result).encode(), False
        except ApiError as exc:
            return exc.status, {}, _error_body(exc), False
        except (TypeError, ValueError, KeyError) as exc:
            return 400, {}, _error_body(ApiError(400, f"bad control request: {exc}")), False


def _error_body(exc: ApiError) -> bytes:
    return json.dumps({"error": exc.body}).encode()


def _now_ms() -> int:
    return int(time.time() * 1000)


class _Handler(BaseHTTPRequestHandler):
    fake: StripeFake
    protocol_version = "HTTP/1.1"
    server_version = "stripe-fake"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every answer.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, out, drop = self.fake.handle(self.command, self.path, headers, body)
        if drop:
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --------------------------------------------------------------------------- CLI

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=12111, help="port (0 = any free port)")
    parser.add_argument("--api-key", default=DEFAULT_KEY, help="the secret key clients must send")
    parser.add_argument("--reader", default=None, help="reader id (default: a new tmr_…)")
    parser.add_argument("--present-after", type=int, default=3,
                        help="polls before the simulated card is tapped (-1 = never)")


def run(args: argparse.Namespace) -> int:
    """Run the fake until SIGINT/SIGTERM (the ``pos emulate terminal`` command)."""
    fake = StripeFake(api_key=args.api_key, host=args.host, port=args.port,
                      reader_id=args.reader)
    after = args.present_after
    fake.set_reader(present_after_polls=None if after is not None and after < 0 else after)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    fake.start()
    # Printed only once the signal handlers are in place: a caller may stop us right away.
    print(f"stripe fake listening on {fake.url} (reader {fake.reader_id})", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        fake.stop()
    return 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(_parser)
    raise SystemExit(run(_parser.parse_args()))
