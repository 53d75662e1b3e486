"""The fake engine the window's tests use keeps its books like the real one: every charge and refund is a
ledger entry, the snapshot's spending is their sum, and the states are the engine's own."""

from __future__ import annotations

from veo_desktop.core.request import GenerationRequest
from veo_desktop.engine.api import DisplayState
from veo_desktop.testing.fake_engine import FakeEngine

REQ = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk")


async def test_charges_and_refunds_are_booked_and_add_up(fake_engine: FakeEngine) -> None:
    first, second = await fake_engine.submit(REQ, 2)
    await fake_engine.cancel(first.id)
    fake_engine.fail(second.id, "Google could not make this video.")
    await fake_engine.retry(second.id)
    entries = await fake_engine.ledger()
    assert [(e.job_id, e.attempt, e.kind, e.amount_micros) for e in entries] == [
        (first.id, 1, "charge", 800_000),
        (second.id, 1, "charge", 800_000),
        (first.id, 1, "refund", 800_000),
        (second.id, 1, "refund", 800_000),
        (second.id, 2, "charge", 800_000),
    ]
    booked = sum(e.amount_micros if e.kind == "charge" else -e.amount_micros for e in entries)
    snapshot = await fake_engine.snapshot()
    assert snapshot.ledger.spent_today_micros == booked == 800_000
    assert [e.kind for e in await fake_engine.ledger(first.id)] == ["charge", "refund"]


async def test_states_are_the_engines_own(fake_engine: FakeEngine) -> None:
    [job] = await fake_engine.submit(REQ, 1)
    await fake_engine.pause()
    assert (await fake_engine.snapshot()).jobs[0].display is DisplayState.PAUSED
    await fake_engine.resume()
    fake_engine.start(job.id)
    assert (await fake_engine.snapshot()).counts == {DisplayState.GENERATING.value: 1}


async def test_the_models_on_offer(fake_engine: FakeEngine) -> None:
    offered = [m.id for m in await fake_engine.remote_models()]
    assert "veo-3.1-fast-generate-001" in offered and "veo-3.0-generate-001" not in offered  # retired
