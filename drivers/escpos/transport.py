"""Byte pipes to a printer through python-escpos' connection classes.

python-escpos opens the connection (Network, Serial, Usb, File) and writes with
``_raw``; reads go to the underlying socket / pyserial / pyusb object because its
``_read`` is a blocking ``read(16)`` without a deadline (a one-byte status reply
would then wait for the whole serial timeout, a USB read would use pyusb's
default). Failures become ``drivers.errors`` types here, in one place.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable
from typing import Any

from ..errors import DeviceTimeout, DriverNotUsable, NoHardware
from ..url import DeviceUrl
from . import _lib

log = logging.getLogger(__name__)


class LinkLost(NoHardware):
    """The connection broke (socket closed, cable pulled, USB device gone)."""


_usb_backend_hook: Callable[[], Any] | Any | None = None


def set_usb_backend(backend: Any | None) -> None:
    """Use this pyusb backend (or a zero-argument factory) for usb:// (tests, odd setups)."""
    global _usb_backend_hook
    _usb_backend_hook = backend


def find_usb_backend(explicit: Any | None = None) -> Any:
    """The pyusb backend to use; DriverNotUsable with a fix when libusb is missing."""
    chosen = explicit if explicit is not None else _usb_backend_hook
    if chosen is not None:
        return chosen() if callable(chosen) and not hasattr(chosen, "bulk_write") else chosen
    try:
        import usb.backend.libusb0
        import usb.backend.libusb1
    except ImportError:
        raise DriverNotUsable("usb:// needs pyusb (pip install pyusb)") from None
    backend = usb.backend.libusb1.get_backend() or usb.backend.libusb0.get_backend()
    if backend is None:
        raise DriverNotUsable("usb:// needs libusb: pyusb found no backend "
                              "(Debian/Ubuntu: apt install libusb-1.0-0)")
    return backend


class Transport:
    """One open connection. ``can_read`` is False where no status can come back."""

    can_read = False

    def __init__(self, printer: Any, description: str) -> None:
        self.printer = printer  # the python-escpos object
        self.description = description

    def write(self, data: bytes, timeout: float) -> None:
        raise NotImplementedError

    def read(self, timeout: float) -> bytes:
        """Whatever arrives within ``timeout`` (b"" if nothing); LinkLost on EOF."""
        return b""

    def close(self) -> None:
        try:
            self.printer.close()
        except Exception:  # closing a dead connection
            log.debug("closing %s failed", self.description, exc_info=True)


