"""The user's catalogue file in the config folder, read by the composition root: absent, good, bad, unreadable.
A bad file never stops the start; the warning is on `Catalogue.warnings` for the window and the CLI."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from veo_desktop.composition import load_catalogue
from veo_desktop.paths import AppPaths


def paths(tmp_path: Path) -> AppPaths:
    p = AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "lib")
    p.config_dir.mkdir(parents=True)
    return p


def test_absent(tmp_path: Path) -> None:
    p = paths(tmp_path)
    assert p.user_catalogue_file == tmp_path / "config" / "models.json"
    catalogue = load_catalogue(p)
    assert catalogue.warnings == ()
    assert catalogue == load_catalogue()


def test_good_file_adds_a_model(tmp_path: Path) -> None:
    p = paths(tmp_path)
    entry = {"id": "veo-3.2-fast-generate-001", "based_on": "veo-3.1-fast-generate-001", "display_name": "Veo 3.2 Fast"}
    p.user_catalogue_file.write_text(json.dumps({"version": 2, "models": [entry]}), encoding="utf-8")
    catalogue = load_catalogue(p)
    assert catalogue.warnings == ()
    added = catalogue.get("veo-3.2-fast-generate-001")
    assert added is not None and added.display_name == "Veo 3.2 Fast" and not added.price_verified
    assert added in catalogue.for_provider("vertex")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"models": [', "is not valid JSON"),
        (b'{"models": [{"id": "veo-3.1-fast-generate-001", "durations_s": "eight"}]}', "'durations_s'"),
        (b"\xff\xfe\x00garbage", "cannot be read (it is not UTF-8 text)"),
    ],
)
def test_bad_file_is_ignored_with_a_warning(
    tmp_path: Path, content: bytes, fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    p = paths(tmp_path)
    p.user_catalogue_file.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="veo_desktop.composition"):
        catalogue = load_catalogue(p)
    assert catalogue.models == load_catalogue().models
    (warning,) = catalogue.warnings
    assert fragment in warning and str(p.user_catalogue_file) in warning
    assert warning in caplog.text


def test_a_directory_in_its_place_is_ignored(tmp_path: Path) -> None:
    p = paths(tmp_path)
    p.user_catalogue_file.mkdir()
    (warning,) = load_catalogue(p).warnings
    assert "cannot be read" in warning
