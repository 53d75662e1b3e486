"""The key: read at call time, sent only as the header to the base host, in no URL, message or log record."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests.client.conftest import KeyBox
from tests.client.helpers import (
    BASE,
    CANARY,
    GEMINI_OP,
    VERTEX_OP,
    FakeGoogle,
    Reply,
    error,
    html,
    key_invalid_detail,
)
from veo_desktop.client.base import CredentialChecker, StartSpec, VeoProvider, VideoRef
from veo_desktop.client.factory import make_provider
from veo_desktop.client.gemini_veo import GeminiVeoProvider
from veo_desktop.client.omni import OmniProvider
from veo_desktop.client.vertex import VertexExpressProvider
from veo_desktop.core.errors import AuthError, VeoError
from veo_desktop.logsafe import mask

SPEC = StartSpec("veo-3.1-generate-preview", "p", "16:9", 8, "720p")
INTERACTION = "v1_ChdTb21l"


async def every_call(provider: VeoProvider, tmp_path: Path) -> list[BaseException]:
    errors: list[BaseException] = []
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: provider.start(SPEC),
        lambda: provider.poll(GEMINI_OP if provider.name == "gemini" else VERTEX_OP, staging_dir=tmp_path),
        lambda: provider.list_models(),
    ]
    if provider.name == "gemini":
        calls.append(lambda: provider.poll(INTERACTION, staging_dir=tmp_path))
        calls.append(lambda: provider.download(VideoRef(file_id="files/abc"), tmp_path / "v.part"))
    for call in calls:
        try:
            await call()
        except VeoError as exc:
            errors.append(exc)
    return errors


@pytest.mark.parametrize("missing", [None, "", "   "])
@pytest.mark.parametrize("provider_name", ["gemini", "vertex"])
async def test_no_key_means_auth_error_and_nothing_sent(
    api: FakeGoogle, http: httpx.AsyncClient, tmp_path: Path, missing: str | None, provider_name: str
) -> None:
    provider = make_provider(provider_name, http, base_url=BASE, api_key=lambda: missing)
    errors = await every_call(provider, tmp_path)
    assert len(errors) >= 3
    assert all(type(e) is AuthError and str(e) == "No API key is set; add one in Settings." for e in errors)
    assert api.requests == []


async def test_unsendable_key_is_refused(api: FakeGoogle, http: httpx.AsyncClient) -> None:
    provider = make_provider("gemini", http, base_url=BASE, api_key=lambda: "abc\ndef-ghijkl")
    with pytest.raises(AuthError, match="cannot be sent"):
        await provider.start(SPEC)
    assert api.requests == []


async def test_key_is_read_at_every_call(api: FakeGoogle, omni: OmniProvider, key: KeyBox) -> None:
    api.on("POST", "/v1beta/interactions", httpx.Response(200, json={"id": INTERACTION}))
    await omni.start(SPEC)
    key.value = "second-key-value-1234"
    api.key = key.value
    await omni.start(SPEC)
    assert [r.headers["x-goog-api-key"] for r in api.requests] == [CANARY, "second-key-value-1234"]
    assert mask("x second-key-value-1234 y") == "x *** y"  # registered with logsafe when used


@pytest.mark.parametrize("provider_name", ["gemini", "vertex"])
async def test_canary_in_no_exception_text_or_log_record(
    api: FakeGoogle,
    http: httpx.AsyncClient,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    provider_name: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"API key not valid: {CANARY}. Please pass a valid API key."
    replies: list[Reply] = [
        error(400, "INVALID_ARGUMENT", echo, [key_invalid_detail()]),
        error(429, "RESOURCE_EXHAUSTED", echo),
        error(500, "INTERNAL", echo),
        html(404),
        httpx.Response(200, text=f"<html>{CANARY}</html>"),
        httpx.Response(200, json={"done": True, "error": {"code": 3, "message": echo}}),
        httpx.ConnectError(f"refused {CANARY}"),
        httpx.ReadTimeout(f"timeout {CANARY}"),
        httpx.Response(302, headers={"location": f"http://other.invalid/{CANARY}"}),
    ]
    provider = make_provider(provider_name, http, base_url=BASE, api_key=lambda: CANARY)
    texts: list[str] = []
    for reply in replies:
        api.routes.clear()
        for method in ("GET", "POST"):
            for path in (
                "/v1beta/models/veo-3.1-generate-preview:predictLongRunning",
                f"/v1beta/{GEMINI_OP}",
                "/v1beta/models",
                "/v1beta/files/abc:download",
                "/v1beta/files/abc",
                "/v1beta/interactions",
                f"/v1beta/interactions/{INTERACTION}",
                "/v1beta1/publishers/google/models/veo-3.1-generate-preview:predictLongRunning",
                "/v1beta1/projects/123/locations/global/publishers/google/models/"
                "veo-3.1-fast-generate-001:fetchPredictOperation",
                "/v1beta1/publishers/google/models",
                "/v1beta1/publishers/google/models/veo-3.1-fast-generate-001",
            ):
                api.on(method, path, reply)
        for exc in await every_call(provider, tmp_path):
            texts += [str(exc), repr(exc), exc.message if isinstance(exc, VeoError) else ""]
        status = await _poll_quietly(provider, tmp_path)
        texts.append(repr(status))
        assert isinstance(provider, CredentialChecker)
        texts.append(repr(await provider.check_credentials()))
    assert texts
    assert all(CANARY not in text for text in texts)
    for record in caplog.records:
        assert CANARY not in record.getMessage()
        assert CANARY not in (record.exc_text or "")
    assert len(api.keyed_requests()) == len(api.requests)  # every request went to the base host, with the key


async def _poll_quietly(provider: VeoProvider, tmp_path: Path) -> object:
    try:
        name = GEMINI_OP if provider.name == "gemini" else VERTEX_OP
        return await provider.poll(name, staging_dir=tmp_path)
    except VeoError as exc:
        return exc


async def test_factory(http: httpx.AsyncClient) -> None:
    assert isinstance(make_provider("vertex", http, base_url=BASE, api_key=lambda: None), VertexExpressProvider)
    assert isinstance(make_provider("gemini", http, base_url=BASE, api_key=lambda: None), OmniProvider)
    assert isinstance(make_provider("gemini-veo", http, base_url=BASE, api_key=lambda: None), GeminiVeoProvider)
    project = make_provider("vertex-project", http, base_url=BASE)
    assert project.name == "vertex-project"
    with pytest.raises(ValueError, match="Unknown provider"):
        make_provider("openai", http, base_url=BASE, api_key=lambda: None)
    with pytest.raises(ValueError, match="https"):
        make_provider("gemini", http, base_url="http://generativelanguage.googleapis.com", api_key=lambda: None)
