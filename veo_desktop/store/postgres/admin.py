"""The studio admin's side: create or migrate the schema, add and remove creators.

These run with an admin URL (a role with CREATEROLE that may act as `veo_owner`, or a superuser), never from a
desktop's store. Each migration and its `veo.schema_version` bump run in one transaction under
`pg_advisory_xact_lock`, as `veo_owner`, so two admins at once apply each migration once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from psycopg import sql

from veo_desktop.core.errors import StoreError
from veo_desktop.store.postgres.conn import connect, translate
from veo_desktop.store.postgres.schema import MIGRATIONS, ROLES, SCHEMA_VERSION

_LOCK_KEY = 0x7665_6F00  # "veo\0": the advisory lock of schema changes
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_RESERVED = frozenset({"veo_owner", "veo_member", "veo_admin", "postgres", "public"})
# Role settings that keep a frozen desktop from stalling the team (a claimer stuck in the pool lock is
# cut off after 5 s; the next claimer proceeds).
ROLE_TIMEOUTS = {"idle_in_transaction_session_timeout": "5s", "lock_timeout": "3s", "statement_timeout": "10s"}


@dataclass(frozen=True, slots=True)
class InitResult:
    from_version: int
    to_version: int


def check_creator_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name in _RESERVED:
        raise ValueError(
            f"{name!r} cannot be a creator name: use lower-case letters, digits and _ (starting with a letter), "
            "up to 63 characters, and none of veo_owner, veo_member, veo_admin, postgres."
        )
    return name


def _open(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return connect(url, password=None, application_name="veo-admin")  # PGPASSWORD or .pgpass for admins


def init(url: str) -> InitResult:
    """Create the roles and schemas and apply every missing migration (idempotent)."""
    with _open(url) as conn:
        try:
            return _init(conn)
        except psycopg.Error as exc:
            raise translate(exc, url) from exc


def _version(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    row = conn.execute("SELECT max(version) FROM veo.schema_version").fetchone()
    return int(str(row[0] or 0)) if row else 0


def _init(conn: psycopg.Connection[tuple[object, ...]]) -> InitResult:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        for statement in ROLES:
            conn.execute(statement)
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
        if not (superuser and superuser[0]):
            conn.execute(sql.SQL("GRANT veo_owner TO {}").format(sql.Identifier(_current_user(conn))))
        conn.execute("CREATE SCHEMA IF NOT EXISTS veo AUTHORIZATION veo_owner")
        conn.execute("CREATE SCHEMA IF NOT EXISTS veo_api AUTHORIZATION veo_owner")
        conn.execute("REVOKE ALL ON SCHEMA veo, veo_api FROM PUBLIC")
        conn.execute("SET LOCAL ROLE veo_owner")
        conn.execute("CREATE TABLE IF NOT EXISTS veo.schema_version (version int PRIMARY KEY, applied_at timestamptz)")
        conn.execute("GRANT USAGE ON SCHEMA veo TO veo_member")
        conn.execute("GRANT SELECT ON veo.schema_version TO veo_member")
    first = current = _version_locked(conn)
    while current < SCHEMA_VERSION:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute("SET LOCAL ROLE veo_owner")
            current = _version(conn)
            if current >= SCHEMA_VERSION:
                break
            for statement in MIGRATIONS[current]:
                conn.execute(statement)  # constant SQL
            conn.execute("INSERT INTO veo.schema_version VALUES (%s, now())", (current + 1,))
            current += 1
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"The team database has schema {current}, newer than this app's {SCHEMA_VERSION}; update the app."
        )
    return InitResult(first, current)


def _version_locked(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    with conn.transaction():
        conn.execute("SET LOCAL ROLE veo_owner")
        return _version(conn)


def _current_user(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    row = conn.execute("SELECT current_user").fetchone()
    return str(row[0]) if row else ""


def add_creator(url: str, name: str, *, admin: bool, password: str | None) -> None:
    """Create (or update) the creator's LOGIN role in veo_member (and veo_admin) and their creators row."""
    check_creator_name(name)
    ident = sql.Identifier(name)
    with _open(url) as conn:
        try:
            with conn.transaction():
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(sql.SQL(verb + " ROLE {} LOGIN CONNECTION LIMIT 8").format(ident))
                if password:
                    # Hashed here (SCRAM), so the clear password never reaches the server or its logs.
                    verifier = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
                    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(verifier.decode())))
                conn.execute(sql.SQL("GRANT veo_member TO {}").format(ident))
                if admin:
                    conn.execute(sql.SQL("GRANT veo_admin TO {}").format(ident))
                for setting, value in ROLE_TIMEOUTS.items():
                    conn.execute(
                        sql.SQL("ALTER ROLE {} SET {} = {}").format(ident, sql.Identifier(setting), sql.Literal(value))
                    )
                conn.execute("SET LOCAL ROLE veo_owner")
                conn.execute(
                    "INSERT INTO veo.creators (name, is_admin, active) VALUES (%s, %s, true) "
                    "ON CONFLICT (name) DO UPDATE SET is_admin = EXCLUDED.is_admin, active = true",
                    (name, admin),
                )
        except psycopg.Error as exc:
            raise translate(exc, url) from exc


def remove_creator(url: str, name: str) -> int:
    """Stop the creator's logins and cancel (and refund) their waiting jobs; their history stays.
    Returns how many waiting jobs were cancelled. The role itself stays (it may serve other databases)."""
    check_creator_name(name)
    ident = sql.Identifier(name)
    with _open(url) as conn:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(ident))
                conn.execute(sql.SQL("REVOKE veo_admin, veo_member FROM {}").format(ident))
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
                conn.execute("SET LOCAL ROLE veo_owner")
                cur = conn.execute(
                    "UPDATE veo.jobs SET status = 'cancelled', note = NULL, retry_at_ms = NULL, "
                    "finished_at_ms = veo.now_ms(NULL) WHERE creator = %s AND status = 'queued' RETURNING id, attempt",
                    (name,),
                )
                cancelled = cur.fetchall()
                for job_id, attempt in cancelled:
                    conn.execute("SELECT veo.refund(%s, %s, veo.now_ms(NULL))", (job_id, attempt))
                    conn.execute(
                        "INSERT INTO veo.events (job_id, creator, at_ms, from_status, to_status, detail) "
                        "VALUES (%s, %s, veo.now_ms(NULL), 'queued', 'cancelled', "
                        "'Cancelled when the creator left the studio; charge refunded.')",
                        (job_id, name),
                    )
                conn.execute("UPDATE veo.creators SET active = false WHERE name = %s", (name,))
                conn.execute("DELETE FROM veo.desktops WHERE creator = %s", (name,))
                return len(cancelled)
        except psycopg.Error as exc:
            raise translate(exc, url) from exc


def analyze(url: str) -> None:
    """Refresh the planner's statistics now (autovacuum does it on its own schedule); e.g. after a bulk load."""
    with _open(url) as conn:
        try:
            conn.execute("ANALYZE veo.jobs, veo.ledger, veo.events, veo.starts")
        except psycopg.Error as exc:
            raise translate(exc, url) from exc
