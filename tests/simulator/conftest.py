"""Fixtures for the simulator's tests: a running simulator on a fast clock and plain httpx clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sim_helpers import client

from veo_desktop.core.clock import ScaledClock
from veo_desktop.simulator import Simulator

SPEED = 50.0  # a 60 s generation takes 1.2 real seconds


@pytest.fixture
def make_sim() -> Iterator[Callable[..., Simulator]]:
    started: list[Simulator] = []

    def make(**kwargs: Any) -> Simulator:
        kwargs.setdefault("clock", ScaledClock(SPEED))
        kwargs.setdefault("latency_s", (5.0, 5.0))  # 0.1 real seconds
        sim = Simulator(**kwargs).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim()


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.Client]:
    """A client of the Vertex (global) host with the API key."""
    with client(sim.vertex_url) as c:
        yield c


@pytest.fixture
def gem(sim: Simulator) -> Iterator[httpx.Client]:
    """A client of the Gemini API host with the API key."""
    with client(sim.gemini_url) as c:
        yield c
