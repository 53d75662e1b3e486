"""User settings, declared once: typed, defaulted, validated, versioned, with upgrade steps.

Window state (geometry, splitter sizes, last composer choices) is kept apart, in QSettings, by the UI.
No secret is ever here: the API key and the service-account key live in the OS keyring (see `secrets.py`);
only the service account's `client_email` is kept, for display.

Providers: `vertex` (Vertex AI express, API key), `vertex-project` (Vertex AI with a Google Cloud project:
a service-account key or Application Default Credentials), `gemini` (Gemini Omni Flash with an AI Studio
key). Every base URL and API version is a setting ("" = Google's host / the provider's default version).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

SETTINGS_VERSION = 2
PROVIDERS = ("vertex", "vertex-project", "gemini")
DEFAULT_API_BASE = {
    "vertex": "https://aiplatform.googleapis.com",
    "vertex-project": "https://{region}-aiplatform.googleapis.com",
    "gemini": "https://generativelanguage.googleapis.com",
}
DEFAULT_GLOBAL_BASE = "https://aiplatform.googleapis.com"  # vertex-project in the location "global"
API_VERSIONS = {"vertex": ("v1beta1", "v1"), "vertex-project": ("v1", "v1beta1"), "gemini": ("v1beta", "v1")}
DEFAULT_REGION = "us-central1"
_BASE_FIELD = {"vertex": "vertex_base_url", "vertex-project": "vertex_project_base_url", "gemini": "gemini_base_url"}
_VERSION_FIELD = {
    "vertex": "vertex_api_version",
    "vertex-project": "vertex_project_api_version",
    "gemini": "gemini_api_version",
}
_REGION = re.compile(r"[a-z][a-z0-9-]{1,62}")
_PROJECT = re.compile(r"[a-z0-9][a-z0-9.:-]{0,127}")


@dataclass(frozen=True, slots=True)
class Settings:
    version: int = SETTINGS_VERSION
    provider: str = "vertex"
    api_base: str = ""  # an override for the current provider (the CLI's --api-base); empty = its setting below
    vertex_base_url: str = ""
    vertex_project_base_url: str = ""  # may contain "{region}"
    vertex_project_global_base_url: str = ""
    gemini_base_url: str = ""
    vertex_api_version: str = "v1beta1"
    vertex_project_api_version: str = "v1"
    gemini_api_version: str = "v1beta"
    project: str = ""  # vertex-project; empty = the key's project_id, else the one ADC reports
    region: str = DEFAULT_REGION
    service_account_email: str = ""  # the imported key's client_email, for display; empty = ADC
    max_in_flight: int = 2
    max_starts_per_minute: int = 2  # 0 = no limit
    daily_budget_usd: float | None = None
    library_dir: str = ""  # empty = the platform's Videos folder
    store_path: str = ""  # empty = the data folder
    team_url: str = ""  # team mode: postgresql://NAME@HOST/DB (never a password; that is in the keyring)
    language: str = ""  # empty = the system locale; "en" or "pt_BR"
    notifications: bool = True

    def effective_api_base(self) -> str:
        """The base URL of the current provider (vertex-project: may still contain "{region}")."""
        own = str(getattr(self, _BASE_FIELD[self.provider]))
        return (self.api_base or own or DEFAULT_API_BASE[self.provider]).rstrip("/")

    def effective_global_base(self) -> str:
        return (self.vertex_project_global_base_url or DEFAULT_GLOBAL_BASE).rstrip("/")

    def api_version(self) -> str:
        return str(getattr(self, _VERSION_FIELD[self.provider]))

    def validated(self) -> Settings:
        """Return a copy with every value in range; raises ValueError with a message for the person."""
        if self.provider not in PROVIDERS:
            raise ValueError(f"Provider must be one of {', '.join(PROVIDERS)}.")
        if not 1 <= self.max_in_flight <= 10:
            raise ValueError("Slots must be between 1 and 10.")
        if not 0 <= self.max_starts_per_minute <= 100:
            raise ValueError("Starts per minute must be between 0 (no limit) and 100.")
        if self.daily_budget_usd is not None and self.daily_budget_usd < 0:
            raise ValueError("The daily budget cannot be negative; leave it empty for no budget.")
        if self.language not in ("", "en", "pt_BR"):
            raise ValueError("Language must be English (en) or Brazilian Portuguese (pt_BR).")
        self._validate_google()
        return self

    def _validate_google(self) -> None:
        for provider, name in _VERSION_FIELD.items():
            if getattr(self, name) not in API_VERSIONS[provider]:
                allowed = " or ".join(API_VERSIONS[provider])
                raise ValueError(f"The {provider} API version must be {allowed}.")
        for name in (*_BASE_FIELD.values(), "vertex_project_global_base_url", "api_base"):
            value = str(getattr(self, name))
            if value and not value.startswith(("https://", "http://127.", "http://localhost", "http://[::1]")):
                raise ValueError(f"The API base URL {value!r} must start with https:// (http only for loopback).")
        if not _REGION.fullmatch(self.region):
            raise ValueError("The region must be a Google Cloud region such as us-central1 (or global).")
        if self.project and not _PROJECT.fullmatch(self.project):
            raise ValueError("The project must be a Google Cloud project id such as my-project-123.")
        if "PRIVATE KEY" in self.service_account_email or len(self.service_account_email) > 320:
            raise ValueError("Only the service account's e-mail address is kept in the settings.")


def _upgrade_1_to_2(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 2 adds `vertex-project` and per-provider base URLs and API versions. A version-1 `api_base`
    becomes the base URL of the provider it was set with; `gemini` now means Gemini Omni (the same AI Studio
    key), since the Gemini API's Veo models are retired."""
    provider = raw.get("provider")
    base = raw.get("api_base")
    if isinstance(base, str) and base and provider in _BASE_FIELD:
        raw.setdefault(_BASE_FIELD[provider], base)
        raw["api_base"] = ""
    raw["version"] = 2
    return raw


_UPGRADES = {1: _upgrade_1_to_2}


def _upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """Upgrade steps, one per version, applied in order; a file without a version is version 1."""
    version = raw.get("version", 1)
    while isinstance(version, int) and version in _UPGRADES:
        raw = _UPGRADES[version](raw)
        version = raw["version"]
    return raw


def load_settings(path: Path) -> Settings:
    """Read settings; a missing or unreadable file gives the defaults (the bad file is kept aside)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("settings must be a JSON object")
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            path.replace(path.with_suffix(".broken.json"))
        return Settings()
    raw = _upgrade(raw)
    known = {f.name for f in fields(Settings)}
    try:
        return Settings(**{k: v for k, v in raw.items() if k in known}).validated()
    except (TypeError, ValueError):
        return Settings()


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically (temp file, fsync, rename)."""
    settings.validated()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(settings), fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Apply command-line overrides that are not None."""
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None}).validated()
