"""Vertex AI express end to end against the loopback simulator (veo_desktop.simulator): start → poll until
done → download → a real MP4, and each scripted fault of the simulator mapped to the right error. (The
project and Omni dialects are covered against httpx.MockTransport until the simulator speaks them.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.client.helpers import names_in
from veo_desktop.client.base import OperationStatus, StartSpec, VeoProvider
from veo_desktop.client.factory import make_provider
from veo_desktop.client.http import make_http_client
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.errors import (
    AuthError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    StartOutcomeUnknown,
    TransientError,
)
from veo_desktop.simulator import Simulator, delay, malformed_json, reset

SIM_KEY = "sim-key"
MODELS = {"vertex": "veo-3.1-fast-generate-001"}
SPEED = 50.0


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(
        api_key=SIM_KEY, clock=ScaledClock(SPEED), latency_s=(2, 4), download_host="127.0.0.2", max_in_flight=8
    ) as simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client() as client:
        yield client


@pytest.fixture(params=["vertex"])
def provider(request: pytest.FixtureRequest, sim: Simulator, http: httpx.AsyncClient) -> VeoProvider:
    return make_provider(request.param, http, base_url=sim.base_url, api_key=lambda: SIM_KEY)


def spec(provider: VeoProvider, prompt: str = "a lighthouse at dawn", **kw: object) -> StartSpec:
    # dont_allow: a personGeneration value every simulator version accepts for text-to-video
    kw.setdefault("person_generation", "dont_allow")
    return StartSpec(MODELS[provider.name], prompt, "16:9", 4, "720p", **kw)  # type: ignore[arg-type]


async def wait_done(provider: VeoProvider, name: str, staging: Path, timeout_s: float = 10.0) -> OperationStatus:
    async with asyncio.timeout(timeout_s):
        while True:
            status = await provider.poll(name, staging_dir=staging)
            if status.done:
                return status
            await asyncio.sleep(0.02)


async def generate(provider: VeoProvider, tmp_path: Path, prompt: str = "a lighthouse at dawn") -> Path:
    name = await provider.start(spec(provider, prompt))
    status = await wait_done(provider, name, tmp_path)
    assert status.succeeded, status
    dest = tmp_path / "out.mp4.part"
    written = await provider.download(status.videos[0], dest)
    assert written == dest.stat().st_size > 1000
    return dest


async def test_end_to_end(provider: VeoProvider, sim: Simulator, tmp_path: Path) -> None:
    dest = await generate(provider, tmp_path)
    assert dest.read_bytes()[4:8] == b"ftyp"
    assert sim.stats.accepted_starts == 1
    assert sim.stats.key_seen_on_hosts == {"127.0.0.1"}
    assert names_in(tmp_path) == ["out.mp4.part"]  # nothing staged is left over


async def test_vertex_several_samples(sim: Simulator, http: httpx.AsyncClient, tmp_path: Path) -> None:
    provider = make_provider("vertex", http, base_url=sim.base_url, api_key=lambda: SIM_KEY)
    name = await provider.start(spec(provider, sample_count=2))
    status = await wait_done(provider, name, tmp_path)
    assert len(status.videos) == 2
    for index, video in enumerate(status.videos):
        dest = tmp_path / f"v{index}.part"
        await provider.download(video, dest)
        assert dest.read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize("directive", ["[sim:filter]", "[sim:error]", "[sim:novideo]"])
async def test_outcomes_without_video(provider: VeoProvider, tmp_path: Path, directive: str) -> None:
    status = await wait_done(provider, await provider.start(spec(provider, f"x {directive}")), tmp_path)
    assert status.done and not status.succeeded and status.videos == ()
    if directive == "[sim:filter]":
        assert status.filtered_count >= 1 and status.filter_reasons
    elif directive == "[sim:error]":
        assert status.error_code is not None and status.error_message
    else:
        assert status.error_code is None and status.filtered_count == 0
    assert names_in(tmp_path) == []


async def test_quota_then_success(provider: VeoProvider, sim: Simulator) -> None:
    for _ in range(2):
        with pytest.raises(QuotaError) as info:
            await provider.start(spec(provider, "x [sim:429x2]"))
        # Vertex 429s usually carry no RetryInfo (the dispatcher backs off); a simulator that sends one is honoured
        assert info.value.retry_after_s in (None, 1.0)
    await provider.start(spec(provider, "x [sim:429x2]"))
    assert sim.stats.accepted_starts == 1


async def test_server_error_on_start_leaves_the_outcome_unknown(provider: VeoProvider, sim: Simulator) -> None:
    with pytest.raises(StartOutcomeUnknown) as info:
        await provider.start(spec(provider, "x [sim:500x1]"))
    assert info.value.http_status == 500
    await provider.start(spec(provider, "x [sim:500x1]"))
    assert sim.stats.accepted_starts == 1


@pytest.mark.parametrize("directive", ["[sim:html]", "[sim:badjson]"])
async def test_unreadable_poll_then_recovery(provider: VeoProvider, tmp_path: Path, directive: str) -> None:
    name = await provider.start(spec(provider, f"x {directive}"))
    with pytest.raises(ProtocolError):
        await provider.poll(name, staging_dir=tmp_path)
    assert (await wait_done(provider, name, tmp_path)).succeeded


async def test_reset_mid_poll_is_transient(provider: VeoProvider, tmp_path: Path) -> None:
    name = await provider.start(spec(provider, "x [sim:reset@poll]"))
    await asyncio.sleep(0.2)  # let it finish so the reset hits a big answer
    with pytest.raises(TransientError):
        await provider.poll(name, staging_dir=tmp_path)
    assert names_in(tmp_path) == []
    assert (await wait_done(provider, name, tmp_path)).succeeded


async def test_expired_operation(provider: VeoProvider, tmp_path: Path) -> None:
    name = await provider.start(spec(provider, "x [sim:expire]"))
    status = await wait_done(provider, name, tmp_path)
    assert status.done
    with pytest.raises(NotFoundError):
        await provider.poll(name, staging_dir=tmp_path)


@pytest.mark.parametrize(("directive", "expected"), [("[sim:400]", PermanentError), ("[sim:403]", AuthError)])
async def test_refused_starts(provider: VeoProvider, sim: Simulator, directive: str, expected: type[Exception]) -> None:
    with pytest.raises(expected):
        await provider.start(spec(provider, f"x {directive}"))
    assert sim.stats.accepted_starts == 0


async def test_bad_request_and_unknown_model(provider: VeoProvider, sim: Simulator) -> None:
    with pytest.raises(PermanentError, match=r"durationSeconds|duration"):
        await provider.start(StartSpec(MODELS[provider.name], "x", "16:9", 5, "720p", person_generation="dont_allow"))
    with pytest.raises(NotFoundError):
        await provider.start(StartSpec("veo-9.9-imaginary", "x", "16:9", 8, "720p", person_generation="dont_allow"))
    assert sim.stats.accepted_starts == 0


async def test_wrong_key(sim: Simulator, http: httpx.AsyncClient, provider: VeoProvider) -> None:
    wrong = make_provider(provider.name, http, base_url=sim.base_url, api_key=lambda: "not-the-sim-key")
    with pytest.raises(AuthError):
        await wrong.start(spec(provider))
    assert sim.stats.accepted_starts == 0


async def test_start_outcome_unknown_vs_not_sent(provider: VeoProvider, sim: Simulator) -> None:
    sim.script("start", malformed_json())
    with pytest.raises(StartOutcomeUnknown):
        await provider.start(spec(provider))
    sim.script("start", reset())
    with pytest.raises(StartOutcomeUnknown):
        await provider.start(spec(provider))
    assert sim.stats.accepted_starts == 2  # both were accepted (and billed) by the server


async def test_start_read_timeout_is_outcome_unknown(sim: Simulator, provider: VeoProvider) -> None:
    sim.script("start", delay(50))  # one real second late
    async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=0.3), trust_env=False) as impatient:
        client = make_provider(provider.name, impatient, base_url=sim.base_url, api_key=lambda: SIM_KEY)
        with pytest.raises(StartOutcomeUnknown):
            await client.start(spec(provider))
    assert sim.stats.accepted_starts == 1


async def test_connection_refused_is_not_sent(http: httpx.AsyncClient, provider: VeoProvider) -> None:
    with Simulator(api_key=SIM_KEY) as gone:
        base_url = gone.base_url
    dead = make_provider(provider.name, http, base_url=base_url, api_key=lambda: SIM_KEY)
    with pytest.raises(NotSentError):
        await dead.start(spec(provider))


async def test_list_models(provider: VeoProvider) -> None:
    """Listing publisher models in express mode is UNCONFIRMED: a refusal means "use the catalogue"."""
    try:
        models = await provider.list_models()
    except PermanentError as exc:
        assert "cannot list models" in str(exc)
        return
    assert models and all(m.id.startswith("veo-") and "/" not in m.id for m in models)
