"""Settings → Team: the team URL is saved as given, a URL with a password or an unverified remote host is
refused next to the field (nothing saved), and an empty field means the local queue."""

from __future__ import annotations

from tests.conftest import MemoryKeyring
from tests.ui.fixtures_player import dispose
from veo_desktop.secrets import KeyStore
from veo_desktop.settings import Settings
from veo_desktop.ui.dialogs.settings import SettingsDialog

LOCAL_URL = "postgresql://ana@127.0.0.1:5432/veo"


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
