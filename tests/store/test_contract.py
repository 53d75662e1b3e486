"""The Store contract, run against SQLite in a file, SQLite in memory and PostgreSQL (huey's StorageTests pattern)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from veo_desktop.core.jobs import Job, LedgerSummary, QueueState
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import TRANSITIONS, FailureKind, IllegalTransition, JobStatus
from veo_desktop.store.base import BudgetExceeded, JobNotFound, NewJob, StaleTransition, Store
from veo_desktop.store.sqlite import GAVE_UP_MESSAGE, UNKNOWN_START_MESSAGE, SqliteStore

from . import pg
from .helpers import COST, DAY, OPEN, T0, claim, drive, enqueue, ledger_net, new_jobs, output, request

JS = JobStatus
IntegrityError = (sqlite3.IntegrityError, pg.IntegrityError)


_open = pg.open_store


@pytest.fixture(params=["file", "memory", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteStore]:
    s = _open(request.param, request, tmp_path)
    yield s
    assert s.integrity_check() == "ok"  # I7 after every test
    s.close()


@pytest.fixture(params=["file", "postgres"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[SqliteStore, SqliteStore]]:
    """Two stores on one database (two processes, or two desktops of one creator)."""
    a = _open(request.param, request, tmp_path, "desk-a")
    b = _open(request.param, request, tmp_path, "desk-b")
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def raw(store: SqliteStore, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """SQL below the store's own checks: the schema itself (`?` placeholders on every backend)."""
    if isinstance(store, SqliteStore):
        yield lambda sql, params=(): store._conn.execute(sql, params).fetchall()
        return
    conn = pg.Raw(request.getfixturevalue("pg_cluster").admin_url(request.getfixturevalue("pg_db")))
    yield conn
    conn.close()


def test_sqlite_store_satisfies_the_protocol(store: SqliteStore) -> None:
    typed: Store = store  # mypy checks the structure; this checks every Protocol method exists
    missing = [name for name in dir(Store) if not name.startswith("_") and not hasattr(typed, name)]
    assert missing == []


# --- enqueue and reads --------------------------------------------------------------------------------
def test_enqueue_charges_each_job_and_returns_them_in_order(store: SqliteStore) -> None:
    jobs = enqueue(store, 3)
    assert [j.status for j in jobs] == [JS.QUEUED] * 3
    assert [j.attempt for j in jobs] == [1, 1, 1]
    assert all(j.charged_micros == COST and j.refunded_micros == 0 for j in jobs)
    assert [j.queue_order for j in jobs] == sorted(j.queue_order for j in jobs)
    assert [(e.job_id, e.attempt, e.kind, e.amount_micros, e.at_ms) for e in store.ledger()] == [
        (j.id, 1, "charge", COST, T0) for j in jobs
    ]
    assert store.get(jobs[1].id) == jobs[1]
    assert store.waiting_jobs() == jobs
    assert [e.to_status for e in store.events()] == ["queued"] * 3


def test_enqueue_nothing_is_a_no_op(store: SqliteStore) -> None:
    assert store.enqueue([], now_ms=T0, day_start_ms=DAY) == []
    assert store.list_jobs() == []


def test_request_round_trips(store: SqliteStore) -> None:
    from veo_desktop.core.request import FrameRef

    frame = FrameRef(sha256="c" * 64, mime_type="image/png", width=640, height=360, size_bytes=999)
    req = request("ünïcödé 🎬 prompt", start_frame=frame, end_frame=frame, sample_count=2, negative_prompt="x")
    req = req.with_changes(continues_job_id="j-parent")  # a continuation's link (engine.continuation)
    (new,) = new_jobs(1)
    (job,) = store.enqueue([type(new)(new.id, req, 5, "gemini")], now_ms=T0, day_start_ms=DAY)
    assert store.get(job.id).request == req
    assert store.get(job.id).provider == "gemini"


def test_get_unknown_job_raises_job_not_found(store: SqliteStore) -> None:
    with pytest.raises(JobNotFound, match="not in the queue database"):
        store.get("jnope")


def test_list_jobs_newest_first_with_filters_and_limit(store: SqliteStore) -> None:
    old = enqueue(store, 2, seed=1, now_ms=T0)
    new = enqueue(store, 2, seed=2, now_ms=T0 + 1000)
    store.cancel(old[0].id, now_ms=T0 + 2000)
    listed = store.list_jobs()
    assert [j.created_at_ms for j in listed] == [T0 + 1000, T0 + 1000, T0, T0]
    assert {j.id for j in listed[:2]} == {j.id for j in new}
    assert [j.id for j in store.list_jobs([JS.CANCELLED])] == [old[0].id]
    assert len(store.list_jobs([JS.QUEUED, JS.CANCELLED], limit=2)) == 2
    assert store.list_jobs([]) == []


