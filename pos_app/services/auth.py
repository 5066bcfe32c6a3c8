"""PIN login with argon2id, lockout after repeated failures, permission checks and overrides.

An override is a supervisor's PIN authorising exactly one action for someone else;
the grant is single-use and both the grant and its use are audited.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.errors import AuthenticationFailed, PermissionDenied, ValidationError
from ..domain.ids import new_id_str
from ..domain.store import TillContext
from ..domain.users import Permission, Role, User
from .ports import Store

MAX_FAILED = 3  # default of the max_pin_attempts setting
LOCKOUT = timedelta(minutes=5)
_PIN = re.compile(r"^\d{4,8}$")
# argon2id with the library's recommended parameters (RFC 9106 low-memory profile).
# POS_PIN_HASH_PROFILE=test selects cheap parameters so a test suite can create many
# users; hashes stay argon2id and verify under either profile.
_hasher = (PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
           if os.environ.get("POS_PIN_HASH_PROFILE") == "test" else PasswordHasher())


def hash_pin(pin: str) -> str:
    if not _PIN.match(pin):
        raise ValidationError("a PIN is 4 to 8 digits")
    return _hasher.hash(pin)


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def new_user(username: str, display_name: str, role: Role, pin: str) -> tuple[User, str]:
    """A validated user and the argon2id hash of their PIN (nothing written)."""
    if not re.match(r"^[\w.@-]{1,64}$", username):
        raise ValidationError("a user name is 1-64 letters, digits, '.', '@', '_' or '-'")
    return User(new_id_str(), username, display_name or username, role), hash_pin(pin)


@dataclass(frozen=True, slots=True)
class OverrideGrant:
    token: str
    approver_id: str
    permission: Permission
    for_user_id: str


@dataclass(slots=True)
class AuthService:
    store: Store
    ctx: TillContext
    _used: set[str] = field(default_factory=set)

    def login(self, username: str, pin: str, *, action: str = "login") -> User:
        with self.store.tx(write=True) as tx:
            user = tx.user_by_name(username)
            now = datetime.now(UTC)
            if user is None or not user.active:
                tx.append_audit(self.ctx.till_id, None, f"{action}_failed", username,
                                {"reason": "unknown or inactive user"})
                tx.commit()
                raise AuthenticationFailed("wrong user name or PIN")
            max_failed = int(tx.settings().get("max_pin_attempts", MAX_FAILED))
            if user.locked_until is not None and user.locked_until > now:
                tx.append_audit(self.ctx.till_id, user.id, f"{action}_failed", username,
                                {"reason": "locked"})
                tx.commit()
                raise AuthenticationFailed("{username} is locked after {max_failed} wrong PINs; "
                                           "try again after {until} UTC or ask a manager",
                                           username=username, max_failed=max_failed,
                                           until=f"{user.locked_until:%H:%M}")
            if not _verify(tx.pin_hash(user.id), pin):
                failed = user.failed_attempts + 1
                locked = now + LOCKOUT if failed >= max_failed else None
                tx.set_login_state(user.id, 0 if locked else failed, locked)
                tx.append_audit(self.ctx.till_id, user.id, f"{action}_failed", username,
                                {"reason": "wrong PIN", "attempt": failed,
                                 "locked": locked is not None})
                tx.commit()
                raise AuthenticationFailed("wrong user name or PIN")
            tx.set_login_state(user.id, 0, None)
            tx.append_audit(self.ctx.till_id, user.id, action, username, {})
            tx.commit()
            return user

    def login_choices(self) -> list[User]:
        """Who may log in at this till: the lock screen's name tiles (no PINs, no roles
        needed to show them, so no permission)."""
        with self.store.tx() as tx:
            return tx.active_users()

    def grant_override(
        self, approver: str, pin: str, permission: Permission, for_user: User | None,
        subject: str = ""
    ) -> OverrideGrant:
        """A supervisor (or above) authorises one ``permission``-guarded action.
        ``for_user`` None: for the till itself (leaving the kiosk at the lock screen)."""
        boss = self.login(approver, pin, action="override_login")
        if not (boss.can(Permission.OVERRIDE) and boss.can(permission)):
            raise PermissionDenied("{approver} may not authorise {action}", permission.value,
                                   approver=approver, action=permission.value.replace("_", " "))
        grant = OverrideGrant(new_id_str(), boss.id, permission,
                              for_user.id if for_user else "")
        with self.store.tx(write=True) as tx:
            tx.append_audit(self.ctx.till_id, boss.id, "manager_override", subject or None,
                            {"permission": permission.value,
                             "for_user": for_user.id if for_user else None,
                             "grant": grant.token})
            tx.commit()
        return grant

    def require(
        self, user: User, permission: Permission, grant: OverrideGrant | None = None
    ) -> str | None:
        """Allow if the user's role has ``permission``; else consume a matching grant.

        Returns the approver's id when an override was used (for the audit entry).
        """
        if user.can(permission):
            return None
        return self.use_grant(user, permission, grant)

    def use_grant(
        self, user: User, permission: Permission, grant: OverrideGrant | None
    ) -> str:
        if grant is None:
            raise PermissionDenied("{name} ({role}) may not do this: {action} needs a manager "
                                   "override", permission.value, name=user.display_name,
                                   role=user.role.value, action=permission.value.replace("_", " "))
        if grant.token in self._used or grant.permission is not permission or (
                grant.for_user_id != user.id):
            raise PermissionDenied("this manager override is not valid for this action",
                                   permission.value)
        self._used.add(grant.token)
        return grant.approver_id

    def create_user(self, actor: User | None, username: str, display_name: str, role: Role,
                    pin: str) -> User:
        """``actor`` None only while setting up an empty store (first admin)."""
        if actor is not None:
            self.require(actor, Permission.USERS)
            if role is Role.ADMIN and actor.role is not Role.ADMIN:
                raise PermissionDenied("only an admin can create an admin", "users")
        user, pin_hash = new_user(username, display_name, role, pin)
        with self.store.tx(write=True) as tx:
            if tx.user_by_name(username) is not None:
                raise ValidationError("user {username!r} already exists", username=username)
            tx.add_user(user, pin_hash)
            tx.append_audit(self.ctx.till_id, actor.id if actor else None, "user_created",
                            username, {"role": role.value})
            tx.commit()
        return user
