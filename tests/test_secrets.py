"""KeyStore: recommended backends only, session-only fallback, environment for scripts, errors degrade."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail, null

from veo_desktop import logsafe, secrets
from veo_desktop.secrets import KeyStore, KeyStoreError

CANARY = "AIzaCANARYsecretsTEST0123456789abcdefghi"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring. Negative priority: every KeyringBackend subclass registers itself, and a
    positive one would silently become the default keyring for the whole test session."""

    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


class BrokenKeyring(MemoryKeyring):
    """Fails like a keyring without a D-Bus session or with a locked collection."""

    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (judged by its module)."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let this test module's in-memory backends count as a recommended keyring."""
    monkeypatch.setitem(secrets.RECOMMENDED_BACKENDS, __name__, "Test keyring")


@pytest.fixture
def memory_keyring(trusted: None) -> Iterator[MemoryKeyring]:
    """Install an in-memory keyring as keyring's default, and restore the previous one after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(secrets.ENV_VAR, raising=False)


def test_default_backend_is_the_installed_keyring(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    assert store.is_secure()
    assert store.backend_name() == "Test keyring"
    assert store.message == ""
    assert store.get() is None
    assert store.source == "none"


def test_set_saves_to_keyring_and_a_new_store_reads_it(memory_keyring: MemoryKeyring) -> None:
    KeyStore().set(CANARY)
    assert memory_keyring.passwords == {("veo-desktop", "api-key"): CANARY}
    store = KeyStore()
    assert store.get() == CANARY
    assert store.source == "keyring"
    assert not store.session_only


def test_keyring_read_once_then_cached(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.passwords[("veo-desktop", "api-key")] = CANARY
    store = KeyStore()
    for _ in range(5):
        assert store.get() == CANARY
    assert memory_keyring.calls == 1


def test_set_strips_surrounding_whitespace(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    store.set(f"  {CANARY}\n")
    assert store.get() == CANARY


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "\n", "abc\ndef", "abc\rdef", "key with spaces", "nul\x00here", "bidi\u202eover", "x" * 600],
)
def test_set_refuses_malformed_keys(memory_keyring: MemoryKeyring, bad: str) -> None:
    store = KeyStore()
    with pytest.raises(KeyStoreError) as info:
        store.set(bad)
    assert "API key" in str(info.value)
    assert memory_keyring.passwords == {}
    assert store.get() is None


def test_session_only_keeps_the_key_in_memory(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    store.set(CANARY, session_only=True)
    assert memory_keyring.passwords == {}
    assert store.get() == CANARY
    assert store.source == "session"
    assert store.session_only
    assert KeyStore().get() is None  # not saved anywhere


def test_session_key_wins_over_keyring_then_keyring_over_environment(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(secrets.ENV_VAR, "env-key-123456")
    store = KeyStore()
    assert (store.get(), store.source) == ("env-key-123456", "environment")
    store.set("keyring-key-123456")
    assert (store.get(), store.source) == ("keyring-key-123456", "keyring")
    store.set("session-key-123456", session_only=True)
    assert (store.get(), store.source) == ("session-key-123456", "session")
    store.set("keyring-key-654321")  # saving to the keyring ends the session override
    assert (store.get(), store.source) == ("keyring-key-654321", "keyring")


def test_delete_forgets_session_and_keyring(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    store = KeyStore()
    store.set(CANARY)
    store.set("session-key-123456", session_only=True)
    store.delete()
    assert memory_keyring.passwords == {}
    assert store.get() is None
    store.delete()  # deleting nothing is fine
    monkeypatch.setenv(secrets.ENV_VAR, "env-key-123456")
    assert store.source == "environment"


def test_service_and_username_are_used(memory_keyring: MemoryKeyring) -> None:
    KeyStore(service="svc", username="user").set(CANARY)
    assert memory_keyring.passwords == {("svc", "user"): CANARY}
    assert KeyStore().get() is None


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), PlaintextKeyring()],
    ids=["fail", "null", "keyrings.alt-plaintext"],
)
def test_insecure_backends_are_refused(backend: keyring.backend.KeyringBackend) -> None:
    store = KeyStore(backend=backend)
    assert not store.is_secure()
    assert store.backend_name() == "none available"
    assert "No secure keyring" in store.message
    store.set(CANARY)  # falls back to memory
    assert store.source == "session"
    assert store.session_only
    if isinstance(backend, PlaintextKeyring):
        assert backend.passwords == {}  # never written to the plaintext file


def test_chainer_uses_only_its_secure_member(trusted: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends.chainer import ChainerBackend

    secure, plaintext = MemoryKeyring(), PlaintextKeyring()
    plaintext.passwords[("veo-desktop", "api-key")] = "plaintext-key-123456"
    monkeypatch.setattr(ChainerBackend, "backends", [plaintext, secure])
    store = KeyStore(backend=ChainerBackend())
    assert store.backend_name() == "Test keyring"
    assert store.get() is None  # the plaintext entry is never read
    store.set(CANARY)
    assert secure.passwords == {("veo-desktop", "api-key"): CANARY}
    assert plaintext.passwords == {("veo-desktop", "api-key"): "plaintext-key-123456"}


@pytest.mark.parametrize(
    "exc",
    [
        keyring.errors.NoKeyringError("no backend"),
        keyring.errors.KeyringLocked("collection is locked"),
        keyring.errors.InitError("cannot start"),
        RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown"),
        OSError("dbus socket gone"),
    ],
    ids=["no-keyring", "locked", "init", "dbus", "oserror"],
)
def test_keyring_errors_degrade_to_session_only(
    trusted: None, exc: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    store = KeyStore(backend=BrokenKeyring(exc))
    assert store.is_secure()  # it looks fine until it is used
    with caplog.at_level(logging.WARNING, logger="veo_desktop.secrets"):
        assert store.get() is None
    assert not store.is_secure()
    assert store.backend_name() == "none available"
    assert "session only" in store.message
    assert caplog.records
    store.set(CANARY)
    assert (store.get(), store.source) == (CANARY, "session")
    store.delete()
    assert store.get() is None


def test_set_failure_keeps_key_for_session(trusted: None) -> None:
    store = KeyStore(backend=BrokenKeyring(keyring.errors.PasswordSetError("denied")))
    store.set(CANARY)
    assert store.source == "session"
    assert "could not be saved" in store.message


def test_get_keyring_failure_degrades(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> keyring.backend.KeyringBackend:
        raise keyring.errors.InitError("bad keyringrc")

    monkeypatch.setattr(keyring, "get_keyring", boom)
    store = KeyStore()
    assert not store.is_secure()
    assert "could not be started" in store.message


def test_every_key_is_registered_for_masking(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[str | None] = []
    monkeypatch.setattr(logsafe, "register_secret", registered.append)
    memory_keyring.passwords[("veo-desktop", "api-key")] = "from-keyring-123456"
    monkeypatch.setenv(secrets.ENV_VAR, "from-env-123456")
    KeyStore().get()
    KeyStore(username="other").get()
    KeyStore().set("set-key-123456")
    KeyStore().set("session-key-123456", session_only=True)
    for value in ("from-keyring-123456", "from-env-123456", "set-key-123456", "session-key-123456"):
        assert value in registered


def test_degrade_message_masks_the_key(trusted: None) -> None:
    logsafe.register_secret(CANARY)
    store = KeyStore(backend=BrokenKeyring(RuntimeError(f"failed for {CANARY}")))
    store.get()
    assert CANARY not in store.message
    assert logsafe.MASK in store.message


def test_real_backend_names() -> None:
    from keyring.backends import SecretService, kwallet

    assert secrets.describe_backend(SecretService.Keyring()) == "GNOME Keyring / Secret Service"
    assert secrets.describe_backend(kwallet.DBusKeyring()) == "KWallet"
    assert secrets.describe_backend(fail.Keyring()) is None


# -- the service-account key ------------------------------------------------------------------------------


class WindowsSizedKeyring(MemoryKeyring):
    """Refuses a secret over Windows Credential Locker's 2,560 bytes (stored as UTF-16), as the real one does."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password.encode("utf-16-le")) > 2560:
            raise keyring.errors.PasswordSetError("The stub received bad data.")
        super().set_password(service, username, password)


