"""A store that cannot be used: one sentence each, a StoreUnusable subclass, and the file left as it was.

Permission cases run in a child process that obeys file modes (as root: setpriv without the capabilities that
bypass them), after a probe proves the mode really refuses; the disk cases mount a small tmpfs or a read-only
bind (root only) and are skipped elsewhere, while the same errors are also injected at the connection seam.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.store.helpers import enqueue
from veo_desktop.bench.faults.bad_cli import fill_disk, mode_bites, mounted, obeying_modes, remount_read_only
from veo_desktop.store import connection
from veo_desktop.store.base import (
    StoreCorrupted,
    StoreDiskFull,
    StoreError,
    StoreLocked,
    StoreReadOnly,
    StoreTooNew,
    StoreUnusable,
)
from veo_desktop.store.sqlite import SqliteStore

ELSEWHERE = "choose another location for the queue database"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make(path: Path, jobs: int = 2) -> None:
    with SqliteStore(path) as store:
        enqueue(store, jobs)


def is_sentence(text: str) -> bool:
    return text.endswith(".") and len(text) > 40 and "\n" not in text


# --- without special rights ---------------------------------------------------------------------------------
def test_a_folder_given_as_the_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    path.mkdir()
    with pytest.raises(StoreUnusable, match="is a folder, not a file; choose a file such as") as err:
        SqliteStore(path)
    assert is_sentence(str(err.value)) and list(path.iterdir()) == []


def test_a_file_in_the_way_of_the_parent_folder(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("a file, not a folder")
    with pytest.raises(StoreUnusable, match="cannot be created \\(a file of that name is in the way\\)") as err:
        SqliteStore(tmp_path / "notes" / "queue.sqlite3")
    assert ELSEWHERE in str(err.value) and is_sentence(str(err.value))


def test_a_newer_database_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    make(path)
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 7")
    raw.close()
    before = digest(path)
    with pytest.raises(StoreTooNew, match=r"newer Veo Desktop \(schema 7\); update the app") as err:
        SqliteStore(path)
    assert is_sentence(str(err.value))
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["queue.sqlite3"]  # no journal was created


@pytest.mark.parametrize(
    "code,kind,words",
    [
        ("SQLITE_BUSY", StoreLocked, "close other copies"),
        ("SQLITE_NOTADB", StoreCorrupted, "damaged"),
        ("SQLITE_FULL", StoreDiskFull, "is full"),
        ("SQLITE_IOERR_SHMSIZE", StoreDiskFull, "is full"),
        ("SQLITE_READONLY", StoreReadOnly, "cannot be written"),
        ("SQLITE_READONLY_DIRECTORY", StoreReadOnly, "cannot be written"),
        ("SQLITE_PERM", StoreReadOnly, "cannot be written"),
        ("SQLITE_CANTOPEN", StoreUnusable, "cannot be opened"),
        ("SQLITE_IOERR_WRITE", StoreUnusable, "input/output error"),  # with plenty of space: not a full disk
        ("SQLITE_MISMATCH", StoreError, "Unexpected database error"),
    ],
)
def test_every_sqlite_error_maps_to_a_sentence(tmp_path: Path, code: str, kind: type[StoreError], words: str) -> None:
    exc = sqlite3.OperationalError("something went wrong")
    exc.sqlite_errorname = code
    translated = connection.translate(exc, str(tmp_path / "q.sqlite3"))
    assert type(translated) is kind
    assert words in str(translated) and is_sentence(str(translated))


# --- a full disk at the connection seam --------------------------------------------------------------------
class FullAtCommit:
    """The store's connection, except that its next COMMIT fails the way SQLite's does on a full disk."""

    def __init__(self, conn: sqlite3.Connection, code: str) -> None:
        self._conn, self._code, self.armed = conn, code, True

    def execute(self, sql: str, *params: Any) -> sqlite3.Cursor:
        if self.armed and sql == "COMMIT":
            self.armed = False
            exc = sqlite3.OperationalError("database or disk is full")
            exc.sqlite_errorname = self._code
            raise exc
        return self._conn.execute(sql, *params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.mark.parametrize("code", ["SQLITE_FULL", "SQLITE_IOERR_SHMSIZE"])
def test_a_commit_on_a_full_disk_rolls_back_and_keeps_the_queue(tmp_path: Path, code: str) -> None:
    path = tmp_path / "queue.sqlite3"
    with SqliteStore(path) as store:
        kept = enqueue(store, 3)
        real = store._conn
        store._conn = FullAtCommit(real, code)  # type: ignore[assignment]
        with pytest.raises(StoreDiskFull, match=r"is full .*free at least 100 MB .*the queue was not changed"):
            enqueue(store, 2, seed=9)
        assert not real.in_transaction
        store._conn = real
        assert sorted(j.id for j in store.list_jobs()) == sorted(j.id for j in kept)
    with SqliteStore(path) as again:  # the next run
        assert sorted(j.id for j in again.list_jobs()) == sorted(j.id for j in kept)
        assert len(again.ledger()) == 3
        assert again._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


# --- real disks (root: tmpfs and bind mounts) ------------------------------------------------------------
@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "tiny"
    try:
        with mounted(folder, "-t", "tmpfs", "-o", "size=256k"):
            yield folder
    except OSError as exc:
        pytest.skip(f"a small tmpfs cannot be mounted here: {exc}")


def test_a_really_full_disk(tiny_disk: Path) -> None:
    path = tiny_disk / "queue.sqlite3"
    with SqliteStore(path) as store:
        kept = enqueue(store, 3)
        ballast = fill_disk(tiny_disk)
        with pytest.raises(StoreDiskFull, match=r"is full \(0\.0 MB left\)"):
            for seed in range(20):  # the WAL has some room left: fill it
                enqueue(store, 20, seed=seed + 10)
    with contextlib.suppress(StoreDiskFull):  # opening on the full disk: works, or says the disk is full
        SqliteStore(path).close()
    ballast.unlink()
    with SqliteStore(path) as again:
        assert {j.id for j in kept} <= {j.id for j in again.list_jobs()}
        assert len(again.list_jobs()) == len(again.ledger())
        assert again._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        enqueue(again, 1, seed=99)  # and the queue takes new jobs again


def test_a_read_only_disk(tmp_path: Path) -> None:
    source, target = tmp_path / "disk", tmp_path / "ro"
    source.mkdir()
    make(source / "queue.sqlite3")
    before = digest(source / "queue.sqlite3")
    try:
        with mounted(target, "--bind", source=str(source)):
            remount_read_only(target)
            with pytest.raises(StoreReadOnly, match="is on a read-only disk"):
                SqliteStore(target / "queue.sqlite3")
    except OSError as exc:
        pytest.skip(f"a read-only bind cannot be mounted here: {exc}")
    assert digest(source / "queue.sqlite3") == before


# --- file modes, in a process that obeys them --------------------------------------------------------------
OPEN_SCRIPT = """
import json, sys
from veo_desktop.store.sqlite import SqliteStore
try:
    SqliteStore(sys.argv[1]).close()
    print(json.dumps(["opened", ""]))
