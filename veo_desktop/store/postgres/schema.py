"""The team database: schema, roles and API as constant SQL, in versioned migrations.

Shape (docs: shared team-mode design §2):
- schema `veo` holds the tables, owned by the NOLOGIN role `veo_owner`; members (`veo_member`) may only
  SELECT, and row-level security shows them only their own jobs, ledger and events;
- schema `veo_api` holds the SECURITY DEFINER functions every write goes through (fixed `search_path`,
  the caller taken from `session_user`) and the `security_barrier` views that show everyone's places;
- the pool row is the one serialisation point of the cap: `claim_next` UPDATEs it first, and numbered
  slots under a partial unique index are the backstop; shared decisions use the database clock.

Constraint and trigger names and messages reuse the SQLite wording ("UNIQUE", "CHECK", "FOREIGN KEY",
"append-only", "a refund needs a charge") so one contract suite holds on both. Errors raised on purpose use
SQLSTATEs of class VE (see `errors.py`). Never edit a released migration: add the next one.
"""

from __future__ import annotations

from veo_desktop.store.postgres.sql_api import HELPERS_V1
from veo_desktop.store.postgres.sql_moves import MOVES_V1
from veo_desktop.store.postgres.sql_tables import ROLES, TABLES_V1
from veo_desktop.store.postgres.sql_user import USER_V1
from veo_desktop.store.postgres.sql_v2 import V2
from veo_desktop.store.postgres.sql_v3 import V3
from veo_desktop.store.postgres.sql_v3_adopt import V3_ADOPT
from veo_desktop.store.postgres.sql_v3_wire import V3_WIRE

# MIGRATIONS[i] moves the schema from version i to i + 1; each runs in one transaction as veo_owner.
MIGRATIONS: tuple[tuple[str, ...], ...] = (TABLES_V1 + HELPERS_V1 + MOVES_V1 + USER_V1, V2, V3 + V3_ADOPT + V3_WIRE)
SCHEMA_VERSION = len(MIGRATIONS)
# The schema versions this app speaks: from 3, whose outbox moves (`late_answer`, `release_unsent`) and polling
# and download takeovers it calls (version 3 keeps the earlier functions for older desktops; a newer database
# may keep these for this one).
SUPPORTED_VERSIONS = range(3, SCHEMA_VERSION + 1)

__all__ = ["MIGRATIONS", "ROLES", "SCHEMA_VERSION", "SUPPORTED_VERSIONS"]
