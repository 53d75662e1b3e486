"""The screenshots of the request controls and follow-ups (issue 12), in English and then in Portuguese, for
scripts/screenshots.py: the composer with reference images and audio off, a finished extension with its
chain and Extend, a Gemini Omni edit with Refine, a batch file queued and a second one waiting for its confirm.

They run on their own engine and window (a fresh queue), before the main scenario: the other scenario's long
generations would hold both slots. The Portuguese translator is removed again at the end.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screenshots import Shooter
    from veo_desktop.core.jobs import Job

Until = Callable[..., Awaitable[None]]  # (predicate, what, timeout_s=60.0)
STATES_EN = ("references", "extend", "refine", "batch")
STATES = STATES_EN + tuple(f"{s}-pt" for s in STATES_EN)
QUICK_S = 6.0  # simulator seconds: the follow-up clips finish in a couple of real seconds

REFERENCE_PROMPT = (
    "The woman in the yellow raincoat walks her corgi along a rainy harbour at dusk, the camera tracking "
    "beside them; lanterns reflect in the puddles"
)
ORIGINAL_PROMPT = "A sailboat leaving a small harbour at sunrise, seagulls circling, wide shot, gentle swell"
EXTEND_PROMPT = "The sailboat turns towards open sea as the sun climbs; the harbour shrinks behind it"
OMNI_PROMPT = "A paper lantern rising over a night market, warm light, people looking up"
REFINE_PROMPT = "Make it snow softly, keep the lantern glow"
STORYBOARD = (
    "Opening: a foggy forest at dawn, slow push-in between the trees",
    "A deer lifts its head and listens, shallow depth of field",
    "Sunlight breaks through the canopy, dust in the rays",
    "A stream over mossy stones, close-up, water sparkling",
    "An owl blinks in a hollow tree, then turns its head",
    "Closing: aerial pull-back over the forest as the fog lifts",
)
NIGHT_SHOTS = (
    "prompt,duration,audio\n"
    "A city rooftop at night with neon signs flickering,8,false\n"
    "A tram passing through rain-soaked streets,8,true\n"
    "A late-night noodle stall with steam rising,6,true\n"
    "A lone saxophonist under a streetlight,8,true\n"
)


def _paint(path: Path, colour: str, accent: str) -> Path:
    """A small square picture (a figure on a plain background) to use as a reference image."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(512, 512, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(accent))
    p.drawEllipse(QRectF(176, 70, 160, 160))
    p.drawRoundedRect(QRectF(136, 240, 240, 230), 60, 60)
    p.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")
    return path


