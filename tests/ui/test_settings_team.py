"""Settings → Team: the team URL is saved as given, a URL with a password or an unverified remote host is
refused next to the field (nothing saved), and an empty field means the local queue. The database password
goes to the OS keyring entry `team join` uses, in a worker thread, never into settings or the log; an empty
field keeps the saved one; without a secure keyring the field is off and PGPASSWORD is the way."""

from __future__ import annotations

import threading

import keyring.errors
import pytest
from keyring.backends import null
from PySide6.QtWidgets import QLineEdit

from tests.conftest import MemoryKeyring
from tests.ui.fixtures_player import dispose
from veo_desktop.secrets import TEAM_SERVICE, KeyStore
from veo_desktop.settings import Settings
from veo_desktop.ui.dialogs.settings import SettingsDialog

LOCAL_URL = "postgresql://ana@127.0.0.1:5432/veo"
PASSWORD = "pw-of-ana-7Qx"


async def test_the_team_url_is_checked_and_saved(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        dialog.team.url.setText("postgresql://ana:secret@127.0.0.1/veo")
        await dialog.save()
        assert saved == [] and "holds a password" in dialog.team.error.text()
        assert "secret" not in dialog.team.error.text()
        dialog.team.url.setText("postgresql://ana@db.studio.example/veo")
        await dialog.save()
        assert saved == [] and "sslmode=verify-full" in dialog.team.error.text()
        dialog.team.url.setText(f" {LOCAL_URL} ")
        await dialog.save()
        assert [s.team_url for s in saved] == [LOCAL_URL]
    finally:
        await dispose(dialog)


async def test_an_empty_team_url_leaves_the_team(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(team_url=LOCAL_URL), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        assert dialog.team.url.text() == LOCAL_URL
        dialog.team.url.clear()
        await dialog.save()
        assert [s.team_url for s in saved] == [""]
    finally:
        await dispose(dialog)


# --- the team database password ----------------------------------------------------------------------
def _entry() -> tuple[str, str]:
    return TEAM_SERVICE, "ana@127.0.0.1:5432/veo"  # the entry `veo-desktop-cli team join` writes


async def test_a_typed_password_goes_to_the_keyring_off_the_gui_thread(
    memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    threads: list[threading.Thread] = []
    real_set = memory_keyring.set_password

    def recording_set(service: str, username: str, password: str) -> None:
        threads.append(threading.current_thread())
        real_set(service, username, password)

    memory_keyring.set_password = recording_set  # type: ignore[method-assign]
    dialog = SettingsDialog(Settings(), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        assert dialog.team.password.echoMode() is QLineEdit.EchoMode.Password
        assert "Test keyring" in dialog.team.hint.text()
        dialog.team.url.setText(LOCAL_URL)
        dialog.team.password.setText(PASSWORD)
        await dialog.save()
        assert memory_keyring.passwords[_entry()] == PASSWORD
        assert threads and threading.main_thread() not in threads  # a worker thread, never the GUI's
        assert [s.team_url for s in saved] == [LOCAL_URL] and PASSWORD not in repr(saved)
        assert dialog.team.password.text() == "" and PASSWORD not in caplog.text
    finally:
        await dispose(dialog)


async def test_an_empty_password_field_keeps_the_saved_password(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.passwords[_entry()] = "the old one"
    dialog = SettingsDialog(Settings(team_url=LOCAL_URL), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        assert dialog.team.password.text() == "" and dialog.team.password.placeholderText()
        await dialog.save()
        assert memory_keyring.passwords[_entry()] == "the old one" and len(saved) == 1
    finally:
        await dispose(dialog)


async def test_show_reveals_the_password_and_hide_masks_it_again(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(), KeyStore())
    try:
        dialog.team.show_password.setChecked(True)
        assert dialog.team.password.echoMode() is QLineEdit.EchoMode.Normal
        assert dialog.team.show_password.text() == "Hide"
        dialog.team.show_password.setChecked(False)
        assert dialog.team.password.echoMode() is QLineEdit.EchoMode.Password
        assert dialog.team.show_password.text() == "Show"
    finally:
        await dispose(dialog)


async def test_without_a_secure_keyring_the_field_says_to_use_pgpassword(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(), KeyStore(backend=null.Keyring()))
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        assert not dialog.team.password.isEnabled() and not dialog.team.show_password.isEnabled()
        assert "PGPASSWORD" in dialog.team.hint.text()
        dialog.team.url.setText(LOCAL_URL)
        await dialog.save()
        assert [s.team_url for s in saved] == [LOCAL_URL] and memory_keyring.passwords == {}
    finally:
        await dispose(dialog)


async def test_a_keyring_that_fails_keeps_the_dialog_open_with_the_reason(memory_keyring: MemoryKeyring) -> None:
    def locked(service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    memory_keyring.set_password = locked  # type: ignore[method-assign]
    dialog = SettingsDialog(Settings(), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        dialog.team.url.setText(LOCAL_URL)
        dialog.team.password.setText(PASSWORD)
        await dialog.save()
        error = dialog.team.error.text()
        assert saved == [] and dialog.isVisible()
        assert "not saved" in error and "locked" in error and "PGPASSWORD" in error and PASSWORD not in error
        assert dialog.team.password.text() == PASSWORD and dialog.team.password.isEnabled()  # to try again
    finally:
        await dispose(dialog)


async def test_a_password_without_a_url_is_refused(memory_keyring: MemoryKeyring) -> None:
    dialog = SettingsDialog(Settings(), KeyStore())
    saved: list[Settings] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    try:
        dialog.team.password.setText(PASSWORD)
        await dialog.save()
        assert saved == [] and "team URL" in dialog.team.error.text() and memory_keyring.passwords == {}
    finally:
        await dispose(dialog)
