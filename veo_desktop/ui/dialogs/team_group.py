"""Settings → Team: the studio's queue this desktop joins (postgresql://NAME@HOST/DB), checked as
`veo-desktop-cli team join` checks it (no password in the URL, TLS verified for a host on another machine).
Empty means this desktop's own local queue. The password never goes in settings: it is kept in the OS
keyring (`veo-desktop-cli team join URL` asks for it once) or read from PGPASSWORD. The store is opened at
start, so a change applies at the next start."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from veo_desktop import team_service
from veo_desktop.ui.support.style import ROLE_HINT, message_label, show_message


class TeamGroup(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Team"), parent)
        self.setObjectName("teamGroup")
        form = QFormLayout(self)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText(self.tr("Empty: this computer's own queue"))
        self.url.setAccessibleName(self.tr("Team database URL"))
        self.url.setToolTip(self.tr("postgresql://NAME@HOST/DB, as the studio's admin gave it (no password)."))
        form.addRow(self.tr("Team &URL:"), self.url)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        show_message(
            self.hint,
            self.tr(
                "The password stays in the OS keyring: run “veo-desktop-cli team join URL” once to save it. "
                "A change applies at the next start."
            ),
            ROLE_HINT,
        )
        form.addRow(self.hint)
        self.error = message_label(self)
        form.addRow(self.error)

    def load(self, url: str) -> None:
        self.url.setText(url)

    def value(self) -> str | None:
        """The URL in the field ("" for the local queue), or None after saying what is wrong with it."""
        url = self.url.text().strip()
        show_message(self.error, "")
        if not url:
            return ""
        try:
            team_service.check_url(url)
        except ValueError as exc:
            show_message(self.error, str(exc))
            return None
        return url
