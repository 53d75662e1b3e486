"""The API key and the service-account key: kept in the OS keyring, and only in a recommended one.

`ServiceAccountStore` (at the end) keeps a Vertex AI service-account JSON key the same way, split over
numbered entries; the rest of this docstring is about the API key.

`KeyStore` looks for the key in this order:

1. a key kept in memory for this session only (`set(key, session_only=True)`, or any `set` when no secure
   keyring exists);
2. the OS keyring, limited to the recommended backends: macOS Keychain, Windows Credential Locker, Secret
   Service (GNOME Keyring, KeePassXC, ...) and KWallet;
3. the `GEMINI_API_KEY` environment variable, for scripts.

Every other backend is refused as "not secure": `keyrings.alt`'s plaintext and "encrypted" files (if that
package is installed its plaintext backend outranks keyring's error backend and would be chosen silently), and
keyring's `fail` and `null` backends. A keyring that fails at run time (no D-Bus session, a locked or missing
collection, a backend that cannot start) never crashes the caller: the store degrades to "no secure backend",
says why in `message`, and keeps a key in memory for the session instead.

Every key read or stored is registered with `logsafe`, so it is masked in logs and crash reports.
Keyring calls can block (D-Bus, an unlock prompt): the GUI should call them off its event-loop thread, or
rely on the cache (the keyring is read once per `KeyStore`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from typing import Any, Final

import keyring
import keyring.backend
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from veo_desktop import logsafe

__all__ = [
    "ENV_VAR",
    "RECOMMENDED_BACKENDS",
    "KeyStore",
    "KeyStoreError",
    "ServiceAccountStore",
    "delete_team_password",
    "describe_backend",
    "get_team_password",
    "secure_backend",
    "set_team_password",
]

log = logging.getLogger(__name__)

ENV_VAR: Final = "GEMINI_API_KEY"
MAX_KEY_CHARS: Final = 512
NO_BACKEND: Final = "none available"
SECRET_PART_CHARS: Final = 1000  # 2,000 bytes as UTF-16: under Windows Credential Locker's 2,560-byte cap
MAX_SERVICE_ACCOUNT_CHARS: Final = 64 * 1024

# Module of the backend class (or its package) -> the name shown to the person.
RECOMMENDED_BACKENDS: dict[str, str] = {
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Locker",
    "keyring.backends.SecretService": "GNOME Keyring / Secret Service",
    "keyring.backends.libsecret": "GNOME Keyring / Secret Service",
    "keyring.backends.kwallet": "KWallet",
}


def secure_backend(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend | None:
    """The first recommended backend in `backend` (itself, or one of a chainer's), else None."""
    candidates = list(backend.backends) if isinstance(backend, ChainerBackend) else [backend]
    for candidate in candidates:
        if describe_backend(candidate) is not None:
            return candidate
    return None


class KeyStoreError(Exception):
    """The key given to `KeyStore.set` cannot be used; the message says what to do."""


def describe_backend(backend: keyring.backend.KeyringBackend) -> str | None:
    """The human name of a recommended backend, or None for any other (refused as not secure)."""
    module = type(backend).__module__
    for prefix, name in RECOMMENDED_BACKENDS.items():
        if module == prefix or module.startswith(prefix + "."):
            return name
    return None


def _validate(key: str) -> str:
    if not isinstance(key, str):
        raise KeyStoreError("The API key must be text.")
    key = key.strip()
    if not key:
        raise KeyStoreError("The API key is empty: paste the key from Google AI Studio or the Cloud console.")
    if any(ch in key for ch in "\r\n"):
        raise KeyStoreError("The API key must be a single line: paste only the key itself.")
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        raise KeyStoreError("The API key contains spaces or control characters: paste only the key itself.")
    if len(key) > MAX_KEY_CHARS:
        raise KeyStoreError(f"The API key is longer than {MAX_KEY_CHARS} characters: paste only the key itself.")
    return key


class KeyStore:
    """The API key for one (service, username) pair. See the module docstring for the lookup order."""

    def __init__(
        self,
        service: str = "veo-desktop",
        username: str = "api-key",
        backend: keyring.backend.KeyringBackend | None = None,
    ) -> None:
        self._service = service
        self._username = username
        self._session_key: str | None = None
        self._cached: str | None = None
        self._cache_valid = False
        self._message = ""
        self._backend = self._choose(backend)

    # -- the backend -----------------------------------------------------------------------------------

    def _choose(self, given: keyring.backend.KeyringBackend | None) -> keyring.backend.KeyringBackend | None:
        try:
            backend = given if given is not None else keyring.get_keyring()
        except Exception as exc:  # keyring's own configuration or a plugin failed to load
            self._degrade("The system keyring could not be started", exc)
            return None
        chosen = secure_backend(backend)
        if chosen is None:
            self._message = (
                f"No secure keyring is available (found: {backend.name}). "
                "The API key can be kept in memory for this session only."
            )
        return chosen

    def _degrade(self, what: str, exc: BaseException) -> None:
        """A keyring failure: keep working without it, and say why."""
        self._backend = None
        self._cache_valid = False
        reason = logsafe.mask(f"{type(exc).__name__}: {exc}")
        self._message = (
            f"{what} ({reason}). The API key is kept in memory for this session only; "
            "unlock or start your keyring (GNOME Keyring, KWallet) to save it."
        )
        log.warning("%s", self._message)

    def backend_name(self) -> str:
        if self._backend is None:
            return NO_BACKEND
        return describe_backend(self._backend) or NO_BACKEND

    def is_secure(self) -> bool:
        return self._backend is not None

    @property
    def message(self) -> str:
        """Why there is no secure backend ("" when there is one)."""
        return "" if self._backend is not None else self._message

    # -- the key ---------------------------------------------------------------------------------------

    def _read_keyring(self) -> str | None:
        if self._backend is None:
            return None
        if not self._cache_valid:
            try:
                value = self._backend.get_password(self._service, self._username)
            except Exception as exc:  # keyring errors, D-Bus errors, a locked collection
                self._degrade("The system keyring could not be read", exc)
                return None
            self._cached = value or None
            self._cache_valid = True
            logsafe.register_secret(self._cached)
        return self._cached

    def _lookup(self) -> tuple[str | None, str]:
        if self._session_key is not None:
            return self._session_key, "session"
        stored = self._read_keyring()
        if stored is not None:
            return stored, "keyring"
        env = os.environ.get(ENV_VAR, "").strip()
        if env:
            logsafe.register_secret(env)
            return env, "environment"
        return None, "none"

    def get(self) -> str | None:
        """The key to use now: the session key, then the keyring, then GEMINI_API_KEY; None if none is set."""
        return self._lookup()[0]

    @property
    def source(self) -> str:
        """Where `get()` finds the key: "session", "keyring", "environment" or "none"."""
        return self._lookup()[1]

    @property
    def session_only(self) -> bool:
        """True when the key in use is kept in memory only and is forgotten when the app quits."""
        return self._session_key is not None

    def set(self, key: str, *, session_only: bool = False) -> None:
        """Store the key in the keyring, or in memory for this session when asked or when no secure
        keyring works. Raises KeyStoreError for a key that is empty, multi-line or malformed."""
        key = _validate(key)
        logsafe.register_secret(key)
        if not session_only and self._backend is not None:
            try:
                self._backend.set_password(self._service, self._username, key)
            except Exception as exc:  # keyring errors, D-Bus errors, a locked collection
                self._degrade("The key could not be saved in the system keyring", exc)
            else:
                self._session_key = None
                self._cached, self._cache_valid = key, True
                return
        self._session_key = key

    def delete(self) -> None:
        """Forget the key: the session copy and the keyring entry. GEMINI_API_KEY, if set, still applies."""
        self._session_key = None
        self._cached, self._cache_valid = None, False
        if self._backend is None:
            return
        try:
            self._backend.delete_password(self._service, self._username)
        except keyring.errors.PasswordDeleteError:
            self._cache_valid = True  # there was no entry: nothing to forget
        except Exception as exc:  # keyring errors, D-Bus errors, a locked collection
            self._degrade("The key could not be removed from the system keyring", exc)
        else:
            self._cache_valid = True


class ServiceAccountStore:
    """A service-account JSON key, imported once into the OS keyring and read back whole.

    Windows Credential Locker caps one secret at 2,560 bytes stored as UTF-16 (about 1,280 characters) and a
    2048-bit key alone is about 1,700, so the compact JSON is split over numbered entries
    (`service-account.0`, `.1`, …) with a manifest entry `service-account` = `v1:<parts>:<sha256>` written
    last: a half-written import is never read as a key, and a read whose parts do not match the hash is none.
    Without a secure keyring the key is kept in memory for this session only. The key (and every line of its
    private key) is registered with `logsafe`; settings keep only the `client_email`, for display.
    """

    def __init__(
        self,
        service: str = "veo-desktop",
        username: str = "service-account",
        backend: keyring.backend.KeyringBackend | None = None,
    ) -> None:
        self._service = service
        self._username = username
        self._session: dict[str, Any] | None = None
        self._cached: dict[str, Any] | None = None
        self._cache_valid = False
        self.message = ""
        try:
            chosen = backend if backend is not None else keyring.get_keyring()
            self._backend = secure_backend(chosen)
            if self._backend is None:
                self.message = f"No secure keyring is available (found: {chosen.name}); the key is kept in memory."
        except Exception as exc:  # keyring's own configuration or a plugin failed to load
            self._backend = None
            self.message = f"The system keyring could not be started ({logsafe.mask(type(exc).__name__)})."

    def is_secure(self) -> bool:
        return self._backend is not None

    def import_file(self, path: str | os.PathLike[str]) -> str:
        """Read a downloaded JSON key file and store it; returns its client_email. Blocking."""
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(MAX_SERVICE_ACCOUNT_CHARS + 1)
        except OSError as exc:
            raise KeyStoreError(f"The key file could not be read ({exc.strerror or type(exc).__name__}).") from None
        try:
            info = json.loads(text)
        except ValueError:
            raise KeyStoreError("The key file is not JSON; download the service account's JSON key again.") from None
        return self.import_info(info)

    def import_info(self, info: object) -> str:
        """Store a parsed key; returns its client_email. Raises KeyStoreError for an unusable key."""
        checked = _validate_service_account(info)
        text = json.dumps(checked, separators=(",", ":"), sort_keys=True)
        if self._backend is not None:
            try:
                self._write_parts(text)
            except Exception as exc:  # keyring errors, D-Bus errors, a locked collection
                self._backend = None
                self.message = f"The key could not be saved in the system keyring ({type(exc).__name__})."
                log.warning("%s", self.message)
            else:
                self._session, self._cached, self._cache_valid = None, checked, True
                return str(checked["client_email"])
        self._session = checked
        return str(checked["client_email"])

    def _write_parts(self, text: str) -> None:
        assert self._backend is not None
        parts = [text[i : i + SECRET_PART_CHARS] for i in range(0, len(text), SECRET_PART_CHARS)]
        old_count = self._manifest_count()
        for index, part in enumerate(parts):
            self._backend.set_password(self._service, f"{self._username}.{index}", part)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self._backend.set_password(self._service, self._username, f"v1:{len(parts)}:{digest}")
        for index in range(len(parts), old_count):
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(self._service, f"{self._username}.{index}")

    def _manifest_count(self) -> int:
        assert self._backend is not None
        manifest = self._backend.get_password(self._service, self._username) or ""
        fields = manifest.split(":")
        return int(fields[1]) if len(fields) == 3 and fields[0] == "v1" and fields[1].isdigit() else 0

    def get(self) -> dict[str, Any] | None:
        """The whole key (a dict for google-auth), or None when none is stored or the stored parts are damaged."""
        if self._session is not None:
            return dict(self._session)
        if self._backend is None:
            return None
        if not self._cache_valid:
            try:
                self._cached = self._read_parts()
            except Exception as exc:  # keyring errors, D-Bus errors, a locked collection
                self.message = f"The system keyring could not be read ({type(exc).__name__})."
                log.warning("%s", self.message)
                return None
            self._cache_valid = True
        return dict(self._cached) if self._cached is not None else None

    def _read_parts(self) -> dict[str, Any] | None:
        assert self._backend is not None
        manifest = self._backend.get_password(self._service, self._username) or ""
        fields = manifest.split(":")
        if len(fields) != 3 or fields[0] != "v1" or not fields[1].isdigit():
            return None
        parts = [self._backend.get_password(self._service, f"{self._username}.{i}") for i in range(int(fields[1]))]
        if any(part is None for part in parts):
            return None
        text = "".join(part or "" for part in parts)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != fields[2]:
            log.warning("The service-account key in the keyring is incomplete; import it again.")
            return None
        info = json.loads(text)
        logsafe.register_private_key(str(info.get("private_key") or ""))
        return info if isinstance(info, dict) else None

    def client_email(self) -> str | None:
        info = self.get()
        return str(info["client_email"]) if info else None

    def delete(self) -> None:
        """Forget the key: the session copy and every keyring entry."""
        self._session, self._cached, self._cache_valid = None, None, False
        if self._backend is None:
            return
        try:
            count = self._manifest_count()
            for name in [self._username, *(f"{self._username}.{i}" for i in range(count))]:
                with contextlib.suppress(keyring.errors.PasswordDeleteError):
                    self._backend.delete_password(self._service, name)
        except Exception as exc:  # keyring errors, D-Bus errors, a locked collection
            self.message = f"The key could not be removed from the system keyring ({type(exc).__name__})."
            log.warning("%s", self.message)
        else:
            self._cache_valid = True


def _validate_service_account(info: object) -> dict[str, Any]:
    if not isinstance(info, dict):
        raise KeyStoreError("The key file is not a JSON object; download the service account's JSON key again.")
    logsafe.register_private_key(str(info.get("private_key") or ""))
    if info.get("type") != "service_account":
        raise KeyStoreError("This is not a service-account key (its type must be service_account).")
    for name in ("client_email", "private_key", "token_uri"):
        if not isinstance(info.get(name), str) or not info[name].strip():
            raise KeyStoreError(f"The service-account key has no {name}; download a new JSON key.")
    if "PRIVATE KEY-----" not in info["private_key"]:
        raise KeyStoreError("The service-account key's private_key is not a PEM key; download a new JSON key.")
    universe = info.get("universe_domain", "googleapis.com")
    if universe != "googleapis.com":
        raise KeyStoreError(f"The key belongs to the {universe!r} universe; only googleapis.com keys work here.")
    return dict(info)


# -- the team database password (team mode) -----------------------------------------------------------
TEAM_SERVICE: Final = "veo-desktop-team"
TEAM_ENV_VAR: Final = "PGPASSWORD"


def get_team_password(account: str, *, backend: keyring.backend.KeyringBackend | None = None) -> str | None:
    """The password of a team database account ("user@host:port/db"): from a recommended keyring (the
    API key's rules), else PGPASSWORD for scripts. Registered with `logsafe`; never written anywhere."""
    value = KeyStore(TEAM_SERVICE, account, backend)._read_keyring() or os.environ.get(TEAM_ENV_VAR) or None
    logsafe.register_secret(value)
    return value


def set_team_password(account: str, password: str, *, backend: keyring.backend.KeyringBackend | None = None) -> str:
    """Keep the password in a recommended keyring; returns "" when saved, else why not (then scripts use
    PGPASSWORD, and nothing is stored)."""
    logsafe.register_secret(password)
    store = KeyStore(TEAM_SERVICE, account, backend)
    if store._backend is None:
        return "No secure keyring is available on this computer."
    try:
        store._backend.set_password(TEAM_SERVICE, account, password)
    except Exception as exc:  # keyring errors, D-Bus errors, a locked collection
        reason = logsafe.mask(f"{type(exc).__name__}: {exc}")
        log.warning("The team database password could not be saved in the system keyring (%s).", reason)
        return f"The system keyring could not save it ({reason})."
    return ""


def delete_team_password(account: str, *, backend: keyring.backend.KeyringBackend | None = None) -> None:
    store = KeyStore(TEAM_SERVICE, account, backend)
    if store._backend is None:
        return
    with contextlib.suppress(Exception):  # no entry, or a keyring that cannot be reached: nothing to forget
        store._backend.delete_password(TEAM_SERVICE, account)
