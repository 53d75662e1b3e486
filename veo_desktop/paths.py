"""Where things live. Defaults follow the platform's conventions (platformdirs); every one can be overridden
(settings, `--store`, `--library`, or VEO_DESKTOP_HOME for a whole sandbox, which tests and demos use)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "VeoDesktop"


@dataclass(frozen=True, slots=True)
class AppPaths:
    data_dir: Path  # database, frames, staging, logs
    config_dir: Path  # settings.json
    library_dir: Path  # finished videos and their sidecars

    @property
    def database(self) -> Path:
        return self.data_dir / "veo-desktop.sqlite3"

    @property
    def outbox(self) -> Path:
        """The desktop's journal of starts (team-mode design §2.6), whatever store it uses."""
        return self.data_dir / "outbox.sqlite3"

    @property
    def frames_dir(self) -> Path:
        return self.data_dir / "frames"

    @property
    def staging_dir(self) -> Path:
        return self.data_dir / "staging"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def user_catalogue_file(self) -> Path:
        """The user's model catalogue (overrides and additions to resources/models.json); optional."""
        return self.config_dir / "models.json"


def default_paths() -> AppPaths:
    home = os.environ.get("VEO_DESKTOP_HOME")
    if home:
        root = Path(home)
        return AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        library_dir=Path(platformdirs.user_videos_dir()) / "Veo Desktop",
    )


def resources_dir() -> Path:
    """The read-only resources (catalogue, sample clips, translations, icons): from a source checkout,
    an installed wheel (package `veo_desktop.resources`) or a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    source = Path(__file__).resolve().parent.parent / "resources"
    if (source / "models.json").is_file():
        return source
    from importlib.resources import files

    return Path(str(files("veo_desktop.resources")))
