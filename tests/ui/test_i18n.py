"""Translations: the Portuguese catalogue is complete, and installing it translates the widgets."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.paths import resources_dir
from veo_desktop.settings import Settings
from veo_desktop.ui.dialogs.settings import SettingsDialog
from veo_desktop.ui.media.player import PlayerPanel
from veo_desktop.ui.queue.model import COL_COST, COL_STATUS
from veo_desktop.ui.support.i18n import install_translator, money_text, number_text, resolve_language

TS = resources_dir() / "i18n" / "veo_desktop_pt_BR.ts"
REQ = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="um farol ao anoitecer", resolution="720p")


class _NoKeyStore:
    session_only = False

    def backend_name(self) -> str:
        return "Test keyring"

    def is_secure(self) -> bool:
        return True

    def get(self) -> str | None:
        return None

    def set(self, key: str, *, session_only: bool = False) -> None: ...

    def delete(self) -> None: ...


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[None]:
    translator = install_translator(qapp, "pt_BR")
    assert translator is not None
    try:
        yield
    finally:
        for child in translator.children():
            qapp.removeTranslator(child)  # type: ignore[arg-type]
        qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale.c())


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("pt_BR", "en_US", "pt_BR"),
        ("en", "pt_BR", "en"),
        ("", "pt_BR", "pt_BR"),
        ("", "pt_PT", "pt_BR"),
        ("", "de_DE", "en"),
    ],
)
def test_resolve_language(setting: str, system: str, expected: str) -> None:
    assert resolve_language(setting, QLocale(system)) == expected


def test_english_installs_nothing(qapp: QApplication) -> None:
    assert install_translator(qapp, "en") is None
    QLocale.setDefault(QLocale.c())


def test_the_catalogue_is_complete() -> None:
    root = ET.parse(TS).getroot()  # noqa: S314 (our own file)
    messages = list(root.iter("message"))
    assert len(messages) > 200
    unfinished = [m.findtext("source") for m in messages if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []
    assert (TS.with_suffix(".qm")).is_file()


def test_translations_keep_their_placeholders() -> None:
    spec = importlib.util.spec_from_file_location(
        "translations_pt_BR", resources_dir().parent / "scripts" / "translations_pt_BR.py"
    )
    if spec is None or spec.loader is None or not spec.origin or "scripts" not in spec.origin:
        pytest.skip("not a source checkout")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.check_placeholders(module.PT_BR) == []


def test_widgets_speak_portuguese(portuguese: None) -> None:
    dialog = SettingsDialog(Settings(), _NoKeyStore())
    assert dialog.windowTitle() == "Configurações"
    assert "Test keyring" in dialog.backend_label.text() and "guardada" in dialog.backend_label.text()
    panel = PlayerPanel()
    assert panel._message.text() == "Selecione um vídeo concluído para assisti-lo aqui."
    # Strings lupdate files under no class (`tr = self.tr` aliases) are found through the empty context.
    assert QCoreApplication.translate("ComposePanel", "New video") == "Novo vídeo"
    dialog.deleteLater()
    panel.deleteLater()


async def test_the_whole_window_speaks_portuguese(portuguese: None, qtbot, fake_engine, window_state) -> None:
    """Every way a string is marked must be found at run time: `self.tr` in each class (not through a
    `tr = self.tr` alias, which lupdate files under no class), and the module-level `tr()` of status texts."""
    from veo_desktop.ui.main_window import MainWindow
    from veo_desktop.ui.queue import status_text

    window = MainWindow(fake_engine, window_state=window_state)
    qtbot.addWidget(window)
    assert window.menuBar().actions()[0].text() == "&Arquivo"
    assert window.compose.negative.placeholderText() == "O que evitar (opcional)"
    assert window.compose.choices.aspect.accessibleName() == "Proporção"
    assert window.queue.job_actions.act_try_again.text() == "Tentar de novo"
    assert status_text.tr("In the queue — position %1") == "Na fila — posição %1"
    # Money and counts the Brazilian way (a no-break space after the symbol, dots between thousands).
    assert window.compose.cost.text() == "Custo: US$\xa00,80"
    assert window.compose._counter.text() == "0 / 4.096"
    [job] = await fake_engine.submit(REQ, 1)
    fake_engine.fail(job.id, "")
    await until(lambda: window.queue.model.rowCount() == 1 and "Falhou" in _status(window, 0))
    assert _status(window, 0) == "Falhou: o Google não conseguiu fazer este vídeo"
    assert window.queue.model.index(0, COL_COST).data() == "US$\xa00,80 · reembolsado"
    await window.aclose()


def _status(window, row: int) -> str:  # type: ignore[no-untyped-def]
    return str(window.queue.model.index(row, COL_STATUS).data())


def test_money_and_counts_follow_the_locale(portuguese: None) -> None:
    assert (money_text(800_000), money_text(12_500), number_text(10_000)) == ("US$\xa00,80", "US$\xa00,0125", "10.000")
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert (money_text(800_000), money_text(-400_000), number_text(4096)) == ("$0.80", "-$0.40", "4,096")
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert money_text(1_250_000) == "1,25\xa0US$"
    QLocale.setDefault(QLocale.c())  # a bare process: US English
    assert (money_text(3_000_000), number_text(4096)) == ("$3.00", "4,096")


def test_no_string_is_filed_under_a_variable_name() -> None:
    """`box.tr("...")` is filed by lupdate under the context "box", but looked up as "QMessageBox"."""
    root = ET.parse(TS).getroot()  # noqa: S314 (our own file)
    contexts = {c.findtext("name") or "" for c in root.iter("context")}
    assert all(name == "" or name[0].isupper() for name in contexts), contexts
