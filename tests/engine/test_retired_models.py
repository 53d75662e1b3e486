"""Retired models: waiting jobs on them are held together (kept, charged, never started, never failed one by
one) until one move sends them all to a current model or cancels them; a model answering 404 at start joins
them and is retired in the user catalogue file; an old Gemini Veo job still running is polled by the retired
dialect and, once Google forgot it, fails expired with a refund."""

from __future__ import annotations

import json
from pathlib import Path

from veo_desktop.core.catalogue_sources import apply_user_catalogue
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import NotFoundError
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.catalogue_live import LiveCatalogue
from veo_desktop.engine.texts import HELD_NOTE, nothing_runnable_line
from veo_desktop.paths import resources_dir
from veo_desktop.store.base import NewJob
from veo_desktop.testing.fixtures import RigFactory
from veo_desktop.testing.provider import FakeProvider
from veo_desktop.testing.rig import CATALOGUE, Rig, request

RETIRED = "veo-3.0-generate-001"  # a retired Vertex model
LEGACY = "veo-3.1-fast-generate-preview"  # a Gemini-API Veo model (stored as provider "gemini")


async def queue(rig: Rig, *jobs: tuple[str, str, str]) -> None:
    """(id, model, stored provider) jobs at the end of the queue, charged as the store does."""
    new = [NewJob(job_id, request(job_id, model_id=model), 1000, provider) for job_id, model, provider in jobs]
    await rig.store.run(lambda s: s.enqueue(new, now_ms=rig.clock.wall_ms(), day_start_ms=0))
    rig.dispatcher.wake()


async def statuses(rig: Rig) -> dict[str, JobStatus]:
    return {j.id: j.status for j in await rig.store.run(lambda s: s.list_jobs())}


async def test_held_jobs_wait_together_then_move_to_current_models(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=30)
    rig = await make_rig(tmp_path, provider=provider, clock=clock, slots=SlotConfig(1, 0))
    await queue(rig, ("old-a", RETIRED, "vertex"), ("legacy", LEGACY, "gemini"), ("old-b", RETIRED, "vertex"))
    await queue(rig, ("fresh", "veo-3.1-fast-generate-001", "vertex"))

    async def fresh_done() -> bool:
        return (await statuses(rig))["fresh"] is JobStatus.COMPLETED

    await rig.settle(fresh_done)
    assert provider.start_log == ["fresh"]  # the held jobs neither started nor blocked the queue
    waiting = await rig.store.run(lambda s: s.waiting_jobs())
    assert [j.id for j in waiting] == ["old-a", "legacy", "old-b"]
    assert {j.note for j in waiting} == {HELD_NOTE}
    assert [j.id for j in await rig.engine.held_jobs()] == ["old-a", "legacy", "old-b"]
    assert not [e for e in await rig.engine.ledger() if e.kind == "refund"]
    snap = await rig.engine.snapshot()
    line = nothing_runnable_line([v.job for v in snap.jobs], snap.queue, rig.engine.available_providers())
    assert line is not None and "3 jobs wait on a retired model" in line and "move-retired" in line

    moved = await rig.engine.move_retired()
    assert {j.id: (j.provider, j.request.model_id) for j in moved} == {
        "old-a": ("vertex", "veo-3.1-generate-001"),
        "legacy": ("vertex", "veo-3.1-fast-generate-001"),
        "old-b": ("vertex", "veo-3.1-generate-001"),
    }

    async def all_done() -> bool:
        return set((await statuses(rig)).values()) == {JobStatus.COMPLETED} and not rig.dispatcher.tracked_jobs

    await rig.settle(all_done)
    assert provider.start_log == ["fresh", "old-a", "legacy", "old-b"]  # moved jobs kept their places
    for job in moved:
        kinds = [(e.attempt, e.kind) for e in await rig.engine.ledger(job.id)]
        assert kinds == [(1, "charge"), (1, "refund"), (2, "charge")]


