"""The simulator as every bench starts it.

The simulator's handler (http.server) writes a response's head and body in two sends; with Nagle's
algorithm on, the body waits for the client's delayed ACK: +40 ms on every request over loopback, which
Google's servers do not have and which a scaled clock multiplies (40 ms at speed 40 is 1.6 clock seconds per
poll). `TCP_NODELAY` on the server side removes it (a poll: 44 ms → 3 ms). It belongs in the simulator
itself (one line: `disable_nagle_algorithm = True` on `SimHandler`); until then it is set here.
"""

from __future__ import annotations

from typing import Any

from veo_desktop.simulator import Simulator
from veo_desktop.simulator.handler import SimHandler

__all__ = ["start_simulator"]


def start_simulator(**options: Any) -> Simulator:
    if not SimHandler.disable_nagle_algorithm:
        SimHandler.disable_nagle_algorithm = True  # see the module docstring
    sim = Simulator(**options)
    sim.start()
    return sim
