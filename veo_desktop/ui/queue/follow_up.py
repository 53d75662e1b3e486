"""Actions on a finished video in the job detail: "Extend" (Veo models with video extension) and "Refine
this video" (Gemini Omni, on the provider that made it), each with a short prompt box, and the chain the
selected clip belongs to ("This clip extends j00001 · total 15 s").

An action the model or provider does not offer is absent, not disabled. A click while a request is in flight
is ignored; the buttons come back in `finally`. A refusal (validation, budget, store) is said under the
boxes in one sentence; the next snapshot shows the queued job.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.errors import AppError
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import Engine, JobView
from veo_desktop.engine.chains import VideoChain
from veo_desktop.ui.support.i18n import number_text

Run = Callable[..., None]  # (name, coroutine, *, replace=False): the panel's kept-task runner


def can_extend(view: JobView, catalogue: Catalogue) -> bool:
    job = view.job
    model = catalogue.get(job.request.model_id)
    if job.status is not JobStatus.COMPLETED or not job.outputs or model is None or model.retired:
        return False
    return model.rules(job.provider).extension is not None


def can_refine(view: JobView, catalogue: Catalogue, provider: str) -> bool:
    job = view.job
    model = catalogue.get(job.request.model_id)
    if job.status is not JobStatus.COMPLETED or not job.outputs or model is None:
        return False
    return model.refine is not None and job.provider == provider


class FollowUps(QWidget):
    queued = Signal(str)  # the new job's id

    def __init__(self, engine: Engine, run: Run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("followUps")
        self.engine = engine
        self._run = run
        self._view: JobView | None = None
        self._busy = False
        self.chain_label = QLabel(self)
        self.chain_label.setObjectName("chainLine")
        self.chain_label.setWordWrap(True)
        self.extend_box = self._box(self.tr("What happens next (empty: the same prompt)"), self.tr("Extension prompt"))
        self.extend_button = QPushButton(self.tr("Extend"), self)
        self.extend_button.setAccessibleName(self.tr("Extend this video"))
        self.refine_box = self._box(self.tr("What to change, e.g. make it night"), self.tr("Refine instruction"))
        self.refine_button = QPushButton(self.tr("Refine this video"), self)
        self.error = QLabel(self)
        self.error.setObjectName("followUpError")
        self.error.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.chain_label)
        for box, button in ((self.extend_box, self.extend_button), (self.refine_box, self.refine_button)):
            row = QHBoxLayout()
            row.addWidget(box, 1)
            row.addWidget(button)
            layout.addLayout(row)
        layout.addWidget(self.error)
        self.extend_button.clicked.connect(self.extend)
        self.refine_button.clicked.connect(self.refine)
        self.extend_box.returnPressed.connect(self.extend)
        self.refine_box.returnPressed.connect(self.refine)
        self.show_view(None)

    def _box(self, placeholder: str, accessible: str) -> QLineEdit:
        box = QLineEdit(self)
        box.setPlaceholderText(placeholder)
        box.setAccessibleName(accessible)
        box.setMaxLength(2000)
        return box

    def show_view(self, view: JobView | None) -> None:
        """Show what applies to this job; a new job clears the boxes, the error and the chain."""
        changed = (view.id if view else None) != (self._view.id if self._view else None)
        self._view = view
        catalogue = self.engine.catalogue
        extend = view is not None and can_extend(view, catalogue)
        refine = view is not None and can_refine(view, catalogue, self.engine.provider_name)
        for widget in (self.extend_box, self.extend_button):
            widget.setVisible(extend)
        for widget in (self.refine_box, self.refine_button):
            widget.setVisible(refine)
        if changed:
            self.extend_box.clear()
            self.refine_box.clear()
            self.error.clear()
            self.chain_label.clear()
            if view is not None:
                self._run("chain", self._load_chain(view.id), replace=True)
        self.error.setVisible(bool(self.error.text()))
        self.chain_label.setVisible(bool(self.chain_label.text()))
        self.setVisible(extend or refine or bool(self.chain_label.text()))

    async def _load_chain(self, job_id: str) -> None:
        chain = await self.engine.chain(job_id)
        if self._view is not None and self._view.id == job_id:
            text = self.chain_text(chain)
            self.chain_label.setText(text)
            self.chain_label.setVisible(bool(text))
            if text:
                self.show()

    def chain_text(self, chain: VideoChain) -> str:
        """ "This clip extends j00001 · total 15 s" (empty for a clip that continues nothing)."""
        parent = chain.parent_id
        if parent is None:
            return ""
        if chain.links[-1].kind == "refine":
            text = self.tr("This clip refines %1").replace("%1", parent)
        elif chain.links[-1].kind == "continuation":
            text = self.tr("This clip continues %1").replace("%1", parent)
        else:
            text = self.tr("This clip extends %1").replace("%1", parent)
        if chain.total_s is not None:
            total = number_text(round(chain.total_s))
            text += self.tr(" · total %1 s").replace("%1", total)
        return text

    def is_busy(self) -> bool:
        return self._busy

    def extend(self) -> None:
        view = self._view
        if self._busy or view is None or not self.extend_button.isVisible():
            return
        prompt = self.extend_box.text().strip() or None
        self._start("extend", self._call(self.engine.extend(view.id, prompt=prompt), self.extend_box))

    def refine(self) -> None:
        view = self._view
        prompt = self.refine_box.text().strip()
        if self._busy or view is None or not self.refine_button.isVisible():
            return
        if not prompt:
            self._say(self.tr("Say what to change first, e.g. “make it night”."))
            return
        self._start("refine", self._call(self.engine.refine(view.id, prompt=prompt), self.refine_box))

    def _start(self, name: str, coro: Coroutine[Any, Any, None]) -> None:
        self._set_busy(True)  # before the task runs: a second click in the same turn is ignored too
        self._run(name, coro)

    async def _call(self, request: Coroutine[Any, Any, Any], box: QLineEdit) -> None:
        try:
            job = await request
        except (AppError, ValueError) as exc:  # a refusal: one sentence for the person
            self._say(str(exc))
        else:
            box.clear()
            self._say("")
            self.queued.emit(job.id)
        finally:
            self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.extend_button, self.refine_button, self.extend_box, self.refine_box):
            widget.setEnabled(not busy)

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
