"""Opening a SQLite database safely: the path and its permissions first, then a read-only integrity and
version check, then pragmas, migrations and transactions.

Error tree (everything the store raises is a `StoreError`; sqlite3 and OS errors are translated here). A
`StoreUnusable` means the database was left exactly as it was; the CLI exits with code 4 and the GUI shows
the same sentence in a dialog:
- StoreCorrupted: the file is not a database or fails `PRAGMA quick_check`; it is never modified.
- StoreLocked: another program held the write lock longer than the busy timeout.
- StoreReadOnly: the file, its folder or its file system cannot be written (or the file cannot be read).
- StoreTooNew: made by a newer app; found through a read-only connection, before anything is written.
- StoreDiskFull: SQLITE_FULL, or an I/O error such as SQLITE_IOERR_SHMSIZE on a disk with next to no space
  left; the interrupted transaction was rolled back, so the queue is as it was before.
- StoreUnusable: the path is a folder, its folder cannot be created, SQLite cannot open it, an I/O error.
- StoreError: any other database error.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import pathname2url

from veo_desktop.store.base import (
    StoreCorrupted,
    StoreDiskFull,
    StoreError,
    StoreLocked,
    StoreReadOnly,
    StoreTooNew,
    StoreUnusable,
)
from veo_desktop.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 5000
MEMORY = ":memory:"
# Below this much free space an I/O error while writing is taken for a full disk (SQLite reports some
# ENOSPC cases, e.g. growing the shared-memory file, as SQLITE_IOERR_* rather than SQLITE_FULL).
LOW_SPACE_BYTES = 16 * 1024 * 1024
FREE_AT_LEAST_MB = 100  # room for the queue and for a video being downloaded
_CORRUPT_CODES = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})
_LOCKED_CODES = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})
_FULL_CODES = frozenset({"SQLITE_FULL", "SQLITE_IOERR_SHMSIZE"})
_ELSEWHERE = "choose another location for the queue database (Settings, or --store)"


def _shown(path: str) -> str:
    return path if path == MEMORY else os.path.abspath(path)


def corrupted_message(path: str) -> str:
    return (
        f"The queue database is damaged; it was left untouched at {_shown(path)}. "
        "Move it aside (or restore a backup) and start again."
    )


def _free_bytes(path: str) -> int | None:
    try:
        return shutil.disk_usage(Path(_shown(path)).parent).free
    except OSError:
        return None


def disk_full_message(path: str) -> str:
    free = _free_bytes(path)
    left = "" if free is None else f" ({free / 1024 / 1024:.1f} MB left)"
    return (
        f"The disk holding the queue database {_shown(path)} is full{left}; free at least {FREE_AT_LEAST_MB} MB "
        "there (old videos, downloads, the trash) and run again — the queue was not changed."
    )


def _is_disk_full(code: str, text: str, path: str) -> bool:
    if code in _FULL_CODES or "disk is full" in text:
        return True
    free = _free_bytes(path)
    return code.startswith("SQLITE_IOERR") and free is not None and free < LOW_SPACE_BYTES


def translate(exc: sqlite3.Error, path: str) -> StoreError:
    """Map a sqlite3 error to the store's error tree (the caller raises it `from exc`)."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    text, shown = str(exc), _shown(path)
    if code in _LOCKED_CODES or "database is locked" in text:
        return StoreLocked(
            f"Another program kept the queue database at {shown} busy for more than "
            f"{BUSY_TIMEOUT_MS // 1000} s; close other copies of Veo Desktop (or the CLI) and try again."
        )
    if code in _CORRUPT_CODES:
        return StoreCorrupted(corrupted_message(path))
    if _is_disk_full(code, text, path):
        return StoreDiskFull(disk_full_message(path))
    if code.startswith("SQLITE_READONLY") or code == "SQLITE_PERM":
        return StoreReadOnly(
            f"The queue database {shown} (or a file beside it) cannot be written; make it and its folder "
            f"writable, or {_ELSEWHERE}."
        )
    if code.startswith("SQLITE_CANTOPEN"):
        return StoreUnusable(
            f"The queue database {shown} cannot be opened; check that its folder exists and can be written, "
            f"or {_ELSEWHERE}."
        )
    if code.startswith("SQLITE_IOERR"):
        return StoreUnusable(
            f"The disk holding the queue database {shown} reported an input/output error ({code}); "
            "check the disk and try again — the queue was not changed."
        )
    return StoreError(f"Unexpected database error ({code or type(exc).__name__}: {text}); see the log and try again.")


def open_database(path: str | Path) -> sqlite3.Connection:
    """Check, open, configure and migrate. Raises a StoreUnusable without changing the file when it cannot
    be used as it is (damaged, newer, read-only, a folder, ...)."""
    name = str(path)
    if name != MEMORY:
        check_location(Path(name))
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


