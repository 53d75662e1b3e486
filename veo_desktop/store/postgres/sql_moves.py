"""The dispatcher's moves as SQL functions of schema version 1 (constant SQL; see sql_api.py for the rules)."""

# ruff: noqa: S608  (constant SQL: the f-strings only insert _DEF, a constant)
from __future__ import annotations

_DEF = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = veo, pg_temp"

MOVES_V1: tuple[str, ...] = (
    # One jsonb array of {id, request_json, model_id, provider, cost_micros, needs_desktop} per batch.
    f"""
    CREATE FUNCTION veo_api.enqueue(p_jobs jsonb, p_desktop text, p_now bigint, p_day_start bigint)
    RETURNS void {_DEF} AS $$
    DECLARE t bigint; base double precision; total bigint;
    BEGIN
        PERFORM veo.lock_pool();
        t := now_ms(p_now);
        PERFORM veo.me();
        PERFORM seen(p_desktop, t);
        SELECT COALESCE(SUM((x ->> 'cost_micros')::bigint), 0) INTO total FROM jsonb_array_elements(p_jobs) x;
        PERFORM check_budget(p_day_start, total);
        base := end_order();
        INSERT INTO jobs (id, creator, origin_desktop, status, request_json, model_id, provider, queue_order,
                          attempt, cost_micros, created_at_ms)
        SELECT x ->> 'id', session_user, CASE WHEN (x ->> 'needs_desktop')::boolean THEN p_desktop END, 'queued',
               x ->> 'request_json', x ->> 'model_id', x ->> 'provider', base + n - 1, 1,
               (x ->> 'cost_micros')::bigint, t
        FROM jsonb_array_elements(p_jobs) WITH ORDINALITY AS a (x, n) ORDER BY n;
        INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms)
        SELECT x ->> 'id', 1, 'charge', (x ->> 'cost_micros')::bigint, t
        FROM jsonb_array_elements(p_jobs) WITH ORDINALITY AS a (x, n) ORDER BY n;
        INSERT INTO events (job_id, creator, at_ms, from_status, to_status, detail)
        SELECT x ->> 'id', session_user, t, NULL, 'queued',
               'Queued; charged ' || usd((x ->> 'cost_micros')::bigint) || '.'
        FROM jsonb_array_elements(p_jobs) WITH ORDINALITY AS a (x, n) ORDER BY n;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.claim_next(p_desktop text, p_owner text, p_host text, p_pid int, p_label text,
                                       p_now bigint, p_lease_ms bigint, p_one_on_wire boolean, p_providers text[])
    RETURNS text {_DEF} AS $$
    DECLARE pl pool; t bigint; me creators; free int; head jobs; on_c text[]; on_d text[];
    BEGIN
        pl := lock_pool();  -- the one serialisation point
        t := now_ms(p_now);
        me := veo.me();
        PERFORM seen(p_desktop, t);
        UPDATE jobs SET slot = NULL  -- holds that ended free their slots
        WHERE status = 'unknown_start' AND slot IS NOT NULL AND slot_hold_until_ms <= t;
        IF me.paused OR pl.paused OR COALESCE(pl.cooldown_until_ms > t, false)
           OR ((pl.one_start_on_wire OR p_one_on_wire) AND EXISTS (SELECT 1 FROM jobs WHERE status = 'submitting'))
           OR (pl.max_starts_per_minute > 0 AND pl.max_starts_per_minute <=
               (SELECT count(*) FROM starts WHERE at_ms > t - 60000))
           OR held_slots() >= pl.max_in_flight THEN
            RETURN NULL;
        END IF;
        SELECT min(s.slot) INTO free FROM slots s
        WHERE s.slot <= pl.max_in_flight AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.slot = s.slot);
        -- The head in the order everyone sees, among creators whose desktop is online: never SKIP LOCKED.
        SELECT array_agg(DISTINCT d.creator), array_agg(d.desktop_id) INTO on_c, on_d
        FROM desktops d WHERE d.seen_at_ms >= t - pl.presence_ms;
        SELECT * INTO head FROM jobs j
        WHERE j.status = 'queued' AND j.creator = ANY (on_c)
          AND (j.origin_desktop IS NULL OR j.origin_desktop = ANY (on_d))
          AND (j.creator <> session_user OR p_providers IS NULL OR j.provider = ANY (p_providers))
        ORDER BY j.queue_order, j.created_at_ms, j.id LIMIT 1 FOR UPDATE;
        IF free IS NULL OR head.id IS NULL OR head.creator <> session_user
           OR (head.origin_desktop IS NOT NULL AND head.origin_desktop <> p_desktop)
           OR COALESCE(head.retry_at_ms > t, false) THEN
            RETURN NULL;
        END IF;
        UPDATE jobs SET status = 'submitting', slot = free, slot_hold_until_ms = NULL, sending_at_ms = NULL,
            fence = nextval('fence_seq'), lease_owner = p_owner, lease_host = p_host, lease_pid = p_pid,
            lease_until_ms = t + p_lease_ms, started_at_ms = t, retry_at_ms = NULL, note = NULL
        WHERE id = head.id AND status = 'queued';
        PERFORM event(head.id, t, 'queued', 'submitting', 'Start claimed by ' || p_label || '.');
        INSERT INTO starts (job_id, attempt, claim_no, at_ms, owner, fence)
        SELECT head.id, head.attempt, COALESCE(MAX(claim_no), 0) + 1, t, p_owner, currval('fence_seq')
        FROM starts WHERE job_id = head.id AND attempt = head.attempt;
        PERFORM bump();
        RETURN head.id;
    END
    $$
    """,
    # The same gates and head as claim_next, read without a lock or a write: a desktop claims only when the
    # head is its own and the gates look open, so idle desktops never contend for the pool row.
    f"""
    CREATE FUNCTION veo_api.may_claim(p_desktop text, p_now bigint, p_one_on_wire boolean, p_providers text[])
    RETURNS boolean {_DEF} STABLE AS $$
    DECLARE pl pool; t bigint; head jobs; on_c text[]; on_d text[];
    BEGIN
        SELECT * INTO pl FROM pool WHERE id = 1;
        t := now_ms(p_now);
        IF pl.paused OR COALESCE(pl.cooldown_until_ms > t, false)
           OR ((pl.one_start_on_wire OR p_one_on_wire) AND EXISTS (SELECT 1 FROM jobs WHERE status = 'submitting'))
           OR (pl.max_starts_per_minute > 0 AND pl.max_starts_per_minute <=
               (SELECT count(*) FROM starts WHERE at_ms > t - 60000))
           OR (SELECT count(*) FROM slots s WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.slot = s.slot
               AND NOT (j.status = 'unknown_start' AND j.slot_hold_until_ms <= t))) >= pl.max_in_flight THEN
            RETURN false;
        END IF;
        SELECT array_agg(DISTINCT d.creator), array_agg(d.desktop_id) INTO on_c, on_d
        FROM desktops d WHERE d.seen_at_ms >= t - pl.presence_ms;
        SELECT * INTO head FROM jobs j
        WHERE j.status = 'queued'
          AND ((j.creator = ANY (on_c) AND (j.origin_desktop IS NULL OR j.origin_desktop = ANY (on_d)))
               OR (j.creator = session_user AND COALESCE(j.origin_desktop = p_desktop, true)))
          AND (j.creator <> session_user OR p_providers IS NULL OR j.provider = ANY (p_providers))
        ORDER BY j.queue_order, j.created_at_ms, j.id LIMIT 1;
        RETURN head.id IS NOT NULL AND head.creator = session_user
           AND COALESCE(head.origin_desktop = p_desktop, true) AND NOT COALESCE(head.retry_at_ms > t, false);
    END
    $$
    """,
    # "About to send": from here a crash makes the start unknown (holding its slot), before it, never sent.
    f"""
    CREATE FUNCTION veo_api.mark_sending(p_id text, p_fence bigint, p_now bigint, p_hold_until bigint,
                                         p_caller_now bigint) RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        j := own_job(p_id);
        IF j.status <> 'submitting' THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001',
                MESSAGE = format('Job %s is %s now, not submitting; it is not sent.', p_id, j.status);
        END IF;
        IF p_fence IS NOT NULL AND j.fence <> p_fence THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001', MESSAGE = format(
                'Job %s was taken over by another process; this one leaves it alone.', p_id);
        END IF;
        UPDATE jobs SET sending_at_ms = t, slot_hold_until_ms = caller_abs(p_hold_until, p_caller_now)
        WHERE id = p_id AND status = 'submitting';
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.mark_running(p_id text, p_operation text, p_now bigint, p_fence bigint)
    RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        j := expect(p_id, ARRAY['submitting'], 'running', p_fence);
        UPDATE jobs SET status = 'running', operation_name = p_operation, slot_hold_until_ms = NULL WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'running', 'Started at Google as ' || p_operation || '.');
        PERFORM close_start(p_id, j.attempt, 'accepted');
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.requeue(p_id text, p_retry_at bigint, p_caller_now bigint, p_note text,
                                    p_count_retry boolean, p_now bigint, p_fence bigint) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM back_in_line(p_id, caller_abs(p_retry_at, p_caller_now), p_note, p_count_retry, now_ms(p_now),
                             p_fence);
        PERFORM bump();
    END
    $$
    """,
    """
    CREATE FUNCTION veo.back_in_line(p_id text, p_retry_at bigint, p_note text, p_count_retry boolean, t bigint,
                                     p_fence bigint) RETURNS void
    LANGUAGE plpgsql SET search_path = veo, pg_temp AS $$
    DECLARE j jobs;
    BEGIN
        j := expect(p_id, ARRAY['submitting'], 'queued', p_fence);
        UPDATE jobs SET status = 'queued', retry_at_ms = p_retry_at, note = p_note, started_at_ms = NULL,
            start_retries = start_retries + p_count_retry::int, lease_owner = NULL, lease_until_ms = NULL,
            lease_host = NULL, lease_pid = NULL, slot = NULL, slot_hold_until_ms = NULL, sending_at_ms = NULL
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'queued', 'Back in the queue: ' || p_note);
        PERFORM close_start(p_id, j.attempt, 'requeued');
    END
    $$
    """,
    # An unknown start keeps its slot until Google must be done with it (the hold): the one given, the one
    # recorded when the request was about to be sent, or the team's default after the claim.
    """
    CREATE FUNCTION veo.unknown(p_id text, p_message text, t bigint, p_fence bigint, p_hold_until bigint)
    RETURNS void LANGUAGE plpgsql SET search_path = veo, pg_temp AS $$
    DECLARE j jobs;
    BEGIN
        j := expect(p_id, ARRAY['submitting'], 'unknown_start', p_fence);
        UPDATE jobs SET status = 'unknown_start', error_message = p_message, note = NULL, lease_owner = NULL,
            lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL,
            slot_hold_until_ms = COALESCE(p_hold_until, j.slot_hold_until_ms,
                                          COALESCE(j.started_at_ms, t) + (SELECT hold_ms FROM pool WHERE id = 1))
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'unknown_start', p_message);
        PERFORM close_start(p_id, j.attempt, 'unknown');
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.mark_unknown(p_id text, p_message text, p_now bigint, p_fence bigint,
                                         p_hold_until bigint, p_caller_now bigint) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM unknown(p_id, p_message, now_ms(p_now), p_fence, caller_abs(p_hold_until, p_caller_now));
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.begin_download(p_id text, p_now bigint, p_fence bigint) RETURNS void {_DEF} AS $$
    DECLARE j jobs;
    BEGIN
        j := expect(p_id, ARRAY['running'], 'downloading', p_fence);
        UPDATE jobs SET status = 'downloading', slot = NULL WHERE id = p_id;  -- the slot frees here
        PERFORM event(p_id, now_ms(p_now), j.status, 'downloading', 'Downloading the video.');
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.complete(p_id text, p_outputs text, p_detail text, p_now bigint, p_fence bigint)
    RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        j := expect(p_id, ARRAY['downloading'], 'completed', p_fence);
        UPDATE jobs SET status = 'completed', outputs_json = p_outputs, finished_at_ms = t, note = NULL,
            lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'completed', p_detail);
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.fail(p_id text, p_expected text, p_kind text, p_message text, p_reasons text,
                                 p_refund boolean, p_now bigint, p_fence bigint) RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        j := expect(p_id, ARRAY[p_expected], 'failed', p_fence);
        UPDATE jobs SET status = 'failed', error_kind = p_kind, error_message = p_message,
            filter_reasons_json = p_reasons, finished_at_ms = t, retry_at_ms = NULL, note = NULL,
            lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL, slot = NULL,
            slot_hold_until_ms = NULL
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'failed', format('Failed (%s): %s', p_kind, p_message));
        PERFORM close_start(p_id, j.attempt, 'failed');
        IF p_refund THEN
            PERFORM refund(p_id, j.attempt, t);
        END IF;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.set_note(p_id text, p_note text) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM own_job(p_id);
        UPDATE jobs SET note = p_note WHERE id = p_id;
        PERFORM bump();
    END
    $$
    """,
    # Only the caller's own jobs: another creator's prompt never reaches this desktop. `p_gone`: tokens of
    # holders the caller proved dead (a process gone on its own host).
    f"""
    CREATE FUNCTION veo_api.adopt_active(p_owner text, p_host text, p_pid int, p_label text, p_now bigint,
                                         p_lease_ms bigint, p_gone text[], p_providers text[])
    RETURNS SETOF text {_DEF} AS $$
    DECLARE r record; t bigint := now_ms(p_now); why text;
    BEGIN
        FOR r IN SELECT id, status, lease_owner, sending_at_ms FROM jobs
                 WHERE creator = session_user AND status IN ('submitting', 'running', 'downloading')
                   AND (lease_owner IS NULL OR lease_owner = p_owner OR lease_until_ms IS NULL
                        OR lease_until_ms <= t OR lease_owner = ANY (p_gone))
                   AND (p_providers IS NULL OR provider = ANY (p_providers))
                 ORDER BY queue_order, id FOR UPDATE LOOP
            IF r.status = 'submitting' AND r.sending_at_ms IS NULL THEN  -- provably never sent: back in line
                PERFORM back_in_line(r.id, NULL, 'The app stopped before sending the start request; this video '
                                                 'never left the queue.', false, t, NULL);
                CONTINUE;
            ELSIF r.status = 'submitting' THEN  -- never resent: the person decides
                PERFORM unknown(r.id, 'The app stopped while starting this video; Google may or may not have '
                                      'started it.', t, NULL, NULL);
                CONTINUE;
            END IF;
            UPDATE jobs SET lease_owner = p_owner, lease_host = p_host, lease_pid = p_pid,
                lease_until_ms = t + p_lease_ms,
                fence = CASE WHEN r.lease_owner IS DISTINCT FROM p_owner THEN nextval('fence_seq') ELSE fence END
            WHERE id = r.id AND status = r.status;
            IF r.lease_owner IS DISTINCT FROM p_owner THEN
                why := CASE WHEN r.lease_owner = ANY (p_gone) THEN 'its process is gone'
                            ELSE 'its lease had expired' END;
                PERFORM event(r.id, t, r.status, r.status,
                              format('Taken over by %s (from %s: %s).', p_label,
                                     COALESCE(r.lease_owner, 'nobody'), why));
            END IF;
            RETURN NEXT r.id;
        END LOOP;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.renew_leases(p_desktop text, p_owner text, p_now bigint, p_lease_ms bigint)
    RETURNS void {_DEF} AS $$
    DECLARE t bigint := now_ms(p_now);
    BEGIN
        PERFORM veo.me();
        PERFORM seen(p_desktop, t);
        UPDATE jobs SET lease_until_ms = t + p_lease_ms
        WHERE creator = session_user AND lease_owner = p_owner AND status IN ('submitting', 'running', 'downloading');
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.release_leases(p_owner text) RETURNS void {_DEF} AS $$
    BEGIN
        UPDATE jobs SET lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL
        WHERE creator = session_user AND lease_owner = p_owner;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.heartbeat(p_desktop text, p_now bigint) RETURNS bigint {_DEF} AS $$
    DECLARE t bigint := now_ms(p_now);
    BEGIN
        PERFORM veo.me();
        PERFORM seen(p_desktop, t);
        RETURN t;
    END
    $$
    """,
)
