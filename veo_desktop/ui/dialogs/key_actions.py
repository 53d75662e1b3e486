"""Saving or forgetting the API key from the GUI without freezing it.

Keyring calls can block (D-Bus, an unlock prompt), so they run in a worker thread. The functions return a
message for the person instead of raising, because every caller shows it inline next to the key field.
"""

from __future__ import annotations

import asyncio
from typing import Protocol


class KeyStoreLike(Protocol):
    """What the GUI uses of `veo_desktop.secrets.KeyStore`."""

    def backend_name(self) -> str: ...

    def is_secure(self) -> bool: ...

    def get(self) -> str | None: ...

    def set(self, key: str, *, session_only: bool = False) -> None: ...

    def delete(self) -> None: ...

    @property
    def session_only(self) -> bool: ...


async def store_key(store: KeyStoreLike, key: str, *, session_only: bool) -> str | None:
    """Save `key`; None on success, else why it failed (KeyStoreError's message is written for people)."""
    try:
        await asyncio.to_thread(store.set, key, session_only=session_only)
    except Exception as exc:  # KeyStoreError, or a keyring failure the store did not absorb
        return str(exc) or type(exc).__name__
    return None


async def forget_key(store: KeyStoreLike) -> str | None:
    try:
        await asyncio.to_thread(store.delete)
    except Exception as exc:  # a keyring failure the store did not absorb
        return str(exc) or type(exc).__name__
    return None


class ServiceAccountsLike(Protocol):
    """What the GUI uses of `veo_desktop.secrets.ServiceAccountStore`."""

    def is_secure(self) -> bool: ...

    def import_file(self, path: str) -> str: ...

    def client_email(self) -> str | None: ...

    def delete(self) -> None: ...


async def import_key_file(store: ServiceAccountsLike, path: str) -> tuple[str | None, str | None]:
    """Import a service account's JSON key file into the keyring: (its client_email, None), or (None, why not)."""
    try:
        return await asyncio.to_thread(store.import_file, path), None
    except Exception as exc:  # KeyStoreError (written for people), or a keyring failure the store did not absorb
        return None, str(exc) or type(exc).__name__


async def forget_key_file(store: ServiceAccountsLike) -> str | None:
    try:
        await asyncio.to_thread(store.delete)
    except Exception as exc:  # a keyring failure the store did not absorb
        return str(exc) or type(exc).__name__
    return None
