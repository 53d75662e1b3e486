"""Schema version 3 (constant SQL), the outbox's moves: a start whose answer a desktop's outbox kept
(`late_answer`), and a start proven never sent (`release_unsent`).

Same rules as sql_api.py: SECURITY DEFINER, fixed search_path, the caller's own jobs only, and the fence
checked (a job taken over by another desktop, or retried as a new attempt, refuses them: VE001). The new edge
unknown_start → running joins the transition table; the older functions name their expected states
explicitly, so the edge changes none of them (team-mode design §2.9: nothing released is edited).
"""

# ruff: noqa: S608  (constant SQL: the f-strings only insert _DEF and _CLOSE_CLAIM, constants)
from __future__ import annotations

_DEF = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = veo, pg_temp"

# The latest claim of the attempt, pending (still submitting) or closed as unknown by an adopt.
_CLOSE_CLAIM = """
        UPDATE starts SET outcome = {outcome}
        WHERE job_id = p_id AND attempt = j.attempt AND outcome IN ('pending', 'unknown')
          AND claim_no = (SELECT max(claim_no) FROM starts WHERE job_id = p_id AND attempt = j.attempt);"""

V3: tuple[str, ...] = (
    "INSERT INTO veo.transitions VALUES ('unknown_start', 'running')",
    # Google runs the job, so it holds a slot: its own while its hold lasts; once the hold ended (and freed
    # it), a free one of the cap, else one above the cap (Google already runs more than the cap: the truth,
    # and the claim then waits, since every held slot counts). `set_pool` drops such a slot once it is free.
    f"""
    CREATE FUNCTION veo_api.late_answer(p_id text, p_operation text, p_now bigint, p_fence bigint)
    RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now); s int;
    BEGIN
        j := expect(p_id, ARRAY['submitting', 'unknown_start'], 'running', p_fence);
        s := j.slot;
        IF s IS NULL THEN
            UPDATE pool SET claims = claims WHERE id = 1;  -- the serialisation point of slots and claims
            SELECT min(x.slot) INTO s FROM slots x
            WHERE x.slot <= (SELECT max_in_flight FROM pool WHERE id = 1)
              AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.slot = x.slot);
            IF s IS NULL THEN
                s := (SELECT COALESCE(max(slot), 0) + 1 FROM slots);
                INSERT INTO slots VALUES (s);
            END IF;
        END IF;
        UPDATE jobs SET status = 'running', operation_name = p_operation, slot = s, slot_hold_until_ms = NULL,
            error_message = NULL, note = NULL, lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL,
            lease_pid = NULL
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'running',
                      'Started at Google as ' || p_operation || ' (the answer was kept in this desktop''s outbox).');
        {_CLOSE_CLAIM.format(outcome="'accepted'")}
        PERFORM bump();
    END
    $$
    """,
    f"""
    CREATE FUNCTION veo_api.release_unsent(p_id text, p_note text, p_now bigint, p_fence bigint)
    RETURNS void {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now);
    BEGIN
        j := expect(p_id, ARRAY['submitting', 'unknown_start'], 'queued', p_fence);
        UPDATE jobs SET status = 'queued', retry_at_ms = NULL, note = p_note, started_at_ms = NULL,
            error_message = NULL, lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL,
            slot = NULL, slot_hold_until_ms = NULL, sending_at_ms = NULL
        WHERE id = p_id;
        PERFORM event(p_id, t, j.status, 'queued', 'Back in the queue: ' || p_note);
        {_CLOSE_CLAIM.format(outcome="'requeued'")}
        PERFORM bump();
    END
    $$
    """,
    # --- grants: a new function is PUBLIC-executable until revoked ------------------------------------
    "REVOKE ALL ON FUNCTION veo_api.late_answer(text, text, bigint, bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION veo_api.release_unsent(text, text, bigint, bigint) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION veo_api.late_answer(text, text, bigint, bigint) TO veo_member",
    "GRANT EXECUTE ON FUNCTION veo_api.release_unsent(text, text, bigint, bigint) TO veo_member",
)
