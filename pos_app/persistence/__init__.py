"""SQLAlchemy models, engine set-up, migrations and the repositories behind the service ports."""
