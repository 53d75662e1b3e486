from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QImage

from tests.ui.helpers import make_png, until
from veo_desktop.composition import load_catalogue
from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.request import GenerationRequest
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.compose.panel import ComposePanel


def _panel(qtbot, engine: FakeEngine) -> ComposePanel:
    panel = ComposePanel(engine)
    qtbot.addWidget(panel)
    return panel


async def test_empty_prompt_is_refused_inline_and_nothing_lost(qtbot, fake_engine):
    panel = _panel(qtbot, fake_engine)
    panel.negative.setPlainText("blurry")
    panel.generate()
    await until(lambda: panel.error_text("prompt"))
    assert "Prompt is empty" in panel.error_text("prompt")
    assert panel.negative.toPlainText() == "blurry"
    assert fake_engine.jobs == {}
    panel.prompt.setPlainText("a red fox")
    assert panel.error_text("prompt") == ""


async def test_double_click_queues_once(qtbot, fake_engine):
    fake_engine.submit_delay_s = 0.05
    panel = _panel(qtbot, fake_engine)
    panel.prompt.setPlainText("a red fox in the snow")
    panel.count.setValue(2)
    panel.generate_button.click()
    panel.generate_button.click()
    await until(lambda: panel.generate_button.isEnabled() and fake_engine.jobs)
    panel.generate_button.click()  # within the double-click interval: still ignored
    await asyncio.sleep(0.1)
    assert fake_engine.calls == [("submit", 2)]
    assert len(fake_engine.jobs) == 2
    assert panel.prompt.toPlainText() == "a red fox in the snow"


def _with_8s_rule(catalogue: Catalogue, model_id: str, provider: str, resolution: str) -> Catalogue:
    """The catalogue with `resolution` limited to 8 s for `model_id` in `provider`'s dialect only."""
    model = catalogue.get(model_id)
    assert model is not None
    rules = replace(model.rules(provider), requires_8s=(resolution,))
    changed = replace(model, dialects={**model.dialects, rules.dialect: rules})
    return replace(catalogue, models=tuple(changed if m.id == model_id else m for m in catalogue.models))


async def test_resolution_constrains_duration_with_reason_per_dialect(qtbot, tmp_path):
    catalogue = _with_8s_rule(load_catalogue(), "veo-3.1-fast-generate-001", "vertex", "1080p")
    panel = _panel(qtbot, FakeEngine(tmp_path / "f", catalogue=catalogue))
    choices = panel.choices
    choices.duration.set_value(4)
    choices.resolution.set_value("1080p")
    assert choices.duration.value() == 8
    assert not choices.duration.button(4).isEnabled()
    assert choices.duration.reason(4) == "1080p needs 8 s videos"
    assert panel.cost.text() == "Cost: $0.96"  # 8 s of 1080p
    panel.count.setValue(3)
    assert panel.cost.text() == "3 × $0.96 = $2.88"
    choices.resolution.set_value("720p")  # the rule is 1080p's only
    assert choices.duration.button(4).isEnabled()


async def test_the_model_menu_shows_status_and_limits(qtbot, fake_engine):
    panel = _panel(qtbot, fake_engine)
    menu = panel.choices.model
    tip_role = Qt.ItemDataRole.ToolTipRole
    entries = {menu.itemData(i): (menu.itemText(i), menu.itemData(i, tip_role)) for i in range(menu.count())}
    label, tip = entries["veo-3.1-lite-generate-001"]
    assert label == "Veo 3.1 Lite (preview)" and "may change or withdraw" in tip
    assert "4–8 s · 720p, 1080p · up to 4 videos per job" in tip
    label, tip = entries["veo-3.0-generate-001"]
    assert "retired" in label and "choose a current one" in tip
    items = menu.model()
    assert not items.item(menu.findData("veo-3.0-generate-001")).isEnabled()  # a retired model cannot be chosen
    assert menu.currentData() == "veo-3.1-fast-generate-001"


