"""Positive controls for `check_invariants`: each invariant check does fire on a broken store or library."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

from veo_desktop.bench.faults.invariants import SimFigures, check_invariants
from veo_desktop.core.request import GenerationRequest
from veo_desktop.paths import resources_dir
from veo_desktop.store.base import NewJob
from veo_desktop.store.sqlite import SqliteStore
from veo_desktop.store.videos import mp4_problem

CLIP = (resources_dir() / "clips" / "sample_16x9.mp4").read_bytes()
CANARY = "AIza" + "x" * 35


def _store(tmp_path: Path, prompts: list[str]) -> Path:
    db = tmp_path / "data" / "store.sqlite3"
    with SqliteStore(db) as s:
        jobs = [
            NewJob(f"j{i}", GenerationRequest("veo-3.1-generate-001", p, duration_s=4), 1000, "vertex")
            for i, p in enumerate(prompts)
        ]
        s.enqueue(jobs, now_ms=1, day_start_ms=0)
    return db


def test_a_clean_queued_store_passes_unless_settled(tmp_path: Path) -> None:
    db = _store(tmp_path, ["a"])
    assert check_invariants(db, tmp_path / "lib", None, settled=False).ok
    report = check_invariants(db, tmp_path / "lib", None, settled=True)
    assert [v[:3] for v in report.violations] == ["I5:"]


def test_double_start_peak_and_lost_job_are_seen(tmp_path: Path) -> None:
    db = _store(tmp_path, ["a", "b"])
    figures = SimFigures(Counter({"a": 2}), peak_in_flight=3, key_seen_on_hosts=frozenset({"127.0.0.2"}))
    report = check_invariants(
        db, tmp_path / "lib", figures, settled=False, expected_job_ids=["j0", "j1", "gone"], canary=CANARY
    )
    kinds = Counter(v.split(":")[0] for v in report.violations)
    assert kinds == Counter({"I1": 1, "I2": 1, "I3": 1, "I8": 1}), report.violations
    assert report.double_starts == 1 and report.lost == 1


def test_ledger_imbalance_is_seen(tmp_path: Path) -> None:
    db = _store(tmp_path, ["a"])
    with sqlite3.connect(db) as c:
        c.execute("DROP TRIGGER ledger_no_delete")
        c.execute("DELETE FROM ledger")
    report = check_invariants(db, tmp_path / "lib", None, settled=False)
    assert any(v.startswith("I4") for v in report.violations) and report.ledger_delta_micros == -1000


def test_files_truncated_orphans_and_parts_are_seen(tmp_path: Path) -> None:
    db = _store(tmp_path, ["a"])
    lib = tmp_path / "lib"
    lib.mkdir()
    video = lib / "j0.mp4"
    video.write_bytes(CLIP[: len(CLIP) // 2])
    (lib / "x.mp4.part").write_bytes(b"1")
    (lib / "stray.mp4").write_bytes(CLIP)
    outputs = json.dumps(
        [
            {
                "path": str(video),
                "size_bytes": len(CLIP) // 2,
                "sha256": hashlib.sha256(CLIP[: len(CLIP) // 2]).hexdigest(),
            }
        ]
    )
    with sqlite3.connect(db) as c:
        c.execute("UPDATE jobs SET status='completed', operation_name='op', outputs_json=? WHERE id='j0'", (outputs,))
    report = check_invariants(db, lib, None)
    text = "\n".join(report.violations)
    assert "not a whole MP4" in text and "partial file" in text and "stray.mp4" in text


def test_canary_found_in_a_file(tmp_path: Path) -> None:
    db = _store(tmp_path, ["a"])
    (tmp_path / "data" / "logs").mkdir()
    (tmp_path / "data" / "logs" / "app.log").write_text(f"key={CANARY}")
    report = check_invariants(db, tmp_path / "lib", None, settled=False, canary=CANARY)
    assert any("app.log" in v for v in report.violations)


def test_mp4_walk_accepts_whole_clips_and_refuses_cut_ones() -> None:
    assert mp4_problem(io.BytesIO(CLIP), len(CLIP)) is None
    for cut in (12, 100, len(CLIP) // 2, len(CLIP) - 1):
        assert mp4_problem(io.BytesIO(CLIP[:cut]), cut) is not None
    padded = CLIP + (16).to_bytes(4, "big") + b"free" + b"\0" * 8
    assert mp4_problem(io.BytesIO(padded), len(padded)) is None


def test_an_unknown_start_counts_as_in_flight_until_its_hold_ends(tmp_path: Path) -> None:
    from veo_desktop.core.scheduling import SlotConfig

    db = _store(tmp_path, ["a", "b", "c", "d"])
    wide = SlotConfig(10, 0)  # a store that ignored the hold would admit these
    with SqliteStore(db) as s:
        first = s.claim_next(owner="A", now_ms=10, lease_ms=1000, config=wide)
        assert first is not None
        s.mark_sending(first.id, fence=first.fence, now_ms=10, hold_until_ms=1_000_000)
        s.mark_unknown(first.id, message="no answer", now_ms=20)
        for _ in range(2):
            s.claim_next(owner="A", now_ms=30, lease_ms=1000, config=wide)
    report = check_invariants(db, tmp_path / "lib", None, settled=False)
    assert report.peak_store == 3 and any(v.startswith("I3") for v in report.violations)
    assert check_invariants(db, tmp_path / "lib", None, settled=False, default_hold_ms=0).peak_store == 3


def test_an_unknown_start_past_its_hold_frees_its_slot(tmp_path: Path) -> None:
    from veo_desktop.core.scheduling import SlotConfig

    db = _store(tmp_path, ["a", "b", "c"])
    wide = SlotConfig(10, 0)
    with SqliteStore(db) as s:
        first = s.claim_next(owner="A", now_ms=10, lease_ms=1000, config=wide)
        assert first is not None
        s.mark_sending(first.id, fence=first.fence, now_ms=10, hold_until_ms=25)
        s.mark_unknown(first.id, message="no answer", now_ms=20)
        for _ in range(2):
            s.claim_next(owner="A", now_ms=30, lease_ms=1000, config=wide)
    report = check_invariants(db, tmp_path / "lib", None, settled=False)
    assert report.peak_store == 2 and report.ok, report.violations


def test_the_store_is_read_through_a_reader_of_its_backend(tmp_path: Path) -> None:
    from veo_desktop.bench.faults.invariants import PostgresReader, SqliteReader
    from veo_desktop.bench.faults.readers import reader_for

    db = _store(tmp_path, ["a"])
    assert reader_for(db) == SqliteReader(db) and reader_for(str(db)) == SqliteReader(db)
    assert isinstance(reader_for("postgresql://ana@127.0.0.1/veo"), PostgresReader)
    by_path = check_invariants(db, tmp_path / "lib", None, settled=False)
    by_reader = check_invariants(SqliteReader(db), tmp_path / "lib", None, settled=False)
    assert by_path == by_reader and by_path.ok and by_path.integrity == "ok"


def test_no_library_skips_the_file_checks_only(tmp_path: Path) -> None:
    db = _store(tmp_path, ["a", "b"])
    outputs = json.dumps([{"path": str(tmp_path / "gone.mp4"), "size_bytes": 1, "sha256": "0" * 64}])
    with sqlite3.connect(db) as c:
        c.execute("UPDATE jobs SET status='completed', operation_name='op', outputs_json=? WHERE id='j0'", (outputs,))
        c.execute("DROP INDEX starts_one_accepted")  # the schema's backstop, removed to show the check fires
        c.execute(
            "INSERT INTO starts (job_id, attempt, claim_no, at_ms, owner, outcome) "
            "VALUES ('j1', 1, 1, 5, 'A', 'accepted'), ('j1', 1, 2, 6, 'B', 'accepted')"
        )
    with_files = check_invariants(db, tmp_path / "lib", None, settled=False)
    without = check_invariants(db, None, None, settled=False)
    assert {v[:3] for v in with_files.violations} == {"I2:", "I6:"}, with_files.violations
    assert [v[:3] for v in without.violations] == ["I2:"] and without.double_starts == 1
