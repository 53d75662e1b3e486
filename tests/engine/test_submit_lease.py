"""The submit lease from this process's side: a start goes out only with half its lease left, counted from
when the claim (or the latest renewal) began, and the lease is renewed every third of it while the POST is out."""

from __future__ import annotations

import asyncio

from veo_desktop.core.clock import ManualClock
from veo_desktop.engine.leases import SubmitLease


async def _spin() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_start_may_go_out_only_with_half_its_lease_left() -> None:
    clock = ManualClock()
    lease = SubmitLease(clock, 60_000, renew=_spin)
    claimed = clock.monotonic()
    clock.advance(30)
    assert lease.left_s(claimed) == 30 and lease.may_send(claimed)
    clock.advance(0.001)
    assert not lease.may_send(claimed)
    lease.renewed(clock.monotonic() - 10)  # a renewal that began 10 s ago covers the claim again
    assert lease.left_s(claimed) == 50 and lease.may_send(claimed)
    lease.renewed(claimed - 100)  # an older renewal changes nothing
    assert lease.left_s(claimed) == 50


async def test_the_lease_is_renewed_every_third_while_the_request_is_out() -> None:
    clock = ManualClock()
    renewals: list[float] = []
    failures = [RuntimeError("the store did not answer")]

    async def renew() -> None:
        renewals.append(clock.monotonic())
        if failures:
            raise failures.pop()  # logged; the next renewal still comes

    lease = SubmitLease(clock, 60_000, renew=renew)
    start = clock.monotonic()
    async with lease.kept_alive():
        for _ in range(3):
            await _spin()
            clock.advance(20)
        await _spin()
    clock.advance(100)  # after the answer: no more renewals from here
    await _spin()
    assert renewals == [start + 20, start + 40, start + 60]
