"""``pos devices``, ``pos emulate``, ``pos print`` and ``pos payments``."""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from collections.abc import Callable
from typing import Any

from drivers import printdoc
from drivers.detect import detect
from drivers.registry import load_drivers

from ..app import App, device_secrets, open_app
from ..domain.devices import DeviceEntry
from ..domain.errors import PosError, ValidationError
from ..domain.money import parse_minor
from ..domain.users import Permission
from ..hardware.messages import words
from ..hardware.setup import TESTS, DeviceProblem, open_for_test, test_device
from ..services.ports import DeviceUnavailable
from .args import parse_pairs

EMULATORS = {"printer": "drivers.emulators.printer", "scanner": "drivers.emulators.scanner",
             "display": "drivers.emulators.display", "drawer": "drivers.emulators.drawer",
             "scale": "drivers.emulators.scale", "terminal": "drivers.emulators.stripe_fake"}


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def add_parser(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    s = sub.add_parser("devices", help="drivers, hardware profile, detection and device tests",
                       parents=[common])
    ds = s.add_subparsers(dest="action", required=True, parser_class=parser_class)
    ds.add_parser("list", help="installed drivers and this till's hardware profile",
                  parents=[common])
    ds.add_parser("detect", help="list USB and serial devices with a guess of what each is",
                  parents=[common])
    st = ds.add_parser("set", help="put a device in this till's profile", parents=[common])
    st.add_argument("role", help="printer, drawer, scanner, terminal, display, scale "
                                 "(a number may follow: scanner2)")
    st.add_argument("url", help="tcp://HOST:PORT, serial:///dev/ttyUSB0?baudrate=9600, "
                                "usb://VVVV:PPPP, file:///dev/usb/lp0, sim://...")
    st.add_argument("--driver")
    st.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    st.add_argument("--disabled", action="store_true")
    ds.add_parser("remove", help="take a device out of the profile",
                  parents=[common]).add_argument("role")
    sec = ds.add_parser("secret", help="store a device secret (e.g. an API key) in the "
                        "OS keyring; the value is read from stdin or a prompt", parents=[common])
    sec.add_argument("role")
    sec.add_argument("key")
    t = ds.add_parser("test", help="try a device: print a test page, open the drawer, wait "
                      "for a scan, show a line, charge and release, weigh", parents=[common])
    t.add_argument("what", choices=sorted(TESTS))
    for kind in sorted(set(TESTS.values())):
        t.add_argument(f"--{kind}", metavar="URL",
                       help=f"{kind} address (default: this till's profile)")
    t.add_argument("--driver")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    t.add_argument("--amount", default="1.00", help="pay: amount to authorise (released)")
    t.add_argument("--currency", default="EUR")
    t.add_argument("--timeout", type=float, default=30.0)

    e = sub.add_parser("emulate", help="run a device emulator (ESC/POS printer, serial "
                       "scanner, pole display, drawer, scale, Stripe fake)", parents=[common])
    es = e.add_subparsers(dest="device", required=True, parser_class=parser_class)
    for name, module in EMULATORS.items():
        p = es.add_parser(name, help=f"emulate a {name}", parents=[common])
        try:
            importlib.import_module(module).add_arguments(p)
        except ImportError as exc:  # pragma: no cover - shipped together
            p.set_defaults(emulator_error=str(exc))

    pr = sub.add_parser("print", help="the print queue: pending jobs, retry, reprint",
                        parents=[common])
    ps = pr.add_subparsers(dest="action", required=True, parser_class=parser_class)
    ps.add_parser("queue", help="jobs waiting for the printer", parents=[common])
    r = ps.add_parser("retry", help="print what is waiting", parents=[common])
    r.add_argument("--printer", metavar="URL")
    rp = ps.add_parser("reprint", help="print any past receipt again (marked as a copy)",
                       parents=[common])
    rp.add_argument("receipt")
    rp.add_argument("--printer", metavar="URL")
    ps.add_parser("show", help="a job as text", parents=[common]).add_argument("job_id")

    pay = sub.add_parser("payments", help="card payments interrupted by a crash or outage",
                         parents=[common])
    pa = pay.add_subparsers(dest="action", required=True, parser_class=parser_class)
    rc = pa.add_parser("recover", help="ask the terminal about unfinished card payments; "
                       "complete or park their sales; retry captures", parents=[common])
    rc.add_argument("--terminal", metavar="URL")


# ----- pos devices ---------------------------------------------------------------------
def cmd_devices(ns: argparse.Namespace, app_factory: Callable[..., App],
                login: Callable[[App, argparse.Namespace], Any]) -> int:
    if ns.action == "detect":
        found, notes = detect()
        for note in notes:
            _out(f"note: {note}")
        if not found:
            _out("no serial or USB devices found")
        for f in found:
            c = f.candidate
            guess = (f"{f.guesses[0].kind.value} via {f.guesses[0].driver} "
                     f"({f.guesses[0].reason})") if f.guesses else "unknown device"
            name = " ".join(x for x in (c.manufacturer, c.product) if x) or c.description
            _out(f"{c.url:<32} {name[:36]:<36} -> {guess}")
        return 0
    if ns.action == "test":
        return _test(ns, app_factory)
    if ns.action == "list":
        _out("installed drivers:")
        for entry in load_drivers():
            state = "ok" if entry.usable else f"unusable: {entry.error or entry.reason}"
            _out(f"  {entry.name:<16} {','.join(entry.kinds):<40} "
                 f"{','.join(entry.transports):<24} {state}")
        try:
            app = app_factory(ns.data_dir, terminal=None)
        except PosError:
            return 0  # no store here: the drivers are all there is to list
        try:
            profile = app.hardware.profile()
            _out("this till's hardware profile:" if profile else "no devices in this till's "
                 "profile (add one with `pos devices set ROLE URL`)")
            for d in profile:
                extra = " ".join(f"{k}={v}" for k, v in sorted(d.settings.items()))
                _out(f"  {d.role:<10} {d.url:<40} {d.driver or '':<14} "
                     f"{'' if d.enabled else 'disabled '}{extra}")
        finally:
            app.close()
        return 0
    app = app_factory(ns.data_dir, terminal=None)
    try:
        user = login(app, ns)
        if ns.action == "set":
            entry = app.hardware.set_device(user, DeviceEntry(
                ns.role, "", ns.url, ns.driver, parse_pairs(ns.set), not ns.disabled))
            _out(f"{entry.role}: {entry.url} via {entry.driver}")
        elif ns.action == "remove":
            app.hardware.remove_device(user, ns.role)
            _out(f"{ns.role} removed")
        elif ns.action == "secret":
            app.auth.require(user, Permission.SETTINGS)
            value = sys.stdin.readline().strip() if not sys.stdin.isatty() else \
                getpass.getpass(f"{ns.key} for {ns.role}: ")
            if not value:
                raise ValidationError("no value given")
            device_secrets(app.data_dir).set(f"device:{ns.role}", ns.key, value)
            _out(f"{ns.key} for {ns.role} stored in {device_secrets(app.data_dir).where()}")
    finally:
        app.close()
    return 0


def _test(ns: argparse.Namespace, app_factory: Callable[..., App]) -> int:
    kind = TESTS[ns.what]
    url = getattr(ns, kind)
    settings = parse_pairs(ns.set)
    driver = ns.driver
    if url is None:  # from the profile
        app = app_factory(ns.data_dir, terminal=None)
        try:
            entry = app.hardware.entry(kind)
        finally:
            app.close()
        if entry is None:
            raise ValidationError(f"no {kind} in this till's profile: give --{kind} URL")
        url, driver, settings = entry.url, entry.driver, {**entry.settings, **settings}
    amount = parse_minor(ns.amount, ns.currency) if ns.what == "pay" else 0
    device = open_for_test(kind, url, settings, driver, ns.timeout)
    try:
        result = test_device(ns.what, device, url, ns.timeout, amount=amount,
                             currency=ns.currency, say=_out)
    finally:
        device.close(timeout=2)
    return 0 if result.ok else 1


# ----- pos emulate ---------------------------------------------------------------------
def cmd_emulate(ns: argparse.Namespace) -> int:
    if getattr(ns, "emulator_error", None):
        raise ValidationError(f"the {ns.device} emulator cannot run: {ns.emulator_error}")
    return int(importlib.import_module(EMULATORS[ns.device]).run(ns))


# ----- pos print -----------------------------------------------------------------------
def cmd_print(ns: argparse.Namespace, login: Callable[[App, argparse.Namespace], Any]) -> int:
    printer = getattr(ns, "printer", None)
    app = open_app(ns.data_dir, terminal=None, hardware=printer is None and ns.action != "show"
                   and ns.action != "queue", overrides={"printer": printer} if printer else {})
    try:
        if ns.action == "queue":
            jobs = app.printing.pending()
            for j in jobs:
                _out(f"{j.id}  {j.created_at:%Y-%m-%d %H:%M}  {j.title:<30} tries {j.attempts}"
                     f"  {j.last_error or ''}")
            _out(f"{len(jobs)} job(s) waiting")
            return 0
        if ns.action == "show":
            _out(printdoc.plain_text(app.printing.document(ns.job_id), app.printing.columns))
            return 0
        if ns.action == "reprint":
            user = login(app, ns)
            app.printing.reprint(ns.receipt, user)
        return print_now(app)
    finally:
        app.close()


def print_now(app: App) -> int:
    run = app.printing.print_pending()
    if run.printed:
        _out(f"printed {len(run.printed)} job(s)")
    if run.error:
        message = words(run.error_code or "failure")[1]
        _out(f"printer: {message} ({run.error}); {run.pending} job(s) kept in the print queue")
        app.devices.note_error("printer", run.error_code or "failure")
        return 1
    return 0


# ----- pos payments --------------------------------------------------------------------
def cmd_payments(ns: argparse.Namespace) -> int:
    app = open_app(ns.data_dir, terminal=ns.terminal, hardware=True)
    try:
        if app.checkout.terminal is None:
            raise ValidationError("no card terminal: give --terminal URL or set one up with "
                                  "`pos devices set terminal URL`")
        report = app.checkout.recover_payments()
    except DeviceUnavailable as exc:
        raise DeviceProblem(str(exc)) from None
    finally:
        app.close()
    for receipt in report.completed:
        _out(f"completed sale {receipt} (the card had been charged)")
    for park_id in report.parked:
        _out(f"parked sale {park_id}: the card was charged but the sale was not fully paid; "
             "resume it at the till")
    for cart in report.not_charged:
        _out(f"cart {cart}: nothing was charged")
    for cart in report.unresolved:
        _out(f"cart {cart}: the terminal could not be asked yet; run this again later")
    for attempt in report.capture_failures:
        _out(f"capture of payment {attempt} failed; it will be retried")
    if not any((report.completed, report.parked, report.not_charged, report.unresolved,
                report.capture_failures)):
        _out("no unfinished card payments")
    return 1 if report.unresolved or report.capture_failures else 0
