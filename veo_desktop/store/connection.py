"""Opening a SQLite database safely: integrity check first, then pragmas, migrations and transactions.

Error tree (everything the store raises is a `StoreError`; sqlite3 errors are translated here):
- StoreCorrupted: the file is not a database or fails `PRAGMA quick_check`; it is never modified.
- StoreLocked: another program held the write lock longer than the busy timeout.
- StoreError: the disk is full, the database is newer than this app, or an unexpected database error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import pathname2url

from veo_desktop.store.base import StoreCorrupted, StoreError, StoreLocked
from veo_desktop.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 5000
MEMORY = ":memory:"
_CORRUPT_CODES = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})
_LOCKED_CODES = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


def corrupted_message(path: str) -> str:
    return (
        f"The queue database is damaged; it was left untouched at {path}. "
        "Move it aside (or restore a backup) and start again."
    )


def translate(exc: sqlite3.Error, path: str) -> StoreError:
    """Map a sqlite3 error to the store's error tree (the caller raises it `from exc`)."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if code in _LOCKED_CODES or "database is locked" in text:
        return StoreLocked(
            f"Another program kept the queue database at {path} busy for more than "
            f"{BUSY_TIMEOUT_MS // 1000} s; close other copies of Veo Desktop (or the CLI) and try again."
        )
    if code in _CORRUPT_CODES:
        return StoreCorrupted(corrupted_message(path))
    if code == "SQLITE_FULL" or "disk is full" in text:
        return StoreError(f"The disk holding {path} is full; free some space and try again.")
    return StoreError(f"Unexpected database error ({code or type(exc).__name__}: {text}).")


def open_database(path: str | Path) -> sqlite3.Connection:
    """Check, open, configure and migrate. Raises StoreCorrupted without touching a damaged file."""
    name = str(path)
    if name != MEMORY:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        if Path(name).exists():
            _check_read_only(name)
    try:
        conn = sqlite3.connect(name, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise translate(exc, name) from exc
    try:
        _configure(conn, name)
        migrate(conn, name)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_read_only(name: str) -> None:
    """quick_check through a read-only connection: closing it never checkpoints into a damaged file."""
    uri = f"file:{pathname2url(str(Path(name).resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise translate(exc, name) from exc
    try:
        result = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError:
        return  # e.g. a WAL database that cannot be read without write access: checked again read-write
    except sqlite3.DatabaseError as exc:
        raise StoreCorrupted(corrupted_message(name)) from exc
    finally:
        conn.close()
    if [tuple(r) for r in result] != [("ok",)]:
        raise StoreCorrupted(corrupted_message(name))


def _configure(conn: sqlite3.Connection, name: str) -> None:
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        result = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        raise translate(exc, name) from exc
    except sqlite3.DatabaseError as exc:
        raise StoreCorrupted(corrupted_message(name)) from exc
    if [tuple(r) for r in result] != [("ok",)]:
        raise StoreCorrupted(corrupted_message(name))
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if name != MEMORY:
            # A WAL commit under synchronous=NORMAL can roll back on power loss: FULL it is.
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise translate(exc, name) from exc


def migrate(conn: sqlite3.Connection, name: str = MEMORY) -> int:
    """Apply the missing migrations, each in one transaction; returns the schema version."""
    while True:
        with write(conn, name):
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The queue database at {name} was made by a newer Veo Desktop (schema {version}); "
                    "update the app to open it."
                )
            if version == SCHEMA_VERSION:
                return version
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {version + 1:d}")


@contextmanager
def write(conn: sqlite3.Connection, name: str) -> Iterator[sqlite3.Connection]:
    """One short write transaction: BEGIN IMMEDIATE takes the write lock up front, so a read-then-write
    never fails half way with SQLITE_BUSY; any error rolls everything back."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise translate(exc, name) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise translate(exc, name) from exc
        raise


@contextmanager
def read(conn: sqlite3.Connection, name: str) -> Iterator[sqlite3.Connection]:
    """A consistent snapshot for reads that take several statements."""
    try:
        conn.execute("BEGIN")
        yield conn
    except sqlite3.Error as exc:
        raise translate(exc, name) from exc
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
