"""The database schema as constants, and migrations keyed by `PRAGMA user_version`.

Invariants live in the schema as well as in code, so a bug or a second process cannot break them quietly:
- a job's status is one of the JobStatus values (CHECK), a running job has an operation name;
- the ledger is append-only, has at most one charge and one refund per (job, attempt), and a refund needs
  a charge of at least its amount for the same attempt (trigger);
- at most one start claim per (job, attempt) is pending and at most one was accepted by the server
  (partial unique indexes on `starts`): "no double start" is enforced by the database;
- every claim and takeover draws a new fencing token from `queue_state.fence_seq`, so a transition made
  with an older token is refused (a frozen process that comes back cannot overwrite a takeover).

A migration is a tuple of statements applied in one `BEGIN IMMEDIATE` transaction together with the new
`user_version`. Never edit a released migration: add the next one.
"""

from __future__ import annotations

# Each tuple is one migration; MIGRATIONS[i] moves the schema from version i to i + 1.
_V1: tuple[str, ...] = (
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN (
            'queued', 'submitting', 'running', 'downloading',
            'completed', 'failed', 'cancelled', 'unknown_start')),
        request_json TEXT NOT NULL,
        model_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        queue_order REAL NOT NULL,
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        cost_micros INTEGER NOT NULL CHECK (cost_micros >= 0),
        charged_micros INTEGER NOT NULL DEFAULT 0,
        refunded_micros INTEGER NOT NULL DEFAULT 0,
        created_at_ms INTEGER NOT NULL,
        started_at_ms INTEGER,
        finished_at_ms INTEGER,
        operation_name TEXT,
        error_kind TEXT CHECK (error_kind IS NULL OR error_kind IN (
            'invalid', 'not_found', 'server', 'filtered', 'operation_error',
            'no_video', 'expired', 'protocol', 'gave_up', 'local')),
        error_message TEXT,
        filter_reasons_json TEXT NOT NULL DEFAULT '[]',
        outputs_json TEXT NOT NULL DEFAULT '[]',
        labels_json TEXT NOT NULL DEFAULT '[]',
        retry_at_ms INTEGER,
        note TEXT,
        start_retries INTEGER NOT NULL DEFAULT 0 CHECK (start_retries >= 0),
        lease_owner TEXT,
        lease_until_ms INTEGER,
        rev INTEGER NOT NULL DEFAULT 0,
        CHECK (status NOT IN ('running', 'downloading', 'completed') OR operation_name IS NOT NULL)
    ) STRICT
    """,
    # Every change of a row bumps its revision, so readers can keep parsed rows until they change
    # (even when another process made the change). recursive_triggers is off: this does not re-fire.
    """
    CREATE TRIGGER jobs_rev AFTER UPDATE ON jobs
    BEGIN
        UPDATE jobs SET rev = OLD.rev + 1 WHERE id = NEW.id;
    END
    """,
    # Waiting jobs in FIFO order: the dispatcher's hottest query.
    "CREATE INDEX jobs_waiting ON jobs (queue_order, created_at_ms, id) WHERE status = 'queued'",
    "CREATE INDEX jobs_order ON jobs (queue_order)",
    "CREATE INDEX jobs_status ON jobs (status)",
    "CREATE INDEX jobs_created ON jobs (created_at_ms, id)",
    "CREATE INDEX jobs_model_finished ON jobs (model_id, finished_at_ms) WHERE status = 'completed'",
    """
    CREATE TABLE ledger (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        kind TEXT NOT NULL CHECK (kind IN ('charge', 'refund')),
        amount_micros INTEGER NOT NULL CHECK (amount_micros >= 0),
        at_ms INTEGER NOT NULL,
        UNIQUE (job_id, attempt, kind)
    ) STRICT
    """,
    "CREATE INDEX ledger_at ON ledger (at_ms)",
    """
    CREATE TRIGGER ledger_refund_needs_charge BEFORE INSERT ON ledger
    WHEN NEW.kind = 'refund' AND NOT EXISTS (
        SELECT 1 FROM ledger
        WHERE job_id = NEW.job_id AND attempt = NEW.attempt AND kind = 'charge'
          AND amount_micros >= NEW.amount_micros)
    BEGIN
        SELECT RAISE(ABORT, 'a refund needs a charge of at least its amount for the same job and attempt');
    END
    """,
    """
    CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only');
    END
    """,
    """
    CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only');
    END
    """,
    # The per-job sums the views show, kept by the database in the same transaction as the entry.
    """
    CREATE TRIGGER ledger_sums AFTER INSERT ON ledger
    BEGIN
        UPDATE jobs SET
            charged_micros = charged_micros + CASE NEW.kind WHEN 'charge' THEN NEW.amount_micros ELSE 0 END,
            refunded_micros = refunded_micros + CASE NEW.kind WHEN 'refund' THEN NEW.amount_micros ELSE 0 END
        WHERE id = NEW.job_id;
    END
    """,
    # One row per start claim (a claim that was requeued is claimed again under the same attempt).
    """
    CREATE TABLE starts (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        attempt INTEGER NOT NULL,
        claim_no INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        owner TEXT NOT NULL,
        outcome TEXT NOT NULL DEFAULT 'pending'
            CHECK (outcome IN ('pending', 'accepted', 'requeued', 'unknown', 'failed')),
        UNIQUE (job_id, attempt, claim_no)
    ) STRICT
    """,
    "CREATE INDEX starts_at ON starts (at_ms)",
    "CREATE UNIQUE INDEX starts_one_pending ON starts (job_id, attempt) WHERE outcome = 'pending'",
    "CREATE UNIQUE INDEX starts_one_accepted ON starts (job_id, attempt) WHERE outcome = 'accepted'",
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        job_id TEXT REFERENCES jobs (id),
        at_ms INTEGER NOT NULL,
        from_status TEXT,
        to_status TEXT,
        detail TEXT NOT NULL
    ) STRICT
    """,
    "CREATE INDEX events_job ON events (job_id, id)",
    """
    CREATE TABLE queue_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        pause_reason TEXT,
        cooldown_until_ms INTEGER,
        daily_budget_micros INTEGER CHECK (daily_budget_micros IS NULL OR daily_budget_micros >= 0)
    ) STRICT
    """,
    "INSERT INTO queue_state (id, paused) VALUES (1, 0)",
)

# Version 2: leases name their holder (host, pid, token) and carry a fencing token; a start records the
# moment its request is about to be sent; an unknown start holds its slot until a time (reliability.md I3, I9).
_V2: tuple[str, ...] = (
    "ALTER TABLE jobs ADD COLUMN lease_host TEXT",
    "ALTER TABLE jobs ADD COLUMN lease_pid INTEGER",
    "ALTER TABLE jobs ADD COLUMN fence INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE jobs ADD COLUMN sending_at_ms INTEGER",
    "ALTER TABLE jobs ADD COLUMN slot_hold_until_ms INTEGER",
    "ALTER TABLE queue_state ADD COLUMN fence_seq INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX jobs_slot_hold ON jobs (slot_hold_until_ms) WHERE status = 'unknown_start'",
    # A claim made by an older version may have been sent: it is treated as sent (never back in line).
    "UPDATE jobs SET sending_at_ms = started_at_ms, slot_hold_until_ms = started_at_ms + 600000 "
    "WHERE status = 'submitting'",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2)
SCHEMA_VERSION = len(MIGRATIONS)