def sa_info() -> dict[str, str]:
    from tests.client.oauth_fakes import service_account_info

    return service_account_info()


@pytest.fixture
def windows_keyring(trusted: None) -> WindowsSizedKeyring:
    return WindowsSizedKeyring()


def test_service_account_is_split_and_read_back_whole(windows_keyring: WindowsSizedKeyring) -> None:
    info = sa_info()
    store = secrets.ServiceAccountStore(backend=windows_keyring)
    assert store.import_info(info) == info["client_email"]
    entries = {user: value for (_, user), value in windows_keyring.passwords.items()}
    parts = [u for u in entries if u.startswith("service-account.")]
    assert len(parts) >= 3  # a 2048-bit key does not fit one Windows entry
    assert all(len(entries[u].encode("utf-16-le")) <= 2560 for u in entries)
    assert entries["service-account"].startswith(f"v1:{len(parts)}:")
    fresh = secrets.ServiceAccountStore(backend=windows_keyring)
    assert fresh.get() == info
    assert fresh.client_email() == info["client_email"]


def test_service_account_import_from_a_file(windows_keyring: WindowsSizedKeyring, tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(sa_info()), encoding="utf-8")
    store = secrets.ServiceAccountStore(backend=windows_keyring)
    assert store.import_file(path) == sa_info()["client_email"]
    assert secrets.ServiceAccountStore(backend=windows_keyring).get() == sa_info()


