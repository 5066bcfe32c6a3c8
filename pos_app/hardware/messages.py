"""Device states in words a cashier understands, with what to do about them."""

from __future__ import annotations

from drivers.errors import ErrorCode
from drivers.status import Status


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Marks a message for Qt's translation tools; the till shows it translated
    (``QCoreApplication.translate("DeviceWords", message)``). No Qt import here."""
    return text


# code -> (level, message); level is ok | warning | error. Status values and error codes
# share one namespace (offline, paper_out and cover_open are both).
WORDS: dict[str, tuple[str, str]] = {
    Status.ONLINE: ("ok", QT_TRANSLATE_NOOP(
        "DeviceWords", "Ready.")),
    Status.PAPER_OK: ("ok", QT_TRANSLATE_NOOP(
        "DeviceWords", "Ready.")),
    Status.COVER_CLOSED: ("ok", QT_TRANSLATE_NOOP(
        "DeviceWords", "Ready.")),
    Status.IDLE: ("ok", QT_TRANSLATE_NOOP(
        "DeviceWords", "Ready.")),
    Status.DRAWER_CLOSED: ("ok", QT_TRANSLATE_NOOP(
        "DeviceWords", "Drawer closed.")),
    Status.DRAWER_OPEN: ("ok", QT_TRANSLATE_NOOP(
        "DeviceWords", "Drawer open.")),
    Status.BUSY: ("ok", QT_TRANSLATE_NOOP(
        "DeviceWords", "Working...")),
    Status.PAPER_NEAR_END: ("warning", QT_TRANSLATE_NOOP(
        "DeviceWords", "The paper roll is nearly empty. Have a new roll ready.")),
    Status.PAPER_OUT: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords",
        "Out of paper. Put in a new roll; waiting receipts print by "
        "themselves afterwards.")),
    Status.COVER_OPEN: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords",
        "The printer cover is open. Close it; waiting receipts print "
        "by themselves afterwards.")),
    Status.OFFLINE: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords",
        "Not answering. Check it is switched on and its cable is "
        "plugged in.")),
    Status.POWER_OFF: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords", "Switched off. Switch it on.")),
    Status.ERROR: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords",
        "Reports a fault. Switch it off and on again; if that does "
        "not help, call support.")),
    ErrorCode.NO_HARDWARE: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords",
        "Not found. Check it is switched on and its cable is plugged "
        "in.")),
    ErrorCode.TIMEOUT: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords",
        "Did not answer in time. Check its cable and power; the till "
        "keeps working meanwhile.")),
    ErrorCode.CLAIMED: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords", "In use by another program or till. Close the other one.")),
    ErrorCode.BUSY: ("warning", QT_TRANSLATE_NOOP(
        "DeviceWords", "Busy with another job. Wait a moment and try again.")),
    ErrorCode.NOT_USABLE: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords", "Its driver cannot run on this computer; ask support.")),
    ErrorCode.ILLEGAL: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords",
        "Set up wrongly; ask the manager to check the hardware "
        "settings.")),
    ErrorCode.FAILURE: ("error", QT_TRANSLATE_NOOP(
        "DeviceWords", "Reports a problem; see the log for details.")),
}


def words(code: str) -> tuple[str, str]:
    return WORDS.get(code, ("warning", code.replace("_", " ").capitalize() + "."))