class TcpTransport(Transport):
    can_read = True

    @property
    def sock(self) -> socket.socket:
        return self.printer.device  # type: ignore[no-any-return]

    def write(self, data: bytes, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            self.printer._raw(data)
        except TimeoutError:
            raise DeviceTimeout(f"{self.description}: the printer did not take the data "
                                f"within {timeout:g} s") from None
        except OSError as exc:
            raise LinkLost(f"{self.description}: connection lost while sending: {exc}") from None

    def read(self, timeout: float) -> bytes:
        self.sock.settimeout(max(timeout, 0.0))
        try:
            data = self.sock.recv(256)
        except (TimeoutError, BlockingIOError):
            return b""
        except OSError as exc:
            raise LinkLost(f"{self.description}: connection lost: {exc}") from None
        if not data:
            raise LinkLost(f"{self.description}: the printer closed the connection")
        return data


class SerialTransport(Transport):
    can_read = True

    @property
    def port(self) -> Any:
        return self.printer.device

    def write(self, data: bytes, timeout: float) -> None:
        import serial

        self.port.write_timeout = timeout
        try:
            self.printer._raw(data)
        except serial.SerialTimeoutException:
            raise DeviceTimeout(f"{self.description}: the printer did not take the data "
                                f"within {timeout:g} s (flow control?)") from None
        except (serial.SerialException, OSError) as exc:
            raise LinkLost(f"{self.description}: serial port failed: {exc}") from None

    def read(self, timeout: float) -> bytes:
        import serial

        try:
            self.port.timeout = max(timeout, 0.0)
            first = self.port.read(1)
            if not first:
                return b""
            waiting = self.port.in_waiting
            return bytes(first) + (bytes(self.port.read(waiting)) if waiting else b"")
        except (serial.SerialException, OSError) as exc:
            raise LinkLost(f"{self.description}: serial port failed: {exc}") from None


class UsbTransport(Transport):
    def __init__(self, printer: Any, description: str, in_ep: int | None) -> None:
        super().__init__(printer, description)
        self.in_ep = in_ep
        self.can_read = in_ep is not None

    def write(self, data: bytes, timeout: float) -> None:
        import usb.core

        self.printer.timeout = max(1, int(timeout * 1000))  # ms; 0 would wait forever
        try:
            self.printer._raw(data)
        except usb.core.USBTimeoutError:
            raise DeviceTimeout(f"{self.description}: the printer did not take the data "
                                f"within {timeout:g} s") from None
        except usb.core.USBError as exc:
            raise LinkLost(f"{self.description}: USB write failed: {exc}") from None

    def read(self, timeout: float) -> bytes:
        import usb.core

        if self.in_ep is None:
            return b""
        try:
            data = self.printer.device.read(self.in_ep, 64, max(1, int(timeout * 1000)))
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as exc:
            if exc.errno == errno.ETIMEDOUT:
                return b""
            raise LinkLost(f"{self.description}: USB read failed: {exc}") from None
        return bytes(data)

    def close(self) -> None:
        try:
            import usb.util

            if self.printer._device:
                usb.util.release_interface(self.printer._device, self.interface)
        except Exception:
            log.debug("releasing the USB interface failed", exc_info=True)
        super().close()

    interface = 0


class FileTransport(Transport):
    def write(self, data: bytes, timeout: float) -> None:
        try:
            self.printer._raw(data)
        except OSError as exc:
            raise LinkLost(f"{self.description}: write failed: {exc}") from None


def open_transport(url: DeviceUrl, connect_timeout: float,
                   usb_backend: Any | None = None) -> Transport:
    """Connect now; NoHardware (with the reason) when nothing is there."""
    printers = _lib.module("printer")
    exceptions = _lib.module("exceptions")
    desc = url.raw
    start = time.monotonic()
    try:
        if url.scheme == "tcp":
            timeout = url.float_param("timeout", connect_timeout)
            printer = printers.Network(url.host, url.port or 9100, timeout=timeout)
            printer.open()
            transport: Transport = TcpTransport(printer, desc)
        elif url.scheme == "serial":
            printer = printers.Serial(
                url.path, baudrate=url.int_param("baudrate", 9600),
                timeout=connect_timeout, xonxoff=url.param("xonxoff", "0") in ("1", "true"),
                dsrdtr=url.param("dsrdtr", "0") in ("1", "true"))
            printer.open()
            transport = SerialTransport(printer, desc)
        elif url.scheme == "usb":
            transport = _open_usb(url, printers, usb_backend)
        elif url.scheme == "file":
            printer = printers.File(url.path, auto_flush=True)
            printer.open()
            transport = FileTransport(printer, desc)
        else:
            raise NoHardware(f"{desc}: the escpos driver does not speak {url.scheme}://")
    except exceptions.DeviceNotFoundError as exc:
        raise NoHardware(f"{desc}: no printer there ({str(exc).strip()})") from None
    log.info("connected to %s in %.0f ms", desc, (time.monotonic() - start) * 1000)
    return transport


def _open_usb(url: DeviceUrl, printers: Any, usb_backend: Any | None) -> Transport:
    import usb.core
    import usb.util

    vendor, product = url.usb_ids
    backend = find_usb_backend(usb_backend)
    in_text = (url.param("in_ep") or "0x82").lower()
    in_ep = None if in_text in ("", "none", "0") else int(in_text, 0)
    out_ep = url.int_param("out_ep", 0x01)
    interface = url.int_param("interface", 0)
    printer = printers.Usb(vendor, product, usb_args={"backend": backend}, timeout=5000,
                           in_ep=in_ep or 0x82, out_ep=out_ep)
    try:
        printer.open()
        device = printer.device
        usb.util.claim_interface(device, interface)
        if in_ep is not None:
            # Only ask for status if the interface really has that IN endpoint.
            intf = device.get_active_configuration()[(interface, 0)]
            if usb.util.find_descriptor(intf, bEndpointAddress=in_ep) is None:
                log.info("%s has no IN endpoint %#x: printing without status", url.raw, in_ep)
                in_ep = None
    except usb.core.USBError as exc:
        hint = ""
        if exc.errno == errno.EACCES:
            hint = " (access denied: add a udev rule for this printer)"
        elif exc.errno == errno.EBUSY:
            hint = " (busy: the kernel usblp driver or another program holds it)"
        printer.close()
        raise NoHardware(f"{url.raw}: cannot use the USB printer: {exc}{hint}") from None
    transport = UsbTransport(printer, url.raw, in_ep)
    transport.interface = interface
    return transport
