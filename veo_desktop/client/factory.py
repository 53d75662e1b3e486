"""Build a provider by name (the setting and the CLI's `--provider`).

    vertex          Vertex AI express mode, API key                       VertexExpressProvider
    vertex-project  Vertex AI with a project, OAuth2 (service account/ADC)  VertexProjectProvider
    gemini          Gemini Omni Flash over the Interactions API, AI Studio key  OmniProvider
    gemini-veo      the retired Gemini-API Veo dialect: old jobs only     GeminiVeoProvider

Callers pass the shared httpx client and what the provider needs; every base URL and API version is
optional (the provider's Google host and default version when empty).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from veo_desktop.client.base import VeoProvider
from veo_desktop.client.gemini_veo import GeminiVeoProvider
from veo_desktop.client.oauth import TokenSource, adc_loader, service_account_loader
from veo_desktop.client.omni import OmniProvider
from veo_desktop.client.session import ApiKey
from veo_desktop.client.vertex import VertexExpressProvider
from veo_desktop.client.vertex_project import (
    DEFAULT_GLOBAL_BASE,
    DEFAULT_REGION,
    DEFAULT_REGIONAL_BASE,
    VertexProjectProvider,
)

__all__ = ["DEFAULT_BASE_URLS", "PROVIDER_NAMES", "ProviderOptions", "make_provider"]

ServiceAccountSource = Callable[[], Mapping[str, Any] | None]

DEFAULT_BASE_URLS: dict[str, str] = {
    "vertex": "https://aiplatform.googleapis.com",
    "vertex-project": DEFAULT_REGIONAL_BASE,
    "gemini": "https://generativelanguage.googleapis.com",
    "gemini-veo": "https://generativelanguage.googleapis.com",
}
DEFAULT_API_VERSIONS: dict[str, str] = {
    "vertex": "v1beta1",
    "vertex-project": "v1",
    "gemini": "v1beta",
    "gemini-veo": "v1beta",
}


@dataclass(frozen=True)
class ProviderOptions:
    """What a provider may need beyond the shared client; each takes only its own."""

    base_url: str = ""  # "" = Google's host; vertex-project: may contain "{region}"
    api_key: ApiKey = field(default=lambda: None)
    api_version: str = ""  # "" = the provider's default
    project: str | None = None  # vertex-project: else the key's project_id, else ADC's project
    region: str = DEFAULT_REGION
    global_base_url: str = DEFAULT_GLOBAL_BASE  # vertex-project, location "global"
    service_account: ServiceAccountSource | None = None  # vertex-project: None = Application Default Credentials


def _vertex(http: httpx.AsyncClient, o: ProviderOptions, base: str, version: str) -> VeoProvider:
    return VertexExpressProvider(http, base_url=base, api_key=o.api_key, api_version=version)


def _vertex_project(http: httpx.AsyncClient, o: ProviderOptions, base: str, version: str) -> VeoProvider:
    loader = service_account_loader(o.service_account) if o.service_account is not None else adc_loader()
    return VertexProjectProvider(
        http,
        tokens=TokenSource(http, loader),
        project=o.project,
        region=o.region,
        base_url=base,
        global_base_url=o.global_base_url,
        api_version=version,
    )


def _gemini(http: httpx.AsyncClient, o: ProviderOptions, base: str, version: str) -> VeoProvider:
    return OmniProvider(http, base_url=base, api_key=o.api_key, api_version=version)


def _gemini_veo(http: httpx.AsyncClient, o: ProviderOptions, base: str, version: str) -> VeoProvider:
    return GeminiVeoProvider(http, base_url=base, api_key=o.api_key)


_BUILDERS: dict[str, Callable[[httpx.AsyncClient, ProviderOptions, str, str], VeoProvider]] = {
    "vertex": _vertex,
    "vertex-project": _vertex_project,
    "gemini": _gemini,
    "gemini-veo": _gemini_veo,
}

PROVIDER_NAMES: tuple[str, ...] = tuple(_BUILDERS)


def make_provider(
    name: str,
    http: httpx.AsyncClient,
    *,
    base_url: str = "",
    api_key: ApiKey | None = None,
    options: ProviderOptions | None = None,
) -> VeoProvider:
    """A provider by name. `base_url` and `api_key` override `options` (the short form most callers use).
    Raises ValueError for an unknown name, an unusable base URL (not https, loopback excepted), an unknown API
    version or region."""
    try:
        builder = _BUILDERS[name]
    except KeyError:
        raise ValueError(f"Unknown provider {name!r}; expected one of {', '.join(PROVIDER_NAMES)}.") from None
    o = options or ProviderOptions()
    if api_key is not None:
        o = replace(o, api_key=api_key)
    base = (base_url or o.base_url or DEFAULT_BASE_URLS[name]).rstrip("/")
    version = o.api_version or DEFAULT_API_VERSIONS[name]
    return builder(http, o, base, version)