def test_reads_see_changes_made_through_another_path(store: SqliteStore) -> None:
    (job,) = enqueue(store)
    assert store.list_jobs()[0].note is None  # parsed and cached
    store.set_note(job.id, "waiting for quota")
    assert store.list_jobs()[0].note == "waiting for quota"
    assert store.waiting_jobs()[0].note == "waiting for quota"
    with pytest.raises(JobNotFound):
        store.set_note("jnope", "x")


def test_recent_durations_and_start_times(store: SqliteStore) -> None:
    for i, seconds in enumerate([40, 60, 50]):
        job = drive(store, JS.DOWNLOADING, seed=10 + i, now_ms=T0 + i * 1_000_000)
        store.complete(job.id, outputs=[output()], now_ms=T0 + i * 1_000_000 + seconds * 1000)
    assert store.recent_durations_s(request().model_id) == [50.0, 60.0, 40.0]
    assert store.recent_durations_s(request().model_id, limit=1) == [50.0]
    assert store.recent_durations_s("other-model") == []
    assert store.recent_start_times_ms(since_ms=T0 + 1) == [T0 + 1_000_000, T0 + 2_000_000]


def test_events_are_oldest_first_and_limited(store: SqliteStore) -> None:
    job = drive(store, JS.COMPLETED)
    events = store.events(job.id)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "queued"),
        ("queued", "submitting"),
        ("submitting", "running"),
        ("running", "downloading"),
        ("downloading", "completed"),
    ]
    assert [e.to_status for e in store.events(job.id, limit=2)] == ["downloading", "completed"]
    assert all(e.job_id == job.id and e.detail for e in events)


# --- transitions --------------------------------------------------------------------------------------
def _fail_from(src: JobStatus) -> Callable[[SqliteStore, Job], Job]:
    return lambda s, j: s.fail(j.id, expected=src, kind=FailureKind.SERVER, message="x", now_ms=T0)


# Every move the store offers: (name, statuses it accepts, target status, call).
Call = Callable[[SqliteStore, Job], Job]
MOVES: list[tuple[str, frozenset[JobStatus], JobStatus, Call]] = [
    ("mark_running", frozenset({JS.SUBMITTING}), JS.RUNNING,
     lambda s, j: s.mark_running(j.id, operation_name="op/1", now_ms=T0)),
    ("requeue", frozenset({JS.SUBMITTING}), JS.QUEUED,
     lambda s, j: s.requeue(j.id, retry_at_ms=None, note="429", now_ms=T0)),
    ("mark_unknown", frozenset({JS.SUBMITTING}), JS.UNKNOWN_START,
     lambda s, j: s.mark_unknown(j.id, message="?", now_ms=T0)),
    ("begin_download", frozenset({JS.RUNNING}), JS.DOWNLOADING, lambda s, j: s.begin_download(j.id, now_ms=T0)),
    ("complete", frozenset({JS.DOWNLOADING}), JS.COMPLETED,
     lambda s, j: s.complete(j.id, outputs=[output()], now_ms=T0)),
    ("cancel", frozenset({JS.QUEUED}), JS.CANCELLED, lambda s, j: s.cancel(j.id, now_ms=T0)),
    ("give_up", frozenset({JS.UNKNOWN_START}), JS.FAILED, lambda s, j: s.give_up(j.id, now_ms=T0)),
    ("retry", frozenset({JS.FAILED, JS.UNKNOWN_START}), JS.QUEUED, lambda s, j: s.retry(j.id, now_ms=T0)),
] + [
    (
        f"fail_from_{src.value}",
        frozenset({src}),
        JS.FAILED,
        _fail_from(src),
    )
    for src in (JS.SUBMITTING, JS.RUNNING, JS.DOWNLOADING, JS.UNKNOWN_START)
]  # fmt: skip


def _claim_move(s: SqliteStore, j: Job) -> Job:
    got = s.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=OPEN)
    assert got is not None and got.id == j.id
    return got


def test_every_legal_transition_has_a_store_move() -> None:
    offered = {(src, dst) for _, sources, dst, _ in MOVES for src in sources} | {(JS.QUEUED, JS.SUBMITTING)}
    legal = {(src, dst) for src, targets in TRANSITIONS.items() for dst in targets}
    assert offered == legal


