#!/usr/bin/env python3
"""Build what a shop installs: the self-contained bundle and the Debian package.

    python packaging/build.py bundle [--force]    # PyInstaller one-folder bundle: dist/pos-app/
    python packaging/build.py deb [--bundle DIR]  # dist/pos-app_VERSION_amd64.deb (dpkg-deb)
    python packaging/build.py check DEB           # dpkg-deb -I/-c summary, lintian if installed
    python packaging/build.py install-test DEB    # install into a throw-away root and back out

The bundle is cached: it is rebuilt only when the sources, the spec or the installed
packages change (a hash in dist/pos-app/.build-key). Run it with the project's
interpreter (.venv/bin/python); PyInstaller is installed into it when missing.
See docs/packaging.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
DIST = ROOT / "dist"
BUILD = ROOT / "build"
BUNDLE = DIST / "pos-app"
KEY_FILE = ".build-key"
PYINSTALLER = "pyinstaller>=6.10,<7"
ENTRY_GROUPS = ("pos_app.drivers", "pos_app.sync_connectors")
SOURCES = ("pos_app", "drivers", "sync", "resources", "packaging/pos-app.spec",
           "packaging/pos_entry.py", "pyproject.toml")
# what the bundle needs from the system (Qt's xcb platform plugin, OpenGL, fonts, D-Bus)
DEPENDS = ("libc6 (>= 2.31), libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, "
           "libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xfixes0, libxcb-xkb1, "
           "libxkbcommon-x11-0, libxkbcommon0, libegl1, libgl1, libfontconfig1, "
           "libdbus-1-3, passwd")
RECOMMENDS = "systemd, udev, libusb-1.0-0"


def say(text: str) -> None:
    print(f"build: {text}", flush=True)


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


# ----- bundle ----------------------------------------------------------------------------
def entry_modules() -> list[str]:
    """Modules the entry points name: loaded by name at run time, so PyInstaller's import
    scan cannot see them; they go in as hidden imports, the metadata with them."""
    from importlib.metadata import entry_points

    return sorted({ep.value.split(":")[0] for group in ENTRY_GROUPS
                   for ep in entry_points(group=group)})


def source_key() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for f in files:
            digest.update(str(f.relative_to(ROOT)).encode())
            digest.update(f.read_bytes())
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all",
                             "--disable-pip-version-check"], capture_output=True, text=True,
                            check=True).stdout
    # the installed libraries; not this project itself (its editable line names a commit)
    digest.update("\n".join(ln for ln in freeze.splitlines()
                            if not ln.startswith(("-e", "#", "pos-app", "pos_app"))
                            ).encode())
    digest.update(sys.version.encode())
    digest.update(",".join(entry_modules()).encode())
    return digest.hexdigest()


def ensure_pyinstaller() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        say(f"installing {PYINSTALLER} into {sys.prefix}")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", PYINSTALLER], check=True)


def build_bundle(force: bool = False, out: Path = BUNDLE) -> Path:
    ensure_pyinstaller()
    key = source_key()
    stamp = out / KEY_FILE
    if not force and stamp.exists() and stamp.read_text() == key and (out / "pos").exists():
        say(f"bundle up to date: {out} ({size_mb(out):.0f} MB)")
        return out
    started = time.monotonic()
    env = {**os.environ, "POS_BUILD_ROOT": str(ROOT),
           "POS_ENTRY_MODULES": ",".join(entry_modules())}
    work = BUILD / "pyinstaller"
    dist = out.parent / f".{out.name}.new"
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--workpath", str(work), "--distpath",
                    str(dist), str(ROOT / "packaging" / "pos-app.spec")],
                   env=env, check=True)
    (dist / "pos-app" / KEY_FILE).write_text(key)
    if out.exists():
        shutil.rmtree(out)
    (dist / "pos-app").rename(out)  # a half-built bundle never has the cache's name
    shutil.rmtree(dist)
    say(f"bundle built in {time.monotonic() - started:.0f} s: {out} "
        f"({size_mb(out):.0f} MB)")
    return out


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()
               and not f.is_symlink()) / 1e6


# ----- Debian package --------------------------------------------------------------------
def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # the bundle is large: a hard link where the file system allows
    except OSError:
        shutil.copy2(src, dst)


def _install(src: Path, dst: Path, mode: int = 0o644) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    dst.chmod(mode)


def _gzip(text: bytes, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(dst, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                               filename="") as gz:
        gz.write(text)
    dst.chmod(0o644)


def man_page(ver: str) -> bytes:
    return f""".TH POS 1 "" "pos-app {ver}" "User Commands"
