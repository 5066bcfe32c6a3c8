"""A window beside the demo till showing its emulated devices.

The till talks to these emulators through the real drivers (ESC/POS over TCP,
serial devices over ptys); this panel is the other side of the cable: what the
pole display shows, what the printer printed, the drawer, a scale to put things
on and a scanner to scan with. It reads the emulators' in-memory state on a timer
and sends scans and weights on the worker pool.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..demo import CHEESE_ITEM, COFFEE_GTIN, german_label
from .widgets import button, label


class DemoPanel(QWidget):
    def __init__(self, hardware: Any, window: Any) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.hw, self.window_ = hardware, window
        self.setObjectName("demo_panel")
        self.setWindowTitle(self.tr("Demo devices"))
        self.resize(460, 760)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        root = QVBoxLayout(self)
        root.addWidget(label(self.tr("Customer display"), "subtitle"))
        self.display = QLabel()
        self.display.setObjectName("demo_display")
        self.display.setFont(mono)
        self.display.setStyleSheet("background:#0b3d2e; color:#7dffb0; font-size:20px;"
                                   "padding:8px; border-radius:6px;")
        root.addWidget(self.display)

        root.addWidget(label(self.tr("Scanner"), "subtitle"))
        scan_row = QGridLayout()
        self.code = QLineEdit()
        self.code.setObjectName("demo_scan_code")
        self.code.setPlaceholderText(self.tr("a barcode, e.g. %1").replace("%1", COFFEE_GTIN))
        scan_row.addWidget(self.code, 0, 0, 1, 2)
        scan_row.addWidget(button(self.tr("Scan"), "primary", clicked=self._scan,
                                  name="demo_scan"), 0, 2)
        for i, (text, code) in enumerate((
                (self.tr("Coffee"), COFFEE_GTIN),
                (self.tr("Cheese 0.435 kg label"), german_label("28", CHEESE_ITEM, 435)),
                (self.tr("Bread €3.49 label"), german_label("22", "5678", 349)))):
            scan_row.addWidget(button(text, clicked=lambda c=code: self._send_scan(c)), 1, i)
        root.addLayout(scan_row)
        self.code.returnPressed.connect(self._scan)

        root.addWidget(label(self.tr("Scale (kg)"), "subtitle"))
        scale_row = QGridLayout()
        self.weight = QLineEdit("0.435")
        self.weight.setObjectName("demo_weight")
        scale_row.addWidget(self.weight, 0, 0)
        scale_row.addWidget(button(self.tr("Put on the scale"), clicked=self._weigh), 0, 1)
        root.addLayout(scale_row)

        root.addWidget(label(self.tr("Printer and drawer"), "subtitle"))
        self.paper = QCheckBox(self.tr("Out of paper"))
        self.paper.setObjectName("demo_paper_out")
        self.paper.toggled.connect(self._paper)
        self.drawer = QLabel()
        self.drawer.setObjectName("demo_drawer")
        root.addWidget(self.paper)
        root.addWidget(self.drawer)
        root.addWidget(button(self.tr("Close the drawer"), clicked=self._close_drawer))
        self.receipt = QPlainTextEdit()
        self.receipt.setObjectName("demo_receipt")
        self.receipt.setReadOnly(True)
        self.receipt.setFont(mono)
        root.addWidget(self.receipt, 1)
        self._seen = (-1, -1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(300)
        self.refresh()

    def _send_scan(self, code: str) -> None:
        self.window_.tasks.run(self.hw.scanner.scan, code)

    def _scan(self) -> None:
        code = self.code.text().strip()
        if code:
            self._send_scan(code)
            self.code.clear()

    def _weigh(self) -> None:
        try:
            kg = Decimal(self.weight.text().strip().replace(",", "."))
        except InvalidOperation:
            return
        self.window_.tasks.run(self.hw.scale.set_weight, kg)

    def _paper(self, out: bool) -> None:
        if out:
            self.hw.printer.paper_out = True
        else:
            self.hw.printer.reload_paper()

    def _close_drawer(self) -> None:
        self.hw.printer.drawer_open = False

    def refresh(self) -> None:
        top, bottom = self.hw.display.lines
        self.display.setText(f"{top}\n{bottom}")
        printer = self.hw.printer
        self.drawer.setText(self.tr("Drawer: open") if printer.drawer_open
                            else self.tr("Drawer: closed"))
        seen = (len(printer.receipts), len(printer.kicks))
        if seen != self._seen and printer.receipts:
            self._seen = seen
            self.receipt.setPlainText("\n".join(printer.receipts[-1].text))
