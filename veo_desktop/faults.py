"""Named fault points for the crash-point sweep.

`hit(name)` costs one dict lookup when no fault is armed. The sweep arms one point in a child process with
the environment variable VEO_FAULT="name:N" (kill the process with SIGKILL at the N-th time the point is hit)
or in-process with `arm(name, n, action)`. Points sit at every transaction boundary, before and after each
HTTP call, and around the rename of a finished video.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Callable

POINTS = (
    "before_claim",
    "after_claim",  # intent committed (status submitting), start not yet sent
    "before_start_request",
    "outbox_sending",  # `sending` is in the outbox, the start request not yet sent
    "after_start_response",  # the server answered with an operation name, not yet journaled
    "late_answer",  # the answer is in the outbox, the store has not heard of it
    "after_mark_running",
    "before_poll",
    "after_poll",
    "before_download",
    "mid_download",
    "before_rename",
    "after_rename",  # the file is in place, the job not yet completed in the store
    "after_complete",
    "before_refund",
    "after_refund",
)

_hits: Counter[str] = Counter()
_armed: dict[str, tuple[int, Callable[[], None]]] = {}


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(name: str, at_hit: int, action: Callable[[], None] = _kill) -> None:
    if name not in POINTS:
        raise ValueError(f"unknown fault point {name!r}")
    _armed[name] = (at_hit, action)


def disarm() -> None:
    _armed.clear()
    _hits.clear()


def hits() -> dict[str, int]:
    return dict(_hits)


def hit(name: str) -> None:
    _hits[name] += 1
    armed = _armed.get(name)
    if armed is not None and _hits[name] == armed[0]:
        armed[1]()


def arm_from_env() -> None:
    spec = os.environ.get("VEO_FAULT")
    if spec:
        name, _, count = spec.partition(":")
        arm(name, int(count or "1"))
