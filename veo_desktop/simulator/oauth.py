"""The loopback OAuth2 token endpoint (`POST /token` on the simulator's OAuth host), the test credentials it
trusts, and the Bearer tokens it issues (docs/veo-api.md §3.2).

- jwt-bearer: the assertion must be RS256-signed by a service-account key this simulator made
  (`new_service_account`), with `iss` = its `client_email`, `aud` = https://oauth2.googleapis.com/token (what
  google-auth always signs, whatever `token_uri` says), `scope` including cloud-platform and `exp - iat` at most
  3600 s, checked against real time (google-auth signs with the wall clock);
- refresh_token: the `client_id`, `client_secret` and `refresh_token` of an `authorized_user` file it made;
- answers `{"access_token": "ya29.sim-…", "expires_in": LIFETIME, "token_type": "Bearer"}`, the lifetime in
  simulator seconds (`token_lifetime_s`); refusals are `400 {"error": "invalid_grant", …}`."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from veo_desktop.simulator.replies import Reply, json_reply

GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL)
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_ASSERTION_S = 3600
CLOCK_SKEW_S = 300


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def reply(self) -> Reply:
        return json_reply({"error": self.error, "error_description": self.description}, self.status)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError(400, "invalid_grant", description)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    subject: str  # client_email or client_id
    expires_at_s: float  # simulator clock
    scopes: tuple[str, ...]


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def new_service_account(token_uri: str, project_id: str, *, name: str = "veo-sim") -> tuple[dict[str, Any], Any]:
    """A fresh service-account key file (as a dict) whose `token_uri` is the simulator's, and its public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    email = f"{name}@{project_id}.iam.gserviceaccount.com"
    client_id = str(secrets.randbelow(10**20) + 10**20)
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email.replace('@', '%40')}",
        "universe_domain": "googleapis.com",
    }
    return info, key.public_key()


def new_authorized_user(token_uri: str, quota_project_id: str) -> dict[str, Any]:
    """An ADC `authorized_user` file (what `gcloud auth application-default login` writes), on the simulator."""
    return {
        "type": "authorized_user",
        "client_id": f"{secrets.randbelow(10**12)}-sim.apps.googleusercontent.com",
        "client_secret": "GOCSPX-" + secrets.token_urlsafe(21),
        "refresh_token": "1//sim-" + secrets.token_urlsafe(48),
        "quota_project_id": quota_project_id,
        "token_uri": token_uri,
        "universe_domain": "googleapis.com",
    }


class TokenAuthority:
    """Trusted credentials and issued tokens. `now_s` is the simulator clock (token lifetimes)."""

    def __init__(self, now_s: Any, lifetime_s: float = 3599.0) -> None:
        self._now_s = now_s
        self.lifetime_s = lifetime_s
        self._lock = threading.Lock()
        self._service_accounts: dict[str, Any] = {}  # client_email -> public key
        self._users: dict[str, tuple[str, str]] = {}  # client_id -> (client_secret, refresh_token)
        self._tokens: dict[str, IssuedToken] = {}

    def trust_service_account(self, client_email: str, public_key: Any) -> None:
        with self._lock:
            self._service_accounts[client_email] = public_key

    def trust_user(self, info: dict[str, Any]) -> None:
        with self._lock:
            self._users[info["client_id"]] = (info["client_secret"], info["refresh_token"])

    def check(self, token: str) -> IssuedToken | None:
        """The token's record (which may be expired), or None if this simulator never issued it."""
        with self._lock:
            return self._tokens.get(token)

    def is_expired(self, token: IssuedToken) -> bool:
        return bool(self._now_s() >= token.expires_at_s)

    def expire_all(self) -> int:
        """Make every issued token expired (the next Vertex call answers 401 ACCESS_TOKEN_EXPIRED)."""
        with self._lock:
            now = self._now_s()
            self._tokens = {t: IssuedToken(r.subject, now, r.scopes) for t, r in self._tokens.items()}
            return len(self._tokens)

    # --- the endpoint ---
    def grant(self, raw_body: bytes) -> Reply:
        try:
            form = {k: v[0] for k, v in parse_qs(raw_body.decode("utf-8"), strict_parsing=False).items()}
        except UnicodeDecodeError:
            form = {}
        try:
            grant_type = form.get("grant_type")
            if grant_type == JWT_BEARER:
                subject, scopes = self._jwt_bearer(form.get("assertion", ""))
            elif grant_type == "refresh_token":
                subject, scopes = self._refresh(form)
            else:
                raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        except OAuthError as exc:
            return exc.reply()
        token = "ya29.sim-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = IssuedToken(subject, self._now_s() + self.lifetime_s, scopes)
        lifetime = max(1, int(self.lifetime_s))
        return json_reply({"access_token": token, "expires_in": lifetime, "token_type": "Bearer"})

    def _jwt_bearer(self, assertion: str) -> tuple[str, tuple[str, ...]]:
        parts = assertion.split(".")
        if len(parts) != 3:
            raise invalid_grant("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
        try:
            header, claims = (json.loads(_b64url_decode(p)) for p in parts[:2])
            signature = _b64url_decode(parts[2])
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise invalid_grant("Invalid JWT Signature.") from None
        if not isinstance(header, dict) or not isinstance(claims, dict) or header.get("alg") != "RS256":
            raise invalid_grant("Invalid JWT Signature.")
        with self._lock:
            public_key = self._service_accounts.get(str(claims.get("iss")))
        if public_key is None:
            raise invalid_grant("Invalid grant: account not found")
        try:
            public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise invalid_grant("Invalid JWT Signature.") from None
        self._check_claims(claims)
        return str(claims["iss"]), tuple(str(claims.get("scope", "")).split())

    @staticmethod
    def _check_claims(claims: dict[str, Any]) -> None:
        if claims.get("aud") != GOOGLE_TOKEN_AUDIENCE:
            raise invalid_grant(f"Invalid JWT audience: expected {GOOGLE_TOKEN_AUDIENCE}.")
        if CLOUD_PLATFORM not in str(claims.get("scope", "")).split():
            raise OAuthError(400, "invalid_scope", f"The scope must include {CLOUD_PLATFORM}.")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise invalid_grant("Invalid JWT: iat and exp are required.")
        now = time.time()
        if exp - iat > MAX_ASSERTION_S or exp <= iat:
            raise invalid_grant(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
            )
        if iat > now + CLOCK_SKEW_S or exp < now - CLOCK_SKEW_S:
            raise invalid_grant("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe. "
                                "Check your iat and exp values in the JWT claim.")  # fmt: skip

    def _refresh(self, form: dict[str, str]) -> tuple[str, tuple[str, ...]]:
        with self._lock:
            known = self._users.get(form.get("client_id", ""))
        if known is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        if form.get("client_secret") != known[0]:
            raise OAuthError(401, "invalid_client", "Unauthorized")
        if form.get("refresh_token") != known[1]:
            raise invalid_grant("Bad Request")
        return form["client_id"], (CLOUD_PLATFORM,)
