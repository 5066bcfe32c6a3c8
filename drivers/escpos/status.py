"""ESC/POS status bytes: real-time replies (DLE EOT), automatic status back (GS a), GS r.

A printer with ASB enabled sends 4-byte frames whenever its state changes, so the
bytes that arrive after a ``DLE EOT n`` query are not necessarily its reply. The
:class:`StatusSorter` classifies every incoming byte by its fixed bits, the way
Epson's manuals tell drivers to, so a left-over ASB byte is never read as a reply.

    DLE EOT reply      0xx1xx10
    ASB first byte     0xx1xx00, then three bytes 0xx0xxxx
    GS r reply         0xx0xxxx (outside an ASB frame)
    XON / XOFF         0x11 / 0x13
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..kinds import PrinterStatus

DLE_EOT = b"\x10\x04"
XON, XOFF = 0x11, 0x13

# DLE EOT n=1 (printer status)
RT1_DRAWER_PIN3 = 0x04
RT1_OFFLINE = 0x08
# n=2 (offline cause)
RT2_COVER_OPEN = 0x04
RT2_FEED_BUTTON = 0x08
RT2_PAPER_END_STOP = 0x20
RT2_ERROR = 0x40
# n=3 (error cause)
RT3_MECHANICAL = 0x04
RT3_AUTOCUTTER = 0x08
RT3_UNRECOVERABLE = 0x20
RT3_AUTO_RECOVERABLE = 0x40
# n=4 (paper roll sensor)
RT4_NEAR_END = 0x0C
RT4_PAPER_END = 0x60

# ASB frame (Epson): byte 1 printer, byte 2 errors, byte 3 paper sensors, byte 4 reserved
ASB1_DRAWER_PIN3 = 0x04
ASB1_OFFLINE = 0x08
ASB1_COVER_OPEN = 0x20
ASB2_MECHANICAL = 0x04
ASB2_AUTOCUTTER = 0x08
ASB2_UNRECOVERABLE = 0x20
ASB2_AUTO_RECOVERABLE = 0x40
ASB3_NEAR_END = 0x03
ASB3_PAPER_END = 0x0C


def is_rt_reply(byte: int) -> bool:
    return byte & 0x93 == 0x12


def is_asb_header(byte: int) -> bool:
    return byte & 0x93 == 0x10


def is_plain(byte: int) -> bool:
    """ASB bytes 2-4 and GS r replies: bit 4 and bit 7 clear."""
    return byte & 0x90 == 0x00


def status_from_realtime(replies: dict[int, int]) -> PrinterStatus:
    """Combine DLE EOT replies (keyed by n) into one status; missing ones stay None."""
    r1, r2, r3, r4 = (replies.get(n) for n in (1, 2, 3, 4))
    error = None
    if r2 is not None or r3 is not None:
        error = bool((r2 or 0) & RT2_ERROR) or bool(
            (r3 or 0) & (RT3_MECHANICAL | RT3_AUTOCUTTER | RT3_UNRECOVERABLE))
    return PrinterStatus(
        online=None if r1 is None else not r1 & RT1_OFFLINE,
        drawer_pin3_high=None if r1 is None else bool(r1 & RT1_DRAWER_PIN3),
        cover_open=None if r2 is None else bool(r2 & RT2_COVER_OPEN),
        paper_near_end=None if r4 is None else bool(r4 & RT4_NEAR_END),
        paper_out=None if r4 is None and r2 is None else
        bool((r4 or 0) & RT4_PAPER_END) or bool((r2 or 0) & RT2_PAPER_END_STOP),
        error=error,
    )


def status_from_asb(frame: bytes) -> PrinterStatus:
    if len(frame) != 4 or not is_asb_header(frame[0]):
        raise ValueError(f"not an ASB frame: {frame.hex()}")
    b1, b2, b3 = frame[0], frame[1], frame[2]
    return PrinterStatus(
        online=not b1 & ASB1_OFFLINE,
        drawer_pin3_high=bool(b1 & ASB1_DRAWER_PIN3),
        cover_open=bool(b1 & ASB1_COVER_OPEN),
        paper_near_end=bool(b3 & ASB3_NEAR_END),
        paper_out=bool(b3 & ASB3_PAPER_END),
        error=bool(b2 & (ASB2_MECHANICAL | ASB2_AUTOCUTTER | ASB2_UNRECOVERABLE)),
    )


@dataclass
class StatusSorter:
    """Sorts the printer's byte stream into DLE EOT replies, ASB frames and GS r replies."""

    rt_replies: deque[int] = field(default_factory=deque)
    asb_frames: deque[bytes] = field(default_factory=deque)
    gs_r_replies: deque[int] = field(default_factory=deque)
    xoff: bool = False
    unknown: int = 0
    _asb: bytearray | None = None

    def feed(self, data: bytes) -> None:
        for byte in data:
            if byte == XON:
                self.xoff = False
            elif byte == XOFF:
                self.xoff = True
            elif is_rt_reply(byte):
                # Real-time replies may arrive in the middle of an ASB frame.
                self.rt_replies.append(byte)
            elif is_asb_header(byte):
                self._asb = bytearray([byte])
            elif is_plain(byte):
                if self._asb is not None:
                    self._asb.append(byte)
                    if len(self._asb) == 4:
                        self.asb_frames.append(bytes(self._asb))
                        self._asb = None
                else:
                    self.gs_r_replies.append(byte)
            else:
                self.unknown += 1

    def clear(self) -> None:
        self.rt_replies.clear()
        self.asb_frames.clear()
        self.gs_r_replies.clear()
        self._asb = None
