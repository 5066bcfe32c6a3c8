"""The till's hardware profile: which device does which job, at which address."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..domain.devices import ROLES, DeviceEntry
from ..domain.errors import NotFound, ValidationError
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .ports import Store

ROLE = re.compile("^(" + "|".join(ROLES) + r")(\d{0,2})$")


@dataclass(slots=True)
class HardwareService:
    store: Store
    ctx: TillContext
    auth: AuthService
    # Checks the address, driver and settings against the installed drivers; returns the
    # entry with settings completed from the driver's schema. Wired in by the app.
    check: Callable[[DeviceEntry], DeviceEntry]

    def profile(self) -> list[DeviceEntry]:
        with self.store.tx() as tx:
            return tx.hardware_profile(self.ctx.till_id)

    def entry(self, role: str) -> DeviceEntry | None:
        return next((e for e in self.profile() if e.role == role), None)

    def set_device(self, user: User | None, entry: DeviceEntry) -> DeviceEntry:
        """``user`` None only during first set-up (like settings)."""
        if user is not None:
            self.auth.require(user, Permission.SETTINGS)
        match = ROLE.match(entry.role)
        if match is None:
            raise ValidationError("role {role!r}: use one of {roles} (a number may follow, e.g. "
                                  "scanner2)", role=entry.role, roles=", ".join(ROLES))
        entry = self.check(replace(entry, kind=match.group(1)))
        with self.store.tx(write=True) as tx:
            tx.set_hardware_device(self.ctx.till_id, entry)
            tx.append_audit(self.ctx.till_id, user.id if user else None, "hardware_set",
                            entry.role, {"kind": entry.kind, "url": entry.url,
                                         "driver": entry.driver, "enabled": entry.enabled})
            tx.commit()
        return entry

    def remove_device(self, user: User, role: str) -> None:
        self.auth.require(user, Permission.SETTINGS)
        with self.store.tx(write=True) as tx:
            if not tx.remove_hardware_device(self.ctx.till_id, role):
                raise NotFound("no device with role {role!r} in this till's profile", role=role)
            tx.append_audit(self.ctx.till_id, user.id, "hardware_remove", role, {})
            tx.commit()
