"""A mouse click on a queue row shows that job at once (not at the next snapshot), and the first layout on a
1440-wide screen gives the composer its width from both of its neighbours."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.ui.main_window import DEFAULT_SPLIT, MainWindow
from veo_desktop.ui.queue.model import COL_PROMPT

REQ = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk")


async def test_a_click_on_a_row_shows_its_job_at_once(qtbot, fake_engine, window_state):  # type: ignore[no-untyped-def]
    window = MainWindow(fake_engine, window_state=window_state)
    qtbot.addWidget(window)
    window.show()
    jobs = await fake_engine.submit(REQ, 2)
    queue = window.queue
    await until(lambda: queue.model.rowCount() == 2)
    seen: list[object] = []
    queue.currentJobChanged.connect(seen.append)
    for job in jobs:
        index = queue.proxy.mapFromSource(queue.model.index(queue.model.row_of(job.id), COL_PROMPT))
        qtbot.mouseClick(queue.table.viewport(), Qt.MouseButton.LeftButton, pos=queue.table.visualRect(index).center())
        view = queue.current_view()
        assert view is not None and view.id == job.id  # no snapshot in between
    assert [getattr(v, "id", None) for v in seen] == [j.id for j in jobs]
    await window.aclose()


def test_the_composer_takes_its_width_from_both_neighbours(qtbot, fake_engine, window_state):  # type: ignore[no-untyped-def]
    window = MainWindow(fake_engine, window_state=window_state)
    qtbot.addWidget(window)
    window.show()
    window.fit_to(QRect(0, 0, 1440, 900))
    composer, queue, right = window.split.sizes()
    assert composer >= window.split.widget(0).minimumWidth()
    assert abs(queue / right - DEFAULT_SPLIT[1] / DEFAULT_SPLIT[2]) < 0.1  # the queue keeps its proportion
