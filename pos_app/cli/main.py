"""``pos``: the headless till. Bad input gives one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from ..domain.errors import PosError
from ..services.reports import REPORTS
from . import backoffice_cmd, commands
from .args import ScanAction

log = logging.getLogger("pos_app.cli")

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"pos: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="store directory (default: $POS_DATA_DIR or the platform data dir)")
    common.add_argument("--user", default=argparse.SUPPRESS, help="user name (or $POS_USER)")
    common.add_argument("--pin", default=argparse.SUPPRESS, help="PIN (or $POS_PIN)")

    p = _Parser(prog="pos", description=__doc__, parents=[common])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, parents=[common])

    s = cmd("init", "create a store, this till and its first admin user")
    s.add_argument("--store-name", required=True)
    s.add_argument("--store-code", default="S1")
    s.add_argument("--till", default="T1", help="till code, part of every receipt number")
    s.add_argument("--currency", default="EUR")
    s.add_argument("--tax-mode", choices=["inclusive", "exclusive"], default="inclusive")
    s.add_argument("--admin", default="admin")
    s.add_argument("--admin-pin", required=True)
    s.add_argument("--tax", action="append", default=[], metavar="CODE:NAME:RATE",
                   help="tax category, e.g. STD:Standard:0.19 (repeatable)")

    s = cmd("demo-data", "build a realistic demo store (N variants, users for every role)")
    s.add_argument("--skus", type=int, default=2000)
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--history-days", type=int, default=0,
                   help="ring up this many past trading days (shifts, sales, returns)")

    s = cmd("demo", "set up the demo store if needed and open the till on it, every device "
                    "emulated (no screen: a scripted sale through the emulators instead)")
    s.add_argument("--skus", type=int, default=2000)
    s.add_argument("--headless", action="store_true",
                   help="ring up the scripted sale in the terminal instead of opening the till")
    s.add_argument("--history-days", type=int, default=7,
                   help="past trading days in a new demo store, for the reports (default 7)")

    s = cmd("till", "open the till window on the configured store and hardware profile")
    s.add_argument("--fullscreen", action="store_true", help="fill the screen (a till PC)")
    s.add_argument("--kiosk", action="store_true",
                   help="full screen; closing it needs a manager's PIN (SIGTERM still stops it)")
    s.add_argument("--sim-terminal", action="store_true",
                   help="the built-in card terminal simulator when the profile has none")

    s = cmd("db", "database maintenance")
    dbs = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    dbs.add_parser("upgrade", help="migrate to the newest schema (after a backup); refused "
                   "while a till has the store open", parents=[common]).add_argument(
        "--if-idle", action="store_true",
        help="a till has the store open: leave it (the till migrates at its next start)")
    b = dbs.add_parser("backup", help="consistent online backup", parents=[common])
    b.add_argument("--to", help="target file (default: backups/ in the data dir)")
    b.add_argument("--daily", action="store_true", help="today's backup unless there is one, "
                   "then delete daily backups older than the kept days (a timer runs this)")
    b.add_argument("--keep", type=int, metavar="DAYS",
                   help="with --daily: days of backups to keep (default: setting "
                        "backup_keep_days)")
    r = dbs.add_parser("restore", help="replace the store with a backup (checked first; "
                       "the current database is kept in backups/)", parents=[common])
    r.add_argument("file")
    dbs.add_parser("status", help="is there a store here, and its schema and backups "
                   "(exit 1: no store yet)", parents=[common]).add_argument(
        "--quiet", action="store_true")

    s = cmd("catalog", "catalog import, export and lookup")
    cs = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    cs.add_parser("import", help="import a CSV file (all or nothing)",
                  parents=[common]).add_argument("file")
    cs.add_parser("export", help="export the catalog as CSV", parents=[common]).add_argument(
        "file")
    cs.add_parser("search", help="type-ahead search", parents=[common]).add_argument("text")
    cs.add_parser("show", help="look up a barcode or SKU", parents=[common]).add_argument("code")
    ps = cs.add_parser("price", help="change a price (live at once)", parents=[common])
    ps.add_argument("sku")
    ps.add_argument("amount")

    s = cmd("sale", "a headless sale through the same services as the till")
    s.add_argument("--scan", action=ScanAction, dest="items", metavar="CODE", required=True,
                   help="barcode or SKU (repeatable)")
    s.add_argument("--qty", action=ScanAction, dest="items", metavar="N",
                   help="quantity (or weight in kg) of the preceding --scan")
    s.add_argument("--customer", help="customer code or id")
    s.add_argument("--discount", help="order discount: 10%% or 5.00")
    s.add_argument("--pay", action="append", required=True, metavar="TENDER[:AMOUNT]",
                   help="cash:20.00 | cash | card | card:5.00 | credit[:X] | points:N; "
                        "repeat, or split:card:5.00,cash for split tender")
    s.add_argument("--approver", help="supervisor user for an override")
    s.add_argument("--approver-pin")
    s.add_argument("--json", action="store_true")
    _device_options(s)

    s = cmd("refund", "return items and refund them")
    s.add_argument("--receipt", help="receipt number of the original sale")
    s.add_argument("--line", action="append", default=[], metavar="LINE[:QTY]",
                   help="line to return (default: every line still returnable)")
    s.add_argument("--scan", action="append", default=[], metavar="CODE",
                   help="item returned without a receipt (needs --approver)")
    s.add_argument("--no-restock", action="store_true", help="do not put items back in stock")
    s.add_argument("--to", choices=["original", "store_credit"], default="original")
    s.add_argument("--approver", help="manager user approving a return without receipt")
    s.add_argument("--approver-pin")
    s.add_argument("--json", action="store_true")
    _device_options(s)

    s = cmd("shift", "open a shift, paid-in/out, no-sale")
    ss = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ss.add_parser("open", help="open with a float", parents=[common]).add_argument(
        "--float", dest="opening_float", default="0")
    for name in ("paid-in", "paid-out"):
        x = ss.add_parser(name, help=f"record a {name}", parents=[common])
        x.add_argument("amount")
        x.add_argument("--reason", required=True)
    ns_ = ss.add_parser("no-sale", help="open the drawer without a sale (audited)",
                        parents=[common])
    ns_.add_argument("--reason", default="no sale")
    _device_options(ns_)
    ss.add_parser("status", help="show the open shift", parents=[common])

    s = cmd("report", "X (mid-shift) or Z (close the shift) report, or a back-office report "
                      "over store-local days")
    s.add_argument("kind", choices=["x", "z", *REPORTS])
    s.add_argument("--format", choices=["text", "json", "csv"], default="text")
    s.add_argument("--count", action="append", default=[], metavar="TENDER:AMOUNT",
                   help="Z only: counted amount per tender, e.g. cash:412.50")
    backoffice_cmd.add_report_options(s)

    s = cmd("audit", "audit log")
    s.add_subparsers(dest="action", required=True, parser_class=_Parser).add_parser(
        "verify", help="check the hash chain; names any edited, inserted or deleted entry",
        parents=[common])

    s = cmd("user", "users and roles")
    us = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ua = us.add_parser("add", help="add a user", parents=[common])
    ua.add_argument("username")
    ua.add_argument("--role", choices=["cashier", "supervisor", "manager", "admin"],
                    required=True)
    ua.add_argument("--new-pin", required=True)
    ua.add_argument("--name")

    s = cmd("customer", "customers")
    cu = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ca = cu.add_parser("add", help="add a customer", parents=[common])
    ca.add_argument("code")
    ca.add_argument("name")
    ca.add_argument("--email")
    ca.add_argument("--tax-exempt", metavar="CERTIFICATE")
    cu.add_parser("show", help="balance and purchase history", parents=[common]).add_argument(
        "code")

    s = cmd("stock", "stock on hand, adjustments and counts")
    st = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    st.add_parser("on-hand", help="quantity on hand", parents=[common]).add_argument("sku")
    sa = st.add_parser("adjust", help="add or remove stock with a reason", parents=[common])
    sa.add_argument("sku")
    sa.add_argument("delta")
    sa.add_argument("--reason", required=True)
    sa.add_argument("--receiving", action="store_true", help="goods received")
    sc = st.add_parser("count", help="record a counted quantity", parents=[common])
    sc.add_argument("sku")
    sc.add_argument("counted")
    backoffice_cmd.add_stock_parsers(st, common)

    s = cmd("settings", "show or change store settings")
    se = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    se.add_parser("show", parents=[common])
    sset = se.add_parser("set", parents=[common])
    sset.add_argument("key")
    sset.add_argument("value")

    from .devices_cmd import add_parser as add_devices_parser
    from .sync_cmd import add_parser as add_sync_parser

    add_sync_parser(sub, common, _Parser)
    backoffice_cmd.add_parsers(sub, common, _Parser)
    add_devices_parser(sub, common, _Parser)

    s = cmd("bench", "measure lookup, cart, search, commit and Z-report speed")
    s.add_argument("--skus", type=int, default=1_000_000)
    s.add_argument("--sales", type=int, default=2000, help="sales in the Z-report shift")
    s.add_argument("--json", action="store_true")
    s.add_argument("--rebuild", action="store_true", help="rebuild the bench store")
    s.add_argument("--sync-events", type=int, default=10_000,
                   help="outbox events for the sync drain measurement (0 skips it)")
    s.add_argument("--only-sync", action="store_true",
                   help="only the sync measurements (drain, rate limit, latency)")
    s.add_argument("--ui", action="store_true", help="only the Qt till's measurements (cold "
                   "start, scan and type-ahead to painted, idle memory, event-loop lag)")
    s.add_argument("--ui-starts", type=int, default=5, help="cold starts of the till to time")
    s.add_argument("--ui-samples", type=int, default=200, help="scans to time (type-ahead "
                   "searches and the lag sale's items: half as many)")
    return p


def _device_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hardware", action="store_true", help="use this till's hardware profile")
    p.add_argument("--printer", metavar="URL", help="print the receipt here, e.g. tcp://HOST:9100")
    p.add_argument("--drawer", metavar="URL", help="cash drawer (tcp://PRINTER kicks through it)")
    p.add_argument("--display", metavar="URL", help="customer display")
    p.add_argument("--terminal", metavar="URL", help="card terminal (default sim://terminal)")
    p.add_argument("--no-receipt", action="store_true", help="do not print the receipt")


def main(argv: Sequence[str] | None = None) -> int:
    from ..logging_setup import setup_logging

    try:
        log_path = setup_logging()
    except OSError:
        log_path = None
    parser = build_parser()
    ns = parser.parse_args(argv)
    for name, env in (("data_dir", "POS_DATA_DIR"), ("user", "POS_USER"), ("pin", "POS_PIN")):
        if not hasattr(ns, name):
            setattr(ns, name, os.environ.get(env))
    try:
        return commands.dispatch(ns)
    except PosError as exc:
        log.info("pos %s refused: %s", ns.command, exc)
        print(f"pos: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("pos: interrupted", file=sys.stderr)
        return 130
    except Exception:
        log.exception("pos %s failed", ns.command)
        where = f"; details in {log_path}" if log_path else ""
        print(f"pos: internal error{where}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
