from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt

from tests.ui.helpers import make_views
from veo_desktop.composition import load_catalogue
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import DisplayState
from veo_desktop.ui.queue.model import (
    COL_STATUS,
    MIME_JOB_IDS,
    JobIdRole,
    JobViewRole,
    QueueTableModel,
    reordered_waiting,
)


def _model() -> QueueTableModel:
    return QueueTableModel(load_catalogue())


def test_model_passes_qtmodeltester_with_many_rows(qtmodeltester):
    model = _model()
    model.set_rows(make_views(2_000, waiting=200))
    qtmodeltester.check(model)
    assert model.rowCount() == 2_000
    assert model.index(0, 0).data(JobIdRole) == "j000000"
    assert model.index(3, 0).data(JobViewRole).position == 4


def test_status_text_shows_position_and_eta(qapp):
    model = _model()
    model.set_rows(make_views(3, waiting=3))
    assert model.index(0, COL_STATUS).data() == "In the queue — position 1 · starting next"
    assert model.index(2, COL_STATUS).data() == "In the queue — position 3 · starts in ~2 min"


def test_diff_inserts_removes_and_changes_with_fine_signals(qtbot, qtmodeltester):
    model = _model()
    rows = make_views(10, waiting=4)
    model.set_rows(rows)
    qtmodeltester.check(model)
    seen: list[str] = []
    model.rowsInserted.connect(lambda _p, a, b: seen.append(f"ins {a}-{b}"))
    model.rowsRemoved.connect(lambda _p, a, b: seen.append(f"rem {a}-{b}"))
    model.modelReset.connect(lambda: seen.append("reset"))
    model.dataChanged.connect(lambda a, b, _r: seen.append(f"chg {a.row()}-{b.row()}"))
    persistent = model.index(9, 0)
    from PySide6.QtCore import QPersistentModelIndex

    keep = QPersistentModelIndex(persistent)
    extra = make_views(2, waiting=2, prefix="x")
    changed = replace(rows[5], job=replace(rows[5].job, status=JobStatus.FAILED), display=DisplayState.FAILED)
    new = (*rows[:2], *extra, *rows[3:5], changed, *rows[6:])
    model.set_rows(new)
    assert "reset" not in seen
    assert "rem 2-2" in seen and "ins 2-3" in seen
    assert any(s.startswith("chg 6-6") for s in seen)
    assert [model.index(r, 0).data(JobIdRole) for r in range(model.rowCount())] == [v.id for v in new]
    assert keep.row() == 10 and keep.data(JobIdRole) == rows[9].id


def test_reorder_keeps_persistent_indexes(qapp):
    model = _model()
    rows = make_views(5, waiting=5)
    model.set_rows(rows)
    from PySide6.QtCore import QPersistentModelIndex

    keep = QPersistentModelIndex(model.index(4, 1))
    model.set_rows((rows[4], *rows[:4]))
    assert keep.row() == 0
    assert model.index(0, 0).data(JobIdRole) == rows[4].id


def test_large_change_resets_once(qapp):
    model = _model()
    model.set_rows(make_views(1_000))
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_rows(make_views(1_000, prefix="k"))
    assert resets == [1]
    assert model.rowCount() == 1_000


def test_drop_asks_the_engine_to_reorder(qapp):
    model = _model()
    rows = make_views(6, waiting=4)
    model.set_rows(rows)
    requested: list[list[str]] = []
    model.reorderRequested.connect(requested.append)
    mime = model.mimeData([model.index(3, 0), model.index(3, 1), model.index(5, 0)])
    assert json.loads(bytes(mime.data(MIME_JOB_IDS).data())) == [rows[3].id]  # completed rows do not drag
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert requested == [[rows[3].id, rows[0].id, rows[1].id, rows[2].id]]
    assert not model.flags(model.index(5, 0)) & Qt.ItemFlag.ItemIsDragEnabled


def test_reordered_waiting_edges():
    rows = make_views(4, waiting=4)
    ids = [v.id for v in rows]
    assert reordered_waiting(rows, [ids[0]], -1) == [ids[1], ids[2], ids[3], ids[0]]
    assert reordered_waiting(rows, [ids[0]], 0) is None
    assert reordered_waiting(rows, [ids[0]], 1) is None
    assert reordered_waiting(rows, [ids[2]], 1) == [ids[0], ids[2], ids[1], ids[3]]
