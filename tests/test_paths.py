"""Where things live: VEO_DESKTOP_HOME sandboxes, platform defaults, and resources in every layout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from veo_desktop import paths
from veo_desktop.paths import AppPaths, default_paths, resources_dir


def test_home_override_puts_everything_under_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(tmp_path))
    p = default_paths()
    assert p == AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "library")
    assert p.database == tmp_path / "data" / "veo-desktop.sqlite3"
    assert p.frames_dir == tmp_path / "data" / "frames"
    assert p.staging_dir == tmp_path / "data" / "staging"
    assert p.logs_dir == tmp_path / "data" / "logs"
    assert p.settings_file == tmp_path / "config" / "settings.json"


def test_platform_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VEO_DESKTOP_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    p = default_paths()
    if sys.platform.startswith("linux"):
        assert p.data_dir == tmp_path / "xdg-data" / paths.APP_NAME
        assert p.config_dir == tmp_path / "xdg-config" / paths.APP_NAME
    assert p.library_dir.name == "Veo Desktop"
    assert not p.data_dir.exists()  # computing paths creates nothing


def test_paths_are_frozen(tmp_path: Path) -> None:
    p = AppPaths(tmp_path, tmp_path, tmp_path)
    with pytest.raises(AttributeError):
        p.data_dir = tmp_path / "x"  # type: ignore[misc]


def test_resources_from_source_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    root = resources_dir()
    assert (root / "models.json").is_file()
    assert sorted(p.name for p in (root / "clips").glob("*.mp4"))


def test_resources_from_a_pyinstaller_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
