"""Tables, triggers, row-level security and grants of schema version 1 (constant SQL)."""

from __future__ import annotations

# Run by the admin (CREATEROLE) before the migrations; roles belong to the whole cluster, hence IF NOT EXISTS.
ROLES: tuple[str, ...] = (
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'veo_owner') THEN
            CREATE ROLE veo_owner NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'veo_member') THEN
            CREATE ROLE veo_member NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'veo_admin') THEN
            CREATE ROLE veo_admin NOLOGIN IN ROLE veo_member;
        END IF;
    END
    $$
    """,
)

_STATUSES = "'queued', 'submitting', 'running', 'downloading', 'completed', 'failed', 'cancelled', 'unknown_start'"

TABLES_V1: tuple[str, ...] = (
    "CREATE TABLE veo.settings (id int PRIMARY KEY CHECK (id = 1), test_clock boolean NOT NULL DEFAULT false)",
    "INSERT INTO veo.settings (id) VALUES (1)",
    """
    CREATE TABLE veo.pool (
        id int PRIMARY KEY CHECK (id = 1),
        max_in_flight int NOT NULL DEFAULT 2 CHECK (max_in_flight BETWEEN 1 AND 1000),
        max_starts_per_minute int NOT NULL DEFAULT 2 CHECK (max_starts_per_minute >= 0),
        one_start_on_wire boolean NOT NULL DEFAULT true,
        paused boolean NOT NULL DEFAULT false,
        pause_reason text,
        cooldown_until_ms bigint,
        hold_ms bigint NOT NULL DEFAULT 480000 CHECK (hold_ms >= 0),
        presence_ms bigint NOT NULL DEFAULT 15000 CHECK (presence_ms > 0),
        claims bigint NOT NULL DEFAULT 0,
        enqueues bigint NOT NULL DEFAULT 0
    )
    """,
    "INSERT INTO veo.pool (id) VALUES (1)",
    "CREATE TABLE veo.slots (slot int PRIMARY KEY CHECK (slot >= 1))",
    "INSERT INTO veo.slots SELECT generate_series(1, 2)",
    """
    CREATE TABLE veo.creators (
        name text PRIMARY KEY,
        is_admin boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        paused boolean NOT NULL DEFAULT false,
        pause_reason text,
        daily_budget_micros bigint CHECK (daily_budget_micros IS NULL OR daily_budget_micros >= 0)
    )
    """,
    """
    CREATE TABLE veo.desktops (
        desktop_id text PRIMARY KEY,
        creator text NOT NULL REFERENCES veo.creators (name),
        seen_at_ms bigint NOT NULL
    )
    """,
    "CREATE SEQUENCE veo.fence_seq",
    "CREATE SEQUENCE veo.change_seq",
    f"""
    CREATE TABLE veo.jobs (
        id text PRIMARY KEY,
        creator text NOT NULL REFERENCES veo.creators (name),
        origin_desktop text,
        status text NOT NULL CONSTRAINT "jobs_status_CHECK" CHECK (status IN ({_STATUSES})),
        request_json text NOT NULL,
        model_id text NOT NULL,
        provider text NOT NULL,
        queue_order double precision NOT NULL,
        attempt int NOT NULL CONSTRAINT "jobs_attempt_CHECK" CHECK (attempt >= 1),
        cost_micros bigint NOT NULL CONSTRAINT "jobs_cost_CHECK" CHECK (cost_micros >= 0),
        charged_micros bigint NOT NULL DEFAULT 0,
        refunded_micros bigint NOT NULL DEFAULT 0,
        created_at_ms bigint NOT NULL,
        started_at_ms bigint,
        finished_at_ms bigint,
        operation_name text,
        error_kind text CONSTRAINT "jobs_error_kind_CHECK" CHECK (error_kind IS NULL OR error_kind IN (
            'invalid', 'not_found', 'server', 'filtered', 'operation_error',
            'no_video', 'expired', 'protocol', 'gave_up', 'local')),
        error_message text,
        filter_reasons_json text NOT NULL DEFAULT '[]',
        outputs_json text NOT NULL DEFAULT '[]',
        labels_json text NOT NULL DEFAULT '[]',
        retry_at_ms bigint,
        note text,
        start_retries int NOT NULL DEFAULT 0 CONSTRAINT "jobs_start_retries_CHECK" CHECK (start_retries >= 0),
        lease_owner text,
        lease_until_ms bigint,
        lease_host text,
        lease_pid int,
        fence bigint NOT NULL DEFAULT 0,
        sending_at_ms bigint,
        slot int CONSTRAINT "jobs slot FOREIGN KEY" REFERENCES veo.slots (slot),
        slot_hold_until_ms bigint,
        rev bigint NOT NULL DEFAULT 0,
        CONSTRAINT "jobs_operation_CHECK"
            CHECK (status NOT IN ('running', 'downloading', 'completed') OR operation_name IS NOT NULL),
        CONSTRAINT "jobs_in_flight_holds_a_slot_CHECK"
            CHECK (status NOT IN ('submitting', 'running') OR slot IS NOT NULL),
        CONSTRAINT "jobs_slot_only_while_held_CHECK"
            CHECK (slot IS NULL OR status IN ('submitting', 'running', 'unknown_start'))
    )
    """,
    # The backstop of the cap: two jobs can never hold one slot, whatever a bug or a race does.
    'CREATE UNIQUE INDEX "jobs_one_holder_per_slot_UNIQUE" ON veo.jobs (slot) WHERE slot IS NOT NULL',
    "CREATE INDEX jobs_waiting ON veo.jobs (queue_order, created_at_ms, id) WHERE status = 'queued'",
    "CREATE INDEX jobs_order ON veo.jobs (queue_order)",
    "CREATE INDEX jobs_status ON veo.jobs (status)",
    "CREATE INDEX jobs_creator_created ON veo.jobs (creator, created_at_ms, id)",
    "CREATE INDEX jobs_model_finished ON veo.jobs (model_id, finished_at_ms) WHERE status = 'completed'",
    """
    CREATE FUNCTION veo.jobs_rev() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.rev := OLD.rev + 1;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER jobs_rev BEFORE UPDATE ON veo.jobs FOR EACH ROW EXECUTE FUNCTION veo.jobs_rev()",
    # Only a wake-up: the payload names no job, prompt or creator (every role can read every payload).
    """
    CREATE FUNCTION veo.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('veo_queue', 'jobs');
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE OR DELETE ON veo.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION veo.notify_change()
    """,
    "CREATE TRIGGER pool_notify AFTER UPDATE ON veo.pool FOR EACH STATEMENT EXECUTE FUNCTION veo.notify_change()",
    """
    CREATE TABLE veo.ledger (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id text NOT NULL CONSTRAINT "ledger job_id FOREIGN KEY" REFERENCES veo.jobs (id),
        creator text,
        attempt int NOT NULL CONSTRAINT "ledger_attempt_CHECK" CHECK (attempt >= 1),
        kind text NOT NULL CONSTRAINT "ledger_kind_CHECK" CHECK (kind IN ('charge', 'refund')),
        amount_micros bigint NOT NULL CONSTRAINT "ledger_amount_CHECK" CHECK (amount_micros >= 0),
        at_ms bigint NOT NULL,
        CONSTRAINT "ledger_UNIQUE_job_attempt_kind" UNIQUE (job_id, attempt, kind)
    )
    """,
    "CREATE INDEX ledger_creator_at ON veo.ledger (creator, at_ms)",
    "CREATE INDEX ledger_at ON veo.ledger (at_ms)",
    # The creator is the job's, whatever the inserting statement says; a refund needs its charge.
    """
    CREATE FUNCTION veo.ledger_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.creator := (SELECT creator FROM veo.jobs WHERE id = NEW.job_id);
        IF NEW.kind = 'refund' AND NOT EXISTS (
            SELECT 1 FROM veo.ledger
            WHERE job_id = NEW.job_id AND attempt = NEW.attempt AND kind = 'charge'
              AND amount_micros >= NEW.amount_micros) THEN
            RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
                MESSAGE = 'a refund needs a charge of at least its amount for the same job and attempt';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER ledger_before_insert BEFORE INSERT ON veo.ledger
    FOR EACH ROW EXECUTE FUNCTION veo.ledger_before_insert()
    """,
    """
    CREATE FUNCTION veo.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = 'the ledger is append-only';
    END
    $$
    """,
    """
    CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON veo.ledger
    FOR EACH STATEMENT EXECUTE FUNCTION veo.ledger_append_only()
    """,
    """
    CREATE FUNCTION veo.ledger_sums() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE veo.jobs SET
            charged_micros = charged_micros + CASE NEW.kind WHEN 'charge' THEN NEW.amount_micros ELSE 0 END,
            refunded_micros = refunded_micros + CASE NEW.kind WHEN 'refund' THEN NEW.amount_micros ELSE 0 END
        WHERE id = NEW.job_id;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER ledger_sums AFTER INSERT ON veo.ledger FOR EACH ROW EXECUTE FUNCTION veo.ledger_sums()",
    """
    CREATE TABLE veo.starts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id text NOT NULL REFERENCES veo.jobs (id),
        attempt int NOT NULL,
        claim_no int NOT NULL,
        at_ms bigint NOT NULL,
        owner text NOT NULL,
        fence bigint,
        outcome text NOT NULL DEFAULT 'pending'
            CONSTRAINT "starts_outcome_CHECK"
            CHECK (outcome IN ('pending', 'accepted', 'requeued', 'unknown', 'failed')),
        CONSTRAINT "starts_UNIQUE_claim" UNIQUE (job_id, attempt, claim_no)
    )
    """,
    "CREATE INDEX starts_at ON veo.starts (at_ms)",
    """CREATE UNIQUE INDEX "starts_one_pending_UNIQUE" ON veo.starts (job_id, attempt) WHERE outcome = 'pending'""",
    """CREATE UNIQUE INDEX "starts_one_accepted_UNIQUE" ON veo.starts (job_id, attempt) WHERE outcome = 'accepted'""",
    """
    CREATE TABLE veo.events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id text REFERENCES veo.jobs (id),
        creator text NOT NULL DEFAULT session_user,
        at_ms bigint NOT NULL,
        from_status text,
        to_status text,
        detail text NOT NULL
    )
    """,
    "CREATE INDEX events_job ON veo.events (job_id, id)",
    "CREATE INDEX events_creator ON veo.events (creator, id)",
    # The transition table of core/states.py (a test keeps them equal).
    "CREATE TABLE veo.transitions (from_status text, to_status text, PRIMARY KEY (from_status, to_status))",
    """
    INSERT INTO veo.transitions VALUES
        ('queued', 'submitting'), ('queued', 'cancelled'),
        ('submitting', 'running'), ('submitting', 'queued'), ('submitting', 'failed'),
        ('submitting', 'unknown_start'),
        ('running', 'downloading'), ('running', 'failed'),
        ('downloading', 'completed'), ('downloading', 'failed'),
        ('unknown_start', 'queued'), ('unknown_start', 'failed'),
        ('failed', 'queued')
    """,
    # --- who reads what: members read their own rows; nobody but the owner writes tables -----------------
    "REVOKE ALL ON ALL TABLES IN SCHEMA veo FROM PUBLIC",
    "REVOKE ALL ON ALL SEQUENCES IN SCHEMA veo FROM PUBLIC",
    "GRANT USAGE ON SCHEMA veo TO veo_member",
    "GRANT SELECT ON veo.jobs, veo.ledger, veo.events, veo.starts, veo.creators, veo.pool TO veo_member",
    "GRANT SELECT ON SEQUENCE veo.change_seq TO veo_member",
    "ALTER TABLE veo.jobs ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE veo.ledger ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE veo.events ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY own_rows ON veo.jobs FOR SELECT TO veo_member USING (creator = session_user)",
    "CREATE POLICY own_rows ON veo.ledger FOR SELECT TO veo_member USING (creator = session_user)",
    "CREATE POLICY own_rows ON veo.events FOR SELECT TO veo_member USING (creator = session_user)",
)
