"""One shared, status-checked connection per physical ESC/POS printer.

The receipt printer and the cash drawer on its kick connector are two devices
for the till but one cable: both use the same :class:`PrinterLink` (a second TCP
session to port 9100 would wait behind the first, a serial port or USB interface
cannot be opened twice). The link lock serialises their I/O.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import CoverOpen, DeviceError, DeviceOffline, DeviceTimeout, NoHardware, PaperOut
from ..kinds import PrinterStatus
from ..url import DeviceUrl
from .status import DLE_EOT, StatusSorter, status_from_asb, status_from_realtime
from .transport import LinkLost, Transport, open_transport

log = logging.getLogger(__name__)
GS_A_ALL = b"\x1da\x0f"  # ASB for drawer, online, error and paper sensors


@dataclass(frozen=True, slots=True)
class LinkConfig:
    status_timeout: float = 2.0
    write_timeout: float = 30.0
    asb: bool = False
    usb_backend: Any = None


StatusListener = Callable[[PrinterStatus, str], None]


class PrinterLink:
    def __init__(self, key: str, url: DeviceUrl, config: LinkConfig) -> None:
        self.key = key
        self.url = url
        self.config = config
        self.lock = threading.RLock()
        self.users = 0
        self.transport: Transport | None = None
        self.sorter = StatusSorter()
        self.last: PrinterStatus | None = None
        self._listeners: list[StatusListener] = []

    # --- listeners (the printer and drawer devices) ---
    def add_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: StatusListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _publish(self, status: PrinterStatus, detail: str = "") -> None:
        self.last = status
        for listener in list(self._listeners):
            try:
                listener(status, detail)
            except Exception:
                log.exception("status listener failed for %s", self.url.raw)

    # --- connection ---
    @property
    def can_read(self) -> bool:
        return self.transport is not None and self.transport.can_read

    def connect(self) -> Transport:
        if self.transport is None:
            self.sorter.clear()
            self.transport = open_transport(self.url, self.config.status_timeout,
                                            self.config.usb_backend)
            if self.config.asb and self.transport.can_read:
                self.transport.write(GS_A_ALL, self.config.write_timeout)
        return self.transport

    def drop(self) -> None:
        """Forget the connection; the next call reconnects."""
        transport, self.transport = self.transport, None
        if transport is not None:
            transport.close()

    def _fail(self, exc: DeviceError) -> DeviceError:
        """Any I/O failure leaves the stream in an unknown state: start afresh next time."""
        self.drop()
        if isinstance(exc, (NoHardware, DeviceTimeout)):
            self._publish(PrinterStatus(online=False), str(exc))
        return exc

    # --- status ---
    def _drain(self, transport: Transport) -> None:
        """Take what is already waiting (ASB frames, late replies) before asking."""
        while True:
            data = transport.read(0.0)
            if not data:
                break
            self.sorter.feed(data)
        self.sorter.rt_replies.clear()
        self._take_asb()

    def _take_asb(self) -> None:
        while self.sorter.asb_frames:
            frame = self.sorter.asb_frames.popleft()
            self._publish(status_from_asb(frame), "automatic status back")

    def _ask(self, transport: Transport, n: int) -> int:
        transport.write(DLE_EOT + bytes((n,)), self.config.write_timeout)
        deadline = time.monotonic() + self.config.status_timeout
        while not self.sorter.rt_replies:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"{self.url.raw}: no status reply within "
                                    f"{self.config.status_timeout:g} s")
            self.sorter.feed(transport.read(remaining))
            self._take_asb()
        return self.sorter.rt_replies.popleft()

    def _status_once(self) -> PrinterStatus | None:
        transport = self.connect()
        if not transport.can_read:
            return None
        self._drain(transport)
        replies = {n: self._ask(transport, n) for n in (1, 2, 3, 4)}
        status = status_from_realtime(replies)
        self._publish(status)
        return status

    def status(self, reconnect: bool = True) -> PrinterStatus | None:
        """DLE EOT 1-4 now; None when the transport cannot answer (file://, USB without IN).

        A connection that died while idle (a network printer closing an idle session,
        a printer switched off and on) is reopened once before giving up.
        """
        with self.lock:
            fresh = self.transport is None
            try:
                return self._status_once()
            except LinkLost as exc:
                self.drop()
                if fresh or not reconnect:
                    raise self._fail(exc) from None
                log.info("%s: connection was lost (%s); reconnecting", self.url.raw, exc)
            except DeviceError as exc:
                raise self._fail(exc) from None
            try:
                return self._status_once()
            except DeviceError as exc:
                raise self._fail(exc) from None

    # --- output ---
    def send(self, data: bytes, *, check_before: bool = True,
             check_after: bool = True) -> PrinterStatus | None:
        """Send one job: refuse it if the printer cannot print now, and report if it
        stopped during the job (the job may be incomplete: the caller prints it again)."""
        with self.lock:
            if check_before:
                before = self.status()
                if before is not None:
                    raise_for(before, when="")
            try:
                self.connect().write(data, self.config.write_timeout)
            except DeviceError as exc:
                raise self._fail(exc) from None
            if not check_after:
                return None
            try:
                after = self._status_once()
            except LinkLost as exc:
                raise self._fail(LinkLost(f"{exc}; the job may be incomplete")) from None
            except DeviceError as exc:
                raise self._fail(exc) from None
            if after is not None:
                raise_for(after, when=" during the job; it may be incomplete")
            return after


def raise_for(status: PrinterStatus, when: str) -> None:
    """Turn a status that stops printing into the matching error."""
    if status.paper_out:
        raise PaperOut(f"the printer is out of paper{when}")
    if status.cover_open:
        raise CoverOpen(f"the printer cover is open{when}")
    if status.online is False:
        raise DeviceOffline(f"the printer is offline{when}")
    if status.error:
        raise DeviceOffline(f"the printer reports an error (cutter jam, head too hot…){when}")


_links: dict[str, PrinterLink] = {}
_links_lock = threading.Lock()


def acquire(key: str, url: DeviceUrl, config: LinkConfig) -> PrinterLink:
    """The shared link for this printer (created by its first user)."""
    with _links_lock:
        link = _links.get(key)
        if link is None:
            link = _links[key] = PrinterLink(key, url, config)
        link.users += 1
        return link


def release(link: PrinterLink) -> None:
    with _links_lock:
        link.users -= 1
        if link.users > 0:
            return
        if _links.get(link.key) is link:
            del _links[link.key]
    # Closing waits for a job in progress on the other device of the same printer.
    acquired = link.lock.acquire(timeout=link.config.write_timeout)
    try:
        link.drop()
    finally:
        if acquired:
            link.lock.release()
