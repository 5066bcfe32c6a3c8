"""Handlers for each ``pos`` command; they only parse, call services and print."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from drivers.printdoc import plain_text

from ..app import App, init_store, open_app, open_database
from ..domain.cart import Cart
from ..domain.errors import PermissionDenied, StateError, ValidationError
from ..domain.money import format_plain, parse_minor
from ..domain.quantity import fmt_qty, parse_qty
from ..domain.sale import CompletedSale
from ..domain.users import Permission, Role, User
from ..paths import backup_dir, data_dir, db_path
from ..persistence.migrate import current_revision, online_backup, timestamped_backup
from ..services.auth import OverrideGrant
from . import backoffice_cmd
from .args import PaySpec, parse_counts, parse_discount, parse_line_spec, parse_pays
from .devices_cmd import cmd_devices, cmd_emulate, cmd_payments, cmd_print, print_now

Handler = Callable[[argparse.Namespace], int]


def out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _app(ns: argparse.Namespace) -> App:
    return open_app(ns.data_dir)


def _login(app: App, ns: argparse.Namespace) -> User:
    if not ns.user or ns.pin is None:
        raise ValidationError("this command needs --user and --pin (or $POS_USER/$POS_PIN)")
    return app.auth.login(ns.user, ns.pin)


def _grant(app: App, ns: argparse.Namespace, permission: Permission, user: User,
           subject: str) -> OverrideGrant | None:
    if user.can(permission) and permission is not Permission.DISCOUNT:
        return None
    if not ns.approver:
        return None
    if ns.approver_pin is None:
        raise ValidationError("--approver needs --approver-pin")
    return app.auth.grant_override(ns.approver, ns.approver_pin, permission, user, subject)


def _device_app(ns: argparse.Namespace) -> App:
    """The app with the devices a selling command asked for (or the till's profile)."""
    overrides = {role: url for role in ("printer", "drawer", "display")
                 if (url := getattr(ns, role, None))}
    return open_app(ns.data_dir, terminal=getattr(ns, "terminal", None) or "sim",
                    hardware=getattr(ns, "hardware", False), overrides=overrides)


def _print_sale(app: App, sale: CompletedSale, as_json: bool,
                ns: argparse.Namespace | None = None) -> int:
    """Show the receipt; print it and open the drawer where the till has the devices."""
    text = plain_text(app.printing.render(sale), app.printing.columns)
    if as_json:
        data = sale.to_json()
        data["receipt_text"] = text
        out(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        out(text)
    code = 0
    if app.devices.device("printer") is not None and not getattr(ns, "no_receipt", False):
        app.printing.queue_receipt(sale)
        code = print_now(app)
    app.drawer.open_for_sale(sale)
    return code


# ----- set-up and maintenance ------------------------------------------------------
def cmd_init(ns: argparse.Namespace) -> int:
    taxes = []
    for spec in ns.tax or ["STD:Standard:0.20"]:
        parts = spec.split(":")
        if len(parts) != 3:
            raise ValidationError(f"--tax {spec!r}: use CODE:NAME:RATE, e.g. STD:Standard:0.19")
        taxes.append((parts[0], parts[1], parts[2]))
    app = init_store(ns.data_dir, store_name=ns.store_name, store_code=ns.store_code,
                     till_code=ns.till, currency=ns.currency, tax_mode=ns.tax_mode,
                     admin_user=ns.admin, admin_pin=ns.admin_pin, taxes=taxes)
    out(f"store {ns.store_code} till {ns.till} created in {app.data_dir}")
    app.close()
    return 0


def cmd_demo_data(ns: argparse.Namespace) -> int:
    from ..demo import build_demo_store

    if ns.skus < 1:
        raise ValidationError("--skus must be at least 1")
    summary = build_demo_store(ns.data_dir, ns.skus, seed=ns.seed, progress=_progress,
                               history_days=ns.history_days)
    out(summary)
    return 0


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def cmd_demo(ns: argparse.Namespace) -> int:
    from ..demo import DEMO_USERS, build_demo_store
    from ..demo_devices import DemoHardware, demo_checkout

    _base, engine, store = open_database(ns.data_dir)
    with store.tx() as tx:
        exists = tx.till_context() is not None
    engine.dispose()
    if not exists:
        out(build_demo_store(ns.data_dir, ns.skus, progress=_progress,
                             history_days=ns.history_days))
    if not ns.headless and _gui_available():
        from ..ui.run import run_till

        with DemoHardware(data_dir(ns.data_dir)) as hw:
            out("Demo users (user/PIN): " + ", ".join(f"{u}/{p}" for u, p, _ in DEMO_USERS))
            # the simulated customer taps the card after two seconds: the terminal's
            # progress shows on the screen as it would with a real reader
            return run_till(ns.data_dir, overrides=hw.urls,
                            terminal=hw.terminal_url() + "&behaviour=slow&slow_seconds=2",
                            demo=hw)
    with DemoHardware(data_dir(ns.data_dir)) as hw:
        app = hw.open()
        try:
            out(demo_checkout(app, hw))
        finally:
            app.close()
    out("Demo users (user/PIN): " + ", ".join(f"{u}/{p}" for u, p, _ in DEMO_USERS))
    out(f"Try: pos --data-dir {data_dir(ns.data_dir)} sale --user cashier --pin 1111 "
        "--scan 4006381333931 --pay cash:20")
    out("Emulators to try the drivers by hand: pos emulate printer|scanner|display|scale|"
        "drawer|terminal")
    return 0


def _gui_available() -> bool:
    """A screen to open the till on? No screen at all: the scripted sale instead (said so);
    a screen Qt cannot use (missing libraries): one line saying what to install."""
    from ..ui.qtenv import GuiUnavailable, check_gui, platform_name

    if platform_name() in ("offscreen", "minimal"):
        return False
    try:
        check_gui()
    except GuiUnavailable as exc:
        if not exc.no_display:
            raise
        print(f"pos: {exc}; running the scripted demo sale instead", file=sys.stderr)
        return False
    return True


def cmd_till(ns: argparse.Namespace) -> int:
    from ..ui.run import run_till

    return run_till(ns.data_dir, fullscreen=ns.fullscreen or ns.kiosk, kiosk=ns.kiosk,
                    terminal="sim" if ns.sim_terminal else None)


def cmd_db(ns: argparse.Namespace) -> int:
    if ns.action in ("restore", "status") or getattr(ns, "daily", False):
        from .db_cmd import cmd_db_more

        return cmd_db_more(ns, out)
    if ns.action == "upgrade":
        from ..persistence.backups import StoreInUse, StoreLock
        from ..persistence.migrate import upgrade

        base = data_dir(ns.data_dir)
        lock = StoreLock(base, exclusive=True)
        try:
            lock.acquire(wait=False)  # not under a running till (an installer's upgrade)
        except StoreInUse:
            if not ns.if_idle:
                raise
            out("the store is open in a till: it is upgraded when the till starts next")
            return 0
        try:
            base, engine, _store = open_database(base, migrate=False)
            backup = upgrade(engine, db_path(base), backup_dir(base))
        finally:
            lock.release()
        out(f"schema at {current_revision(engine)}" +
            (f" (backup: {backup})" if backup else " (already current)"))
        engine.dispose()
        return 0
    base, engine, _store = open_database(ns.data_dir)
    engine.dispose()
    target = (online_backup(db_path(base), Path(ns.to)) if ns.to
              else timestamped_backup(db_path(base), backup_dir(base), "manual"))
    out(f"backup written to {target}")
    return 0


# ----- catalog ------------------------------------------------------------------------------
def cmd_catalog(ns: argparse.Namespace) -> int:
    app = _app(ns)
    try:
        if ns.action == "import":
            from ..services.catalog_io import ImportRejected, import_catalog

            user = _login(app, ns)
            try:
                result = import_catalog(app.store, app.ctx, app.auth, user, Path(ns.file),
                                        progress=_progress)
            except ImportRejected as exc:
                print(f"pos: {exc.report(limit=200)}", file=sys.stderr)
                return 1
            out(f"imported {result.products} products, {result.variants} variants")
        elif ns.action == "export":
            from ..services.catalog_io import export_catalog

            n = export_catalog(app.store, Path(ns.file), app.ctx.currency)
            out(f"exported {n} variants to {ns.file}")
        elif ns.action == "search":
            for v in app.catalog.search(ns.text):
                out(f"{v.sku:<16} {format_plain(v.price, app.ctx.currency):>10}  {v.name}")
        elif ns.action == "show":
            v, weight, price = app.checkout.lookup(ns.code)
            out(json.dumps({"sku": v.sku, "name": v.name, "price": v.price,
                            "tax": v.tax_code, "weighed": v.sold_by_weight,
                            "embedded_weight": str(weight) if weight is not None else None,
                            "embedded_price": price,
                            "on_hand": fmt_qty(app.stock.on_hand(v.sku))}, indent=2))
        elif ns.action == "price":
            user = _login(app, ns)
            app.catalog.set_price(user, ns.sku, parse_minor(ns.amount, app.ctx.currency))
            out(f"{ns.sku} now {ns.amount} {app.ctx.currency}")
    finally:
        app.close()
    return 0


# ----- selling ---------------------------------------------------------------------------
def _check_plan(app: App, cart: Cart, pays: list[PaySpec]) -> None:
    """Refuse impossible tender combinations before anything is charged or written."""
    total = app.checkout.price(cart).total
    if total < 0:
        raise ValidationError("the sale total is negative: use `pos refund`")
    open_ended = [p for p in pays if p.amount is None and p.tender != "cash"]
    if len(open_ended) > 1:
        raise ValidationError("only one non-cash tender may be given without an amount")
    fixed = sum(p.amount or 0 for p in pays if p.tender in ("card", "credit"))
    if fixed > total:
        raise ValidationError("card and store credit together exceed the total; "
                              "only cash may be over-tendered")
    if any(p.tender in ("credit", "points") for p in pays) and cart.customer_id is None:
        raise ValidationError("store credit and points need --customer")
    cash = [p for p in pays if p.tender == "cash"]
    if not cash and not open_ended and fixed < total and not any(
            p.tender == "points" for p in pays):
        raise ValidationError(f"payments cover {format_plain(fixed, app.ctx.currency)} of "
                              f"{format_plain(total, app.ctx.currency)}")
    app.shifts.require_open()


def _apply_payments(app: App, cart: Cart, pays: list[PaySpec], user: User) -> None:
    co = app.checkout
    for p in pays:  # points, then fixed amounts, then the open-ended one, then cash
        if p.tender == "points":
            co.redeem_points(cart, user, p.amount or 0)
    for p in sorted((p for p in pays if p.tender in ("card", "credit")),
                    key=lambda p: p.amount is None):
        if p.tender == "card":
            co.pay_card(cart, user, p.amount)
        else:
            co.pay_store_credit(cart, user, p.amount)
    for p in pays:
        if p.tender == "cash":
            if p.amount is None:
                co.pay_cash(cart, max(co.cash_due(cart), 0), user)
            else:
                co.pay_cash(cart, p.amount, user)


def cmd_sale(ns: argparse.Namespace) -> int:
    app = _device_app(ns)
    try:
        user = _login(app, ns)
        app.drawer.ensure_closed()  # when the shop requires it (a setting)
        cur = app.ctx.currency
        pays = parse_pays(ns.pay, cur)
        discount = parse_discount(ns.discount, cur) if ns.discount else None
        co = app.checkout
        cart = co.new_cart()
        for code, qty in ns.items:
            co.scan(cart, code, user, parse_qty(qty) if qty is not None else None)
        if ns.customer:
            co.attach_customer(cart, ns.customer, user)
        if discount is not None:
            try:
                co.set_order_discount(cart, discount, user)
            except PermissionDenied:
                grant = _grant(app, ns, Permission.DISCOUNT, user, "order discount")
                if grant is None:
                    raise
                co.set_order_discount(cart, discount, user, grant)
        _check_plan(app, cart, pays)
        try:
            _apply_payments(app, cart, pays, user)
            sale = co.complete(cart, user)
        except Exception:
            co.reverse_payments(cart, user, "sale could not be completed")
            raise
        code = _print_sale(app, sale, ns.json, ns)
    finally:
        app.close()
    return code


def cmd_refund(ns: argparse.Namespace) -> int:
    app = _device_app(ns)
    try:
        user = _login(app, ns)
        app.drawer.ensure_closed()  # when the shop requires it (a setting)
        rs, co = app.returns, app.checkout
        cart = co.new_cart()
        if not ns.receipt and not ns.scan:
            raise ValidationError("give --receipt NO, or --scan CODE with --approver")
        if ns.receipt:
            sale = rs.original(ns.receipt)
            left = rs.returnable(sale)
            wanted = [parse_line_spec(s) for s in ns.line] or [
                (ln.line_no, None) for ln in sale.lines if left.get(ln.id, Decimal(0)) > 0]
            if not wanted:
                raise StateError(f"everything on {sale.receipt_no} has been returned already")
            by_no = {ln.line_no: ln for ln in sale.lines}
            for no, qty in wanted:
                ln = by_no.get(no)
                remaining = left.get(ln.id, Decimal(0)) if ln else Decimal(0)
                rs.add_return_line(cart, sale, no, qty if qty is not None else remaining
                                   or Decimal(1), user, restock=not ns.no_restock)
        for code in ns.scan:
            grant = _grant(app, ns, Permission.REFUND_NO_RECEIPT, user, code)
            rs.add_unreceipted(cart, code, Decimal(1), user, grant, restock=not ns.no_restock)
        app.shifts.require_open()
        rs.refund(cart, user, to=ns.to)
        sale = co.complete(cart, user)
        code = _print_sale(app, sale, ns.json, ns)
    finally:
        app.close()
    return code


# ----- shifts and reports ----------------------------------------------------------------
def cmd_shift(ns: argparse.Namespace) -> int:
    app = _device_app(ns) if ns.action == "no-sale" else _app(ns)
    try:
        user = _login(app, ns)
        cur = app.ctx.currency
        if ns.action == "open":
            shift = app.shifts.open(user, parse_minor(ns.opening_float, cur))
            out(f"shift opened on till {app.ctx.till_code} with float "
                f"{format_plain(shift.opening_float, cur)} {cur}")
        elif ns.action in ("paid-in", "paid-out"):
            kind = ns.action.replace("-", "_")
            app.shifts.cash_movement(user, kind, parse_minor(ns.amount, cur), ns.reason)
            out(f"{ns.action} {ns.amount} {cur} recorded")
        elif ns.action == "no-sale":
            opened = app.drawer.no_sale(user, ns.reason)
            out("no-sale recorded; drawer " + ("opened" if opened else "not opened (no drawer "
                                                                     "or it did not answer)"))
        else:
            shift = app.shifts.current()
            out("no open shift" if shift is None else
                f"shift {shift.id} opened {shift.opened_at:%Y-%m-%d %H:%M} UTC")
    finally:
        app.close()
    return 0


def cmd_report(ns: argparse.Namespace) -> int:
    from ..services.shifts import report_csv, report_text

    app = _app(ns)
    try:
        if ns.kind not in ("x", "z"):
            return backoffice_cmd.cmd_report(ns, app, lambda: _login(app, ns), out)
        user = _login(app, ns)
        if ns.kind == "x":
            if ns.count:
                raise ValidationError("--count belongs to the Z report")
            report = app.shifts.x_report(user)
        else:
            report = app.shifts.close(user, parse_counts(ns.count, app.ctx.currency))
        render: dict[str, Callable[[dict[str, Any]], str]] = {
            "text": report_text, "csv": report_csv,
            "json": lambda r: json.dumps(r, indent=2)}
        out(render[ns.format](report))
    finally:
        app.close()
    return 0


def cmd_audit(ns: argparse.Namespace) -> int:
    app = _app(ns)
    try:
        checked, problems = app.audit.verify()
    finally:
        app.close()
    if problems:
        for p in problems:
            print(f"pos: audit log {p.kind}: {p.message}", file=sys.stderr)
        return 1
    out(f"audit log intact: {checked} entries verified")
    return 0


# ----- people, stock, settings --------------------------------------------------------------
def cmd_user(ns: argparse.Namespace) -> int:
    app = _app(ns)
    try:
        actor = _login(app, ns)
        u = app.auth.create_user(actor, ns.username, ns.name or ns.username, Role(ns.role),
                                 ns.new_pin)
        out(f"user {u.username} ({u.role.value}) created")
    finally:
        app.close()
    return 0


def cmd_customer(ns: argparse.Namespace) -> int:
    app = _app(ns)
    try:
        user = _login(app, ns)
        cur = app.ctx.currency
        if ns.action == "add":
            c = app.customers.add(user, ns.code, ns.name, ns.email,
                                  tax_exempt=bool(ns.tax_exempt), exemption_ref=ns.tax_exempt)
            out(f"customer {c.code} created ({c.id})")
        else:
            c = app.customers.get(ns.code)
            out(f"{c.code} {c.name}  points {c.loyalty_points}  store credit "
                f"{format_plain(c.store_credit, cur)} {cur}"
                + ("  tax exempt" if c.tax_exempt else ""))
            for s in app.customers.history(c.code):
                out(f"  {s.completed_at:%Y-%m-%d %H:%M}  {s.receipt_no}  {s.kind:<8} "
                    f"{format_plain(s.total, cur):>10}")
    finally:
        app.close()
    return 0


def cmd_stock(ns: argparse.Namespace) -> int:
    from ..domain.stock import MovementKind

    app = _app(ns)
    try:
        if ns.action in backoffice_cmd.STOCK_ACTIONS:
            return backoffice_cmd.cmd_stock(ns, app, lambda: _login(app, ns), out)
        if ns.action == "on-hand":
            out(fmt_qty(app.stock.on_hand(ns.sku)))
            return 0
        user = _login(app, ns)
        if ns.action == "adjust":
            kind = MovementKind.RECEIVING if ns.receiving else MovementKind.ADJUSTMENT
            app.stock.adjust(user, ns.sku, parse_qty(ns.delta), ns.reason, kind)
        else:
            diff = app.stock.count(user, ns.sku, parse_qty(ns.counted))
            out(f"count recorded, difference {fmt_qty(diff)}")
        out(f"{ns.sku} on hand: {fmt_qty(app.stock.on_hand(ns.sku))}")
    finally:
        app.close()
    return 0


def cmd_settings(ns: argparse.Namespace) -> int:
    app = _app(ns)
    try:
        if ns.action == "show":
            out(json.dumps(app.settings.all(), indent=2, sort_keys=True))
        else:
            user = _login(app, ns)
            try:
                value: Any = json.loads(ns.value)
            except json.JSONDecodeError:
                value = ns.value
            app.settings.set(user, ns.key, value)
            out(f"{ns.key} = {json.dumps(value)}")
    finally:
        app.close()
    return 0


def cmd_sync(ns: argparse.Namespace) -> int:
    from .sync_cmd import run

    app = _app(ns)
    service = None
    if ns.action == "run" and not (getattr(ns, "once", False) or
                                   getattr(ns, "until_idle", False)):
        from .db_cmd import service_guards

        service = service_guards(app)  # the store lock and the daily backup
    try:
        return run(ns, app, lambda: _login(app, ns), out)
    finally:
        if service is not None:
            service.close()
        app.close()


def _backoffice(handler: Callable[..., int]) -> Handler:
    def run(ns: argparse.Namespace) -> int:
        app = _app(ns)
        try:
            return handler(ns, app, lambda: _login(app, ns), out)
        finally:
            app.close()
    return run


def cmd_bench(ns: argparse.Namespace) -> int:
    from ..bench import run_bench

    return run_bench(ns)


HANDLERS: dict[str, Handler] = {
    "init": cmd_init, "demo-data": cmd_demo_data, "demo": cmd_demo, "till": cmd_till,
    "db": cmd_db,
    "catalog": cmd_catalog, "sale": cmd_sale, "refund": cmd_refund, "shift": cmd_shift,
    "report": cmd_report, "audit": cmd_audit, "user": cmd_user, "customer": cmd_customer,
    "stock": cmd_stock, "settings": cmd_settings, "sync": cmd_sync, "bench": cmd_bench,
    "devices": lambda ns: cmd_devices(ns, open_app, _login), "emulate": cmd_emulate,
    "print": lambda ns: cmd_print(ns, _login), "payments": cmd_payments,
    "po": _backoffice(backoffice_cmd.cmd_po), "supplier": _backoffice(backoffice_cmd.cmd_supplier),
}


def dispatch(ns: argparse.Namespace) -> int:
    return HANDLERS[ns.command](ns)
