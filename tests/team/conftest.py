"""The team tests use the store tests' throwaway PostgreSQL (one cluster per session, a database per test)."""

from __future__ import annotations

from tests.store.conftest import pg_cluster, pg_db

__all__ = ["pg_cluster", "pg_db"]
