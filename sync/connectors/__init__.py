"""Connectors shipped with the engine; others register under ``pos_app.sync_connectors``."""
