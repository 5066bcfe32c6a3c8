"""Globally unique, time-ordered ids (UUIDv7) so records from many tills merge without clashes."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    return uuid7()


def new_id_str() -> str:
    return str(uuid7())


def uuid7_sequence() -> Iterator[str]:
    """Fast, strictly increasing UUIDv7 strings for bulk loads (about 10x ``uuid7()``).

    One millisecond timestamp for the run and a 74-bit counter with a random start
    in the rand_a/rand_b fields, as RFC 9562 section 6.2 (method 1) allows.
    """
    ms = time.time_ns() // 1_000_000
    counter = int.from_bytes(os.urandom(8), "big") >> 3
    while True:
        counter += 1
        n = ((ms << 80) | (0x7 << 76) | (((counter >> 62) & 0xFFF) << 64)
             | (0b10 << 62) | (counter & ((1 << 62) - 1)))
        h = f"{n:032x}"
        yield f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
