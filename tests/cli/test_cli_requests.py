"""The CLI's request fields, extend, refine and batches, as a subprocess over a real store; `--simulate` runs the
in-process simulator. Each flag is checked where it lands (the stored request JSON); each refusal by its one
sentence, exit code 2, and an untouched store and frames folder."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from veo_desktop.bench.faults.bad_cli import Place, store_rows
from veo_desktop.bench.faults.bad_cli_cases import image

SIM = ("--simulate", "--sim-speed", "50")


@pytest.fixture
def place(tmp_path: Path) -> Place:
    return Place(tmp_path)


def stored(place: Place) -> list[dict[str, Any]]:
    """Every job's request as stored, in queue order."""
    conn = sqlite3.connect(f"file:{place.store}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT request_json FROM jobs ORDER BY queue_order, created_at_ms").fetchall()
    finally:
        conn.close()
    return [json.loads(r[0]) for r in rows]


def frames(place: Place) -> list[str]:
    return sorted(p.name for p in place.frames.iterdir()) if place.frames.is_dir() else []


def ok(place: Place, *args: str) -> dict[str, Any]:
    done = place.cli("--json", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def refused(place: Place, *args: str) -> str:
    done = place.cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert store_rows(place.store) in (None, (0, 0))  # nothing stored, nothing charged
    assert frames(place) == []  # no image left behind
    return done.stderr.removeprefix("error: ").strip()


def test_every_field_flag_reaches_the_stored_request(place: Place) -> None:
    ok(
        place,
        "submit",
        "--prompt",
        "a fox in snow",
        "--negative-prompt",
        "text overlays",
        "--no-audio",
        "--no-enhance-prompt",
        "--seed",
        "4294967295",
        "--person-generation",
        "dont_allow",
        "--compression",
        "lossless",
        "--duration",
        "6",
        "--batch",
        "tests",
    )
    start = place.input("start.png", image("PNG"))
    ok(place, "submit", "--prompt", "from a frame", "--start-frame", str(start), "--resize-mode", "crop")
    ref = place.input("ref.jpg", image("JPEG"))
    ok(place, "submit", "--prompt", "with references", "--reference-image", str(ref), "--reference-image", str(ref))
    first, second, third = stored(place)
    assert {k: first[k] for k in ("generate_audio", "enhance_prompt", "seed", "person_generation")} == {
        "generate_audio": False,
        "enhance_prompt": False,
        "seed": 4294967295,
        "person_generation": "dont_allow",
    }
    assert (first["compression_quality"], first["negative_prompt"], first["batch"]) == (
        "lossless",
        "text overlays",
        "tests",
    )
    assert (first["duration_s"], first["resize_mode"], first["reference_images"]) == (6, None, [])
    assert (second["resize_mode"], second["start_frame"]["mime_type"]) == ("crop", "image/png")
    assert (second["generate_audio"], second["enhance_prompt"], second["seed"]) == (True, True, None)
    assert [r["mime_type"] for r in third["reference_images"]] == ["image/jpeg", "image/jpeg"]
    assert len(frames(place)) == 2  # the reference given twice is kept once, by its content hash
    listed = {j["prompt"]: j for j in ok(place, "list")["jobs"]}
    assert (listed["a fox in snow"]["seed"], listed["a fox in snow"]["batch"]) == (4294967295, "tests")
    assert listed["with references"]["reference_images_sha256"] == [r["sha256"] for r in third["reference_images"]]


def test_audio_off_is_charged_at_the_video_only_rate(place: Place) -> None:
    assert ok(place, "submit", "--prompt", "a fox", "--no-audio")["cost_usd"] == pytest.approx(0.64)
    assert ok(place, "submit", "--prompt", "a fox", "--audio")["cost_usd"] == pytest.approx(0.80)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--seed", "-1"], "Seed must be a whole number from 0 to 4,294,967,295; change it."),
        (
            ["--person-generation", "everyone"],
            "People setting 'everyone' is not offered by Veo 3.1 Fast here; choose 'dont_allow', 'allow_adult' or "
            "'allowAll'.",
        ),
        (["--resize-mode", "crop"], "Resize mode applies only to a start frame; add a start frame or clear it."),
        (["--compression", "best"], "Compression 'best' is not offered; choose 'optimized' or 'lossless'."),
        (
            ["--reference-image", "REF", "--duration", "4"],
            "Jobs with reference images must be 8 s long; set the duration to 8 s.",
        ),
        (
            ["--reference-image", "REF", "--start-frame", "START"],
            "Reference images cannot be combined with start or end frames; clear the frames or the references.",
        ),
        (
            ["--model", "veo-3.1-lite-generate-001", "--reference-image", "REF"],
            "Veo 3.1 Lite (preview) takes no reference images; clear them or choose a model that does.",
        ),
        (
            ["--reference-image", "REF"] * 4,
            "At most 3 reference images can be given; remove some.",
        ),
    ],
)
def test_a_refused_field_is_the_cores_sentence(place: Place, args: list[str], message: str) -> None:
    files = {"REF": place.input("ref.png", image("PNG")), "START": place.input("start.jpg", image("JPEG"))}
    argv = [str(files[a]) if a in files else a for a in args]
    assert refused(place, "submit", "--prompt", "a fox", *argv) == message


