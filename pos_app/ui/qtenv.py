"""Can Qt open a window here? Answer in one line before Qt aborts with a page of text.

Qt's xcb platform plugin links against X11 libraries that a fresh Linux machine may
lack (``libxcb-cursor0``, ``libxkbcommon-x11-0``, …). When one is missing Qt prints a
long message and aborts the process. We ask the dynamic loader first (``ldd`` on the
plugin) and name the Debian packages to install.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..domain.errors import PosError


class GuiUnavailable(PosError):
    """No usable screen: the message says what to do, in one line."""

    def __init__(self, message: str, *, no_display: bool = False) -> None:
        super().__init__(message)
        self.no_display = no_display


def debian_package(soname: str) -> str:
    """Debian's naming rule for shared-library packages: ``libxcb-cursor.so.0`` is in
    ``libxcb-cursor0``; a name ending in a digit gets a hyphen (``libxkbcommon-x11-0``)."""
    m = re.match(r"^(lib[^/]+?)\.so\.(\d+)", soname)
    if not m:
        return soname
    name, version = m.group(1).lower(), m.group(2)
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def qt_plugin_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms"


def missing_libraries(plugin: Path) -> list[str]:
    """Shared libraries the loader cannot find for ``plugin`` (``ldd``'s "not found")."""
    ldd = shutil.which("ldd")
    if ldd is None or not plugin.exists():
        return []
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = re.findall(r"^\s*(\S+)\s+=>\s+not found", out, flags=re.MULTILINE)
    return sorted(set(found))


def platform_name() -> str:
    explicit = os.environ.get("QT_QPA_PLATFORM", "")
    if explicit:
        return explicit.split(":")[0]
    if sys.platform.startswith("linux"):
        if os.environ.get("WAYLAND_DISPLAY"):
            return "wayland"
        return "xcb"
    return "native"


def check_gui() -> None:
    """Raise ``GuiUnavailable`` when Qt would fail to open a window."""
    platform = platform_name()
    if platform != "xcb":
        return
    if not os.environ.get("DISPLAY"):
        raise GuiUnavailable("no screen found (DISPLAY is not set): open the till from a "
                             "desktop session", no_display=True)
    missing = missing_libraries(qt_plugin_dir() / "libqxcb.so")
    if missing:
        packages = " ".join(sorted({debian_package(lib) for lib in missing}))
        raise GuiUnavailable(f"the till's window needs system libraries that are missing "
                             f"({', '.join(missing)}): install them with "
                             f"`sudo apt install {packages}`")
    if not x_display_reachable(os.environ["DISPLAY"]):
        raise GuiUnavailable(f"cannot connect to the screen {os.environ['DISPLAY']!r}: is the "
                             "desktop session running and DISPLAY right?", no_display=True)


def x_display_reachable(display: str) -> bool:
    """Connect with libxcb as Qt will (Qt aborts when this fails)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # cannot tell: let Qt try
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return conn is not None and xcb.xcb_connection_has_error(conn) == 0
    finally:
        if conn is not None:
            xcb.xcb_disconnect(conn)
