"""Settings → Team: the studio's queue this desktop joins (postgresql://NAME@HOST/DB), checked as
`veo-desktop-cli team join` checks it (no password in the URL, TLS verified for a host on another machine),
and the database password. Empty URL means this desktop's own local queue. The store is opened at start, so a
change applies at the next start.

The password never goes in settings or logs: it is saved in the OS keyring under the entry `team join` uses
(`team_service.save_password`, in a worker thread: a keyring call can block on D-Bus or an unlock prompt),
registered with `logsafe`, and the field is cleared once it is saved. An empty password field keeps the saved
password. Without a secure keyring (the API key's rules: the dialog's key store says) the field is disabled
and the hint says to set PGPASSWORD instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from veo_desktop import team_service
from veo_desktop.ui.support.style import ROLE_HINT, ROLE_WARNING, message_label, show_message

SavePassword = Callable[[str, str], str]  # (team URL, password) -> "" when saved, else why not (blocking)


class TeamGroup(QGroupBox):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        keyring_secure: bool = True,
        keyring_name: str = "",
        save_password: SavePassword = team_service.save_password,
    ) -> None:
        super().__init__(self.tr("Team"), parent)
        self.setObjectName("teamGroup")
        self._save_password = save_password
        self._secure = keyring_secure
        form = QFormLayout(self)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText(self.tr("Empty: this computer's own queue"))
        self.url.setAccessibleName(self.tr("Team database URL"))
        self.url.setToolTip(self.tr("postgresql://NAME@HOST/DB, as the studio's admin gave it (no password)."))
        form.addRow(self.tr("Team &URL:"), self.url)
        form.addRow(self._password_row(form))
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        if keyring_secure:
            text = self.tr("The password is kept in %1. A change applies at the next start.").replace(
                "%1", keyring_name or self.tr("the OS keyring")
            )
            show_message(self.hint, text, ROLE_HINT)
        else:
            text = self.tr(
                "No secure keyring was found on this computer, so the password cannot be saved. Set the "
                "PGPASSWORD environment variable for Veo Desktop instead. A change applies at the next start."
            )
            show_message(self.hint, text, ROLE_WARNING)
        form.addRow(self.hint)
        self.error = message_label(self)
        form.addRow(self.error)

    def _password_row(self, form: QFormLayout) -> QHBoxLayout:
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Team database password"))
        self.password.setPlaceholderText(self.tr("Empty: keep the saved password"))
        self.password.setEnabled(self._secure)
        self.show_password = QPushButton(self.tr("Show"), self)
        self.show_password.setCheckable(True)
        self.show_password.setAccessibleName(self.tr("Show the team database password"))
        self.show_password.setEnabled(self._secure)
        self.show_password.toggled.connect(self._on_show_password)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.show_password)
        label = QLabel(self.tr("&Password:"), self)
        label.setBuddy(self.password)
        form.addRow(label, row)
        return row

    def load(self, url: str) -> None:
        self.url.setText(url)

    def value(self) -> str | None:
        """The URL in the field ("" for the local queue), or None after saying what is wrong with it."""
        url = self.url.text().strip()
        show_message(self.error, "")
        if not url:
            if self.password.text():
                show_message(self.error, self.tr("Enter the team URL the password is for, or clear the password."))
                return None
            return ""
        try:
            team_service.check_url(url)
        except ValueError as exc:
            show_message(self.error, str(exc))
            return None
        return url

    async def save_password(self, url: str) -> bool:
        """Save the typed password for `url` in the keyring, off the GUI thread (nothing typed: keep the saved
        one). False after showing why it could not be saved."""
        password = self.password.text()
        if not password or not url:
            return True
        self.password.setEnabled(False)
        try:
            problem = await asyncio.to_thread(self._save_password, url, password)
        except Exception as exc:  # a keyring failure the secrets module did not absorb
            problem = str(exc) or type(exc).__name__
        finally:
            self.password.setEnabled(self._secure)
        if problem:
            text = self.tr("The password was not saved: %1 Set PGPASSWORD for Veo Desktop instead.")
            show_message(self.error, text.replace("%1", problem))
            return False
        self.password.clear()
        return True

    def _on_show_password(self, shown: bool) -> None:
        self.password.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_password.setText(self.tr("Hide") if shown else self.tr("Show"))
