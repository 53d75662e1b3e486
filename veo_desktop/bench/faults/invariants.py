"""`check_invariants`: I1–I8 of docs/reliability.md, read from the store (a SQLite file, or a PostgreSQL team
database through its admin URL: readers.py), the library and the simulator's counters after a scenario ended.
Every campaign calls this one function, on either backend.

- I1 nothing lost: every job terminal, or unknown_start with a reason (and every expected job present);
- I2 no double start: starts the simulator accepted for a job's prompt ≤ the job's attempts, and the store
  records at most one accepted start per attempt;
- I3 at most `max_in_flight` in flight: at the simulator (peak) and in the store (replaying the events), an
  unknown start counting until its slot hold ends (its recorded hold, or `default_hold_ms` for an earlier
  attempt) or the next move of its job;
- I4 ledger: per (job, attempt) ≤ 1 charge and ≤ 1 refund, a refund after a charge and not larger; the
  balance equals the cost of jobs that are not failed or cancelled, less the partial refund a completed job
  may carry (filtered variations, Omni usage below the estimate), plus kept charges of earlier attempts;
- I5 nothing stuck: with `settled=True` no job is queued, submitting, running or downloading;
- I6 files whole: completed ⇔ files exist, non-empty, `ftyp`, size and sha256 as recorded; no orphan videos
  and no `.part` files (not checked when `library_dir` is None: a team's videos are on its desktops);
- I7 the store's integrity check = ok (`PRAGMA integrity_check`, or the team database's checks: readers.py);
- I8 the canary key is in no file under `scan_paths` (database bytes included, or the team database's rows)
  and reached no host but the API host.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veo_desktop.bench.faults.readers import PostgresReader, SqliteReader, StoreReader, StoreRows, reader_for
from veo_desktop.core.states import IN_FLIGHT, TERMINAL, JobStatus
from veo_desktop.store.videos import PART_SUFFIX, mp4_problem

__all__ = [
    "InvariantReport",
    "PostgresReader",
    "SimFigures",
    "SqliteReader",
    "StoreReader",
    "check_invariants",
    "pg_reader",
    "scan_texts",
]


_ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.SUBMITTING, JobStatus.RUNNING, JobStatus.DOWNLOADING})
_SETTLED_STATUSES = {s.value for s in TERMINAL} | {JobStatus.UNKNOWN_START.value}


@dataclass(frozen=True)
class SimFigures:
    """What the simulator saw; built from `SimStats` (in process) or from `/_sim/stats` plus a start list."""

    starts_by_prompt: Mapping[str, int]
    peak_in_flight: int
    key_seen_on_hosts: frozenset[str]

    @classmethod
    def of(cls, stats: Any) -> SimFigures:
        with stats.lock:
            return cls(
                starts_by_prompt=Counter(s.prompt for s in stats.starts),
                peak_in_flight=int(stats.peak_in_flight),
                key_seen_on_hosts=frozenset(stats.key_seen_on_hosts),
            )


@dataclass
class InvariantReport:
    jobs: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    double_starts: int = 0
    accepted_starts: int = 0
    peak_sim: int = 0
    peak_store: int = 0
    balance_micros: int = 0
    balance_by_creator: dict[str, int] = field(default_factory=dict)  # team mode: Σ charges − Σ refunds each
    ledger_delta_micros: int = 0
    integrity: str = "?"
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def fail(self, invariant: str, text: str) -> None:
        self.violations.append(f"{invariant}: {text}")


def check_invariants(
    store: Path | str | StoreReader,
    library_dir: Path | None,
    sim_stats: SimFigures | Any | None,
    *,
    staging_dir: Path | None = None,
    expected_job_ids: Iterable[str] = (),
    settled: bool = True,
    max_in_flight: int = 2,
    api_host: str = "127.0.0.1",
    canary: str | None = None,
    scan_paths: Sequence[Path] = (),
    default_hold_ms: int = 600_000,
) -> InvariantReport:
    """Check I1–I8 after a scenario. `store`: a SQLite file's path, a PostgreSQL admin URL, or a reader;
    `sim_stats`: a SimFigures, a simulator's SimStats, or None; `library_dir` None skips I6."""
    figures = sim_stats if isinstance(sim_stats, SimFigures) or sim_stats is None else SimFigures.of(sim_stats)
    report = InvariantReport()
    rows = reader_for(store).read()
    jobs = rows.jobs
    report.integrity = rows.integrity
    report.jobs = len(jobs)
    report.statuses = Counter(str(j[1]) for j in jobs)
    _check_lost(report, jobs, set(expected_job_ids), settled)
    _check_starts(report, jobs, figures, max_in_flight)
    for job_id, attempt, accepted in rows.double_accepted:
        report.double_starts += int(accepted) - 1
        report.fail("I2", f"the store records {accepted} accepted starts for job {job_id} attempt {attempt}")
    report.peak_store = _store_peak(rows.events, rows.holds, default_hold_ms)
    if report.peak_store > max_in_flight:
        report.fail("I3", f"the store had {report.peak_store} jobs in flight at once (limit {max_in_flight})")
    _check_ledger(report, jobs, rows.ledger)
    report.balance_by_creator = _balances(rows)
    if library_dir is not None:
        _check_files(report, jobs, library_dir, staging_dir, settled)
    if report.integrity != "ok":
        report.fail("I7", f"integrity_check said {report.integrity!r}")
    if canary is not None:
        roots = [*rows.scan_roots, *([library_dir] if library_dir else []), *scan_paths]
        _check_canary(report, canary, roots, figures, api_host)
        if canary.encode() in rows.dump:
            report.fail("I8", "the key appears in the team database's rows")
    return report