async def test_gemini_omni_offers_its_own_lengths_and_no_negative_prompt(qtbot, tmp_path):
    engine = FakeEngine(tmp_path / "f", provider="gemini")
    panel = _panel(qtbot, engine)
    choices = panel.choices
    assert choices.model.currentData() == "gemini-omni-1.1-flash"
    assert not choices.duration.uses_buttons()  # 3-10 s: a spin box, not eight buttons
    spin = choices.duration.spin
    assert (spin.minimum(), spin.maximum(), choices.duration.value()) == (3, 10, 8)
    spin.setValue(10)
    assert not panel.negative.isEnabled() and "negative prompt" in panel.negative.toolTip()
    panel.negative.setPlainText("blurry")  # kept in the field, not sent
    panel.prompt.setPlainText("a paper boat on a pond")
    panel.generate()
    await until(lambda: engine.jobs)
    [job] = engine.jobs.values()
    assert (job.request.duration_s, job.request.negative_prompt) == (10, "")
    assert panel.negative.toPlainText() == "blurry"


async def test_veo_lengths_are_buttons_again_after_omni(qtbot, tmp_path):
    panel = _panel(qtbot, FakeEngine(tmp_path / "f", provider="vertex"))
    duration = panel.choices.duration
    assert duration.uses_buttons() and duration.values() == [4, 6, 8] and duration.value() == 8
    assert duration.buttons.isVisibleTo(duration) and not duration.spin.isVisibleTo(duration)
    duration.set_value(6)
    assert panel.current_request().duration_s == 6


async def test_an_unconfirmed_price_is_marked(qtbot, tmp_path):
    panel = _panel(qtbot, FakeEngine(tmp_path / "f", provider="gemini"))
    menu = panel.choices.model
    index = menu.findData("gemini-omni-1.1-flash")
    assert menu.itemText(index) == "Gemini Omni Flash 1.1 (unverified price)"
    assert "an estimate" in menu.itemData(index, Qt.ItemDataRole.ToolTipRole)


async def test_frames_import_preview_and_refusal(qtbot, fake_engine, tmp_path: Path):
    panel = _panel(qtbot, fake_engine)
    assert not panel.frames.end_picker.isEnabled()
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    panel.frames.start_picker.fileChosen.emit(bad)
    await until(lambda: panel.frames.start_picker.error_text())
    assert "not a PNG, JPEG or WEBP" in panel.frames.start_picker.error_text()
    assert panel.frame("start_frame") is None
    good = make_png(tmp_path / "start.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(good))])
    assert panel.frames.start_picker.take_mime(mime)  # as a drop would
    await until(lambda: panel.frame("start_frame") is not None)
    assert panel.frames.end_picker.isEnabled()
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(0x00FF00)
    panel.frames.end_picker.bytesChosen.emit(image)  # as a paste would
    await until(lambda: panel.frame("end_frame") is not None)
    assert panel.current_request().end_frame.width == 200
    panel.clear_frame("start_frame")
    assert panel.frame("end_frame") is None and not panel.frames.end_picker.isEnabled()


async def test_budget_error_shown_beside_cost(qtbot, tmp_path):
    engine = FakeEngine(tmp_path / "f", budget_micros=500_000)
    panel = _panel(qtbot, engine)
    panel.set_snapshot(await engine.snapshot())
    assert "no daily budget" not in panel.spending.text.text()
    panel.prompt.setPlainText("an expensive idea")
    panel.generate()
    await until(lambda: panel.error_text("cost"))
    assert "budget" in panel.error_text("cost")


async def test_spending_against_the_budget(qtbot, tmp_path):
    engine = FakeEngine(tmp_path / "f", budget_micros=4_000_000)
    panel = _panel(qtbot, engine)
    await engine.submit(GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a fox"), 2)
    panel.set_snapshot(await engine.snapshot())
    assert panel.spending.text.text() == "Spent today: $1.60 of $4.00"
    assert panel.spending.bar.isVisibleTo(panel) and panel.spending.bar.value() == 400  # 40 % of the bar's 1000
    unlimited = FakeEngine(tmp_path / "g")
    panel.set_snapshot(await unlimited.snapshot())
    assert panel.spending.text.text() == "Spent today: $0.00 · no daily budget"
    assert not panel.spending.bar.isVisibleTo(panel)
