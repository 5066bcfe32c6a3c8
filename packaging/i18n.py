#!/usr/bin/env python3
"""Keep the translations in step with the code.

    python packaging/i18n.py update    # collect tr() strings into resources/translations/*.ts
    python packaging/i18n.py release   # compile the .ts files into the .qm files the till loads
    python packaging/i18n.py status    # how many strings each language still lacks

Strings are collected by Qt's own ``lupdate`` from the UI package and from the device
messages (``pos_app/hardware/messages.py``, marked with ``QT_TRANSLATE_NOOP``);
existing translations are kept. Translate with Qt Linguist (``pyside6-linguist``) or
any editor, then run ``release``. tests/test_i18n.py fails when a string is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "resources" / "translations"
LANGUAGES = ("de",)


def tool(name: str) -> str:
    found = shutil.which(f"pyside6-{name}") or str(Path(sys.executable).parent /
                                                   f"pyside6-{name}")
    if not Path(found).exists():
        sys.exit(f"pyside6-{name} not found: install PySide6 (python3 bootstrap.py test)")
    return found


def sources() -> list[Path]:
    files = sorted((ROOT / "pos_app" / "ui").rglob("*.py"))
    return [*files, ROOT / "pos_app" / "hardware" / "messages.py"]


def ts_file(lang: str) -> Path:
    return TRANSLATIONS / f"pos_{lang}.ts"


def update(target: Path | None = None, lang: str = "de") -> Path:
    out = target or ts_file(lang)
    subprocess.run([tool("lupdate"), *map(str, sources()), "-no-obsolete", "-locations", "none",
                    "-target-language", lang, "-ts", str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    return out


def release(lang: str = "de", out: Path | None = None) -> Path:
    qm = out or TRANSLATIONS / f"pos_{lang}.qm"
    subprocess.run([tool("lrelease"), str(ts_file(lang)), "-qm", str(qm)], check=True,
                   stdout=subprocess.DEVNULL)
    return qm


def messages(ts: Path) -> list[tuple[str, str, str | None, bool]]:
    """(context, source, translation, finished) for every message in a .ts file."""
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for m in context.iter("message"):
            tr = m.find("translation")
            finished = tr is not None and tr.get("type") not in ("unfinished", "obsolete")
            text = None
            if tr is not None:
                forms = tr.findall("numerusform")
                text = "|".join(f.text or "" for f in forms) if forms else tr.text
            out.append((name, m.findtext("source") or "", text, finished))
    return out


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "update":
        for lang in LANGUAGES:
            print(f"updated {update(lang=lang)}")
    elif what == "release":
        for lang in LANGUAGES:
            print(f"compiled {release(lang)}")
    elif what == "status":
        for lang in LANGUAGES:
            msgs = messages(ts_file(lang))
            missing = [m for m in msgs if not m[3]]
            print(f"{lang}: {len(msgs) - len(missing)}/{len(msgs)} translated")
            for context, source, _t, _f in missing[:40]:
                print(f"  {context}: {source}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
