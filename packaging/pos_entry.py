"""Entry point of the frozen bundle: ``pos`` (the CLI; ``pos till`` opens the till)."""

from __future__ import annotations

import sys

from pos_app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
