"""Globally unique, time-ordered ids (UUIDv7) so records from many tills merge without clashes."""

from __future__ import annotations

import uuid

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    return uuid7()


def new_id_str() -> str:
    return str(uuid7())
