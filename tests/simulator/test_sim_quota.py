"""The simulator's own quota (429 RESOURCE_EXHAUSTED: Vertex-shaped without RetryInfo unless switched on,
Gemini with RetryInfo and Retry-After) and its counters."""

from __future__ import annotations

import threading
import time

import httpx
from sim_helpers import (
    KEY,
    VERTEX_MODEL,
    client,
    omni_body,
    omni_create,
    vertex_body,
    vertex_poll,
    vertex_start,
    wait_done,
)

from veo_desktop.simulator import Simulator, StartRecord


def _client(sim: Simulator) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": KEY}, trust_env=False, timeout=10)


def _retry_delay(response: httpx.Response) -> str:
    details = response.json()["error"]["details"]
    [info] = [d for d in details if d["@type"] == "type.googleapis.com/google.rpc.RetryInfo"]
    return str(info["retryDelay"])


def test_in_flight_limit(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(latency_s=(50.0, 50.0))  # 1 real second: room for a slow machine
    with _client(sim) as http, client(sim.gemini_url) as gem:
        names = [vertex_start(http, vertex_body(f"job {i}")).json()["name"] for i in range(2)]
        refused = vertex_start(http, vertex_body("job 3"))
        assert refused.status_code == 429
        assert refused.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        assert refused.json()["error"]["details"] == []  # Vertex: no RetryInfo
        switched = vertex_start(http, vertex_body("job 3 [sw:vertex_429_retryinfo=on]"))
        assert 1 <= int(_retry_delay(switched).removesuffix("s")) <= 50
        omni = omni_create(gem, omni_body("job 3"))  # the slots are shared by every provider
        assert omni.status_code == 429 and 1 <= int(omni.headers["retry-after"]) <= 50
        assert sim.in_flight() == 2
        for name in names:
            wait_done(lambda name=name: vertex_poll(http, name))  # type: ignore[misc]
        assert sim.in_flight() == 0
        assert vertex_start(http, vertex_body("job 3")).status_code == 200
    assert sim.stats.accepted_starts == 3
    assert sim.stats.peak_in_flight == 2
    assert [s.prompt for s in sim.stats.starts] == ["job 0", "job 1", "job 3"]
    assert sim.stats.starts[0] == StartRecord("job 0", VERTEX_MODEL, names[0])


def test_unlimited_in_flight_and_starts_per_minute(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(max_in_flight=0, max_starts_per_minute=3, latency_s=(1.0, 1.0))
    with _client(sim) as http:
        assert all(vertex_start(http, vertex_body(f"j{i}")).status_code == 200 for i in range(3))
        refused = vertex_start(http, vertex_body("j4 [sw:vertex_429_retryinfo=on]"))
        assert refused.status_code == 429
        assert 1 <= int(_retry_delay(refused).removesuffix("s")) <= 60
        # Per model: another base model has its own window.
        assert vertex_start(http, vertex_body("j5"), model="veo-3.1-generate-001").status_code == 200
        time.sleep(1.25)  # 62 simulated seconds: the window has moved on
        assert vertex_start(http, vertex_body("j4")).status_code == 200
    assert sim.stats.accepted_starts == 5


def test_concurrent_starts_never_exceed_the_limit(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(latency_s=(100.0, 100.0))
    codes: list[int] = []

    def start(i: int) -> None:
        with _client(sim) as http:
            codes.append(vertex_start(http, vertex_body(f"c{i}")).status_code)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 200] + [429] * 6
    assert sim.stats.accepted_starts == 2 and sim.stats.peak_in_flight == 2


def test_counters_and_request_log(sim: Simulator, http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body()).json()["name"]
    wait_done(lambda: vertex_poll(http, name))
    polls = sim.stats.polls
    assert polls >= 1
    http.get("/v1beta1/publishers/google/models")
    methods_paths = [(r.method, r.path.split(":")[-1]) for r in sim.stats.requests]
    assert methods_paths[0] == ("POST", "predictLongRunning")
    assert methods_paths[-1] == ("GET", "/v1beta1/publishers/google/models")
    assert len(sim.stats.requests) == polls + 2
    for record in sim.stats.requests:
        assert record.client_host == "127.0.0.1" and record.host_header == sim.base_url.removeprefix("http://")
        assert record.key_present and record.key_valid
        assert KEY not in "".join(str(field) for field in record)
    assert sim.stats.key_seen_on_hosts == {"127.0.0.1"}


def test_stats_endpoint_needs_no_key(sim: Simulator, http: httpx.Client) -> None:
    vertex_start(http, vertex_body())
    with httpx.Client(trust_env=False) as bare:
        stats = bare.get(sim.base_url + "/_sim/stats").json()
    assert stats == {
        "accepted_starts": 1,
        "starts_by_provider": {"vertex": 1},
        "peak_in_flight": 1,
        "in_flight": sim.in_flight(),
        "polls": 0,
        "file_checks": 0,
        "downloads": 0,
        "token_grants": 0,
        "key_in_query": 0,
        "key_seen_on_hosts": ["127.0.0.1"],
        "credentials_seen_by_kind": {"vertex": 1},
    }


def test_stop_closes_idle_keep_alive_connections(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim()
    http = _client(sim)
    try:
        assert http.get("/v1beta1/publishers/google/models").status_code == 200  # leaves a keep-alive connection
        started = time.monotonic()
        sim.stop()
        assert time.monotonic() - started < 2.0
    finally:
        http.close()
    sim.stop()  # idempotent


def test_one_listener_per_google_host(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(download_host="127.0.0.2")
    hosts = sim.hosts
    assert set(hosts) == {"vertex", "vertex_regional", "gemini", "oauth", "blob"}
    assert len(set(hosts.values())) == 5 and hosts["blob"].startswith("http://127.0.0.2:")
    assert sim.base_url == sim.vertex_url == sim.base_url_for("vertex") and sim.download_base_url == sim.blob_url
    assert (
        sim.base_url_for("gemini") == sim.gemini_url and sim.base_url_for("vertex-project") == sim.vertex_regional_url
    )
    with client(sim.gemini_url) as gem, client(sim.vertex_url) as vertex:
        # Each host serves only its own API.
        assert (
            gem.post("/v1beta1/publishers/google/models/veo-3.1-generate-001:predictLongRunning", json={}).status_code
            == 404
        )
        assert vertex.post("/v1beta/interactions", json=omni_body()).status_code == 404
        assert vertex.post("/token").status_code == 404
    assert sim.stats.accepted_starts == 0
