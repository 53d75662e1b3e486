"""The library: every finished video as a card (first-frame thumbnail, prompt, model, date), with search by
prompt and filters by status, model and date. Model/view over immutable rows, built from the engine's
QueueSnapshot; thumbnails come from a shared `ThumbnailCache` and never block the GUI thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import (
    QAbstractListModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStackedLayout,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.engine.api import DisplayState, JobView, QueueSnapshot
from veo_desktop.ui.frames import ThumbnailCache

ItemRole = Qt.ItemDataRole.UserRole + 1  # the LibraryItem
PathRole = Qt.ItemDataRole.UserRole + 2

DATE_RANGES_DAYS = {"any": None, "today": 0, "week": 7, "month": 30}

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class LibraryItem:
    job_id: str
    path: str
    prompt: str
    model_id: str
    model_label: str
    status: DisplayState
    aspect_ratio: str
    duration_s: int
    resolution: str
    finished_at_ms: int  # when the video was ready (created time if unknown)


def items_from_snapshot(snapshot: QueueSnapshot, catalogue: Catalogue | None = None) -> list[LibraryItem]:
    """One item per video file, newest first."""
    items = [_item(view, output.path, catalogue) for view in snapshot.jobs for output in view.job.outputs]
    items.sort(key=lambda item: item.finished_at_ms, reverse=True)
    return items


def _item(view: JobView, path: str, catalogue: Catalogue | None) -> LibraryItem:
    job, request = view.job, view.job.request
    info = catalogue.get(request.model_id) if catalogue else None
    return LibraryItem(
        job_id=job.id,
        path=path,
        prompt=request.prompt,
        model_id=request.model_id,
        model_label=info.display_name if info else request.model_id,
        status=view.display,
        aspect_ratio=request.aspect_ratio,
        duration_s=request.duration_s,
        resolution=request.resolution,
        finished_at_ms=job.finished_at_ms or job.created_at_ms,
    )


class LibraryModel(QAbstractListModel):
    """Immutable rows; new videos (which arrive newest first) are inserted, anything else resets."""

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[LibraryItem] = []
        self._thumbnails = thumbnails
        if thumbnails is not None:
            thumbnails.ready.connect(self._on_thumbnail)

    def items(self) -> Sequence[LibraryItem]:
        return tuple(self._items)

    def set_items(self, items: Sequence[LibraryItem]) -> None:
        new = list(items)
        if new == self._items:
            return
        added = len(new) - len(self._items)
        if added > 0 and new[added:] == self._items:
            self.beginInsertRows(QModelIndex(), 0, added - 1)
            self._items = new
            self.endInsertRows()
            return
        self.beginResetModel()
        self._items = new
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.prompt
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnails.get(item.path) if self._thumbnails is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.prompt}\n{item.model_label} · {item.duration_s} s · {item.resolution}\n{item.path}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.prompt}, {item.model_label}"
        if role == ItemRole:
            return item
        if role == PathRole:
            return item.path
        return None

    def _on_thumbnail(self, path: str) -> None:
        for row, item in enumerate(self._items):
            if item.path == path:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class LibraryFilter(QSortFilterProxyModel):
    """Search text (in the prompt, case-insensitive), status, model and a date range ending at `now_ms`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = ""
        self._status = ""
        self._model_id = ""
        self._since_ms: int | None = None

    def set_criteria(
        self, *, search: str = "", status: str = "", model_id: str = "", since_ms: int | None = None
    ) -> None:
        self.beginFilterChange()
        self._search = search.strip().casefold()
        self._status = status
        self._model_id = model_id
        self._since_ms = since_ms
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        item = self.sourceModel().index(source_row, 0, source_parent).data(ItemRole)
        if not isinstance(item, LibraryItem):
            return False
        if self._search and self._search not in item.prompt.casefold():
            return False
        if self._status and item.status.value != self._status:
            return False
        if self._model_id and item.model_id != self._model_id:
            return False
        return self._since_ms is None or item.finished_at_ms >= self._since_ms


def since_ms(range_key: str, now_ms: int) -> int | None:
    """The start of a date range ("today" starts at local midnight) or None for any time."""
    days = DATE_RANGES_DAYS.get(range_key)
    if days is None:
        return None
    midnight = datetime.fromtimestamp(now_ms / 1000).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((midnight - timedelta(days=days)).timestamp() * 1000)


class LibraryDelegate(QStyledItemDelegate):
    """A card: the thumbnail letterboxed in a 16:9 frame, two lines of prompt, then model · length · date."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        line = option.fontMetrics.height()
        width = line * 12  # two cards side by side in a ~360 px library
        return QSize(width, width * 9 // 16 + line * 5)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        item = index.data(ItemRole)
        if not isinstance(item, LibraryItem):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        card = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(option.rect.adjusted(1, 1, -1, -1), 8, 8)
        line = option.fontMetrics.height()
        thumb = QRect(card.left(), card.top(), card.width(), card.width() * 9 // 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 20, 24))
        painter.drawRoundedRect(thumb, 6, 6)
        image = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(image, QImage) and not image.isNull():
            size = image.size().scaled(thumb.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(thumb.center())
            painter.drawImage(target, image)
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        text_rect = QRect(card.left(), thumb.bottom() + line // 3, card.width(), line * 2)
        painter.setPen(text_color)
        prompt = option.fontMetrics.elidedText(
            item.prompt.replace("\n", " "), Qt.TextElideMode.ElideRight, card.width() * 2 - line
        )
        painter.drawText(text_rect, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop, prompt)
        meta_color = QColor(text_color)
        meta_color.setAlphaF(0.65)
        painter.setPen(meta_color)
        when = QLocale().toString(QDateTime.fromMSecsSinceEpoch(item.finished_at_ms), QLocale.FormatType.ShortFormat)
        details = f"{item.model_label} · {item.duration_s} s · {item.resolution}"
        for row, text in enumerate((details, when)):
            rect = QRect(card.left(), text_rect.bottom() + 2 + row * line, card.width(), line)
            elided = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, card.width())
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()


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
