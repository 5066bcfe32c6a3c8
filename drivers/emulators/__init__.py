"""Emulated POS hardware for tests, demos and development without devices."""
