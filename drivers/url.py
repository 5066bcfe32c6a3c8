"""Device addresses as URLs: ``tcp://host:9100``, ``serial:///dev/ttyUSB0?baudrate=9600``,
``usb://04b8:0202``, ``file:///dev/usb/lp0``, ``sim://``, ``stripe://tmr_READER``.

One string in the hardware profile says both how to reach a device and with
which transport options, so a profile can be copied between tills and typed on a
command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import IllegalState

SCHEMES = ("tcp", "serial", "usb", "file", "sim", "stripe")


@dataclass(frozen=True, slots=True)
class DeviceUrl:
    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    params: dict[str, str] = field(default_factory=dict)
    raw: str = ""

    def __str__(self) -> str:
        return self.raw

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.params.get(name, default)

    def int_param(self, name: str, default: int) -> int:
        value = self.params.get(name)
        if value is None:
            return default
        try:
            return int(value, 0)
        except ValueError:
            raise IllegalState(f"{self.raw}: {name}={value!r} is not a number") from None

    def float_param(self, name: str, default: float) -> float:
        value = self.params.get(name)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise IllegalState(f"{self.raw}: {name}={value!r} is not a number") from None

    @property
    def usb_ids(self) -> tuple[int, int]:
        """Vendor and product id of a ``usb://VVVV:PPPP`` address."""
        try:
            vendor, product = self.host.split(":") if ":" in self.host else (self.host, "")
            return int(vendor, 16), int(product, 16)
        except ValueError:
            raise IllegalState(f"{self.raw}: expected usb://VENDOR:PRODUCT in hex") from None


def parse_device_url(text: str) -> DeviceUrl:
    """Parse and check a device address; a clear error names what is wrong."""
    text = text.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise IllegalState(f"{text!r}: unknown device address; use one of "
                           + ", ".join(f"{s}://" for s in SCHEMES))
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if scheme == "usb":
        # urlsplit reads "04b8:0202" as host + port; keep it as one token.
        host = parts.netloc
        url = DeviceUrl(scheme, host, None, unquote(parts.path), params, text)
        url.usb_ids  # noqa: B018 - validates
        return url
    try:
        port = parts.port
    except ValueError:
        raise IllegalState(f"{text!r}: the port is not a number") from None
    host = parts.hostname or ""
    path = unquote(parts.path)
    if scheme == "tcp":
        if not host:
            raise IllegalState(f"{text!r}: a tcp:// address needs a host, e.g. tcp://10.0.0.5:9100")
        port = port or 9100
    if scheme in ("serial", "file") and not path:
        raise IllegalState(f"{text!r}: needs a device path, e.g. {scheme}:///dev/ttyUSB0")
    return DeviceUrl(scheme, host, port, path, params, text)
