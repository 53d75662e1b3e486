"""Campaign 4 in the suite: the Hypothesis state machine over the store and the dispatcher, kept small."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from veo_desktop.bench.faults.machine import VeoMachine, machine_settings
from veo_desktop.testing.rig import make_rig

TestVeoMachine = VeoMachine.TestCase
TestVeoMachine.settings = machine_settings(full=False)
TestVeoMachine = pytest.mark.timeout(120)(TestVeoMachine)


def test_unknown_start_and_crash_keep_the_ledger() -> None:
    """A hand-written run: an unknown start, a crash while a job runs, a disk full download, a clock jump."""
    m = VeoMachine()
    m.start_answer("unknown")
    m.enqueue(2, "video")
    m.safety()
    m.advance(30.0)
    m.download_trouble("disk full")
    m.crash_and_restart()
    m.safety()
    m.clock_jump(-3600)
    m.advance(61.0)
    m.safety()
    m.teardown()


async def test_a_cancelled_dispatcher_ends_wherever_it_waits(tmp_path: Path) -> None:
    """Regression (found by the state machine): a cancel landing while the main loop reaped its wait helpers
    was swallowed, so the dispatcher ran on and anything awaiting it (a crash, loop shutdown) hung."""
    for spins in range(6):
        rig = await make_rig(tmp_path / str(spins))
        await asyncio.sleep(0.01)
        main = rig.dispatcher.start()
        rig.dispatcher.wake()
        for _ in range(spins):
            await asyncio.sleep(0)
        main.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(main), 2.0)  # TimeoutError here = the cancel was swallowed
        assert main.cancelled()
        await rig.close()
