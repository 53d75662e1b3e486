"""`continue JOB`: the next shot from a completed video's last frame, and a sequence of shots with `--wait`, as
a subprocess over a real store with the in-process simulator (`--simulate`, real H.264 clips). Each refusal is
one sentence, exit code 2, and changes nothing: no job, no charge, no image."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli_requests import SIM, frames, ok, stored
from veo_desktop.bench.faults.bad_cli import Place, store_rows
from veo_desktop.engine import stills


@pytest.fixture
def place(tmp_path: Path) -> Place:
    return Place(tmp_path)


def finished_parent(place: Place) -> dict[str, Any]:
    first = ok(place, *SIM, "submit", "--prompt", "a lighthouse at dawn", "--duration", "4", "--seed", "9", "--wait")
    [parent] = first["done"]
    assert parent["status"] == "completed"
    return parent


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def refused_now(place: Place, *args: str) -> str:
    """Exit 2 with one sentence, and the store and frames folder as they were."""
    before = (store_rows(place.store), frames(place))
    done = place.cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert (store_rows(place.store), frames(place)) == before
    return done.stderr.removeprefix("error: ").strip()


def test_continue_end_to_end(place: Place) -> None:
    parent = finished_parent(place)
    video = Path(parent["outputs"][0]["path"])
    queued = ok(place, *SIM, "continue", parent["id"], "--prompt", "the beam sweeps the sea", "--no-audio")
    [child_id] = queued["queued"]
    assert queued["parent"] == parent["id"]
    request = stored(place)[-1]
    sha = stills_sha(video)
    assert (request["continues_job_id"], request["prompt"], request["seed"]) == (
        parent["id"],
        "the beam sweeps the sea",
        9,
    )
    assert (request["duration_s"], request["generate_audio"], request["end_frame"]) == (4, False, None)
    assert request["start_frame"]["sha256"] == queued["start_frame_sha256"] == sha
    assert (request["start_frame"]["width"], request["start_frame"]["height"]) == (320, 180)
    assert frames(place) == [f"{sha}.png"]
    assert queued["cost_usd"] == pytest.approx(4 * 0.08)  # Veo 3.1 Fast, 720p, video only
    ok(place, *SIM, "run")
    shown = ok(place, "show", child_id)
    assert (shown["status"], shown["continues_job_id"], shown["start_frame_sha256"]) == ("completed", parent["id"], sha)
    assert [(c["job_id"], c["kind"]) for c in shown["chain"]] == [
        (parent["id"], "original"),
        (child_id, "continuation"),
    ]
    assert shown["chain_total_s"] == pytest.approx(8.0)
    human = place.cli("show", child_id).stdout
    assert f"this clip continues {parent['id']}" in human
    assert f"chain: {parent['id']} (4 s) -> {child_id} (4 s); total length 8 s" in human


def stills_sha(video: Path) -> str:
    return hashlib.sha256(stills.last_frame_png(video)).hexdigest()


def test_a_sequence_of_two_shots_waits_for_each(place: Place) -> None:
    parent = finished_parent(place)
    assert refused_now(place, *SIM, "continue", parent["id"], "--prompt", "the fog rolls in", "--prompt", "night") == (
        "A sequence of shots needs --wait: each shot starts from the last frame of the one before, so that one must "
        "finish first; add --wait or give one --prompt."
    )
    # 6 s shots after a 4 s parent: the simulator cuts every clip from one master, so the first shot's last
    # frame (at 6 s) differs from the parent's (at 4 s) and shows which one the second shot starts from.
    args = ("continue", parent["id"], "--prompt", "the fog rolls in", "--prompt", "night", "--duration", "6")
    done = place.cli("--json", *SIM, *args, "--wait")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = json_lines(done.stdout)
    shots = [line for line in lines if "queued" in line]
    assert [(s["shot"], s["of"]) for s in shots] == [(1, 2), (2, 2)]
    first, second = shots[0]["queued"][0], shots[1]["queued"][0]
    assert lines[-1] == {"sequence": [parent["id"], first, second], "completed": 2}
    requests = stored(place)
    assert [(r["prompt"], r["continues_job_id"]) for r in requests] == [
        ("a lighthouse at dawn", None),
        ("the fog rolls in", parent["id"]),
        ("night", first),
    ]
    jobs = {j["id"]: j for j in ok(place, "list", "--all")["jobs"]}
    assert [jobs[i]["status"] for i in (first, second)] == ["completed", "completed"]
    # The second shot starts from the first one's last frame, not the parent's.
    first_video = Path(ok(place, "show", first)["outputs"][0]["path"])
    assert requests[2]["start_frame"]["sha256"] == stills_sha(first_video)
    assert requests[2]["start_frame"]["sha256"] != requests[1]["start_frame"]["sha256"]


def test_a_sequence_stops_at_a_shot_that_fails(place: Place) -> None:
    parent = finished_parent(place)
    done = place.cli(
        *SIM,
        "continue",
        parent["id"],
        "--prompt",
        "calm",
        "--prompt",
        "storm [sim:error]",
        "--prompt",
        "dawn",
        "--wait",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    failed = stored(place)[-1]
    assert [r["prompt"] for r in stored(place)] == ["a lighthouse at dawn", "calm", "storm [sim:error]"]
    jobs = ok(place, "list", "--all")["jobs"]
    [bad] = [j for j in jobs if j["prompt"] == failed["prompt"]]
    assert bad["status"] == "failed" and bad["refunded_usd"] == pytest.approx(bad["charged_usd"])
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: Shot 2 of 3 ({bad['id']}) did not complete (failed), so the sequence stopped with 1 shot not "
        f"queued; see `show {bad['id']}`, then retry it or continue from {failed['continues_job_id']} again."
    )


def test_refusals(place: Place) -> None:
    parent = finished_parent(place)
    waiting = ok(place, "submit", "--prompt", "still waiting", "--duration", "4")["queued"][0]
    assert refused_now(place, "continue", waiting) == (
        f"Job {waiting} has no finished video to continue (queued); choose a completed job."
    )
    assert refused_now(place, "continue", "j-nope") == "Job j-nope is not in the queue database; refresh the list."
    config = place.home / "config"
    config.mkdir(parents=True, exist_ok=True)
    user = {"version": 2, "models": [{"id": "veo-3.1-fast-generate-001", "start_frame": False}]}
    (config / "models.json").write_text(json.dumps(user), encoding="utf-8")
    assert refused_now(place, "continue", parent["id"]) == (
        "Veo 3.1 Fast takes no start frame, so it cannot continue a video; choose a model that does (--model)."
    )
    (config / "models.json").unlink()
    video = Path(parent["outputs"][0]["path"])
    video.unlink()
    assert refused_now(place, "continue", parent["id"]) == (
        f"The video of job {parent['id']} is missing ({video}); put the file back or choose another video."
    )


def test_a_sequence_over_todays_budget_is_refused_before_its_first_shot(place: Place) -> None:
    parent = finished_parent(place)
    settings = place.home / "config" / "settings.json"
    data = json.loads(settings.read_text(encoding="utf-8")) if settings.is_file() else {}
    data["daily_budget_usd"] = 1.5  # $0.40 spent by the parent; three 4 s shots with audio cost $1.20
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps(data), encoding="utf-8")
    before = (store_rows(place.store), frames(place))
    done = place.cli(*SIM, "continue", parent["id"], "--prompt", "a", "--prompt", "b", "--prompt", "c", "--wait")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "The 3 shots cost $1.20, more than the $1.10 left in today's budget" in done.stderr
    assert (store_rows(place.store), frames(place)) == before