def _in_the_way(exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "a file of that name is in the way"
    return (exc.strerror or str(exc)).lower()


def make_folders(*folders: Path) -> None:
    """Create the app's folders (data, frames, staging, library), or say in one sentence which cannot be made."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnusable(
                f"The folder {os.path.abspath(folder)} cannot be created ({_in_the_way(exc)}); make its parent "
                "writable, or point Veo Desktop elsewhere (Settings, --library, or VEO_DESKTOP_HOME)."
            ) from exc


def check_location(path: Path) -> None:
    """Everything that can be told about a database path without writing to it."""
    shown = _shown(str(path))
    folder = Path(shown).parent
    info = _stat(path, shown)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise StoreUnusable(
            f"The queue database path {shown} is a folder, not a file; choose a file such as "
            f"{Path(shown) / 'veo-desktop.sqlite3'}."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnusable(
            f"The folder {folder} for the queue database cannot be created ({_in_the_way(exc)}); "
            f"create it yourself, or {_ELSEWHERE}."
        ) from exc
    if info is not None:
        if not os.access(path, os.R_OK):
            raise StoreReadOnly(
                f"The queue database {shown} cannot be read; give your user access to it, or {_ELSEWHERE}."
            )
        _check_version(_header_version(path), str(path))  # before any connection: nothing is created
        _check_read_only(str(path))
    if _read_only_disk(folder):
        raise StoreReadOnly(f"The queue database {shown} is on a read-only disk; {_ELSEWHERE}.")
    if info is not None and not os.access(path, os.W_OK):
        raise StoreReadOnly(
            f"The queue database {shown} is read-only; make it writable (e.g. chmod u+w) or {_ELSEWHERE}."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreReadOnly(
            f"The folder {folder} holding the queue database cannot be written (the database keeps its "
            f"journal beside it); make the folder writable, or {_ELSEWHERE}."
        )


def _stat(path: Path, shown: str) -> os.stat_result | None:
    """The file's status, None when there is no such file yet."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise StoreReadOnly(
            f"The queue database {shown} cannot be reached ({_in_the_way(exc)}); give your user access to "
            f"its folder, or {_ELSEWHERE}."
        ) from exc


def _read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # Windows has no statvfs
        return False


def _check_read_only(name: str) -> None:
    """quick_check and the schema version through a read-only connection: closing it never checkpoints into
    a damaged file, and a newer database is refused before anything is written to it."""
    uri = f"file:{pathname2url(str(Path(name).resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise translate(exc, name) from exc
    try:
        result = conn.execute("PRAGMA quick_check").fetchall()
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.OperationalError:
        return  # e.g. a WAL database that cannot be read without write access: checked again read-write
    except sqlite3.DatabaseError as exc:
        raise StoreCorrupted(corrupted_message(name)) from exc
    finally:
        conn.close()
    if [tuple(r) for r in result] != [("ok",)]:
        raise StoreCorrupted(corrupted_message(name))
    _check_version(version, name)


def _header_version(path: Path) -> int:
    """`PRAGMA user_version` as the file's header holds it (bytes 60-63), 0 when it is not a database header.
    Read without SQLite: a read-only connection to a WAL database would leave -wal and -shm files behind."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return 0
    if len(header) < 64 or not header.startswith(b"SQLite format 3\x00"):
        return 0
    return int.from_bytes(header[60:64], "big", signed=True)


def _check_version(version: int, name: str) -> None:
    if version > SCHEMA_VERSION:
        raise StoreTooNew(
            f"The queue database at {_shown(name)} was made by a newer Veo Desktop (schema {version}); "
            "update the app to open it — the file was left as it was."
        )


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
        _check_version(int(conn.execute("PRAGMA user_version").fetchone()[0]), name)
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
            _check_version(version, name)
            if version == SCHEMA_VERSION:
                return version
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {version + 1:d}")


def _roll_back(conn: sqlite3.Connection) -> None:
    # After SQLITE_FULL or an I/O error SQLite may already have rolled back, and ROLLBACK itself may fail:
    # the error that matters is the first one.
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


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
        _roll_back(conn)
        if isinstance(exc, sqlite3.Error):
            raise translate(exc, name) from exc
        raise


@contextmanager
def read(conn: sqlite3.Connection, name: str) -> Iterator[sqlite3.Connection]:
    """A consistent snapshot for reads that take several statements."""
    try:
        conn.execute("BEGIN")
        yield conn
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _roll_back(conn)
        raise translate(exc, name) from exc
    finally:
        _roll_back(conn)
