"""Application services: plain Python over the ports in ``ports.py`` (no Qt, no SQLAlchemy)."""
