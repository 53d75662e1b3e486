"""Schema version 3, poll by anyone and download by the creator only (team-mode design §2.5), as constant SQL.

Any desktop may take over a `running` job whose lease expired (`adopt_for_polling`), so the slot frees when
Google says done while its creator's desktop sleeps; it learns only what a poll needs (never the request, its
prompt or frames). It may then hand the job to its creator (`hand_over_download`: downloading, no lease, the
slot freed), settle Google's own verdict on a finished operation (`fail_polled`: filtered, an operation error,
no video, with the refund), or let it go (`release_polled`). Only the creator's desktop downloads it
(`adopt_downloads`). A poller's rights on another creator's job last as long as its own takeover: the job
records who polls it (`poller`) and the fence that takeover issued (`poller_fence`); any later takeover issues
a new fence, so a guessed token never matches. Same rules as sql_api.py: SECURITY DEFINER, fixed search_path,
the caller from `session_user`; events of a job are its creator's (they name who did it).
"""

# ruff: noqa: S608  (constant SQL: the f-strings only insert _DEF, a constant)
from __future__ import annotations

_DEF = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = veo, pg_temp"
_NO_LEASE = "lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL"
_NO_POLLER = "poller = NULL, poller_fence = NULL"
# Who may move a polled job: its creator, or the creator whose desktop took it over for polling, while that
# takeover's fence is still the job's.
_MAY_MOVE = "(j.creator = session_user OR (j.poller = session_user AND j.fence = j.poller_fence))"