def test_a_batch_file_with_a_broken_line_queues_nothing(place: Place) -> None:
    start = place.input("start.png", image("PNG"))
    batch = place.input(
        "shots.csv",
        f"prompt,duration,seed,start_frame\na heron,8,1,{start}\na fox,eight,2,\na wolf,5,3,\n".encode(),
    )
    message = refused(place, "submit", "--from", str(batch))
    assert message == (
        "The batch file was not queued (nothing stored or charged); fix line 3: duration 'eight' is not a whole "
        "number; write it like 8, then try again."
    )
    fixed = place.input("fixed.csv", f"prompt,duration,start_frame\na heron,8,{start}\na wolf,5,\n".encode())
    message = refused(place, "submit", "--from", str(fixed))  # the row's frame was read, then removed again
    assert message.startswith("The batch file was not queued (nothing stored or charged); fix line 3: Veo 3.1 Fast ")
    done = place.cli("--json", "submit", "--from", str(batch))
    assert json.loads(done.stdout)["lines"] == [
        {"line": 3, "error": "duration 'eight' is not a whole number; write it like 8"}
    ]


def test_a_good_batch_file_of_fifty_lines(place: Place) -> None:
    lines = [f"shot {i:02d}: a lighthouse, angle {i}" for i in range(50)]
    batch = place.input("monday shots.txt", ("\n".join(lines) + "\n").encode())
    result = ok(place, "submit", "--from", str(batch), "--no-audio", "--duration", "4", "--yes")
    assert len(result["queued"]) == 50 and result["batch"] == "monday shots"
    assert result["cost_usd"] == pytest.approx(50 * 4 * 0.08)
    assert store_rows(place.store) == (50, 50)  # 50 jobs, one charge each
    assert [r["prompt"] for r in stored(place)] == lines  # FIFO: the file's order
    listed = ok(place, "list", "--batch", "monday shots")["jobs"]
    assert [j["id"] for j in listed] == result["queued"]
    assert [j["position"] for j in listed] == list(range(1, 51))
    assert ok(place, "list", "--batch", "other")["jobs"] == []
    cancelled = ok(place, "cancel-batch", "monday shots")
    assert sorted(cancelled["cancelled"]) == sorted(result["queued"])
    assert cancelled["refunded_usd"] == pytest.approx(result["cost_usd"])
    assert ok(place, "retry-batch", "monday shots")["retried"] == []  # cancelled is not failed
    assert refused_after(place, "cancel-batch", "tuesday") == (
        "No job was queued with batch 'tuesday'; see `list --all` for the batches."
    )


def refused_after(place: Place, *args: str) -> str:
    done = place.cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    return done.stderr.removeprefix("error: ").strip()


def test_a_batch_over_todays_budget_is_refused_before_anything_is_queued(place: Place) -> None:
    batch = place.input("b.txt", b"one\ntwo\n")
    ok(place, "submit", "--prompt", "make the store", "--duration", "4")
    (place.home / "config").mkdir(parents=True, exist_ok=True)
    (place.home / "config" / "settings.json").write_text(json.dumps({"daily_budget_usd": 1.0}))
    before = store_rows(place.store)
    done = place.cli("submit", "--from", str(batch), "--yes")
    assert done.returncode == 3, done.stderr
    assert "costs $1.60 for 2 jobs, more than the $0.60 left in today's budget" in done.stderr
    assert store_rows(place.store) == before


