"""The loopback OAuth token endpoint: jwt-bearer assertions checked like Google does (RS256 with the test key's
public key, iss, aud, scope, lifetime), refresh_token grants, scriptable lifetimes and refusals, and the
key files it writes (used through google-auth, as the app and the SDK do)."""

from __future__ import annotations

import base64
import json
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sim_helpers import client, vertex_body, vertex_start

from veo_desktop.core.clock import ManualClock
from veo_desktop.simulator import Simulator, http_error, invalid_grant

google_auth = pytest.importorskip("google.auth")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from google.auth.exceptions import RefreshError  # noqa: E402
from google.auth.transport.requests import Request  # noqa: E402
from google.oauth2 import credentials as user_credentials  # noqa: E402
from google.oauth2 import service_account  # noqa: E402

CP = "https://www.googleapis.com/auth/cloud-platform"
AUD = "https://oauth2.googleapis.com/token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _assertion(info: dict[str, Any], *, iat_delta: int = 0, lifetime: int = 3600, **claims: Any) -> str:
    now = int(time.time()) + iat_delta
    body = {"iss": info["client_email"], "aud": AUD, "scope": CP, "iat": now, "exp": now + lifetime, **claims}
    header = {"alg": "RS256", "typ": "JWT", "kid": info["private_key_id"]}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}"
    key: Any = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def _grant(sim: Simulator, assertion: str) -> httpx.Response:
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    return httpx.post(sim.token_uri, data=form, trust_env=False)


def test_service_account_refresh_through_google_auth(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(token_lifetime_s=120)
    info = sim.service_account_info()
    assert info["token_uri"] == sim.token_uri and info["type"] == "service_account"
    assert sim.token_uri.startswith("http://127.0.0.1:") and sim.oauth_url not in (sim.vertex_url, sim.gemini_url)
    creds = service_account.Credentials.from_service_account_info(info, scopes=[CP])
    creds.refresh(Request())
    assert creds.token.startswith("ya29.sim-")
    reply = _grant(sim, _assertion(info)).json()
    assert reply["expires_in"] == 120 and reply["token_type"] == "Bearer"
    assert sim.stats.token_grants == 2


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"aud": "http://127.0.0.1/token"}, "invalid_grant"),  # google-auth always signs Google's audience
        ({"scope": "https://www.googleapis.com/auth/devstorage.read_only"}, "invalid_scope"),
        ({"lifetime": 3601}, "invalid_grant"),  # longer than Google's one hour
        ({"iat_delta": -7200}, "invalid_grant"),  # expired an hour ago
        ({"iss": "stranger@elsewhere.iam.gserviceaccount.com"}, "invalid_grant"),
    ],
)
def test_assertions_google_would_refuse(sim: Simulator, claims: dict[str, Any], error: str) -> None:
    response = _grant(sim, _assertion(sim.service_account_info(), **claims))
    assert response.status_code == 400 and response.json()["error"] == error
    assert sim.stats.token_grants == 0


def test_a_key_the_simulator_did_not_make_is_refused(sim: Simulator) -> None:
    info = sim.service_account_info()
    forged = {**info, "private_key": sim.service_account_info("other")["private_key"]}
    response = _grant(sim, _assertion(forged))
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    _, body, _ = _assertion(info).split(".")
    unsigned = f"{_b64(json.dumps({'alg': 'none'}).encode())}.{body}."
    assert _grant(sim, unsigned).json()["error"] == "invalid_grant"
    assert _grant(sim, "not-a-jwt").json()["error"] == "invalid_grant"


def test_refresh_token_grant_and_adc(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = sim.write_authorized_user(tmp_path / "adc.json")
    assert user["token_uri"] == sim.token_uri

    def user_creds(refresh_token: str) -> user_credentials.Credentials:
        # Built directly: google-auth's from_authorized_user_info (and so ADC) ignores a file's token_uri and
        # always refreshes at Google's own endpoint, which a test must never reach.
        return user_credentials.Credentials(
            token=None, refresh_token=refresh_token, client_id=user["client_id"],
            client_secret=user["client_secret"], token_uri=user["token_uri"], scopes=[CP],
        )  # fmt: skip

    creds = user_creds(user["refresh_token"])
    creds.refresh(Request())
    assert creds.token.startswith("ya29.sim-")
    with pytest.raises(RefreshError, match="invalid_grant"):
        user_creds("1//nope").refresh(Request())
    key_file = tmp_path / "sa.json"
    sim.write_service_account(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    adc, project = google_auth.default(scopes=[CP])
    adc.refresh(Request())
    assert project == "sim-project" and adc.token.startswith("ya29.sim-")
    assert sim.stats.token_grants == 2


def test_scripted_refusals_and_failures(sim: Simulator) -> None:
    info = sim.service_account_info()
    sim.script("token", invalid_grant("Invalid JWT Signature."))
    with pytest.raises(RefreshError, match="Invalid JWT Signature"):
        service_account.Credentials.from_service_account_info(info, scopes=[CP]).refresh(Request())
    sim.script("token", http_error(500))  # google-auth retries a 500 on its own
    creds = service_account.Credentials.from_service_account_info(info, scopes=[CP])
    creds.refresh(Request())
    token_posts = [r for r in sim.stats.requests if r.path == "/token"]
    assert len(token_posts) == 3 and sim.stats.token_grants == 1


def test_a_short_token_lifetime_expires_on_the_simulator_clock(make_sim: Callable[..., Simulator]) -> None:
    clock = ManualClock()
    sim = make_sim(token_lifetime_s=60, clock=clock)
    creds = service_account.Credentials.from_service_account_info(sim.service_account_info(), scopes=[CP])
    creds.refresh(Request())
    with client(sim.vertex_url, Authorization=f"Bearer {creds.token}") as http:
        http.headers.pop("x-goog-api-key")
        clock.advance(59)
        assert vertex_start(http, vertex_body(), version="v1", project="sim-project").status_code == 200
        clock.advance(1)
        expired = vertex_start(http, vertex_body(), version="v1", project="sim-project")
    assert expired.status_code == 401
    assert expired.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"
