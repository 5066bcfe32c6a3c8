"""The demo till's hardware: every device emulated, every call through the real drivers.

The ESC/POS printer (with its drawer) listens on loopback TCP; the scanner, pole
display and scale sit on ptys; the card terminal is the built-in simulator with
its state in the data directory. ``demo_checkout`` rings up a sale through them:
scanner → catalog, scale → weighed item, display, card + cash, receipt, drawer.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from drivers.display_text import change_lines, item_lines, thank_you_lines, total_lines
from drivers.emulators.display import DisplayEmulator
from drivers.emulators.printer import PrinterEmulator
from drivers.emulators.scale import ScaleEmulator
from drivers.emulators.scanner import ScannerEmulator
from drivers.kinds import ScanData

from .app import App, open_app
from .domain.money import format_plain
from .hardware.adapters import wait


@dataclass
class DemoHardware:
    data_dir: Path
    printer: PrinterEmulator = field(init=False)
    scanner: ScannerEmulator = field(init=False)
    display: DisplayEmulator = field(init=False)
    scale: ScaleEmulator = field(init=False)

    def __enter__(self) -> DemoHardware:
        out = self.data_dir / "printed"
        out.mkdir(parents=True, exist_ok=True)
        self.printer = PrinterEmulator(tcp="127.0.0.1:0", out_dir=out)
        self.scanner = ScannerEmulator()
        self.display = DisplayEmulator()
        self.scale = ScaleEmulator()
        for emulator in (self.printer, self.scanner, self.display, self.scale):
            emulator.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None
                 ) -> None:
        for emulator in (self.scale, self.display, self.scanner, self.printer):
            emulator.stop()

    @property
    def urls(self) -> dict[str, str]:
        return {"printer": self.printer.tcp_url, "drawer": self.printer.tcp_url,
                "scanner": self.scanner.url, "display": self.display.url,
                "scale": self.scale.url}

    def terminal_url(self) -> str:
        return f"sim://terminal?state={self.data_dir / 'sim-terminal.json'}"

    def open(self) -> App:
        return open_app(self.data_dir, terminal=self.terminal_url(), overrides=self.urls)


def demo_checkout(app: App, hw: DemoHardware, cashier_pin: str = "1111") -> str:
    """One sale through every emulated device; returns what each device showed."""
    from .demo import COFFEE_GTIN, german_label

    scans: queue.Queue[ScanData] = queue.Queue()
    app.devices.on_scan(lambda _role, scan: scans.put(scan))
    for role, future in app.devices.started.items():
        wait(future, 10, role)
    cashier = app.auth.login("cashier", cashier_pin)
    if app.shifts.current() is None:
        app.shifts.open(cashier, 10000)
    app.drawer.ensure_closed()
    co = app.checkout
    cart = co.new_cart()
    display = app.devices.display()
    cur = app.ctx.currency

    def show(lines: tuple[str, str]) -> None:
        if display is not None:
            wait(display.show(*lines), 5, "display")

    def money(v: int) -> str:
        return f"{format_plain(v, cur)} {cur}"

    def scan(code: str, aim: str | None = None) -> Any:
        hw.scanner.scan(code, aim=aim)
        got = scans.get(timeout=10)  # through the serial driver, AIM id stripped
        line = co.scan(cart, got.data, cashier)
        show(item_lines(line.name, money(co.price(cart).by_key[line.key].total)))
        return line

    scan(COFFEE_GTIN, "]E0")
    scan(german_label("22", "5678", 349), "]E0")  # bread with its price on the label
    hw.scale.set_weight(Decimal("0.435"))  # cheese on the scale
    scale = app.devices.scale()
    assert scale is not None
    reading = wait(scale.read_stable_weight(5), 8, "scale")
    cheese, _w, _p = co.lookup("CHEESE-KG")
    line = co.add_variant(cart, cheese, cashier, reading.kilograms)
    show(item_lines(line.name, money(co.price(cart).by_key[line.key].total),
                    f"{reading.kilograms} kg"))
    total = co.price(cart).total
    show(total_lines(money(total)))
    co.pay_card(cart, cashier, total // 2)
    co.pay_cash(cart, 5000, cashier)
    sale = co.complete(cart, cashier)
    change = sum(p.change for p in sale.payments)
    show(change_lines(money(change)))
    app.printing.queue_receipt(sale)
    run = app.printing.print_pending()
    opened = app.drawer.open_for_sale(sale)
    hw.printer.wait_for(lambda: any(r.cut for r in hw.printer.receipts), 10)
    display_lines = hw.display.lines
    show(thank_you_lines())
    printed = hw.printer.receipts[-1].text if hw.printer.receipts else []
    report = [
        f"Sale {sale.receipt_no}: total {money(sale.total)}, change {money(change)}",
        f"  scanner {hw.scanner.url}: 2 scans, scale {hw.scale.url}: {reading.kilograms} kg",
        f"  display {hw.display.url}: {display_lines[0]!r} / {display_lines[1]!r}",
        f"  card terminal {hw.terminal_url().split('?')[0]}: "
        f"{next(p.provider_ref for p in sale.payments if p.tender == 'card')}",
        f"  drawer (kicked through the printer): {'opened' if opened else 'NOT opened'}; "
        f"kicks seen {[(k.pin, k.on_ms) for k in hw.printer.kicks]}",
        f"  printer {hw.printer.tcp_url}: {len(run.printed)} job(s), decoded below",
        "", *("    " + ln for ln in printed), ""]
    return "\n".join(report)