def _balances(rows: StoreRows) -> dict[str, int]:
    if not rows.creators:
        return {}
    by_creator: dict[str, int] = {creator: 0 for creator in rows.creators.values()}
    for job_id, _attempt, kind, amount in rows.ledger:
        creator = rows.creators.get(job_id, "?")
        by_creator[creator] = by_creator.get(creator, 0) + (int(amount) if kind == "charge" else -int(amount))
    return dict(sorted(by_creator.items()))


def _check_lost(report: InvariantReport, jobs: list[Any], expected: set[str], settled: bool) -> None:
    present = {j[0] for j in jobs}
    for job_id in sorted(expected - present):
        report.lost += 1
        report.fail("I1", f"job {job_id} disappeared from the store")
    for job_id, status, *_rest in jobs:
        error_message = _rest[2]
        if status == JobStatus.UNKNOWN_START.value and not error_message:
            report.lost += 1
            report.fail("I1", f"job {job_id} waits for the user without a reason")
        elif settled and status not in _SETTLED_STATUSES:
            report.lost += 1
            report.fail("I5", f"job {job_id} is still {status} after the scenario ended")


def _check_starts(report: InvariantReport, jobs: list[Any], figures: SimFigures | None, limit: int) -> None:
    if figures is None:
        return
    import json

    prompts = {job_id: json.loads(request_json)["prompt"] for job_id, *_r, request_json in jobs}
    attempts = {j[0]: int(j[2]) for j in jobs}
    report.accepted_starts = sum(figures.starts_by_prompt.values())
    for job_id, prompt in prompts.items():
        accepted = figures.starts_by_prompt.get(prompt, 0)
        if accepted > attempts[job_id]:
            report.double_starts += accepted - attempts[job_id]
            report.fail("I2", f"job {job_id} was started {accepted} times for {attempts[job_id]} attempt(s)")
    report.peak_sim = figures.peak_in_flight
    if figures.peak_in_flight > limit:
        report.fail("I3", f"the simulator saw {figures.peak_in_flight} generations at once (limit {limit})")


def _store_peak(events: list[Any], holds: Mapping[str, int | None], default_hold_ms: int) -> int:
    """Replay the transitions in commit order: the most slots ever held at once (submitting, running, and
    unknown starts within their hold). A job's last unknown start uses the hold its row records."""
    in_flight_values = {s.value for s in IN_FLIGHT}
    unknown = JobStatus.UNKNOWN_START.value
    last_unknown = {job_id: i for i, (job_id, to_status, _at) in enumerate(events) if to_status == unknown}
    held_until: dict[str, float] = {}  # job -> until when it holds a slot
    peak = 0
    for i, (job_id, to_status, at_ms) in enumerate(events):
        held_until = {j: until for j, until in held_until.items() if until > at_ms}
        if to_status in in_flight_values:
            held_until[job_id] = float("inf")
        elif to_status == unknown:
            recorded = holds.get(job_id) if last_unknown.get(job_id) == i else None
            held_until[job_id] = float(recorded if recorded is not None else at_ms + default_hold_ms)
        else:
            held_until.pop(job_id, None)
        peak = max(peak, len(held_until))
    return peak


