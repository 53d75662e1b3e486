"""A Google Cloud project for Vertex AI: the project id, the region, and who signs in — a service account's
JSON key file, imported into the OS keyring (only its e-mail address goes into the settings), or, without
one, Application Default Credentials (`gcloud auth application-default login`).

The key file is imported when it is chosen (in a worker thread: keyring calls can block), so a bad file is
refused at once, next to the button. Shared by the settings dialog and the welcome panel.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from veo_desktop.settings import DEFAULT_REGION
from veo_desktop.ui.dialogs.key_actions import ServiceAccountsLike, forget_key_file, import_key_file
from veo_desktop.ui.support.style import ROLE_ERROR, message_label, show_message
from veo_desktop.ui.support.tasks import TaskKeeper


class ProjectBox(QWidget):
    changed = Signal()

    def __init__(
        self,
        accounts: ServiceAccountsLike | None,
        *,
        project: str = "",
        region: str = DEFAULT_REGION,
        email: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._email = email
        self.tasks = TaskKeeper()
        self._dialog: QFileDialog | None = None
        self.project = QLineEdit(project, self)
        self.project.setPlaceholderText(self.tr("The key file's project (optional)"))
        self.project.setAccessibleName(self.tr("Google Cloud project"))
        self.region = QLineEdit(region, self)
        self.region.setPlaceholderText(DEFAULT_REGION)
        self.region.setAccessibleName(self.tr("Region"))
        self.signer = QLabel(self)
        self.signer.setWordWrap(True)
        self.signer.setObjectName("hintMessage")
        self.choose = QPushButton(self.tr("Choose key file…"), self)
        self.choose.setAccessibleName(self.tr("Choose the service account's JSON key file"))
        self.choose.setEnabled(accounts is not None)
        self.forget = QPushButton(self.tr("Forget"), self)
        self.forget.setAccessibleName(self.tr("Forget the service account's key"))
        self.error = message_label(self, ROLE_ERROR)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose)
        buttons.addWidget(self.forget)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Pro&ject:"), self.project)
        form.addRow(self.tr("&Region:"), self.region)
        form.addRow(self.tr("Signed in by:"), self.signer)
        form.addRow("", buttons)
        form.addRow(self.error)
        self.choose.clicked.connect(self.open_dialog)
        self.forget.clicked.connect(lambda: self.tasks.start("key-file", self._forget()))
        self._show_signer()

    def email(self) -> str:
        """The imported service account's e-mail address ("" = Application Default Credentials)."""
        return self._email

    def values(self) -> tuple[str, str, str]:
        """(project, region, service-account e-mail) as typed and imported."""
        return self.project.text().strip(), self.region.text().strip() or DEFAULT_REGION, self._email

    def open_dialog(self) -> None:
        """Non-blocking: QFileDialog.open(), never exec()."""
        if self._dialog is None:
            self._dialog = QFileDialog(self, self.tr("Choose the service account's JSON key file"))
            self._dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            self._dialog.setNameFilter(self.tr("JSON key files (*.json);;All files (*)"))
            self._dialog.fileSelected.connect(self.import_file)
        self._dialog.open()

    def import_file(self, path: str) -> None:
        self.tasks.start("key-file", self._import(path), replace=True)

    async def _import(self, path: str) -> None:
        if self._accounts is None:
            return
        show_message(self.error, "")
        self.choose.setEnabled(False)
        try:
            email, error = await import_key_file(self._accounts, path)
        finally:
            self.choose.setEnabled(True)
        if error is not None or email is None:
            show_message(self.error, error or "")
            return
        self._email = email
        self._show_signer()
        self.changed.emit()

    async def _forget(self) -> None:
        if self._accounts is not None:
            error = await forget_key_file(self._accounts)
            if error:
                show_message(self.error, error)
                return
        self._email = ""
        self._show_signer()
        self.changed.emit()

    def _show_signer(self) -> None:
        if self._email:
            where = (
                self.tr("kept in your system keyring")
                if self._accounts is not None and self._accounts.is_secure()
                else self.tr("kept in memory for this session only")
            )
            text = self.tr("the service account %1 (its key %2)")
            self.signer.setText(text.replace("%1", self._email).replace("%2", where))
        else:
            self.signer.setText(
                self.tr(
                    "Application Default Credentials (gcloud auth application-default login), or choose a key file."
                )
            )
        self.forget.setEnabled(bool(self._email))

    def shutdown(self) -> None:
        self.tasks.close()