def _snapshot(store: SqliteStore, job_id: str) -> tuple[Any, ...]:
    return (store.get(job_id), store.ledger(job_id), store.events(job_id))


ALL_MOVES = [*MOVES, ("claim", frozenset({JS.QUEUED}), JS.SUBMITTING, _claim_move)]


@pytest.mark.parametrize("name,sources,dst,call", ALL_MOVES, ids=[m[0] for m in ALL_MOVES])
@pytest.mark.parametrize("start", list(JobStatus), ids=[s.value for s in JobStatus])
def test_each_move_from_each_state(
    store: SqliteStore, name: str, sources: frozenset[JobStatus], dst: JobStatus, call: Call, start: JobStatus
) -> None:
    job = drive(store, start)
    before = _snapshot(store, job.id)
    if start in sources:
        moved = call(store, job)
        assert moved.status is dst
        assert store.get(job.id) == moved
        last = store.events(job.id)[-1]
        assert (last.from_status, last.to_status, last.at_ms) == (start.value, dst.value, T0)
        return
    if name == "claim":
        assert store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=OPEN) is None
    else:
        with pytest.raises(StaleTransition, match=f"is {start.value} now"):
            call(store, job)
    assert _snapshot(store, job.id) == before  # a refused move changes nothing


def test_fail_with_an_expectation_the_table_forbids_is_a_bug(store: SqliteStore) -> None:
    job = drive(store, JS.QUEUED)
    with pytest.raises(IllegalTransition):
        store.fail(job.id, expected=JS.QUEUED, kind=FailureKind.LOCAL, message="x", now_ms=T0)
    assert store.get(job.id).status is JS.QUEUED


def test_moves_on_unknown_jobs_raise_job_not_found(store: SqliteStore) -> None:
    with pytest.raises(JobNotFound):
        store.cancel("jnope", now_ms=T0)
    with pytest.raises(JobNotFound):
        store.reorder(["jnope"])


def test_lost_race_between_two_stores_on_one_database(two_stores: tuple[SqliteStore, SqliteStore]) -> None:
    a, b = two_stores
    (job,) = enqueue(a)
    assert b.get(job.id).status is JS.QUEUED  # B saw it waiting...
    claim(a)  # ...then A started it
    with pytest.raises(StaleTransition, match="submitting now, not queued"):
        b.cancel(job.id, now_ms=T0)
    with pytest.raises(StaleTransition):
        b.edit(job.id, request=request("changed"), cost_micros=1, now_ms=T0)
    a.mark_running(job.id, operation_name="op/1", now_ms=T0)
    with pytest.raises(StaleTransition):
        b.mark_running(job.id, operation_name="op/2", now_ms=T0)  # a second "start" is refused
    assert b.get(job.id).operation_name == "op/1"
    assert b.ledger(job.id) == a.ledger(job.id) and len(a.ledger(job.id)) == 1


def test_fields_set_by_the_lifecycle(store: SqliteStore) -> None:
    job = drive(store, JS.SUBMITTING)
    assert (job.started_at_ms, job.operation_name) == (T0, None)
    job = store.mark_running(job.id, operation_name="operations/x", now_ms=T0 + 5)
    assert job.operation_name == "operations/x"
    job = store.begin_download(job.id, now_ms=T0 + 6)
    job = store.complete(job.id, outputs=[output("a.mp4"), output("b.mp4")], now_ms=T0 + 9000)
    assert job.outputs == (output("a.mp4"), output("b.mp4"))
    assert (job.finished_at_ms, job.duration_ms) == (T0 + 9000, 9000)
    assert job.charged_micros == COST and job.refunded_micros == 0


