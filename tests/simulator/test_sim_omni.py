"""Gemini Omni over the Interactions API (docs/veo-api.md §4): create/get/cancel/delete on /v1 and
/v1beta, input forms, conversations, status flow, usage tokens, delivery, files and the blob host, models,
the retired Veo dialect, and the UNCONFIRMED switches."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest
from sim_helpers import KEY, OMNI_MODEL, PNG, b64, client, file_path, omni_body, omni_create, omni_wait, video_block

from veo_desktop.core.clock import ManualClock
from veo_desktop.simulator import Simulator, filter, mp4, terminal_status

INPUT_FORMS = [
    pytest.param("a red kite", id="string"),
    pytest.param({"type": "text", "text": "a red kite"}, id="content"),
    pytest.param(
        [{"type": "text", "text": "a red kite"}, {"type": "image", "mime_type": "image/png", "data": b64(PNG)}],
        id="content-list",
    ),
    pytest.param([{"type": "user_input", "content": [{"type": "text", "text": "a red kite"}]}], id="steps"),
]  # fmt: skip


@pytest.mark.parametrize("version", ["v1", "v1beta"])
@pytest.mark.parametrize("raw_input", INPUT_FORMS)
def test_create_and_complete(sim: Simulator, gem: httpx.Client, version: str, raw_input: object) -> None:
    body = {**omni_body(), "input": raw_input}
    created = omni_create(gem, body, version).json()
    assert created["id"].startswith("v1_") and created["object"] == "interaction"
    assert created["status"] == "in_progress" and created["steps"][0]["type"] == "user_input"
    done = omni_wait(gem, created["id"])
    assert done["status"] == "completed"
    assert [s["type"] for s in done["steps"]] == ["user_input", "thought", "model_output"]
    data = base64.b64decode(video_block(done)["data"])
    assert mp4.durations(data).tracks == {"vide": 4.0, "soun": 4.0}
    usage = done["usage"]
    assert usage["output_tokens_by_modality"] == [{"modality": "video", "tokens": 4 * 5792}]
    assert usage["total_tokens"] == usage["total_input_tokens"] + usage["total_output_tokens"] + 300
    assert sim.stats.starts_by_provider == {"gemini": 1}


def test_response_format_as_a_list_and_usage_per_resolution(gem: httpx.Client) -> None:
    fmt = [{"type": "text"}, {"type": "video", "aspect_ratio": "9:16", "resolution": "1080p", "duration": "6s"}]
    done = omni_wait(gem, omni_create(gem, {**omni_body(), "response_format": fmt}).json()["id"])
    assert done["usage"]["output_tokens_by_modality"][0]["tokens"] == 6 * 8688
    _, width, height, _ = mp4.video_facts(base64.b64decode(video_block(done)["data"]))
    assert height > width
    assert gem.get(f"/v1/interactions/{done['id']}", params={"stream": "false", "include_input": "true"}).is_success


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"input": ""}, "text prompt or an image"),
        ({"input": [{"type": "image", "mime_type": "image/gif", "data": b64(b"GIF89a")}]}, "mime_type"),
        ({"input": [{"type": "image", "mime_type": "image/png", "data": b64(PNG)}] * 4}, "At most 3"),
        ({"response_format": {"type": "video", "duration": "11s"}}, "3s to 10s"),
        ({"response_format": {"type": "video", "aspect_ratio": "4:3"}}, "aspect_ratio"),
        ({"response_format": {"type": "video", "resolution": "8k"}}, "resolution"),
        ({"response_format": {"type": "video", "delivery": "email"}}, "delivery"),
        ({"generation_config": {"seed": 2**32}}, "seed"),
    ],
)
def test_bad_creates_are_400(sim: Simulator, gem: httpx.Client, change: dict[str, object], needle: str) -> None:
    refused = omni_create(gem, {**omni_body(), **change})
    assert refused.status_code == 400 and needle in refused.json()["error"]["message"]
    assert sim.stats.accepted_starts == 0


def test_keys_models_and_retired_ids(sim: Simulator, gem: httpx.Client) -> None:
    with httpx.Client(base_url=sim.gemini_url, trust_env=False) as bare:
        assert bare.post("/v1beta/interactions", json=omni_body()).status_code == 401
        wrong = bare.post("/v1beta/interactions", json=omni_body(), headers={"x-goog-api-key": "nope"})
        assert wrong.status_code == 400 and wrong.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    models = gem.get("/v1beta/models", params={"pageSize": 50}).json()["models"]
    assert [m["name"] for m in models] == [f"models/{OMNI_MODEL}"]
    for model in ("gemini-omni-flash-preview", "veo-3.1-fast-generate-preview"):
        gone = omni_create(gem, {**omni_body(), "model": model})
        assert gone.status_code == 404 and "is no longer available" in gone.json()["error"]["message"]
    assert omni_create(gem, {**omni_body(), "model": "gemini-omni-1.2-flash"}).status_code == 404
    old = gem.post("/v1beta/models/veo-3.1-generate-preview:predictLongRunning", json={"instances": [{}]})
    assert old.json()["error"]["message"].startswith("models/veo-3.1-generate-preview is no longer available")
    poll = gem.get("/v1beta/models/veo-3.1-generate-preview/operations/abc123")
    assert poll.status_code == 404 and "no longer available" in poll.json()["error"]["message"]
    assert sim.stats.accepted_starts == 0


def test_omni_1_2_switch(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(switches={"omni_1_2": "on"})
    with client(sim.gemini_url) as gem:
        names = [m["name"] for m in gem.get("/v1/models").json()["models"]]
        assert names == [f"models/{OMNI_MODEL}", "models/gemini-omni-1.2-flash"]
        fmt = {"type": "video", "duration": "15s"}
        body = {**omni_body(), "model": "models/gemini-omni-1.2-flash", "response_format": fmt}
        done = omni_wait(gem, omni_create(gem, body).json()["id"])
    assert mp4.durations(base64.b64decode(video_block(done)["data"])).movie_s == 15


def test_conversation_rules(make_sim: Callable[..., Simulator]) -> None:
    clock = ManualClock()
    with client(make_sim(clock=clock).gemini_url) as gem:
        first = omni_create(gem, omni_body(duration="10s")).json()
        follow = {**omni_body("make it rain", duration="10s"), "previous_interaction_id": first["id"]}
        assert omni_create(gem, follow).status_code == 400  # the first turn is not finished
        assert omni_create(gem, {**follow, "previous_interaction_id": "v1_unknown"}).status_code == 404
        clock.advance(5)
        _conversation(gem, clock, first["id"], follow)


def _conversation(gem: httpx.Client, clock: ManualClock, first_id: str, follow: dict[str, object]) -> None:
    omni_wait(gem, first_id)
    second = omni_create(gem, follow).json()
    clock.advance(5)
    done = omni_wait(gem, second["id"])
    assert done["previous_interaction_id"] == first_id
    assert done["usage"]["total_input_tokens"] > 10 * 5792  # the earlier video counts as input
    chain = second["id"]
    for _ in range(2):
        chain = omni_create(gem, {**follow, "previous_interaction_id": chain}).json()["id"]
        clock.advance(5)
        omni_wait(gem, chain)
    too_long = omni_create(gem, {**follow, "previous_interaction_id": chain})
    assert too_long.status_code == 400 and "at most 40s" in too_long.json()["error"]["message"]
    unstored = omni_create(gem, {**omni_body(), "store": False}).json()
    clock.advance(5)
    omni_wait(gem, unstored["id"])
    assert omni_create(gem, {**follow, "previous_interaction_id": unstored["id"]}).status_code == 400


def test_cancel_and_delete(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(latency_s=(500.0, 500.0), cancel_delay_s=5.0)  # cancelled 0.1 real s after asking
    with client(sim.gemini_url) as gem:
        iid = omni_create(gem, omni_body()).json()["id"]
        assert gem.post(f"/v1beta/interactions/{iid}/cancel").json()["status"] == "in_progress"
        assert omni_wait(gem, iid)["status"] == "cancelled"
        assert gem.post(f"/v1beta/interactions/{iid}/cancel").status_code == 400
        assert gem.delete(f"/v1/interactions/{iid}").json() == {}
        assert gem.get(f"/v1beta/interactions/{iid}").status_code == 404
        assert gem.delete(f"/v1/interactions/{iid}").status_code == 404


def test_queued_first_and_create_without_user_input(make_sim: Callable[..., Simulator]) -> None:
    clock = ManualClock()
    sim = make_sim(clock=clock, latency_s=(50.0, 50.0), switches={"omni_queued": "on", "omni_create_user_input": "off"})
    with client(sim.gemini_url) as gem:
        created = omni_create(gem, omni_body()).json()
        assert "steps" not in created and created["status"] == "queued"
        assert gem.get(f"/v1beta/interactions/{created['id']}").json()["status"] == "queued"
        clock.advance(10)
        assert gem.get(f"/v1beta/interactions/{created['id']}").json()["status"] == "in_progress"
        clock.advance(40)
        assert gem.get(f"/v1beta/interactions/{created['id']}").json()["status"] == "completed"


@pytest.mark.parametrize("mode", ["create_400", "failed"])
def test_safety_switch(make_sim: Callable[..., Simulator], mode: str) -> None:
    sim = make_sim(switches={"omni_safety": mode})
    sim.script("start", filter())
    with client(sim.gemini_url) as gem:
        created = omni_create(gem, omni_body("something forbidden"))
        if mode == "create_400":
            assert created.status_code == 400 and "usage policies" in created.json()["error"]["message"]
            assert sim.stats.accepted_starts == 0
            return
        done = omni_wait(gem, created.json()["id"])
    assert done["status"] == "failed"
    assert done["steps"][-1]["error"]["code"] == 3 and "usage policies" in done["errors"][0]["message"]


def test_error_envelope_switch(gem: httpx.Client) -> None:
    google = omni_create(gem, omni_body("[sw:omni_error_envelope=google]", duration="99s")).json()["error"]
    assert set(google) == {"code", "message", "status", "details"} and google["code"] == 400
    schema = omni_create(gem, omni_body("[sw:omni_error_envelope=schema]", duration="99s"))
    assert schema.status_code == 400
    assert set(schema.json()["error"]) == {"code", "message"} and isinstance(schema.json()["error"]["code"], str)


def test_duration_switch(gem: httpx.Client) -> None:
    done = omni_wait(gem, omni_create(gem, omni_body("a kite [sw:omni_duration=model_chooses]")).json()["id"])
    seconds = mp4.durations(base64.b64decode(video_block(done)["data"])).movie_s
    assert 3 <= seconds <= 10
    assert done["usage"]["output_tokens_by_modality"][0]["tokens"] == seconds * 5792


def test_delivery_and_get_after_uri(gem: httpx.Client) -> None:
    default = omni_wait(gem, omni_create(gem, omni_body(delivery="uri")).json()["id"])
    assert "data" in video_block(default)  # GET answers inline data even for uri delivery (the docs, today)
    switched = omni_wait(gem, omni_create(gem, omni_body("[sw:omni_get_after_uri=uri]", delivery="uri")).json()["id"])
    uri = video_block(switched)["uri"]
    assert uri.startswith("https://generativelanguage.googleapis.com/v1beta/files/") and uri.endswith(
        ":download?alt=media"
    )


def _uri_interaction(gem: httpx.Client, clock: ManualClock) -> str:
    body = omni_body("a kite [sw:omni_get_after_uri=uri]", delivery="uri")
    created = omni_create(gem, body).json()
    clock.advance(5)
    return file_path(video_block(omni_wait(gem, created["id"]))["uri"])


def test_files_processing_active_and_download(make_sim: Callable[..., Simulator]) -> None:
    clock = ManualClock()
    sim = make_sim(clock=clock, file_processing_s=10.0, download_host="127.0.0.2")
    with client(sim.gemini_url) as gem:
        path = _uri_interaction(gem, clock)
        state = gem.get(path.removesuffix(":download")).json()
        assert state["state"] == "PROCESSING" and state["source"] == "GENERATED" and state["mimeType"] == "video/mp4"
        assert gem.get(path, params={"alt": "media"}).status_code == 400  # not downloadable while PROCESSING
        clock.advance(10)
        assert gem.get(path.removesuffix(":download")).json()["state"] == "ACTIVE"
        redirect = gem.get(path, params={"alt": "media"})
        assert redirect.status_code == 302
        location = redirect.headers["location"]
        assert location.startswith("http://127.0.0.2:")
    with httpx.Client(trust_env=False) as keyless:
        whole = keyless.get(location)
        part = keyless.get(location, headers={"Range": "bytes=4-7"})
    assert whole.content[4:8] == b"ftyp" and part.status_code == 206 and part.content == b"ftyp"
    assert part.headers["content-range"] == f"bytes 4-7/{len(whole.content)}"
    assert sim.stats.blob_credentials_seen == 0 and sim.stats.key_seen_on_hosts == {"127.0.0.1"}


def test_file_switches_and_expiry(make_sim: Callable[..., Simulator]) -> None:
    switches = {"file_processing_download": "serve", "omni_download": "direct"}
    clock = ManualClock()
    sim = make_sim(clock=clock, file_processing_s=1000.0, switches=switches)
    with client(sim.gemini_url) as gem:
        path = _uri_interaction(gem, clock)
        served = gem.get(path, params={"alt": "media"}, headers={"Range": "bytes=0-"})
        assert served.status_code == 206 and served.content[4:8] == b"ftyp"  # direct, even while PROCESSING
        assert gem.get(path).status_code == 400  # alt=media is required
        clock.advance(48 * 3600 - 1)
        assert gem.get(path, params={"alt": "media"}).status_code == 200
        clock.advance(2)  # past Google's 48 h retention
        assert gem.get(path, params={"alt": "media"}).status_code == 404
        assert gem.get(path.removesuffix(":download")).status_code == 404


def test_synchronous_create_answers_when_done(gem: httpx.Client) -> None:
    done = omni_create(gem, {**omni_body(), "background": False}).json()
    assert done["status"] == "completed" and video_block(done)["data"]


def test_key_in_query_is_counted(sim: Simulator) -> None:
    with httpx.Client(base_url=sim.gemini_url, trust_env=False) as bare:
        assert bare.get("/v1beta/models", params={"key": KEY}).status_code == 200
    assert sim.stats.key_in_query == 1


@pytest.mark.parametrize(
    ("status", "video"), [("incomplete", True), ("budget_exceeded", False), ("requires_action", False)]
)
def test_other_terminal_statuses(sim: Simulator, gem: httpx.Client, status: str, video: bool) -> None:
    sim.script("start", terminal_status(status))
    done = omni_wait(gem, omni_create(gem, omni_body()).json()["id"])
    assert done["status"] == status
    blocks = [c for s in done.get("steps", []) for c in s.get("content", []) if c.get("type") == "video"]
    assert bool(blocks) is video
