"""Schema version 3, the team's "one start on the wire": a `submitting` job whose lease ran out no longer
holds the wire.

With version 2's claim, any `submitting` job held it: a desktop killed or cut off in the middle of a start,
and never coming back, stopped every desktop of the team from starting anything. `claim_next_v3` and
`may_claim_v3` wait for a start at most one submit lease (renewed while its POST is out, so a live desktop
keeps the wire); past that, the job still holds its slot (it may have started at Google) until its own
creator's desktop adopts it (an unknown start, or back in line when it never left), and the others start again
in queue order (team-mode design §2.5).

They are version 2's functions under new names, derived from their released text with only the wire
condition changed; version 2's stay as they were, for desktops still speaking version 2 (§2.9).
"""

# ruff: noqa: S608  (constant SQL: the f-strings only insert _DEF, a constant)
from __future__ import annotations

from veo_desktop.store.postgres.sql_v2 import V2

OLD_WIRE = "EXISTS (SELECT 1 FROM jobs WHERE status = 'submitting')"
NEW_WIRE = "EXISTS (SELECT 1 FROM jobs WHERE status = 'submitting' AND COALESCE(lease_until_ms, 0) > t)"
CLAIM_ARGS = "text, text, text, int, text, bigint, bigint, boolean, text[], text[]"
MAY_CLAIM_ARGS = "text, bigint, boolean, text[], text[]"


def _renamed(name: str) -> str:
    """Version 2's `name`_v2 as `name`_v3, with the wire held only within a start's lease."""
    [text] = [sql for sql in V2 if f"CREATE FUNCTION veo_api.{name}_v2(" in sql]
    if text.count(OLD_WIRE) != 1:
        raise AssertionError(f"{name}_v2: the wire condition is not where version 2 had it")
    return text.replace(f"veo_api.{name}_v2(", f"veo_api.{name}_v3(", 1).replace(OLD_WIRE, NEW_WIRE)


_DEF = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = veo, pg_temp"

V3_WIRE: tuple[str, ...] = (
    _renamed("claim_next"),
    _renamed("may_claim"),
    # Another creator's start whose desktop went quiet for good: once its lease ran out and it either never
    # left (back to its place) or its hold ended (Google is done with it by now: an unknown start without a
    # slot, the fence kept so its desktop's outbox can still report the answer), any desktop settles it, so a
    # slot is never held for good by a desktop that is not coming back. Its events are its creator's.
    f"""
    CREATE FUNCTION veo_api.settle_silent_starts(p_label text, p_now bigint) RETURNS int {_DEF} AS $$
    DECLARE j jobs; t bigint := now_ms(p_now); n int := 0;
    BEGIN
        PERFORM veo.me();
        FOR j IN SELECT * FROM jobs x
                 WHERE x.status = 'submitting' AND x.creator <> session_user
                   AND COALESCE(x.lease_until_ms, 0) <= t
                   AND (x.sending_at_ms IS NULL OR x.slot_hold_until_ms <= t)
                 ORDER BY x.queue_order, x.id FOR UPDATE SKIP LOCKED LOOP
            IF j.sending_at_ms IS NULL THEN
                UPDATE jobs SET status = 'queued', retry_at_ms = NULL, started_at_ms = NULL,
                    note = 'Its desktop went quiet before sending the start request; it never left the queue.',
                    lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL, slot = NULL,
                    slot_hold_until_ms = NULL, fence = nextval('fence_seq')
                WHERE id = j.id;
                PERFORM job_event(j, t, 'submitting', 'queued', format(
                    'Back in the queue: its desktop went quiet before sending the start request (seen by %s).',
                    p_label));
                PERFORM close_start(j.id, j.attempt, 'requeued');
            ELSE
                UPDATE jobs SET status = 'unknown_start', note = NULL,
                    error_message = 'Its desktop went quiet while starting this video; Google may or may not '
                                    'have started it, and is done with it by now.',
                    lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL, slot = NULL
                WHERE id = j.id;
                PERFORM job_event(j, t, 'submitting', 'unknown_start', format(
                    'Its desktop went quiet while starting it; its slot is free again (seen by %s).', p_label));
                PERFORM close_start(j.id, j.attempt, 'unknown');
            END IF;
            n := n + 1;
        END LOOP;
        IF n > 0 THEN
            PERFORM bump();
        END IF;
        RETURN n;
    END
    $$
    """,
    "REVOKE ALL ON FUNCTION veo_api.settle_silent_starts(text, bigint) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION veo_api.settle_silent_starts(text, bigint) TO veo_member",
    # a new function is PUBLIC-executable until revoked
    f"REVOKE ALL ON FUNCTION veo_api.claim_next_v3({CLAIM_ARGS}) FROM PUBLIC",
    f"REVOKE ALL ON FUNCTION veo_api.may_claim_v3({MAY_CLAIM_ARGS}) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION veo_api.claim_next_v3({CLAIM_ARGS}) TO veo_member",
    f"GRANT EXECUTE ON FUNCTION veo_api.may_claim_v3({MAY_CLAIM_ARGS}) TO veo_member",
)