def test_complete_with_a_partial_refund_books_it_once_with_its_note(store: SqliteStore) -> None:
    job = store.begin_download(drive(store, JS.RUNNING).id, now_ms=T0 + 6)
    note = "3 of 4 delivered, 1 blocked by Google's safety filter (refunded $0.01)"
    job = store.complete(job.id, outputs=[output()], now_ms=T0 + 9, refund_micros=COST // 4, note=note)
    assert job.status is JS.COMPLETED and job.note == note
    assert (job.charged_micros, job.refunded_micros) == (COST, COST // 4)
    assert note in store.events(job.id)[-1].detail
    assert [(e.kind, e.amount_micros) for e in store.ledger(job.id)] == [("charge", COST), ("refund", COST // 4)]
    other = store.begin_download(drive(store, JS.RUNNING, seed=2).id, now_ms=T0 + 7)
    capped = store.complete(other.id, outputs=[output("c.mp4")], now_ms=T0 + 9, refund_micros=COST * 5)
    assert capped.refunded_micros == COST  # never more than the attempt's charge


def test_claim_skips_held_models_without_blocking_the_queue(store: SqliteStore) -> None:
    old, new = "veo-3.0-generate-001", "veo-3.1-fast-generate-001"
    jobs = [NewJob(f"j{i}", request(f"p{i}", model_id=old if i < 2 else new), COST, "vertex") for i in range(3)]
    store.enqueue(jobs, now_ms=T0, day_start_ms=DAY)
    for providers in (None, ["vertex"]):
        got = store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=OPEN, providers=providers, skip_models=[old])
        assert got is not None and got.id == "j2"
        store.requeue(got.id, retry_at_ms=None, note="", now_ms=T0)
    assert [j.id for j in store.waiting_jobs()] == ["j0", "j1", "j2"]  # the held ones kept their places
    assert (
        store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=OPEN, providers=["gemini"], skip_models=[old])
        is None
    )


def test_edit_can_move_a_job_to_another_provider(store: SqliteStore) -> None:
    store.enqueue([NewJob("j0", request("legacy", model_id="veo-3.1-fast-generate-preview"), COST, "gemini")],
                  now_ms=T0, day_start_ms=DAY)  # fmt: skip
    store.set_note("j0", "Held: the model is retired.")
    current = request("legacy", model_id="veo-3.1-fast-generate-001")
    moved = store.edit("j0", request=current, cost_micros=COST * 2, now_ms=T0 + 1, provider="vertex")
    assert (moved.provider, moved.request.model_id, moved.attempt, moved.note) == ("vertex", current.model_id, 2, None)
    assert ledger_net(store) == COST * 2


def test_fail_records_the_reason_and_refunds_once(store: SqliteStore) -> None:
    job = drive(store, JS.RUNNING)
    failed = store.fail(
        job.id, expected=JS.RUNNING, kind=FailureKind.FILTERED, message="Blocked by the safety filter.",
        now_ms=T0 + 10, filter_reasons=["violence", "ünïcode"],
    )  # fmt: skip
    assert failed.error_kind is FailureKind.FILTERED
    assert failed.error_message == "Blocked by the safety filter."
    assert failed.filter_reasons == ("violence", "ünïcode")
    assert (failed.charged_micros, failed.refunded_micros, failed.finished_at_ms) == (COST, COST, T0 + 10)


def test_fail_without_refund_keeps_the_charge(store: SqliteStore) -> None:
    job = drive(store, JS.DOWNLOADING)
    failed = store.fail(
        job.id, expected=JS.DOWNLOADING, kind=FailureKind.EXPIRED, message="expired", now_ms=T0, refund=False
    )
    assert (failed.charged_micros, failed.refunded_micros) == (COST, 0)


def test_requeue_keeps_the_place_and_counts_start_retries(store: SqliteStore) -> None:
    first, second = enqueue(store, 2)
    job = claim(store)
    assert job.id == first.id
    job = store.requeue(first.id, retry_at_ms=None, note="Google was busy (503)", count_start_retry=True, now_ms=T0)
    assert (job.status, job.start_retries, job.note, job.started_at_ms) == (JS.QUEUED, 1, "Google was busy (503)", None)
    assert [j.id for j in store.waiting_jobs()] == [first.id, second.id]
    assert claim(store).id == first.id  # claimed again under the same attempt
    job = store.requeue(first.id, retry_at_ms=None, note="not sent", now_ms=T0)
    assert (job.start_retries, job.attempt, job.charged_micros) == (1, 1, COST)
    assert store.recent_start_times_ms(since_ms=0) == [T0, T0]


def test_cancel_refunds_and_cancel_all_waiting(store: SqliteStore) -> None:
    jobs = enqueue(store, 3)
    running = claim(store)
    cancelled = store.cancel_all_waiting(now_ms=T0 + 1)
    assert [j.id for j in cancelled] == [j.id for j in jobs[1:]]
    assert all(j.status is JS.CANCELLED and j.refunded_micros == COST for j in cancelled)
    assert store.get(running.id).status is JS.SUBMITTING
    assert store.cancel_all_waiting(now_ms=T0 + 2) == []
    assert ledger_net(store) == COST


# --- ledger -------------------------------------------------------------------------------------------
def test_retry_of_a_failed_job_is_a_new_attempt_with_a_new_charge(store: SqliteStore) -> None:
    other = enqueue(store, 1, seed=99)[0]
    job = drive(store, JS.FAILED, now_ms=T0)
    store.cancel(other.id, now_ms=T0) if store.get(other.id).status is JS.QUEUED else None
    retried = store.retry(job.id, now_ms=T0 + 5, cost_micros=4_000_000)
    assert (retried.status, retried.attempt, retried.cost_micros) == (JS.QUEUED, 2, 4_000_000)
    assert (retried.error_kind, retried.error_message, retried.started_at_ms, retried.finished_at_ms) == (
        None, None, None, None,
    )  # fmt: skip
    assert [(e.attempt, e.kind, e.amount_micros) for e in store.ledger(job.id)] == [
        (1, "charge", COST), (1, "refund", COST), (2, "charge", 4_000_000),
    ]  # fmt: skip
    assert (retried.charged_micros, retried.refunded_micros) == (COST + 4_000_000, COST)


def test_retry_of_an_unknown_start_keeps_the_earlier_charge(store: SqliteStore) -> None:
    job = drive(store, JS.UNKNOWN_START)
    assert job.error_message == "timed out after sending"
    retried = store.retry(job.id, now_ms=T0 + 5)
    assert [(e.attempt, e.kind) for e in store.ledger(job.id)] == [(1, "charge"), (2, "charge")]
    assert (retried.attempt, retried.charged_micros, retried.refunded_micros) == (2, 2 * COST, 0)
    assert store.waiting_jobs()[-1].id == job.id  # at the end of the queue


def test_give_up_refunds_the_unknown_start(store: SqliteStore) -> None:
    job = drive(store, JS.UNKNOWN_START)
    gone = store.give_up(job.id, now_ms=T0 + 1)
    assert (gone.status, gone.error_kind, gone.error_message) == (JS.FAILED, FailureKind.GAVE_UP, GAVE_UP_MESSAGE)
    assert (gone.charged_micros, gone.refunded_micros) == (COST, COST)


def test_edit_refunds_the_old_attempt_and_charges_the_new_cost(store: SqliteStore) -> None:
    (job,) = enqueue(store)
    edited = store.edit(job.id, request=request("a blue fox"), cost_micros=6_400_000, now_ms=T0 + 1)
    assert (edited.request.prompt, edited.attempt, edited.cost_micros, edited.queue_order) == (
        "a blue fox", 2, 6_400_000, job.queue_order,
    )  # fmt: skip
    assert [(e.attempt, e.kind, e.amount_micros) for e in store.ledger(job.id)] == [
        (1, "charge", COST), (1, "refund", COST), (2, "charge", 6_400_000),
    ]  # fmt: skip
    assert store.events(job.id)[-1].detail.startswith("Edited")
    assert ledger_net(store) == 6_400_000


def test_schema_refuses_a_second_charge_for_one_attempt(store: SqliteStore, raw: Callable[..., Any]) -> None:
    (job,) = enqueue(store)
    with pytest.raises(IntegrityError, match="UNIQUE"):
        raw("INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms) VALUES (?, 1, 'charge', 1, 0)",
                    (job.id,))  # fmt: skip
    store.cancel(job.id, now_ms=T0)
    with pytest.raises(IntegrityError, match="UNIQUE"):
        raw("INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms) VALUES (?, 1, 'refund', 1, 0)",
                    (job.id,))  # fmt: skip


@pytest.mark.parametrize("attempt,amount", [(2, 1), (1, COST + 1)])
def test_schema_refuses_a_refund_without_a_matching_charge(
    store: SqliteStore, raw: Callable[..., Any], attempt: int, amount: int
) -> None:
    (job,) = enqueue(store)
    with pytest.raises(IntegrityError, match="a refund needs a charge"):
        raw(
            "INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms) VALUES (?, ?, 'refund', ?, 0)",
            (job.id, attempt, amount),
        )


def test_schema_keeps_the_ledger_append_only_and_statuses_known(store: SqliteStore, raw: Callable[..., Any]) -> None:
    (job,) = enqueue(store)
    for sql in ("UPDATE ledger SET amount_micros = 0", "DELETE FROM ledger"):
        with pytest.raises(IntegrityError, match="append-only"):
            raw(sql)
    with pytest.raises(IntegrityError, match="CHECK"):
        raw("UPDATE jobs SET status = 'lost' WHERE id = ?", (job.id,))
    with pytest.raises(IntegrityError, match="CHECK"):
        raw("INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms) VALUES (?, 3, 'charge', -1, 0)",
                    (job.id,))  # fmt: skip
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        raw("INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms) VALUES ('jx', 1, 'charge', 1, 0)")


def test_schema_refuses_a_second_accepted_start_for_one_attempt(store: SqliteStore, raw: Callable[..., Any]) -> None:
    job = drive(store, JS.RUNNING)
    with pytest.raises(IntegrityError, match="UNIQUE"):
        raw(
            "INSERT INTO starts (job_id, attempt, claim_no, at_ms, owner, outcome) "
            "VALUES (?, 1, 9, 0, 'x', 'accepted')",
            (job.id,),
        )


def test_status_values_in_the_schema_match_the_enum() -> None:
    from veo_desktop.store.schema import MIGRATIONS

    ddl = " ".join(" ".join(m) for m in MIGRATIONS)
    assert all(f"'{s.value}'" in ddl for s in JobStatus)
    assert all(f"'{k.value}'" in ddl for k in FailureKind)


def _replay_refund(store: SqliteStore, raw: Callable[..., Any], job_id: str, attempt: int) -> bool:
    from veo_desktop.store import moves

    if not isinstance(store, SqliteStore):
        return bool(raw("SELECT veo.refund(?, ?, ?)", (job_id, attempt, T0 + 1))[0][0])
    with store._write() as c:
        return moves.refund(c, job_id, attempt, T0 + 1)


def test_refund_is_at_most_once_even_when_replayed(store: SqliteStore, raw: Callable[..., Any]) -> None:
    (job,) = enqueue(store)
    store.cancel(job.id, now_ms=T0)
    # A replayed refund (e.g. after a crash inside one) inserts nothing.
    assert _replay_refund(store, raw, job.id, 1) is False
    assert _replay_refund(store, raw, job.id, 7) is False  # never charged: nothing, no error
    assert store.get(job.id).refunded_micros == COST
    assert len(store.ledger(job.id)) == 2


def test_ledger_summary_by_day_and_month(store: SqliteStore) -> None:
    enqueue(store, 1, seed=1, now_ms=DAY - 10)  # yesterday
    a, _ = enqueue(store, 2, seed=2, now_ms=T0)
    store.cancel(a.id, now_ms=T0 + 1)
    store.set_daily_budget(50_000_000)
    summary = store.ledger_summary(day_start_ms=DAY, month_start_ms=DAY - 86_400_000)
    assert summary == LedgerSummary(
        balance_micros=2 * COST, spent_today_micros=COST, spent_month_micros=2 * COST, daily_budget_micros=50_000_000
    )


# --- budget -------------------------------------------------------------------------------------------
def test_budget_refusal_stores_nothing(store: SqliteStore) -> None:
    store.set_daily_budget(5_000_000)
    (first,) = enqueue(store)
    before = (store.list_jobs(), store.ledger(), store.events(), store.data_version())
    with pytest.raises(BudgetExceeded) as err:
        store.enqueue(new_jobs(1, seed=2), now_ms=T0, day_start_ms=DAY)
    assert str(err.value) == (
        "Today's budget of $5.00 would be exceeded ($3.20 spent, $3.20 more requested); "
        "raise the budget in Settings or wait until tomorrow."
    )
    assert (store.list_jobs(), store.ledger(), store.events(), store.data_version()) == before
    store.cancel(first.id, now_ms=T0)  # a refund frees the budget again
    assert len(store.enqueue(new_jobs(1, seed=3), now_ms=T0, day_start_ms=DAY)) == 1
    # Yesterday's spending does not count, a whole batch is refused at once, no budget means no limit.
    assert len(store.enqueue(new_jobs(1, seed=4), now_ms=T0, day_start_ms=T0 + 1)) == 1
    with pytest.raises(BudgetExceeded):
        store.enqueue(new_jobs(2, seed=5), now_ms=T0 + 2, day_start_ms=T0 + 1)
    store.set_daily_budget(None)
    assert len(store.enqueue(new_jobs(5, seed=6), now_ms=T0, day_start_ms=DAY)) == 5


# --- claim_next ---------------------------------------------------------------------------------------
def test_claim_is_fifo_and_records_the_start(store: SqliteStore) -> None:
    jobs = enqueue(store, 3)
    claimed = [claim(store, now_ms=T0 + i) for i in range(3)]
    assert [j.id for j in claimed] == [j.id for j in jobs]
    assert all(j.status is JS.SUBMITTING for j in claimed)
    assert [j.started_at_ms for j in claimed] == [T0, T0 + 1, T0 + 2]
    assert store.recent_start_times_ms(since_ms=T0 + 1) == [T0 + 1, T0 + 2]
    assert store.claim_next(owner="A", now_ms=T0, lease_ms=1, config=OPEN) is None  # empty queue


def test_claim_respects_max_in_flight(store: SqliteStore) -> None:
    jobs = enqueue(store, 4)
    two = SlotConfig(max_in_flight=2, max_starts_per_minute=0)
    a = store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=two)
    b = store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=two)
    assert a is not None and b is not None
    assert store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=two) is None
    store.mark_running(a.id, operation_name="op/a", now_ms=T0)
    assert store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=two) is None  # running holds a slot
    store.begin_download(a.id, now_ms=T0)  # downloading does not
    c = store.claim_next(owner="A", now_ms=T0, lease_ms=1000, config=two)
    assert c is not None and c.id == jobs[2].id


