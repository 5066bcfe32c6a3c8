"""Bar charts drawn with QPainter: sales by hour and day, top items, tender mix.

Qt Charts is not part of PySide6-Essentials; a bar chart is a few dozen lines of
painting, renders the same on screen, in PNG screenshots and in the PDF export.
Values are integers (minor units or counts); ``fmt_value`` turns one into a label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from .theme import colour


class BarChart(QWidget):
    """Vertical bars (``horizontal=False``) for time series, horizontal bars for rankings."""

    def __init__(self, title: str = "", horizontal: bool = False,
                 fmt_value: Callable[[int], str] = str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.horizontal = horizontal
        self.fmt_value = fmt_value
        self.labels: list[str] = []
        self.values: list[int] = []
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self._bars: list[QRectF] = []

    def set_data(self, labels: Sequence[str], values: Sequence[int], title: str | None = None
                 ) -> None:
        self.labels, self.values = list(labels), list(values)
        if title is not None:
            self.title = title
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 280)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self.paint(painter, QRectF(self.rect()))
        finally:
            painter.end()

    def paint(self, p: QPainter, area: QRectF) -> None:
        """Draw into ``area`` of any paint device (the widget, a PDF page)."""
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        text, muted, accent = QColor(colour("text")), QColor(colour("muted")), QColor(
            colour("accent"))
        p.fillRect(area, QColor(colour("panel")))
        font = QFont(p.font())
        font.setPixelSize(13)
        p.setFont(font)
        metrics = p.fontMetrics()
        top = area.top() + 8
        if self.title:
            bold = QFont(font)
            bold.setBold(True)
            bold.setPixelSize(15)
            p.setFont(bold)
            p.setPen(text)
            p.drawText(QRectF(area.left() + 10, top, area.width() - 20, 22),
                       int(Qt.AlignmentFlag.AlignLeft), self.title)
            p.setFont(font)
            top += 28
        plot = QRectF(area.left() + 10, top, area.width() - 20, area.bottom() - top - 8)
        self._bars = []
        if not any(self.values):  # nothing, or only zeros
            p.setPen(muted)
            p.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), self.tr("No sales in this period"))
            return
        peak = max(max(self.values), 1)
        if self.horizontal:
            label_w = min(max(metrics.horizontalAdvance(lab) for lab in self.labels) + 12,
                          plot.width() * 0.45)
            value_w = max(metrics.horizontalAdvance(self.fmt_value(v)) for v in self.values) + 12
            row_h = min(plot.height() / len(self.values), 34)
            for i, (lab, v) in enumerate(zip(self.labels, self.values, strict=True)):
                y = plot.top() + i * row_h
                p.setPen(text)
                p.drawText(QRectF(plot.left(), y, label_w - 8, row_h),
                           int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                           metrics.elidedText(lab, Qt.TextElideMode.ElideRight, int(label_w - 8)))
                width = max(0.0, (plot.width() - label_w - value_w) * v / peak)
                bar = QRectF(plot.left() + label_w, y + row_h * 0.18, width, row_h * 0.64)
                p.fillRect(bar, accent)
                self._bars.append(bar)
                p.setPen(muted)
                p.drawText(QRectF(bar.right() + 6, y, value_w, row_h),
                           int(Qt.AlignmentFlag.AlignVCenter), self.fmt_value(v))
            return
        axis_h = metrics.height() + 6
        value_h = metrics.height() + 4
        chart = plot.adjusted(0, value_h, 0, -axis_h)
        n = len(self.values)
        slot = chart.width() / n
        p.setPen(QPen(QColor(colour("border")), 1))
        p.drawLine(QPointF(chart.left(), chart.bottom()), QPointF(chart.right(), chart.bottom()))
        every = max(1, int(n / max(chart.width() / 60, 1)))
        for i, (lab, v) in enumerate(zip(self.labels, self.values, strict=True)):
            h = chart.height() * max(v, 0) / peak
            bar = QRectF(chart.left() + i * slot + slot * 0.15, chart.bottom() - h, slot * 0.7, h)
            p.fillRect(bar, accent)
            self._bars.append(bar)
            if i % every == 0:
                p.setPen(muted)
                p.drawText(QRectF(chart.left() + i * slot - 20, chart.bottom() + 3, slot + 40,
                                  axis_h), int(Qt.AlignmentFlag.AlignHCenter), lab)
        best = max(range(n), key=lambda i: self.values[i])
        p.setPen(text)
        bar = self._bars[best]
        p.drawText(QRectF(bar.center().x() - 80, bar.top() - value_h, 160, value_h),
                   int(Qt.AlignmentFlag.AlignHCenter), self.fmt_value(self.values[best]))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        for i, bar in enumerate(self._bars):
            hit = bar.adjusted(-2, -400 if not self.horizontal else -2, 2, 2)
            if hit.contains(pos):
                QToolTip.showText(event.globalPosition().toPoint(),
                                  f"{self.labels[i]}: {self.fmt_value(self.values[i])}", self)
                return
        QToolTip.hideText()
