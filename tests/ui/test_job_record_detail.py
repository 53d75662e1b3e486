"""The job detail's "Sent to Google / Google returned" section: every field sent and what came back, for a
completed job (its sidecar), a waiting one and a failed one (their rows), and "Copy as JSON" (real window
offscreen over the fake engine, which reads records with the engine's own `engine.records`)."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from tests.ui.helpers import until
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.engine.specs import sent_fields
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.record import RecordSection, value_text

MODEL = "veo-3.1-fast-generate-001"
REF = FrameRef(sha256="1a2b3c4d5e6f" + "0" * 52, mime_type="image/png", width=64, height=64, size_bytes=100)


def _window(qtbot, engine: FakeEngine, window_state) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(engine, window_state=window_state)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    return window


async def _select(window: MainWindow, job_id: str) -> RecordSection:
    await until(lambda: window.queue.model.row_of(job_id) is not None)
    assert window.queue.select_job(job_id)
    section = window.queue.record
    await until(lambda: section.record is not None and section.record.job_id == job_id)
    return section


def _rows(section: RecordSection) -> tuple[dict[str, str], dict[str, str]]:
    return dict(section.sent.rows()), dict(section.returned.rows())


async def test_a_completed_job_lists_every_field_sent_and_what_came_back(qtbot, fake_engine, window_state, tmp_path):
    window = _window(qtbot, fake_engine, window_state)
    request = GenerationRequest(
        model_id=MODEL,
        prompt="a lighthouse at dusk",
        generate_audio=False,
        enhance_prompt=True,
        seed=42,
        reference_images=(REF,),
        batch="coast",
    )
    [job] = await fake_engine.submit(request, 1)
    video = tmp_path / "library" / f"{job.id}.mp4"
    video.parent.mkdir()
    video.write_bytes(b"\x00" * 32)
    returned = {
        "videos_requested": 1,
        "videos_delivered": 1,
        "filtered_count": 0,
        "filter_reasons": [],
        "rewritten_prompt": "A lighthouse at dusk, waves crashing, warm light.",
        "seed": 42,
        "usage": {"input_tokens": 120, "video_tokens": 5792, "other_output_tokens": 0},
    }
    fake_engine.add_jobs([replace(fake_engine.jobs[job.id], operation_name="ops/1", started_at_ms=5)])
    fake_engine.complete(job.id, video, returned=returned)
    section = await _select(window, job.id)
    tabs = window.queue.detail.tabs
    assert tabs.currentWidget() is window.queue.detail.events  # the history shows until the tab is chosen
    assert not section.copy_button.isVisible()
    tabs.setCurrentWidget(section)
    assert section.isVisible() and section.copy_button.isVisible()
    assert tabs.tabText(tabs.currentIndex()) == "Sent and returned"
    sent, got = _rows(section)
    assert section.sent.heading.text() == "Sent to Google"
    assert len(sent) == len(sent_fields(fake_engine.jobs[job.id]))  # every field, each on its row
    assert sent["Model"] == MODEL and sent["Prompt"] == "a lighthouse at dusk"
    assert (sent["Audio"], sent["Prompt rewriting"], sent["Seed"]) == ("off", "on", "42")
    assert (sent["Duration"], sent["Variations"], sent["Batch"]) == ("8 s", "1", "coast")
    assert sent["Reference images"] == "sha256 1a2b3c4d…" and sent["Start frame"] == "none"
    assert (sent["People"], sent["Extends"]) == ("provider default", "none")
    assert got["Operation"] == "ops/1"
    assert got["Rewritten prompt"] == "A lighthouse at dusk, waves crashing, warm light."
    assert (got["Seed"], got["Filter reasons"]) == ("42", "none")
    assert got["Tokens"] == "input 120 · video 5,792 · other 0"
    values = [w for w in section.findChildren(QLabel, "recordValue") if w.text() == "off"]
    assert values and values[0].accessibleName() == "Audio"  # a screen reader says which field it is
    section.copy_button.click()
    copied = json.loads(QGuiApplication.clipboard().text())
    expected_sent = sent_fields(fake_engine.jobs[job.id])
    assert copied == {"job_id": job.id, "sent": expected_sent, "returned": {"operation_name": "ops/1", **returned}}
    await window.aclose()


async def test_a_waiting_job_shows_what_will_be_sent_and_no_answer_yet(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(GenerationRequest(model_id=MODEL, prompt="a fox in the snow"), 1)
    section = await _select(window, job.id)
    window.queue.detail.tabs.setCurrentWidget(section)
    sent, got = _rows(section)
    assert section.sent.heading.text() == "Will be sent to Google"
    assert (sent["Prompt"], sent["Seed"], sent["Audio"], sent["Batch"]) == (
        "a fox in the snow",
        "Google chooses",
        "on",
        "none",
    )
    assert section.returned.heading.text() == "Google has not answered yet" and got == {}
    assert section.copy_button.isEnabled()
    await fake_engine.cancel(job.id)  # cancelled before it was ever started
    await until(lambda: section.sent.heading.text() == "Never sent to Google (it would have been)")
    assert section.returned.heading.text() == "Nothing came back: nothing was sent"
    await window.aclose()


async def test_a_failed_job_shows_its_operation_and_error(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(GenerationRequest(model_id=MODEL, prompt="a storm at sea"), 1)
    started = replace(fake_engine.jobs[job.id], operation_name="ops/9", started_at_ms=5, filter_reasons=("Violence.",))
    fake_engine.add_jobs([started])
    fake_engine.fail(job.id, "Google could not make this video (internal error).")
    section = await _select(window, job.id)
    window.queue.detail.tabs.setCurrentWidget(section)
    await until(lambda: dict(section.returned.rows()).get("Error", "").startswith("Google could not"))
    sent, got = _rows(section)
    assert section.sent.heading.text() == "Sent to Google" and sent["Prompt"] == "a storm at sea"
    assert section.returned.heading.text() == "Google returned"
    assert (got["Operation"], got["Filter reasons"], got["Error kind"]) == ("ops/9", "Violence.", "operation_error")
    assert got["Error"] == "Google could not make this video (internal error)."
    await window.aclose()


def test_values_read_as_a_person_reads_them() -> None:
    assert value_text("generate_audio", False) == "off"
    assert value_text("seed", 4294967295) == "4294967295"  # a seed is an id, not a quantity: no separators
    assert value_text("start_frame_sha256", "ab" * 32) == "sha256 abababab…"
    assert value_text("refund_usd", 0.2) == "$0.20"
    assert value_text("operation_name", None) == "not yet"
    assert value_text("filter_reasons", ["a", "b"]) == "a; b"
