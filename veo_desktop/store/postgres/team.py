"""What the composition root needs for team mode: which URL, which desktop, the password, the wake-ups.

The desktop id is stable per data folder (presence, and jobs with frames start
only on the desktop holding them).
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from veo_desktop.store.postgres.listener import Listener
from veo_desktop.store.postgres.store import PostgresStore

DESKTOP_ID_FILE = "desktop-id"


def account(url: str) -> str:
    """The keyring account of a team URL: user@host:port/db (never a password)."""
    parts = urlsplit(url)
    return f"{parts.username or ''}@{parts.hostname or ''}:{parts.port or 5432}{parts.path}"


def desktop_id(data_dir: Path) -> str:
    path = data_dir / DESKTOP_ID_FILE
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    host = "".join(ch for ch in socket.gethostname().split(".")[0].lower() if ch.isalnum() or ch == "-")[:24]
    value = f"{host or 'desktop'}-{secrets.token_hex(4)}"
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n", encoding="utf-8")
    return value


def password_for(url: str) -> str | None:
    from veo_desktop.secrets import get_team_password

    return get_team_password(account(url))


def store_factory(url: str, data_dir: Path) -> Callable[[], PostgresStore]:
    password, desktop = password_for(url), desktop_id(data_dir)
    return lambda: PostgresStore(url, desktop_id=desktop, password=password)


def start_listener(
    url: str, data_dir: Path, on_wake: Callable[[], None], now_ms: Callable[[], int] | None = None
) -> Listener:
    listener = Listener(
        url, password=password_for(url), desktop_id=desktop_id(data_dir), on_wake=on_wake, now_ms=now_ms
    )
    listener.start()
    return listener
