"""A test service account (a real RSA key made here) and a fake of Vertex AI with a project plus its OAuth token
endpoint, for httpx.MockTransport: it verifies the signed assertion like Google does and checks that tokens go
only to Vertex hosts and assertions only to the token endpoint."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt

TOKEN_URI = "http://127.0.0.1:8618/token"
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLIENT_EMAIL = "veo-desktop@sim-project.iam.gserviceaccount.com"


@cache
def rsa_key_pair() -> tuple[str, str]:
    """(private key PEM, public key PEM), made once per test session."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def service_account_info(**overrides: Any) -> dict[str, Any]:
    private, _ = rsa_key_pair()
    info: dict[str, Any] = {
        "type": "service_account",
        "project_id": "sim-project",
        "private_key_id": "kid-0123456789abcdef",
        "private_key": private,
        "client_email": CLIENT_EMAIL,
        "client_id": "100000000000000000001",
        "token_uri": TOKEN_URI,
        "universe_domain": "googleapis.com",
    }
    info.update(overrides)
    return info


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeCloud:
    """Routes (method, host, path) to scripted replies (the last repeats); `/token` is the OAuth endpoint."""

    routes: dict[tuple[str, str, str], list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    token_lifetime_s: int = 3599
    token_replies: list[httpx.Response] = field(default_factory=list)  # scripted answers before real ones

    def on(self, method: str, url: str, *replies: Reply) -> None:
        parsed = httpx.URL(url)
        self.routes[(method, parsed.host, parsed.path)] = list(replies)

    def vertex_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/token"]

    def token_hosts(self) -> list[str]:
        return [r.url.host for r in self.requests if r.url.path == "/token"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # google-auth refreshes `authorized_user` ADC at Google's endpoint whatever the file's token_uri says
        if str(request.url.copy_with(query=None)) in (TOKEN_URI, GOOGLE_AUDIENCE):
            return self._token(request)
        self._check_token_hygiene(request)
        replies = self.routes.get((request.method, request.url.host, request.url.path))
        if not replies:
            body = {"error": {"code": 404, "message": f"no route {request.url}", "status": "NOT_FOUND"}}
            return httpx.Response(404, json=body)
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply

    def _check_token_hygiene(self, request: httpx.Request) -> None:
        assert "x-goog-api-key" not in request.headers
        auth = request.headers.get("authorization", "")
        assert auth.startswith("Bearer ya29."), "a Vertex call without a Bearer token"
        assert request.url.host.endswith("googleapis.com") or request.url.host == "127.0.0.1"
        assert b"ya29." not in request.content and "ya29." not in str(request.url)

    def _token(self, request: httpx.Request) -> httpx.Response:
        assert "authorization" not in request.headers  # the token endpoint gets the assertion, nothing else
        form = dict(urllib.parse.parse_qsl(request.content.decode()))
        self.token_requests.append(form)
        if self.token_replies:
            return self.token_replies.pop(0)
        if form.get("grant_type") == JWT_BEARER:
            self._verify_assertion(form["assertion"])
        else:
            assert form.get("grant_type") == "refresh_token" and form.get("refresh_token") == "1//refresh-canary"
        token = f"ya29.test-token-{len(self.issued) + 1}"
        self.issued.append(token)
        return httpx.Response(
            200, json={"access_token": token, "expires_in": self.token_lifetime_s, "token_type": "Bearer"}
        )

    @staticmethod
    def _verify_assertion(assertion: str) -> None:
        _, public = rsa_key_pair()
        header = jwt.decode_header(assertion)
        assert header["alg"] == "RS256" and header["kid"] == "kid-0123456789abcdef"
        claims = jwt.decode(assertion, certs={header["kid"]: public}, audience=GOOGLE_AUDIENCE)
        assert claims["iss"] == CLIENT_EMAIL
        assert CLOUD_PLATFORM in claims["scope"].split()
        assert claims["exp"] - claims["iat"] <= 3600


def invalid_grant() -> httpx.Response:
    return httpx.Response(400, json={"error": "invalid_grant", "error_description": "Invalid JWT Signature."})


def vertex_error(status: int, rpc: str, message: str, reason: str | None = None) -> httpx.Response:
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}] if reason else []
    return httpx.Response(
        status, json={"error": {"code": status, "message": message, "status": rpc, "details": details}}
    )


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content)
