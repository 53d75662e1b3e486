"""The provider the user's settings name, for the composition root (the GUI, the CLI).

`build_provider(settings, http, base_url=..., api_key=...)` maps the settings (provider, API version, project,
region, the imported service account or a key file given on the command line) onto `make_provider`. The
service-account key is read on first use, in google-auth's worker thread: from the file, else from the
keyring (`secrets.ServiceAccountStore`) when one was imported, else Application Default Credentials.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.client.base import VeoProvider
from veo_desktop.client.factory import ProviderOptions, make_provider
from veo_desktop.settings import Settings

__all__ = ["build_provider", "service_account_source"]


def service_account_source(
    settings: Settings, credentials_file: Path | None
) -> Callable[[], Mapping[str, Any] | None] | None:
    """vertex-project's key: a file given on the command line, else the one imported into the keyring, else
    None (Application Default Credentials)."""
    if credentials_file is not None:
        path = credentials_file

        def from_file() -> Mapping[str, Any] | None:
            data = json.loads(path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else None

        return from_file
    if settings.service_account_email:
        from veo_desktop.secrets import ServiceAccountStore

        return ServiceAccountStore().get
    return None


def build_provider(
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    base_url: str,
    api_key: Callable[[], str | None],
    credentials_file: Path | None = None,
    provider: str | None = None,
) -> VeoProvider:
    """The provider the settings name (or `provider`, e.g. "gemini-veo" for old jobs), on `base_url` (the
    simulator's, or the setting's)."""
    options = ProviderOptions(
        api_key=api_key,
        api_version=settings.api_version() if provider in (None, settings.provider) else "",
        project=settings.project or None,
        region=settings.region,
        # a fixed host (the simulator, a test server) serves every location; Google's template does not
        global_base_url=settings.effective_global_base() if "{region}" in base_url else base_url,
        service_account=service_account_source(settings, credentials_file),
    )
    return make_provider(provider or settings.provider, http, base_url=base_url, options=options)
