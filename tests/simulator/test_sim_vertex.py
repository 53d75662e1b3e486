"""Vertex AI Veo: express (API key, projectless) and project (Bearer) paths on v1 and v1beta1, polls on both
path forms, the express-mode and project-mode switches, tokens, and the model check."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from sim_helpers import (
    VERTEX_MODEL,
    bearer,
    client,
    projectless_poll,
    vertex_body,
    vertex_poll,
    vertex_start,
    videos_of,
    wait_done,
)

from veo_desktop.core.clock import ManualClock
from veo_desktop.simulator import Simulator, filter, mp4

OP_PREFIX = "projects/123456789012/locations/global/publishers/google/models/veo-3.1-fast-generate-001/operations/"


def test_express_happy_path(make_sim: Callable[..., Simulator]) -> None:
    clock = ManualClock()
    sim = make_sim(clock=clock)
    http = client(sim.vertex_url)
    body = vertex_body(aspectRatio="9:16", durationSeconds=6, sampleCount=3, generateAudio=False, seed=4294967295)
    name = vertex_start(http, body).json()["name"]
    assert name.startswith(OP_PREFIX)
    assert vertex_poll(http, name).json() == {"name": name}  # running: no `done`
    clock.advance(5)
    videos = videos_of(wait_done(lambda: vertex_poll(http, name)))
    assert len(videos) == 3 and len(set(videos)) == 3  # one distinct clip per sample
    for video in videos:
        assert video[4:8] == b"ftyp"
        assert mp4.durations(video).tracks == {"vide": 6.0}
        _, width, height, fps = mp4.video_facts(video)
        assert height > width and fps == 24
    http.close()
    assert sim.stats.accepted_starts == 1 and sim.stats.starts_by_provider == {"vertex": 1}


def test_audio_track_by_default_and_v1_paths(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body(durationSeconds=8), version="v1").json()["name"]
    [video] = videos_of(wait_done(lambda: vertex_poll(http, name, version="v1")))
    assert mp4.durations(video).tracks == {"vide": 8.0, "soun": 8.0}


@pytest.mark.parametrize("project", ["sim-project", "123456789012"])
def test_project_path_with_a_bearer(sim: Simulator, project: str) -> None:
    with client(sim.vertex_regional_url, Authorization=f"Bearer {bearer(sim)}") as http:
        http.headers.pop("x-goog-api-key")
        name = vertex_start(http, vertex_body(), version="v1", project=project).json()["name"]
        assert name.startswith("projects/123456789012/locations/us-central1/")
        done = wait_done(lambda: vertex_poll(http, name, version="v1"))
        # The same operation answers with the project written as its id, too.
        as_id = name.replace("123456789012", "sim-project")
        assert vertex_poll(http, as_id, version="v1").json()["done"] is True
    assert len(videos_of(done)) == 1
    assert sim.stats.starts_by_provider == {"vertex-project": 1}


def test_op_name_project_switch(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(switches={"op_name_project": "id"})
    with client(sim.vertex_url) as http:
        name = vertex_start(http, vertex_body()).json()["name"]
        assert name.startswith("projects/sim-project/locations/global/")
        assert wait_done(lambda: vertex_poll(http, name))["done"]


def test_poll_errors(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body()).json()["name"]
    assert http.get(f"/v1beta1/{name}").status_code == 404  # only fetchPredictOperation polls
    unknown = name.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    assert vertex_poll(http, unknown).status_code == 404
    resource = name.rpartition("/operations/")[0]
    assert http.post(f"/v1beta1/{resource}:fetchPredictOperation", json={}).status_code == 400
    other_model = resource.replace("veo-3.1-fast-generate-001", "veo-3.1-generate-001")
    assert http.post(f"/v1beta1/{other_model}:fetchPredictOperation", json={"operationName": name}).status_code == 400


@pytest.mark.parametrize(
    ("mode", "project_form", "projectless"),
    [("both", 200, 200), ("project", 200, 404), ("projectless", 400, 200)],
)
def test_express_poll_switch(
    make_sim: Callable[..., Simulator], mode: str, project_form: int, projectless: int
) -> None:
    sim = make_sim(switches={"express_poll": mode})
    with client(sim.vertex_url) as http:
        name = vertex_start(http, vertex_body()).json()["name"]
        first = vertex_poll(http, name)
        assert first.status_code == project_form
        if project_form == 400:
            assert first.json()["error"]["details"][0]["reason"] == "RESOURCE_PROJECT_INVALID"
        assert projectless_poll(http, name).status_code == projectless


@pytest.mark.parametrize(
    ("mode", "status", "reason"),
    [
        ("resource_project_invalid", 400, "RESOURCE_PROJECT_INVALID"),
        ("credentials_missing", 401, "CREDENTIALS_MISSING"),
    ],
)
def test_express_veo_switch(sim: Simulator, http: httpx.Client, mode: str, status: int, reason: str) -> None:
    refused = vertex_start(http, vertex_body(f"a cat [sw:express_veo={mode}]"))
    assert refused.status_code == status
    error = refused.json()["error"]
    assert error["details"][0]["reason"] == reason
    if status == 400:
        assert error["message"] == "Invalid resource field value in the request."
        assert error["details"][0]["metadata"]["method"].endswith("v1beta1.PredictionService.PredictLongRunning")
    sim.set_switch("express_veo", mode)
    assert vertex_start(http, vertex_body("a dog")).status_code == status
    assert sim.stats.accepted_starts == 0


def test_v1beta1_project_switch(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(switches={"v1beta1_project": "resource_project_invalid"})
    with client(sim.vertex_url, Authorization=f"Bearer {bearer(sim)}") as http:
        http.headers.pop("x-goog-api-key")
        refused = vertex_start(http, vertex_body(), version="v1beta1", project="sim-project")
        assert refused.json()["error"]["details"][0]["reason"] == "RESOURCE_PROJECT_INVALID"
        assert vertex_start(http, vertex_body(), version="v1", project="sim-project").status_code == 200


def test_tokens_expire_and_projects_are_checked(sim: Simulator) -> None:
    with client(sim.vertex_url, Authorization=f"Bearer {bearer(sim)}") as http:
        http.headers.pop("x-goog-api-key")
        denied = vertex_start(http, vertex_body(), version="v1", project="someone-else")
        assert denied.status_code == 403
        assert denied.json()["error"]["status"] == "PERMISSION_DENIED"
        assert sim.expire_tokens() == 1
        expired = vertex_start(http, vertex_body(), version="v1", project="sim-project")
        assert expired.status_code == 401
        assert expired.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"
        http.headers["Authorization"] = "Bearer ya29.never-issued"
        assert vertex_start(http, vertex_body(), version="v1", project="sim-project").status_code == 401
    assert sim.stats.accepted_starts == 0


def test_unknown_and_retired_models_are_404(http: httpx.Client) -> None:
    for model in ("veo-9", "veo-3.0-generate-001", "veo-3.1-fast-generate-preview", "gemini-omni-1.1-flash"):
        refused = vertex_start(http, vertex_body(), model=model)
        assert refused.status_code == 404
        assert "was not found or your project does not have access to it" in refused.json()["error"]["message"]


def test_model_check_and_list(http: httpx.Client) -> None:
    model = http.get(f"/v1beta1/publishers/google/models/{VERTEX_MODEL}").json()
    assert model == {
        "name": f"publishers/google/models/{VERTEX_MODEL}",
        "versionId": "001",
        "launchStage": "GA",
        "openSourceCategory": "PROPRIETARY",
        "publisherModelTemplate": "projects/{project}/locations/{location}/publishers/google/models/" + VERTEX_MODEL,
    }
    assert http.get("/v1/publishers/google/models/veo-3.0-generate-001").status_code == 404
    names: list[str] = []
    page = http.get("/v1beta1/publishers/google/models").json()
    names += [m["name"] for m in page["publisherModels"]]
    while "nextPageToken" in page:
        page = http.get("/v1beta1/publishers/google/models", params={"pageToken": page["nextPageToken"]}).json()
        names += [m["name"] for m in page["publisherModels"]]
    assert [n.rsplit("/", 1)[1] for n in names] == [
        "veo-3.1-generate-001",
        "veo-3.1-fast-generate-001",
        "veo-3.1-lite-generate-001",
    ]


def test_partial_filter_delivers_the_rest(sim: Simulator, http: httpx.Client) -> None:
    sim.script("start", filter(count=1))
    name = vertex_start(http, vertex_body(sampleCount=2)).json()["name"]
    done = wait_done(lambda: vertex_poll(http, name))
    response = done["response"]
    assert response["raiMediaFilteredCount"] == 1
    assert "Support codes: 42237218" in response["raiMediaFilteredReasons"][0]
    assert len(videos_of(done)) == 1


def test_key_in_query_is_accepted_but_counted(sim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="veo_desktop.simulator")
    with httpx.Client(base_url=sim.vertex_url, trust_env=False) as bare:
        url = f"/v1beta1/publishers/google/models/{VERTEX_MODEL}:predictLongRunning"
        assert bare.post(url, params={"key": "sim-key", "alt": "json"}, json=vertex_body()).status_code == 200
    assert sim.stats.key_in_query == 1
    assert all("sim-key" not in r.path for r in sim.stats.requests)
    assert any("key=REDACTED" in line for line in caplog.messages)
    assert not any("sim-key" in line for line in caplog.messages)


def test_every_key_of_the_project_polls_every_operation_of_the_project(make_sim: Callable[..., Simulator]) -> None:
    """A studio gives each creator their own key of one project: another creator's desktop polls with its own
    key an operation started with ana's; a key of no project is refused."""
    clock = ManualClock()
    sim = make_sim(clock=clock, api_key="key-ana", more_keys=("key-bia",))
    ana, bia = (
        httpx.Client(base_url=sim.vertex_url, headers={"x-goog-api-key": k}, trust_env=False)
        for k in ("key-ana", "key-bia")
    )
    stranger = httpx.Client(base_url=sim.vertex_url, headers={"x-goog-api-key": "key-other"}, trust_env=False)
    try:
        name = vertex_start(ana, vertex_body()).json()["name"]
        clock.advance(600)
        assert len(videos_of(wait_done(lambda: vertex_poll(bia, name)))) == 1
        assert len(videos_of(wait_done(lambda: projectless_poll(bia, name)))) == 1
        refused = vertex_poll(stranger, name)
        assert refused.status_code == 400 and "API_KEY_INVALID" in refused.text
        assert vertex_start(bia, vertex_body()).status_code == 200
    finally:
        for http in (ana, bia, stranger):
            http.close()
