"""Team URLs, checked without a database driver (the composition root reads them before importing psycopg)."""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, urlsplit

SCHEMES = ("postgresql", "postgres")


def is_team_url(value: str | None) -> bool:
    return bool(value) and urlsplit(str(value)).scheme in SCHEMES


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "") or host.startswith("/"):
        return True  # a Unix socket directory is local too
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """Refuse team URLs that would leak a password or talk to an unverified server (ValueError)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError("A team URL starts with postgresql://, e.g. postgresql://ana@db.studio.example/veo.")
    if parts.password is not None:
        raise ValueError(
            "The team URL holds a password; remove it (postgresql://NAME@HOST/DB): the password is asked for "
            "and kept in the OS keyring, or read from PGPASSWORD in scripts."
        )
    if not parts.username:
        raise ValueError("The team URL names no creator; use postgresql://NAME@HOST/DB with your creator name.")
    query = parse_qs(parts.query)
    host = parts.hostname or query.get("host", [""])[0]
    if not _is_loopback(host) and query.get("sslmode", [""])[0] != "verify-full":
        raise ValueError(
            f"The database at {host} is not on this machine, so the connection must verify its TLS certificate: "
            "add ?sslmode=verify-full&sslrootcert=PATH-TO-THE-STUDIO-CA to the team URL."
        )


def user_of(url: str) -> str:
    return urlsplit(url).username or ""


def describe(url: str) -> str:
    """The URL for messages and logs: user, host, port and database, never a password or the query."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{parts.username or ''}@{parts.hostname or ''}{port}{parts.path}"


def team_url(store_setting: str | None, joined_url: str | None) -> str | None:
    """`--store postgresql://...` (or that store path in Settings) wins over the team this desktop joined;
    an explicit SQLite file means no team."""
    if is_team_url(store_setting):
        return store_setting
    if store_setting:
        return None
    return joined_url if is_team_url(joined_url) else None
