"""Store, till and key/value settings."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from ...domain.store import TillContext
from ..models import Location, Setting, Store, Till
from .base import RepoBase, dumps, utcnow


class SettingsRepo(RepoBase):
    def till_context(self) -> TillContext | None:
        till_id = self.session.get(Setting, "till_id")
        if till_id is None:
            return None
        till = self.session.get(Till, json.loads(till_id.value))
        if till is None:
            return None
        store = self.session.get(Store, till.store_id)
        assert store is not None
        return TillContext(store.id, store.code, store.name, till.id, till.code,
                           till.location_id, store.currency)

    def create_store(self, ctx: TillContext, location_code: str, location_name: str) -> None:
        self.session.add(Store(id=ctx.store_id, code=ctx.store_code, name=ctx.store_name,
                               currency=ctx.currency))
        self.session.flush()  # no ORM relationships: flush in foreign-key order
        self.session.add(Location(id=ctx.location_id, store_id=ctx.store_id,
                                  code=location_code, name=location_name))
        self.session.flush()
        self.session.add(Till(id=ctx.till_id, store_id=ctx.store_id, location_id=ctx.location_id,
                              code=ctx.till_code, last_receipt_no=0, last_z_no=0))
        self.set_setting("till_id", ctx.till_id)

    def settings(self) -> dict[str, Any]:
        return {row.key: json.loads(row.value) for row in self.session.scalars(select(Setting))}

    def set_setting(self, key: str, value: Any) -> None:
        row = self.session.get(Setting, key)
        if row is None:
            self.session.add(Setting(key=key, value=dumps(value), updated_at=utcnow()))
        else:
            row.value, row.updated_at = dumps(value), utcnow()
        self.session.flush()
