"""One racing desktop for the claim race (run as `python -m tests.team.claimer URL DESKTOP SECONDS`).

It claims as fast as it can, holds each claim a few milliseconds (the paid call), then frees the slot
through running → downloading → completed, and prints one JSON line: claims, refusals and retries.
"""

from __future__ import annotations

import json
import sys
import time

from veo_desktop.core.errors import StoreLocked
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.store.base import VideoOutput
from veo_desktop.store.postgres.store import PostgresStore

HOLD_S = 0.004


def main(url: str, desktop: str, seconds: float) -> None:
    store = PostgresStore(url, desktop_id=desktop)
    claims = empty = locked = 0
    deadline = time.monotonic() + seconds
    out = VideoOutput(path="/library/x.mp4", size_bytes=1, sha256="ab" * 32)
    while time.monotonic() < deadline:
        try:
            job = store.claim_next(owner=desktop, now_ms=0, lease_ms=60_000, config=SlotConfig())
        except StoreLocked:
            locked += 1
            continue
        if job is None:
            empty += 1
            time.sleep(0.001)
            continue
        claims += 1
        time.sleep(HOLD_S)
        store.mark_running(job.id, operation_name=f"operations/{job.id}", now_ms=0)
        store.begin_download(job.id, now_ms=0)
        store.complete(job.id, outputs=[out], now_ms=0)
    locked += store.busy_claims
    print(json.dumps({"claims": claims, "empty": empty, "locked": locked, "retries": store.retries}))
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
