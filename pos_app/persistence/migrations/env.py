"""Alembic environment: the engine comes from the application (``config.attributes``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pos_app.persistence.migrate import include_object
from pos_app.persistence.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` command line: take sqlalchemy.url
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite can only ALTER by copying tables
        compare_type=True,
        include_object=include_object,
    )
    context.run_migrations()
