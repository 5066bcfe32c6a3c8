"""A loopback HTTP server around a fake's ``handle`` method, with lost answers on demand."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # the server did the work, the client never hears of it


class Drops:
    """Answers to lose after the work was committed (``drop(method, regex, times)``)."""

    def __init__(self) -> None:
        self._rules: list[list[Any]] = []
        self.dropped = 0
        self._lock = threading.Lock()

    def add(self, method: str, pattern: str, times: int = 1) -> None:
        with self._lock:
            self._rules.append([method, re.compile(pattern), times])

    def take(self, method: str, path: str) -> bool:
        with self._lock:
            for rule in self._rules:
                if rule[0] == method and rule[1].search(path) and rule[2] > 0:
                    rule[2] -= 1
                    self.dropped += 1
                    return True
        return False


class FakeServer:
    def __init__(self, handle: Callable[[Request], Response], name: str) -> None:
        self._handle = handle

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                parts = urlsplit(self.path)
                req = Request(self.command, parts.path, parse_qs(parts.query,
                                                                 keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()}, body)
                try:
                    resp = handle(req)
                except Exception as exc:  # a fake's bug: say so, do not hang the client
                    import traceback

                    traceback.print_exc()
                    resp = Response(500, f"fake failed: {exc!r}".encode())
                if resp.drop:
                    self.close_connection = True
                    return
                self.send_response(resp.status)
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.body)))
                self.end_headers()
                self.wfile.write(resp.body)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=name, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
