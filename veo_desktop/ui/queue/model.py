"""The queue as a table model over immutable JobView rows.

`set_snapshot` diffs the new rows against the old ones by job id in O(n): removed rows go with
begin/endRemoveRows, a change of relative order is one layout change (persistent indexes follow their job),
new rows come with begin/endInsertRows, and changed rows get one dataChanged per contiguous run. When most
rows changed, one reset is cheaper. No per-row work happens beyond one comparison, so 10,000 jobs stay smooth.

Reordering by drag and drop never moves rows itself: it asks the engine (`reorderRequested`), and the next
snapshot shows the new order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.engine.api import DisplayState, JobView, PlaceView, QueueSnapshot
from veo_desktop.ui.queue import status_text as st
from veo_desktop.ui.queue.places import Row, merged_rows, place_cells, row_id
from veo_desktop.ui.queue.status_text import tr
from veo_desktop.ui.queue.thumbnails import RowThumbnails

JobViewRole = Qt.ItemDataRole.UserRole + 1
JobIdRole = Qt.ItemDataRole.UserRole + 2
FilterRole = Qt.ItemDataRole.UserRole + 3  # prompt, model and status text, for the filter box

COL_THUMB, COL_PROMPT, COL_SETTINGS, COL_STATUS, COL_COST = range(5)
COLUMN_COUNT = 5
MIME_JOB_IDS = "application/x-veo-desktop-job-ids"
_RESET_FRACTION = 0.5
_CHANGED_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.DecorationRole,
    JobViewRole,
    FilterRole,
]

PLACE_COLOUR = "#7d8597"

STATUS_COLOURS: dict[DisplayState, str] = {
    DisplayState.WAITING: "#9aa4b8",
    DisplayState.PAUSED: "#c9a45c",
    DisplayState.WAITING_QUOTA: "#e0a84f",
    DisplayState.STARTING: "#8fb4ff",
    DisplayState.GENERATING: "#8fb4ff",
    DisplayState.DOWNLOADING: "#8fb4ff",
    DisplayState.COMPLETED: "#6fd39b",
    DisplayState.FAILED: "#ff7b7b",
    DisplayState.FILTERED: "#e0a84f",
    DisplayState.CANCELLED: "#7d8597",
    DisplayState.UNKNOWN_START: "#ffb35c",
}


class QueueTableModel(QAbstractTableModel):
    reorderRequested = Signal(list)  # the waiting job ids in their new order

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        thumbnails: RowThumbnails | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._rows: tuple[Row, ...] = ()
        self._now_ms: int | None = None  # the snapshot's time (an unknown start's slot hold runs until then)
        self._index: dict[str, int] = {}
        self._thumbs = thumbnails
        self._thumb_waiters: dict[str, set[str]] = {}  # thumbnail key -> job ids showing it
        self._brushes = {d: QBrush(QColor(c)) for d, c in STATUS_COLOURS.items()}
        self._place_brush = QBrush(QColor(PLACE_COLOUR))
        if thumbnails is not None:
            thumbnails.ready.connect(self._on_thumbnail)

    # --- reading -------------------------------------------------------------------------------------
    def rows(self) -> tuple[JobView, ...]:
        """One's own jobs, in the table's order (without the other creators' places)."""
        return tuple(r for r in self._rows if isinstance(r, JobView))

    def all_rows(self) -> tuple[Row, ...]:
        return self._rows

    def row_of(self, job_id: str) -> int | None:
        return self._index.get(job_id)

    def view_at(self, row: int) -> Row:
        return self._rows[row]

    def display_at(self, row: int) -> DisplayState:
        """A row's state for the group filter: another creator's place is waiting."""
        view = self._rows[row]
        return view.display if isinstance(view, JobView) else DisplayState.WAITING

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and section == COL_COST:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < COLUMN_COUNT:
            return None
        return ("", tr("Prompt"), tr("Settings"), tr("Status"), tr("Cost"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        view = self._rows[index.row()]
        col = index.column()
        if isinstance(view, PlaceView):
            return self._place_data(view, col, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(view, col)
        if role == JobViewRole:
            return view
        if role == JobIdRole:
            return view.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(view, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS:
            return self._brushes.get(view.display)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_THUMB:
            return self._thumbnail(view)
        if role == FilterRole:
            settings = st.settings_text(view.job, self._catalogue)
            return (
                f"{view.job.request.prompt}\n{settings}\n{st.status_text(view, self._now_ms)}\n{view.job.request.batch}"
            )
        if role == Qt.ItemDataRole.AccessibleTextRole and col in (COL_PROMPT, COL_THUMB):
            return _with_batch(view, " ".join(view.job.request.prompt.split()))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_COST:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _place_data(self, place: PlaceView, col: int, role: int) -> Any:
        """Another creator's waiting job: who, which model, where; never a prompt (it stays theirs)."""
        if role in (Qt.ItemDataRole.DisplayRole, FilterRole):
            return place_cells(place, self._catalogue)[col] if role == Qt.ItemDataRole.DisplayRole else place.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return tr("%1's video; prompts stay private to their creator.").replace("%1", place.creator)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._place_brush
        if role == JobIdRole:
            return row_id(place)
        return None

    def _display(self, view: JobView, col: int) -> str | None:
        if col == COL_PROMPT:
            return " ".join(view.job.request.prompt.split())
        if col == COL_SETTINGS:
            return st.settings_text(view.job, self._catalogue)
        if col == COL_STATUS:
            return st.status_text(view, self._now_ms)
        if col == COL_COST:
            return st.cost_text(view.job)
        return None

    def _tooltip(self, view: JobView, col: int) -> str | None:
        if col in (COL_PROMPT, COL_THUMB):
            return _with_batch(view, view.job.request.prompt)
        if col == COL_STATUS:
            note = st.note_text(view)
            return st.status_text(view, self._now_ms) + (f"\n{note}" if note else "")
        if col == COL_COST:
            return st.cost_words(view.job)
        return self._display(view, col)

    def _thumbnail(self, view: JobView) -> Any:
        if self._thumbs is None:
            return None
        key = self._thumbs.key_for(view.job)
        if key is None:
            return None
        pixmap = self._thumbs.pixmap(key)
        if pixmap is None:
            self._thumb_waiters.setdefault(key, set()).add(view.id)
        return pixmap

    def _on_thumbnail(self, key: str) -> None:
        for job_id in self._thumb_waiters.pop(key, ()):
            row = self._index.get(job_id)
            if row is not None:
                cell = self.index(row, COL_THUMB)
                self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DecorationRole])

    # --- updating ------------------------------------------------------------------------------------
    def set_snapshot(self, snapshot: QueueSnapshot) -> None:
        before = self._now_ms
        self._now_ms = snapshot.taken_at_ms
        self.set_rows(merged_rows(snapshot))
        if before != self._now_ms:  # a slot hold may have run out though its row did not change
            for row, view in enumerate(self._rows):
                if (
                    isinstance(view, JobView)
                    and view.display is DisplayState.UNKNOWN_START
                    and view.job.slot_hold_until_ms is not None
                ):
                    cell = self.index(row, COL_STATUS)
                    self.dataChanged.emit(cell, cell, _CHANGED_ROLES)

    def set_rows(self, new_rows: Sequence[Row]) -> None:
        new = tuple(new_rows)
        new_index = {row_id(v): i for i, v in enumerate(new)}
        old = self._rows
        removed = [i for i, v in enumerate(old) if row_id(v) not in new_index]
        added = len(new) - (len(old) - len(removed))
        if old and new and len(removed) + added > max(32, _RESET_FRACTION * len(new)):
            self._reset(new, new_index)
            return
        self._remove_rows(removed, new_index)
        self._reorder_kept(new, new_index)
        self._insert_rows(new)
        self._emit_changes(new)
        self._rows = new
        self._index = new_index

    def _reset(self, new: tuple[Row, ...], new_index: dict[str, int]) -> None:
        self.beginResetModel()
        self._rows = new
        self._index = new_index
        self._thumb_waiters.clear()
        self.endResetModel()

    def _remove_rows(self, removed: list[int], new_index: dict[str, int]) -> None:
        if not removed:
            return
        rows = list(self._rows)
        for first, last in reversed(_runs(removed)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del rows[first : last + 1]
            self._rows = tuple(rows)
            self.endRemoveRows()
        self._index = {row_id(v): i for i, v in enumerate(self._rows)}

    def _reorder_kept(self, new: tuple[Row, ...], new_index: dict[str, int]) -> None:
        kept = self._rows
        positions = [new_index[row_id(v)] for v in kept]
        if all(a < b for a, b in pairwise(positions)):
            return
        self.layoutAboutToBeChanged.emit()
        order = sorted(range(len(kept)), key=positions.__getitem__)
        new_row_of_old = {old_row: new_row for new_row, old_row in enumerate(order)}
        self._rows = tuple(kept[i] for i in order)
        self._index = {row_id(v): i for i, v in enumerate(self._rows)}
        moved_from = self.persistentIndexList()
        moved_to = [self.index(new_row_of_old[i.row()], i.column()) for i in moved_from]
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def _insert_rows(self, new: tuple[Row, ...]) -> None:
        present = self._index
        if len(present) == len(new):
            return
        rows = list(self._rows)
        to_insert = [i for i, v in enumerate(new) if row_id(v) not in present]
        for first, last in _runs(to_insert):
            self.beginInsertRows(QModelIndex(), first, last)
            rows[first:first] = new[first : last + 1]
            self._rows = tuple(rows)
            self.endInsertRows()
        self._index = {row_id(v): i for i, v in enumerate(self._rows)}

    def _emit_changes(self, new: tuple[Row, ...]) -> None:
        old = self._rows
        changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a is not b and a != b]
        self._rows = new
        last_col = COLUMN_COUNT - 1
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col), _CHANGED_ROLES)

    # --- drag and drop reordering of waiting jobs ------------------------------------------------------
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        if _own_waiting(self._rows[index.row()]):
            return base | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        return base

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_JOB_IDS]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        ids = [row_id(self._rows[r]) for r in rows if _own_waiting(self._rows[r])]
        data = QMimeData()
        data.setData(MIME_JOB_IDS, QByteArray(json.dumps(ids).encode()))
        return data

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(MIME_JOB_IDS)

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            moved = [str(x) for x in json.loads(bytes(data.data(MIME_JOB_IDS).data()).decode())]
        except ValueError:
            return False
        target = parent.row() if parent.isValid() else row
        if target >= 0:  # the row among one's own waiting jobs (the others' places are not ours to move)
            target = sum(1 for r in self._rows[:target] if _own_waiting(r))
        order = reordered_waiting(self.rows(), moved, target)
        if order is None:
            return False
        self.reorderRequested.emit(order)
        return True


