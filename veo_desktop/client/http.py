"""The app's one HTTP client and the rules about where requests may go.

- `make_http_client()` builds the single `httpx.AsyncClient` of the app (the composition root owns and closes
  it): explicit timeouts and limits, `trust_env=False` so `HTTPS_PROXY`/`SSL_CERT_FILE` and friends are
  ignored (TLS verification always on, with the bundled CA set), no automatic redirects (the Gemini download
  follows them by hand so the key never reaches another host).
- `check_base_url()` refuses a base URL that would send the key in clear text: anything but loopback must be
  https.
- `Origin` is (scheme, host, port): the key header goes only to the base URL's origin.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

import httpcore
import httpx

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "Origin",
    "check_base_url",
    "is_loopback_host",
    "make_http_client",
]

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=4, keepalive_expiry=30.0)
USER_AGENT = "veo-desktop/0.1"

_DEFAULT_PORTS = {"http": 80, "https": 443}


# httpcore reads a response body 64 KiB per socket read; at that size its per-read Python work (h11, the
# async stream) is most of a fast download's time (`python -m veo_desktop.bench download`: 200 MB over
# loopback 0.43 s with 64 KiB reads, 0.29 s with 1 MiB, curl 0.20 s). A read returns what the socket holds,
# so small answers stay small. Class attribute of httpcore 1.x's HTTP/1.1 connection.
_READ_BYTES = 1024 * 1024


def make_http_client(*, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The one AsyncClient of the app. `transport` is for tests (`httpx.MockTransport`)."""
    httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = _READ_BYTES
    # httpx logs every request line at INFO/DEBUG; keep it quiet so no URL or header detail reaches the logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return httpx.AsyncClient(
        timeout=DEFAULT_TIMEOUT,
        limits=DEFAULT_LIMITS,
        trust_env=False,
        verify=True,
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
        transport=transport,
    )


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost` (IPv6 hosts may come with or without brackets)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: httpx.URL) -> Origin:
        scheme = url.scheme.lower()
        port = url.port if url.port is not None else _DEFAULT_PORTS.get(scheme, 0)
        return cls(scheme, url.host.lower(), port)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def check_base_url(url: str) -> str:
    """Validate a base URL and return it without a trailing slash. Raises ValueError with a readable reason.
    A `{region}` placeholder (Vertex AI's regional hosts) is checked as a region would fill it, and kept."""
    if "{region}" in url:
        check_base_url(url.replace("{region}", "us-central1"))
        return url.strip().rstrip("/")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"The API base URL {url!r} is not a valid URL.") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"The API base URL {url!r} must start with https:// and name a host.")
    if parsed.userinfo or parsed.query or parsed.fragment:
        raise ValueError(f"The API base URL {url!r} must not contain a user name, a query or a fragment.")
    if parsed.scheme != "https" and not is_loopback_host(parsed.host):
        raise ValueError(
            f"The API base URL {url!r} must use https:// (plain http:// is allowed only for loopback "
            "addresses such as 127.0.0.1 or localhost), so the API key is never sent in clear text."
        )
    return str(parsed.copy_with(path=parsed.path.rstrip("/"))).rstrip("/")
