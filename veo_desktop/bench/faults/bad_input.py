"""Campaign 5, the bad-input catalogue, in two parts. First prompts, images and settings a person (or a
script) might give, through the validation the GUI and the CLI share (`EngineService.submit` and
`import_frame`). Each refused input must come back as a ValidationError with a sentence naming the field;
nothing may be stored or charged for it.
Accepted oddities (emoji, a PNG named .jpg, a `../` path) must be stored under names the app chooses.

A double-click on Generate is the compose panel's business (it ignores clicks while a submit is in flight;
tests/ui covers it); here two concurrent submits must give exactly two jobs with one charge each.

Then the CLI in a subprocess, as a user runs it (bad_cli.py, cases in bad_cli_cases.py): hostile stores and
disks, hostile images, requests refused after their frames were read, argument errors; each with its exit
code, one sentence, no traceback, nothing stored, charged or left on disk. The reduced run leaves out the
locked-store case (it waits out the 5 s busy timeout).
"""

from __future__ import annotations

import asyncio
import io
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from veo_desktop.bench.faults import bad_cli, bad_cli_cases
from veo_desktop.bench.faults.report import Table
from veo_desktop.composition import load_catalogue
from veo_desktop.core.clock import SystemClock
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.validation import ValidationError
from veo_desktop.engine.config import Providers
from veo_desktop.engine.service import EngineService
from veo_desktop.store import videos
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.frames import FrameStore
from veo_desktop.store.sqlite import SqliteStore
from veo_desktop.testing.provider import FakeProvider

MODEL = "veo-3.1-generate-001"  # Vertex: start and end frames, 1–4 variations, 1080p/4k at 4, 6 or 8 s


def image_bytes(fmt: str, size: tuple[int, int] = (256, 144)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buf, fmt)
    return buf.getvalue()


def bomb_png() -> bytes:
    """A PNG whose header declares 7000×7000 pixels (49 MP): refused before a pixel is decoded."""
    data = bytearray(image_bytes("PNG", (64, 64)))
    data[16:24] = (7000).to_bytes(4, "big") + (7000).to_bytes(4, "big")
    return bytes(data)


@dataclass(frozen=True)
class Case:
    name: str
    accept: bool
    run: Callable[[EngineService, Path], Awaitable[object]]


def _req(**changes: object) -> GenerationRequest:
    return GenerationRequest(model_id=MODEL, prompt="a lighthouse at dawn", duration_s=4).with_changes(**changes)


def _submit(**changes: object) -> Callable[[EngineService, Path], Awaitable[object]]:
    async def go(engine: EngineService, tmp: Path) -> object:
        return await engine.submit(_req(**changes))

    return go


def _frame(name: str, data: bytes | None, *, size_bytes: int | None = None) -> Callable[..., Awaitable[object]]:
    async def go(engine: EngineService, tmp: Path) -> object:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if size_bytes is not None:
            with path.open("wb") as fh:
                fh.truncate(size_bytes)  # sparse: 21 MB on paper, nothing on disk
        else:
            path.write_bytes(data or b"")
        return await engine.import_frame(path, field="start_frame")

    return go


async def _end_without_start(engine: EngineService, tmp: Path) -> object:
    (tmp / "end.png").write_bytes(image_bytes("PNG"))
    end = await engine.import_frame(tmp / "end.png", field="end_frame")
    return await engine.submit(_req(end_frame=end))


async def _missing_frame(engine: EngineService, tmp: Path) -> object:
    ghost = FrameRef(sha256="0" * 64, mime_type="image/png", width=256, height=144, size_bytes=10)
    return await engine.submit(_req(start_frame=ghost))


async def _traversal_frame(engine: EngineService, tmp: Path) -> object:
    (tmp / "sub").mkdir(exist_ok=True)
    (tmp / "pic.png").write_bytes(image_bytes("PNG"))
    ref = await engine.import_frame(tmp / "sub" / ".." / "pic.png", field="start_frame")
    stored = engine.frame_path(ref)
    if stored.parent != engine.frames.path(ref).parent or ".." in stored.name or stored.name == "pic.png":
        raise AssertionError(f"a frame was stored under a name taken from input: {stored}")
    return ref


async def _traversal_prompt(engine: EngineService, tmp: Path) -> object:
    (job,) = await engine.submit(_req(prompt="../../etc/passwd and ..\\..\\boot.ini"))
    name = videos.video_file_name(job, 0, 1)
    if "/" in name or "\\" in name or ".." in name or not name.startswith(job.id):
        raise AssertionError(f"an output name came from the prompt: {name}")
    return job


async def _double_submit(engine: EngineService, tmp: Path) -> object:
    first, second = await asyncio.gather(engine.submit(_req(prompt="twice")), engine.submit(_req(prompt="twice")))
    jobs = [*first, *second]
    if len({j.id for j in jobs}) != 2:
        raise AssertionError("two submits did not give two distinct jobs")
    return jobs