V3_ADOPT: tuple[str, ...] = (
    "ALTER TABLE veo.jobs ADD COLUMN poller text, ADD COLUMN poller_fence bigint",
    # A running job the caller may move, locked and checked against the caller's fence; another creator's
    # job the caller does not poll does not exist for the caller.
    f"""
    CREATE FUNCTION veo.polled_job(p_id text, p_fence bigint) RETURNS veo.jobs
    LANGUAGE plpgsql SET search_path = veo, pg_temp AS $$
    DECLARE j jobs;
    BEGIN
        SELECT * INTO j FROM jobs x WHERE x.id = p_id AND (x.creator = session_user OR x.poller = session_user)
        FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM not_found(p_id);
        END IF;
        IF j.status <> 'running' THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001', MESSAGE = format(
                'Job %s is %s now, not running: something else moved it first. Refresh and try again.',
                p_id, j.status);
        END IF;
        IF p_fence IS NULL OR j.fence <> p_fence OR NOT {_MAY_MOVE} THEN
            RAISE EXCEPTION USING ERRCODE = 'VE001', MESSAGE = format(
                'Job %s was taken over by another process; this one leaves it alone.', p_id);
        END IF;
        RETURN j;
    END
    $$
    """,
    """
    CREATE FUNCTION veo.job_event(p_job veo.jobs, p_at bigint, p_from text, p_to text, p_detail text) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO veo.events (job_id, creator, at_ms, from_status, to_status, detail)
        VALUES (p_job.id, p_job.creator, p_at, p_from, p_to, p_detail)
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.adopt_for_polling(p_owner text, p_host text, p_pid int, p_label text, p_now bigint,
                                              p_lease_ms bigint, p_providers text[])
    RETURNS TABLE (job_id text, job_creator text, job_provider text, job_model text, job_operation text,
                   job_fence bigint, job_started_at bigint) {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now); f bigint;
    BEGIN
        PERFORM veo.me();
        -- SKIP LOCKED: a job another desktop is writing right now is simply left for the next round.
        FOR j IN SELECT * FROM jobs x
                 WHERE x.status = 'running'
                   AND (x.lease_owner IS NULL OR x.lease_until_ms IS NULL OR x.lease_until_ms <= t)
                   AND (p_providers IS NULL OR x.provider = ANY (p_providers))
                 ORDER BY x.queue_order, x.id FOR UPDATE SKIP LOCKED LOOP
            f := nextval('fence_seq');
            UPDATE jobs SET lease_owner = p_owner, lease_host = p_host, lease_pid = p_pid,
                lease_until_ms = t + p_lease_ms, fence = f, poller = session_user, poller_fence = f
            WHERE id = j.id AND status = 'running';
            PERFORM job_event(j, t, 'running', 'running', format(
                'Taken over by %s (%s''s desktop) for polling (from %s: its lease had expired).',
                p_label, session_user, COALESCE(j.lease_owner, 'nobody')));
            job_id := j.id; job_creator := j.creator; job_provider := j.provider; job_model := j.model_id;
            job_operation := j.operation_name; job_fence := f; job_started_at := j.started_at_ms;
            RETURN NEXT;
        END LOOP;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.hand_over_download(p_id text, p_fence bigint, p_now bigint) RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now); why text;
    BEGIN
        j := polled_job(p_id, p_fence);
        why := format('Done at Google; waiting for %s''s desktop to download it.', j.creator);
        UPDATE jobs SET status = 'downloading', slot = NULL, note = why, {_NO_LEASE}, {_NO_POLLER}
        WHERE id = p_id;  -- the slot frees here
        PERFORM job_event(j, t, 'running', 'downloading', why);
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.fail_polled(p_id text, p_fence bigint, p_kind text, p_message text, p_reasons text,
                                        p_now bigint) RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        IF p_kind IS NULL OR p_kind NOT IN ('filtered', 'operation_error', 'no_video') THEN
            RAISE EXCEPTION USING ERRCODE = 'VE005', MESSAGE = format(
                'A poller may not settle a job as %s; its creator''s desktop decides that.', p_kind);
        END IF;
        j := polled_job(p_id, p_fence);
        UPDATE jobs SET status = 'failed', error_kind = p_kind, error_message = p_message,
            filter_reasons_json = p_reasons, finished_at_ms = t, retry_at_ms = NULL, note = NULL, slot = NULL,
            slot_hold_until_ms = NULL, {_NO_LEASE}, {_NO_POLLER}
        WHERE id = p_id;
        PERFORM job_event(j, t, 'running', 'failed', format('Failed (%s): %s', p_kind, p_message));
        PERFORM close_start(p_id, j.attempt, 'failed');
        PERFORM refund(p_id, j.attempt, t);  -- booked to the job's creator (the ledger's trigger)
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.release_polled(p_id text, p_fence bigint) RETURNS void {_DEF} AS $$
    BEGIN
        PERFORM polled_job(p_id, p_fence);
        UPDATE jobs SET {_NO_LEASE}, {_NO_POLLER} WHERE id = p_id;
        PERFORM bump();
    END
    $$
    """,
    # The poller's side of renew_leases / release_leases: its polling leases on other creators' jobs.
    f"""
    CREATE FUNCTION veo_api.renew_polling(p_owner text, p_now bigint, p_lease_ms bigint) RETURNS void {_DEF} AS $$
    BEGIN
        UPDATE jobs j SET lease_until_ms = now_ms(p_now) + p_lease_ms
        WHERE j.poller = session_user AND j.fence = j.poller_fence AND j.lease_owner = p_owner
          AND j.status = 'running';
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.release_polling(p_owner text) RETURNS void {_DEF} AS $$
    BEGIN
        UPDATE jobs j SET {_NO_LEASE}, {_NO_POLLER}
        WHERE j.poller = session_user AND j.fence = j.poller_fence AND j.lease_owner = p_owner
          AND j.status = 'running';
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.adopt_downloads(p_owner text, p_host text, p_pid int, p_label text, p_now bigint,
                                            p_lease_ms bigint, p_providers text[])
    RETURNS SETOF text {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        PERFORM veo.me();
        FOR j IN SELECT * FROM jobs x
                 WHERE x.creator = session_user AND x.status = 'downloading'
                   AND (x.lease_owner IS NULL OR x.lease_owner = p_owner OR x.lease_until_ms IS NULL
                        OR x.lease_until_ms <= t)
                   AND (p_providers IS NULL OR x.provider = ANY (p_providers))
                 ORDER BY x.queue_order, x.id FOR UPDATE SKIP LOCKED LOOP
            IF j.lease_owner IS NOT DISTINCT FROM p_owner THEN
                UPDATE jobs SET lease_until_ms = t + p_lease_ms WHERE id = j.id;
            ELSE
                UPDATE jobs SET lease_owner = p_owner, lease_host = p_host, lease_pid = p_pid,
                    lease_until_ms = t + p_lease_ms, fence = nextval('fence_seq'), note = NULL, {_NO_POLLER}
                WHERE id = j.id AND status = 'downloading';
                PERFORM job_event(j, t, 'downloading', 'downloading', format(
                    'Taken over by %s to download it (from %s).', p_label, COALESCE(j.lease_owner, 'nobody')));
            END IF;
            RETURN NEXT j.id;
        END LOOP;
        PERFORM bump();
    END
    $$
    """,
    # --- grants: a new function is PUBLIC-executable until revoked ------------------------------------
    "REVOKE ALL ON FUNCTION veo.polled_job(text, bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo.job_event(veo.jobs, bigint, text, text, text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.adopt_for_polling(text, text, int, text, bigint, bigint, text[]) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.hand_over_download(text, bigint, bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.fail_polled(text, bigint, text, text, text, bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.release_polled(text, bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.renew_polling(text, bigint, bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.release_polling(text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.adopt_downloads(text, text, int, text, bigint, bigint, text[]) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION veo_api.adopt_for_polling(text, text, int, text, bigint, bigint, text[]) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.hand_over_download(text, bigint, bigint) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.fail_polled(text, bigint, text, text, text, bigint) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.release_polled(text, bigint) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.renew_polling(text, bigint, bigint) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.release_polling(text) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.adopt_downloads(text, text, int, text, bigint, bigint, text[]) TO veo_member",
)
