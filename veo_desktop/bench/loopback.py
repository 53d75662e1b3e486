"""The simulator as every bench starts it.

The simulator's handler (http.server) writes a response's head and body in two sends; with Nagle's
algorithm on, the body waits for the client's delayed ACK: +40 ms on every request over loopback, which
Google's servers do not have and which a scaled clock multiplies (40 ms at speed 40 is 1.6 clock seconds per
poll). `TCP_NODELAY` on the server side removes it (a poll: 44 ms → 3 ms); `SimHandler` sets it itself.
"""

from __future__ import annotations

from typing import Any

from veo_desktop.simulator import Simulator

__all__ = ["start_simulator"]


def start_simulator(**options: Any) -> Simulator:
    sim = Simulator(**options)
    sim.start()
    return sim
