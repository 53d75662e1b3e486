"""The library panel: every finished video as a card (first-frame thumbnail, prompt, model, date), with search
by prompt and filters by status, model and date. The rows are `model`, the cards `delegate`; thumbnails
come from a shared `ThumbnailCache` and never block the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.engine.api import DisplayState, QueueSnapshot
from veo_desktop.ui.library.delegate import LibraryDelegate
from veo_desktop.ui.library.model import LibraryFilter, LibraryModel, PathRole, items_from_snapshot, since_ms
from veo_desktop.ui.media.video_thumbnails import ThumbnailCache


class LibraryPanel(QWidget):
    """Finished videos with search and filters. Activating one (double-click, Enter) emits its path."""

    videoActivated = Signal(str)

    def __init__(
        self,
        thumbnails: ThumbnailCache | None = None,
        catalogue: Catalogue | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("libraryPanel")
        self._catalogue = catalogue
        self._now_ms = 0
        self.model = LibraryModel(thumbnails, self)
        self.proxy = LibraryFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._update_empty_state()

    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search prompts"))
        self.search.setAccessibleName(self.tr("Search prompts"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = self._combo(self.tr("Status"), [(self.tr("Any status"), "")])
        self.model_filter = self._combo(self.tr("Model"), [(self.tr("All models"), "")])
        self.date_filter = self._combo(
            self.tr("Date"),
            [
                (self.tr("Any time"), "any"),
                (self.tr("Today"), "today"),
                (self.tr("Last 7 days"), "week"),
                (self.tr("Last 30 days"), "month"),
            ],
        )
        self.view = QListView(self)
        self.view.setAccessibleName(self.tr("Finished videos"))
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(4)
        self.view.setWordWrap(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setItemDelegate(LibraryDelegate(self.view))
        self.view.setModel(self.proxy)
        self.view.activated.connect(self._on_activated)
        self._empty = QLabel(self)
        self._empty.setObjectName("emptyState")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)

        combos = QHBoxLayout()
        combos.setSpacing(6)
        for combo in (self.status_filter, self.model_filter, self.date_filter):
            combos.addWidget(combo, 1)
        filters = QVBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.search)
        filters.addLayout(combos)
        body = QWidget(self)
        self._stack = QStackedLayout(body)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self._empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(body, 1)

        self.search.textChanged.connect(self._apply_filters)
        for combo in (self.status_filter, self.model_filter, self.date_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.proxy.rowsInserted.connect(self._update_empty_state)
        self.proxy.rowsRemoved.connect(self._update_empty_state)
        self.proxy.modelReset.connect(self._update_empty_state)
        self.proxy.layoutChanged.connect(self._update_empty_state)

    def _combo(self, name: str, entries: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        for label, value in entries:
            combo.addItem(label, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    # --- data down -----------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: QueueSnapshot) -> None:
        self._now_ms = snapshot.taken_at_ms
        items = items_from_snapshot(snapshot, self._catalogue)
        self._refill(self.status_filter, sorted({(self._status_label(i.status), i.status.value) for i in items}))
        self._refill(self.model_filter, sorted({(i.model_label, i.model_id) for i in items}))
        self.model.set_items(items)
        self._apply_filters()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def selected_path(self) -> str | None:
        index = self.view.currentIndex()
        path = index.data(PathRole) if index.isValid() else None
        return path if isinstance(path, str) else None

    # --- internals -----------------------------------------------------------------------------------

    def _status_label(self, status: DisplayState) -> str:
        labels = {
            DisplayState.COMPLETED: self.tr("Completed"),
            DisplayState.FAILED: self.tr("Failed"),
            DisplayState.CANCELLED: self.tr("Cancelled"),
            DisplayState.DOWNLOADING: self.tr("Downloading"),
        }
        return labels.get(status, status.value.replace("_", " ").capitalize())

    def _refill(self, combo: QComboBox, entries: list[tuple[str, str]]) -> None:
        """Keep the first ("any") entry and the current choice; replace the rest."""
        current = combo.currentData()
        wanted = [(combo.itemText(0), ""), *entries]
        present = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
        if present == wanted:
            return
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for label, value in entries:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _apply_filters(self) -> None:
        self.proxy.set_criteria(
            search=self.search.text(),
            status=self.status_filter.currentData() or "",
            model_id=self.model_filter.currentData() or "",
            since_ms=since_ms(self.date_filter.currentData() or "any", self._now_ms),
        )
        self._update_empty_state()

    def _update_empty_state(self) -> None:
        if self.proxy.rowCount() > 0:
            self._stack.setCurrentWidget(self.view)
            return
        if self.model.rowCount() == 0:
            self._empty.setText(self.tr("No videos yet.\nFinished videos appear here."))
        else:
            self._empty.setText(self.tr("No videos match your search and filters."))
        self._stack.setCurrentWidget(self._empty)

    def _on_activated(self, index: QModelIndex) -> None:
        path = index.data(PathRole)
        if isinstance(path, str):
            self.videoActivated.emit(path)
