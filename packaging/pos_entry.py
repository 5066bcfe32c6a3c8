"""Entry point of the frozen bundle: ``pos`` (the CLI; ``pos till`` opens the till).

On Windows the same program is also built windowed (``pos-till.exe``), where Python has
no console streams: they go to the null device (messages are in the rotating log)."""

from __future__ import annotations

import os
import sys

if sys.stdout is None or sys.stderr is None:  # a windowed build
    sys.stdout = sys.stdout or open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    sys.stderr = sys.stderr or open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

from pos_app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
