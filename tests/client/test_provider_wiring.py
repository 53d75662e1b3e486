"""From settings and the command line to a provider: the composition root's `build_provider` and the CLI's
provider options."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.client.oauth_fakes import FakeCloud, service_account_info
from veo_desktop.cli.main import build_parser
from veo_desktop.client.base import Cancellable, CredentialChecker, StartSpec
from veo_desktop.client.factory import make_provider
from veo_desktop.client.from_settings import build_provider
from veo_desktop.client.gemini_veo import GeminiVeoProvider
from veo_desktop.client.http import make_http_client
from veo_desktop.client.omni import OmniProvider
from veo_desktop.client.vertex import VertexExpressProvider
from veo_desktop.client.vertex_project import VertexProjectProvider
from veo_desktop.settings import Settings

MODEL = "veo-3.1-generate-001"


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud()


@pytest.fixture
async def http(cloud: FakeCloud) -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(transport=httpx.MockTransport(cloud)) as client:
        yield client


@pytest.mark.parametrize(
    ("provider", "cls"),
    [("vertex", VertexExpressProvider), ("vertex-project", VertexProjectProvider), ("gemini", OmniProvider)],
)
async def test_each_setting_builds_its_provider(http: httpx.AsyncClient, provider: str, cls: type) -> None:
    settings = Settings(provider=provider)
    built = build_provider(settings, http, base_url=settings.effective_api_base(), api_key=lambda: "k" * 39)
    assert isinstance(built, cls) and built.name == provider


def test_retired_dialect_is_not_a_setting() -> None:
    with pytest.raises(ValueError, match="Provider"):
        Settings(provider="gemini-veo").validated()
    assert GeminiVeoProvider.name == "gemini-veo"


async def test_credentials_file_and_a_fixed_base(cloud: FakeCloud, http: httpx.AsyncClient, tmp_path: Path) -> None:
    """A fixed base URL (the simulator, a test server) serves every location, the global one included."""
    key = tmp_path / "key.json"
    key.write_text(json.dumps(service_account_info()), encoding="utf-8")
    base = "http://127.0.0.1:8621"
    url = f"{base}/v1/projects/p-1/locations/global/publishers/google/models/{MODEL}:predictLongRunning"
    cloud.on("POST", url, httpx.Response(200, json={"name": "projects/1/locations/global/x/operations/y"}))
    settings = Settings(provider="vertex-project", project="p-1", region="global")
    provider = build_provider(settings, http, base_url=base, api_key=lambda: None, credentials_file=key)
    await provider.start(StartSpec(MODEL, "p", "16:9", 8, "720p"))
    assert [str(r.url) for r in cloud.vertex_requests()] == [url]
    assert len(cloud.token_requests) == 1


def test_cli_provider_options() -> None:
    args = build_parser().parse_args(
        [
            "list",
            "--provider",
            "vertex-project",
            "--project",
            "my-project",
            "--region",
            "europe-west4",
            "--credentials",
            "key.json",
        ]
    )
    assert (args.provider, args.project, args.region, args.credentials) == (
        "vertex-project",
        "my-project",
        "europe-west4",
        Path("key.json"),
    )
    before = build_parser().parse_args(["--provider", "gemini", "list"])
    assert before.provider == "gemini" and before.region is None and before.credentials is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--provider", "gemini-veo", "list"])


async def test_capabilities_by_protocol(http: httpx.AsyncClient) -> None:
    built = {
        name: make_provider(name, http, api_key=lambda: "k" * 39) for name in ("vertex", "vertex-project", "gemini")
    }
    assert all(isinstance(p, CredentialChecker) for p in built.values())
    assert [name for name, p in built.items() if isinstance(p, Cancellable)] == ["gemini"]


def test_base_url_with_a_region_placeholder() -> None:
    from veo_desktop.client.http import check_base_url

    assert check_base_url("https://{region}-aiplatform.googleapis.com/") == "https://{region}-aiplatform.googleapis.com"
    with pytest.raises(ValueError, match="https"):
        check_base_url("http://{region}-aiplatform.googleapis.com")


async def test_old_gemini_veo_jobs_get_their_dialect(http: httpx.AsyncClient) -> None:
    settings = Settings(provider="vertex")
    legacy = build_provider(
        settings, http, base_url="https://generativelanguage.googleapis.com", api_key=lambda: "k", provider="gemini-veo"
    )
    assert isinstance(legacy, GeminiVeoProvider)
