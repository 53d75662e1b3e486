"""Issue 12 through the real window: the real engine (composition wiring, SQLite in tmp_path), the built-in
loopback simulator on a fast clock, driven as a person would.

One job with reference images and audio off (Veo 3.1 Fast on Vertex), its Extend, then — after switching to an
AI Studio key in Settings, as the app does it — a Gemini Omni job and its Refine. For each: the row and its
price, completion, playback in the player, and the start the simulator received on the wire.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame
from PySide6.QtWidgets import QPushButton

from tests.ui.helpers import make_png, until
from veo_desktop.app import DesktopApp, parse_args
from veo_desktop.composition import EngineOptions, RunningEngine, open_engine
from veo_desktop.core.cost import omni_video_tokens, request_cost_micros
from veo_desktop.engine.api import DisplayState, JobView
from veo_desktop.engine.chains import clip_length_s
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings
from veo_desktop.simulator import Simulator
from veo_desktop.simulator.state import SimOperation
from veo_desktop.ui.dialogs.settings import SettingsDialog
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.model import COL_COST, COL_PROMPT
from veo_desktop.ui.support.i18n import cents, money_text

SPEED = 50.0  # a 6–12 s generation takes 0.12–0.24 real seconds; a 10 s poll interval 0.2 s
VEO = "veo-3.1-fast-generate-001"
OMNI = "gemini-omni-1.1-flash"
PLAYING = QMediaPlayer.PlaybackState.PlayingState
LOADED = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
async def running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: object
) -> AsyncIterator[RunningEngine]:
    home = tmp_path / "home"
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(home))
    paths = AppPaths(data_dir=home / "data", config_dir=home / "config", library_dir=home / "library")
    engine = await open_engine(
        EngineOptions(
            paths=paths,
            settings=Settings(provider="vertex", max_starts_per_minute=0),
            simulate=True,
            sim_speed=SPEED,
            sim_latency_s=(6.0, 12.0),
        )
    )
    try:
        yield engine
    finally:
        await engine.aclose()


# --- reading the window ------------------------------------------------------------------------------------
def _view(window: MainWindow, job_id: str) -> JobView | None:
    return next((v for v in window.queue.model.rows() if v.id == job_id), None)


def _by_prompt(window: MainWindow, text: str) -> list[JobView]:
    return [v for v in window.queue.model.rows() if text in v.job.request.prompt]


def _cost_cell(window: MainWindow, job_id: str) -> str:
    model = window.queue.model
    row = model.row_of(job_id)
    return "" if row is None else str(model.index(row, COL_COST).data())


def _cost_tip(window: MainWindow, job_id: str) -> str:
    model = window.queue.model
    row = model.row_of(job_id)
    return "" if row is None else str(model.index(row, COL_COST).data(Qt.ItemDataRole.ToolTipRole))


def _start_of(sim: Simulator, prompt: str) -> SimOperation:
    [op] = [op for op in sim.operations() if op.request.prompt == prompt]
    return op


# --- acting as a person ------------------------------------------------------------------------------------
def _click_row(qtbot, window: MainWindow, job_id: str) -> None:  # type: ignore[no-untyped-def]
    """A click on the job's row in the queue table."""
    queue = window.queue
    row = queue.model.row_of(job_id)
    assert row is not None
    index = queue.proxy.mapFromSource(queue.model.index(row, COL_PROMPT))
    queue.table.scrollTo(index)
    qtbot.mouseClick(queue.table.viewport(), Qt.MouseButton.LeftButton, pos=queue.table.visualRect(index).center())
    assert queue.current_view() is not None and queue.current_view().id == job_id


def _type_prompt(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    prompt = window.compose.prompt
    prompt.clear()
    qtbot.keyClicks(prompt, text)


async def _generate(qtbot, window: MainWindow, prompt: str) -> JobView:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.compose.generate_button, Qt.MouseButton.LeftButton)
    await until(lambda: len(_by_prompt(window, prompt)) == 1)
    [view] = _by_prompt(window, prompt)
    return view


async def _completes(window: MainWindow, job_id: str) -> JobView:
    await until(lambda: (v := _view(window, job_id)) is not None and v.display is DisplayState.COMPLETED, timeout_s=20)
    view = _view(window, job_id)
    assert view is not None and view.job.outputs
    return view


