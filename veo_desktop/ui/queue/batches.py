"""The queue's batch groups: a filter "All videos / Batch: <name> (n)" over the table, and the actions on the
chosen batch, "Cancel the waiting rest" (refunded) and "Retry its failed jobs" (charged again, within today's
budget), each asked first with what it moves: how many videos and how much money.

The batches are read from each snapshot (`JobView.job.request.batch`), so the list follows the jobs as they
arrive; the actions call the engine (`cancel_batch`, `retry_batch`) and the next snapshot shows their effect.
A refusal (the budget, a lost race) is said in one sentence under the filter. The bar is hidden while the
queue has no batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from veo_desktop.core.errors import AppError
from veo_desktop.core.jobs import LedgerSummary
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import Engine, JobView
from veo_desktop.ui.queue.detail import FlowLayout
from veo_desktop.ui.support.i18n import money_text, number_text

Run = Callable[..., None]  # (name, coroutine, *, replace=False): the panel's kept-task runner


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """One batch as the snapshot shows it."""

    name: str
    jobs: int
    waiting: int
    waiting_refund_micros: int  # what cancelling the waiting rest gives back
    failed: int
    failed_cost_micros: int  # what retrying the failed jobs charges


def batch_summaries(views: Sequence[JobView]) -> list[BatchSummary]:
    """Every batch among these jobs, by name."""
    groups: dict[str, list[JobView]] = {}
    for view in views:
        if view.job.request.batch:
            groups.setdefault(view.job.request.batch, []).append(view)
    out = []
    for name in sorted(groups, key=str.casefold):
        jobs = [v.job for v in groups[name]]
        waiting = [j for j in jobs if j.status is JobStatus.QUEUED]
        failed = [j for j in jobs if j.status is JobStatus.FAILED]
        refund = sum(max(0, j.charged_micros - j.refunded_micros) for j in waiting)
        out.append(BatchSummary(name, len(jobs), len(waiting), refund, len(failed), sum(j.cost_micros for j in failed)))
    return out


def fill(text: str, *values: str) -> str:
    """`text` with %1, %2... replaced in one pass, so a batch named "spring %2" stays as it is."""
    return re.sub(r"%(\d)", lambda m: values[int(m.group(1)) - 1], text)


def budget_left_micros(ledger: LedgerSummary | None) -> int | None:
    if ledger is None or ledger.daily_budget_micros is None:
        return None
    return ledger.daily_budget_micros - ledger.spent_today_micros


class BatchBar(QWidget):
    batchChanged = Signal(object)  # the chosen batch's name, or None for every video
    message = Signal(str)

    def __init__(self, engine: Engine, run: Run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchBar")
        self.engine = engine
        self._run = run
        self._summaries: dict[str, BatchSummary] = {}
        self._ledger: LedgerSummary | None = None
        self._confirm: QMessageBox | None = None
        self.combo = QComboBox(self)
        self.combo.setObjectName("batchFilter")
        self.combo.setAccessibleName(self.tr("Show the videos of one batch"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.addItem(self.tr("All videos"), None)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setAccessibleName(self.tr("Cancel the waiting rest of this batch"))
        self.retry_button = QPushButton(self)
        self.retry_button.setAccessibleName(self.tr("Retry the failed videos of this batch"))
        self.act_cancel = QAction(self.tr("Cancel the waiting rest of this batch…"), self)
        self.act_retry = QAction(self.tr("Retry the failed videos of this batch…"), self)
        self.note = QLabel(self)
        self.note.setObjectName("batchNote")
        self.note.setWordWrap(True)
        self.note.hide()
        row = FlowLayout()
        for widget in (self.combo, self.cancel_button, self.retry_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self.combo.currentIndexChanged.connect(self._on_chosen)
        self.cancel_button.clicked.connect(self.ask_cancel)
        self.retry_button.clicked.connect(self.ask_retry)
        self.act_cancel.triggered.connect(self.ask_cancel)
        self.act_retry.triggered.connect(self.ask_retry)
        self._sync_buttons()
        self.hide()

    # --- reading the snapshot ---------------------------------------------------------------------------
    def chosen(self) -> str | None:
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    def summary(self) -> BatchSummary | None:
        name = self.chosen()
        return self._summaries.get(name) if name is not None else None

    def set_views(self, views: Sequence[JobView], ledger: LedgerSummary | None) -> None:
        """The batches of this snapshot: the list keeps the chosen batch while it has jobs."""
        self._ledger = ledger
        summaries = batch_summaries(views)
        self._summaries = {s.name: s for s in summaries}
        items: list[tuple[str | None, str]] = [(None, self.tr("All videos"))]
        items += [(s.name, fill(self.tr("Batch: %1 (%2)"), s.name, number_text(s.jobs))) for s in summaries]
        current = [(self.combo.itemData(i), self.combo.itemText(i)) for i in range(self.combo.count())]
        if items != current:
            chosen = self.chosen()
            self.combo.blockSignals(True)
            self.combo.clear()
            for name, text in items:
                self.combo.addItem(text, name)
            self.combo.setCurrentIndex(max(0, self.combo.findData(chosen)) if chosen in self._summaries else 0)
            self.combo.blockSignals(False)
            if self.chosen() != chosen:
                self.batchChanged.emit(self.chosen())
        self.setVisible(bool(summaries))
        self._sync_buttons()

    def choose(self, name: str | None) -> bool:
        """Show this batch (None: every video); False when the queue has no such batch."""
        index = self.combo.findData(name)
        if index < 0:
            return False
        self.combo.setCurrentIndex(index)
        return True

    def _on_chosen(self, _index: int) -> None:
        self._say("")
        self._sync_buttons()
        self.batchChanged.emit(self.chosen())

    def _sync_buttons(self) -> None:
        s = self.summary()
        waiting, failed = (s.waiting, s.failed) if s is not None else (0, 0)
        self.cancel_button.setText(self.tr("Cancel %1 waiting").replace("%1", number_text(waiting)))
        self.retry_button.setText(self.tr("Retry %1 failed").replace("%1", number_text(failed)))
        for widget in (self.cancel_button, self.retry_button):
            widget.setVisible(s is not None)
        for button, action, n in (
            (self.cancel_button, self.act_cancel, waiting),
            (self.retry_button, self.act_retry, failed),
        ):
            button.setEnabled(n > 0)
            action.setEnabled(n > 0)

    def actions_for_menu(self) -> tuple[QAction, ...]:
        """The batch actions for the Queue menu, after a separator (enabled while a batch is shown)."""
        separator = QAction(self)
        separator.setSeparator(True)
        return separator, self.act_cancel, self.act_retry

    # --- cancel the waiting rest ----------------------------------------------------------------------------
    def cancel_text(self, s: BatchSummary) -> str:
        return fill(
            self.tr(
                "%1 waiting videos of batch “%2” will be cancelled and %3 refunded. Videos already "
                "generating or finished stay as they are."
            ),
            number_text(s.waiting),
            s.name,
            money_text(s.waiting_refund_micros),
        )

    def ask_cancel(self) -> None:
        s = self.summary()
        if s is None or s.waiting == 0:
            return
        yes = self._ask(
            self.tr("Cancel the waiting rest of this batch?"),
            self.cancel_text(s),
            self.tr("Cancel %1 waiting").replace("%1", number_text(s.waiting)),
            QMessageBox.ButtonRole.DestructiveRole,
        )
        yes.clicked.connect(lambda: self._run("batch", self._cancel(s.name)))

    async def _cancel(self, name: str) -> None:
        try:
            jobs = await self.engine.cancel_batch(name)
        except (AppError, ValueError) as exc:
            self._say(str(exc))
            return
        text = fill(
            self.tr("Cancelled %1 waiting videos of batch “%2”; they were refunded."),
            number_text(len(jobs)),
            name,
        )
        self._say(text)
        self.message.emit(text)

    # --- retry its failed jobs ------------------------------------------------------------------------------
    def retry_refusal(self, s: BatchSummary) -> str | None:
        """The sentence that refuses the retry before asking, when today's budget cannot take it (the
        engine checks again, in the same transaction as the charges)."""
        left = budget_left_micros(self._ledger)
        if left is None or s.failed_cost_micros <= left:
            return None
        return fill(
            self.tr(
                "Retrying the %1 failed videos of batch “%2” costs %3, more than the %4 left of today's "
                "budget; raise the budget in Settings or retry them one by one."
            ),
            number_text(s.failed),
            s.name,
            money_text(s.failed_cost_micros),
            money_text(max(0, left)),
        )

    def retry_text(self, s: BatchSummary) -> str:
        text = fill(
            self.tr("%1 failed videos of batch “%2” go back to the end of the queue, each charged again: %3 in all."),
            number_text(s.failed),
            s.name,
            money_text(s.failed_cost_micros),
        )
        left = budget_left_micros(self._ledger)
        if left is not None:
            text += " " + self.tr("Today's budget leaves %1.").replace("%1", money_text(max(0, left)))
        return text

    def ask_retry(self) -> None:
        s = self.summary()
        if s is None or s.failed == 0:
            return
        refusal = self.retry_refusal(s)
        if refusal is not None:
            self._say(refusal)
            return
        yes = self._ask(
            self.tr("Retry the failed videos of this batch?"),
            self.retry_text(s),
            self.tr("Retry %1 failed").replace("%1", number_text(s.failed)),
            QMessageBox.ButtonRole.AcceptRole,
        )
        yes.clicked.connect(lambda: self._run("batch", self._retry(s.name)))

    async def _retry(self, name: str) -> None:
        try:
            jobs = await self.engine.retry_batch(name)
        except (AppError, ValueError) as exc:
            self._say(str(exc))
            return
        text = fill(
            self.tr("Queued %1 failed videos of batch “%2” again."),
            number_text(len(jobs)),
            name,
        )
        self._say(text)
        self.message.emit(text)

    # --- shared ----------------------------------------------------------------------------------------------
    def _ask(self, title: str, text: str, yes_text: str, role: QMessageBox.ButtonRole) -> QPushButton:
        """A confirm without a nested event loop (QMessageBox.open); returns its "yes" button."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("batchConfirm")
        yes = box.addButton(yes_text, role)
        box.addButton(self.tr("Keep them"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: setattr(self, "_confirm", None))
        self._confirm = box
        box.open()
        return yes

    def confirm_box(self) -> QMessageBox | None:
        return self._confirm

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
