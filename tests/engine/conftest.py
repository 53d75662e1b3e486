from veo_desktop.testing.fixtures import make_rig, rig

__all__ = ["make_rig", "rig"]


import pytest

from veo_desktop.core.clock import ManualClock
from veo_desktop.testing.provider import FakeProvider


@pytest.fixture
def rig_clock_provider() -> tuple[ManualClock, FakeProvider]:
    clock = ManualClock()
    return clock, FakeProvider(clock=clock)
