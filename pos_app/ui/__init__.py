"""Qt user interface of the till."""
