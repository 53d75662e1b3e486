"""The settings dialog: saves a key through an in-memory keyring, says where it is kept, tests the key without
blocking, validates inline, and falls back to a session-only key where no secure keyring exists."""

from __future__ import annotations

import asyncio

import keyring
from keyring.backends import fail

from tests.conftest import MemoryKeyring
from tests.ui.fixtures_player import dispose
from tests.ui.helpers import until
from veo_desktop.secrets import KeyStore
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

    async def test_key(key: str, provider: str) -> list[str]:
        seen.append(f"{provider}:{key}")
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
        assert kinds == ["An AI Studio key", "A Vertex API key"]
        assert dialog.provider.currentText() == "A Vertex API key" and "express mode" in dialog.provider_hint.text()
        dialog.provider.setCurrentIndex(dialog.provider.findData("gemini"))
        hint = dialog.provider_hint.text()
        assert "Gemini Omni Flash, not Veo" in hint and "aistudio.google.com" in hint
        await dialog.save()
        assert [s.provider for s in saved] == ["gemini"]
    finally:
        await dispose(dialog)