def test_a_shorter_key_removes_the_old_extra_parts(windows_keyring: WindowsSizedKeyring) -> None:
    store = secrets.ServiceAccountStore(backend=windows_keyring)
    store.import_info({**sa_info(), "padding": "x" * 5000})
    long_parts = len(windows_keyring.passwords)
    store.import_info(sa_info())
    assert len(windows_keyring.passwords) < long_parts
    assert secrets.ServiceAccountStore(backend=windows_keyring).get() == sa_info()


def test_damaged_parts_read_as_no_key(windows_keyring: WindowsSizedKeyring) -> None:
    secrets.ServiceAccountStore(backend=windows_keyring).import_info(sa_info())
    windows_keyring.passwords[("veo-desktop", "service-account.1")] = "tampered"
    assert secrets.ServiceAccountStore(backend=windows_keyring).get() is None
    del windows_keyring.passwords[("veo-desktop", "service-account.1")]
    assert secrets.ServiceAccountStore(backend=windows_keyring).get() is None


def test_delete_removes_every_entry(windows_keyring: WindowsSizedKeyring) -> None:
    store = secrets.ServiceAccountStore(backend=windows_keyring)
    store.import_info(sa_info())
    store.delete()
    assert windows_keyring.passwords == {}
    assert store.get() is None


def test_service_account_without_secure_keyring_stays_in_memory() -> None:
    store = secrets.ServiceAccountStore(backend=PlaintextKeyring())
    assert not store.is_secure() and "memory" in store.message
    store.import_info(sa_info())
    assert store.get() == sa_info()
    assert secrets.ServiceAccountStore(backend=PlaintextKeyring()).get() is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "authorized_user"}, "not a service-account key"),
        ({"client_email": ""}, "client_email"),
        ({"private_key": "not a pem"}, "PEM"),
        ({"universe_domain": "example.com"}, "universe"),
    ],
)
def test_unusable_service_account_keys(
    windows_keyring: WindowsSizedKeyring, change: dict[str, str], message: str
) -> None:
    with pytest.raises(KeyStoreError, match=message) as info:
        secrets.ServiceAccountStore(backend=windows_keyring).import_info({**sa_info(), **change})
    assert "PRIVATE KEY" not in str(info.value)
    assert windows_keyring.passwords == {}


def test_private_key_is_masked_in_logs(windows_keyring: WindowsSizedKeyring, caplog: pytest.LogCaptureFixture) -> None:
    info = sa_info()
    secrets.ServiceAccountStore(backend=windows_keyring).import_info(info)
    line = info["private_key"].splitlines()[3]
    assert line not in logsafe.mask(f"oops {line}")
    assert "BEGIN PRIVATE KEY" not in logsafe.mask(json.dumps({"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE"}))
    assert "ya29.abc" not in logsafe.mask("Authorization: Bearer ya29.abc-DEF_123")
