"""The settings dialog: saves a key through an in-memory keyring, says where it is kept, tests the key without
blocking, validates inline, and falls back to a session-only key where no secure keyring exists."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import keyring
from keyring.backends import fail

from tests.conftest import MemoryKeyring
from tests.ui.fixtures_player import dispose
from tests.ui.helpers import until
from veo_desktop.secrets import KeyStore, ServiceAccountStore
from veo_desktop.settings import Settings
from veo_desktop.ui.dialogs.settings import SettingsDialog

KEY = "AIzaSyTESTtestTEST0123456789abcdefghijk"


async def test_saves_the_key_and_settings_through_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    dialog = SettingsDialog(Settings(), store)
    saved: list[Settings] = []
    key_changed: list[bool] = []
    dialog.saved.connect(saved.append)
    dialog.keyChanged.connect(lambda: key_changed.append(True))
    dialog.open()
    try:
        assert "Test keyring" in dialog.backend_label.text()
        assert dialog.session_only.isEnabled() and not dialog.session_only.isChecked()
        dialog.key_edit.setText(f"  {KEY} ")
        dialog.slots.setValue(4)
        dialog.budget.setText("12,50")
        dialog.language.setCurrentIndex(dialog.language.findData("pt_BR"))
        await dialog.save()
        assert memory_keyring.passwords == {("veo-desktop", "api-key"): KEY}
        assert key_changed == [True]
        assert saved[0].max_in_flight == 4 and saved[0].daily_budget_usd == 12.5 and saved[0].language == "pt_BR"
        assert not dialog.isVisible()
    finally:
        await dispose(dialog)


async def test_invalid_values_are_shown_inline_and_nothing_is_saved(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    dialog.budget.setText("lots")
    dialog.library_dir.setText("relative/folder")
    await dialog.save()
    assert saved == [] and dialog.isVisible()
    assert not dialog.budget_error.isHidden() and not dialog.library_error.isHidden()
    assert memory_keyring.passwords == {}
    await dispose(dialog)


async def test_a_rejected_key_is_shown_next_to_the_field(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(), KeyStore())
    dialog.open()
    dialog.key_edit.setText("two words")
    await dialog.save()
    assert dialog.isVisible() and "spaces" in dialog.key_result.text()
    await dispose(dialog)


async def test_test_key_runs_without_blocking_and_reports(memory_keyring: MemoryKeyring) -> None:
    release = asyncio.Event()
    seen: list[str] = []

    async def test_key(key: str, settings: Settings) -> list[str]:
        seen.append(f"{settings.provider}:{key}")
        await release.wait()
        if key == "bad":
            raise RuntimeError("Google refused the key (403): check it was copied whole.")
        return ["veo-3.1-generate-001", "veo-3.1-fast-generate-001"]

    dialog = SettingsDialog(Settings(), KeyStore(), test_key)
    dialog.open()
    try:
        dialog.key_edit.setText(KEY)
        dialog.test_button.click()
        await until(lambda: seen == [f"vertex:{KEY}"])
        assert not dialog.test_button.isEnabled()  # busy: a second click is ignored
        release.set()
        await dialog.wait_idle()
        assert "veo-3.1-fast-generate-001" in dialog.key_result.text()
        assert dialog.key_result.objectName() == "okMessage" and dialog.test_button.isEnabled()

        dialog.provider.setCurrentIndex(dialog.provider.findData("gemini"))  # an AI Studio key
        assert dialog.key_result.isHidden()  # the result was for the other kind of key
        dialog.key_edit.setText("bad")
        dialog.test_button.click()
        await dialog.wait_idle()
        assert seen[-1] == "gemini:bad"
        assert "did not work" in dialog.key_result.text() and "403" in dialog.key_result.text()
        assert dialog.key_result.objectName() == "errorMessage"
    finally:
        await dispose(dialog)


async def test_without_a_secure_keyring_the_key_is_kept_for_the_session(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    store = KeyStore(backend=fail.Keyring())
    dialog = SettingsDialog(Settings(), store)
    dialog.open()
    try:
        assert "No secure keyring" in dialog.backend_label.text()
        assert dialog.session_only.isChecked() and not dialog.session_only.isEnabled()
        dialog.key_edit.setText(KEY)
        await dialog.save()
        assert store.session_only and store.get() == KEY
    finally:
        await dispose(dialog)
    assert not isinstance(keyring.get_keyring(), MemoryKeyring)


async def test_the_provider_is_chosen_by_the_key_one_has(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(provider="vertex"), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        kinds = [dialog.provider.itemText(i) for i in range(dialog.provider.count())]
        assert kinds == ["An AI Studio key", "A Vertex API key", "A Google Cloud project"]
        assert dialog.provider.currentText() == "A Vertex API key" and "express mode" in dialog.provider_hint.text()
        dialog.provider.setCurrentIndex(dialog.provider.findData("gemini"))
        hint = dialog.provider_hint.text()
        assert "Gemini Omni Flash, not Veo" in hint and "aistudio.google.com" in hint
        await dialog.save()
        assert [s.provider for s in saved] == ["gemini"]
    finally:
        await dispose(dialog)


SERVICE_ACCOUNT = {
    "type": "service_account",
    "project_id": "my-project-123",
    "client_email": "veo@my-project-123.iam.gserviceaccount.com",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n",
    "token_uri": "http://127.0.0.1:9/token",
}


async def test_a_project_with_a_service_account_key_file(memory_keyring: MemoryKeyring, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(SERVICE_ACCOUNT), encoding="utf-8")
    tested: list[Settings] = []

    async def test_key(_key: str, settings: Settings) -> list[str]:
        tested.append(settings)
        return ["veo-3.1-generate-001"]

    dialog = SettingsDialog(Settings(), KeyStore(), test_key, service_accounts=ServiceAccountStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        box = dialog.project_box
        assert not box.isVisibleTo(dialog) and dialog.key_edit.isVisibleTo(dialog)
        dialog.provider.setCurrentIndex(dialog.provider.findData("vertex-project"))
        assert box.isVisibleTo(dialog) and not dialog.key_edit.isVisibleTo(dialog)
        assert "Application Default Credentials" in box.signer.text()
        bad = tmp_path / "notes.json"
        bad.write_text("{}", encoding="utf-8")
        box.import_file(str(bad))
        await box.tasks.wait_idle()
        assert "not a service-account key" in box.error.text() and box.email() == ""
        box.import_file(str(key_file))
        await box.tasks.wait_idle()
        assert box.email() == SERVICE_ACCOUNT["client_email"] and box.error.isHidden()
        assert "keyring" in box.signer.text()
        parts = memory_keyring.passwords.items()
        stored = "".join(v for (_svc, user), v in parts if user.startswith("service-account."))
        assert "PRIVATE KEY" in stored  # the key went to the keyring...
        box.project.setText("my-project-123")
        box.region.setText("europe-west4")
        dialog.test_project.click()
        await dialog.wait_idle()
        expected = [("vertex-project", "my-project-123", "europe-west4")]
        assert [(t.provider, t.project, t.region) for t in tested] == expected
        assert "works" in dialog.key_result.text()
        await dialog.save()
        [settings] = saved
        assert settings.service_account_email == SERVICE_ACCOUNT["client_email"]
        assert "PRIVATE KEY" not in json.dumps(dataclasses.asdict(settings))  # ...and only its e-mail to the settings
        box.region.setText("not a region!")
        assert dialog.settings() is None and "region" in dialog.form_error.text()
    finally:
        await dispose(dialog)