def test_claim_respects_the_start_rate_window(store: SqliteStore) -> None:
    enqueue(store, 4)
    rate = SlotConfig(max_in_flight=10, max_starts_per_minute=2)
    assert store.claim_next(owner="A", now_ms=T0, lease_ms=1, config=rate) is not None
    assert store.claim_next(owner="B", now_ms=T0 + 1000, lease_ms=1, config=rate) is not None
    assert store.claim_next(owner="A", now_ms=T0 + 59_999, lease_ms=1, config=rate) is None
    assert store.claim_next(owner="A", now_ms=T0 + 60_000, lease_ms=1, config=rate) is not None
    assert store.claim_next(owner="A", now_ms=T0 + 60_500, lease_ms=1, config=rate) is None


def test_claim_waits_for_cooldown_and_pause(store: SqliteStore) -> None:
    enqueue(store, 2)
    assert store.set_cooldown(T0 + 500) == QueueState(paused=False, pause_reason=None, cooldown_until_ms=T0 + 500)
    assert store.claim_next(owner="A", now_ms=T0 + 499, lease_ms=1, config=OPEN) is None
    assert store.claim_next(owner="A", now_ms=T0 + 500, lease_ms=1, config=OPEN) is not None
    store.set_cooldown(None)
    assert store.set_paused(True, reason="auth") == QueueState(paused=True, pause_reason="auth", cooldown_until_ms=None)
    assert store.claim_next(owner="A", now_ms=T0 + 600, lease_ms=1, config=OPEN) is None
    assert store.set_paused(False, reason="auth") == QueueState(False, None, None)
    assert store.claim_next(owner="A", now_ms=T0 + 600, lease_ms=1, config=OPEN) is not None


