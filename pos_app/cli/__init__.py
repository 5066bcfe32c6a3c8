"""The ``pos`` command line."""
