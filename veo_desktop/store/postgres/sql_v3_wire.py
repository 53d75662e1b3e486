"""Schema version 3, the team's "one start on the wire": a `submitting` job whose lease ran out no longer
holds the wire.

Before, any `submitting` job held it: a desktop killed or cut off in the middle of a start, and never coming
back, stopped every desktop of the team from starting anything. Now the wire waits for a start at most one
submit lease (renewed while its POST is out, so a live desktop keeps it); past that, the job still holds its
slot (it may have started at Google) until its own creator's desktop adopts it (an unknown start, or back in
line when it never left), and the others start again in queue order (team-mode design §2.5).

The version 2 claim functions are replaced in place (same signatures, so their grants stay), derived from
their released text with only the wire condition changed; version 1's are left as they were.
"""

from __future__ import annotations

from veo_desktop.store.postgres.sql_v2 import V2

OLD_WIRE = "EXISTS (SELECT 1 FROM jobs WHERE status = 'submitting')"
NEW_WIRE = "EXISTS (SELECT 1 FROM jobs WHERE status = 'submitting' AND COALESCE(lease_until_ms, 0) > t)"


def _replaced(name: str) -> str:
    [text] = [sql for sql in V2 if f"CREATE FUNCTION veo_api.{name}(" in sql]
    if text.count(OLD_WIRE) != 1:
        raise AssertionError(f"{name}: the wire condition is not where version 2 had it")
    return text.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1).replace(OLD_WIRE, NEW_WIRE)


V3_WIRE: tuple[str, ...] = (_replaced("claim_next_v2"), _replaced("may_claim_v2"))
