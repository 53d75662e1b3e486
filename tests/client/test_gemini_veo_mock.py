"""The retired Gemini-API Veo dialect against httpx.MockTransport: no starts; polls of old jobs (answer shapes,
errors), the download URL and the redirect rules."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.client.helpers import (
    BASE,
    CANARY,
    GEMINI_OP,
    MP4,
    OTHER_HOST,
    FakeGoogle,
    error,
    gemini_done,
    html,
)
from veo_desktop.client.base import StartSpec, VideoRef
from veo_desktop.client.gemini_veo import GeminiVeoProvider
from veo_desktop.client.omni_files import file_id_from_uri
from veo_desktop.core.errors import (
    AuthError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    TransientError,
)

MODEL = "veo-3.1-generate-preview"
START = f"/v1beta/models/{MODEL}:predictLongRunning"
POLL = f"/v1beta/{GEMINI_OP}"
FILE = "/v1beta/files/xyz789:download"
SPEC = StartSpec(model_id=MODEL, prompt="A lighthouse", aspect_ratio="16:9", duration_s=8, resolution="720p")
VIDEO = VideoRef(file_id="files/xyz789")


def started() -> httpx.Response:
    return httpx.Response(200, json={"name": GEMINI_OP, "metadata": {}})


def redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"location": location})


async def test_no_new_starts_on_the_retired_dialect(api: FakeGoogle, legacy: GeminiVeoProvider) -> None:
    with pytest.raises(PermanentError, match="retired") as info:
        await legacy.start(SPEC)
    assert type(info.value) is PermanentError
    assert api.requests == []


async def test_no_models_listed(api: FakeGoogle, legacy: GeminiVeoProvider) -> None:
    assert await legacy.list_models() == ()
    assert api.requests == []


async def test_legacy_poll_404_is_expired(api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path) -> None:
    api.on("GET", POLL, error(404, "NOT_FOUND", f"models/{MODEL} is no longer available"))
    with pytest.raises(NotFoundError):
        await legacy.poll(GEMINI_OP, staging_dir=tmp_path)


@pytest.mark.parametrize(
    "body", [{"name": GEMINI_OP}, {"name": GEMINI_OP, "done": False}, {"name": GEMINI_OP, "metadata": {}}]
)
async def test_poll_running(
    api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path, body: dict[str, object]
) -> None:
    api.on("GET", POLL, httpx.Response(200, json=body))
    status = await legacy.poll(GEMINI_OP, staging_dir=tmp_path)
    assert not status.done and status.videos == ()
    assert api.requests[0].method == "GET" and api.requests[0].content == b""


async def test_poll_success(api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path) -> None:
    api.on("GET", POLL, gemini_done("xyz789", "second1"))
    status = await legacy.poll(GEMINI_OP, staging_dir=tmp_path)
    assert status.succeeded
    assert status.videos == (VideoRef(file_id="files/xyz789"), VideoRef(file_id="files/second1"))


async def test_poll_filtered(api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path) -> None:
    reason = "We encountered an issue with the audio for your prompt. You have not been charged for this attempt."
    body = {
        "name": GEMINI_OP,
        "done": True,
        "response": {"generateVideoResponse": {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": [reason]}},
    }
    api.on("GET", POLL, httpx.Response(200, json=body))
    status = await legacy.poll(GEMINI_OP, staging_dir=tmp_path)
    assert (status.done, status.filtered_count, status.filter_reasons, status.videos) == (True, 1, (reason,), ())


@pytest.mark.parametrize(
    "body",
    [
        {"done": True},
        {"done": True, "response": {}},
        {"done": True, "response": {"generateVideoResponse": {}}},
        {"done": True, "response": {"generateVideoResponse": {"generatedSamples": []}}},
        {"done": True, "response": {"generateVideoResponse": {"generatedSamples": [{}, {"video": {}}, None]}}},
    ],
)
async def test_poll_done_without_video(
    api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path, body: dict[str, object]
) -> None:
    api.on("GET", POLL, httpx.Response(200, json=body))
    status = await legacy.poll(GEMINI_OP, staging_dir=tmp_path)
    assert status.done and status.videos == () and status.error_code is None and not status.succeeded


async def test_poll_operation_error(api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path) -> None:
    body = {"name": GEMINI_OP, "done": True, "error": {"code": 13, "message": "internal", "details": []}}
    api.on("GET", POLL, httpx.Response(200, json=body))
    status = await legacy.poll(GEMINI_OP, staging_dir=tmp_path)
    assert (status.error_code, status.error_message) == (13, "internal")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (html(200), ProtocolError),
        (httpx.Response(200, content=b'{"done": tr'), ProtocolError),
        (error(404, "NOT_FOUND", "unknown operation"), NotFoundError),
        (error(429, "RESOURCE_EXHAUSTED", "x"), QuotaError),
        (error(500, "INTERNAL", "x"), TransientError),
        (httpx.ReadTimeout("slow"), TransientError),
        (httpx.ConnectError("refused"), NotSentError),
        (
            httpx.Response(
                200,
                json={
                    "done": True,
                    "response": {
                        "generateVideoResponse": {
                            "generatedSamples": [
                                {
                                    "video": {
                                        "uri": "https://generativelanguage.googleapis.com/v1beta/files/UPPER:download"
                                    }
                                }
                            ]
                        }
                    },
                },
            ),
            ProtocolError,
        ),
    ],
)
async def test_poll_errors(
    api: FakeGoogle,
    legacy: GeminiVeoProvider,
    tmp_path: Path,
    reply: httpx.Response | Exception,
    expected: type[Exception],
) -> None:
    api.on("GET", POLL, reply)
    with pytest.raises(expected) as info:
        await legacy.poll(GEMINI_OP, staging_dir=tmp_path)
    assert type(info.value) is expected


@pytest.mark.parametrize(
    ("uri", "file_id"),
    [
        ("https://generativelanguage.googleapis.com/v1beta/files/xyz789:download?alt=media", "xyz789"),
        ("files/abc", "abc"),
        ("https://127.0.0.2/other/files/a1b2", "a1b2"),
        ("https://x.invalid/files/ABC:download", None),
        ("https://x.invalid/files/a.b:download", None),
        ("https://x.invalid/myfiles/abc", None),
        ("https://x.invalid/files/", None),
    ],
)
def test_file_id_from_uri(uri: str, file_id: str | None) -> None:
    assert file_id_from_uri(uri) == file_id


async def test_download_rebuilds_the_url_on_the_base(
    api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path
) -> None:
    api.on("GET", FILE, httpx.Response(200, content=MP4))
    dest = tmp_path / "v.mp4.part"
    assert await legacy.download(VIDEO, dest) == len(MP4)
    assert dest.read_bytes()[4:8] == b"ftyp"
    (request,) = api.requests
    assert str(request.url) == f"{BASE}/v1beta/files/xyz789:download?alt=media"
    assert request.headers["x-goog-api-key"] == CANARY


async def test_download_rewrites_dest(api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path) -> None:
    dest = tmp_path / "v.mp4.part"
    dest.write_bytes(b"x" * 100_000)
    api.on("GET", FILE, httpx.Response(200, content=MP4))
    await legacy.download(VideoRef(file_id="xyz789"), dest)
    assert dest.read_bytes() == MP4


async def test_same_host_redirect_keeps_the_key(api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path) -> None:
    api.on("GET", FILE, redirect("/v1beta/blobs/1?alt=media", 307))
    api.on("GET", "/v1beta/blobs/1", httpx.Response(200, content=MP4))
    await legacy.download(VIDEO, tmp_path / "v.part")
    assert [r.headers.get("x-goog-api-key") for r in api.requests] == [CANARY, CANARY]


async def test_cross_host_redirect_drops_the_key_for_good(
    api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path
) -> None:
    api.on("GET", FILE, redirect(f"{OTHER_HOST}/dl/1"))
    api.on("GET", "/dl/1", redirect(f"{BASE}/back/1"))  # back on the base host: still no key
    api.on("GET", "/back/1", redirect("relative/2"))
    api.on("GET", "/back/relative/2", httpx.Response(200, content=MP4))
    assert await legacy.download(VIDEO, tmp_path / "v.part") == len(MP4)
    hosts = [(r.url.host, r.url.path, "x-goog-api-key" in r.headers) for r in api.requests]
    assert hosts == [
        ("127.0.0.1", FILE, True),
        ("127.0.0.2", "/dl/1", False),
        ("127.0.0.1", "/back/1", False),
        ("127.0.0.1", "/back/relative/2", False),
    ]
    assert all(CANARY not in str(r.headers) for r in api.requests[1:])


async def test_redirect_to_another_port_is_another_host(
    api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path
) -> None:
    api.on("GET", FILE, redirect("http://127.0.0.1:9999/dl"))
    api.on("GET", "/dl", httpx.Response(200, content=MP4))
    await legacy.download(VIDEO, tmp_path / "v.part")
    assert "x-goog-api-key" not in api.requests[1].headers


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("http://downloads.example.invalid/v.mp4", PermanentError),  # refused: a message, not a retry
        ("ftp://127.0.0.1/v.mp4", PermanentError),
        ("file:///etc/passwd", PermanentError),
        ("", ProtocolError),
    ],
)
async def test_refused_redirect_targets(
    api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path, location: str, expected: type[Exception]
) -> None:
    api.on("GET", FILE, redirect(location))
    with pytest.raises(expected) as info:
        await legacy.download(VIDEO, tmp_path / "v.part")
    assert type(info.value) is expected
    if location.startswith("http://"):
        assert "insecure http://" in str(info.value) and "refused" in str(info.value)
    assert len(api.requests) == 1
    assert not (tmp_path / "v.part").exists()


async def test_too_many_redirects(api: FakeGoogle, legacy: GeminiVeoProvider, tmp_path: Path) -> None:
    api.on("GET", FILE, redirect("/loop"))
    api.on("GET", "/loop", redirect("/loop"))
    with pytest.raises(ProtocolError, match="redirects"):
        await legacy.download(VIDEO, tmp_path / "v.part")
    assert len(api.requests) == 6  # the first request and 5 redirects


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (error(404, "NOT_FOUND", "file expired"), NotFoundError),
        (error(403, "PERMISSION_DENIED", "denied"), AuthError),
        (html(503), TransientError),
        (httpx.ReadError("connection reset mid-body"), TransientError),
        (httpx.ConnectError("refused"), NotSentError),
    ],
)
async def test_download_errors(
    api: FakeGoogle,
    legacy: GeminiVeoProvider,
    tmp_path: Path,
    reply: httpx.Response | Exception,
    expected: type[Exception],
) -> None:
    api.on("GET", FILE, reply)
    with pytest.raises(expected) as info:
        await legacy.download(VIDEO, tmp_path / "v.part")
    assert type(info.value) is expected


@pytest.mark.parametrize("file_id", [None, "files/ABC", "files/../x", "a/b"])
async def test_download_without_a_valid_file_id(legacy: GeminiVeoProvider, tmp_path: Path, file_id: str | None) -> None:
    with pytest.raises(PermanentError):
        await legacy.download(VideoRef(file_id=file_id), tmp_path / "v.part")
