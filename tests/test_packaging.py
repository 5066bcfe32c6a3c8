"""The Debian package, built by ``packaging/build.py deb`` with the real dpkg-deb and
installed with the real dpkg into a throw-away root (``dpkg --root``, the maintainer
scripts run with DPKG_ROOT): what it contains, what its scripts do for the shop user
(groups, services, the store's migration on an upgrade), that running them again
changes nothing, and that a purge removes the software and keeps the shop's data.

The package wraps a stand-in for the PyInstaller bundle here (a launcher that runs this
checkout's ``pos``), so the maintainer scripts run the real command; building and
installing the real bundle takes minutes and is CI's packaging step
(``packaging/ci.sh``, docs/packaging.md)."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
from build import deb_members, dpkg, make_root  # noqa: E402
from pos_app.persistence.db import make_engine  # noqa: E402
from pos_app.persistence.migrate import head_revision  # noqa: E402

PREVIOUS = ROOT / "tests" / "data" / "store-rev0003.sqlite3.gz"
LAUNCHER = """#!/bin/sh
# stand-in for the PyInstaller bundle: this checkout's pos
PYTHONPATH="{root}" POS_PIN_HASH_PROFILE=test exec "{python}" -m pos_app.cli.main "$@"
"""


@pytest.fixture(scope="module")
def debs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("deb")
    bundle = work / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    launcher = bundle / "pos"
    launcher.write_text(LAUNCHER.format(root=ROOT, python=sys.executable))
    launcher.chmod(0o755)
    out = {}
    for ver in ("0.1.0", "0.1.1"):
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "deb",
                        "--bundle", str(bundle), "--out", str(work), "--version", ver],
                       check=True, capture_output=True)
        out[ver] = work / f"pos-app_{ver}_amd64.deb"
    return out


def _info(deb: Path) -> str:
    return subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True,
                          check=True).stdout


def test_the_package_holds_the_bundle_command_desktop_units_and_udev_rules(
        debs: dict[str, Path]) -> None:
    deb = debs["0.1.0"]
    info = _info(deb)
    assert "Package: pos-app" in info and "Version: 0.1.0" in info
    assert "Architecture: amd64" in info
    for lib in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "passwd"):
        assert lib in info  # what the bundle takes from the system
    for script in ("postinst", "prerm", "postrm", "conffiles"):
        assert script in info
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert all(" root/root " in line for line in listing)  # --root-owner-group
    link = next(line for line in listing if line.endswith("./usr/bin/pos -> /opt/pos-app/pos"))
    assert link.startswith("l")
    members = set(deb_members(deb))
    for path in ("./opt/pos-app/pos", "./usr/sbin/pos-app-shop-user",
                 "./usr/share/applications/pos-app.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/pos-app.svg",
                 "./lib/systemd/system/pos-sync@.service",
                 "./lib/systemd/system/pos-backup@.timer",
                 "./usr/lib/systemd/user/pos-till-kiosk.service",
                 "./etc/xdg/autostart/pos-till-kiosk.desktop",
                 "./lib/udev/rules.d/70-pos-app.rules", "./etc/default/pos-app",
                 "./usr/share/doc/pos-app/copyright", "./usr/share/man/man1/pos.1.gz"):
        assert path in members, path
    root = Path(subprocess.run(["mktemp", "-d"], capture_output=True, text=True,
                               check=True).stdout.strip())
    try:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        rules = (root / "lib/udev/rules.d/70-pos-app.rules").read_text()
        assert 'ENV{ID_USB_INTERFACES}=="*:0701*", GROUP="lp"' in rules  # printer class
        assert 'GROUP="dialout"' in rules and 'GROUP="input"' in rules
        assert rules.count('ENV{ID_MM_DEVICE_IGNORE}="1"') == 2  # ModemManager: hands off
        sync_unit = (root / "lib/systemd/system/pos-sync@.service").read_text()
        assert "User=%i" in sync_unit and "ExecStart=/usr/bin/pos sync run" in sync_unit
        assert "ExecCondition=/usr/bin/pos db status --quiet" in sync_unit
        desktop = (root / "usr/share/applications/pos-app.desktop").read_text()
        assert "Exec=/usr/bin/pos till" in desktop and "Icon=pos-app" in desktop
        with gzip.open(root / "usr/share/man/man1/pos.1.gz") as man:
            assert b".TH POS 1" in man.read()
    finally:
        shutil.rmtree(root)


def _groups(root: Path) -> dict[str, list[str]]:
    out = {}
    for line in (root / "etc/group").read_text().splitlines():
        name, _x, _gid, members = line.split(":")
        out[name] = [m for m in members.split(",") if m]
    return out


def _wants(root: Path) -> set[str]:
    etc = root / "etc/systemd/system"
    return {p.name for p in etc.rglob("*") if p.is_symlink()} if etc.exists() else set()


def _dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _revision(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("select version_num from alembic_version").fetchone()[0])
    finally:
        con.close()


def test_install_upgrade_reinstall_and_purge_in_a_throwaway_root(
        debs: dict[str, Path], tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", [("shop", 1000), ("anna", 1001)])
    store = root / "home/shop/.local/share/pos-app"
    store.mkdir(parents=True)
    with gzip.open(PREVIOUS) as src, open(store / "pos.sqlite3", "wb") as dst:
        shutil.copyfileobj(src, dst)  # the store the previous release left

    proc = dpkg(root, "-i", str(debs["0.1.0"]), env={"SUDO_USER": "shop"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pos-app: shop user shop" in proc.stdout
    groups = _groups(root)
    for group in ("lp", "dialout", "input"):
        assert groups[group] == ["shop"]
    assert "pos-kiosk" in groups and groups["pos-kiosk"] == []  # POS_KIOSK=no
    assert {"pos-sync@shop.service", "pos-backup@shop.timer"} <= _wants(root)
    assert (root / "var/lib/pos-app/shop-user").read_text().strip() == "shop"
    assert (root / "usr/bin/pos").resolve() == Path("/opt/pos-app/pos")
    assert (root / "opt/pos-app/pos").exists()
    assert _revision(store / "pos.sqlite3") == "0003"  # a fresh install migrates nothing

    engine = make_engine("sqlite://")
    head = head_revision(engine)
    engine.dispose()
    proc = dpkg(root, "-i", str(debs["0.1.1"]))  # an upgrade: the store follows
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"schema at {head}" in proc.stdout
    assert _revision(store / "pos.sqlite3") == head
    (backup,) = (store / "backups").glob(f"pos-*-before-{head}.sqlite3")
    assert _revision(backup) == "0003"

    before = (root / "etc/group").read_text(), _wants(root)
    proc = dpkg(root, "-i", str(debs["0.1.1"]))  # the same again: nothing changes
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ((root / "etc/group").read_text(), _wants(root)) == before
    assert len(list((store / "backups").glob("pos-*-before-*.sqlite3"))) == 1

    # another shop user, with the kiosk: the first one's services go
    tool = subprocess.run([str(root / "usr/sbin/pos-app-shop-user"), "anna", "--kiosk"],
                          env={"DPKG_ROOT": str(root), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                          capture_output=True, text=True)
    assert tool.returncode == 0, tool.stderr
    assert "kiosk on" in tool.stdout
    assert _groups(root)["pos-kiosk"] == ["anna"] and "anna" in _groups(root)["dialout"]
    wants = _wants(root)
    assert "pos-sync@anna.service" in wants and "pos-sync@shop.service" not in wants
    refused = subprocess.run([str(root / "usr/sbin/pos-app-shop-user"), "root"],
                             env={"DPKG_ROOT": str(root), "PATH": "/usr/sbin:/usr/bin"},
                             capture_output=True, text=True)
    assert refused.returncode == 1 and "does not run as root" in refused.stderr

    proc = dpkg(root, "--purge", "pos-app")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (root / "opt/pos-app").exists() and not (root / "usr/bin/pos").exists()
    assert not (root / "etc/default/pos-app").exists()
    assert not (root / "var/lib/pos-app").exists()
    assert not {w for w in _wants(root) if w.startswith("pos-")}
    assert _revision(store / "pos.sqlite3") == head  # the shop's data stays


def test_an_upgrade_whose_migration_fails_says_how_to_go_back_and_keeps_the_store(
        debs: dict[str, Path], tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", [("shop", 1000)])
    store = root / "home/shop/.local/share/pos-app"
    store.mkdir(parents=True)
    with gzip.open(PREVIOUS) as src, open(store / "pos.sqlite3", "wb") as dst:
        shutil.copyfileobj(src, dst)
    con = sqlite3.connect(store / "pos.sqlite3")
    con.execute("update alembic_version set version_num='9999'")  # no release knows it
    con.commit()
    con.close()
    before = _dump(store / "pos.sqlite3")
    assert dpkg(root, "-i", str(debs["0.1.0"]), env={"SUDO_USER": "shop"}).returncode == 0
    proc = dpkg(root, "-i", str(debs["0.1.1"]))
    assert proc.returncode != 0
    assert "could not be upgraded to this version; it is unchanged" in proc.stderr
    assert "sudo apt install pos-app=0.1.0" in proc.stderr
    assert "newer than this version of pos understands" in proc.stderr  # the reason, once
    assert _dump(store / "pos.sqlite3") == before  # every row and table as it was
    assert not (store / "backups").exists() or not list((store / "backups").iterdir())