def test_a_head_waiting_for_quota_blocks_the_queue(store: SqliteStore) -> None:
    first, second = enqueue(store, 2)
    claim(store)
    store.requeue(first.id, retry_at_ms=T0 + 30_000, note="Waiting for Google's quota", now_ms=T0)
    assert store.get(first.id).retry_at_ms == T0 + 30_000
    assert store.claim_next(owner="A", now_ms=T0 + 29_999, lease_ms=1, config=OPEN) is None  # strict FIFO
    again = claim(store, now_ms=T0 + 30_000)
    assert (again.id, again.retry_at_ms, again.note) == (first.id, None, None)
    assert claim(store, now_ms=T0 + 30_000).id == second.id


# --- order --------------------------------------------------------------------------------------------
def _ids(store: SqliteStore) -> list[str]:
    return [j.id for j in store.waiting_jobs()]


def test_move_to_top_and_reorder(store: SqliteStore) -> None:
    a, b, c, d, e = (j.id for j in enqueue(store, 5))
    store.move_to_top(d)
    assert _ids(store) == [d, a, b, c, e]
    store.move_to_top(d)  # already first: no change
    assert _ids(store) == [d, a, b, c, e]
    store.reorder([e, b])  # the block goes where the first of them (b) stood
    assert _ids(store) == [d, a, e, b, c]
    store.reorder([c, d, c])  # duplicates are ignored
    assert _ids(store) == [c, d, a, e, b]
    store.reorder([])
    claim(store)
    with pytest.raises(StaleTransition):
        store.move_to_top(c)
    with pytest.raises(StaleTransition):
        store.reorder([a, c])
    assert _ids(store) == [d, a, e, b]