.SH NAME
pos \\- offline-first point of sale: the till, its command line and services
.SH SYNOPSIS
.B pos
[\\-\\-data\\-dir DIR] COMMAND ...
.SH DESCRIPTION
.B pos till
opens the till (the first-run wizard when there is no store yet);
.B pos till \\-\\-kiosk
full screen, closed only with a manager's PIN.
.B pos sync run
runs the sync engine,
.B pos db backup|restore|upgrade|status
looks after the store.
.B pos \\-\\-help
lists every command. Data: ~/.local/share/pos-app; log:
~/.local/state/pos-app/log/pos.log.
.SH SEE ALSO
/usr/share/doc/pos-app/install.md
""".encode()


CHANGELOG = """pos-app ({ver}) stable; urgency=medium

  * Release {ver}: the till, back office, drivers and sync engine as one bundle.

 -- pos-app maintainers <maintainers@pos-app.invalid>  Mon, 01 Dec 2025 12:00:00 +0000
"""

COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: pos-app
Source: the pos-app repository

Files: *
Copyright: 2025 the pos-app authors
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0. The bundle in /opt/pos-app also contains
 Python, Qt (LGPL-3.0, PySide6) and the Python libraries listed in
 /opt/pos-app/_internal/*.dist-info, each under its own licence.
"""

LINTIAN_OVERRIDES = """# A self-contained third-party build, not a Debian archive package:
# the bundle lives in /opt/pos-app with its own Python, Qt and libraries.
pos-app: dir-or-file-in-opt [*]
pos-app: embedded-library *
pos-app: shared-library-lacks-prerequisites [*]
pos-app: shared-library-lacks-version [*]
pos-app: unstripped-binary-or-object [*]
pos-app: binary-without-manpage [*]
pos-app: library-not-linked-against-libc [*]
pos-app: executable-in-usr-lib [*]
pos-app: package-contains-vcs-control-file [*]
pos-app: spelling-error-in-binary *
pos-app: extra-license-file [*]
pos-app: package-contains-documentation-outside-usr-share-doc [*]
pos-app: package-installs-python-pycache-dir [*]
pos-app: unusual-interpreter [*]
pos-app: script-not-executable [*]
pos-app: privacy-breach-generic [*]
pos-app: font-in-non-font-package [*]
pos-app: sharedobject-in-library-directory-missing-soname [*]
pos-app: maintainer-script-calls-systemctl *
pos-app: elevated-privileges *
# PyInstaller keeps the build interpreter's RUNPATH; its loader loads from _internal/
pos-app: custom-library-search-path *
pos-app: missing-depends-on-sensible-utils sensible-pager [*]
"""


def stage(bundle: Path, root: Path, ver: str) -> None:
    """The package's file tree (without DEBIAN/)."""
    if root.exists():
        shutil.rmtree(root)
    opt = root / "opt" / "pos-app"
    shutil.copytree(bundle, opt, symlinks=True, copy_function=_link_or_copy,
                    ignore=shutil.ignore_patterns(KEY_FILE, "__pycache__"))
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "pos").symlink_to("/opt/pos-app/pos")
    _install(LINUX / "pos-app-shop-user", root / "usr/sbin/pos-app-shop-user", 0o755)
    _install(LINUX / "kiosk-session", root / "usr/lib/pos-app/kiosk-session", 0o755)
    _install(LINUX / "pos-app.desktop", root / "usr/share/applications/pos-app.desktop")
    _install(LINUX / "pos-app.svg", root / "usr/share/icons/hicolor/scalable/apps/pos-app.svg")
    for unit in ("pos-sync@.service", "pos-backup@.service", "pos-backup@.timer"):
        _install(LINUX / unit, root / "lib/systemd/system" / unit)
    _install(LINUX / "pos-till-kiosk.service",
             root / "usr/lib/systemd/user/pos-till-kiosk.service")
    _install(LINUX / "pos-till-kiosk.desktop",
             root / "etc/xdg/autostart/pos-till-kiosk.desktop")
    _install(LINUX / "70-pos-app.rules", root / "lib/udev/rules.d/70-pos-app.rules")
    _install(LINUX / "default", root / "etc/default/pos-app")
    doc = root / "usr/share/doc/pos-app"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT)
    _gzip(CHANGELOG.format(ver=ver).encode(), doc / "changelog.gz")
    for name in ("install.md", "packaging.md", "hardware.md"):
        if (ROOT / "docs" / name).exists():
            _install(ROOT / "docs" / name, doc / name)
    _gzip(man_page(ver), root / "usr/share/man/man1/pos.1.gz")
    overrides = root / "usr/share/lintian/overrides/pos-app"
    overrides.parent.mkdir(parents=True)
    overrides.write_text(LINTIAN_OVERRIDES)
    for d in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
        d.chmod(0o755)
    for lib in opt.rglob("*.so*"):  # shared libraries are not programs (lintian)
        if lib.is_file() and not lib.is_symlink() and lib.stat().st_mode & 0o111:
            lib.chmod(0o644)


