"""Internal helpers of schema version 1 (constant SQL); the API functions are in sql_moves.py and sql_user.py.

Every API function is SECURITY DEFINER with `SET search_path = veo, pg_temp`, takes the caller from
`session_user` (inside, `current_user` is the owner) and touches only the caller's jobs. Errors raised on
purpose: VE001 stale transition, VE002 job not found, VE003 budget exceeded, VE004 illegal transition,
VE005 not allowed for this role.
"""

from __future__ import annotations

HELPERS_V1: tuple[str, ...] = (
    # The database clock. Tests may pin it to the time they pass, only where the owner enabled it.
    """
    CREATE FUNCTION veo.now_ms(p_caller_ms bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN p_caller_ms IS NOT NULL AND (SELECT test_clock FROM veo.settings WHERE id = 1)
                    THEN p_caller_ms
                    ELSE (extract(epoch FROM clock_timestamp()) * 1000)::bigint END
    $$
    """,
    # An absolute time given in the caller's clock, moved onto the database clock.
    """
    CREATE FUNCTION veo.caller_abs(p_abs_ms bigint, p_caller_now_ms bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN p_abs_ms IS NULL THEN NULL
                    WHEN (SELECT test_clock FROM veo.settings WHERE id = 1) THEN p_abs_ms
                    ELSE veo.now_ms(NULL) + (p_abs_ms - p_caller_now_ms) END
    $$
    """,
    """
    CREATE FUNCTION veo.usd(m bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN m < 0 THEN '-' ELSE '' END || '$' ||
               CASE WHEN abs(m) % 10000 = 0 THEN to_char(abs(m) / 1000000.0, 'FM999999999990.00')
                    ELSE rtrim((abs(m) / 1000000.0)::numeric(24, 6)::text, '0') END
    $$
    """,
    """
    CREATE FUNCTION veo.bump() RETURNS void LANGUAGE sql AS $$ SELECT nextval('veo.change_seq') $$
    """,
    """
    CREATE FUNCTION veo.me() RETURNS veo.creators LANGUAGE plpgsql STABLE AS $$
    DECLARE c veo.creators;
    BEGIN
        SELECT * INTO c FROM veo.creators WHERE name = session_user AND active;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'VE005', MESSAGE = format(
                'The database role %s is not a creator of this studio; ask the admin to run '
                '`veo-desktop-cli team add-creator %s`.', session_user, session_user);
        END IF;
        RETURN c;
    END
    $$
    """,
    """
    CREATE FUNCTION veo.require_admin() RETURNS void LANGUAGE plpgsql STABLE AS $$
    BEGIN
        IF NOT (veo.me()).is_admin THEN
            RAISE EXCEPTION USING ERRCODE = 'VE005',
                MESSAGE = 'Only the studio''s admin can change this; ask them to do it.';
        END IF;
    END
    $$
    """,
    """
    CREATE FUNCTION veo.seen(p_desktop text, t bigint) RETURNS void LANGUAGE sql AS $$
        INSERT INTO veo.desktops (desktop_id, creator, seen_at_ms) VALUES (p_desktop, session_user, t)
        ON CONFLICT (desktop_id) DO UPDATE SET creator = EXCLUDED.creator, seen_at_ms = EXCLUDED.seen_at_ms
    $$
    """,
    """
    CREATE FUNCTION veo.event(p_job text, p_at bigint, p_from text, p_to text, p_detail text) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO veo.events (job_id, creator, at_ms, from_status, to_status, detail)
        VALUES (p_job, session_user, p_at, p_from, p_to, p_detail)
    $$
    """,
    """
    CREATE FUNCTION veo.not_found(p_id text) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = 'VE002',
            MESSAGE = format('Job %s is not in the queue database; refresh the list.', p_id);
    END
    $$
    """,
    # The caller's job, locked; another creator's job does not exist for the caller.
    """
    CREATE FUNCTION veo.own_job(p_id text) RETURNS veo.jobs LANGUAGE plpgsql AS $$
    DECLARE j veo.jobs;
    BEGIN
        SELECT * INTO j FROM veo.jobs WHERE id = p_id AND creator = session_user FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM veo.not_found(p_id);
        END IF;
        RETURN j;
    END
    $$
    """,
    # The job, checked to be in one of `p_expected` and allowed to move to `p_target`.
    """
    CREATE FUNCTION veo.expect(p_id text, p_expected text[], p_target text, p_fence bigint DEFAULT NULL)
    RETURNS veo.jobs LANGUAGE plpgsql AS $$
    DECLARE j veo.jobs;
    BEGIN
        j := veo.own_job(p_id);
        IF NOT (j.status = ANY (p_expected)) THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001', MESSAGE = format(
                'Job %s is %s now, not %s: something else moved it first. Refresh and try again.',
                p_id, j.status, array_to_string(p_expected, ' or '));
        END IF;
        IF p_fence IS NOT NULL AND j.fence <> p_fence THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001', MESSAGE = format(
                'Job %s was taken over by another process; this one leaves it alone.', p_id);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM veo.transitions WHERE from_status = j.status AND to_status = p_target) THEN
            RAISE EXCEPTION USING ERRCODE = 'VE004',
                MESSAGE = format('A job cannot move from %s to %s.', j.status, p_target);
        END IF;
        RETURN j;
    END
    $$
    """,
    """
    CREATE FUNCTION veo.net_since(p_creator text, p_since_ms bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
        SELECT COALESCE(SUM(CASE kind WHEN 'charge' THEN amount_micros ELSE -amount_micros END), 0)::bigint
        FROM veo.ledger WHERE (p_creator IS NULL OR creator = p_creator)
                          AND (p_since_ms IS NULL OR at_ms >= p_since_ms)
    $$
    """,
    """
    CREATE FUNCTION veo.check_budget(p_day_start_ms bigint, p_more bigint) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE budget bigint; spent bigint;
    BEGIN
        IF p_day_start_ms IS NULL THEN
            RETURN;
        END IF;
        budget := (veo.me()).daily_budget_micros;
        IF budget IS NULL THEN
            RETURN;
        END IF;
        spent := veo.net_since(session_user, p_day_start_ms);
        IF spent + p_more > budget THEN
            RAISE EXCEPTION USING ERRCODE = 'VE003', MESSAGE = format(
                'Today''s budget of %s would be exceeded (%s spent, %s more requested); '
                'raise the budget in Settings or wait until tomorrow.', veo.usd(budget), veo.usd(spent),
                veo.usd(p_more));
        END IF;
    END
    $$
    """,
    """
    CREATE FUNCTION veo.charge(p_job text, p_attempt int, p_amount bigint, p_at bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO veo.ledger (job_id, attempt, kind, amount_micros, at_ms)
        VALUES (p_job, p_attempt, 'charge', p_amount, p_at)
    $$
    """,
    # At most once: a replay, or an attempt never charged, inserts nothing.
    """
    CREATE FUNCTION veo.refund(p_job text, p_attempt int, p_at bigint) RETURNS boolean LANGUAGE plpgsql AS $$
    DECLARE n int;
    BEGIN
        INSERT INTO veo.ledger (job_id, attempt, kind, amount_micros, at_ms)
        SELECT job_id, attempt, 'refund', amount_micros, p_at FROM veo.ledger
        WHERE job_id = p_job AND attempt = p_attempt AND kind = 'charge'
        ON CONFLICT (job_id, attempt, kind) DO NOTHING;
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n = 1;
    END
    $$
    """,
    """
    CREATE FUNCTION veo.close_start(p_job text, p_attempt int, p_outcome text) RETURNS void LANGUAGE sql AS $$
        UPDATE veo.starts SET outcome = p_outcome
        WHERE job_id = p_job AND attempt = p_attempt AND outcome = 'pending'
    $$
    """,
    # Held slots, counted through the slot rows (a probe of the partial unique index each), not the jobs.
    "CREATE FUNCTION veo.held_slots() RETURNS bigint LANGUAGE sql STABLE AS "
    "$$ SELECT count(*) FROM veo.slots s WHERE EXISTS (SELECT 1 FROM veo.jobs j WHERE j.slot = s.slot) $$",
    "CREATE FUNCTION veo.end_order() RETURNS double precision LANGUAGE sql STABLE AS "
    "$$ SELECT COALESCE(MAX(queue_order), 0) + 1 FROM veo.jobs $$",
    # Taking the pool row serialises every decision about places and slots (an UPDATE, not a SELECT FOR
    # UPDATE: at SERIALIZABLE a waiter then fails with 40001 and retries on a fresh snapshot).
    "CREATE FUNCTION veo.lock_pool() RETURNS veo.pool LANGUAGE sql AS "
    "$$ UPDATE veo.pool SET claims = claims + 1 WHERE id = 1 RETURNING * $$",
)
