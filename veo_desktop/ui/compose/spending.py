"""Today's spending under the composer's cost: "Spent today: $7.20 of $25.00" with a thin bar of the daily
budget, or "no daily budget". Shown from the snapshot's ledger; money in the locale's way."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from veo_desktop.core.jobs import LedgerSummary
from veo_desktop.ui.support.i18n import cents, money_text

BAR_STEPS = 1000


class SpendingLine(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel(self)
        self.text.setObjectName("spendLabel")
        self.text.setAccessibleName(self.tr("Spent today"))
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(4)
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setAccessibleName(self.tr("Daily budget used"))
        self.bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)

    def show_ledger(self, ledger: LedgerSummary) -> None:
        spent = money_text(cents(ledger.spent_today_micros))
        budget = ledger.daily_budget_micros
        if budget:
            self.text.setText(self.tr("Spent today: %1 of %2").replace("%1", spent).replace("%2", money_text(budget)))
            self.bar.setValue(min(BAR_STEPS, round(BAR_STEPS * ledger.spent_today_micros / budget)))
            self.bar.show()
        else:
            self.text.setText(self.tr("Spent today: %1 · no daily budget").replace("%1", spent))
            self.bar.hide()
