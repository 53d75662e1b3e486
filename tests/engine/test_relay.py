"""The PollRelay: a job taken over for polling is handed to its creator when Google says done (the inline bytes
the poll decoded deleted, never downloaded), settled when Google's verdict is a failure, and let go when this
desktop cannot tell (a 404 or refused credentials may be its own key's problem); a stale poller changes nothing."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.store.helpers import COST, T0, claim, enqueue, ledger_net
from veo_desktop.client.base import OperationStatus, VideoRef
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import AuthError, NotFoundError, VeoError
from veo_desktop.core.scheduling import PollPolicy
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.config import Providers
from veo_desktop.engine.relay import MAX_POLL_FAILURES, PollRelay
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import PollingJob
from veo_desktop.store.sqlite import SqliteStore
from veo_desktop.testing.provider import FakeProvider

Setup = tuple[AsyncStore, "PollRelay", "StagingProvider", PollingJob, Path]


class StagingProvider(FakeProvider):
    """Answers the next poll with `answers` (or raises it), decoding an inline video into staging as Vertex does."""

    answers: deque[OperationStatus | BaseException]

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        self.polls += 1
        answer = self.answers.popleft()
        if isinstance(answer, BaseException):
            raise answer
        if answer.videos == (VideoRef(),):
            staged = staging_dir / "inline.mp4.part"
            staged.write_bytes(b"\x00\x00\x00\x18ftypmp42 someone else's video")
            return OperationStatus(name=operation_name, done=True, videos=(VideoRef(staged_path=staged),))
        return answer


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    clock = ManualClock()
    provider = StagingProvider(clock=clock)
    provider.answers = deque()
    sqlite = SqliteStore(tmp_path / "q.sqlite3")
    (job,) = enqueue(sqlite)
    claimed = claim(sqlite)
    sqlite.mark_running(job.id, operation_name="operations/op1", now_ms=T0, fence=claimed.fence)
    (polled,) = sqlite.adopt_for_polling(owner="poller", now_ms=T0 + 60_001, lease_ms=60_000)
    sqlite.close()
    store = AsyncStore(lambda: SqliteStore(tmp_path / "q.sqlite3"))
    staging = tmp_path / "staging"
    staging.mkdir()
    relay = PollRelay(
        store=store,
        clock=clock,
        providers=Providers.single("vertex", provider),
        policy=PollPolicy(),
        rng=random.Random(1),
        priors_s={},
        staging_dir=staging,
        retention_s=172_800,
        notify=lambda freed_slot=False: None,
    )
    yield store, relay, provider, polled, staging
    await store.aclose()


async def test_done_with_a_video_is_handed_over_and_its_bytes_dropped(setup: Setup) -> None:
    store, relay, provider, polled, staging = setup
    provider.answers.extend(
        [OperationStatus(name="n", done=False), OperationStatus(name="n", done=True, videos=(VideoRef(),))]
    )
    await _run(relay, polled)
    job = await store.run(lambda s: s.get(polled.id))
    assert job.status is JobStatus.DOWNLOADING and job.note and "download" in job.note
    assert list(staging.iterdir()) == [] and provider.polls == 2 and relay.handed_over == 1
    assert await store.run(lambda s: s.lease_holders()) == []


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (OperationStatus(name="n", done=True, filtered_count=1, filter_reasons=("unsafe",)), FailureKind.FILTERED),
        (OperationStatus(name="n", done=True, error_code=13, error_message="boom"), FailureKind.OPERATION_ERROR),
        (OperationStatus(name="n", done=True), FailureKind.NO_VIDEO),
    ],
)
async def test_googles_verdict_is_settled_with_the_refund(
    setup: Setup, answer: OperationStatus, kind: FailureKind
) -> None:
    store, relay, provider, polled, _ = setup
    provider.answers.append(answer)
    await _run(relay, polled)
    job = await store.run(lambda s: s.get(polled.id))
    assert (job.status, job.error_kind, relay.settled) == (JobStatus.FAILED, kind, 1)
    assert await store.run(lambda s: ledger_net(s, [polled.id])) == 0


@pytest.mark.parametrize(
    "errors",
    [
        [NotFoundError("gone", http_status=404)],
        [AuthError("key refused", http_status=403)],
        [VeoError("bad gateway", http_status=502)] * MAX_POLL_FAILURES,
    ],
)
async def test_what_may_be_this_desktops_problem_is_left_to_the_creator(setup: Setup, errors: list[VeoError]) -> None:
    store, relay, provider, polled, _ = setup
    provider.answers.extend(errors)
    await _run(relay, polled)
    job = await store.run(lambda s: s.get(polled.id))
    assert job.status is JobStatus.RUNNING and relay.released == 1 and relay.handed_over == relay.settled == 0
    assert await store.run(lambda s: s.lease_holders()) == []  # anyone may take it at once
    assert await store.run(lambda s: ledger_net(s, [polled.id])) == COST


async def test_a_poller_taken_over_since_changes_nothing(setup: Setup) -> None:
    store, relay, provider, polled, _ = setup
    await store.run(lambda s: s.adopt_for_polling(owner="other", now_ms=T0 + 10**6, lease_ms=60_000))
    provider.answers.append(OperationStatus(name="n", done=True, filtered_count=1))
    await _run(relay, polled)
    job = await store.run(lambda s: s.get(polled.id))
    assert job.status is JobStatus.RUNNING and relay.settled == 0
    assert await store.run(lambda s: ledger_net(s, [polled.id])) == COST


async def _run(relay: PollRelay, polled: PollingJob) -> None:
    """Track on the manual clock: jump to each sleeper's deadline until the relay is done."""
    task = asyncio.ensure_future(relay.track(polled))
    clock = relay.clock
    assert isinstance(clock, ManualClock)
    for _ in range(2000):
        await asyncio.sleep(0.001)
        if task.done():
            break
        nxt = clock.next_deadline()
        if nxt is not None:
            clock.set(nxt)
    await task
