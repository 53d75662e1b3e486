"""The library: one card per video, filters, activation, and thumbnails loaded without blocking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, QTime
from PySide6.QtGui import QImage

from tests.ui.fixtures_player import DAY_MS, completed_view, dispose, sample_clip, snapshot_of
from tests.ui.helpers import until
from veo_desktop.engine.api import DisplayState
from veo_desktop.ui.library.model import ItemRole, LibraryModel, items_from_snapshot, since_ms
from veo_desktop.ui.library.panel import LibraryPanel
from veo_desktop.ui.media.video_thumbnails import ThumbnailCache

NOW_MS = 40 * DAY_MS + 12 * 3_600_000


def _views():  # type: ignore[no-untyped-def]
    return [
        completed_view("j1", "/v/1.mp4", prompt="A red fox in snow", finished_at_ms=NOW_MS - 60_000),
        completed_view(
            "j2",
            "/v/2.mp4",
            prompt="Neon city in the rain",
            model_id="veo-3.1-generate-001",
            finished_at_ms=NOW_MS - 3 * DAY_MS,
        ),
        completed_view("j3", "/v/3.mp4", prompt="A fox cub sleeping", finished_at_ms=NOW_MS - 20 * DAY_MS),
    ]


def test_items_are_videos_newest_first() -> None:
    items = items_from_snapshot(snapshot_of(list(reversed(_views())), now_ms=NOW_MS))
    assert [i.job_id for i in items] == ["j1", "j2", "j3"]


def test_model_passes_qtmodeltester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = LibraryModel()
    model.set_items(items_from_snapshot(snapshot_of(_views()[1:], now_ms=NOW_MS)))
    qtmodeltester.check(model)
    model.set_items(items_from_snapshot(snapshot_of(_views(), now_ms=NOW_MS)))  # a new video: inserted
    qtmodeltester.check(model)
    assert model.rowCount() == 3


def test_search_and_filters(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.set_snapshot(snapshot_of(_views(), now_ms=NOW_MS))

    def shown() -> list[str]:
        return [panel.proxy.index(r, 0).data(ItemRole).job_id for r in range(panel.proxy.rowCount())]

    assert shown() == ["j1", "j2", "j3"]
    panel.search.setText("FOX")
    assert shown() == ["j1", "j3"]
    panel.search.clear()
    panel.model_filter.setCurrentIndex(panel.model_filter.findData("veo-3.1-generate-001"))
    assert shown() == ["j2"]
    panel.model_filter.setCurrentIndex(0)
    panel.date_filter.setCurrentIndex(panel.date_filter.findData("week"))
    assert shown() == ["j1", "j2"]
    panel.date_filter.setCurrentIndex(panel.date_filter.findData("today"))
    assert shown() == ["j1"]
    panel.date_filter.setCurrentIndex(0)
    assert panel.status_filter.findData(DisplayState.COMPLETED.value) > 0
    panel.search.setText("nothing like this")
    assert shown() == [] and "match" in panel._empty.text()


def test_since_ms_today_starts_at_local_midnight() -> None:
    start = since_ms("today", NOW_MS)
    assert start is not None
    midnight = QDateTime.fromMSecsSinceEpoch(start)
    assert midnight.time() == QTime(0, 0)
    assert since_ms("any", NOW_MS) is None


def test_activation_emits_the_path(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.set_snapshot(snapshot_of(_views(), now_ms=NOW_MS))
    with qtbot.waitSignal(panel.videoActivated, timeout=1000) as blocker:
        panel.view.activated.emit(panel.proxy.index(1, 0))
    assert blocker.args == ["/v/2.mp4"]


async def test_thumbnails_arrive_asynchronously(tmp_path: Path) -> None:
    clip = sample_clip(tmp_path)
    cache = ThumbnailCache(tmp_path / "thumbs")
    panel = LibraryPanel(cache)
    panel.set_snapshot(snapshot_of([completed_view("j1", clip, finished_at_ms=NOW_MS)], now_ms=NOW_MS))
    index = panel.model.index(0, 0)
    assert index.data(Qt.ItemDataRole.DecorationRole) is None  # not blocking: a load started
    await until(lambda: isinstance(index.data(Qt.ItemDataRole.DecorationRole), QImage))
    assert list((tmp_path / "thumbs").glob("*.jpg"))  # kept on disk for the next launch
    second = ThumbnailCache(tmp_path / "thumbs")
    second.get(str(clip))
    await until(lambda: second.get(str(clip)) is not None)
    await dispose(panel, cache, second)
