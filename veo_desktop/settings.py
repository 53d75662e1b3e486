"""User settings, declared once: typed, defaulted, validated, versioned, with upgrade steps.

Window state (geometry, splitter sizes, last composer choices) is kept apart, in QSettings, by the UI.
The API key is never here: it lives in the OS keyring (see `secrets.py`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

SETTINGS_VERSION = 1
PROVIDERS = ("vertex", "gemini")
DEFAULT_API_BASE = {
    "vertex": "https://aiplatform.googleapis.com",
    "gemini": "https://generativelanguage.googleapis.com",
}


@dataclass(frozen=True, slots=True)
class Settings:
    version: int = SETTINGS_VERSION
    provider: str = "vertex"
    api_base: str = ""  # empty = the provider's Google host
    max_in_flight: int = 2
    max_starts_per_minute: int = 2  # 0 = no limit
    daily_budget_usd: float | None = None
    library_dir: str = ""  # empty = the platform's Videos folder
    store_path: str = ""  # empty = the data folder
    team_url: str = ""  # team mode: postgresql://NAME@HOST/DB (never a password; that is in the keyring)
    language: str = ""  # empty = the system locale; "en" or "pt_BR"
    notifications: bool = True

    def effective_api_base(self) -> str:
        return (self.api_base or DEFAULT_API_BASE[self.provider]).rstrip("/")

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
        return self


def _upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """Upgrade steps, one per version; version 1 is the first."""
    raw.setdefault("version", SETTINGS_VERSION)
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
