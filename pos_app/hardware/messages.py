"""Device states in words a cashier understands, with what to do about them."""

from __future__ import annotations

from drivers.errors import ErrorCode
from drivers.status import Status

# code -> (level, message); level is ok | warning | error. Status values and error codes
# share one namespace (offline, paper_out and cover_open are both).
WORDS: dict[str, tuple[str, str]] = {
    Status.ONLINE: ("ok", "Ready."),
    Status.PAPER_OK: ("ok", "Ready."),
    Status.COVER_CLOSED: ("ok", "Ready."),
    Status.IDLE: ("ok", "Ready."),
    Status.DRAWER_CLOSED: ("ok", "Drawer closed."),
    Status.DRAWER_OPEN: ("ok", "Drawer open."),
    Status.BUSY: ("ok", "Working..."),
    Status.PAPER_NEAR_END: ("warning", "The paper roll is nearly empty. Have a new roll ready."),
    Status.PAPER_OUT: ("error", "Out of paper. Put in a new roll; waiting receipts print "
                                "by themselves afterwards."),
    Status.COVER_OPEN: ("error", "The printer cover is open. Close it; waiting receipts "
                                 "print by themselves afterwards."),
    Status.OFFLINE: ("error", "Not answering. Check it is switched on and its cable is "
                              "plugged in."),
    Status.POWER_OFF: ("error", "Switched off. Switch it on."),
    Status.ERROR: ("error", "Reports a fault. Switch it off and on again; if that does not "
                            "help, call support."),
    ErrorCode.NO_HARDWARE: ("error", "Not found. Check it is switched on and its cable is "
                                     "plugged in."),
    ErrorCode.TIMEOUT: ("error", "Did not answer in time. Check its cable and power; the "
                                 "till keeps working meanwhile."),
    ErrorCode.CLAIMED: ("error", "In use by another program or till. Close the other one."),
    ErrorCode.BUSY: ("warning", "Busy with another job. Wait a moment and try again."),
    ErrorCode.NOT_USABLE: ("error", "Its driver cannot run on this computer; ask support."),
    ErrorCode.ILLEGAL: ("error", "Set up wrongly; ask the manager to check the hardware "
                                 "settings."),
    ErrorCode.FAILURE: ("error", "Reports a problem; see the log for details."),
}


def words(code: str) -> tuple[str, str]:
    return WORDS.get(code, ("warning", code.replace("_", " ").capitalize() + "."))
