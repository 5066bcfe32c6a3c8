"""Domain errors: each carries one sentence a cashier or a script can act on.

The sentence is kept as a template with named parameters, so a screen can show it in
the store's language: ``ValidationError("{sku}: order a positive quantity", sku=v.sku)``
has ``template`` ``"{sku}: order a positive quantity"``, ``params`` ``{"sku": v.sku}``
and ``str()`` ``"ABC-1: order a positive quantity"``, the English the CLI and the logs
show. ``str.format`` fills the template, so ``{code!r}`` and ``{timeout:g}`` work as in
an f-string. A parameter may itself be a ``PosError`` (a reason given by a lower layer);
it reads as its own English sentence and a screen translates it too. Without
parameters the template is the message as it is (no braces are interpreted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class PosError(Exception):
    """Base for every expected, user-facing failure (never shown with a traceback)."""

    template: str
    params: Mapping[str, Any]

    def __init__(self, template: str = "", /, **params: Any) -> None:
        super().__init__(template.format(**params) if params else template)
        self.template = template
        self.params = params


class ValidationError(PosError):
    """Input that can never succeed as given (bad amount, unknown currency, bad barcode)."""


class NotFound(PosError):
    """A code, receipt, customer or user that the store does not know."""


class PermissionDenied(PosError):
    """The acting user's role does not allow this; a manager override may."""

    def __init__(self, template: str, permission: str | None = None, /,
                 **params: Any) -> None:
        super().__init__(template, **params)
        self.permission = permission


class AuthenticationFailed(PosError):
    """Wrong PIN or locked account."""


class StateError(PosError):
    """The operation does not fit the current state (no open shift, sale not paid, ...)."""
