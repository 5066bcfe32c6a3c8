"""Store settings with defaults, typed access, permission check and audit on change."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..domain.errors import ValidationError
from ..domain.pricing import PricingPolicy, TaxMode, TaxRounding
from ..domain.reports import store_zone
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .ports import Store

DEFAULTS: dict[str, Any] = {
    "tax_mode": TaxMode.INCLUSIVE.value,
    "tax_rounding": TaxRounding.LINE.value,
    "cash_increment": 1,  # minor units; 5 rounds cash to 0.05
    "rcn_region": None,  # GS1 restricted-circulation layout, e.g. "germany", "sweden"
    "locale": "en_US",
    "loyalty_points_per_unit": 1,  # points per whole currency unit paid
    "loyalty_point_value": 1,  # minor units one point is worth when redeemed
    "receipt_header": "",
    "receipt_footer": "Thank you!",
    "receipt_template": "default",  # a name in resources/receipts or a path to a .toml file
    "receipt_logo": "",  # path to a PNG printed at the top (the template's logo block)
    "print_receipts": "always",  # always | ask | never (the till's default choice)
    "print_merchant_copy": False,  # a second copy when a card paid
    "require_drawer_closed": False,  # no new sale while the drawer sensor says open
    "timezone": None,  # IANA zone for store-local days in reports, e.g. "Europe/Berlin";
    # None: this machine's zone
    "max_pin_attempts": 3,  # wrong PINs in a row before a user is locked out for 5 minutes
    "backup_keep_days": 14,  # daily database backups kept (backups/ in the data dir)
    "auto_lock_minutes": 5,  # the till locks itself after this long without a touch (0: never)
    "theme": "light",  # light | dark
    "favourites": [],  # SKUs on the till's favourites page
    "scanner_wedge": "enter",  # keyboard-wedge scanners: a fast burst ending in Enter is a
    # scan, never typing (off: no wedge scanner, keys are never held back)
}

_VALIDATORS: dict[str, Any] = {
    "tax_mode": lambda v: TaxMode(v).value,
    "tax_rounding": lambda v: TaxRounding(v).value,
    "cash_increment": lambda v: _positive_int(v),
    "loyalty_points_per_unit": lambda v: _non_negative_int(v),
    "loyalty_point_value": lambda v: _positive_int(v),
    "print_receipts": lambda v: _choice(v, ("always", "ask", "never")),
    "print_merchant_copy": lambda v: _bool(v),
    "require_drawer_closed": lambda v: _bool(v),
    "timezone": lambda v: _zone(v),
    "max_pin_attempts": lambda v: _positive_int(v),
    "backup_keep_days": lambda v: _positive_int(v),
    "auto_lock_minutes": lambda v: _non_negative_int(v),
    "theme": lambda v: _choice(v, ("light", "dark")),
    "favourites": lambda v: _sku_list(v),
    "scanner_wedge": lambda v: _choice(v, ("enter", "off")),
}


def _sku_list(v: Any) -> list[str]:
    items = v.split(",") if isinstance(v, str) else list(v)
    return [str(x).strip() for x in items if str(x).strip()]


def _choice(v: Any, choices: tuple[str, ...]) -> str:
    if v not in choices:
        raise ValueError
    return str(v)


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    text = str(v).lower()
    if text not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
        raise ValueError
    return text in ("true", "yes", "1", "on")


def _zone(v: Any) -> str | None:
    if v in (None, ""):
        return None
    try:
        store_zone(str(v))
    except ValidationError as exc:
        raise ValueError(str(exc)) from None
    return str(v)


def _positive_int(v: Any) -> int:
    n = int(v)
    if n < 1:
        raise ValueError
    return n


def _non_negative_int(v: Any) -> int:
    n = int(v)
    if n < 0:
        raise ValueError
    return n


CACHE_SECONDS = 2.0  # a change made by another process reaches this till within this time


@dataclass(slots=True)
class SettingsService:
    store: Store
    ctx: TillContext
    auth: AuthService
    _cached: tuple[float, dict[str, Any], PricingPolicy] | None = None

    def _load(self) -> tuple[dict[str, Any], PricingPolicy]:
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] > CACHE_SECONDS:
            with self.store.tx() as tx:
                stored = tx.settings()
            values = {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}
            policy = PricingPolicy(self.ctx.currency, TaxMode(values["tax_mode"]),
                                   TaxRounding(values["tax_rounding"]),
                                   int(values["cash_increment"]))
            self._cached = (now, values, policy)
        return self._cached[1], self._cached[2]

    def all(self) -> dict[str, Any]:
        return dict(self._load()[0])

    def policy(self) -> PricingPolicy:
        return self._load()[1]

    def set(self, actor: User | None, key: str, value: Any) -> None:
        """``actor`` None only during first set-up."""
        if key not in DEFAULTS:
            raise ValidationError("unknown setting {key!r}; known: {known}", key=key,
                                  known=", ".join(sorted(DEFAULTS)))
        if actor is not None:
            self.auth.require(actor, Permission.SETTINGS)
        check = _VALIDATORS.get(key)
        if check is not None:
            try:
                value = check(value)
            except (ValueError, TypeError) as exc:
                raise ValidationError("invalid value {value!r} for {key}", value=value,
                                      key=key) from exc
        with self.store.tx(write=True) as tx:
            old = tx.settings().get(key, DEFAULTS[key])
            tx.set_setting(key, value)
            tx.append_audit(self.ctx.till_id, actor.id if actor else None, "settings_change",
                            key, {"old": old, "new": value})
            tx.commit()
        self._cached = None
