"""The moves the two-store machine (test_team_machine.py) expects the team database to refuse, changing
nothing: a frozen desktop's old fence, calls on the other creator's jobs, a member's own writes to the tables,
and attempts to read around row-level security."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from tests.store.helpers import DAY, request
from tests.team.machine_model import (
    CREATORS,
    DESKTOPS,
    DIRECT_WRITES,
    POLLER_OPS,
    STALE_OPS,
    STATS,
    ModelJob,
    TeamModel,
)
from veo_desktop.core.errors import JobNotFound, StaleTransition, StoreError
from veo_desktop.store.base import NewJob
from veo_desktop.store.postgres.store import PostgresStore


class Refusals:
    """Mixed into the machine, which provides these attributes and helpers."""

    model: TeamModel
    stores: dict[str, PostgresStore]
    sql: dict[str, psycopg.Connection[Any]]
    refusals: int
    snapshot: Callable[[], tuple[list[Any], ...]]
    tick: Callable[[], int]
    pick: Callable[[int], tuple[str, ModelJob]]
    call: Callable[..., None]

    def frozen_desktop_returns(self, pick: int, which: int) -> None:
        """A desktop frozen past its lease (or a poller whose takeover was superseded) comes back and goes on
        with the fence it had: refused."""
        token = self.model.stale[pick % len(self.model.stale)]
        ops = POLLER_OPS if token.poller else STALE_OPS[token.known]
        op = ops[which % len(ops)]
        m = self.model.jobs[token.job_id]
        before = self.snapshot()
        # A poller of another creator's job that is no longer its to poll may not even see it any more.
        with pytest.raises((StaleTransition, JobNotFound) if token.poller else StaleTransition):
            self.call(self.stores[token.desktop], op, token.job_id, m, fence=token.fence, expected=token.known)
        assert self.snapshot() == before
        self.refusals += 1
        STATS["fenced out"] += 1

    def forge_another_creator(self, op: str, pick: int) -> None:
        """A creator calls the API with the other creator's job: that job does not exist for them."""
        job_id, m = self.pick(pick)
        other = next(d for d, c in DESKTOPS.items() if c != m.creator)
        store, before = self.stores[other], self.snapshot()
        if op == "enqueue":  # the other's job id in a new job of one's own
            with pytest.raises(StoreError):
                store.enqueue([NewJob(job_id, request("forged"), 0, "vertex")], now_ms=self.tick(), day_start_ms=DAY)
        else:
            with pytest.raises(JobNotFound):
                if op == "set_note":
                    store.set_note(job_id, "forged")
                elif op == "move_to_top":
                    store.move_to_top(job_id)
                elif op == "reorder":
                    store.reorder([job_id])
                elif op == "get":
                    store.get(job_id)
                else:
                    self.call(store, op, job_id, m, fence=m.fence)
            assert store.events(job_id) == [] and store.ledger(job_id) == []
        assert self.snapshot() == before
        self.refusals += 1

    def direct_write(self, creator: str, table: str, verb: int) -> None:
        """A member's own SQL on the tables: permission denied, whatever it tries."""
        other = next(c for c in CREATORS if c != creator)
        before = self.snapshot()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            self.sql[creator].execute(DIRECT_WRITES[table][verb], {"other": other})
        assert self.snapshot() == before
        self.refusals += 1

    def read_around_the_policies(self, creator: str) -> None:
        """Row security cannot be switched off by a member, and the owner's role cannot be taken."""
        conn = self.sql[creator]
        for sql in ("SET ROLE veo_owner", f"SET SESSION AUTHORIZATION {next(c for c in CREATORS if c != creator)}"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        conn.execute("SET row_security = off")
        try:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):  # "would be affected by row-level security"
                conn.execute("SELECT request_json FROM veo.jobs")
        finally:
            conn.execute("RESET row_security")
        self.refusals += 1
