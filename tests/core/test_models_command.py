"""`veo-desktop-cli models`: the account's list merged with the catalogue, or the catalogue with one line
saying why the list cannot be had (exit 0, no traceback)."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from veo_desktop.cli.commands import models
from veo_desktop.cli.output import Output
from veo_desktop.client.base import RemoteModel
from veo_desktop.core.catalogue import Catalogue, parse_catalogue
from veo_desktop.core.catalogue_sources import apply_user_catalogue
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import AuthError, PermanentError, VeoError
from veo_desktop.paths import resources_dir

SHIPPED = (resources_dir() / "models.json").read_text(encoding="utf-8")
EXPRESS = "Vertex AI express mode cannot list models with an API key; the built-in catalogue is used."


class Provider:
    def __init__(self, answer: Sequence[RemoteModel] | VeoError) -> None:
        self.answer = answer

    async def list_models(self) -> Sequence[RemoteModel]:
        if isinstance(self.answer, VeoError):
            raise self.answer
        return self.answer


def run(
    provider_name: str, answer: Sequence[RemoteModel] | VeoError, *, json_mode: bool, catalogue: Catalogue | None = None
) -> int:
    engine = SimpleNamespace(
        catalogue=catalogue or parse_catalogue(SHIPPED),
        provider_name=provider_name,
        clock=ManualClock(),
        remote_models=Provider(answer).list_models,
    )
    running: Any = SimpleNamespace(engine=engine)
    return asyncio.run(models(running, argparse.Namespace(), Output(json_mode=json_mode)))


@pytest.mark.parametrize(
    "error", [PermanentError(EXPRESS), AuthError("The API key was refused; check it in Settings.")]
)
def test_listing_unavailable_shows_the_catalogue(error: VeoError, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("vertex", error, json_mode=False) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = EXPRESS if isinstance(error, PermanentError) else f"so this is the built-in catalogue: {error}"
    assert lines[0].endswith(expected)
    ids = [line.split()[0] for line in lines[1:]]
    assert ids[:3] == ["veo-3.1-generate-001", "veo-3.1-fast-generate-001", "veo-3.1-lite-generate-001"]
    assert "gemini-omni-1.1-flash" not in ids
    assert any("veo-3.1-lite-generate-001" in line and line.rstrip().endswith("preview") for line in lines)
    assert any("veo-2.0-generate-001" in line and "retired" in line for line in lines)
    assert not any("unverified" in line for line in lines if "retired" in line)


def test_listing_unavailable_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("vertex", PermanentError(EXPRESS), json_mode=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "catalogue" and EXPRESS in data["note"]
    assert all(row["offered"] is None for row in data["models"])


def test_merged_list_marks_new_ids_and_unverified_prices(capsys: pytest.CaptureFixture[str]) -> None:
    remote = [
        RemoteModel("gemini-omni-1.1-flash", "Gemini Omni Flash"),
        RemoteModel("gemini-omni-1.3-flash", "Gemini Omni Flash 1.3"),
    ]
    assert run("gemini", remote, json_mode=False) == 0
    lines = capsys.readouterr().out.splitlines()
    by_id = {line.split()[0]: line for line in lines}
    assert "current, unverified price" in by_id["gemini-omni-1.1-flash"]
    assert "Gemini Omni Flash 1.3" in by_id["gemini-omni-1.3-flash"]
    assert by_id["gemini-omni-1.3-flash"].rstrip().endswith("preview, unverified price")
    assert "not listed by the account" in by_id["gemini-omni-1.2-flash"]
    assert "not listed" not in by_id["gemini-omni-flash-preview"]  # retired anyway


def test_merged_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    remote = [RemoteModel("veo-3.1-fast-generate-001", "Veo 3.1 Fast"), RemoteModel("veo-3.2-generate-001", "Veo 3.2")]
    assert run("vertex-project", remote, json_mode=True) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {row["id"]: row for row in data["models"]}
    assert data["source"] == "account" and data["note"] is None
    assert rows["veo-3.1-fast-generate-001"]["offered"] is True
    assert rows["veo-3.1-generate-001"]["offered"] is False
    assert rows["veo-3.2-generate-001"] == {
        "id": "veo-3.2-generate-001",
        "name": "Veo 3.2",
        "status": "preview",
        "retired": False,
        "retired_on": None,
        "price_verified": False,
        "offered": True,
        "source": "account",
    }


def test_user_catalogue_warning_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = apply_user_catalogue(SHIPPED, "{", user_source="cfg/models.json")
    assert run("vertex", PermanentError(EXPRESS), json_mode=False, catalogue=catalogue) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("The user catalogue cfg/models.json is not valid JSON")
