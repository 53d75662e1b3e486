"""Per-prompt directives: `[sim:...]` in the prompt text scripts that prompt's jobs."""

from __future__ import annotations

import json

import httpx
import pytest
from sim_helpers import file_path, gemini_poll, gemini_start, vertex_body, vertex_poll, vertex_start, wait_done

from veo_desktop.simulator import Simulator
from veo_desktop.simulator import actions as a
from veo_desktop.simulator.directives import parse_directives


def test_parse_directives() -> None:
    parsed = parse_directives("a cat [sim:429x2] [sim:latency=5] [sim:html@start] [sim:bogus] [sim:filter]")
    assert [(d.phase, d.action, d.count) for d in parsed.transport] == [
        ("start", a.HttpError(429, 1.0), 2),
        ("start", a.HtmlPage(200), 1),
    ]
    assert parsed.outcomes == (a.Latency(5.0), a.filter())
    assert parse_directives("[sim:403]").transport[0].count is None  # permanent refusals: every attempt
    assert parse_directives("[sim:redirect]").transport[0].count is None
    assert parse_directives("[sim:error=3]").outcomes == (a.OperationError(3, a.operation_error().message),)
    assert parse_directives("plain prompt [sim:] [sim:LATENCY=5]") == parse_directives("")


@pytest.mark.parametrize(("status", "times"), [(429, 2), (500, 2), (503, 1)])
def test_transient_start_errors_fire_n_times(sim: Simulator, http: httpx.Client, status: int, times: int) -> None:
    prompt = f"a boat [sim:{status}x{times}]"
    for _ in range(times):
        response = vertex_start(http, vertex_body(prompt))
        assert response.status_code == status
        if status == 429:
            details = response.json()["error"]["details"]
            assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"} in details
    assert vertex_start(http, vertex_body(prompt)).status_code == 200
    assert vertex_start(http, vertex_body("another prompt")).status_code == 200
    assert sim.stats.accepted_starts == 2


@pytest.mark.parametrize("status", [400, 403])
def test_permanent_start_errors_fire_every_time(sim: Simulator, http: httpx.Client, status: int) -> None:
    for _ in range(3):
        assert gemini_start(http, _body(f"x [sim:{status}]")).status_code == status
    assert sim.stats.accepted_starts == 0


def _body(prompt: str) -> dict[str, object]:
    return {"instances": [{"prompt": prompt}], "parameters": {"durationSeconds": 4}}


def test_outcome_directives(http: httpx.Client) -> None:
    results = {}
    for kind in ("filter", "error", "novideo"):
        name = gemini_start(http, _body(f"p [sim:{kind}]")).json()["name"]
        results[kind] = wait_done(lambda name=name: gemini_poll(http, name))  # type: ignore[misc]
    assert results["filter"]["response"]["generateVideoResponse"]["raiMediaFilteredCount"] == 1
    assert results["error"]["error"]["code"] == 13
    assert results["novideo"]["response"]["generateVideoResponse"] == {}


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
    sim = make_sim(download_host="127.0.0.2")
    with httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": "sim-key"}, trust_env=False) as http:
        name = gemini_start(http, _body("p [sim:reset]")).json()["name"]
        uri = wait_done(lambda: gemini_poll(http, name))["response"]["generateVideoResponse"]["generatedSamples"]
        path = file_path(uri[0]["video"]["uri"])
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            http.get(path)
        assert http.get(path).status_code == 200

        name = gemini_start(http, _body("p [sim:redirect]")).json()["name"]
        uri = wait_done(lambda: gemini_poll(http, name))["response"]["generateVideoResponse"]["generatedSamples"]
        path = file_path(uri[0]["video"]["uri"])
        for _ in range(2):
            response = http.get(path)
            assert response.status_code == 302
            assert response.headers["location"].startswith("http://127.0.0.2:")


def test_expire_directive(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body("p [sim:expire]")).json()["name"]
    wait_done(lambda: vertex_poll(http, name))
    assert vertex_poll(http, name).status_code == 404
