"""Scripted faults (`Simulator.script`) and generation outcomes, on both dialects."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from sim_helpers import (
    KEY,
    file_path,
    gemini_poll,
    gemini_start,
    vertex_body,
    vertex_poll,
    vertex_start,
    wait_done,
)

from veo_desktop.simulator import (
    Simulator,
    delay,
    expire,
    filter,
    html_page,
    http_error,
    latency,
    malformed_json,
    no_video,
    operation_error,
    redirect,
    reset,
    slow_body,
)


def _gemini_body(prompt: str = "a fox") -> dict[str, object]:
    return {"instances": [{"prompt": prompt}], "parameters": {"durationSeconds": 4}}


def _gemini_uri(http: httpx.Client, prompt: str = "a fox") -> str:
    name = gemini_start(http, _gemini_body(prompt)).json()["name"]
    done = wait_done(lambda: gemini_poll(http, name))
    return str(done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"])


@pytest.mark.parametrize("status", [400, 403, 500, 503])
def test_http_error_on_start_is_not_accepted(sim: Simulator, http: httpx.Client, status: int) -> None:
    sim.script("start", http_error(status))
    response = vertex_start(http, vertex_body())
    assert response.status_code == status
    assert response.json()["error"]["code"] == status
    assert sim.stats.accepted_starts == 0
    assert vertex_start(http, vertex_body()).status_code == 200  # times=1: the next one passes
    assert sim.stats.accepted_starts == 1


def test_429_carries_retry_info(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", http_error(429, retry_after_s=3))
    error = gemini_start(http, _gemini_body()).json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"} in error["details"]


def test_match_prompt_and_times(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", http_error(503), match_prompt="cat", times=2)
    assert vertex_start(http, vertex_body("a dog")).status_code == 200
    assert vertex_start(http, vertex_body("a cat")).status_code == 503
    assert vertex_start(http, vertex_body("a black cat")).status_code == 503
    assert vertex_start(http, vertex_body("a cat")).status_code == 200
    sim.script("list", http_error(500), times=None)
    assert all(http.get("/v1beta/models").status_code == 500 for _ in range(3))
    sim.clear_scripts()
    assert http.get("/v1beta/models").status_code == 200


def test_outcomes_must_use_start_phase(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="start"):
        sim.script("poll", filter())
    with pytest.raises(ValueError, match="phase"):
        sim.script("upload", reset())  # type: ignore[arg-type]


def test_html_page_on_poll(sim: Simulator, http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body()).json()["name"]
    sim.script("poll", html_page())
    response = vertex_poll(http, name)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    assert vertex_poll(http, name).json()["name"] == name


def test_malformed_json_on_start_is_accepted(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", malformed_json())
    response = vertex_start(http, vertex_body())
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert sim.stats.accepted_starts == 1  # the server did the (paid) work; only the answer was lost


def test_delay_makes_client_time_out_but_start_counts(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", delay(20))  # 0.4 real seconds at speed 50
    with pytest.raises(httpx.ReadTimeout):
        http.post(
            "/v1beta1/publishers/google/models/veo-3.1-fast-generate-001:predictLongRunning",
            json=vertex_body(),
            timeout=0.1,
        )
    assert sim.stats.accepted_starts == 1


def test_slow_body_on_download(sim: Simulator, http: httpx.Client) -> None:
    path = file_path(_gemini_uri(http))
    sim.script("download", slow_body(15))  # 0.3 real seconds
    started = time.monotonic()
    media = http.get(path)
    assert time.monotonic() - started >= 0.25
    assert media.content[4:8] == b"ftyp"


def test_reset_mid_download(sim: Simulator, http: httpx.Client) -> None:
    path = file_path(_gemini_uri(http))
    sim.script("download", reset())
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        http.get(path)
    assert http.get(path).status_code == 200  # reset once, then fine


def test_redirect_to_download_host_catches_key_leak(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(download_host="127.0.0.2")
    assert sim.download_base_url.startswith("http://127.0.0.2:")
    with httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": KEY}, trust_env=False) as http:
        path = file_path(_gemini_uri(http))
        sim.script("download", redirect(), times=None)
        first = http.get(path)
        assert first.status_code == 302
        location = first.headers["location"]
        assert location == sim.download_base_url + path
        assert sim.stats.key_seen_on_hosts == {"127.0.0.1"}
        # A careful client drops the key on the host change: the download host serves it anyway.
        with httpx.Client(trust_env=False) as keyless:
            assert keyless.get(location).content[4:8] == b"ftyp"
        assert sim.stats.key_seen_on_hosts == {"127.0.0.1"}
        # A careless client keeps the custom header on the redirect (httpx strips only Authorization).
        careless = http.get(path, follow_redirects=True)
        assert careless.status_code == 200
    assert sim.stats.key_seen_on_hosts == {"127.0.0.1", "127.0.0.2"}
    assert sim.stats.downloads == 2
    assert any(r.host_header.startswith("127.0.0.2:") and r.key_present for r in sim.stats.requests)
    for _host, client_host, method, path, _present, _valid in sim.stats.requests:
        assert client_host.startswith("127.") and method in ("GET", "POST") and KEY not in path


def test_filter_outcome_both_dialects(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", filter(["blocked for the test"]), times=2)
    name = vertex_start(http, vertex_body(sampleCount=2)).json()["name"]
    response = wait_done(lambda: vertex_poll(http, name))["response"]
    assert response["raiMediaFilteredCount"] == 2
    assert response["raiMediaFilteredReasons"] == ["blocked for the test"]
    assert "videos" not in response
    gname = gemini_start(http, _gemini_body()).json()["name"]
    inner = wait_done(lambda: gemini_poll(http, gname))["response"]["generateVideoResponse"]
    assert inner == {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["blocked for the test"]}


def test_operation_error_and_no_video(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", operation_error(3, "policy"), match_prompt="err")
    sim.script("start", no_video(), match_prompt="none", times=2)
    name = gemini_start(http, _gemini_body("err")).json()["name"]
    done = wait_done(lambda: gemini_poll(http, name))
    assert done["error"] == {"code": 3, "message": "policy", "details": []}
    assert "response" not in done
    vname = vertex_start(http, vertex_body("none")).json()["name"]
    vdone = wait_done(lambda: vertex_poll(http, vname))
    assert "videos" not in vdone["response"] and vdone["response"]["raiMediaFilteredCount"] == 0
    gname = gemini_start(http, _gemini_body("none")).json()["name"]
    assert wait_done(lambda: gemini_poll(http, gname))["response"]["generateVideoResponse"] == {}


def test_latency_outcome(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", latency(1000))  # 20 real seconds: still running when we look
    name = vertex_start(http, vertex_body()).json()["name"]
    time.sleep(0.2)
    assert "done" not in vertex_poll(http, name).json()
    assert sim.in_flight() == 1


def test_expire_outcome(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", expire(), times=2)
    uri = _gemini_uri(http)  # the poll that saw `done` succeeded
    assert http.get(file_path(uri)).status_code == 404
    vname = vertex_start(http, vertex_body()).json()["name"]
    assert "videos" in wait_done(lambda: vertex_poll(http, vname))["response"]
    assert vertex_poll(http, vname).status_code == 404


def test_retention_and_manual_expiry(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(retention_s=10.0)  # 0.2 real seconds after done
    with httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": KEY}, trust_env=False) as http:
        uri = _gemini_uri(http)
        time.sleep(0.3)
        assert http.get(file_path(uri)).status_code == 404
        name = vertex_start(http, vertex_body()).json()["name"]
        assert sim.expire(name) == 1
        assert vertex_poll(http, name).status_code == 404


def test_inline_video_decodes_after_slow_body(sim: Simulator, http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body()).json()["name"]
    time.sleep(0.15)
    sim.script("poll", slow_body(5))
    done = wait_done(lambda: vertex_poll(http, name))
    assert base64.b64decode(done["response"]["videos"][0]["bytesBase64Encoded"])[4:8] == b"ftyp"
