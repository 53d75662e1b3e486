"""The composer's request fields (audio, rewriting, seed, people, resize, quality), reference images and batch
files, with real widgets offscreen against FakeEngine."""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.ui.helpers import make_png, until
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.compose.batch import batch_file_path
from veo_desktop.ui.compose.panel import ComposePanel
from veo_desktop.ui.support.i18n import money_text


def _panel(qtbot, engine: FakeEngine) -> ComposePanel:
    panel = ComposePanel(engine)
    qtbot.addWidget(panel)
    return panel


async def test_references_and_audio_off_reach_submit_at_the_lower_price(qtbot, tmp_path, fake_engine):
    panel = _panel(qtbot, fake_engine)
    panel.prompt.setPlainText("a lighthouse keeper walks her dog")
    panel.choices.duration.set_value(4)
    with_audio = panel.cost.text()
    for slot, colour in ((0, "#aa3333"), (1, "#33aa33")):
        panel.references.pickers[slot].fileChosen.emit(make_png(tmp_path / f"ref{slot}.png", colour=colour))
    await until(lambda: len(panel.references.references()) == 2)
    assert panel.choices.duration.value() == 8  # what references need
    assert panel.choices.duration.reason(4) == "Reference images need 8 s videos"
    assert not panel.frames.isEnabled()
    assert "cannot be combined with reference images" in panel.frames.toolTip()
    panel.controls.audio.setChecked(False)
    request = panel.current_request()
    lower = fake_engine.quote_micros(request, 1)
    assert lower < fake_engine.quote_micros(request.with_changes(generate_audio=True), 1)
    assert panel.cost.text() == f"Cost: {money_text(lower)}" != with_audio
    panel.controls.enhance.setChecked(False)
    panel.controls.seed.setText("4242")
    panel.controls.quality.set_value("lossless")
    panel.generate()
    await until(lambda: fake_engine.jobs)
    (job,) = fake_engine.jobs.values()
    sent = job.request
    assert len(sent.reference_images) == 2 and sent.start_frame is None
    assert sent.generate_audio is False and sent.enhance_prompt is False
    assert sent.seed == 4242 and sent.compression_quality == "lossless"
    assert sent.person_generation == "allow_adult" and sent.resize_mode is None
    assert job.cost_micros == lower


async def test_a_start_frame_blocks_references_and_enables_resize(qtbot, tmp_path, fake_engine):
    panel = _panel(qtbot, fake_engine)
    controls = panel.controls
    assert not controls.resize_mode.isEnabled()
    assert controls.resize_mode.toolTip() == "Resize applies only to a start frame; add one first"
    panel.frames.start_picker.fileChosen.emit(make_png(tmp_path / "start.png"))
    await until(lambda: panel.frame("start_frame") is not None)
    assert controls.resize_mode.isEnabled()
    assert all(not p.isEnabled() for p in panel.references.pickers)
    assert "remove the frames first" in panel.references.pickers[0].toolTip()
    controls.resize_mode.set_value("crop")
    assert panel.current_request().resize_mode == "crop"


async def test_disabled_controls_carry_their_reason(qtbot, tmp_path):
    panel = _panel(qtbot, FakeEngine(tmp_path / "f", provider="gemini"))
    name = panel.current_model().display_name
    controls = panel.controls
    assert not controls.audio.isEnabled() and controls.audio.isChecked()
    assert controls.audio.toolTip() == f"{name} always makes videos with sound"
    assert not controls.enhance.isEnabled() and controls.enhance.toolTip() == f"{name} always rewrites the prompt"
    assert controls.people.toolTip() == f"{name} has no people setting here"
    assert controls.quality.toolTip() == f"{name} has no quality setting"
    assert controls.resize_mode.toolTip() == f"{name} has no resize mode"
    fields = controls.request_fields()
    assert fields["person_generation"] is None and fields["compression_quality"] is None


