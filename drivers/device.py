"""The device lifecycle every driver shares, modelled on UnifiedPOS.

    open → claim (exclusive) → enable → … use … → disable → release → close

``open`` binds the object to its address (no I/O yet); ``claim`` takes the
hardware for this process (so two tills on one PC cannot both print on the same
printer); ``enable`` starts it working (a scanner reports scans, a printer is
checked). Every step and every use runs on the device's own worker and returns
a ``Future``. ``activate()`` does the first three in one go.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from .errors import DeviceClaimed, IllegalState
from .kinds import DeviceKind
from .status import Status, StatusEvent
from .url import DeviceUrl
from .worker import DeviceWorker

log = logging.getLogger(__name__)
T = TypeVar("T")


class Phase(StrEnum):
    CLOSED = "closed"
    OPENED = "opened"
    CLAIMED = "claimed"
    ENABLED = "enabled"


_ORDER = [Phase.CLOSED, Phase.OPENED, Phase.CLAIMED, Phase.ENABLED]

_claims: dict[str, Device] = {}
_claims_lock = threading.Lock()


class Device:
    """Base class for one physical (or emulated) device at one address.

    Subclasses implement the ``_*_io`` hooks; they run on the worker thread.
    Status and data listeners are called from a device thread: the UI must
    marshal them onto its own thread.
    """

    kind: ClassVar[DeviceKind]

    def __init__(self, url: DeviceUrl, settings: Mapping[str, Any] | None = None,
                 name: str | None = None, timeout: float = 10.0) -> None:
        self.url = url
        self.settings: dict[str, Any] = dict(settings or {})
        self.name = name or f"{self.kind.value}@{url.raw}"
        self.timeout = timeout
        self.phase = Phase.CLOSED
        self.last_status: dict[str, Status] = {}
        self._worker = DeviceWorker(self.name, timeout)
        self._status_listeners: list[Callable[[StatusEvent], None]] = []

    # --- listeners ---
    def add_status_listener(self, listener: Callable[[StatusEvent], None]) -> None:
        self._status_listeners.append(listener)

    def emit_status(self, status: Status, detail: str = "", group: str | None = None) -> None:
        """Report a status; repeats of the same status in the same group are dropped."""
        key = group or status.value
        if self.last_status.get(key) is status:
            return
        self.last_status[key] = status
        event = StatusEvent(self.name, status, detail)
        log.info("device %s: %s %s", self.name, status.value, detail)
        for listener in list(self._status_listeners):
            try:
                listener(event)
            except Exception:
                log.exception("status listener failed for %s", self.name)

    # --- lifecycle ---
    def submit(self, fn: Callable[..., T], *args: Any, timeout: float | None = None,
               **kwargs: Any) -> Future[T]:
        return self._worker.submit(fn, *args, timeout=timeout, **kwargs)

    def _advance(self, need: Phase, then: Phase, hook: Callable[[], None]) -> None:
        if self.phase is not need:
            raise IllegalState(f"{self.name}: cannot go from {self.phase} to {then}",
                               device=self.name)
        hook()
        self.phase = then

    def _do_open(self) -> None:
        self._advance(Phase.CLOSED, Phase.OPENED, self._open_io)

    def _do_claim(self) -> None:
        def hook() -> None:
            key = self.claim_key()
            with _claims_lock:
                holder = _claims.get(key)
                if holder is not None and holder is not self:
                    raise DeviceClaimed(f"{self.url.raw} is already claimed by {holder.name}",
                                        device=self.name)
                _claims[key] = self
            try:
                self._claim_io()
            except BaseException:
                self._drop_claim()
                raise
        self._advance(Phase.OPENED, Phase.CLAIMED, hook)

    def _do_enable(self) -> None:
        self._advance(Phase.CLAIMED, Phase.ENABLED, self._enable_io)

    def _do_release(self) -> None:
        def hook() -> None:
            try:
                self._release_io()
            finally:
                self._drop_claim()
        self._advance(Phase.CLAIMED, Phase.OPENED, hook)

    def _drop_claim(self) -> None:
        with _claims_lock:
            if _claims.get(self.claim_key()) is self:
                del _claims[self.claim_key()]

    def open(self) -> Future[None]:
        return self.submit(self._do_open)

    def claim(self) -> Future[None]:
        return self.submit(self._do_claim)

    def enable(self) -> Future[None]:
        return self.submit(self._do_enable)

    def disable(self) -> Future[None]:
        return self.submit(self._advance, Phase.ENABLED, Phase.CLAIMED, self._disable_io)

    def release(self) -> Future[None]:
        return self.submit(self._do_release)

    def activate(self) -> Future[None]:
        """Open, claim and enable as far as needed; fails with the first step that fails."""
        def run() -> None:
            steps = [(Phase.OPENED, self._do_open), (Phase.CLAIMED, self._do_claim),
                     (Phase.ENABLED, self._do_enable)]
            for reached, step in steps:
                if _ORDER.index(self.phase) < _ORDER.index(reached):
                    step()
        return self.submit(run)

    def deactivate(self) -> Future[None]:
        """Disable, release and close as far as needed; never raises for a dead device."""
        def run() -> None:
            try:
                if self.phase is Phase.ENABLED:
                    self._disable_io()
                    self.phase = Phase.CLAIMED
                if self.phase is Phase.CLAIMED:
                    self._release_io()
            except Exception:
                log.warning("device %s: error while stopping", self.name, exc_info=True)
            finally:
                self._drop_claim()
                try:
                    if self.phase is not Phase.CLOSED:
                        self._close_io()
                finally:
                    self.phase = Phase.CLOSED
        return self.submit(run)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the device and its worker; waits at most ``timeout`` for a stuck device."""
        future = self.deactivate()
        self._worker.stop()
        try:
            future.result(timeout)
        except Exception:
            log.warning("device %s: did not close cleanly", self.name, exc_info=True)

    def require_enabled(self) -> None:
        if self.phase is not Phase.ENABLED:
            raise IllegalState(f"{self.name} is not enabled (it is {self.phase})",
                               device=self.name)

    def claim_key(self) -> str:
        """What two device objects must not hold at once: the address, without options.
        A simulated device exists only inside its object, so it never collides."""
        if self.url.scheme == "sim":
            return f"sim:{id(self)}"
        return self.url.raw.split("?", 1)[0]

    # --- hooks for subclasses (run on the worker thread) ---
    def _open_io(self) -> None:
        pass

    def _claim_io(self) -> None:
        pass

    def _enable_io(self) -> None:
        pass

    def _disable_io(self) -> None:
        pass

    def _release_io(self) -> None:
        pass

    def _close_io(self) -> None:
        pass

