"""Store settings with defaults, typed access, permission check and audit on change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.errors import ValidationError
from ..domain.pricing import PricingPolicy, TaxMode, TaxRounding
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
}

_VALIDATORS: dict[str, Any] = {
    "tax_mode": lambda v: TaxMode(v).value,
    "tax_rounding": lambda v: TaxRounding(v).value,
    "cash_increment": lambda v: _positive_int(v),
    "loyalty_points_per_unit": lambda v: _non_negative_int(v),
    "loyalty_point_value": lambda v: _positive_int(v),
}


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


@dataclass(slots=True)
class SettingsService:
    store: Store
    ctx: TillContext
    auth: AuthService

    def all(self) -> dict[str, Any]:
        with self.store.tx() as tx:
            stored = tx.settings()
        return {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}

    def policy(self) -> PricingPolicy:
        s = self.all()
        return PricingPolicy(self.ctx.currency, TaxMode(s["tax_mode"]),
                             TaxRounding(s["tax_rounding"]), int(s["cash_increment"]))

    def set(self, actor: User | None, key: str, value: Any) -> None:
        """``actor`` None only during first set-up."""
        if key not in DEFAULTS:
            raise ValidationError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULTS))}")
        if actor is not None:
            self.auth.require(actor, Permission.SETTINGS)
        check = _VALIDATORS.get(key)
        if check is not None:
            try:
                value = check(value)
            except (ValueError, TypeError) as exc:
                raise ValidationError(f"invalid value {value!r} for {key}") from exc
        with self.store.tx(write=True) as tx:
            old = tx.settings().get(key, DEFAULTS[key])
            tx.set_setting(key, value)
            tx.append_audit(self.ctx.till_id, actor.id if actor else None, "settings_change",
                            key, {"old": old, "new": value})
            tx.commit()
