"""Domain errors: each carries one sentence a cashier or a script can act on."""


class PosError(Exception):
    """Base for every expected, user-facing failure (never shown with a traceback)."""


class ValidationError(PosError):
    """Input that can never succeed as given (bad amount, unknown currency, bad barcode)."""


class NotFound(PosError):
    """A code, receipt, customer or user that the store does not know."""


class PermissionDenied(PosError):
    """The acting user's role does not allow this; a manager override may."""

    def __init__(self, message: str, permission: str | None = None) -> None:
        super().__init__(message)
        self.permission = permission


class AuthenticationFailed(PosError):
    """Wrong PIN or locked account."""


class StateError(PosError):
    """The operation does not fit the current state (no open shift, sale not paid, ...)."""
