"""The file-level promises: migrations, a damaged file left untouched, locks, several processes at once."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus
from veo_desktop.store import connection, schema
from veo_desktop.store.base import StoreCorrupted, StoreDiskFull, StoreError, StoreLocked, StoreUnusable
from veo_desktop.store.sqlite import SqliteStore

from .helpers import T0, enqueue, output


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _schema_sql(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    raw.close()
    return rows


def _user_version(path: Path) -> int:
    raw = sqlite3.connect(path)
    try:
        return int(raw.execute("PRAGMA user_version").fetchone()[0])
    finally:
        raw.close()


# --- migrations ---------------------------------------------------------------------------------------
def test_new_database_is_migrated_and_configured(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "queue.sqlite3"
    with SqliteStore(path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert _user_version(path) == schema.SCHEMA_VERSION


def test_reopening_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    with SqliteStore(path) as store:
        (job,) = enqueue(store)
    before = (_schema_sql(path), _digest(path))
    with SqliteStore(path) as store:
        assert store.get(job.id) == job
        assert store.data_version() == store.data_version()
    assert (_schema_sql(path), _digest(path)) == before
    assert _user_version(path) == schema.SCHEMA_VERSION


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "queue.sqlite3"
    SqliteStore(path).close()
    broken = (*schema.MIGRATIONS, ("CREATE TABLE extra (x INTEGER)", "SELECT no_such_column FROM jobs"))
    monkeypatch.setattr(connection, "MIGRATIONS", broken)
    monkeypatch.setattr(connection, "SCHEMA_VERSION", len(broken))
    with pytest.raises(StoreError, match="no such column"):
        SqliteStore(path)
    assert _user_version(path) == schema.SCHEMA_VERSION
    assert "extra" not in {name for name, _ in _schema_sql(path)}


def test_a_database_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    SqliteStore(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer Veo Desktop"):
        SqliteStore(path)


# --- a damaged file -----------------------------------------------------------------------------------
def _assert_refused_untouched(path: Path) -> None:
    digest, size = _digest(path), path.stat().st_size
    with pytest.raises(StoreCorrupted) as err:
        SqliteStore(path)
    assert str(path) in str(err.value)
    assert "Move it aside (or restore a backup) and start again." in str(err.value)
    assert (_digest(path), path.stat().st_size) == (digest, size)


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    path.write_bytes(b"this is a text file, not a database\n" * 200)
    _assert_refused_untouched(path)
    assert not (tmp_path / "queue.sqlite3-wal").exists()


def test_a_damaged_page_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    with SqliteStore(path) as store:
        enqueue(store, 200)
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page : 3 * page] = b"\xff" * page  # a b-tree page full of garbage
    path.write_bytes(bytes(data))
    _assert_refused_untouched(path)


def test_a_damaged_header_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    with SqliteStore(path) as store:
        enqueue(store, 3)
    data = bytearray(path.read_bytes())
    data[0:16] = b"NOT SQLITE AT AL"
    path.write_bytes(bytes(data))
    _assert_refused_untouched(path)


# --- errors -------------------------------------------------------------------------------------------
def test_a_held_lock_becomes_store_locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "queue.sqlite3"
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
    with SqliteStore(path) as store:
        (job,) = enqueue(store)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreLocked, match="close other copies of Veo Desktop"):
                store.set_note(job.id, "x")
            assert store.get(job.id).note is None  # reads still work under WAL
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.set_note(job.id, "x")


@pytest.mark.parametrize(
    "code,text,kind",
    [
        ("SQLITE_BUSY", "database is locked", StoreLocked),
        ("SQLITE_LOCKED", "database table is locked", StoreLocked),
        ("SQLITE_CORRUPT", "database disk image is malformed", StoreCorrupted),
        ("SQLITE_NOTADB", "file is not a database", StoreCorrupted),
        ("SQLITE_FULL", "database or disk is full", StoreDiskFull),
        ("SQLITE_IOERR", "disk I/O error", StoreUnusable),
    ],
)
def test_sqlite_errors_map_to_store_errors(code: str, text: str, kind: type[StoreError]) -> None:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname = code
    translated = connection.translate(exc, "/data/q.sqlite3")
    assert type(translated) is kind
    assert str(translated).endswith(".") and len(str(translated)) > 30
    if code == "SQLITE_FULL":
        assert "free at least" in str(translated)


# --- several processes --------------------------------------------------------------------------------
TWO = SlotConfig(max_in_flight=2, max_starts_per_minute=0)


def _race_worker(path: str, owner: str) -> tuple[list[str], int]:
    """Claim and finish jobs until none is left; report the claims and the most jobs ever seen in flight."""
    claimed: list[str] = []
    most = 0
    with SqliteStore(path) as store:
        now = T0
        idle = 0
        while idle < 50:
            now += 1
            job = store.claim_next(owner=owner, now_ms=now, lease_ms=60_000, config=TWO)
            in_flight = len(store.list_jobs([JobStatus.SUBMITTING, JobStatus.RUNNING]))
            most = max(most, in_flight)
            if job is None:
                idle += 1 if not store.waiting_jobs() else 0
                time.sleep(0.001)
                continue
            idle = 0
            claimed.append(job.id)
            store.mark_running(job.id, operation_name=f"op/{job.id}", now_ms=now)
            time.sleep(0.002)  # hold the slot a moment so the other side meets a full table
            store.begin_download(job.id, now_ms=now)
            store.complete(job.id, outputs=[output(f"{job.id}.mp4")], now_ms=now)
    return claimed, most


def _check_race(path: Path, results: list[tuple[list[str], int]], n: int) -> None:
    assert len(results) == 2
    claims = [job_id for claimed, _ in results for job_id in claimed]
    assert len(claims) == len(set(claims)) == n  # every job claimed once, none twice
    assert max(most for _, most in results) <= 2
    with SqliteStore(path) as store:
        assert {j.status for j in store.list_jobs()} == {JobStatus.COMPLETED}
        starts = store._conn.execute("SELECT job_id, COUNT(*) FROM starts GROUP BY job_id").fetchall()
        assert len(starts) == n and all(count == 1 for _, count in starts)
        assert store.integrity_check() == "ok"


def test_two_threads_racing_claims(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    with SqliteStore(path) as store:
        enqueue(store, 40)
    results: list[tuple[list[str], int]] = []
    threads = [threading.Thread(target=lambda o=o: results.append(_race_worker(str(path), o))) for o in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    _check_race(path, results, 40)


def test_two_processes_racing_claims(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    with SqliteStore(path) as store:
        enqueue(store, 40)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.starmap(_race_worker, [(str(path), "P1"), (str(path), "P2")])
    _check_race(path, results, 40)


def test_a_killed_process_leaves_a_database_that_opens_with_its_commits(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    script = (
        "import os, sys\n"
        "from veo_desktop.store.sqlite import SqliteStore\n"
        "from tests.store.helpers import enqueue, claim\n"
        "store = SqliteStore(sys.argv[1])\n"
        "enqueue(store, 3)\n"
        "claim(store)\n"
        "os._exit(0)  # no close, no checkpoint: like kill -9 after the intent commit\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, cwd=root, timeout=60)
    assert (tmp_path / "queue.sqlite3-wal").exists()
    with SqliteStore(path) as store:
        assert sorted(j.status.value for j in store.list_jobs()) == ["queued", "queued", "submitting"]
        assert len(store.ledger()) == 3
        assert store.integrity_check() == "ok"
