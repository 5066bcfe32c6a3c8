"""Light and dark themes: one style sheet, two palettes, icons tinted to match.

``resources/themes/base.qss`` holds the rules with ``{{name}}`` placeholders;
``light.json`` and ``dark.json`` hold the colours. Icons in ``resources/icons``
are line drawings whose stroke colour is set from the palette when loaded.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QWidget

THEMES = ("light", "dark")
_current: dict[str, str] = {}


def _resource(*parts: str) -> str:
    return files("resources").joinpath(*parts).read_text(encoding="utf-8")


def palette_colours(name: str) -> dict[str, str]:
    if name not in THEMES:
        name = "light"
    colours: dict[str, str] = json.loads(_resource("themes", f"{name}.json"))
    return colours


def style_sheet(name: str) -> str:
    values = {**palette_colours(name),
              "icons": Path(str(files("resources").joinpath("icons"))).as_posix()}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _resource("themes", "base.qss"))


def apply_theme(app: QApplication, name: str) -> None:
    colours = palette_colours(name)
    _current.clear()
    _current.update(colours)
    pal = QPalette()
    for role, key in ((QPalette.ColorRole.Window, "window"), (QPalette.ColorRole.Base, "panel"),
                      (QPalette.ColorRole.AlternateBase, "panel_alt"),
                      (QPalette.ColorRole.Text, "text"), (QPalette.ColorRole.WindowText, "text"),
                      (QPalette.ColorRole.Button, "button"),
                      (QPalette.ColorRole.ButtonText, "text"),
                      (QPalette.ColorRole.Highlight, "selection"),
                      (QPalette.ColorRole.HighlightedText, "selection_text"),
                      (QPalette.ColorRole.PlaceholderText, "muted")):
        pal.setColor(role, QColor(colours[key]))
    app.setPalette(pal)
    app.setStyleSheet(style_sheet(name))
    _icon.cache_clear()
    for widget in app.allWidgets():  # icons drawn for the old palette: draw them again
        icon_name = widget.property("icon_name")
        if icon_name and hasattr(widget, "setIcon"):
            widget.setIcon(icon(str(icon_name), widget.property("icon_tint") or None))


def colour(key: str) -> str:
    return _current.get(key) or palette_colours("light")[key]


@lru_cache(maxsize=256)
def _icon(name: str, tint: str, size: int) -> QIcon:
    svg = _resource("icons", f"{name}.svg").replace("#COLOR", tint)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(QSize(size * scale, size * scale))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        icon.addPixmap(pixmap)
    return icon


def icon(name: str, tint: str | None = None, size: int = 32) -> QIcon:
    return _icon(name, tint or colour("icon"), size)


def set_icon(widget: QWidget, name: str, tint: str | None = None) -> None:
    """An icon that follows the theme (redrawn by ``apply_theme``)."""
    widget.setProperty("icon_name", name)
    widget.setProperty("icon_tint", tint or "")
    widget.setIcon(icon(name, tint))  # type: ignore[attr-defined]


def set_role(widget: QWidget, role: str, **props: str) -> QWidget:
    """Style hooks (``role="primary"``, ``level="error"``) the style sheet selects on."""
    widget.setProperty("role", role)
    for key, value in props.items():
        widget.setProperty(key, value)
    return widget


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a property it selects on changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    for child in widget.findChildren(QWidget):
        style.unpolish(child)
        style.polish(child)
