"""The outbox journal: one entry per (job, fence), durable when a write returns (WAL, synchronous=FULL), shared
by the processes of one desktop, refused when a newer app made it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from veo_desktop.core.outbox import OutboxEntry, StartState
from veo_desktop.store.base import StoreError
from veo_desktop.store.outbox import AsyncOutbox, SqliteOutbox


def entry(
    job_id: str = "j1", fence: int = 7, state: StartState = StartState.SENDING, op: str | None = None
) -> OutboxEntry:
    return OutboxEntry(job_id, fence, state, 1_000, "host", 42, "tok", operation_name=op)


def test_an_entry_moves_through_its_states_and_is_forgotten(tmp_path: Path) -> None:
    journal = SqliteOutbox(tmp_path / "outbox.sqlite3")
    try:
        journal.record(entry())
        journal.record(entry(fence=8))  # a later claim of the same job: its own entry
        journal.record(entry(state=StartState.ANSWERED, op="operations/1"))  # replaces (j1, 7)
        assert journal.entries() == [entry(state=StartState.ANSWERED, op="operations/1"), entry(fence=8)]
        journal.forget("j1", 7)
        journal.forget("j1", 7)  # twice is harmless
        assert journal.entries() == [entry(fence=8)]
    finally:
        journal.close()


def test_entries_are_on_disk_when_written_and_visible_to_another_process(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    writer = SqliteOutbox(path)
    reader = SqliteOutbox(path)  # the window and the CLI of one desktop
    try:
        assert writer._conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert writer._conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL: fsynced at commit
        writer.record(entry(state=StartState.NOT_SENT))
        assert reader.entries() == [entry(state=StartState.NOT_SENT)]
    finally:
        writer.close()
        reader.close()
    again = SqliteOutbox(path)
    try:
        assert again.entries() == [entry(state=StartState.NOT_SENT)]
    finally:
        again.close()


def test_an_answer_needs_its_operation_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="operation name"):
        entry(state=StartState.ANSWERED)
    with pytest.raises(ValueError, match="operation name"):
        entry(state=StartState.SENDING, op="operations/1")
    journal = SqliteOutbox(tmp_path / "outbox.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # the schema says it too
            journal._conn.execute("INSERT INTO starts VALUES ('j', 1, 'answered', NULL, 0, 'h', 1, 't')")
    finally:
        journal.close()


def test_an_outbox_of_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(StoreError, match="newer version of the app"):
        SqliteOutbox(path)


async def test_the_async_outbox_runs_on_its_own_thread_and_closes(tmp_path: Path) -> None:
    outbox = AsyncOutbox(tmp_path / "outbox.sqlite3")
    await outbox.record(entry())
    assert await outbox.entries() == [entry()]
    await outbox.forget("j1", 7)
    assert await outbox.entries() == []
    await outbox.aclose()
    await outbox.aclose()
    with pytest.raises(StoreError, match="closed"):
        await outbox.record(entry())
