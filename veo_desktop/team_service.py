"""Team mode for the front ends: what `veo-desktop-cli team ...` (and Settings → Team) may call.

The front ends never import a store (the layering contract); this module hands them the admin's steps, a
member's store for status and pool changes, and the checks `team join` makes. psycopg is imported only
when a team is used.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.store.postgres.urls import check_url, describe, team_url

if TYPE_CHECKING:
    from veo_desktop.store.postgres.admin import InitResult
    from veo_desktop.store.postgres.store import PostgresStore

__all__ = [
    "JoinCheck",
    "add_creator",
    "check_creator_name",
    "check_join",
    "check_url",
    "describe",
    "forget_password",
    "init",
    "member_store",
    "remove_creator",
    "save_password",
    "team_url",
]


@dataclass(frozen=True, slots=True)
class JoinCheck:
    pool: SlotConfig
    clock_skew_s: float  # this computer's clock minus the database's


def init(admin_url: str) -> InitResult:
    from veo_desktop.store.postgres import admin

    return admin.init(admin_url)


def check_creator_name(name: str) -> str:
    from veo_desktop.store.postgres import admin

    return admin.check_creator_name(name)


def add_creator(admin_url: str, name: str, *, admin: bool, password: str | None) -> None:
    from veo_desktop.store.postgres import admin as admin_steps

    admin_steps.add_creator(admin_url, name, admin=admin, password=password)


def remove_creator(admin_url: str, name: str) -> int:
    from veo_desktop.store.postgres import admin

    return admin.remove_creator(admin_url, name)


def member_store(url: str, data_dir: Path) -> PostgresStore:
    """A store as this desktop's creator (the password from the keyring or PGPASSWORD)."""
    from veo_desktop.store.postgres.team import store_factory

    return store_factory(url, data_dir)()


def check_join(url: str, password: str | None, data_dir: Path) -> JoinCheck:
    """Login, schema range, creator role and the LISTEN echo (a transaction-mode pooler is refused)."""
    from veo_desktop.store.postgres.listener import check_echo
    from veo_desktop.store.postgres.store import PostgresStore
    from veo_desktop.store.postgres.team import desktop_id

    check_url(url)
    with PostgresStore(url, desktop_id=desktop_id(data_dir), password=password) as store:
        store.heartbeat()
        skew_s = (time.time() * 1000 - store.server_now_ms()) / 1000
        check_echo(store._connection())
        return JoinCheck(pool=store.pool_config(), clock_skew_s=skew_s)


def save_password(url: str, password: str) -> str:
    """Into the OS keyring; "" when saved, else why not."""
    from veo_desktop.secrets import set_team_password
    from veo_desktop.store.postgres.team import account

    return set_team_password(account(url), password)


def forget_password(url: str) -> None:
    from veo_desktop.secrets import delete_team_password
    from veo_desktop.store.postgres.team import account

    delete_team_password(account(url))