def reordered_waiting(rows: Sequence[JobView], moved: Sequence[str], target_row: int) -> list[str] | None:
    """The waiting ids after moving `moved` before the row `target_row` (-1 or past the waiting block: to
    the end of the queue). None when nothing would change."""
    waiting = [v.id for v in rows if v.job.is_waiting]
    waiting_set = set(waiting)
    moving = list(dict.fromkeys(i for i in moved if i in waiting_set))
    if not moving:
        return None
    before = len(waiting) if target_row < 0 or target_row >= len(waiting) else target_row
    anchor = waiting[before] if before < len(waiting) else None
    moving_set = set(moving)
    rest = [i for i in waiting if i not in moving_set]
    while anchor is not None and anchor in moving:  # dropped onto itself: the next unmoved job
        nxt = waiting.index(anchor) + 1
        anchor = waiting[nxt] if nxt < len(waiting) else None
    at = rest.index(anchor) if anchor is not None else len(rest)
    order = [*rest[:at], *moving, *rest[at:]]
    return None if order == waiting else order


def _with_batch(view: JobView, text: str) -> str:
    """The prompt, and the batch the job belongs to (its tag on the thumbnail, in words)."""
    batch = view.job.request.batch
    if not batch:
        return text
    return text + "\n" + tr("Batch: %1").replace("%1", batch)


def _own_waiting(row: Row) -> bool:
    return isinstance(row, JobView) and row.job.is_waiting


def _runs(sorted_rows: Sequence[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] -> [(1, 3), (7, 8)]."""
    runs: list[tuple[int, int]] = []
    for r in sorted_rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs
