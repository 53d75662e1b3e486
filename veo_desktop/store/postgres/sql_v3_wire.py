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


V3_WIRE: tuple[str, ...] = (
    _renamed("claim_next"),
    _renamed("may_claim"),
    # a new function is PUBLIC-executable until revoked
    f"REVOKE ALL ON FUNCTION veo_api.claim_next_v3({CLAIM_ARGS}) FROM PUBLIC",
    f"REVOKE ALL ON FUNCTION veo_api.may_claim_v3({MAY_CLAIM_ARGS}) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION veo_api.claim_next_v3({CLAIM_ARGS}) TO veo_member",
    f"GRANT EXECUTE ON FUNCTION veo_api.may_claim_v3({MAY_CLAIM_ARGS}) TO veo_member",
)