class RequestShots:
    """Drives the issue-12 states on the shooter's window (`shooter.shot` takes a picture if it was asked)."""

    def __init__(self, shooter: Shooter, until: Until) -> None:
        self.s = shooter
        self.until = until  # the script's polling wait (no nested Qt loop)
        self.pictures = shooter.home / "pictures"
        self.ids: dict[str, str] = {}

    async def run(self) -> None:
        s = self.s
        await s.open("requests")
        try:
            window = await s.open_window()
            await self.until(lambda: window._snapshot is not None, "the first snapshot")
            await self.seed_vertex()
            await self.seed_omni()
            await self.take_all("")
            if any(state.endswith("-pt") for state in s.states):
                await self.portuguese()
        finally:
            await s.close()
            self.english_again()

    async def take_all(self, suffix: str) -> None:
        window = self.s._window()
        await self.until(lambda: len(window.queue.model.rows()) >= 5, "the queue")
        await self.refine(suffix)
        await self.extend(suffix)
        await self.references(suffix)
        await self.batch(suffix)

    # --- seeding ---
    async def _wait_done(self, job_id: str) -> None:
        def done() -> bool:
            view = next((v for v in self.s._window().queue.model.rows() if v.id == job_id), None)
            return view is not None and view.display.value == "completed"

        await self.until(done, f"job {job_id} to finish", 90)

    async def _submit(self, request: object) -> Job:
        engine, _sim = self.s._engine_and_simulator()
        [job] = await engine.submit(request, 1)  # type: ignore[arg-type]
        return job

    async def seed_vertex(self) -> None:
        """A finished video made from two reference images without audio, and a finished one with its
        extension (the chain: "This clip extends j… · total 15 s")."""
        from veo_desktop.core.request import GenerationRequest
        from veo_desktop.simulator import latency

        engine, sim = self.s._engine_and_simulator()
        for prompt in (REFERENCE_PROMPT, ORIGINAL_PROMPT, EXTEND_PROMPT):
            sim.script("start", latency(QUICK_S), match_prompt=prompt, times=None)
        refs = [await engine.import_frame(path, field="reference_images") for path in self.reference_files()]
        model = "veo-3.1-fast-generate-001"
        with_refs = GenerationRequest(
            model_id=model, prompt=REFERENCE_PROMPT, duration_s=8, reference_images=tuple(refs), generate_audio=False
        )
        self.ids["refs"] = (await self._submit(with_refs)).id
        original = await self._submit(GenerationRequest(model_id=model, prompt=ORIGINAL_PROMPT, duration_s=8))
        await self._wait_done(original.id)
        extension = await engine.extend(original.id, prompt=EXTEND_PROMPT)
        self.ids["extension"] = extension.id
        await self._wait_done(extension.id)
        await self._wait_done(self.ids["refs"])

    async def seed_omni(self) -> None:
        """With an AI Studio key (Settings, applied live as the app does): an Omni video and its refine."""
        from veo_desktop.core.request import GenerationRequest
        from veo_desktop.simulator import latency

        engine, sim = self.s._engine_and_simulator()
        for prompt in (OMNI_PROMPT, REFINE_PROMPT):
            sim.script("start", latency(QUICK_S), match_prompt=prompt, times=None)
        await self.use_provider("gemini")
        lantern = await self._submit(
            GenerationRequest(model_id="gemini-omni-1.1-flash", prompt=OMNI_PROMPT, duration_s=6)
        )
        await self._wait_done(lantern.id)
        refined = await engine.refine(lantern.id, prompt=REFINE_PROMPT)
        self.ids["refined"] = refined.id
        await self._wait_done(refined.id)
        await self.use_provider("vertex")

    async def use_provider(self, provider: str) -> None:
        running = self.s.running
        assert running is not None
        new = dataclasses.replace(running.settings, provider=provider)
        await running.apply_settings(new)
        self.s._window().apply_settings(new)

    def reference_files(self) -> list[Path]:
        return [
            _paint(self.pictures / "ref-woman.png", "#e8eef5", "#f2c230"),
            _paint(self.pictures / "ref-corgi.png", "#f5efe6", "#d9822b"),
        ]

    # --- the states ---
    async def references(self, suffix: str) -> None:
        compose = self.s._window().compose
        compose.choices.model.setCurrentIndex(compose.choices.model.findData("veo-3.1-fast-generate-001"))
        for slot, path in enumerate(self.reference_files()):
            compose.references.pickers[slot].fileChosen.emit(path)
        await self.until(lambda: len(compose.references.references()) == 2, "the reference images")
        compose.controls.audio.setChecked(False)
        compose.prompt.setPlainText(REFERENCE_PROMPT)
        self._select(self.ids["refs"])
        await self._scroll_composer_to(compose.references)
        await self._shoot(f"references{suffix}", self.ids["refs"])

    async def extend(self, suffix: str) -> None:
        queue = self.s._window().queue
        self._select(self.ids["extension"])
        await self.until(lambda: queue.follow_ups.chain_label.isVisible(), "the chain line")
        queue.follow_ups.extend_box.setText("The boat sails into a storm on the horizon")
        await self._playing()
        await self._shoot(f"extend{suffix}", self.ids["extension"])

    async def refine(self, suffix: str) -> None:
        if f"refine{suffix}" not in self.s.states:
            return
        queue = self.s._window().queue
        await self.use_provider("gemini")
        try:
            self._select(self.ids["refined"])
            await self.until(lambda: queue.follow_ups.refine_button.isVisible(), "the Refine action")
            await self.until(lambda: queue.follow_ups.chain_label.isVisible(), "the chain line")
            queue.follow_ups.refine_box.setText("Now make it dawn")
            await self._playing()
            await self._shoot(f"refine{suffix}", self.ids["refined"])
        finally:
            await self.use_provider("vertex")

    async def batch(self, suffix: str) -> None:
        """The first file queued (its rows, two generating), the second one read, checked and priced, waiting
        for its one confirm."""
        window = self.s._window()
        compose = window.compose
        compose.references.clear(0)
        compose.references.clear(1)
        compose.controls.audio.setChecked(True)
        compose.prompt.clear()
        storyboard = self.pictures / "storyboard.txt"
        storyboard.write_text("\n".join(STORYBOARD) + "\n", encoding="utf-8")
        night = self.pictures / "night-shots.csv"
        night.write_text(NIGHT_SHOTS, encoding="utf-8")
        if not any(v.job.request.prompt == STORYBOARD[0] for v in window.queue.model.rows()):
            compose.batch.queue_file(storyboard)
            await self.until(lambda: compose.batch.confirm_button.isVisible(), "the first file's confirm")
            compose.batch.confirm_button.click()
            await self.until(lambda: self._count("generating") >= 2, "the batch to start", 60)
        compose.batch.queue_file(night)
        await self.until(lambda: compose.batch.confirm_button.isVisible(), "the second file's confirm")
        first = next(v for v in window.queue.model.rows() if v.job.request.prompt == STORYBOARD[2])
        self._select(first.id)
        await self._scroll_composer_to(compose.batch)
        await self._shoot(f"batch{suffix}", first.id)
        compose.batch.cancel_button.click()

    async def portuguese(self) -> None:
        from PySide6.QtWidgets import QApplication

        from veo_desktop.ui.support.i18n import install_translator

        s = self.s
        s._translator = install_translator(QApplication.instance(), "pt_BR")  # type: ignore[arg-type]
        old = s._window()
        await old.aclose()
        old.deleteLater()
        await s.open_window()
        await self.take_all("-pt")

    def english_again(self) -> None:
        """Remove the Portuguese translator (and Qt's own under it); numbers and money in English again."""
        from PySide6.QtCore import QLocale, QTranslator
        from PySide6.QtWidgets import QApplication

        translator = self.s._translator
        if isinstance(translator, QTranslator):
            for each in [*translator.findChildren(QTranslator), translator]:
                QApplication.removeTranslator(each)
            translator.deleteLater()
        self.s._translator = None
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))

    # --- helpers ---
    async def _shoot(self, name: str, job_id: str) -> None:
        """The picture, with the job's row scrolled into view again (a snapshot since may have moved it)."""
        self._select(job_id)  # select_job scrolls to it
        await self.s.shot(name)

    def _select(self, job_id: str) -> None:
        self.s._window().queue.select_job(job_id)

    def _count(self, display: str) -> int:
        return self.s._count(display)

    async def _playing(self) -> None:
        """Wait until the selected video plays a moment in, then pause on that picture."""
        from PySide6.QtMultimedia import QMediaPlayer

        player = self.s._window().player.player
        await self.until(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, "playback", 20)
        await self.until(lambda: player.position() > 1200, "a second of video", 20)
        player.pause()

    async def _scroll_composer_to(self, widget: object) -> None:
        from PySide6.QtWidgets import QScrollArea

        scroll = self.s._window().findChild(QScrollArea, "composeScroll")
        assert scroll is not None
        await asyncio.sleep(0.1)  # let the layout settle before measuring
        scroll.ensureWidgetVisible(widget, 0, 40)  # type: ignore[arg-type]
