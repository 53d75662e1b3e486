"""The app's httpx client and the base URL rule."""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Iterator

import httpx
import pytest

from veo_desktop.client.http import (
    DEFAULT_TIMEOUT,
    Origin,
    check_base_url,
    is_loopback_host,
    make_http_client,
)


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_client_settings() -> None:
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    async with make_http_client() as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert (client.timeout.connect, client.timeout.read, client.timeout.write, client.timeout.pool) == (
            10,
            60,
            60,
            10,
        )
        assert client.trust_env is False
        assert client.follow_redirects is False
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING


async def test_proxy_and_tls_environment_is_ignored(monkeypatch: pytest.MonkeyPatch, loopback_server: str) -> None:
    dead_proxy = "http://127.0.0.1:9"  # nothing listens on the discard port: a used proxy would fail
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
    with pytest.raises(FileNotFoundError):
        httpx.AsyncClient(trust_env=True)  # the control: with trust_env the environment would be read
    async with make_http_client() as client:
        assert not client._mounts  # no proxy transport was mounted from the environment
        response = await client.get(f"{loopback_server}/ping")
        assert response.json() == {"ok": True}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://aiplatform.googleapis.com", "https://aiplatform.googleapis.com"),
        ("https://generativelanguage.googleapis.com/", "https://generativelanguage.googleapis.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.3.4.5:81", "http://127.3.4.5:81"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("https://proxy.example.invalid/veo/", "https://proxy.example.invalid/veo"),
    ],
)
def test_base_url_accepted(url: str, expected: str) -> None:
    assert check_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://aiplatform.googleapis.com", "must use https://"),
        ("http://10.0.0.1:8080", "must use https://"),
        ("http://128.0.0.1", "must use https://"),
        ("http://localhost.example.invalid", "must use https://"),
        ("ftp://127.0.0.1", "must start with https://"),
        ("aiplatform.googleapis.com", "must start with https://"),
        ("https://user:pw@host.invalid", "must not contain"),
        ("https://host.invalid/?key=x", "must not contain"),
        ("", "must start with https://"),
    ],
)
def test_base_url_refused(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_base_url(url)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("LOCALHOST", True),
        ("128.0.0.1", False),
        ("0.0.0.0", False),
        ("localhost.invalid", False),
        ("::2", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_origin_includes_default_ports() -> None:
    assert Origin.of(httpx.URL("https://a.invalid/x")) == Origin.of(httpx.URL("https://A.invalid:443/y"))
    assert Origin.of(httpx.URL("https://a.invalid")) != Origin.of(httpx.URL("http://a.invalid"))
    assert Origin.of(httpx.URL("http://127.0.0.1:1")) != Origin.of(httpx.URL("http://127.0.0.1:2"))