async def test_a_model_without_references_says_so_and_seeds_come_back(qtbot, fake_engine):
    panel = _panel(qtbot, fake_engine)
    lite = panel.choices.model.findData("veo-3.1-lite-generate-001")
    panel.choices.model.setCurrentIndex(lite)
    assert not panel.references.pickers[0].isEnabled()
    assert panel.references.pickers[0].toolTip().endswith("takes no reference images")
    panel.controls._rng = random.Random(7)
    panel.controls.new_seed.click()
    seed = int(panel.controls.seed.text())
    panel.prompt.setPlainText("waves on a pier")
    panel.generate()
    await until(lambda: fake_engine.jobs)
    panel.controls.seed.clear()
    assert panel.current_request().seed is None  # empty: Google chooses
    panel.controls.same_seed.click()
    assert panel.current_request().seed == seed


async def test_a_broken_batch_file_shows_its_lines_and_queues_nothing(qtbot, tmp_path, fake_engine):
    panel = _panel(qtbot, fake_engine)
    path = tmp_path / "shots.csv"
    path.write_text("prompt,duration,audio\na fox,8s,yes\na hen,eight,no\n,4,yes\na cat,8,maybe\n", encoding="utf-8")
    panel.batch.queue_file(path)
    await until(panel.batch.error_text)
    text = panel.batch.error_text()
    assert "line 3" in text and "line 4" in text and "line 5" in text and "line 2" not in text
    assert not panel.batch.confirm_button.isVisible()
    assert fake_engine.jobs == {}


async def test_a_batch_the_engine_refuses_names_the_line(qtbot, tmp_path, fake_engine):
    panel = _panel(qtbot, fake_engine)
    path = tmp_path / "shots.csv"
    path.write_text("prompt,ratio\na fox,16:9\na hen,4:3\n", encoding="utf-8")
    panel.batch.queue_file(path)
    await until(panel.batch.error_text)
    assert "line 3" in panel.batch.error_text()
    assert fake_engine.jobs == {}


async def test_a_good_file_dropped_on_the_composer_queues_its_jobs(qtbot, tmp_path, fake_engine):
    panel = _panel(qtbot, fake_engine)
    panel.show()
    panel.controls.audio.setChecked(False)
    path = tmp_path / "morning.txt"
    path.write_text("# shots\nsunrise over the bay\n\nboats leaving the harbour\ngulls on a rail\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    panel.dropEvent(drop)
    await until(lambda: panel.batch.confirm_button.isVisible())
    each = fake_engine.quote_micros(panel.current_request(), 1)
    assert panel.batch.summary.text() == f"Queue 3 videos from morning.txt for {money_text(3 * each)}?"
    assert fake_engine.jobs == {}  # nothing before the confirm
    queued: list[int] = []
    panel.submitted.connect(queued.append)
    panel.batch.confirm_button.click()
    await until(lambda: queued)
    assert queued == [3]
    jobs = list(fake_engine.jobs.values())
    assert [j.request.prompt for j in jobs] == ["sunrise over the bay", "boats leaving the harbour", "gulls on a rail"]
    assert {j.request.batch for j in jobs} == {"morning"}
    assert all(j.request.generate_audio is False for j in jobs)
    assert not panel.batch.confirm_button.isVisible()


def test_only_one_txt_or_csv_is_taken_as_a_batch(tmp_path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.png"))])
    assert batch_file_path(mime) is None
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.CSV"))])
    assert batch_file_path(mime) == tmp_path / "a.CSV"
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / n)) for n in ("a.txt", "b.txt")])
    assert batch_file_path(mime) is None


async def test_switches_are_remembered_where_the_model_takes_them(qtbot, tmp_path, fake_engine):
    panel = _panel(qtbot, fake_engine)
    panel.controls.audio.setChecked(False)
    panel.controls.enhance.setChecked(False)
    panel.controls.people.setCurrentIndex(panel.controls.people.findData("dont_allow"))
    panel.controls.quality.set_value("lossless")
    state = panel.save_state()
    again = _panel(qtbot, FakeEngine(tmp_path / "again"))
    again.restore_state(state)
    fields = again.controls.request_fields()
    assert fields["generate_audio"] is False and fields["enhance_prompt"] is False
    assert fields["person_generation"] == "dont_allow" and fields["compression_quality"] == "lossless"
    omni = _panel(qtbot, FakeEngine(tmp_path / "omni", provider="gemini"))
    omni.restore_state(state)
    assert omni.controls.audio.isChecked() and omni.controls.enhance.isChecked()  # Omni has no switch for them