def _check_ledger(report: InvariantReport, jobs: list[Any], ledger: list[Any]) -> None:
    entries: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(lambda: {"charge": [], "refund": []})
    for job_id, attempt, kind, amount in ledger:
        per = entries[(job_id, int(attempt))]
        if kind == "refund" and not per["charge"]:
            report.fail("I4", f"job {job_id} attempt {attempt} was refunded before it was charged")
        per[kind].append(int(amount))
    for (job_id, attempt), per in entries.items():
        if len(per["charge"]) > 1 or len(per["refund"]) > 1:
            report.fail("I4", f"job {job_id} attempt {attempt}: {per} (more than one charge or refund)")
        if sum(per["refund"]) > sum(per["charge"]):
            report.fail("I4", f"job {job_id} attempt {attempt}: refunded more than charged")
    report.balance_micros = sum(sum(p["charge"]) - sum(p["refund"]) for p in entries.values())
    expected = 0
    for job_id, status, attempt, cost, *_rest in jobs:
        if status not in (JobStatus.FAILED.value, JobStatus.CANCELLED.value):
            expected += int(cost)
        # Earlier attempts keep whatever they netted (a retried unknown start keeps its charge).
        for earlier in range(1, int(attempt)):
            per = entries.get((job_id, earlier), {"charge": [], "refund": []})
            expected += sum(per["charge"]) - sum(per["refund"])
        current = entries.get((job_id, int(attempt)), {"charge": [], "refund": []})
        refunded = bool(current["refund"])
        # A completed job may carry one partial refund (filtered variations, an Omni estimate above usage).
        partial = status == JobStatus.COMPLETED.value and refunded and sum(current["refund"]) < sum(current["charge"])
        if partial:
            expected -= sum(current["refund"])
        if status in (JobStatus.FAILED.value, JobStatus.CANCELLED.value) and not refunded:
            report.fail("I4", f"job {job_id} is {status} but its charge was not refunded")
        if status not in (JobStatus.FAILED.value, JobStatus.CANCELLED.value) and (
            (refunded and not partial) or not current["charge"]
        ):
            report.fail("I4", f"job {job_id} is {status} but its current attempt is not charged exactly once")
    report.ledger_delta_micros = report.balance_micros - expected
    if report.ledger_delta_micros:
        report.fail("I4", f"balance {report.balance_micros} µUSD differs from the expected {expected} µUSD")


def _check_files(
    report: InvariantReport, jobs: list[Any], library_dir: Path, staging_dir: Path | None, settled: bool
) -> None:
    import json

    owned: set[Path] = set()
    # While jobs still move, a downloading job's video may already be renamed into place (its commit is next).
    downloading = () if settled else tuple(j[0] for j in jobs if j[1] == JobStatus.DOWNLOADING.value)
    for job_id, status, _a, _c, _e, outputs_json, _r in jobs:
        outputs = json.loads(outputs_json)
        if status == JobStatus.COMPLETED.value and not outputs:
            report.fail("I6", f"job {job_id} is completed without a video")
        if status != JobStatus.COMPLETED.value and outputs:
            report.fail("I6", f"job {job_id} is {status} but lists videos")
        for output in outputs:
            path = Path(output["path"])
            owned.add(path.resolve())
            problem = _file_problem(path, int(output["size_bytes"]), str(output["sha256"]))
            if problem:
                report.fail("I6", f"job {job_id}: {path.name} {problem}")
    for directory in (library_dir, staging_dir):
        if directory is None or not directory.is_dir():
            continue
        for path in directory.iterdir():
            if path.name.endswith(PART_SUFFIX):
                if not path.name.startswith(downloading):  # a download under way writes its `.part`
                    report.fail("I6", f"a partial file was left behind: {path.name}")
            elif (
                path.suffix == ".mp4"
                and directory == library_dir
                and path.resolve() not in owned
                and not path.name.startswith(downloading)
            ):
                report.fail("I6", f"a video no completed job owns: {path.name}")


def _file_problem(path: Path, size: int, sha256: str) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return "is missing"
    if not data or data[4:8] != b"ftyp":
        return "is not an MP4"
    whole = mp4_problem(io.BytesIO(data), len(data))
    if whole is not None:
        return f"is not a whole MP4 ({whole})"
    if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
        return "does not match its recorded size and hash"
    return None


def _check_canary(
    report: InvariantReport, canary: str, roots: Sequence[Path], figures: SimFigures | None, api_host: str
) -> None:
    needle = canary.encode()
    seen: set[Path] = set()
    for root in roots:
        paths = [root] if root.is_file() else (sorted(root.rglob("*")) if root.is_dir() else [])
        for path in paths:
            if path in seen or not path.is_file():
                continue
            seen.add(path)
            if needle in path.read_bytes():
                report.fail("I8", f"the key appears in {path}")
    if figures is not None and not figures.key_seen_on_hosts <= {api_host}:
        report.fail("I8", f"the key was sent to {sorted(figures.key_seen_on_hosts - {api_host})}")


def pg_reader(admin_url: str, connection: Any = None) -> PostgresReader:
    """The reader of a team database (its admin URL, or an open admin connection to reuse):
    `check_invariants(pg_reader(url), None, ...)`."""
    return PostgresReader(admin_url, connection)


def scan_texts(canary: str, texts: Iterable[str]) -> list[str]:
    """The texts (exception messages, outputs) that contain the canary."""
    return [t[:120] for t in texts if canary in t]
