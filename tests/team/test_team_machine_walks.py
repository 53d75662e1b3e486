"""T10 in fixed order: the two-store machine's rules (test_team_machine.py) as walks through the paths a
short random run may miss, every invariant checked after each step."""

from __future__ import annotations

from collections.abc import Callable

from tests.store import pg
from tests.team.machine_model import JS
from tests.team.test_team_machine import TeamMachine

INVARIANTS = (
    "statuses_match_the_model",
    "held_slots_within_the_cap",
    "no_fence_twice",
    "ledger_per_creator",
    "places_in_fifo_order",
    "each_creator_sees_only_their_prompts",
    "campaign_invariants",
)


def test_a_walk_through_every_kind_of_step(pg_cluster: pg.Cluster) -> None:
    """The machine's rules in one fixed order, every invariant checked after each step: the paths the
    random examples may or may not reach in a short run (takeover, the frozen desktop fenced out, a hold)."""
    TeamMachine.cluster = pg_cluster
    m = TeamMachine()
    steps: list[Callable[[], None]] = [
        lambda: m.queue_first(["ana-1", "bia-1", "ana-2", "bia-1"], 400_000),
        lambda: m.claim_next("bia-1", 0),  # the head is ana's: nothing for bia
        lambda: m.claim_next("head", 0),  # ana-1 claims ana's first job
        lambda: m.claim_next("head", 0),  # bia-1 claims bia's
        lambda: m.claim_next("head", 0),  # the cap is full: nothing
        lambda: m.act("mark_running", 0, 0, None, "legal", 2),  # ana's started at Google
        lambda: m.act("cancel", 0, 0, None, "any", 1),  # refused: it is not waiting
        lambda: m.leases("renew", "ana-1", 5),
        lambda: m.takeover(0, False),  # past ana-1's lease, ana-2 takes its running job over (a new fence)
        lambda: m.frozen_desktop_returns(0, 1),  # ana-1 resumes with its old fence: refused
        lambda: m.claim_next("head", 0),
        lambda: m.act("mark_unknown", 2, 0, None, "legal", 1),
        lambda: m.leases("advance", "ana-1", 500),  # holds end, leases expire
        lambda: m.claim_next("head", 1),
        lambda: m.act("retry", 3, 3_200_000, None, "forward", 4),
        lambda: m.direct_write("bia", "ledger", 0),  # bia books herself a refund: permission denied
        lambda: m.forge_another_creator("cancel", 0),  # bia cancels ana's job: not found
        lambda: m.read_around_the_policies("bia"),
    ]
    _walk(m, steps)
    assert [t.known for t in m.model.stale] == [JS.RUNNING] and m.refusals >= 5


def test_another_creators_desktop_polls_and_hands_the_download_over(pg_cluster: pg.Cluster) -> None:
    """Poll by anyone, download by the creator only (schema 3): ana's desktop polls bia's expired job, bia's
    relaunch takes it back (ana's polling fence refused after), ana polls it again and hands it to bia, whose
    desktop downloads it."""
    TeamMachine.cluster = pg_cluster
    m = TeamMachine()
    steps: list[Callable[[], None]] = [
        lambda: m.queue_first(["bia-1", "ana-1"], 3_200_000),
        lambda: m.claim_next("head", 0),  # bia-1
        lambda: m.act("mark_running", 0, 0, None, "legal", 1),
        lambda: m.poll_by_anyone("ana-1", "keep", True),  # bia-1 stopped renewing: ana-1 polls bia's job
        lambda: m.act("begin_download", 0, 0, None, "legal", 1),  # not bia's to move while ana polls: skipped
        lambda: m.takeover(0, True),  # bia-1 comes back after ana's polling lease: ana's fence is refused
        lambda: m.poll_by_anyone("ana-2", "hand over", True),  # ana-2 polls it, Google says done: bia's turn
        lambda: m.leases("downloads", "bia-1", 5),  # bia's desktop takes the download (a new fence)
        lambda: m.act("complete", 0, 0, None, "forward", 1),
    ]
    _walk(m, steps)
    bia_job = next(i for i, j in m.model.jobs.items() if j.creator == "bia")
    assert m.model.jobs[bia_job].status is JS.COMPLETED and m.model.jobs[bia_job].holder is None
    superseded = [(t.desktop, t.poller) for t in m.model.stale]
    assert superseded == [("bia-1", False), ("ana-1", True), ("bia-1", False)] and m.refusals >= 1


def _walk(m: TeamMachine, steps: list[Callable[[], None]]) -> None:
    """Run the steps with every invariant checked after each, then tear the machine down."""
    try:
        for step in steps:
            step()
            for name in INVARIANTS:
                getattr(m, name)()
    finally:
        m.teardown()
