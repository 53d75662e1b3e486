"""The person's and the admin's moves, the shared views and the grants of schema version 1 (constant SQL)."""

# ruff: noqa: S608  (constant SQL: the f-strings only insert _DEF, a constant)
from __future__ import annotations

_DEF = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = veo, pg_temp"

USER_V1: tuple[str, ...] = (
    """
    CREATE FUNCTION veo.cancel_one(p_id text, t bigint) RETURNS void
    LANGUAGE plpgsql SET search_path = veo, pg_temp AS $$
    DECLARE j jobs;
    BEGIN
        j := expect(p_id, ARRAY['queued'], 'cancelled');
        UPDATE jobs SET status = 'cancelled', finished_at_ms = t, retry_at_ms = NULL, note = NULL WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'cancelled', 'Cancelled; charge refunded.');
        PERFORM refund(p_id, j.attempt, t);
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.cancel(p_id text, p_now bigint) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM cancel_one(p_id, now_ms(p_now));
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.cancel_all_waiting(p_now bigint) RETURNS SETOF text {_DEF} AS $$
    DECLARE r record; t bigint := now_ms(p_now);
    BEGIN
        FOR r IN SELECT id FROM jobs WHERE creator = session_user AND status = 'queued'
                 ORDER BY queue_order, created_at_ms, id LOOP
            PERFORM cancel_one(r.id, t);
            RETURN NEXT r.id;
        END LOOP;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.retry(p_id text, p_now bigint, p_cost bigint, p_day_start bigint) RETURNS void
    {_DEF} AS $$
    DECLARE j jobs; t bigint; cost bigint; n int;
    BEGIN
        PERFORM lock_pool();
        t := now_ms(p_now);
        j := own_job(p_id);
        cost := COALESCE(p_cost, j.cost_micros);
        IF j.status IN ('failed', 'unknown_start') THEN
            PERFORM check_budget(p_day_start, cost);
        END IF;
        j := expect(p_id, ARRAY['failed', 'unknown_start'], 'queued');
        n := j.attempt + 1;
        UPDATE jobs SET status = 'queued', attempt = n, cost_micros = cost, queue_order = end_order(),
            lease_owner = NULL, lease_until_ms = NULL, started_at_ms = NULL, finished_at_ms = NULL,
            operation_name = NULL, error_kind = NULL, error_message = NULL, filter_reasons_json = '[]',
            outputs_json = '[]', retry_at_ms = NULL, note = NULL, start_retries = 0, slot = NULL,
            slot_hold_until_ms = NULL, sending_at_ms = NULL, lease_host = NULL, lease_pid = NULL
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'queued', format('Retried as attempt %s; charged %s.', n, usd(cost)));
        PERFORM charge(p_id, n, cost, t);
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.edit(p_id text, p_request text, p_model text, p_cost bigint, p_now bigint,
                                 p_day_start bigint) RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now); n int;
    BEGIN
        j := own_job(p_id);
        IF j.status <> 'queued' THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001',
                MESSAGE = format('Job %s is %s now and can no longer be edited.', p_id, j.status);
        END IF;
        IF p_cost > j.cost_micros THEN
            PERFORM check_budget(p_day_start, p_cost - j.cost_micros);
        END IF;
        n := j.attempt + 1;
        UPDATE jobs SET request_json = p_request, model_id = p_model, cost_micros = p_cost, attempt = n,
            start_retries = 0
        WHERE id = p_id AND status = 'queued' AND attempt = j.attempt;
        PERFORM refund(p_id, j.attempt, t);
        PERFORM charge(p_id, n, p_cost, t);
        PERFORM event(p_id, t, 'queued', 'queued',
                      format('Edited (attempt %s); old charge refunded, %s charged.', n, usd(p_cost)));
        PERFORM bump();
    END
    $$
    """,
    # A creator permutes only their own places: `p_ids` must be exactly their waiting jobs, in the new
    # order, and they take the places those jobs held (nobody else's place moves).
    f"""
    CREATE FUNCTION veo_api.permute(p_ids text[]) RETURNS void {_DEF} AS $$
    DECLARE mine text[]; places double precision[];
    BEGIN
        PERFORM lock_pool();
        SELECT array_agg(id ORDER BY queue_order, created_at_ms, id), array_agg(queue_order ORDER BY queue_order)
        INTO mine, places FROM jobs WHERE creator = session_user AND status = 'queued';
        IF COALESCE(array_length(p_ids, 1), 0) <> COALESCE(array_length(mine, 1), 0)
           OR NOT (p_ids <@ mine AND mine <@ p_ids) THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001',
                MESSAGE = 'The queue changed meanwhile; refresh the queue and try again.';
        END IF;
        UPDATE jobs SET queue_order = places[o.n]
        FROM unnest(p_ids) WITH ORDINALITY AS o (id, n)
        WHERE jobs.id = o.id AND jobs.queue_order <> places[o.n];
        PERFORM bump();
    END
    $$
    """,
    # A 401/403 pauses one creator (their key); the admin pauses the team with `team pool --pause`.
    f"""
    CREATE FUNCTION veo_api.set_paused(p_paused boolean, p_reason text) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM veo.me();
        UPDATE creators SET paused = p_paused, pause_reason = CASE WHEN p_paused THEN p_reason END
        WHERE name = session_user;
        PERFORM bump();
    END
    $$
    """,
    # A 429 cools down the whole team: the quota is shared.
    f"""
    CREATE FUNCTION veo_api.set_cooldown(p_until bigint, p_caller_now bigint) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM veo.me();
        UPDATE pool SET cooldown_until_ms = caller_abs(p_until, p_caller_now) WHERE id = 1;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.set_daily_budget(p_budget bigint) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM require_admin();
        UPDATE creators SET daily_budget_micros = p_budget WHERE name = session_user;
        PERFORM bump();
    END
    $$
    """,
    # --- the admin's moves ------------------------------------------------------------------------------
    f"""
    CREATE FUNCTION veo_api.set_pool(p_max_in_flight int, p_max_starts_per_minute int, p_one_start_on_wire boolean,
                                     p_paused boolean, p_pause_reason text) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM require_admin();
        PERFORM lock_pool();
        UPDATE pool SET max_in_flight = COALESCE(p_max_in_flight, max_in_flight),
            max_starts_per_minute = COALESCE(p_max_starts_per_minute, max_starts_per_minute),
            one_start_on_wire = COALESCE(p_one_start_on_wire, one_start_on_wire),
            paused = COALESCE(p_paused, paused),
            pause_reason = CASE WHEN COALESCE(p_paused, paused) THEN COALESCE(p_pause_reason, pause_reason) END
        WHERE id = 1;
        INSERT INTO slots SELECT generate_series(1, (SELECT max_in_flight FROM pool WHERE id = 1))
        ON CONFLICT DO NOTHING;
        DELETE FROM slots s WHERE s.slot > (SELECT max_in_flight FROM pool WHERE id = 1)
            AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.slot = s.slot);
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.set_creator_budget(p_creator text, p_budget bigint) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM require_admin();
        UPDATE creators SET daily_budget_micros = p_budget WHERE name = p_creator;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'VE005', MESSAGE = format('%s is not a creator of this studio.', p_creator);
        END IF;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.server_now_ms() RETURNS bigint {_DEF} AS $$
    BEGIN
        RETURN now_ms(NULL);
    END
    $$
    """,
    # Problems the constraints cannot express, as sentences; 'ok' when there are none.
    f"""
    CREATE FUNCTION veo_api.integrity_check() RETURNS text {_DEF} AS $$
    DECLARE problems text[] := ARRAY[]::text[]; held int; cap int;
    BEGIN
        SELECT count(*) INTO held FROM jobs WHERE slot IS NOT NULL AND status IN ('submitting', 'running');
        SELECT max_in_flight INTO cap FROM pool WHERE id = 1;
        IF EXISTS (SELECT 1 FROM jobs j WHERE j.charged_micros <> COALESCE((SELECT sum(amount_micros) FROM ledger l
                   WHERE l.job_id = j.id AND l.kind = 'charge'), 0)
                   OR j.refunded_micros <> COALESCE((SELECT sum(amount_micros) FROM ledger l
                   WHERE l.job_id = j.id AND l.kind = 'refund'), 0)) THEN
            problems := problems || 'job ledger sums differ from the ledger'::text;
        END IF;
        IF EXISTS (SELECT 1 FROM ledger l JOIN jobs j ON j.id = l.job_id WHERE l.creator <> j.creator) THEN
            problems := problems || 'ledger entries booked to another creator'::text;
        END IF;
        RETURN CASE WHEN cardinality(problems) = 0 THEN 'ok' ELSE array_to_string(problems, '; ') END;
    END
    $$
    """,
    # --- what everyone sees: places, creators and presence, never a prompt ----------------------------
    """
    CREATE VIEW veo_api.queue WITH (security_barrier) AS
    SELECT id, creator, model_id, status,
           CASE WHEN status = 'queued'
                THEN row_number() OVER (PARTITION BY status = 'queued' ORDER BY queue_order, created_at_ms, id)
           END AS position,
           slot, slot_hold_until_ms, lease_owner
    FROM veo.jobs
    WHERE status = 'queued' OR slot IS NOT NULL
    """,
    """
    CREATE VIEW veo_api.desktops WITH (security_barrier) AS
    SELECT d.desktop_id, d.creator, d.seen_at_ms,
           d.seen_at_ms >= (extract(epoch FROM clock_timestamp()) * 1000)::bigint
                           - (SELECT presence_ms FROM veo.pool WHERE id = 1) AS present
    FROM veo.desktops d
    """,
    """
    CREATE VIEW veo_api.spending WITH (security_barrier) AS
    SELECT c.name AS creator, c.daily_budget_micros, c.active,
           COALESCE((SELECT sum(CASE l.kind WHEN 'charge' THEN l.amount_micros ELSE -l.amount_micros END)
                     FROM veo.ledger l WHERE l.creator = c.name), 0)::bigint AS balance_micros
    FROM veo.creators c
    """,
    # --- grants: functions are PUBLIC-executable by default -----------------------------------------
    "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA veo FROM PUBLIC",
    "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA veo_api FROM PUBLIC",
    "GRANT USAGE ON SCHEMA veo_api TO veo_member",
    "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA veo_api TO veo_member",
    "REVOKE EXECUTE ON FUNCTION veo_api.set_pool(int, int, boolean, boolean, text) FROM veo_member",
    "REVOKE EXECUTE ON FUNCTION veo_api.set_creator_budget(text, bigint) FROM veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.set_pool(int, int, boolean, boolean, text) TO veo_admin",
    "GRANT EXECUTE ON FUNCTION veo_api.set_creator_budget(text, bigint) TO veo_admin",
    "GRANT SELECT ON veo_api.queue, veo_api.desktops, veo_api.spending TO veo_member",
)
