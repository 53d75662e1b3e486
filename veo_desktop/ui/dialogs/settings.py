"""The settings dialog: which key the person has (the provider, named by the key: `providers`), the key
itself (with "Test key" for that provider, and where it is kept), queue limits, budget, library folder,
language and notifications.

Open it with `.open()` (never `.exec()`: a nested event loop breaks qasync). Saving is asynchronous: the key
(and a team database password typed in Settings → Team) is written to the keyring in a worker thread, then
`saved(Settings)` is emitted (the caller persists it with `save_settings`) and, if the key changed,
`keyChanged()`. Every problem is shown inline, next to its field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.settings import Settings
from veo_desktop.ui.dialogs.key_actions import KeyStoreLike, ServiceAccountsLike, forget_key, store_key
from veo_desktop.ui.dialogs.project_box import ProjectBox
from veo_desktop.ui.dialogs.providers import choice_for, provider_choices
from veo_desktop.ui.dialogs.team_group import TeamGroup
from veo_desktop.ui.support.style import ROLE_ERROR, ROLE_HINT, ROLE_OK, message_label, show_message
from veo_desktop.ui.support.tasks import TaskKeeper

TestKey = Callable[[str, Settings], Awaitable[Sequence[str]]]  # (key, the form's settings) -> the models it can use
TEST_KEY_TIMEOUT_S = 30.0
LANGUAGES = (("English", "en"), ("Português (Brasil)", "pt_BR"))  # each in its own language


def _buddy_label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    """A form label whose mnemonic (&K) focuses `buddy`, for rows whose field is a layout (no automatic buddy)."""
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


class SettingsDialog(QDialog):
    saved = Signal(Settings)
    keyChanged = Signal()

    def __init__(
        self,
        settings: Settings,
        key_store: KeyStoreLike,
        test_key: TestKey | None = None,
        parent: QWidget | None = None,
        *,
        service_accounts: ServiceAccountsLike | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 42)
        self._settings = settings
        self._store = key_store
        self._test_key = test_key
        self._accounts = service_accounts
        self._original_key = key_store.get() or ""
        self._tasks = TaskKeeper()
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_key_group())
        layout.addWidget(self._build_queue_group())
        layout.addWidget(self._build_app_group())
        self.team = TeamGroup(self, keyring_secure=key_store.is_secure(), keyring_name=key_store.backend_name())
        layout.addWidget(self.team)
        self.form_error = message_label(self)
        layout.addWidget(self.form_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(lambda: self._tasks.start("save", self.save()))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._load(settings)

    # --- construction ---------------------------------------------------------------------------------

    def _build_key_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("API key"), self)
        form = QFormLayout(group)
        self.provider = QComboBox(group)
        for choice in provider_choices():
            self.provider.addItem(choice.title, choice.provider)
        self.provider.setAccessibleName(self.tr("What you have"))
        self.provider.currentIndexChanged.connect(lambda _i: self._on_provider())
        form.addRow(self.tr("&I have:"), self.provider)
        self.provider_hint = QLabel(group)
        self.provider_hint.setObjectName("hintMessage")
        self.provider_hint.setWordWrap(True)
        self.provider_hint.setOpenExternalLinks(True)
        form.addRow(self.provider_hint)
        self.key_edit = QLineEdit(self._original_key, group)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Paste your API key"))
        self.key_edit.setAccessibleName(self.tr("API key"))
        self.show_key = QPushButton(self.tr("Show"), group)
        self.show_key.setCheckable(True)
        self.show_key.setAccessibleName(self.tr("Show the API key"))
        self.show_key.toggled.connect(self._on_show_key)
        self.test_button = QPushButton(self.tr("Test key"), group)
        self.test_button.setAccessibleName(self.tr("Test the API key"))
        self.test_button.setEnabled(self._test_key is not None)
        self.test_button.clicked.connect(lambda: self._tasks.start("test", self.test()))
        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.show_key)
        row.addWidget(self.test_button)
        form.addRow(_buddy_label(self.tr("&Key:"), self.key_edit, group), row)
        s = self._settings
        self.project_box = ProjectBox(
            self._accounts, project=s.project, region=s.region, email=s.service_account_email, parent=group
        )
        form.addRow(self.project_box)
        self.test_project = QPushButton(self.tr("Test the project"), group)
        self.test_project.setEnabled(self._test_key is not None)
        self.test_project.clicked.connect(lambda: self._tasks.start("test", self.test()))
        form.addRow("", self.test_project)
        self.key_result = message_label(group, ROLE_HINT)
        form.addRow(self.key_result)
        self._key_form = form
        self._key_rows: list[QWidget | QLayout] = [row]
        self._project_rows: list[QWidget | QLayout] = [self.project_box, self.test_project]

        secure = self._store.is_secure()
        self.backend_label = QLabel(group)
        self.backend_label.setWordWrap(True)
        self.backend_label.setObjectName("hintMessage" if secure else "warningMessage")
        if secure:
            self.backend_label.setText(self.tr("Your key is kept in %1.").replace("%1", self._store.backend_name()))
        else:
            self.backend_label.setText(
                self.tr(
                    "No secure keyring was found on this computer, so your key cannot be saved safely. "
                    "It will be kept in memory for this session only: paste it again next time."
                )
            )
        form.addRow(self.tr("Stored in:"), self.backend_label)
        self.session_only = QCheckBox(self.tr("Keep the key for this session only"), group)
        self.session_only.setAccessibleName(self.tr("Keep the key for this session only"))
        self.session_only.setChecked(self._store.session_only or not secure)
        self.session_only.setEnabled(secure)
        form.addRow("", self.session_only)
        self._key_rows += [self.backend_label, self.session_only]
        return group

    def _build_queue_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Generation"), self)
        form = QFormLayout(group)
        self.slots = QSpinBox(group)
        self.slots.setRange(1, 10)
        self.slots.setAccessibleName(self.tr("Slots"))
        self.slots.setToolTip(self.tr("How many videos are generated at the same time."))
        form.addRow(self.tr("&Slots:"), self.slots)
        self.starts_per_minute = QSpinBox(group)
        self.starts_per_minute.setRange(0, 100)
        self.starts_per_minute.setSpecialValueText(self.tr("No limit"))
        self.starts_per_minute.setAccessibleName(self.tr("Starts per minute"))
        self.starts_per_minute.setToolTip(self.tr("At most this many new videos start each minute."))
        form.addRow(self.tr("Starts per &minute:"), self.starts_per_minute)
        self.budget = QLineEdit(group)
        self.budget.setPlaceholderText(self.tr("No budget"))
        self.budget.setAccessibleName(self.tr("Daily budget in US dollars"))
        self.budget.setToolTip(self.tr("New videos are refused once today's spending would pass this amount."))
        form.addRow(self.tr("Daily &budget (USD):"), self.budget)
        self.budget_error = message_label(group)
        form.addRow(self.budget_error)
        return group

    def _build_app_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Library and app"), self)
        form = QFormLayout(group)
        self.library_dir = QLineEdit(group)
        self.library_dir.setPlaceholderText(self.tr("The Videos folder (default)"))
        self.library_dir.setAccessibleName(self.tr("Library folder"))
        choose = QPushButton(self.tr("Choose…"), group)
        choose.setAccessibleName(self.tr("Choose the library folder"))
        choose.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.library_dir, 1)
        row.addWidget(choose)
        form.addRow(_buddy_label(self.tr("&Library folder:"), self.library_dir, group), row)
        self.library_error = message_label(group)
        form.addRow(self.library_error)
        self.language = QComboBox(group)
        self.language.addItem(self.tr("System default"), "")
        for label, value in LANGUAGES:
            self.language.addItem(label, value)
        self.language.setAccessibleName(self.tr("Language"))
        form.addRow(self.tr("Lan&guage:"), self.language)
        self.language_hint = message_label(group, ROLE_HINT)
        self.language.currentIndexChanged.connect(self._on_language)
        form.addRow(self.language_hint)
        self.notifications = QCheckBox(self.tr("Notify me when videos finish or fail"), group)
        self.notifications.setAccessibleName(self.tr("Notifications"))
        form.addRow("", self.notifications)
        return group

    def _load(self, settings: Settings) -> None:
        self.provider.setCurrentIndex(max(0, self.provider.findData(settings.provider)))
        self._on_provider()
        self.slots.setValue(settings.max_in_flight)
        self.starts_per_minute.setValue(settings.max_starts_per_minute)
        budget = settings.daily_budget_usd
        self.budget.setText("" if budget is None else f"{budget:g}")
        self.library_dir.setText(settings.library_dir)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.notifications.setChecked(settings.notifications)
        self.team.load(settings.team_url)

    # --- reading the form -----------------------------------------------------------------------------

    def settings(self) -> Settings | None:
        """The settings in the form, or None after showing what is wrong next to each field."""
        ok = True
        budget_text = self.budget.text().strip().replace(",", ".").lstrip("$")
        budget: float | None = None
        show_message(self.budget_error, "")
        if budget_text:
            try:
                budget = float(budget_text)
            except ValueError:
                budget = None
            if budget is None or budget < 0 or budget != budget or budget == float("inf"):
                show_message(self.budget_error, self.tr("Enter an amount such as 20 or 12.50, or leave it empty."))
                ok = False
        folder = self.library_dir.text().strip()
        show_message(self.library_error, "")
        if folder and not Path(folder).expanduser().is_absolute():
            show_message(self.library_error, self.tr("Choose a full folder path, or leave it empty."))
            ok = False
        team_url = self.team.value()
        if not ok or team_url is None:
            return None
        project, region, email = self.project_box.values()
        candidate = replace(
            self._settings,
            provider=self.provider.currentData(),
            project=project,
            region=region,
            service_account_email=email,
            max_in_flight=self.slots.value(),
            max_starts_per_minute=self.starts_per_minute.value(),
            daily_budget_usd=budget,
            library_dir=str(Path(folder).expanduser()) if folder else "",
            language=self.language.currentData(),
            notifications=self.notifications.isChecked(),
            team_url=team_url,
        )
        try:
            return candidate.validated()
        except ValueError as exc:
            show_message(self.form_error, str(exc))
            return None

    # --- async actions (each ignores clicks while it runs) ---------------------------------------------

    def _project_mode(self) -> bool:
        return bool(self.provider.currentData() == "vertex-project")

    async def test(self) -> None:
        key = self.key_edit.text().strip()
        if self._test_key is None:
            return
        if not key and not self._project_mode():
            show_message(self.key_result, self.tr("Paste a key first, then test it."), ROLE_ERROR)
            return
        candidate = self.settings()
        if candidate is None:
            return
        self.test_button.setEnabled(False)
        self.test_project.setEnabled(False)
        self.test_button.setText(self.tr("Testing…"))
        show_message(self.key_result, self.tr("Asking Google which models this key can use…"), ROLE_HINT)
        try:
            models = await asyncio.wait_for(self._test_key(key, candidate), TEST_KEY_TIMEOUT_S)
        except TimeoutError:
            show_message(
                self.key_result, self.tr("No answer from Google after 30 seconds. Check your connection."), ROLE_ERROR
            )
        except Exception as exc:  # the client's errors carry a message for people
            show_message(self.key_result, self.tr("The key did not work: %1").replace("%1", str(exc)), ROLE_ERROR)
        else:
            names = ", ".join(sorted(models)[:6]) + (" …" if len(models) > 6 else "")
            text = (
                self.tr("The key works. Models available: %1").replace("%1", names)
                if models
                else self.tr("The key works, but it has no video models. Check what kind of key it is, above.")
            )
            show_message(self.key_result, text, ROLE_OK if models else ROLE_ERROR)
        finally:
            self.test_button.setText(self.tr("Test key"))
            self.test_project.setEnabled(True)
            self.test_button.setEnabled(True)

    async def save(self) -> None:
        show_message(self.form_error, "")
        settings = self.settings()
        if settings is None:
            return
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setEnabled(False)
        try:
            key_changed = await self._apply_key()
            password_saved = key_changed is not None and await self.team.save_password(settings.team_url)
        finally:
            save_button.setEnabled(True)
        if key_changed is None or not password_saved:
            return
        self.saved.emit(settings)
        if key_changed:
            self.keyChanged.emit()
        self.accept()

    async def _apply_key(self) -> bool | None:
        """Store, replace or forget the key. True if it changed, False if not, None on failure (shown)."""
        key = self.key_edit.text().strip()
        session_only = self.session_only.isChecked()
        if key == self._original_key and session_only == self._store.session_only:
            return False
        if key:
            error = await store_key(self._store, key, session_only=session_only)
        else:
            error = await forget_key(self._store)
        if error:
            show_message(self.key_result, error, ROLE_ERROR)
            return None
        return True

    # --- small slots ---------------------------------------------------------------------------------------

    def _on_show_key(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key.setText(self.tr("Hide") if shown else self.tr("Show"))

    def _on_provider(self) -> None:
        choice = choice_for(self.provider.currentData() or "")
        self.provider_hint.setText(f"{_escape(choice.explanation)} {choice.link}")
        show_message(self.key_result, "")  # a test result was for the other kind of key
        project = self._project_mode()
        for item in self._key_rows:
            self._key_form.setRowVisible(item, not project)
        for item in self._project_rows:
            self._key_form.setRowVisible(item, project)

    def _on_language(self) -> None:
        changed = self.language.currentData() != self._settings.language
        show_message(
            self.language_hint, self.tr("The new language applies the next time Veo Desktop starts.") if changed else ""
        )

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose the library folder"), self.library_dir.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.library_dir.setText)
        dialog.open()

    def done(self, result: int) -> None:
        """Closing stops a running key test (a finishing save is what closes the dialog)."""
        task = self._tasks.task("test")
        if task is not None:
            task.cancel()
        self.project_box.shutdown()
        super().done(result)

    async def wait_idle(self) -> None:
        """For tests: wait until the running test or save has finished."""
        await self._tasks.wait_idle()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
