"""The CLI cases of the bad-input catalogue (machinery in bad_cli.py): hostile stores and disks, hostile
images, requests refused after their frames were read, and argument errors, each with its exit code."""

from __future__ import annotations

import contextlib
import io
import json
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image

from veo_desktop.bench.faults.bad_cli import (
    EXIT_STORE,
    EXIT_USAGE,
    CliCase,
    NotPossibleHere,
    Place,
    Setup,
    declared_png,
    fill_disk,
    frame_args,
    heic_header,
    mounted,
    remount_read_only,
    store_rows,
    submit_args,
)
from veo_desktop.core.ids import new_job_id
from veo_desktop.core.request import GenerationRequest
from veo_desktop.store.base import NewJob
from veo_desktop.store.sqlite import SqliteStore

MODEL = "veo-3.1-fast-generate-001"


def image(fmt: str, size: tuple[int, int] = (256, 144)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buf, fmt)
    return buf.getvalue()


def make_store(path: Path, jobs: int = 1) -> None:
    """A queue with `jobs` waiting jobs, closed (WAL folded back into the file)."""
    rng = random.Random(7)
    now = 1_700_000_000_000
    new = [
        NewJob(new_job_id(now, rng), GenerationRequest(model_id=MODEL, prompt=f"job {i}"), 800_000, "vertex")
        for i in range(jobs)
    ]
    with SqliteStore(path) as store:
        store.enqueue(new, now_ms=now, day_start_ms=now - 3_600_000)


# --- store setups --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def read_only_file(place: Place) -> Iterator[None]:
    make_store(place.store)
    place.store.chmod(0o444)
    try:
        place.obey_modes(place.store)
        yield
    finally:
        place.store.chmod(0o644)


@contextlib.contextmanager
def read_only_folder(place: Place) -> Iterator[None]:
    make_store(place.store)
    folder = place.store.parent
    folder.chmod(0o555)
    try:
        place.obey_modes(folder / "probe")
        yield
    finally:
        folder.chmod(0o755)


@contextlib.contextmanager
def folder_not_creatable(place: Place) -> Iterator[None]:
    locked = place.store.parent
    locked.chmod(0o555)
    place.store = locked / "new-folder" / "queue.sqlite3"
    try:
        place.obey_modes(locked / "probe")
        yield
    finally:
        locked.chmod(0o755)


@contextlib.contextmanager
def data_folder_read_only(place: Place) -> Iterator[None]:
    place.home.mkdir(parents=True, exist_ok=True)
    place.home.chmod(0o555)
    try:
        place.obey_modes(place.home / "probe")
        yield
    finally:
        place.home.chmod(0o755)


def _simple(build: Callable[[Place], None]) -> Setup:
    @contextlib.contextmanager
    def setup(place: Place) -> Iterator[None]:
        build(place)
        yield

    return setup


def _a_folder(place: Place) -> None:
    place.store.mkdir()


def _file_in_the_way(place: Place) -> None:
    blocker = place.store.parent / "not-a-folder"
    blocker.write_text("a file where a folder should be\n")
    place.store = blocker / "queue.sqlite3"


def _newer(place: Place) -> None:
    make_store(place.store)
    conn = sqlite3.connect(place.store)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


def _not_a_database(place: Place) -> None:
    place.store.write_text("meeting notes, not a database\n" * 100)


def _damaged(place: Place) -> None:
    make_store(place.store, 40)
    data = bytearray(place.store.read_bytes())
    data[2 * 4096 : 3 * 4096] = b"\xff" * 4096  # a b-tree page of garbage
    place.store.write_bytes(bytes(data))


