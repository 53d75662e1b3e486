"""The library's rows: one immutable `LibraryItem` per finished video, built from the engine's QueueSnapshot,
in a list model (new videos inserted, anything else a reset) behind a filter proxy (search, status, model,
date range)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.engine.api import DisplayState, JobView, QueueSnapshot
from veo_desktop.ui.media.video_thumbnails import ThumbnailCache

ItemRole = Qt.ItemDataRole.UserRole + 1  # the LibraryItem
PathRole = Qt.ItemDataRole.UserRole + 2

DATE_RANGES_DAYS = {"any": None, "today": 0, "week": 7, "month": 30}

Index = QModelIndex | QPersistentModelIndex


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

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QObject | None = None) -> None:
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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
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

    def __init__(self, parent: QObject | None = None) -> None:
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

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
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
