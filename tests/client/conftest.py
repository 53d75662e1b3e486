from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.client.helpers import BASE, CANARY, FakeGoogle
from veo_desktop.client.gemini_veo import GeminiVeoProvider
from veo_desktop.client.http import make_http_client
from veo_desktop.client.omni import OmniProvider
from veo_desktop.client.vertex import VertexExpressProvider


class KeyBox:
    """The key getter the providers take; tests change or clear it at runtime."""

    def __init__(self, value: str | None = CANARY) -> None:
        self.value = value

    def __call__(self) -> str | None:
        return self.value


@pytest.fixture
def api() -> FakeGoogle:
    return FakeGoogle()


@pytest.fixture
def key() -> KeyBox:
    return KeyBox()


@pytest.fixture
async def http(api: FakeGoogle) -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(transport=httpx.MockTransport(api)) as client:
        yield client


@pytest.fixture
def vertex(http: httpx.AsyncClient, key: KeyBox) -> VertexExpressProvider:
    return VertexExpressProvider(http, base_url=BASE, api_key=key)


@pytest.fixture
def legacy(http: httpx.AsyncClient, key: KeyBox) -> GeminiVeoProvider:
    return GeminiVeoProvider(http, base_url=BASE, api_key=key)


class FakeSleep:
    """A sleep that returns at once and records what was asked (time is an argument, never waited)."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def omni(http: httpx.AsyncClient, key: KeyBox, sleeps: FakeSleep) -> OmniProvider:
    return OmniProvider(http, base_url=BASE, api_key=key, sleep=sleeps)
