"""Which lease holders are provably gone: a holder on this host whose process no longer exists. A holder on
another host is never judged from here (its lease expires by itself). Pure apart from `pid_alive`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable

from veo_desktop.store.base import Holder


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (or may exist: we are not allowed to signal it)."""
    if pid <= 0 or sys.platform == "win32":
        # No process named; or Windows, where os.kill(pid, 0) would send CTRL_C_EVENT: never judged dead there,
        # so its lease runs out instead.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def gone_tokens(holders: Iterable[Holder], me: Holder, alive: Callable[[int], bool] = pid_alive) -> frozenset[str]:
    """Tokens of holders on `me`'s host whose process is gone (never `me`, never another host's)."""
    return frozenset(
        h.token
        for h in holders
        if h.host and h.host == me.host and h.token != me.token and h.pid != me.pid and not alive(h.pid)
    )
