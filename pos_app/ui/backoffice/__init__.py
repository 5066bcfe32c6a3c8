"""Back-office screens for managers and admins: the same application as the till."""
