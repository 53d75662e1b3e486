"""What `check_invariants` reads from a store, one reader per backend: the same rows from a SQLite file (read
only, raw sqlite3) or from a PostgreSQL team database (an admin URL, one REPEATABLE READ snapshot).

Rows: jobs (id, status, attempt, cost_micros, error_message, outputs_json, request_json), the ledger (job_id,
attempt, kind, amount_micros, in commit order), the transitions (job_id, to_status, at_ms, in order), the slot
holds of unknown starts, the starts the server accepted more than once for one attempt, each job's creator
(team mode), and the integrity verdict:

- SQLite: `PRAGMA integrity_check`;
- PostgreSQL: "ok" when `veo_api.integrity_check()` finds the jobs' ledger sums equal to the ledger and every
  entry booked to its job's creator, no constraint of schema `veo` is left unvalidated, every index is valid
  and ready (the slot backstop among them), no job holds a slot above the pool's cap, and no more jobs hold
  slots than the cap; otherwise the problems found, as sentences.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

_JOBS = "SELECT id, status, attempt, cost_micros, error_message, outputs_json, request_json FROM {jobs}"
_LEDGER = "SELECT job_id, attempt, kind, amount_micros FROM {ledger} ORDER BY id"
_EVENTS = "SELECT job_id, to_status, at_ms FROM {events} WHERE to_status IS NOT NULL ORDER BY id"
_HOLDS = "SELECT id, slot_hold_until_ms FROM {jobs} WHERE status = 'unknown_start'"
_DOUBLE = (
    "SELECT job_id, attempt, count(*) FROM {starts} WHERE outcome = 'accepted' "
    "GROUP BY job_id, attempt HAVING count(*) > 1"
)


@dataclass(frozen=True)
class StoreRows:
    jobs: list[tuple[Any, ...]]
    ledger: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    holds: dict[str, int | None]
    double_accepted: list[tuple[Any, ...]]  # (job, attempt, accepted starts) with more than one
    integrity: str
    creators: dict[str, str] = field(default_factory=dict)  # job id -> creator (team mode; empty locally)
    scan_roots: tuple[Path, ...] = ()  # files to scan for a leaked secret (the database's own)
    dump: bytes = b""  # the rows as text, for a leaked secret in a database that is not a file


class StoreReader(Protocol):
    def read(self) -> StoreRows: ...


def _tables(sql: str, schema: str) -> str:
    prefix = f"{schema}." if schema else ""
    return sql.format(
        jobs=f"{prefix}jobs", ledger=f"{prefix}ledger", events=f"{prefix}events", starts=f"{prefix}starts"
    )


@dataclass(frozen=True)
class SqliteReader:
    """A store file, opened read-only."""

    path: Path

    def read(self) -> StoreRows:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            rows = [conn.execute(_tables(sql, "")).fetchall() for sql in (_JOBS, _LEDGER, _EVENTS, _HOLDS, _DOUBLE)]
            integrity = "\n".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
        finally:
            conn.close()
        jobs, ledger, events, holds, double = rows
        return StoreRows(jobs, ledger, events, dict(holds), double, integrity, scan_roots=(self.path.parent,))


_PG_PROBLEMS = (
    (
        "SELECT string_agg(conrelid::regclass || '.' || conname, ', ') FROM pg_constraint "
        "WHERE connamespace = 'veo'::regnamespace AND NOT convalidated",
        "constraints not validated: {}",
    ),
    (
        "SELECT string_agg(i.indexrelid::regclass::text, ', ') FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "WHERE c.relnamespace = 'veo'::regnamespace AND NOT (i.indisvalid AND i.indisready)",
        "indexes not valid: {}",
    ),
    (
        "SELECT string_agg(j.id, ', ') FROM veo.jobs j, veo.pool p WHERE p.id = 1 AND j.slot > p.max_in_flight",
        "jobs holding a slot above the cap: {}",
    ),
    (
        "SELECT CASE WHEN count(*) > max(p.max_in_flight) THEN count(*)::text END FROM veo.jobs j, veo.pool p "
        "WHERE p.id = 1 AND j.slot IS NOT NULL",
        "{} jobs hold slots, more than the cap",
    ),
)
_PG_DUMP = ("jobs", "ledger", "events", "starts", "desktops", "creators", "pool")


@dataclass(frozen=True)
class PostgresReader:
    """A team database, read by its admin (who sees every creator's rows) in one snapshot."""

    admin_url: str
    connection: Any = None  # an open autocommit connection to use (and leave open) instead of connecting

    def read(self) -> StoreRows:
        from veo_desktop.store.postgres import conn as pgconn

        conn: Any = self.connection or pgconn.connect(self.admin_url, password=None, application_name="veo-admin")
        try:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            rows = [conn.execute(_tables(sql, "veo")).fetchall() for sql in (_JOBS, _LEDGER, _EVENTS, _HOLDS, _DOUBLE)]
            creators = dict(conn.execute("SELECT id, creator FROM veo.jobs").fetchall())
            problems = [str(conn.execute("SELECT veo_api.integrity_check()").fetchone()[0])]
            for sql, text in _PG_PROBLEMS:
                found = conn.execute(sql).fetchone()[0]
                if found:
                    problems.append(text.format(found))
            dump = "\n".join(repr(conn.execute(f"SELECT * FROM veo.{t}").fetchall()) for t in _PG_DUMP)  # noqa: S608
        finally:
            conn.execute("ROLLBACK")
            if self.connection is None:
                conn.close()
        jobs, ledger, events, holds, double = rows
        integrity = "; ".join(p for p in problems if p != "ok") or "ok"
        return StoreRows(jobs, ledger, events, dict(holds), double, integrity, creators, dump=dump.encode())


def reader_for(store: Path | str | StoreReader) -> StoreReader:
    """A reader for a store file's path, a PostgreSQL URL, or a reader as it is."""
    if isinstance(store, str) and store.startswith(("postgresql://", "postgres://")):
        return PostgresReader(store)
    if isinstance(store, (str, Path)):
        return SqliteReader(Path(store))
    return store
