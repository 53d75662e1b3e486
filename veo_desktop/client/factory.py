"""Build a provider by name. Callers pass what every provider needs (the shared httpx client, the base URL, a
key getter); a future provider with other needs (Vertex AI with a project and a service account) gets them
from its own registry entry, so callers do not change."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from veo_desktop.client.base import VeoProvider
from veo_desktop.client.gemini import GeminiProvider
from veo_desktop.client.session import ApiKey
from veo_desktop.client.vertex import VertexExpressProvider

__all__ = ["PROVIDER_NAMES", "make_provider"]

_Builder = Callable[[httpx.AsyncClient, str, ApiKey], VeoProvider]

_BUILDERS: dict[str, _Builder] = {
    "vertex": lambda http, base_url, api_key: VertexExpressProvider(http, base_url=base_url, api_key=api_key),
    "gemini": lambda http, base_url, api_key: GeminiProvider(http, base_url=base_url, api_key=api_key),
}

PROVIDER_NAMES: tuple[str, ...] = tuple(_BUILDERS)


def make_provider(
    name: str, http: httpx.AsyncClient, *, base_url: str, api_key: Callable[[], str | None]
) -> VeoProvider:
    """ "vertex" (Vertex AI express, the default) or "gemini". Raises ValueError for an unknown name or a
    base URL that is not https (loopback excepted)."""
    try:
        builder = _BUILDERS[name]
    except KeyError:
        raise ValueError(f"Unknown Veo provider {name!r}; expected one of {', '.join(PROVIDER_NAMES)}.") from None
    return builder(http, base_url, api_key)
