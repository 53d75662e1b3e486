"""The GUI entry's welcome step: the kind of key said on the welcome panel becomes the provider, for this
launch and in the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from veo_desktop.app import DesktopApp, parse_args
from veo_desktop.settings import load_settings


async def test_the_kind_of_key_is_kept_in_the_settings(qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(tmp_path / "home"))
    app = DesktopApp(parse_args([]), qapp)
    assert app.settings.provider == "vertex"
    await app._keep_provider("gemini")
    assert app.settings.provider == "gemini"
    assert load_settings(app.paths.settings_file).provider == "gemini"


async def test_a_project_said_on_the_welcome_panel_is_kept(
    qapp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(tmp_path / "home"))
    app = DesktopApp(parse_args([]), qapp)
    chosen = {"project": "my-project-123", "region": "europe-west4", "service_account_email": ""}
    await app._keep_provider("vertex-project", chosen)
    kept = load_settings(app.paths.settings_file)
    assert (kept.provider, kept.project, kept.region) == ("vertex-project", "my-project-123", "europe-west4")