except Exception as exc:
    print(json.dumps([type(exc).__name__, str(exc)]))
"""


def open_obeying_modes(path: Path, refused: Path) -> tuple[str, str]:
    prefix = obeying_modes()
    if prefix is None:
        pytest.skip("no way to run a process that obeys file modes here")
    assert mode_bites(prefix, refused), "the mode does not refuse: the case would prove nothing"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [*prefix, sys.executable, "-c", OPEN_SCRIPT, str(path)], capture_output=True, text=True, env=env, check=True
    )
    kind, message = json.loads(done.stdout)
    return kind, message


def test_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    make(path)
    before = digest(path)
    path.chmod(0o444)
    try:
        kind, message = open_obeying_modes(path, path)
    finally:
        path.chmod(0o644)
    assert kind == "StoreReadOnly" and "is read-only; make it writable" in message and is_sentence(message)
    assert digest(path) == before


def test_a_folder_without_write_permission(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    make(folder / "queue.sqlite3")
    before = digest(folder / "queue.sqlite3")
    folder.chmod(0o555)
    try:
        kind, message = open_obeying_modes(folder / "queue.sqlite3", folder / "probe")
        new_kind, new_message = open_obeying_modes(folder / "new.sqlite3", folder / "probe")
        sub_kind, sub_message = open_obeying_modes(folder / "sub" / "q.sqlite3", folder / "probe")
    finally:
        folder.chmod(0o755)
    assert kind == new_kind == "StoreReadOnly" and "holding the queue database cannot be written" in message
    assert new_message.replace("new.sqlite3", "queue.sqlite3") == message
    assert sub_kind == "StoreUnusable" and "cannot be created (permission denied)" in sub_message
    assert all(is_sentence(m) for m in (message, new_message, sub_message))
    assert digest(folder / "queue.sqlite3") == before
    assert sorted(p.name for p in folder.iterdir()) == ["queue.sqlite3"]


@pytest.mark.parametrize("code", ["SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE"])
def test_an_io_error_on_a_disk_with_no_space_left_is_a_full_disk(tmp_path: Path, code: str) -> None:
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorname = code
    disk = tmp_path / "disk"
    try:
        with mounted(disk, "-t", "tmpfs", "-o", "size=24m"):
            path = str(disk / "queue.sqlite3")
            assert type(connection.translate(exc, path)) is StoreUnusable  # 24 MB free: an I/O error
            fill_disk(disk)
            assert type(connection.translate(exc, path)) is StoreDiskFull
    except OSError as exc_mount:
        pytest.skip(f"a tmpfs cannot be mounted here: {exc_mount}")