@contextlib.contextmanager
def locked(place: Place) -> Iterator[None]:
    make_store(place.store)
    holder = sqlite3.connect(place.store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.contextmanager
def full_disk(place: Place) -> Iterator[None]:
    """A 1 MB tmpfs holding the store (about 260 KB with its WAL), filled up; afterwards the ballast goes and
    the next run must find the queue as it was."""
    folder = place.store.parent
    try:
        with mounted(folder, "-t", "tmpfs", "-o", "size=1m"):
            make_store(place.store)
            ballast = fill_disk(folder)
            yield
            ballast.unlink()
            again = place.cli("list", "--json")
            jobs = json.loads(again.stdout)["jobs"] if again.returncode == 0 else None
            if jobs is None or len(jobs) != 1:
                place.problems.append(f"the next run did not find the one queued job: {again.stderr.strip()[-200:]}")
            elif store_rows(place.store) != (1, 1):
                place.problems.append(
                    f"after space was freed the store holds {store_rows(place.store)} (jobs, charges)"
                )
    except OSError as exc:
        raise NotPossibleHere(f"a small file system cannot be mounted here ({exc})") from exc


@contextlib.contextmanager
def read_only_disk(place: Place) -> Iterator[None]:
    source = place.store.parent
    make_store(place.store)
    target = place.root / "read-only-disk"
    try:
        with mounted(target, "--bind", source=str(source)):
            remount_read_only(target)
            place.store = target / place.store.name
            yield
    except OSError as exc:
        raise NotPossibleHere(f"a read-only bind cannot be mounted here ({exc})") from exc


# --- the catalogue -------------------------------------------------------------------------------------------
def _valid() -> bytes:
    return image("PNG")


def _whole_8000_by_5000() -> bytes:
    """40 megapixels of 1-bit black, every row present: about 5 KB, and 120 MB once decoded as RGB."""
    buf = io.BytesIO()
    Image.new("1", (8000, 5000)).save(buf, "PNG")
    return buf.getvalue()


def _truncated() -> bytes:
    data = image("PNG", (512, 512))
    return data[: len(data) // 2]


STORE_CASES: tuple[CliCase, ...] = (
    CliCase("store: read-only file", EXIT_STORE, submit_args(), read_only_file, True, 1),
    CliCase("store: folder without write permission", EXIT_STORE, submit_args(), read_only_folder, True, 1),
    CliCase("store: path is a folder", EXIT_STORE, submit_args(), _simple(_a_folder)),
    CliCase("store: made by a newer version", EXIT_STORE, submit_args(), _simple(_newer), True, 1),
    CliCase("store: parent folder in the way (a file)", EXIT_STORE, submit_args(), _simple(_file_in_the_way)),
    CliCase("store: parent folder cannot be created", EXIT_STORE, submit_args(), folder_not_creatable),
    CliCase("store: not a database", EXIT_STORE, submit_args(), _simple(_not_a_database), True),
    CliCase("store: damaged page", EXIT_STORE, submit_args(), _simple(_damaged), True, None),
    CliCase("store: locked by another program", EXIT_STORE, submit_args(), locked, True, 1),
    CliCase("store: disk full during the commit", EXIT_STORE, submit_args(), full_disk, False, None),
    CliCase("store: read-only disk", EXIT_STORE, submit_args(), read_only_disk, True, None),
    CliCase("data folder cannot be written", EXIT_STORE, submit_args(), data_folder_read_only),
)

INPUT_CASES: tuple[CliCase, ...] = (
    CliCase("image: 8000×5000 PNG in 576 bytes", EXIT_USAGE, frame_args("wide.png", lambda: declared_png(8000, 5000))),
    CliCase("image: 8000×5000 PNG, whole (5 KB)", EXIT_USAGE, frame_args("whole.png", _whole_8000_by_5000)),
    CliCase("image: 30000×30000 bomb", EXIT_USAGE, frame_args("bomb.png", lambda: declared_png(30000, 30000))),
    CliCase("image: not an image", EXIT_USAGE, frame_args("notes.png", lambda: b"just some text, not pixels\n")),
    CliCase("image: 0 bytes", EXIT_USAGE, frame_args("empty.png", lambda: b"")),
    CliCase("image: truncated PNG", EXIT_USAGE, frame_args("cut.png", _truncated)),
    CliCase("image: GIF", EXIT_USAGE, frame_args("anim.gif", lambda: image("GIF"))),
    CliCase("image: BMP", EXIT_USAGE, frame_args("old.bmp", lambda: image("BMP"))),
    CliCase("image: TIFF", EXIT_USAGE, frame_args("scan.tiff", lambda: image("TIFF"))),
    CliCase("image: HEIC", EXIT_USAGE, frame_args("phone.heic", heic_header)),
    CliCase("frames: end frame without start frame", EXIT_USAGE, frame_args("end.png", _valid, "--end-frame")),
    CliCase("frames: empty prompt", EXIT_USAGE, frame_args("start.png", _valid, prompt=" ")),
    CliCase("frames: duration the model refuses", EXIT_USAGE, frame_args("start.png", _valid, duration="5")),
    CliCase("args: --ratio 4:3", EXIT_USAGE, submit_args("--ratio", "4:3")),
    CliCase("args: --duration eight", EXIT_USAGE, submit_args("--duration", "eight")),
)

CASES = STORE_CASES + INPUT_CASES
QUICK = tuple(c for c in CASES if c.name != "store: locked by another program")  # the lock case waits 5 s
