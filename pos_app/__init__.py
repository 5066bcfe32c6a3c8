"""Offline-first point of sale: domain, services, persistence, CLI and (later) the Qt till."""

__version__ = "0.1.0"
