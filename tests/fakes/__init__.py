"""Stateful local stand-ins of SaaS APIs (real HTTP on loopback), started by the tests."""
