"""Queue a batch file (.txt: one prompt per line; .csv: columns) from the composer.

The file is read and parsed off the GUI thread (core/batch.py), each row laid over the composer's current
request, then the engine validates and prices the whole batch (`quote_batch`). One confirm shows the count
and the total cost; a refused file shows its line-numbered errors and nothing is queued. Confirming calls
`submit_batch` (all or nothing). The confirm is a strip inside the composer, not a modal dialog.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from veo_desktop.core.batch import (
    BatchRefused,
    BatchRow,
    LineError,
    apply_row,
    default_batch_name,
    looks_like_csv,
    parse_batch,
)
from veo_desktop.core.errors import BudgetExceeded, StoreError
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.validation import ValidationError
from veo_desktop.engine.api import Engine
from veo_desktop.ui.compose.choices import field_error_label
from veo_desktop.ui.support.i18n import money_text, number_text
from veo_desktop.ui.support.tasks import TaskKeeper

BATCH_SUFFIXES = (".txt", ".csv")


def batch_file_path(mime: QMimeData | None) -> Path | None:
    """The one local .txt or .csv file a drop carries, if that is what it carries."""
    urls = mime.urls() if mime is not None else []
    paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    return paths[0] if len(paths) == 1 and paths[0].suffix.lower() in BATCH_SUFFIXES else None


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


class BatchQueuer(QWidget):
    submitted = Signal(int)  # how many jobs were queued
    message = Signal(str)

    def __init__(
        self,
        engine: Engine,
        tasks: TaskKeeper,
        base_request: Callable[[], GenerationRequest],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self._tasks = tasks
        self._base_request = base_request
        self._pending: tuple[list[GenerationRequest], list[int]] | None = None
        self.open_button = QPushButton(self.tr("Queue a file…"), self)
        self.open_button.setToolTip(self.tr("Queue one video per line of a .txt or .csv file (or drop the file here)"))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.confirm_button = QPushButton(self.tr("Queue them"), self)
        self.confirm_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.error = field_error_label(self)
        self._build()
        self._show_confirm(False)

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.open_button)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.confirm_button)
        column.addLayout(row)
        column.addWidget(self.error)
        self.open_button.clicked.connect(self.choose_file)
        self.confirm_button.clicked.connect(lambda: self._tasks.start("batch", self._submit()))
        self.cancel_button.clicked.connect(self._dismiss)

    def _show_confirm(self, shown: bool) -> None:
        for widget in (self.summary, self.confirm_button, self.cancel_button):
            widget.setVisible(shown)

    def _dismiss(self) -> None:
        self._pending = None
        self._show_confirm(False)

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Queue a file"), "", self.tr("Prompt files (*.txt *.csv)")
        )
        if name:
            self.queue_file(Path(name))

    def queue_file(self, path: Path) -> None:
        """Read, check and price `path`, then ask for the one confirm."""
        self._tasks.start("batch", self._prepare(path), replace=True)

    async def _prepare(self, path: Path) -> None:
        self._dismiss()
        self.error.hide()
        self.open_button.setEnabled(False)
        try:
            text = await asyncio.to_thread(_read_text, path)
            parsed = await asyncio.to_thread(parse_batch, text, csv_format=looks_like_csv(path.name, text))
            if parsed.errors:
                raise BatchRefused(parsed.errors)
            base = self._base_request().with_changes(batch=default_batch_name(path.name))
            requests = [await self._request(row, base, path.parent) for row in parsed.rows]
            lines = [row.line for row in parsed.rows]
            quote = await self.engine.quote_batch(requests, lines=lines)
        except (OSError, UnicodeDecodeError):
            self._fail(self.tr("Could not read %1; check the file and try again.").replace("%1", path.name))
            return
        except (ValidationError, StoreError) as exc:
            self._fail(str(exc))
            return
        finally:
            self.open_button.setEnabled(True)
        self._pending = (requests, lines)
        text = (
            self.tr("Queue %1 videos from %2 for %3?") if quote.jobs != 1 else self.tr("Queue 1 video from %2 for %3?")
        )
        text = text.replace("%1", number_text(quote.jobs)).replace("%2", path.name)
        text = text.replace("%3", money_text(quote.total_micros))
        if not quote.fits_budget:
            text += " " + self.tr("This passes today's budget; raise it or queue fewer lines.")
        self.summary.setText(text)
        self.confirm_button.setEnabled(quote.fits_budget)
        self._show_confirm(True)

    async def _request(self, row: BatchRow, base: GenerationRequest, folder: Path) -> GenerationRequest:
        request = apply_row(row, base)
        frames = {}
        for field in ("start_frame", "end_frame"):
            name = getattr(row, field)
            if name:
                try:
                    frames[field] = await self.engine.import_frame(folder / name, field=field)
                except (OSError, ValidationError) as exc:
                    raise BatchRefused([LineError(row.line, f"{field.replace('_', ' ')} '{name}': {exc}")]) from exc
        return request.with_changes(**frames) if frames else request

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    async def _submit(self) -> None:
        if self._pending is None:
            return
        requests, lines = self._pending
        self.confirm_button.setEnabled(False)
        try:
            jobs = await self.engine.submit_batch(requests, lines=lines)
        except (ValidationError, BudgetExceeded, StoreError) as exc:
            self._fail(str(exc))
            return
        finally:
            self._dismiss()
            self.confirm_button.setEnabled(True)
        self.submitted.emit(len(jobs))
        self.message.emit(self.tr("Queued %1 videos from the file.").replace("%1", number_text(len(jobs))))