def control(root: Path, ver: str) -> str:
    size_kib = sum(f.stat().st_size for f in root.rglob("*") if f.is_file()
                   and not f.is_symlink()) // 1024
    return f"""Package: pos-app
Version: {ver}
Architecture: amd64
Maintainer: pos-app maintainers <maintainers@pos-app.invalid>
Installed-Size: {size_kib}
Depends: {DEPENDS}
Recommends: {RECOMMENDS}
Section: misc
Priority: optional
Homepage: https://pos-app.invalid/
Description: offline-first point of sale: till, back office, devices and sync
 A till that sells from a local SQLite store whether or not the internet is up:
 touchscreen till and back office (Qt), drivers for receipt printers, scanners,
 drawers, card terminals, displays and scales, and a sync engine that delivers
 every sale exactly once to accounting, inventory and web shops.
 .
 Self-contained (Python and Qt included, in /opt/pos-app). Installs the pos
 command, a desktop entry, udev rules for till devices, a sync service and a
 daily backup timer for the shop user, and an optional kiosk mode.
"""


def build_deb(bundle: Path, out_dir: Path = DIST, ver: str | None = None,
              xz: bool = False) -> Path:
    ver = ver or version()
    if not (bundle / "pos").exists():
        sys.exit(f"build: no bundle in {bundle}: run `python packaging/build.py bundle` first")
    started = time.monotonic()
    root = out_dir / f".deb-root-{ver}"
    stage(bundle, root, ver)
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control(root, ver))
    (debian / "conffiles").write_text("/etc/default/pos-app\n"
                                      "/etc/xdg/autostart/pos-till-kiosk.desktop\n")
    for script in ("postinst", "prerm", "postrm"):
        _install(LINUX / script, debian / script, 0o755)
    for f in (debian / "control", debian / "conffiles"):
        f.chmod(0o644)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"pos-app_{ver}_amd64.deb"
    # gzip -6: 10 s and 91 MB here; xz -6 (--xz, for a release): 70 MB in one to two
    # minutes. zstd would be both, but lintian 2.116 (bookworm) rejects it.
    level = ["-Zxz", "-z6"] if xz else ["-Zgzip", "-z6"]
    subprocess.run(["dpkg-deb", "--root-owner-group", *level, "--build", str(root),
                    str(deb)], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(root)
    say(f"{deb.name} built in {time.monotonic() - started:.0f} s "
        f"({deb.stat().st_size / 1e6:.0f} MB)")
    return deb


def check_deb(deb: Path) -> int:
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True,
                          check=True).stdout
    files = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    print(info)
    print(f"{len(files)} entries; outside /opt:")
    for line in files:
        if " ./opt/" not in line:
            print("  " + line)
    lintian = shutil.which("lintian")
    if lintian is None:
        say("lintian not installed (apt-get install lintian): skipped")
        return 0
    proc = subprocess.run([lintian, "--no-tag-display-limit", "--fail-on", "error", str(deb)],
                          capture_output=True, text=True)
    print(proc.stdout + proc.stderr)
    say(f"lintian: {'no errors' if proc.returncode == 0 else 'errors'}")
    return proc.returncode


