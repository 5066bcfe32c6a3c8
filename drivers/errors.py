"""Typed device errors, after UnifiedPOS result codes.

The till decides what to tell the cashier from ``code``; ``str(err)`` is the
technical detail that goes into the log.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    CLAIMED = "claimed"  # another process or device object holds it
    NO_HARDWARE = "no_hardware"  # nothing answers at that address
    OFFLINE = "offline"  # connected, but the device says it cannot work now
    TIMEOUT = "timeout"  # no answer in time
    BUSY = "busy"  # the device is doing something else
    ILLEGAL = "illegal"  # wrong lifecycle state or bad argument
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    NOT_USABLE = "not_usable"  # the driver's library or backend is missing
    FAILURE = "failure"  # anything else the device reported


class DeviceError(Exception):
    code: ErrorCode = ErrorCode.FAILURE

    def __init__(self, message: str, *, device: str | None = None) -> None:
        super().__init__(message)
        self.device = device


class DeviceClaimed(DeviceError):
    code = ErrorCode.CLAIMED


class NoHardware(DeviceError):
    code = ErrorCode.NO_HARDWARE


class DeviceOffline(DeviceError):
    code = ErrorCode.OFFLINE


class DeviceTimeout(DeviceError):
    code = ErrorCode.TIMEOUT


class DeviceBusy(DeviceError):
    code = ErrorCode.BUSY


class IllegalState(DeviceError):
    code = ErrorCode.ILLEGAL


class PaperOut(DeviceOffline):
    code = ErrorCode.PAPER_OUT


class CoverOpen(DeviceOffline):
    code = ErrorCode.COVER_OPEN


class DriverNotUsable(DeviceError):
    code = ErrorCode.NOT_USABLE
