from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.client.helpers import BASE, CANARY, FakeGoogle
from veo_desktop.client.gemini import GeminiProvider
from veo_desktop.client.http import make_http_client
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
def gemini(http: httpx.AsyncClient, key: KeyBox) -> GeminiProvider:
    return GeminiProvider(http, base_url=BASE, api_key=key)
