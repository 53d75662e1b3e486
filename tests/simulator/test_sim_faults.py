"""Scripted faults (`Simulator.script`) and generation outcomes, on Vertex and Omni."""

from __future__ import annotations

import base64
import binascii
import json
import time

import httpx
import pytest
from sim_helpers import (
    KEY,
    client,
    file_path,
    omni_body,
    omni_create,
    omni_wait,
    vertex_body,
    vertex_poll,
    vertex_start,
    video_block,
    wait_done,
)

from veo_desktop.core.clock import ManualClock
from veo_desktop.simulator import (
    Simulator,
    delay,
    expire,
    filter,
    html_page,
    http_error,
    latency,
    malformed_json,
    missing_name,
    no_video,
    operation_error,
    redirect,
    reset,
    reset_before_body,
    slow_body,
    truncated_base64,
)


def omni_file(gem: httpx.Client, prompt: str = "a fox", *, direct: bool = True) -> str:
    """The download path of a finished Omni video (uri delivery), once its file is ACTIVE."""
    keywords = " [sw:omni_get_after_uri=uri]" + (" [sw:omni_download=direct]" if direct else "")
    created = omni_create(gem, omni_body(prompt + keywords, delivery="uri")).json()
    path = file_path(video_block(omni_wait(gem, created["id"]))["uri"])
    deadline = time.monotonic() + 5
    while gem.get(path.removesuffix(":download")).json()["state"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return path + "?alt=media"


@pytest.mark.parametrize("status", [400, 403, 500, 503])
def test_http_error_on_start_is_not_accepted(sim: Simulator, http: httpx.Client, status: int) -> None:
    sim.script("start", http_error(status))
    response = vertex_start(http, vertex_body())
    assert response.status_code == status
    assert response.json()["error"]["code"] == status
    assert sim.stats.accepted_starts == 0
    assert vertex_start(http, vertex_body()).status_code == 200  # times=1: the next one passes
    assert sim.stats.accepted_starts == 1


def test_429_retry_info_per_dialect(sim: Simulator, http: httpx.Client, gem: httpx.Client) -> None:
    retry_info = "type.googleapis.com/google.rpc.RetryInfo"
    sim.script("start", http_error(429), times=3)
    vertex = vertex_start(http, vertex_body())
    assert vertex.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert "online_prediction_requests_per_base_model" in vertex.json()["error"]["message"]
    assert all(d["@type"] != retry_info for d in vertex.json()["error"]["details"])  # Vertex: no RetryInfo
    assert "retry-after" not in vertex.headers
    omni = omni_create(gem, omni_body())
    assert {"@type": retry_info, "retryDelay": "1s"} in omni.json()["error"]["details"]
    assert omni.headers["retry-after"] == "1"
    switched = vertex_start(http, vertex_body("a cat [sw:vertex_429_retryinfo=on]"))
    assert {"@type": retry_info, "retryDelay": "30s"} in switched.json()["error"]["details"]
    sim.script("start", http_error(429, retry_after_s=3))
    assert {"@type": retry_info, "retryDelay": "3s"} in vertex_start(http, vertex_body()).json()["error"]["details"]
    assert sim.stats.accepted_starts == 0


def test_match_prompt_and_times(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", http_error(503), match_prompt="cat", times=2)
    assert vertex_start(http, vertex_body("a dog")).status_code == 200
    assert vertex_start(http, vertex_body("a cat")).status_code == 503
    assert vertex_start(http, vertex_body("a black cat")).status_code == 503
    assert vertex_start(http, vertex_body("a cat")).status_code == 200
    sim.script("list", http_error(500), times=None)
    assert all(http.get("/v1beta1/publishers/google/models").status_code == 500 for _ in range(3))
    sim.clear_scripts()
    assert http.get("/v1beta1/publishers/google/models").status_code == 200


def test_reset_before_the_body_is_read(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", reset_before_body())
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)):
        vertex_start(http, vertex_body())
    assert sim.stats.accepted_starts == 0  # nothing was received, nothing started
    with pytest.raises(ValueError, match="prompt"):
        sim.script("start", reset_before_body(), match_prompt="cat")


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


def test_slow_body_on_download(sim: Simulator, gem: httpx.Client) -> None:
    path = omni_file(gem)
    sim.script("download", slow_body(15))  # 0.3 real seconds
    started = time.monotonic()
    media = gem.get(path)
    assert time.monotonic() - started >= 0.25
    assert media.content[4:8] == b"ftyp"


def test_reset_mid_download(sim: Simulator, gem: httpx.Client) -> None:
    path = omni_file(gem)
    sim.script("download", reset())
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        gem.get(path)
    assert gem.get(path).status_code == 200  # reset once, then fine


def test_redirect_to_download_host_catches_key_leak(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(download_host="127.0.0.2")
    assert sim.download_base_url.startswith("http://127.0.0.2:")
    with client(sim.gemini_url) as http:
        path = omni_file(http, direct=False)
        first = http.get(path)
        assert first.status_code == 302
        location = first.headers["location"]
        assert location.startswith(sim.blob_url + "/blob/")
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
    assert sim.stats.blob_credentials_seen == 1  # recorded, not refused
    assert any(r.host_header.startswith("127.0.0.2:") and r.key_present for r in sim.stats.requests)
    for record in sim.stats.requests:
        assert record.client_host.startswith("127.") and record.method in ("GET", "POST") and KEY not in record.path


def test_scripted_redirect_lands_on_the_blob_host(sim: Simulator, gem: httpx.Client) -> None:
    path = omni_file(gem)
    sim.script("download", redirect(), times=None)
    first = gem.get(path)
    assert first.status_code == 302 and first.headers["location"].startswith(sim.blob_url)
    with httpx.Client(trust_env=False) as keyless:
        assert keyless.get(first.headers["location"]).content[4:8] == b"ftyp"


def test_filter_outcome(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", filter(["blocked for the test"]))
    name = vertex_start(http, vertex_body(sampleCount=2)).json()["name"]
    response = wait_done(lambda: vertex_poll(http, name))["response"]
    assert response["raiMediaFilteredCount"] == 2
    assert response["raiMediaFilteredReasons"] == ["blocked for the test"]
    assert response["videos"] == []


def test_operation_error_and_no_video(sim: Simulator, http: httpx.Client, gem: httpx.Client) -> None:
    sim.script("start", operation_error(3, "policy"), match_prompt="err", times=2)
    sim.script("start", no_video(), match_prompt="none", times=2)
    name = vertex_start(http, vertex_body("err")).json()["name"]
    done = wait_done(lambda: vertex_poll(http, name))
    assert done["error"] == {"code": 3, "message": "policy", "details": []}
    assert "response" not in done
    vname = vertex_start(http, vertex_body("none")).json()["name"]
    vdone = wait_done(lambda: vertex_poll(http, vname))
    assert "videos" not in vdone["response"] and "raiMediaFilteredCount" not in vdone["response"]
    failed = omni_wait(gem, omni_create(gem, omni_body("err")).json()["id"])
    assert failed["status"] == "failed" and failed["errors"][0]["message"] == "policy"
    empty = omni_wait(gem, omni_create(gem, omni_body("none")).json()["id"])
    assert empty["status"] == "completed"
    assert all(c["type"] != "video" for c in empty["steps"][-1]["content"])


def test_latency_outcome(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", latency(1000))  # 20 real seconds: still running when we look
    name = vertex_start(http, vertex_body()).json()["name"]
    time.sleep(0.2)
    assert "done" not in vertex_poll(http, name).json()
    assert sim.in_flight() == 1


def test_expire_outcome(sim: Simulator, http: httpx.Client, gem: httpx.Client) -> None:
    sim.script("start", expire(), times=2)
    created = omni_create(gem, omni_body(delivery="uri")).json()
    omni_wait(gem, created["id"])  # the poll that saw the end succeeded
    assert gem.get(f"/v1beta/interactions/{created['id']}").status_code == 404
    vname = vertex_start(http, vertex_body()).json()["name"]
    assert "videos" in wait_done(lambda: vertex_poll(http, vname))["response"]
    assert vertex_poll(http, vname).status_code == 404


def test_retention_and_manual_expiry(make_sim) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    sim = make_sim(retention_s=10.0, file_processing_s=0.0, clock=clock)
    with client(sim.gemini_url) as gem:
        created = omni_create(
            gem, omni_body("a fox [sw:omni_get_after_uri=uri] [sw:omni_download=direct]", delivery="uri")
        )
        clock.advance(5)
        path = file_path(video_block(omni_wait(gem, created.json()["id"]))["uri"]) + "?alt=media"
        assert gem.get(path).status_code == 200
        clock.advance(11)
        assert gem.get(path).status_code == 404
    with client(sim.vertex_url) as http:
        name = vertex_start(http, vertex_body()).json()["name"]
        assert sim.expire(name) == 1
        assert vertex_poll(http, name).status_code == 404


def test_inline_video_decodes_after_slow_body(sim: Simulator, http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body()).json()["name"]
    time.sleep(0.15)
    sim.script("poll", slow_body(5))
    done = wait_done(lambda: vertex_poll(http, name))
    assert base64.b64decode(done["response"]["videos"][0]["bytesBase64Encoded"])[4:8] == b"ftyp"


def test_truncated_base64_is_valid_json_with_a_broken_video(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", truncated_base64())
    name = vertex_start(http, vertex_body(sampleCount=2)).json()["name"]
    done = wait_done(lambda: vertex_poll(http, name))  # parses: the JSON itself is whole
    for video in done["response"]["videos"]:
        assert len(video["bytesBase64Encoded"]) % 4 == 1
        with pytest.raises(binascii.Error):
            base64.b64decode(video["bytesBase64Encoded"], validate=True)


def test_200_without_a_name_was_accepted(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(max_in_flight=0)
    http, gem = client(sim.vertex_url), client(sim.gemini_url)
    sim.script("start", missing_name(), times=2)
    assert vertex_start(http, vertex_body()).json() == {}
    assert omni_create(gem, omni_body()).json() == {}
    assert vertex_start(http, vertex_body("again [sim:noname]")).json() == {}
    assert sim.stats.accepted_starts == 3  # each start happened; only its name was lost
    http.close()
    gem.close()


@pytest.mark.parametrize("status", [401, 409, 502])
def test_other_statuses_per_call_kind(sim: Simulator, gem: httpx.Client, status: int) -> None:
    path = omni_file(gem)
    for phase in ("file", "download", "poll", "cancel"):
        sim.script(phase, http_error(status))  # type: ignore[arg-type]
    assert gem.get(path.removesuffix(":download?alt=media")).status_code == status
    assert gem.get(path).status_code == status
    assert gem.get(path).status_code == 200  # once each
