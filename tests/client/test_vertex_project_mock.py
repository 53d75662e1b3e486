"""Vertex AI with a project (provider vertex-project) against httpx.MockTransport: OAuth2 tokens from a real
RSA service-account key refreshed at a loopback token endpoint, regional hosts, quota project, 401 handling,
invalid_grant, refused keys, ADC, and no key material in any error or log."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import google.auth.exceptions
import httpx
import pytest

from tests.client.helpers import MP4, vertex_done
from tests.client.oauth_fakes import (
    CLIENT_EMAIL,
    TOKEN_URI,
    FakeCloud,
    invalid_grant,
    json_body,
    rsa_key_pair,
    service_account_info,
    vertex_error,
)
from veo_desktop.client.base import StartSpec
from veo_desktop.client.factory import ProviderOptions, make_provider
from veo_desktop.client.http import make_http_client
from veo_desktop.client.oauth import HttpxRequest, TokenSource, adc_loader, service_account_loader
from veo_desktop.client.vertex_project import VertexProjectProvider
from veo_desktop.core.errors import (
    AuthError,
    NotAcceptedError,
    NotSentError,
    PermanentError,
    QuotaError,
    StartOutcomeUnknown,
    VeoError,
)

MODEL = "veo-3.1-generate-001"
US = "https://us-central1-aiplatform.googleapis.com"
START = f"{US}/v1/projects/sim-project/locations/us-central1/publishers/google/models/{MODEL}:predictLongRunning"
OP = f"projects/123456789012/locations/us-central1/publishers/google/models/{MODEL}/operations/5f1c0a7e"
FETCH = f"{US}/v1/projects/123456789012/locations/us-central1/publishers/google/models/{MODEL}:fetchPredictOperation"
SPEC = StartSpec(MODEL, "A lighthouse at dawn", "16:9", 8, "720p", generate_audio=False)


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud()


@pytest.fixture
async def http(cloud: FakeCloud) -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(transport=httpx.MockTransport(cloud)) as client:
        yield client


def provider_for(http: httpx.AsyncClient, info: dict[str, Any] | None = None, **kw: Any) -> VertexProjectProvider:
    key = service_account_info() if info is None else info
    tokens = TokenSource(http, service_account_loader(lambda: key))
    return VertexProjectProvider(http, tokens=tokens, project=kw.pop("project", None), **kw)


def started() -> httpx.Response:
    return httpx.Response(200, json={"name": OP})


async def test_start_with_a_service_account(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    cloud.on("POST", START, started())
    provider = provider_for(http)
    assert await provider.start(SPEC) == OP
    (token_form,) = cloud.token_requests
    assert token_form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    (request,) = cloud.vertex_requests()
    assert request.headers["authorization"] == "Bearer ya29.test-token-1"
    assert "x-goog-user-project" not in request.headers
    assert json_body(request)["parameters"] == {
        "aspectRatio": "16:9",
        "durationSeconds": 8,
        "resolution": "720p",
        "sampleCount": 1,
        "generateAudio": False,
        "enhancePrompt": True,
        "personGeneration": "allow_adult",
        "compressionQuality": "optimized",
    }


async def test_the_token_is_reused_until_stale(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    cloud.on("POST", START, started())
    provider = provider_for(http)
    for _ in range(3):
        await provider.start(SPEC)
    assert len(cloud.token_requests) == 1
    cloud.token_lifetime_s = 60  # inside google-auth's 3 min 45 s refresh margin: stale at once
    stale = provider_for(http)
    for _ in range(2):
        await stale.start(SPEC)
    assert len(cloud.token_requests) == 3


async def test_configured_project_and_region(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    eu = "https://europe-west4-aiplatform.googleapis.com"
    url = (
        f"{eu}/v1/projects/my-other-project/locations/europe-west4/publishers/google/models/{MODEL}:predictLongRunning"
    )
    cloud.on("POST", url, started())
    provider = provider_for(http, project="my-other-project", region="europe-west4")
    await provider.start(SPEC)
    assert str(cloud.vertex_requests()[0].url) == url


async def test_global_location_uses_the_global_host(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    url = f"https://aiplatform.googleapis.com/v1/projects/sim-project/locations/global/publishers/google/models/{MODEL}:predictLongRunning"
    cloud.on("POST", url, started())
    await provider_for(http, region="global").start(SPEC)
    assert str(cloud.vertex_requests()[0].url) == url


async def test_poll_goes_to_the_operations_location(cloud: FakeCloud, http: httpx.AsyncClient, tmp_path: Path) -> None:
    op = f"projects/sim-project/locations/asia-northeast1/publishers/google/models/{MODEL}/operations/abc"
    host = "https://asia-northeast1-aiplatform.googleapis.com"
    resource = f"projects/sim-project/locations/asia-northeast1/publishers/google/models/{MODEL}"
    url = f"{host}/v1/{resource}:fetchPredictOperation"
    cloud.on("POST", url, vertex_done(MP4))
    status = await provider_for(http).poll(op, staging_dir=tmp_path)
    assert status.succeeded
    assert json_body(cloud.vertex_requests()[0]) == {"operationName": op}


async def test_a_fixed_base_url_serves_every_location(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    base = "http://127.0.0.1:8620"
    cloud.on(
        "POST",
        f"{base}/v1/projects/sim-project/locations/us-central1/publishers/google/models/{MODEL}:predictLongRunning",
        started(),
    )
    provider = provider_for(http, base_url=base, global_base_url=base)
    await provider.start(SPEC)
    assert cloud.vertex_requests()[0].url.host == "127.0.0.1"


async def test_api_version_is_a_setting(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    url = START.replace("/v1/", "/v1beta1/")
    cloud.on("POST", url, started())
    await provider_for(http, api_version="v1beta1").start(SPEC)
    assert str(cloud.vertex_requests()[0].url) == url


async def test_401_on_a_poll_refreshes_once_and_resends(
    cloud: FakeCloud, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    expired = vertex_error(
        401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", "ACCESS_TOKEN_EXPIRED"
    )
    cloud.on("POST", FETCH, expired, vertex_done(MP4))
    status = await provider_for(http).poll(OP, staging_dir=tmp_path)
    assert status.succeeded
    auths = [r.headers["authorization"] for r in cloud.vertex_requests()]
    assert auths == ["Bearer ya29.test-token-1", "Bearer ya29.test-token-2"]


async def test_401_after_a_refresh_is_final(cloud: FakeCloud, http: httpx.AsyncClient, tmp_path: Path) -> None:
    cloud.on("POST", FETCH, vertex_error(401, "UNAUTHENTICATED", "no"))
    with pytest.raises(AuthError):
        await provider_for(http).poll(OP, staging_dir=tmp_path)
    assert len(cloud.vertex_requests()) == 2 and len(cloud.token_requests) == 2


async def test_401_on_a_start_is_not_resent_but_requeued(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    cloud.on("POST", START, vertex_error(401, "UNAUTHENTICATED", "expired", "ACCESS_TOKEN_EXPIRED"), started())
    provider = provider_for(http)
    with pytest.raises(NotAcceptedError) as info:
        await provider.start(SPEC)
    assert info.value.http_status == 401
    assert len(cloud.vertex_requests()) == 1  # the paid call was not resent here
    assert len(cloud.token_requests) == 2  # but the token was renewed for the next attempt
    assert await provider.start(SPEC) == OP
    assert cloud.vertex_requests()[-1].headers["authorization"] == "Bearer ya29.test-token-2"


async def test_401_with_a_renewed_token_pauses(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    cloud.on("POST", START, vertex_error(401, "UNAUTHENTICATED", "no"))
    provider = provider_for(http)
    with pytest.raises(NotAcceptedError):
        await provider.start(SPEC)
    with pytest.raises(AuthError):
        await provider.start(SPEC)


async def test_start_outcome_rules_hold_with_tokens(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    cloud.on("POST", START, vertex_error(500, "INTERNAL", "boom"))
    with pytest.raises(StartOutcomeUnknown):
        await provider_for(http).start(SPEC)


async def test_invalid_grant_pauses_and_sends_nothing_to_vertex(
    cloud: FakeCloud, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cloud.token_replies.append(invalid_grant())
    with pytest.raises(AuthError, match="invalid_grant") as info:
        await provider_for(http).start(SPEC)
    assert type(info.value) is AuthError
    assert cloud.vertex_requests() == []
    assert_no_key_material([str(info.value), repr(info.value)], caplog)


async def test_token_endpoint_unreachable_is_not_sent(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    provider = provider_for(http)
    cloud.routes.clear()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    transport_calls: list[httpx.Request] = []
    original = cloud._token

    def failing_token(request: httpx.Request) -> httpx.Response:
        transport_calls.append(request)
        return refuse(request)

    cloud._token = failing_token  # type: ignore[method-assign]
    try:
        with pytest.raises(NotSentError, match="Nothing was sent"):
            await provider.start(SPEC)
    finally:
        cloud._token = original  # type: ignore[method-assign]
    assert len(transport_calls) == 1 and cloud.vertex_requests() == []


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"universe_domain": "example-universe.com"}, "universe"),
        ({"token_uri": "http://oauth.example.invalid/token"}, "https"),
        ({"type": "authorized_user"}, "service_account"),
        ({"private_key": ""}, "private_key"),
    ],
)
async def test_refused_keys(cloud: FakeCloud, http: httpx.AsyncClient, overrides: dict[str, str], reason: str) -> None:
    with pytest.raises(AuthError, match=reason):
        await provider_for(http, service_account_info(**overrides)).start(SPEC)
    assert cloud.requests == []


async def test_no_project_anywhere(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    info = service_account_info()
    del info["project_id"]
    with pytest.raises(AuthError, match="project"):
        await provider_for(http, info).start(SPEC)
    assert cloud.vertex_requests() == []


async def test_adc_authorized_user_with_quota_project(
    cloud: FakeCloud, http: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adc = tmp_path / "adc.json"
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "client-id.apps.googleusercontent.com",
                "client_secret": "client-secret-canary",
                "refresh_token": "1//refresh-canary",
                "token_uri": TOKEN_URI,
                "quota_project_id": "billing-project",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    cloud.on("POST", START, started())
    provider = VertexProjectProvider(http, tokens=TokenSource(http, adc_loader()), project="sim-project")
    await provider.start(SPEC)
    assert cloud.token_requests[0]["grant_type"] == "refresh_token"
    # google-auth 2.x sends authorized_user refreshes to Google's endpoint, never the file's token_uri
    assert cloud.token_hosts() == ["oauth2.googleapis.com"]
    request = cloud.vertex_requests()[0]
    assert request.headers["x-goog-user-project"] == "billing-project"
    assert request.headers["authorization"] == "Bearer ya29.test-token-1"


async def test_check_credentials(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    model = "veo-3.1-fast-generate-001"
    body = {"name": f"publishers/google/models/{model}", "versionId": "001", "launchStage": "GA"}
    cloud.on("GET", f"{US}/v1/publishers/google/models/{model}", httpx.Response(200, json=body))
    check = await provider_for(http).check_credentials()
    assert check.verdict == "ok" and "GA" in check.message
    assert len(cloud.token_requests) == 1
    cloud.token_replies.append(invalid_grant())
    refused = await provider_for(http).check_credentials()
    assert refused.verdict == "refused" and "invalid_grant" in refused.message


async def test_factory_builds_it(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    cloud.on("POST", START, started())
    info = service_account_info()
    provider = make_provider("vertex-project", http, options=ProviderOptions(service_account=lambda: info))
    assert provider.name == "vertex-project"
    assert await provider.start(SPEC) == OP


def assert_no_key_material(texts: list[str], caplog: pytest.LogCaptureFixture) -> None:
    private, _ = rsa_key_pair()
    body_line = private.splitlines()[5]
    for text in [*texts, *(r.getMessage() for r in caplog.records), *(r.exc_text or "" for r in caplog.records)]:
        assert "PRIVATE KEY" not in text and body_line not in text and "ya29." not in text


async def test_no_key_material_or_token_in_errors_or_logs(
    cloud: FakeCloud, http: httpx.AsyncClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    private, _ = rsa_key_pair()
    echo = f"token ya29.test-token-1 key {private.splitlines()[5]} {CLIENT_EMAIL}"
    texts: list[str] = []
    for reply in (
        vertex_error(400, "INVALID_ARGUMENT", echo),
        vertex_error(403, "PERMISSION_DENIED", echo),
        vertex_error(500, "INTERNAL", echo),
        httpx.Response(200, json={"name": OP, "done": True, "error": {"code": 13, "message": echo}}),
    ):
        cloud.on("POST", START, reply)
        cloud.on("POST", FETCH, reply)
        provider = provider_for(http)
        for call in (provider.start(SPEC), provider.poll(OP, staging_dir=tmp_path)):
            try:
                texts.append(repr(await call))
            except VeoError as exc:
                texts += [str(exc), repr(exc)]
    assert len(texts) >= 8
    assert_no_key_material(texts, caplog)


async def test_unreadable_key_file_is_an_auth_error(cloud: FakeCloud, http: httpx.AsyncClient, tmp_path: Path) -> None:
    def broken() -> dict[str, Any]:
        return json.loads((tmp_path / "missing.json").read_text())

    provider = VertexProjectProvider(http, tokens=TokenSource(http, service_account_loader(broken)), project="p")
    with pytest.raises(AuthError, match="could not be read"):
        await provider.start(SPEC)
    assert cloud.requests == []


async def test_malformed_token_answer_is_an_auth_error(cloud: FakeCloud, http: httpx.AsyncClient) -> None:
    cloud.token_replies.append(httpx.Response(200, json={"token_type": "Bearer"}))  # no access_token
    with pytest.raises(AuthError):
        await provider_for(http).start(SPEC)
    assert cloud.vertex_requests() == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (vertex_error(503, "UNAVAILABLE", "overloaded"), NotAcceptedError),
        (vertex_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), QuotaError),
        (vertex_error(403, "PERMISSION_DENIED", "Permission denied", "IAM_PERMISSION_DENIED"), AuthError),
        (
            vertex_error(400, "INVALID_ARGUMENT", "Invalid resource field value.", "RESOURCE_PROJECT_INVALID"),
            PermanentError,
        ),  # only express mode reads this reason as "use a project"
        (httpx.Response(502, text="<html>bad gateway</html>"), StartOutcomeUnknown),
        (httpx.Response(200, json={}), StartOutcomeUnknown),
    ],
)
async def test_start_answers_with_a_project(
    cloud: FakeCloud, http: httpx.AsyncClient, reply: httpx.Response, expected: type[Exception]
) -> None:
    cloud.on("POST", START, reply)
    with pytest.raises(expected) as info:
        await provider_for(http).start(SPEC)
    assert type(info.value) is expected
    assert len(cloud.vertex_requests()) == 1


@pytest.mark.parametrize(
    "url", ["http://oauth.example.invalid/token", "ftp://127.0.0.1/token", "file:///etc/passwd", "not a url"]
)
async def test_the_token_transport_refuses_clear_text_off_loopback(http: httpx.AsyncClient, url: str) -> None:
    request = HttpxRequest(http, asyncio.get_running_loop())
    with pytest.raises(google.auth.exceptions.TransportError):
        await asyncio.to_thread(request, url, method="POST", body=b"assertion=x")