def test_reorder_many_times_keeps_places_distinct(store: SqliteStore) -> None:
    ids = [j.id for j in enqueue(store, 5)]
    model = list(ids)
    for i in range(80):  # alternating moves halve the gaps until the queue is renumbered
        pair = [model[3], model[1]] if i % 2 == 0 else [model[2], model[1]]
        first = min(model.index(x) for x in pair)
        rest = [x for x in model if x not in pair]
        model = rest[:first] + pair + rest[first:]
        store.reorder(pair)
        assert _ids(store) == model
    orders = [j.queue_order for j in store.waiting_jobs()]
    assert len(set(orders)) == len(orders)


# --- leases -------------------------------------------------------------------------------------------
def _three_active(store: SqliteStore) -> tuple[Job, Job, Job]:
    enqueue(store, 3)
    sub, run, down = (claim(store, owner="A", lease_ms=1000) for _ in range(3))
    store.mark_sending(sub.id, fence=sub.fence, now_ms=T0, hold_until_ms=T0 + 600_000)  # its request left
    store.mark_running(run.id, operation_name="op/run", now_ms=T0)
    store.mark_running(down.id, operation_name="op/down", now_ms=T0)
    store.begin_download(down.id, now_ms=T0)
    return sub, run, down


def test_adopt_leaves_live_leases_alone(store: SqliteStore) -> None:
    _three_active(store)
    assert store.adopt_active(owner="B", now_ms=T0 + 999, lease_ms=1000) == []
    store.renew_leases(owner="A", now_ms=T0 + 900, lease_ms=1000)
    assert store.adopt_active(owner="B", now_ms=T0 + 1500, lease_ms=1000) == []