async def test_cancelling_the_held_jobs_refunds_each(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    rig = await make_rig(tmp_path, clock=clock)
    await queue(rig, ("old-a", RETIRED, "vertex"), ("legacy", LEGACY, "gemini"))
    cancelled = await rig.engine.move_retired(cancel=True)
    assert {j.id: j.status for j in cancelled} == {"old-a": JobStatus.CANCELLED, "legacy": JobStatus.CANCELLED}
    assert all(j.refunded_micros == j.charged_micros == 1000 for j in cancelled)
    assert rig.provider.start_log == []


async def test_a_model_answering_404_at_start_retires_and_holds_its_waiting_jobs(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=30)
    provider.start_errors.append(NotFoundError("Publisher model is not found.", http_status=404))
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    lite = "veo-3.1-lite-generate-001"
    await queue(rig, ("first", lite, "vertex"), ("second", lite, "vertex"), ("third", lite, "vertex"))
    await queue(rig, ("other", "veo-3.1-fast-generate-001", "vertex"))

    async def other_done() -> bool:
        return (await statuses(rig))["other"] is JobStatus.COMPLETED

    await rig.settle(other_done)
    first = await rig.engine.get("first")
    assert first.status is JobStatus.FAILED and first.error_kind is FailureKind.NOT_FOUND
    assert first.refunded_micros == 1000
    model = rig.engine.catalogue.get(lite)
    assert model is not None and model.retired
    held = await rig.engine.held_jobs()
    assert [j.id for j in held] == ["second", "third"] and {j.note for j in held} == {HELD_NOTE}
    assert provider.start_log == ["other"]


def test_retiring_writes_the_user_catalogue_file_and_it_survives_a_restart(tmp_path: Path) -> None:
    user_file = tmp_path / "config" / "models.json"
    user_file.parent.mkdir()
    user_file.write_text(
        json.dumps({"version": 2, "models": [{"id": "veo-3.1-generate-001", "typical_duration_s": 50}]})
    )
    live = LiveCatalogue(CATALOGUE, user_file=user_file)
    live.retire(["veo-3.1-lite-generate-001"], 1_790_000_000_000)
    model = live.model("veo-3.1-lite-generate-001")
    assert model is not None and model.retired
    shipped = (resources_dir() / "models.json").read_text(encoding="utf-8")
    again = apply_user_catalogue(shipped, user_file.read_text(), user_source=str(user_file))
    lite, kept = again.get("veo-3.1-lite-generate-001"), again.get("veo-3.1-generate-001")
    assert lite is not None and lite.retired and lite.retired_on is not None
    assert kept is not None and kept.typical_duration_s == 50  # the user's own entry stays


class Forgotten(FakeProvider):
    async def poll(self, operation_name: str, *, staging_dir: Path):  # type: ignore[no-untyped-def]
        self.polls += 1
        raise NotFoundError("Operation not found.", http_status=404)


async def test_a_running_legacy_job_is_polled_by_the_retired_dialect_and_expires_refunded(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    clock = ManualClock()
    omni = FakeProvider(clock=clock)
    legacy = Forgotten(clock=clock)
    rig = await make_rig(tmp_path, provider=omni, clock=clock, start=False)
    rig.providers.use("gemini", omni)
    rig.providers.add("gemini-veo", legacy, history_only=True)
    await queue(rig, ("old-run", LEGACY, "gemini"))

    def running(s):  # type: ignore[no-untyped-def]
        job = s.claim_next(owner="gone", now_ms=0, lease_ms=1, config=SlotConfig(2, 0))
        return s.mark_running(job.id, operation_name="models/veo/operations/old", now_ms=0)

    await rig.store.run(running)
    rig.dispatcher.start()

    async def failed() -> bool:
        return (await statuses(rig))["old-run"] is JobStatus.FAILED

    await rig.settle(failed)
    job = await rig.engine.get("old-run")
    assert job.error_kind is FailureKind.EXPIRED and job.refunded_micros == 1000
    assert legacy.polls == 1 and omni.polls == 0


class Lists(FakeProvider):
    async def list_models(self):  # type: ignore[no-untyped-def]
        from veo_desktop.client.base import RemoteModel

        return [RemoteModel("veo-3.2-fast-generate-001", "Veo 3.2 Fast"), RemoteModel("text-model", "Text")]


async def test_listed_models_join_the_running_catalogue_and_set_the_slot_hold(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    from dataclasses import replace

    from veo_desktop.core.errors import StartOutcomeUnknown

    clock = ManualClock()
    provider = Lists(clock=clock)
    provider.start_errors.append(StartOutcomeUnknown("read timeout"))
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    await rig.engine.remote_models()
    new = rig.engine.catalogue.get("veo-3.2-fast-generate-001")
    assert new is not None and not new.price_verified and rig.engine.catalogue.get("text-model") is None
    slow = replace(new, max_generation_s=1234.0)
    rig.engine.catalogue = replace(rig.engine.catalogue, models=(*rig.engine.catalogue.models[:-1], slow))
    [job] = await rig.engine.submit(request("new model", model_id=new.id))

    async def unknown() -> bool:
        return (await rig.engine.get(job.id)).status is JobStatus.UNKNOWN_START

    await rig.settle(unknown, max_virtual_s=1)
    job = await rig.engine.get(job.id)
    assert job.sending_at_ms is not None and job.slot_hold_until_ms == job.sending_at_ms + 1_234_000
