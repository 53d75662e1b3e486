"""Per-prompt directives: `[sim:...]` in the prompt text scripts that prompt's jobs."""

from __future__ import annotations

import json

import httpx
import pytest
from sim_helpers import (
    client,
    file_path,
    omni_body,
    omni_create,
    omni_wait,
    vertex_body,
    vertex_poll,
    vertex_start,
    video_block,
    videos_of,
    wait_done,
)

from veo_desktop.simulator import Simulator
from veo_desktop.simulator import actions as a
from veo_desktop.simulator.directives import parse_directives


def test_parse_directives() -> None:
    parsed = parse_directives("a cat [sim:429x2] [sim:latency=5] [sim:html@start] [sim:bogus] [sim:filter]")
    assert [(d.phase, d.action, d.count) for d in parsed.transport] == [
        ("start", a.HttpError(429, None), 2),
        ("start", a.HtmlPage(200), 1),
    ]
    assert parsed.outcomes == (a.Latency(5.0), a.filter())
    assert parse_directives("[sim:filter=1] [sim:budget] [sim:size=2]").outcomes == (
        a.filter(count=1),
        a.terminal_status("budget_exceeded"),
        a.video_size(2 * 1024 * 1024),
    )
    assert parse_directives("[sim:403]").transport[0].count is None  # permanent refusals: every attempt
    assert parse_directives("[sim:redirect]").transport[0].count is None
    assert parse_directives("[sim:error=3]").outcomes == (a.operation_error(3),)
    assert parse_directives("plain prompt [sim:] [sim:LATENCY=5]") == parse_directives("")


@pytest.mark.parametrize(("status", "times"), [(429, 2), (500, 2), (503, 1)])
def test_transient_start_errors_fire_n_times(sim: Simulator, http: httpx.Client, status: int, times: int) -> None:
    prompt = f"a boat [sim:{status}x{times}]"
    for _ in range(times):
        response = vertex_start(http, vertex_body(prompt))
        assert response.status_code == status
        if status == 429:  # Vertex-shaped: no RetryInfo
            assert all("RetryInfo" not in d["@type"] for d in response.json()["error"]["details"])
    assert vertex_start(http, vertex_body(prompt)).status_code == 200
    assert vertex_start(http, vertex_body("another prompt")).status_code == 200
    assert sim.stats.accepted_starts == 2


@pytest.mark.parametrize("status", [400, 403])
def test_permanent_start_errors_fire_every_time(sim: Simulator, gem: httpx.Client, status: int) -> None:
    for _ in range(3):
        assert omni_create(gem, omni_body(f"x [sim:{status}]")).status_code == status
    assert sim.stats.accepted_starts == 0


def test_outcome_directives(http: httpx.Client, gem: httpx.Client) -> None:
    results = {}
    for kind in ("filter", "filter=1", "error", "error=3", "novideo"):
        name = vertex_start(http, vertex_body(f"p [sim:{kind}]", sampleCount=2)).json()["name"]
        results[kind] = wait_done(lambda name=name: vertex_poll(http, name))  # type: ignore[misc]
    assert results["filter"]["response"]["raiMediaFilteredCount"] == 2
    assert results["filter=1"]["response"]["raiMediaFilteredCount"] == 1
    assert len(results["filter=1"]["response"]["videos"]) == 1
    assert results["error"]["error"]["code"] == 13
    assert "Support codes: 61493863" in results["error=3"]["error"]["message"]
    assert "videos" not in results["novideo"]["response"]
    budget = omni_wait(gem, omni_create(gem, omni_body("p [sim:budget]")).json()["id"])
    assert budget["status"] == "budget_exceeded"


def test_size_directive_makes_a_huge_body(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body("p [sim:size=3]", sampleCount=4)).json()["name"]
    done = wait_done(lambda: vertex_poll(http, name))
    assert [len(v) for v in videos_of(done)] == [3 * 1024 * 1024] * 4


def test_latency_directive(sim: Simulator, http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body("slow one [sim:latency=1000]")).json()["name"]
    vertex_start(http, vertex_body("quick one [sim:latency=1]"))
    assert "done" not in vertex_poll(http, name).json()
    assert sim.in_flight() >= 1


def test_poll_fault_directives(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body("p [sim:html] [sim:badjson]")).json()["name"]
    first = vertex_poll(http, name)
    assert first.headers["content-type"].startswith("text/html")
    second = vertex_poll(http, name)
    with pytest.raises(json.JSONDecodeError):
        json.loads(second.content)
    assert vertex_poll(http, name).json()["name"] == name  # each fired once


def test_download_directives(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(download_host="127.0.0.2", file_processing_s=0.0)
    with client(sim.gemini_url) as gem:
        path = _omni_path(gem, "p [sim:reset] [sw:omni_download=direct]")
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            gem.get(path)
        assert gem.get(path).status_code == 200
        path = _omni_path(gem, "p [sim:filefail]")
        assert gem.get(path.removesuffix(":download?alt=media")).json()["state"] == "FAILED"
        assert gem.get(path).status_code == 400
        path = _omni_path(gem, "p [sim:redirect]")
        for _ in range(2):
            response = gem.get(path)
            assert response.status_code == 302
            assert response.headers["location"].startswith("http://127.0.0.2:")


def _omni_path(gem: httpx.Client, prompt: str) -> str:
    created = omni_create(gem, omni_body(prompt + " [sw:omni_get_after_uri=uri]", delivery="uri")).json()
    return file_path(video_block(omni_wait(gem, created["id"]))["uri"]) + "?alt=media"


def test_expire_directive(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body("p [sim:expire]")).json()["name"]
    wait_done(lambda: vertex_poll(http, name))
    assert vertex_poll(http, name).status_code == 404