async def _plays(qtbot, window: MainWindow, view: JobView, frames: list[QVideoFrame]) -> None:  # type: ignore[no-untyped-def]
    """A click on the finished row plays its file in the player: loaded, playing, pictures in the sink."""
    frames.clear()
    _click_row(qtbot, window, view.id)
    player = window.player
    assert player.current_path() == Path(view.job.outputs[0].path)
    await until(lambda: player.player.playbackState() == PLAYING and player.player.mediaStatus() in LOADED)
    await until(lambda: len(frames) >= 2)
    assert frames[-1].toImage().width() > 0


async def test_references_audio_off_extend_then_omni_refine_through_the_window(
    qtbot, qapp, running: RunningEngine, window_state, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    sim = running.simulator
    assert isinstance(sim, Simulator)
    catalogue = running.engine.catalogue
    window = MainWindow(
        running.engine, settings=running.settings, window_state=window_state, thumbnail_dir=tmp_path / "thumbs"
    )
    qtbot.addWidget(window)
    window.show()
    frames: list[QVideoFrame] = []
    window.player.video_sink().videoFrameChanged.connect(
        lambda f: frames.append(f) if f.isValid() and not f.toImage().isNull() else None
    )
    desktop = DesktopApp(parse_args(["--simulate"]), qapp)  # the app's own Settings → apply path
    desktop.running, desktop.window = running, window
    window.settingsRequested.connect(desktop.open_settings)
    compose = window.compose
    try:
        # 1. Veo 3.1 Fast, two reference images (real PNG files), audio off: priced at the video-only rate.
        compose.choices.model.setCurrentIndex(compose.choices.model.findData(VEO))
        for slot, colour in ((0, "#c0392b"), (1, "#2980b9")):
            compose.references.pickers[slot].fileChosen.emit(make_png(tmp_path / f"ref{slot}.png", colour=colour))
        await until(lambda: len(compose.references.references()) == 2)
        assert not compose.frames.isEnabled()  # references exclude start and end frames, visibly
        assert compose.choices.duration.value() == 8  # references need 8 s
        assert compose.controls.audio.isChecked()
        qtbot.keyClick(compose.controls.audio, Qt.Key.Key_Space)
        assert not compose.controls.audio.isChecked()
        veo = catalogue.get(VEO)
        assert veo is not None
        silent, with_audio = veo.price_silent_micros_per_s["720p"] * 8, veo.price_micros_per_s["720p"] * 8
        assert silent < with_audio  # $0.64, not $0.80
        assert compose.cost.text() == f"Cost: {money_text(silent)}"
        prompt = "A red kite and a blue kite over a beach, the camera follows them"
        _type_prompt(qtbot, window, prompt)
        first = await _generate(qtbot, window, prompt)
        assert _cost_cell(window, first.id) == money_text(silent)
        assert len(first.job.request.reference_images) == 2 and first.job.request.generate_audio is False
        first = await _completes(window, first.id)
        assert _cost_cell(window, first.id) == money_text(silent)  # nothing refunded: one video delivered
        await _plays(qtbot, window, first, frames)
        assert any(item.job_id == first.id for item in window.library.model.items())
        sent = _start_of(sim, prompt).request
        instance, parameters = sent.received["instances"][0], sent.received["parameters"]
        assert [r["referenceType"] for r in instance["referenceImages"]] == ["asset", "asset"]
        assert [r["image"]["mimeType"] for r in instance["referenceImages"]] == ["image/png", "image/png"]
        assert "image" not in instance and "lastFrame" not in instance
        assert parameters["generateAudio"] is False and parameters["durationSeconds"] == 8
        assert sent.audio is False and sent.duration_s == 8

        # 2. Extend the finished video: a new row linked to it, priced for the 7 s step, completed, playing.
        follow = window.queue.follow_ups
        assert follow.extend_button.isVisible() and not follow.refine_button.isVisible()  # no refine on Vertex
        qtbot.keyClicks(follow.extend_box, "The kites climb into the clouds")
        qtbot.mouseClick(follow.extend_button, Qt.MouseButton.LeftButton)
        await until(lambda: len(_by_prompt(window, "kites climb")) == 1)
        [ext] = _by_prompt(window, "kites climb")
        assert ext.job.request.extends_job_id == first.id
        step = veo.price_silent_micros_per_s["720p"] * 7  # the parent's audio switch is kept: still video-only
        assert ext.job.cost_micros == step and _cost_cell(window, ext.id) == money_text(step)
        ext = await _completes(window, ext.id)
        await _plays(qtbot, window, ext, frames)
        await until(lambda: follow.chain_label.isVisible())
        assert follow.chain_label.text() == f"This clip extends {first.id} · total 15 s"
        sent = _start_of(sim, "The kites climb into the clouds").request
        instance, parameters = sent.received["instances"][0], sent.received["parameters"]
        assert instance["video"]["mimeType"] == "video/mp4" and instance["video"]["bytesBase64Encoded"] != ""
        assert "durationSeconds" not in parameters and parameters["generateAudio"] is False
        assert sent.duration_s == 15  # the whole extended video came back

        # 3. Settings → "I have an AI Studio key": the composer offers Gemini Omni; queue one, refine it.
        window.act_settings.trigger()
        dialog = window.findChild(SettingsDialog)
        assert dialog is not None and dialog.isVisible()
        dialog.provider.setCurrentIndex(dialog.provider.findData("gemini"))
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
        await until(lambda: running.engine.provider_name == "gemini" and compose.choices.model.findData(OMNI) >= 0)
        compose.choices.model.setCurrentIndex(compose.choices.model.findData(OMNI))
        assert len(compose.references.references()) == 2  # Omni takes images too: the composer kept them
        for picker in compose.references.pickers[:2]:
            clear = next(b for b in picker.findChildren(QPushButton) if b.text() == "Clear")
            qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)  # this shot is text only
        assert compose.references.references() == ()
        assert not compose.controls.audio.isEnabled()  # Omni always makes sound: the switch says why
        compose.choices.duration.set_value(4)
        omni_prompt = "A paper lantern floating up from a night market"
        _type_prompt(qtbot, window, omni_prompt)
        omni = catalogue.get(OMNI)
        assert omni is not None
        estimate = request_cost_micros(omni, compose.current_request())
        assert compose.cost.text() == f"Cost: {money_text(estimate)}"
        lantern = await _generate(qtbot, window, omni_prompt)
        assert lantern.job.provider == "gemini" and lantern.job.cost_micros == estimate
        assert _cost_cell(window, lantern.id).startswith(money_text(cents(estimate)))
        lantern = await _completes(window, lantern.id)
        await until(lambda: (v := _view(window, lantern.id)) is not None and v.job.refunded_micros > 0)
        lantern = _view(window, lantern.id)  # reconciled from Google's usage: the rest of the estimate comes back
        assert lantern is not None
        refund = money_text(cents(lantern.job.refunded_micros))
        assert _cost_cell(window, lantern.id) == f"{money_text(cents(estimate))} · -{refund}"
        assert _cost_tip(window, lantern.id) == f"{money_text(cents(estimate))} · refunded {refund}"
        await _plays(qtbot, window, lantern, frames)
        assert not follow.extend_button.isVisible() and follow.refine_button.isVisible()
        qtbot.keyClicks(follow.refine_box, "Make it snow")
        qtbot.mouseClick(follow.refine_button, Qt.MouseButton.LeftButton)
        await until(lambda: len(_by_prompt(window, "Make it snow")) == 1)
        [refined] = _by_prompt(window, "Make it snow")
        assert refined.job.request.refines_job_id == lantern.id
        parent_s = await asyncio.to_thread(clip_length_s, lantern.job)
        assert parent_s is not None
        with_parent = request_cost_micros(
            omni, refined.job.request, parent_video_tokens=omni_video_tokens(omni, "720p", parent_s)
        )
        assert refined.job.cost_micros == with_parent > estimate  # the edited video's tokens are input too
        assert _cost_cell(window, refined.id).startswith(money_text(cents(with_parent)))
        refined = await _completes(window, refined.id)
        await _plays(qtbot, window, refined, frames)
        await until(lambda: follow.chain_label.isVisible())
        assert follow.chain_label.text().startswith(f"This clip refines {lantern.id}")
        sent = _start_of(sim, omni_prompt).request
        assert sent.received["input"][0]["content"] == [{"type": "text", "text": omni_prompt}]
        assert sent.received["response_format"]["duration"] == "4s" and sent.previous_id is None
        sent = _start_of(sim, "Make it snow").request
        assert sent.received["previous_interaction_id"] == lantern.job.operation_name
        assert sent.previous_id == lantern.job.operation_name

        assert sim.stats.accepted_starts == 4  # each job started once
        assert sim.stats.starts_by_provider == {"vertex": 2, "gemini": 2}
    finally:
        await window.aclose()