def test_adopt_expired_leases(store: SqliteStore) -> None:
    sub, run, down = _three_active(store)
    adopted = store.adopt_active(owner="B", now_ms=T0 + 1000, lease_ms=1000)
    assert {j.id: j.status for j in adopted} == {run.id: JS.RUNNING, down.id: JS.DOWNLOADING}
    unknown = store.get(sub.id)
    assert (unknown.status, unknown.error_message) == (JS.UNKNOWN_START, UNKNOWN_START_MESSAGE)
    assert store.events(sub.id)[-1].detail == UNKNOWN_START_MESSAGE
    assert store.events(run.id)[-1].detail.startswith("Taken over by B")
    assert store.adopt_active(owner="A", now_ms=T0 + 1500, lease_ms=1000) == []  # B holds them now
    assert {j.id for j in store.adopt_active(owner="B", now_ms=T0 + 1500, lease_ms=1000)} == {run.id, down.id}


def test_adopt_own_jobs_after_a_restart_and_after_release(store: SqliteStore) -> None:
    sub, run, down = _three_active(store)
    adopted = store.adopt_active(owner="A", now_ms=T0 + 1, lease_ms=1000)  # the same owner restarted
    assert {j.id for j in adopted} == {run.id, down.id}
    assert store.get(sub.id).status is JS.UNKNOWN_START  # never resent on its own
    store.release_leases(owner="A")
    assert {j.id for j in store.adopt_active(owner="C", now_ms=T0 + 2, lease_ms=1000)} == {run.id, down.id}


# --- versions, data_version, errors -----------------------------------------------------------------
def test_data_version_moves_on_every_commit(two_stores: tuple[SqliteStore, SqliteStore]) -> None:
    a, b = two_stores
    v0 = a.data_version()
    a.list_jobs()
    assert a.data_version() == v0  # reads do not count
    enqueue(a)
    v1 = a.data_version()
    assert v1 > v0
    b.set_paused(True)
    assert a.data_version() > v1


def test_data_version_in_memory(store: SqliteStore) -> None:
    v0 = store.data_version()
    store.set_note(enqueue(store)[0].id, "x")
    assert store.data_version() == v0 + 2


def test_balance_rule_after_a_mixed_history(store: SqliteStore) -> None:
    """I4: Σ charges − Σ refunds = Σ cost of attempts that were not failed, cancelled or edited away."""
    done = drive(store, JS.COMPLETED, seed=1)
    running = drive(store, JS.RUNNING, seed=2)
    drive(store, JS.FAILED, seed=3)
    drive(store, JS.CANCELLED, seed=4)
    unknown = drive(store, JS.UNKNOWN_START, seed=5)
    store.retry(unknown.id, now_ms=T0, cost_micros=1_000_000)  # attempt 1 stays charged
    (edited,) = enqueue(store, seed=6)
    store.edit(edited.id, request=request("new"), cost_micros=2_000_000, now_ms=T0)
    kept = [done.cost_micros, running.cost_micros, COST, 1_000_000, 2_000_000]
    assert ledger_net(store) == sum(kept)
    assert store.ledger_summary(day_start_ms=DAY, month_start_ms=DAY).balance_micros == sum(kept)
    for job in store.list_jobs():
        assert job.charged_micros - job.refunded_micros == ledger_net(store, [job.id])
