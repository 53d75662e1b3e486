"""One message for the waiting jobs held because Google retired their model: how many, which model, and the
two ways out for all of them at once, "Move all to <current model>" (re-priced) and "Cancel them (refund)",
through `Engine.move_retired`. Hidden while nothing is held."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from veo_desktop.core.catalogue_sources import suggest_replacement
from veo_desktop.core.errors import AppError
from veo_desktop.core.jobs import Job
from veo_desktop.engine.api import Engine
from veo_desktop.ui.support.i18n import number_text

Run = Callable[..., None]  # the panel's kept-task runner: (name, coroutine, *, replace=False)


class HeldBanner(QFrame):
    message = Signal(str)

    def __init__(self, engine: Engine, run: Run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("heldBanner")
        self.engine = engine
        self._run = run
        self._target: str | None = None
        self._busy = False
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.move_button = QPushButton(self)
        self.cancel_button = QPushButton(self.tr("Cancel them (refund)"), self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.move_button)
        layout.addWidget(self.cancel_button)
        self.move_button.clicked.connect(lambda: self._act(cancel=False))
        self.cancel_button.clicked.connect(lambda: self._act(cancel=True))
        self.hide()

    def refresh(self) -> None:
        """Ask the engine which jobs are held (the latest ask wins)."""
        self._run("held", self._read(), replace=True)

    async def _read(self) -> None:
        self.show_held(await self.engine.held_jobs())

    def show_held(self, held: Sequence[Job]) -> None:
        if not held:
            self.hide()
            return
        names = sorted({self._name(j.request.model_id) for j in held})
        count = len(held)
        if count == 1:
            text = self.tr("1 waiting video is held: Google retired its model (%1).")
        else:
            text = self.tr("%1 waiting videos are held: Google retired their model (%2).")
            text = text.replace("%1", number_text(count))
        self.text.setText(text.replace("%2" if count > 1 else "%1", ", ".join(names)))
        target = suggest_replacement(self.engine.catalogue, held[0].request.model_id, self.engine.provider_name)
        self._target = target.id if target is not None else None
        if target is not None:
            self.move_button.setText(self.tr("Move all to %1").replace("%1", target.display_name))
        self.move_button.setVisible(target is not None)
        self.show()

    def _name(self, model_id: str) -> str:
        model = self.engine.catalogue.get(model_id)
        return model.display_name if model is not None else model_id

    def _act(self, *, cancel: bool) -> None:
        if self._busy or (not cancel and self._target is None):
            return
        self._set_busy(True)
        self._run("move_retired", self._move(None if cancel else self._target, cancel))

    async def _move(self, to_model: str | None, cancel: bool) -> None:
        try:
            jobs = await self.engine.move_retired(to_model, cancel=cancel)
        except (AppError, ValueError, LookupError) as exc:
            self.message.emit(str(exc))
        else:
            n = number_text(len(jobs))
            if cancel:
                self.message.emit(self.tr("Cancelled %1 held videos; they were refunded.").replace("%1", n))
            else:
                self.message.emit(self.tr("Moved %1 held videos to a current model.").replace("%1", n))
            await self._read()
        finally:
            self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.move_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def is_busy(self) -> bool:
        return self._busy


__all__ = ["HeldBanner"]
