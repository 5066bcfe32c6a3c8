"""Driver discovery through the ``pos_app.drivers`` entry-point group.

A third party ships a package whose entry point names a ``Driver`` subclass (or
instance); nothing in the core changes. A driver whose import fails or whose
library is missing disables only itself: ``load_drivers`` reports why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from .device import Device
from .errors import DriverNotUsable, IllegalState, NoHardware
from .kinds import DeviceKind
from .url import DeviceUrl, parse_device_url

log = logging.getLogger(__name__)
GROUP = "pos_app.drivers"


@dataclass(frozen=True, slots=True)
class Setting:
    """One driver setting, rendered as a form field by the back office."""

    key: str
    label: str
    type: str = "str"  # str | int | bool | choice | secret (kept in the OS keyring)
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""

    def coerce(self, value: Any) -> Any:
        if value is None:
            return self.default
        try:
            if self.type == "int":
                return int(value, 0) if isinstance(value, str) else int(value)
            if self.type == "bool":
                if isinstance(value, str):
                    if value.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                        raise ValueError(value)
                    return value.lower() in ("1", "true", "yes", "on")
                return bool(value)
        except ValueError:
            raise IllegalState(f"setting {self.key}: {value!r} is not a valid {self.type}") \
                from None
        if self.type == "choice" and str(value) not in self.choices:
            raise IllegalState(f"setting {self.key}: {value!r} is not one of "
                               + ", ".join(self.choices))
        return value


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something found by detection: a serial port or a USB device."""

    url: str
    description: str
    vendor_id: int | None = None
    product_id: int | None = None
    usb_class: int | None = None
    manufacturer: str = ""
    product: str = ""


@dataclass(frozen=True, slots=True)
class Guess:
    driver: str
    kind: DeviceKind
    confidence: float  # 0..1
    reason: str


class Driver:
    """Describes one driver; ``create`` makes its device objects."""

    name: str = ""
    kinds: frozenset[DeviceKind] = frozenset()
    transports: frozenset[str] = frozenset()  # URL schemes
    settings_schema: tuple[Setting, ...] = ()
    description: str = ""

    def is_usable(self) -> tuple[bool, str]:
        """(False, why) when an optional library or backend is missing."""
        return True, ""

    def probe(self, candidate: Candidate) -> Guess | None:
        """A guess at what ``candidate`` is, from ids and names only (no I/O)."""
        return None

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        raise NotImplementedError

    def secret_keys(self) -> list[str]:
        return [s.key for s in self.settings_schema if s.type == "secret"]

    def settings_for(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults plus ``given``, each value checked against the schema."""
        known = {s.key: s for s in self.settings_schema}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise IllegalState(f"driver {self.name}: unknown setting(s) {', '.join(unknown)}; "
                               f"known: {', '.join(known) or 'none'}")
        return {key: spec.coerce(given.get(key)) for key, spec in known.items()}


@dataclass
class DriverEntry:
    name: str
    driver: Driver | None
    error: str = ""
    usable: bool = False
    reason: str = ""
    kinds: list[str] = field(default_factory=list)
    transports: list[str] = field(default_factory=list)


def load_drivers(extra: Iterable[Driver] = ()) -> list[DriverEntry]:
    entries: list[DriverEntry] = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
            driver: Driver = obj() if isinstance(obj, type) else obj
        except Exception as exc:  # a broken plug-in must not stop the till
            log.warning("driver %s failed to load: %s", ep.name, exc, exc_info=True)
            entries.append(DriverEntry(ep.name, None, error=f"{type(exc).__name__}: {exc}"))
            continue
        entries.append(_entry(driver))
    entries.extend(_entry(d) for d in extra)
    return entries


def _entry(driver: Driver) -> DriverEntry:
    try:
        usable, reason = driver.is_usable()
    except Exception as exc:
        usable, reason = False, f"{type(exc).__name__}: {exc}"
    return DriverEntry(driver.name, driver, usable=usable, reason=reason,
                       kinds=sorted(k.value for k in driver.kinds),
                       transports=sorted(driver.transports))


def find_driver(kind: DeviceKind, url: DeviceUrl, name: str | None = None,
                entries: list[DriverEntry] | None = None) -> Driver:
    """The driver named ``name``, or the first usable one for this kind and URL scheme."""
    entries = load_drivers() if entries is None else entries
    fitting = [e for e in entries if e.driver is not None and kind in e.driver.kinds
               and url.scheme in e.driver.transports and (name is None or e.name == name)]
    usable = [e for e in fitting if e.usable]
    if usable:
        assert usable[0].driver is not None
        return usable[0].driver
    if fitting:
        raise DriverNotUsable(f"driver {fitting[0].name} cannot run here: {fitting[0].reason}")
    if name is not None and not any(e.name == name for e in entries):
        raise NoHardware(f"no driver called {name!r} is installed")
    raise NoHardware(f"no installed driver handles a {kind.value} at {url.scheme}://")


def create_device(kind: DeviceKind | str, url: str | DeviceUrl,
                  settings: Mapping[str, Any] | None = None, driver: str | None = None,
                  name: str | None = None) -> Device:
    """Build (not yet open) the device for a hardware-profile entry."""
    kind = DeviceKind(kind)
    parsed = parse_device_url(url) if isinstance(url, str) else url
    chosen = find_driver(kind, parsed, driver)
    return chosen.create(kind, parsed, chosen.settings_for(settings or {}), name)
