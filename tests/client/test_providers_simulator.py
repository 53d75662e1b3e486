"""The three providers end to end against the loopback simulator's hosts (veo-api.md §9): Vertex express,
Vertex with a project (a service account whose token_uri is the simulator's), Gemini Omni on v1beta and v1
(inline and file delivery, refine, cancel), express refusals and the credential checks. The key reaches only
the API hosts, never the blob host."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.client.helpers import names_in
from veo_desktop.client.base import CredentialChecker, OperationStatus, StartSpec, VeoProvider
from veo_desktop.client.factory import ProviderOptions, make_provider
from veo_desktop.client.http import make_http_client
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.errors import ExpressModeRefused
from veo_desktop.simulator import Simulator

if not hasattr(Simulator, "gemini_url"):  # the simulator before its Interactions API and per-host listeners
    pytest.skip("this simulator does not serve the Interactions API and project paths", allow_module_level=True)

KEY = "sim-key"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    clock = ScaledClock(200)
    with Simulator(api_key=KEY, clock=clock, latency_s=(2, 4), download_host="127.0.0.2", max_in_flight=8) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client() as client:
        yield client


def vertex(sim: Simulator, http: httpx.AsyncClient) -> VeoProvider:
    return make_provider("vertex", http, base_url=sim.vertex_url, api_key=lambda: KEY)


def vertex_project(sim: Simulator, http: httpx.AsyncClient) -> VeoProvider:
    info = sim.service_account_info()
    options = ProviderOptions(
        base_url=sim.vertex_regional_url, global_base_url=sim.vertex_url, service_account=lambda: info
    )
    return make_provider("vertex-project", http, options=options)


def omni(sim: Simulator, http: httpx.AsyncClient, version: str = "v1beta") -> VeoProvider:
    options = ProviderOptions(api_version=version)
    return make_provider("gemini", http, base_url=sim.gemini_url, api_key=lambda: KEY, options=options)


async def finish(provider: VeoProvider, name: str, staging: Path) -> OperationStatus:
    async with asyncio.timeout(20):
        while True:
            status = await provider.poll(name, staging_dir=staging)
            if status.done:
                return status
            await asyncio.sleep(0.02)


async def generate(provider: VeoProvider, spec: StartSpec, tmp_path: Path) -> tuple[OperationStatus, list[Path]]:
    status = await finish(provider, await provider.start(spec), tmp_path)
    assert status.succeeded, status
    files = []
    for index, video in enumerate(status.videos):
        dest = tmp_path / f"out-{index}.mp4.part"
        assert await provider.download(video, dest) == dest.stat().st_size > 1000
        assert dest.read_bytes()[4:8] == b"ftyp"
        files.append(dest)
    return status, files


async def test_vertex_express(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path) -> None:
    spec = StartSpec(
        "veo-3.1-fast-generate-001", "a lighthouse", "16:9", 4, "720p", sample_count=2, generate_audio=False
    )
    _, files = await generate(vertex(sim, http), spec, tmp_path)
    assert len(files) == 2
    assert sim.stats.accepted_starts == 1 and sim.stats.key_seen_on_hosts == {"127.0.0.1"}


async def test_vertex_with_a_project(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path) -> None:
    provider = vertex_project(sim, http)
    spec = StartSpec("veo-3.1-generate-001", "a harbour", "9:16", 6, "1080p", seed=5)
    status, files = await generate(provider, spec, tmp_path)
    assert len(files) == 1 and sim.stats.token_grants == 1
    assert status.name.startswith("projects/")


@pytest.mark.parametrize("version", ["v1beta", "v1"])
async def test_omni_inline(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path, version: str) -> None:
    status, _ = await generate(
        omni(sim, http, version), StartSpec("gemini-omni-1.1-flash", "a marble", "9:16", 8, "720p"), tmp_path
    )
    assert status.video_tokens and status.video_tokens > 0 and status.input_tokens is not None


async def test_omni_file_delivery_refine_and_redirect(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path) -> None:
    sim.set_switch("omni_get_after_uri", "uri")
    provider = omni(sim, http)
    first, _ = await generate(provider, StartSpec("gemini-omni-1.1-flash", "a marble", "16:9", 10, "1080p"), tmp_path)
    assert first.videos[0].file_id is not None
    refine = StartSpec("gemini-omni-1.1-flash", "make it red", "16:9", 5, "720p", previous_operation=first.name)
    await generate(provider, refine, tmp_path)
    assert sim.stats.downloads >= 1
    assert sim.stats.key_seen_on_hosts == {"127.0.0.1"}  # never the blob host on 127.0.0.2


async def test_omni_cancel(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path) -> None:
    provider = omni(sim, http)
    name = await provider.start(StartSpec("gemini-omni-1.1-flash", "to cancel", "16:9", 5, "720p"))
    await provider.cancel(name)  # type: ignore[attr-defined]
    status = await finish(provider, name, tmp_path)
    assert status.cancelled and not status.succeeded
    assert names_in(tmp_path) == []


@pytest.mark.parametrize("refusal", ["resource_project_invalid", "credentials_missing"])
async def test_express_refusal(sim: Simulator, http: httpx.AsyncClient, refusal: str) -> None:
    sim.set_switch("express_veo", refusal)
    with pytest.raises(ExpressModeRefused, match="vertex-project"):
        await vertex(sim, http).start(StartSpec("veo-3.1-fast-generate-001", "x", "16:9", 4, "720p"))
    assert sim.stats.accepted_starts == 0


async def test_credential_checks(sim: Simulator, http: httpx.AsyncClient) -> None:
    for provider in (vertex(sim, http), vertex_project(sim, http), omni(sim, http)):
        assert isinstance(provider, CredentialChecker)
        check = await provider.check_credentials()
        assert check.verdict == "ok", (provider.name, check)
    wrong = make_provider("gemini", http, base_url=sim.gemini_url, api_key=lambda: "not-the-key")
    assert isinstance(wrong, CredentialChecker)
    assert (await wrong.check_credentials()).verdict == "refused"
    assert sim.stats.accepted_starts == 0


@pytest.mark.parametrize("form", ["both", "project", "projectless"])
async def test_express_poll_forms(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path, form: str) -> None:
    sim.set_switch("express_poll", form)
    _, files = await generate(
        vertex(sim, http), StartSpec("veo-3.1-fast-generate-001", "x", "16:9", 4, "720p"), tmp_path
    )
    assert len(files) == 1


async def test_expired_token_is_renewed_once(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path) -> None:
    provider = vertex_project(sim, http)
    name = await provider.start(StartSpec("veo-3.1-generate-001", "a harbour", "16:9", 4, "720p"))
    assert sim.expire_tokens() >= 1  # Vertex now answers 401 ACCESS_TOKEN_EXPIRED to the token in hand
    status = await finish(provider, name, tmp_path)
    assert status.succeeded and sim.stats.token_grants == 2
    assert sim.stats.accepted_starts == 1
