"""Settings: defaults, validation, atomic save, upgrade, and a broken file kept aside."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from veo_desktop.settings import (
    DEFAULT_API_BASE,
    SETTINGS_VERSION,
    Settings,
    load_settings,
    save_settings,
    with_overrides,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def test_missing_file_gives_defaults(path: Path) -> None:
    settings = load_settings(path)
    assert settings == Settings()
    assert settings.version == SETTINGS_VERSION
    assert settings.provider == "vertex"
    assert settings.max_in_flight == 2
    assert not path.exists()  # loading never writes


def test_save_then_load_round_trips(path: Path) -> None:
    settings = Settings(provider="gemini", max_in_flight=3, daily_budget_usd=12.5, language="pt_BR")
    save_settings(path, settings)
    assert load_settings(path) == settings
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["version"] == SETTINGS_VERSION
    assert "api_key" not in json.dumps(on_disk).lower()  # the key never lives in settings


def test_save_is_atomic_and_leaves_no_temp_files(path: Path) -> None:
    save_settings(path, Settings())
    save_settings(path, Settings(max_in_flight=4))
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


def test_save_refuses_invalid_settings_and_keeps_the_old_file(path: Path) -> None:
    save_settings(path, Settings(max_in_flight=3))
    with pytest.raises(ValueError, match="Slots"):
        save_settings(path, Settings(max_in_flight=0))
    assert load_settings(path).max_in_flight == 3
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"provider": "openai"}, "Provider"),
        ({"max_in_flight": 0}, "Slots"),
        ({"max_in_flight": 11}, "Slots"),
        ({"max_starts_per_minute": -1}, "Starts per minute"),
        ({"max_starts_per_minute": 101}, "Starts per minute"),
        ({"daily_budget_usd": -0.01}, "budget"),
        ({"language": "fr"}, "Language"),
    ],
)
def test_validation_messages(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(Settings(), **changes).validated()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"max_in_flight": 1},
        {"max_in_flight": 10},
        {"max_starts_per_minute": 0},
        {"daily_budget_usd": 0.0},
        {"daily_budget_usd": None},
        {"language": ""},
        {"language": "en"},
        {"provider": "gemini"},
    ],
)
def test_valid_edges(changes: dict[str, object]) -> None:
    settings = dataclasses.replace(Settings(), **changes)  # type: ignore[arg-type]
    assert settings.validated() == settings


def test_effective_api_base() -> None:
    assert Settings().effective_api_base() == DEFAULT_API_BASE["vertex"]
    assert Settings(provider="gemini").effective_api_base() == DEFAULT_API_BASE["gemini"]
    assert Settings(api_base="http://127.0.0.1:8080/").effective_api_base() == "http://127.0.0.1:8080"


def test_upgrade_adds_version_and_ignores_unknown_keys(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"max_in_flight": 5, "some_old_option": True}), encoding="utf-8")
    settings = load_settings(path)
    assert settings.max_in_flight == 5
    assert settings.version == SETTINGS_VERSION


@pytest.mark.parametrize("content", ["{not json", "[1, 2, 3]", '"text"', "", "\x00\x01"])
def test_broken_file_is_kept_aside_and_defaults_used(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    assert load_settings(path) == Settings()
    kept = path.with_suffix(".broken.json")
    assert kept.read_text(encoding="utf-8") == content
    assert not path.exists()
    save_settings(path, Settings(max_in_flight=3))  # the next save starts afresh
    assert load_settings(path).max_in_flight == 3
    assert kept.exists()


def test_undecodable_bytes_are_kept_aside(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert load_settings(path) == Settings()
    assert path.with_suffix(".broken.json").read_bytes() == b"\xff\xfe\x00garbage"


@pytest.mark.parametrize(
    "values",
    [{"max_in_flight": 99}, {"max_in_flight": "two"}, {"provider": 3}, {"language": "xx"}],
)
def test_out_of_range_values_give_defaults(path: Path, values: dict[str, object]) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(values), encoding="utf-8")
    assert load_settings(path) == Settings()


def test_with_overrides_applies_only_given_values() -> None:
    base = Settings(max_in_flight=3, provider="gemini")
    assert with_overrides(base, max_in_flight=None, provider=None) == base
    assert with_overrides(base, max_in_flight=1).max_in_flight == 1
    with pytest.raises(ValueError, match="Slots"):
        with_overrides(base, max_in_flight=50)


def test_settings_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().max_in_flight = 5  # type: ignore[misc]


def test_version_1_file_is_upgraded(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"version": 1, "provider": "gemini", "api_base": "http://127.0.0.1:9000/", "max_in_flight": 3}),
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.version == 2 == SETTINGS_VERSION
    assert settings.provider == "gemini"  # the same AI Studio key now makes videos with Gemini Omni
    assert settings.gemini_base_url == "http://127.0.0.1:9000/" and settings.api_base == ""
    assert settings.effective_api_base() == "http://127.0.0.1:9000"
    assert (settings.region, settings.project, settings.service_account_email) == ("us-central1", "", "")
    assert (settings.vertex_api_version, settings.vertex_project_api_version, settings.gemini_api_version) == (
        "v1beta1",
        "v1",
        "v1beta",
    )


def test_version_1_without_a_base_url(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"provider": "vertex"}), encoding="utf-8")
    settings = load_settings(path)
    assert settings.version == 2 and settings.vertex_base_url == ""
    assert settings.effective_api_base() == "https://aiplatform.googleapis.com"


def test_per_provider_bases_and_versions() -> None:
    project = Settings(provider="vertex-project", region="europe-west4", project="my-project-123")
    assert project.effective_api_base() == "https://{region}-aiplatform.googleapis.com"
    assert project.effective_global_base() == "https://aiplatform.googleapis.com"
    assert project.api_version() == "v1"
    local = Settings(provider="vertex-project", vertex_project_base_url="http://127.0.0.1:8620")
    assert local.effective_api_base() == "http://127.0.0.1:8620"
    assert Settings(provider="gemini", gemini_api_version="v1").api_version() == "v1"
    assert (
        Settings(
            provider="vertex", api_base="http://127.0.0.1:1", vertex_base_url="https://x.example"
        ).effective_api_base()
        == "http://127.0.0.1:1"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"provider": "gemini-veo"}, "Provider"),
        ({"vertex_api_version": "v2"}, "API version"),
        ({"gemini_api_version": "v1beta1"}, "API version"),
        ({"gemini_base_url": "http://generativelanguage.googleapis.com"}, "https"),
        ({"region": "US Central"}, "region"),
        ({"project": "My Project!"}, "project"),
        ({"service_account_email": "-----BEGIN PRIVATE KEY-----"}, "e-mail"),
    ],
)
def test_google_settings_validation(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(Settings(), **changes).validated()  # type: ignore[arg-type]


def test_no_secret_field() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert not {n for n in names if "key" in n or "secret" in n or "token" in n or "password" in n}
