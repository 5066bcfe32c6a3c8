"""Wiring between the drivers and the services: adapters and the till's device manager."""
