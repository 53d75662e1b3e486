"""Schema version 2 (constant SQL): completion with a partial refund and a note, claims that pass over held
(retired) models, and edits that move a job to another provider.

The version 1 functions whose meaning these change (`complete`, `claim_next`, `may_claim`, `edit`) stay as they
are, for desktops still speaking version 1; this version adds `_v2` functions beside them (team-mode design
§2.9), under the same rules as sql_api.py: SECURITY DEFINER, fixed search_path, the caller's own jobs only.
"""

# ruff: noqa: S608  (constant SQL: the f-strings only insert _DEF, a constant)
from __future__ import annotations

_DEF = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = veo, pg_temp"

# The claim's conditions on the head, shared by claim_next_v2 and may_claim_v2: jobs of a held model are
# passed over, whoever queued them (a retired model is retired for the whole team), so they keep their
# places without blocking anyone; `p_providers` narrows only the caller's own jobs.
_NOT_HELD = "COALESCE(j.model_id <> ALL (p_skip_models), true)"

V2: tuple[str, ...] = (
    # Part of this attempt's charge back, capped at it: the attempt's one refund (the ledger's UNIQUE key
    # refuses a second one, which rolls back the whole completion).
    """
    CREATE FUNCTION veo.refund_part(p_job text, p_attempt int, p_amount bigint, p_at bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO veo.ledger (job_id, attempt, kind, amount_micros, at_ms)
        SELECT job_id, attempt, 'refund', LEAST(amount_micros, p_amount), p_at FROM veo.ledger
        WHERE job_id = p_job AND attempt = p_attempt AND kind = 'charge'
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.complete_v2(p_id text, p_outputs text, p_detail text, p_note text, p_refund bigint,
                                        p_now bigint, p_fence bigint) RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        j := expect(p_id, ARRAY['downloading'], 'completed', p_fence);
        UPDATE jobs SET status = 'completed', outputs_json = p_outputs, finished_at_ms = t, note = p_note,
            lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'completed',
                      CASE WHEN COALESCE(p_note, '') = '' THEN p_detail ELSE p_detail || ' ' || p_note END);
        IF p_refund > 0 THEN
            PERFORM refund_part(p_id, j.attempt, p_refund, t);
        END IF;
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.claim_next_v2(p_desktop text, p_owner text, p_host text, p_pid int, p_label text,
                                          p_now bigint, p_lease_ms bigint, p_one_on_wire boolean,
                                          p_providers text[], p_skip_models text[])
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
          AND {_NOT_HELD}
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
    f"""
    CREATE FUNCTION veo_api.may_claim_v2(p_desktop text, p_now bigint, p_one_on_wire boolean, p_providers text[],
                                         p_skip_models text[])
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
          AND {_NOT_HELD}
        ORDER BY j.queue_order, j.created_at_ms, j.id LIMIT 1;
        RETURN head.id IS NOT NULL AND head.creator = session_user
           AND COALESCE(head.origin_desktop = p_desktop, true) AND NOT COALESCE(head.retry_at_ms > t, false);
    END
    $$
    """,
    # `p_provider` NULL keeps the job's provider; the note clears (a held job moved to a current model).
    f"""
    CREATE FUNCTION veo_api.edit_v2(p_id text, p_request text, p_model text, p_provider text, p_cost bigint,
                                    p_now bigint, p_day_start bigint) RETURNS void {_DEF} AS $$
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
        UPDATE jobs SET request_json = p_request, model_id = p_model, provider = COALESCE(p_provider, provider),
            cost_micros = p_cost, attempt = n, start_retries = 0, note = NULL
        WHERE id = p_id AND status = 'queued' AND attempt = j.attempt;
        PERFORM refund(p_id, j.attempt, t);
        PERFORM charge(p_id, n, p_cost, t);
        PERFORM event(p_id, t, 'queued', 'queued',
                      format('Edited (attempt %s); old charge refunded, %s charged.', n, usd(p_cost)));
        PERFORM bump();
    END
    $$
    """,
    # --- grants: a new function is PUBLIC-executable until revoked ------------------------------------
    "REVOKE ALL ON FUNCTION veo.refund_part(text, int, bigint, bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.complete_v2(text, text, text, text, bigint, bigint, bigint) FROM PUBLIC",
    """
    REVOKE ALL ON FUNCTION veo_api.claim_next_v2(text, text, text, int, text, bigint, bigint, boolean, text[], text[])
    FROM PUBLIC
    """,
    "REVOKE ALL ON FUNCTION veo_api.may_claim_v2(text, bigint, boolean, text[], text[]) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.edit_v2(text, text, text, text, bigint, bigint, bigint) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION veo_api.complete_v2(text, text, text, text, bigint, bigint, bigint) TO veo_member",
    """
    GRANT EXECUTE ON FUNCTION veo_api.claim_next_v2(text, text, text, int, text, bigint, bigint, boolean, text[],
                                                    text[]) TO veo_member
    """,
    "GRANT EXECUTE ON FUNCTION veo_api.may_claim_v2(text, bigint, boolean, text[], text[]) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.edit_v2(text, text, text, text, bigint, bigint, bigint) TO veo_member",
)