# ----- a throw-away root: dpkg --root with the maintainer scripts run chrootless ------------
def make_root(root: Path, users: Iterable[tuple[str, int]] = ()) -> Path:
    """A minimal root dpkg can install into: its own dpkg database and account files."""
    admin = root / "var/lib/dpkg"
    for d in ("info", "updates", "triggers"):
        (admin / d).mkdir(parents=True, exist_ok=True)
    for f in ("status", "available"):
        (admin / f).touch()
    etc = root / "etc"
    etc.mkdir(exist_ok=True)
    passwd = ["root:x:0:0:root:/root:/bin/sh"]
    group = ["root:x:0:", "lp:x:7:", "dialout:x:20:", "input:x:101:"]
    for name, uid in users:
        passwd.append(f"{name}:x:{uid}:{uid}:{name}:/home/{name}:/bin/sh")
        group.append(f"{name}:x:{uid}:")
        (root / "home" / name).mkdir(parents=True, exist_ok=True)
    (etc / "passwd").write_text("\n".join(passwd) + "\n")
    (etc / "group").write_text("\n".join(group) + "\n")
    (etc / "shadow").write_text("".join(f"{p.split(':')[0]}:*:19000:0:99999:7:::\n"
                                        for p in passwd))
    (etc / "gshadow").write_text("".join(f"{g.split(':')[0]}:*::\n" for g in group))
    (etc / "shadow").chmod(0o640)
    (etc / "gshadow").chmod(0o640)
    return root


def dpkg(root: Path, *args: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    """dpkg on ``root``; maintainer scripts run here with DPKG_ROOT set (they honour it)."""
    cmd = ["dpkg", f"--root={root}", f"--log={root / 'dpkg.log'}",
           "--force-script-chrootless", "--force-depends", "--force-not-root", *args]
    if os.geteuid() != 0:
        cmd = ["fakeroot", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def install_test(deb: Path, root: Path) -> None:
    """Install, reinstall (idempotent) and purge in a throw-away root; print what it did."""
    make_root(root, [("shop", 1000)])
    for step, args in (("install", ["-i", str(deb)]), ("reinstall", ["-i", str(deb)])):
        proc = dpkg(root, *args, env={"SUDO_USER": "shop"})
        print(proc.stdout + proc.stderr)
        if proc.returncode:
            sys.exit(f"build: dpkg {step} failed")
    group = (root / "etc/group").read_text()
    print(group)
    run = subprocess.run([str(root / "opt/pos-app/pos"), "--help"], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    proc = dpkg(root, "--purge", "pos-app")
    print(proc.stdout + proc.stderr)
    if proc.returncode:
        sys.exit("build: dpkg --purge failed")
    left = [p for p in (root / "opt").rglob("*")] if (root / "opt").exists() else []
    if left:
        sys.exit(f"build: purge left {len(left)} files in /opt")
    say(f"installed, reinstalled and purged in {root}")


def deb_members(deb: Path) -> list[str]:
    """Paths in the package's data part (for tests)."""
    listing = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True,
                             check=True).stdout
    import io

    with tarfile.open(fileobj=io.BytesIO(listing)) as tar:
        return tar.getnames()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    b = sub.add_parser("bundle")
    b.add_argument("--force", action="store_true", help="rebuild even when up to date")
    b.add_argument("--out", type=Path, default=BUNDLE)
    d = sub.add_parser("deb")
    d.add_argument("--bundle", type=Path, default=BUNDLE)
    d.add_argument("--out", type=Path, default=DIST)
    d.add_argument("--version")
    d.add_argument("--xz", action="store_true", help="smaller, slower (a release)")
    c = sub.add_parser("check")
    c.add_argument("deb", type=Path)
    t = sub.add_parser("install-test")
    t.add_argument("deb", type=Path)
    t.add_argument("--root", type=Path, default=BUILD / "throwaway-root")
    ns = p.parse_args(argv)
    if ns.what == "bundle":
        build_bundle(ns.force, ns.out)
    elif ns.what == "deb":
        build_deb(ns.bundle.resolve(), ns.out.resolve(), ns.version, ns.xz)
    elif ns.what == "check":
        return check_deb(ns.deb)
    elif ns.what == "install-test":
        if ns.root.exists():
            shutil.rmtree(ns.root)
        install_test(ns.deb.resolve(), ns.root.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