CASES: tuple[Case, ...] = (
    Case("prompt empty", False, _submit(prompt="")),
    Case("prompt whitespace", False, _submit(prompt=" \n\t  ")),
    Case("prompt too long", False, _submit(prompt="a" * 5000)),
    Case("prompt NUL", False, _submit(prompt="a fox\x00 in snow")),
    Case("prompt control char", False, _submit(prompt="a fox\x1b[31m in snow")),
    Case("prompt bidi override", False, _submit(prompt="a fox \u202egnirts\u202c in snow")),
    Case("negative prompt control", False, _submit(negative_prompt="blur\x07")),
    Case("prompt emoji", True, _submit(prompt="🦊 a fox in snow ❄️")),
    Case("prompt ../ (names from the job id)", True, _traversal_prompt),
    Case("image not an image", False, _frame("notes.png", b"just some text, not pixels")),
    Case("image 0 bytes", False, _frame("empty.png", b"")),
    Case("image truncated", False, _frame("cut.png", image_bytes("PNG")[:300])),
    Case("image PNG named .jpg (by content)", True, _frame("photo.jpg", image_bytes("PNG"))),
    Case("image too large (21 MB)", False, _frame("huge.png", None, size_bytes=21 * 1024 * 1024)),
    Case("image decompression bomb", False, _frame("bomb.png", bomb_png())),
    Case("image GIF", False, _frame("anim.gif", image_bytes("GIF"))),
    Case("image BMP", False, _frame("old.bmp", image_bytes("BMP"))),
    Case("image tiny (16×16)", False, _frame("tiny.png", image_bytes("PNG", (16, 16)))),
    Case("image path with ../", True, _traversal_frame),
    Case("end frame without start frame", False, _end_without_start),
    Case("frame missing from the frames folder", False, _missing_frame),
    Case("ratio 1:1", False, _submit(aspect_ratio="1:1")),
    Case("duration 5 s", False, _submit(duration_s=5)),
    Case("4k on Veo 3.1 Lite", False, _submit(model_id="veo-3.1-lite-generate-001", resolution="4k", duration_s=8)),
    Case("resolution 8k", False, _submit(resolution="8k")),
    Case("5 variations", False, _submit(sample_count=5)),
    Case("unknown model", False, _submit(model_id="veo-9")),
    Case("double submit (two calls)", True, _double_submit),
)


async def run_cases(workdir: Path) -> Table:
    db = workdir / "inputs.sqlite3"
    store = AsyncStore(lambda: SqliteStore(db))
    frames_dir = workdir / "frames"
    engine = EngineService(
        store=store,
        frames=FrameStore(frames_dir),
        catalogue=load_catalogue(),
        providers=Providers.single("vertex", FakeProvider(clock=SystemClock())),
        clock=SystemClock(),
        slots=SlotConfig(),
        wake=lambda: None,  # no dispatcher: nothing is started
        priors_s={},
        rng=random.Random(3),
    )
    columns = ("case", "via", "result", "exit", "message")
    table = Table("bad-input catalogue (EngineService.submit / import_frame, then the CLI)", columns)
    accepted_jobs = 0
    try:
        for case in CASES:
            tmp = workdir / "inputs" / case.name.replace(" ", "_").replace("/", "_")
            tmp.mkdir(parents=True, exist_ok=True)
            before = await store.run(lambda s: (len(s.list_jobs()), len(s.ledger())))
            frames_before = set(frames_dir.iterdir()) if frames_dir.is_dir() else set()
            try:
                result = await case.run(engine, tmp)
            except ValidationError as exc:
                table.add(case=case.name, via="engine", result=f"refused ({exc.field})", message=exc.message)
                if case.accept:
                    table.violations.append(f"{case.name}: refused, but it should be accepted ({exc.message})")
                if not exc.message.endswith(".") or len(exc.message) < 20:
                    table.violations.append(f"{case.name}: the message is not a sentence: {exc.message!r}")
                after = await store.run(lambda s: (len(s.list_jobs()), len(s.ledger())))
                if after != before:
                    table.violations.append(f"{case.name}: refused, but jobs/ledger changed {before} → {after}")
                new_frames = (set(frames_dir.iterdir()) if frames_dir.is_dir() else set()) - frames_before
                if new_frames and "end frame" not in case.name:
                    table.violations.append(f"{case.name}: refused, but left {sorted(p.name for p in new_frames)}")
                continue
            except AssertionError as exc:
                table.add(case=case.name, via="engine", result="WRONG", message=str(exc)[:90])
                table.violations.append(f"{case.name}: {exc}")
                continue
            jobs = result if isinstance(result, list) else [result] if not isinstance(result, FrameRef) else []
            accepted_jobs += len(jobs)
            message = f"{len(jobs)} job(s) queued" if jobs else "stored"
            table.add(case=case.name, via="engine", result="accepted", message=message)
            if not case.accept:
                table.violations.append(f"{case.name}: accepted, but it should be refused")
        jobs, ledger = await store.run(lambda s: (s.list_jobs(), s.ledger()))
        leftovers = [p.name for p in frames_dir.iterdir() if p.name.startswith(".")] if frames_dir.is_dir() else []
    finally:
        await store.aclose()
    if len(jobs) != accepted_jobs or len(ledger) != accepted_jobs or any(e.kind != "charge" for e in ledger):
        table.violations.append(f"{len(jobs)} jobs and {len(ledger)} ledger rows for {accepted_jobs} accepted jobs")
    if leftovers:
        table.violations.append(f"temporary frame files were left behind: {leftovers}")
    refused = sum(1 for r in table.rows if str(r["result"]).startswith("refused"))
    table.totals = {
        "cases": len(CASES),
        "refused": refused,
        "accepted": len(CASES) - refused,
        "jobs stored": len(jobs),
        "ledger rows": len(ledger),
    }
    return table


def run(*, full: bool, workdir: Path) -> Table:
    table = asyncio.run(run_cases(workdir))
    cli_cases = bad_cli_cases.CASES if full else bad_cli_cases.QUICK
    bad_cli.run_cli_cases(cli_cases, workdir / "cli", table)
    table.totals["cli cases"] = len(cli_cases)
    return table
