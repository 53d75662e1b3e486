"""The ui/ package is one room per panel: the panels and dialogs never import each other, and imports point
down (window → panels → media → support). Checked with import-linter's contracts."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter import api  # noqa: F401 (configures import-linter's settings)
from importlinter.application.use_cases import lint_imports

ROOMS = """
[importlinter]
root_package = veo_desktop

[importlinter:contract:rooms]
name = The panels and dialogs never import each other
type = independence
modules =
    veo_desktop.ui.compose
    veo_desktop.ui.queue
    veo_desktop.ui.library
    veo_desktop.ui.dialogs

[importlinter:contract:floors]
name = The window over the panels, the panels over media, media over support
type = layers
layers =
    veo_desktop.ui.main_window
    veo_desktop.ui.compose | veo_desktop.ui.queue | veo_desktop.ui.library | veo_desktop.ui.dialogs
    veo_desktop.ui.media
    veo_desktop.ui.support
"""

TURNED_AROUND = """
[importlinter]
root_package = veo_desktop

[importlinter:contract:upside-down]
name = Support over media (false: media uses the worker)
type = layers
layers =
    veo_desktop.ui.support
    veo_desktop.ui.media
"""


def _lint(tmp_path: Path, text: str) -> bool:
    config = tmp_path / "contracts.ini"
    config.write_text(text, encoding="utf-8")
    return bool(lint_imports(str(config), cache_dir=None, no_logo=True))


def test_the_rooms_keep_to_themselves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = _lint(tmp_path, ROOMS)
    report = capsys.readouterr().out
    assert kept, report
    assert "2 kept, 0 broken" in report


def test_an_arrow_turned_around_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not _lint(tmp_path, TURNED_AROUND)
    assert "veo_desktop.ui.media" in capsys.readouterr().out
