"""First launch: paste a key (kept in the keyring) or try the simulator."""

from __future__ import annotations

from tests.conftest import MemoryKeyring
from tests.ui.fixtures_player import dispose
from veo_desktop.secrets import KeyStore
from veo_desktop.ui.dialogs.welcome import WelcomePanel

KEY = "AIzaSyTESTtestTEST0123456789abcdefghijk"


async def test_a_pasted_key_is_saved_then_announced(memory_keyring: MemoryKeyring) -> None:
    panel = WelcomePanel(KeyStore())
    entered: list[str] = []
    panel.keyEntered.connect(entered.append)
    try:
        assert not panel.continue_button.isEnabled()
        panel.key_edit.setText(KEY)
        assert panel.continue_button.isEnabled()
        panel.continue_button.click()
        await panel.wait_idle()
        assert entered == [KEY]
        assert memory_keyring.passwords[("veo-desktop", "api-key")] == KEY
    finally:
        await dispose(panel)


async def test_a_malformed_key_is_refused_inline(memory_keyring: MemoryKeyring) -> None:
    panel = WelcomePanel(KeyStore())
    entered: list[str] = []
    panel.keyEntered.connect(entered.append)
    panel.key_edit.setText("not a key")
    panel.key_edit.returnPressed.emit()
    await panel.wait_idle()
    assert entered == [] and not panel.error.isHidden()
    assert memory_keyring.passwords == {}
    await dispose(panel)


def test_the_simulator_button(qtbot, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    panel = WelcomePanel(KeyStore())
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.simulatorChosen, timeout=1000):
        panel.simulator_button.click()
    assert panel.simulator_button.accessibleName()


def test_enter_with_no_key_chooses_the_simulator(qtbot, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    from veo_desktop.secrets import KeyStore
    from veo_desktop.ui.dialogs.welcome import WelcomePanel
    from veo_desktop.ui.support.style import app_icon

    panel = WelcomePanel(KeyStore(backend=memory_keyring), app_icon())
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.simulatorChosen, timeout=2000):
        panel.key_edit.returnPressed.emit()


async def test_the_kind_of_key_is_asked_first(memory_keyring: MemoryKeyring) -> None:
    panel = WelcomePanel(KeyStore(), provider="vertex")
    try:
        assert panel.provider() == "vertex" and "Veo 3.1" in panel.provider_hint.text()
        panel.provider_combo.setCurrentIndex(panel.provider_combo.findData("gemini"))
        assert panel.provider() == "gemini"
        assert "Gemini Omni Flash, not Veo" in panel.provider_hint.text()
        assert 'href="https://aistudio.google.com/apikey"' in panel.provider_hint.text()
    finally:
        await dispose(panel)


async def test_a_google_cloud_project_needs_no_api_key(memory_keyring: MemoryKeyring) -> None:
    panel = WelcomePanel(KeyStore(), provider="vertex-project")
    chosen: list[bool] = []
    panel.projectChosen.connect(lambda: chosen.append(True))
    try:
        assert panel.project_area.isVisibleTo(panel) and not panel.key_area.isVisibleTo(panel)
        panel.project_box.project.setText("Not A Project!")
        panel.project_button.click()
        assert chosen == [] and "project id" in panel.project_error.text()
        panel.project_box.project.setText("my-project-123")
        panel.project_button.click()
        assert chosen == [True]
        assert panel.project_values() == ("my-project-123", "us-central1", "")  # no key file: ADC
        panel.provider_combo.setCurrentIndex(panel.provider_combo.findData("vertex"))
        assert panel.key_area.isVisibleTo(panel) and not panel.project_area.isVisibleTo(panel)
    finally:
        await dispose(panel)
