"""First launch without a key: say which key you have (`providers`), paste it (kept with the KeyStore), or try
the free offline simulator."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.settings import Settings
from veo_desktop.ui.dialogs.key_actions import KeyStoreLike, ServiceAccountsLike, store_key
from veo_desktop.ui.dialogs.project_box import ProjectBox
from veo_desktop.ui.dialogs.providers import choice_for, provider_choices
from veo_desktop.ui.support.style import message_label, show_message
from veo_desktop.ui.support.tasks import TaskKeeper


class WelcomePanel(QWidget):
    """Emits `keyEntered(key)` once the key is stored (`provider()` says which kind it is), or
    `simulatorChosen()`."""

    keyEntered = Signal(str)
    projectChosen = Signal()  # a Google Cloud project: `project_values()` says which
    simulatorChosen = Signal()

    def __init__(
        self,
        key_store: KeyStoreLike,
        icon: QIcon | None = None,
        parent: QWidget | None = None,
        *,
        provider: str = "gemini",  # an AI Studio key is the key most people have
        service_accounts: ServiceAccountsLike | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePanel")
        self._store = key_store
        self._tasks = TaskKeeper()
        card = QFrame(self)
        card.setObjectName("welcomeCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        column = QVBoxLayout(card)
        column.setSpacing(12)
        column.setContentsMargins(32, 28, 32, 28)
        if icon is not None and not icon.isNull():
            logo = QLabel(card)
            logo.setPixmap(icon.pixmap(64, 64))
            logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            logo.setMinimumHeight(68)  # the word-wrapped labels below would otherwise squeeze it
            column.addWidget(logo)
        title = QLabel(self.tr("Welcome to Veo Desktop"), card)
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        subtitle = QLabel(
            self.tr(
                "Queue videos made by Google (Veo, or Gemini Omni Flash with an AI Studio key), watch them "
                "finish and keep every video in one library. To start, say which key you have and paste it."
            ),
            card,
        )
        subtitle.setWordWrap(True)
        subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(8)
        column.addLayout(self._provider_row(card, provider))
        self.key_area = QWidget(card)
        keys = QVBoxLayout(self.key_area)
        keys.setContentsMargins(0, 0, 0, 0)
        keys.setSpacing(12)
        keys.addLayout(self._key_row(self.key_area))
        keys.addWidget(self._backend_note(self.key_area))
        self.session_only = QCheckBox(self.tr("Keep the key for this session only"), self.key_area)
        self.session_only.setAccessibleName(self.tr("Keep the key for this session only"))
        self.session_only.setChecked(not key_store.is_secure())
        self.session_only.setEnabled(key_store.is_secure())
        keys.addWidget(self.session_only)
        column.addWidget(self.key_area)
        column.addWidget(self._project_area(card, service_accounts))
        self._on_provider()
        self.error = message_label(card)
        column.addWidget(self.error)
        column.addSpacing(8)
        column.addWidget(self._simulator_row(card))

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 5)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setFocusProxy(self.key_edit)

    def _provider_row(self, parent: QWidget, provider: str) -> QVBoxLayout:
        self.provider_combo = QComboBox(parent)
        for choice in provider_choices():
            self.provider_combo.addItem(choice.title, choice.provider)
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(provider)))
        self.provider_combo.setAccessibleName(self.tr("What you have"))
        self.provider_hint = QLabel(parent)
        self.provider_hint.setObjectName("hintMessage")
        self.provider_hint.setWordWrap(True)
        self.provider_hint.setOpenExternalLinks(True)
        self.provider_combo.currentIndexChanged.connect(lambda _i: self._on_provider())
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(QLabel(self.tr("I have:"), parent))
        row.addWidget(self.provider_combo, 1)
        column = QVBoxLayout()
        column.setSpacing(6)
        column.addLayout(row)
        column.addWidget(self.provider_hint)
        return column

    def provider(self) -> str:
        """The provider of the key: what the person said they have."""
        return str(self.provider_combo.currentData())

    def _on_provider(self) -> None:
        choice = choice_for(self.provider())
        explanation = choice.explanation.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.provider_hint.setText(f"{explanation} {choice.link}")
        if hasattr(self, "project_area"):  # not yet while the panel is being built
            project = self.provider() == "vertex-project"
            self.key_area.setVisible(not project)
            self.project_area.setVisible(project)

    def _project_area(self, parent: QWidget, accounts: ServiceAccountsLike | None) -> QWidget:
        self.project_area = QWidget(parent)
        self.project_box = ProjectBox(accounts, parent=self.project_area)
        self.project_button = QPushButton(self.tr("Start with this project"), self.project_area)
        self.project_button.setObjectName("primaryButton")
        self.project_button.setAccessibleName(self.tr("Start with this project"))
        self.project_error = message_label(self.project_area)
        self.project_button.clicked.connect(self._choose_project)
        column = QVBoxLayout(self.project_area)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.project_box)
        column.addWidget(self.project_button)
        column.addWidget(self.project_error)
        return self.project_area

    def _choose_project(self) -> None:
        project, region, _email = self.project_values()
        try:
            replace(Settings(), provider="vertex-project", project=project, region=region).validated()
        except ValueError as exc:  # a mistyped project id or region: said here, nothing starts
            show_message(self.project_error, str(exc))
            return
        show_message(self.project_error, "")
        self.projectChosen.emit()

    def project_values(self) -> tuple[str, str, str]:
        """(project, region, service-account e-mail) for `vertex-project`."""
        return self.project_box.values()

    def _key_row(self, parent: QWidget) -> QVBoxLayout:
        self.key_edit = QLineEdit(parent)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Paste your API key, or press Enter to try the simulator"))
        self.key_edit.setAccessibleName(self.tr("API key"))
        self.key_edit.setClearButtonEnabled(True)
        self.key_edit.textChanged.connect(self._on_text)
        self.key_edit.returnPressed.connect(self._submit)
        self.show_key = QPushButton(self.tr("Show"), parent)
        self.show_key.setCheckable(True)
        self.show_key.setAccessibleName(self.tr("Show the API key"))
        self.show_key.toggled.connect(self._on_show)
        self.continue_button = QPushButton(self.tr("Save key and start"), parent)
        self.continue_button.setObjectName("primaryButton")
        self.continue_button.setAccessibleName(self.tr("Save key and start"))
        self.continue_button.setDefault(True)
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(self._submit)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.show_key)
        column = QVBoxLayout()
        column.setSpacing(8)
        column.addLayout(row)
        column.addWidget(self.continue_button)
        return column

    def _backend_note(self, parent: QWidget) -> QLabel:
        if self._store.is_secure():
            text = self.tr("Your key stays on this computer, in %1.").replace("%1", self._store.backend_name())
            name = "hintMessage"
        else:
            text = self.tr(
                "No secure keyring was found on this computer, so your key will be kept in memory for this "
                "session only. You will need to paste it again next time."
            )
            name = "warningMessage"
        note = QLabel(text, parent)
        note.setObjectName(name)
        note.setWordWrap(True)
        return note

    def _simulator_row(self, parent: QWidget) -> QWidget:
        box = QFrame(parent)
        box.setObjectName("simulatorBox")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        text = QLabel(
            self.tr("No key yet? Explore everything with the built-in simulator: no account, no cost, no internet."),
            box,
        )
        text.setWordWrap(True)
        self.simulator_button = QPushButton(self.tr("Try the simulator (free, offline)"), box)
        self.simulator_button.setAccessibleName(self.tr("Try the simulator (free, offline)"))
        self.simulator_button.clicked.connect(self.simulatorChosen)
        column.addWidget(text)
        column.addWidget(self.simulator_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    # --- actions ------------------------------------------------------------------------------------------

    def _on_text(self, text: str) -> None:
        self.continue_button.setEnabled(bool(text.strip()))
        show_message(self.error, "")

    def _on_show(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key.setText(self.tr("Hide") if shown else self.tr("Show"))

    def _submit(self) -> None:
        """Enter: save the pasted key; with nothing pasted, the local default is the simulator."""
        if self.key_edit.text().strip():
            self._tasks.start("save", self.save_key())
        else:
            self.simulatorChosen.emit()

    async def save_key(self) -> None:
        key = self.key_edit.text().strip()
        self.continue_button.setEnabled(False)
        self.key_edit.setReadOnly(True)
        try:
            error = await store_key(self._store, key, session_only=self.session_only.isChecked())
        finally:
            self.key_edit.setReadOnly(False)
            self.continue_button.setEnabled(bool(self.key_edit.text().strip()))
        if error:
            show_message(self.error, error)
            return
        self.keyEntered.emit(key)

    async def wait_idle(self) -> None:
        """For tests: wait until a save in progress has finished."""
        await self._tasks.wait_idle()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._tasks.close()
        self.project_box.shutdown()
        super().closeEvent(event)
