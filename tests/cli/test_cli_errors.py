"""The CLI as a subprocess: argument errors in two lines, store errors as one sentence with exit code 4, and a
refused submit that leaves no frame file behind (but keeps a frame a queued job uses). No traceback, ever.
The whole catalogue runs in the bad-input campaign (tests/faults); these pin the exact output."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from veo_desktop.bench.faults.bad_cli import NotPossibleHere, Place, store_digest, store_rows
from veo_desktop.bench.faults.bad_cli_cases import image, make_store


@pytest.fixture
def place(tmp_path: Path) -> Place:
    return Place(tmp_path)


def no_traceback(*texts: str) -> None:
    assert not any("Traceback" in t for t in texts)


@pytest.mark.parametrize(
    "args,error",
    [
        (
            ["submit", "--prompt", "a fox", "--ratio", "4:3"],
            "argument --ratio: invalid choice: '4:3' (choose from '16:9', '9:16')",
        ),
        (["submit", "--prompt", "a fox", "--duration", "eight"], "argument --duration: invalid int value: 'eight'"),
        (["submit"], "the following arguments are required: --prompt"),
    ],
)
def test_an_argument_error_is_one_line_and_a_hint(place: Place, args: list[str], error: str) -> None:
    done = place.cli(*args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"veo-desktop-cli submit: error: {error}",
        "Run 'veo-desktop-cli submit --help' to see the options.",
    ]
    assert done.stdout == ""
    assert not place.store.exists()  # nothing was opened


def test_an_unknown_command(place: Place) -> None:
    done = place.cli("lsit")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("veo-desktop-cli: error: argument COMMAND: invalid choice: 'lsit'")
    assert lines[1] == "Run 'veo-desktop-cli --help' to see the options."


def test_a_folder_as_the_store(place: Place) -> None:
    place.store.mkdir()
    done = place.cli("list")
    assert done.returncode == 4
    assert done.stderr == (
        f"error: The queue database path {place.store} is a folder, not a file; choose a file such as "
        f"{place.store / 'veo-desktop.sqlite3'}.\n"
    )


def test_a_newer_store_is_refused_untouched_also_in_json(place: Place) -> None:
    make_store(place.store)
    conn = sqlite3.connect(place.store)
    conn.execute("PRAGMA user_version = 42")
    conn.close()
    before = store_digest(place.store)
    done = place.cli("--json", "list")
    assert done.returncode == 4
    message = json.loads(done.stdout)["error"]
    assert "made by a newer Veo Desktop (schema 42); update the app to open it" in message
    no_traceback(done.stdout, done.stderr)
    assert store_digest(place.store) == before


def test_a_refused_submit_leaves_no_frame_but_keeps_one_a_job_uses(place: Place) -> None:
    frame = place.input("start.png", image("PNG"))
    refused = place.cli("submit", "--prompt", "a fox", "--duration", "5", "--start-frame", str(frame))
    assert refused.returncode == 2
    assert refused.stderr == "error: Veo 3.1 Fast cannot make 5 s videos; choose 4 s, 6 s, 8 s.\n"
    assert list(place.frames.iterdir()) == []
    queued = place.cli("submit", "--prompt", "a fox", "--duration", "8", "--start-frame", str(frame))
    assert queued.returncode == 0, queued.stderr
    kept = sorted(p.name for p in place.frames.iterdir())
    assert len(kept) == 1
    again = place.cli("submit", "--prompt", " ", "--start-frame", str(frame))  # same image, refused request
    assert again.returncode == 2 and "Prompt is empty" in again.stderr
    assert sorted(p.name for p in place.frames.iterdir()) == kept  # the queued job's frame stays
    end_only = place.cli("submit", "--prompt", "a fox", "--end-frame", str(place.input("end.png", image("JPEG"))))
    assert end_only.returncode == 2 and "An end frame needs a start frame" in end_only.stderr
    assert sorted(p.name for p in place.frames.iterdir()) == kept
    assert store_rows(place.store) == (1, 1)
    no_traceback(refused.stderr, again.stderr, end_only.stderr)


def test_a_data_folder_that_cannot_be_written(place: Place) -> None:
    place.home.mkdir()
    place.home.chmod(0o555)
    try:
        try:
            place.obey_modes(place.home / "probe")
        except NotPossibleHere as exc:
            pytest.skip(str(exc))
        done = place.cli("list")
    finally:
        place.home.chmod(0o755)
    assert done.returncode == 4
    assert done.stderr == (
        f"error: The data folder {place.home / 'data'} cannot be written (permission denied); make it writable, "
        "or set VEO_DESKTOP_HOME.\n"
    )
