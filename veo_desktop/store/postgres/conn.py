"""Connecting to the team database safely, and translating its errors into the store's error tree.

- `check_url` (urls.py): a team URL never holds a password, and a host that is not loopback needs
  `sslmode=verify-full` (`prefer`/`require` do not verify the server);
- `connect`: the password is passed to libpq as an argument (from the keyring or PGPASSWORD), registered with
  `logsafe`, never written anywhere; sessions are named `veo-<desktop id>`;
- `translate`: VE001..VE005 (raised on purpose by the API functions) become StaleTransition, JobNotFound,
  BudgetExceeded, IllegalTransition and StoreError; serialisation failures left after the retries become
  StoreLocked; network, TLS and restart errors become StoreUnavailable.
"""

from __future__ import annotations

import psycopg

from veo_desktop import logsafe
from veo_desktop.core.errors import (
    BudgetExceeded,
    JobNotFound,
    StaleTransition,
    StoreError,
    StoreLocked,
    StoreUnavailable,
)
from veo_desktop.core.states import IllegalTransition
from veo_desktop.store.postgres.urls import check_url, describe, is_team_url, user_of

__all__ = ["check_url", "connect", "describe", "is_team_url", "translate", "user_of"]

RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock: safe to run again
CONNECT_TIMEOUT_S = 5
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "25P03", "53300"})
# libpq gives no SQLSTATE for a refused login at connect; its words do.
_LOGIN_REFUSED = ("password authentication failed", "is not permitted to log in", "no password supplied")
_LOCKED_SQLSTATES = frozenset({"55P03", "57014"})  # lock_timeout, statement_timeout


def connect(url: str, *, password: str | None, application_name: str) -> psycopg.Connection[tuple[object, ...]]:
    if password:
        logsafe.register_secret(password)
    try:
        return psycopg.connect(
            url,
            password=password or None,
            autocommit=True,
            application_name=application_name[:63],
            connect_timeout=CONNECT_TIMEOUT_S,
        )
    except psycopg.Error as exc:
        raise translate(exc, url) from None  # the libpq message is kept; the traceback could hold the password


def translate(exc: psycopg.Error, url: str) -> StoreError | IllegalTransition:
    """Map a psycopg error to the store's error tree (the caller raises it `from exc`)."""
    state = exc.sqlstate or ""
    text = (exc.diag.message_primary if exc.diag else None) or str(exc).strip()
    where = describe(url)
    if state == "VE001":
        return StaleTransition(text)
    if state == "VE002":
        return JobNotFound(text)
    if state == "VE003":
        return BudgetExceeded(text)
    if state == "VE004":
        return IllegalTransition(text)
    if state == "VE005":
        return StoreError(text)
    if state in RETRY_SQLSTATES or state in _LOCKED_SQLSTATES:
        return StoreLocked(f"The team database at {where} stayed too busy to take this change; try again in a moment.")
    if state == "42501":
        return StoreError(f"Your database role may not do that ({text}); ask the studio's admin.")
    if state in ("28P01", "28000") or any(words in text for words in _LOGIN_REFUSED):
        return StoreError(
            f"The team database at {where} refused the login ({text}); check the creator name and password "
            "(`veo-desktop-cli team join URL` asks for it again)."
        )
    if isinstance(exc, psycopg.OperationalError) or state.startswith("08") or state in _UNAVAILABLE_SQLSTATES:
        return StoreUnavailable(
            f"The team database at {where} cannot be reached ({text}); nothing was lost, queueing is refused "
            "until it is back, and the app reconnects by itself."
        )
    return StoreError(f"Unexpected team database error ({state or type(exc).__name__}: {text}).")