def test_extend_end_to_end(place: Place) -> None:
    first = ok(place, *SIM, "submit", "--prompt", "a kite over dunes", "--no-audio", "--wait")
    [parent] = first["done"]
    assert parent["status"] == "completed"
    child = ok(place, *SIM, "extend", parent["id"], "--prompt", "the kite climbs")
    assert child["cost_usd"] == pytest.approx(7 * 0.08)  # one +7 s step at the video-only rate
    request = stored(place)[-1]
    assert (request["extends_job_id"], request["duration_s"], request["prompt"]) == (
        parent["id"],
        7,
        "the kite climbs",
    )
    shown = place.cli("show", child["queued"][0])
    assert f"this clip extends {parent['id']}" in shown.stdout
    assert f"chain: {parent['id']} (8 s) -> {child['queued'][0]} (not finished); total length 15 s" in shown.stdout
    ok(place, *SIM, "run")
    job = ok(place, "show", child["queued"][0])
    assert job["chain"][0] == {"job_id": parent["id"], "kind": "original", "length_s": 8.0}
    # Priced and refunded like any job: one charge, and a refund exactly when it did not complete.
    assert job["charged_usd"] == pytest.approx(7 * 0.08)
    assert job["refunded_usd"] == pytest.approx(0.0 if job["status"] == "completed" else 7 * 0.08)
    not_finished = ok(place, "submit", "--prompt", "waiting")["queued"][0]
    assert refused_after(place, "extend", not_finished) == (
        f"Job {not_finished} has no finished video to extend (queued); choose a completed job."
    )


@pytest.fixture
def gemini_host(tmp_path: Path) -> Iterator[str]:
    """A simulator process shared by the CLI runs of a test (an edit names an interaction the same simulator
    made); its Gemini API host."""
    cmd = [sys.executable, "-m", "veo_desktop.cli", "simulate", "--port", "0", "--speed", "50", "--latency", "20", "40"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEO_")}
    env["VEO_DESKTOP_HOME"] = str(tmp_path / "sim-home")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = ""
        for _ in range(12):
            line = proc.stdout.readline()
            if "Gemini API" in line:
                break
        assert "Gemini API" in line, line
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_refine_end_to_end_on_gemini_and_refused_elsewhere(place: Place, gemini_host: str) -> None:
    gemini = ("--provider", "gemini", "--api-base", gemini_host, "--starts-per-minute", "0", "--sim-speed", "50")
    [parent] = ok(place, *gemini, "submit", "--prompt", "a violin on a stage", "--duration", "6", "--wait")["done"]
    assert parent["status"] == "completed"
    plain = ok(place, *gemini, "submit", "--prompt", "make the violin invisible", "--duration", "6")["cost_usd"]
    ok(place, "cancel-all")
    done = place.cli("--json", *gemini, "refine", parent["id"], "--prompt", "make the violin invisible", "--wait")
    assert done.returncode == 0, done.stdout + done.stderr
    queued = json.loads(done.stdout.splitlines()[0])
    [finished] = json.loads(done.stdout.splitlines()[-1])["done"]
    assert (finished["id"], finished["status"], finished["refines_job_id"]) == (
        queued["queued"][0],
        "completed",
        parent["id"],
    )
    request = stored(place)[-1]
    assert (request["refines_job_id"], request["duration_s"]) == (parent["id"], 6)
    assert queued["cost_usd"] > plain  # the edited result's video tokens are input to the edit
    shown = place.cli("show", finished["id"]).stdout
    assert f"this clip refines {parent['id']}" in shown
    assert f"chain: {parent['id']} (6 s) -> {finished['id']} (6 s); total length 12 s" in shown
    assert refused_after(place, *SIM, "refine", parent["id"], "--prompt", "blue") == (
        "The vertex provider does not offer refining a video; refine works on Gemini Omni Flash videos "
        "(--provider gemini)."
    )
