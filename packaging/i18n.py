#!/usr/bin/env python3
"""Keep the translations in step with the code.

    python packaging/i18n.py update    # collect tr() strings into resources/translations/*.ts
    python packaging/i18n.py release   # compile the .ts files into the .qm files the till loads
    python packaging/i18n.py status    # how many strings each language still lacks

Strings are collected by Qt's own ``lupdate`` from the UI package and from the device
messages (``pos_app/hardware/messages.py``, marked with ``QT_TRANSLATE_NOOP``);
existing translations are kept. The refusals the services raise (``PosError`` templates
such as ``"{sku}: order a positive quantity"``) are not tr() calls: ``refusals()`` reads
them from the raise sites with ``ast`` and lupdate files them under the ``Refusal``
context from a generated list of ``QT_TRANSLATE_NOOP`` entries (a temporary file, never
committed). Keep every ``{name}`` placeholder in a translation. Translate with Qt
Linguist (``pyside6-linguist``) or any editor, then run ``release``. tests/test_i18n.py
fails when a string is missing.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
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


REFUSAL = "Refusal"  # the context pos_app/ui/i18n.py refusal_text() looks templates up in
ERROR_BASES = ("PosError", "ValidationError", "NotFound", "PermissionDenied",
               "AuthenticationFailed", "StateError")


def refusal_sources() -> list[Path]:
    """Where the refusals a screen shows are raised: the domain, the services, the app
    wiring and the UI's own. Not persistence (its own developer), the CLI (English by
    design) or qtenv (it speaks before there is a screen)."""
    pos = ROOT / "pos_app"
    files = [*sorted((pos / "domain").rglob("*.py")), *sorted((pos / "services").rglob("*.py")),
             pos / "app.py", *sorted((pos / "ui").rglob("*.py"))]
    return [f for f in files if f.name != "qtenv.py"]


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """The PosError family: the base classes and every class derived from one of them."""
    names = set(ERROR_BASES)
    classes = [n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grown = True
    while grown:
        grown = False
        for c in classes:
            if c.name not in names and any(isinstance(b, ast.Name) and b.id in names
                                           for b in c.bases):
                names.add(c.name)
                grown = True
    return names


def refusal_calls() -> Iterator[tuple[Path, ast.Call, ast.expr]]:
    """(file, call, first argument) for each construction of a PosError (also
    ``super().__init__(...)`` inside one): the first argument is its template."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in refusal_sources()}
    family = _error_classes(list(trees.values()))
    for path, tree in trees.items():
        inside = {id(n): c.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
                  for n in ast.walk(c)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            named = isinstance(f, ast.Name) and f.id in family
            init = (isinstance(f, ast.Attribute) and f.attr == "__init__"
                    and isinstance(f.value, ast.Call) and getattr(f.value.func, "id", "") == "super"
                    and inside.get(id(node)) in family)
            if named or init:
                yield path, node, node.args[0]


def literal_templates(arg: ast.expr) -> list[str] | None:
    """The template(s) an argument gives: a string literal, or either side of
    ``"..." if cond else "..."``; None for anything else."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        body, orelse = literal_templates(arg.body), literal_templates(arg.orelse)
        if body is not None and orelse is not None:
            return body + orelse
    return None


def refusals() -> list[str]:
    """Every refusal template raised in refusal_sources(), sorted, each once."""
    found = set()
    for _path, _call, arg in refusal_calls():
        found.update(literal_templates(arg) or [])
    return sorted(t for t in found if t)


def _refusal_noop_file(directory: Path) -> Path:
    """The templates as QT_TRANSLATE_NOOP entries, which lupdate reads like messages.py."""
    out = directory / "refusals.py"
    out.write_text("".join(f"QT_TRANSLATE_NOOP({json.dumps(REFUSAL)}, "
                           f"{json.dumps(t, ensure_ascii=False)})\n" for t in refusals()),
                   encoding="utf-8")
    return out


def ts_file(lang: str) -> Path:
    return TRANSLATIONS / f"pos_{lang}.ts"


def update(target: Path | None = None, lang: str = "de") -> Path:
    out = target or ts_file(lang)
    with tempfile.TemporaryDirectory(prefix="pos-i18n-") as tmp:
        files = [*sources(), _refusal_noop_file(Path(tmp))]
        subprocess.run([tool("lupdate"), *map(str, files), "-no-obsolete", "-locations",
                        "none", "-target-language", lang, "-ts", str(out)], check=True,
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
