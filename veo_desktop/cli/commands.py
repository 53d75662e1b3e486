"""The CLI's subcommands: each one a small async function over the running engine."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

from veo_desktop.cli import continuing, queueing
from veo_desktop.cli.output import Output, describe, job_json
from veo_desktop.composition import EngineOptions, RunningEngine
from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.core.catalogue_sources import merge_remote
from veo_desktop.core.errors import VeoError
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import DisplayState, QueueSnapshot
from veo_desktop.engine.texts import nothing_runnable_line

Handler = Callable[[RunningEngine, argparse.Namespace, Output], Awaitable[int]]
_SETTLED = {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.UNKNOWN_START}


def add_subcommands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], *, parents: list[argparse.ArgumentParser]
) -> None:
    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=parents, help=help)

    queueing.add_submit_options(add("submit", help="queue one or more generations, or a batch file"))
    listing = add("list", help="show the queue: position, status, ETA, cost")
    listing.add_argument("--all", action="store_true", help="include finished jobs")
    listing.add_argument("--batch", metavar="NAME", help="only the jobs of this batch (finished ones too)")
    add("watch", help="follow the queue until nothing is waiting or running")
    for name, text in (
        ("cancel", "cancel a waiting job (refund)"),
        ("retry", "try a failed job again"),
        ("give-up", "give up on a start whose outcome is unknown (refund)"),
        ("move-to-top", "make a waiting job the next to start"),
        ("show", "one job in full"),
    ):
        add(name, help=text).add_argument("job_id")
    queueing.add_subcommands(lambda name, text: add(name, help=text))
    continuing.add_subcommand(lambda name, text: add(name, help=text))
    add("cancel-all", help="cancel every waiting job (refund)")
    add("pause", help="pause the queue (running jobs finish)")
    add("resume", help="resume the queue")
    add("ledger", help="credit balance, spent today and this month, entries")
    add("models", help="list the models the account offers, merged with the catalogue")
    m = add("move-retired", help="move every job held on a retired model to a current one, or cancel them")
    m.add_argument("--to", metavar="MODEL", help="the model to move them to (default: the closest current one)")
    m.add_argument("--cancel", action="store_true", help="cancel them instead (refund)")
    add("run", help="run the queue in the foreground until it is empty (Ctrl-C stops)")
    s = add("simulate", help="run the Veo simulator alone (every Google host on loopback), for manual tests")
    s.add_argument("--port", type=int, default=8765, help="the Vertex host's port (0: any free port)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    s.add_argument("--api-key", default="sim-key", help="the API key it accepts ('' accepts any key)")
    s.add_argument("--latency", type=float, nargs="+", metavar="S", help="generation seconds: S, or MIN MAX")
    s.add_argument("--download-host", help="loopback address of the download host (e.g. 127.0.0.2)")
    s.add_argument("--write-service-account", metavar="FILE", help="write a test service-account key for it")
    s.add_argument("--write-authorized-user", metavar="FILE", help="write a test ADC authorized_user file for it")
    s.add_argument("--switch", action="append", default=[], metavar="NAME=VALUE", help="an UNCONFIRMED behaviour")


def key_available(options: EngineOptions) -> bool:
    if options.api_key is not None:
        return options.api_key() is not None
    from veo_desktop.secrets import KeyStore

    return KeyStore().get() is not None


async def list_jobs(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    snap = await running.engine.snapshot()
    if args.batch is not None:
        views = [v for v in snap.jobs if v.job.request.batch == args.batch]
    else:
        views = [v for v in snap.jobs if args.all or not v.job.status.is_terminal]
    lines = [_summary(snap)] + [
        f"{v.id}  {out.money(v.job.cost_micros):>7}  {v.job.request.model_id:<28} {describe(v, snap.taken_at_ms)}  "
        f"{v.job.request.prompt[:40]!r}"
        for v in views
    ]
    out.emit({"queue": _queue_json(snap), "jobs": [job_json(v) for v in views]}, "\n".join(lines))
    return 0


def _when(at_ms: int) -> str:
    return dt.datetime.fromtimestamp(at_ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def _summary(snap: QueueSnapshot) -> str:
    state = "paused" if snap.queue.paused else "running"
    counts = ", ".join(f"{n} {k}" for k, n in sorted(snap.counts.items())) or "empty"
    return f"queue {state}: {counts}"


def _queue_json(snap: QueueSnapshot) -> dict[str, object]:
    return {
        "paused": snap.queue.paused,
        "pause_reason": snap.queue.pause_reason,
        "counts": dict(snap.counts),
        "balance_usd": snap.ledger.balance_micros / 1e6,
    }


async def watch(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    while True:
        snap = await running.engine.snapshot()
        active = [v for v in snap.jobs if not v.job.status.is_terminal and v.display is not DisplayState.UNKNOWN_START]
        out.line(_summary(snap), {"event": "watch", **_queue_json(snap)})
        for v in active:
            out.line(f"  {v.id}  {describe(v, snap.taken_at_ms)}")
        if not active or snap.queue.paused:
            return 0
        await asyncio.sleep(1.0)


async def run(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    """Until nothing is left that this process can do; what is left for the person is named in one line."""
    out.line("running the queue; Ctrl-C stops (jobs in flight resume at the next run)")
    while True:
        await asyncio.sleep(0.3)
        if await running.idle():
            snap = await running.engine.snapshot()
            jobs = [v.job for v in snap.jobs]
            left = nothing_runnable_line(jobs, snap.queue, running.engine.available_providers())
            human = _summary(snap) + (f"\n{left}" if left else "")
            out.emit({"event": "idle", "left": left, **_queue_json(snap)}, human)
            return 0


async def show(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    snap = await running.engine.snapshot()
    view = snap.by_id().get(args.job_id)
    job = view or await running.engine.get(args.job_id)
    events = await running.engine.events(args.job_id)
    data = job_json(job)
    chain, chain_lines = await queueing.chain_data(running, args.job_id)
    data.update(chain)
    data["events"] = [{"at_ms": e.at_ms, "from": e.from_status, "to": e.to_status, "detail": e.detail} for e in events]
    human = "\n".join(
        [f"{k}: {v}" for k, v in data.items() if k not in ("events", "chain", "chain_total_s")]
        + chain_lines
        + [f"  {_when(e.at_ms)}  {e.from_status or '-'} -> {e.to_status or '-'}  {e.detail}" for e in events]
    )
    out.emit(data, human)
    return 0


def _one(action: str) -> Handler:
    async def handler(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
        engine = running.engine
        method = {"cancel": engine.cancel, "retry": engine.retry, "give-up": engine.give_up}[action]
        job = await method(args.job_id)
        out.emit(job_json(job), f"{job.id} {job.status.value}")
        return 0

    return handler


async def move_to_top(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    await running.engine.move_to_top(args.job_id)
    out.emit({"moved": args.job_id}, f"{args.job_id} is next")
    return 0


async def cancel_all(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    n = await running.engine.cancel_all_waiting()
    out.emit({"cancelled": n}, f"cancelled {n} waiting jobs (refunded)")
    return 0


async def pause(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    await running.engine.pause()
    out.emit({"paused": True}, "queue paused; running jobs finish")
    return 0


async def resume(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    await running.engine.resume()
    out.emit({"paused": False}, "queue resumed")
    return 0


async def ledger(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    snap = await running.engine.snapshot()
    entries = await running.engine.ledger()
    s = snap.ledger
    budget = out.money(s.daily_budget_micros) if s.daily_budget_micros is not None else "none"
    human = [
        f"balance (charged - refunded): {out.money(s.balance_micros)}",
        f"spent today: {out.money(s.spent_today_micros)} (budget {budget})",
        f"spent this month: {out.money(s.spent_month_micros)}",
    ]
    human += [
        f"  {_when(e.at_ms)} {e.kind:<6} {out.money(e.amount_micros):>8} {e.job_id} #{e.attempt}" for e in entries[-20:]
    ]
    out.emit(
        {
            "balance_usd": s.balance_micros / 1e6,
            "spent_today_usd": s.spent_today_micros / 1e6,
            "spent_month_usd": s.spent_month_micros / 1e6,
            "daily_budget_usd": None if s.daily_budget_micros is None else s.daily_budget_micros / 1e6,
            "entries": [
                {
                    "job_id": e.job_id,
                    "attempt": e.attempt,
                    "kind": e.kind,
                    "amount_usd": e.amount_micros / 1e6,
                    "at_ms": e.at_ms,
                }
                for e in entries
            ],
        },
        "\n".join(human),
    )
    return 0


async def models(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    """The provider's models: the account's list merged with the catalogue, or the catalogue with the reason."""
    engine = running.engine
    provider = engine.provider_name
    catalogue, offered, note = engine.catalogue, None, None
    try:
        remote = await engine.remote_models()
    except VeoError as exc:
        said = str(exc)
        note = (
            said
            if "catalogue" in said
            else f"The account's model list is not available, so this is the built-in catalogue: {said}"
        )
    else:
        offered = {m.id for m in remote}
        names = {m.id: m.display_name for m in remote}
        catalogue = merge_remote(catalogue, list(names), engine.clock.wall_ms(), provider=provider, display_names=names)
    rows = [_model_row(m, offered) for m in catalogue.for_provider(provider)]
    human = [*catalogue.warnings, *([note] if note else [])]
    for r in rows:
        marks = [str(r["status"])] + ([] if r["price_verified"] or r["retired"] else ["unverified price"])
        if r["offered"] is False and r["status"] != "retired":
            marks.append("not listed by the account")
        human.append(f"{r['id']:<32} {r['name']:<40} {', '.join(marks)}")
    source = "catalogue" if offered is None else "account"
    data = {"models": rows, "source": source, "note": note, "warnings": list(catalogue.warnings)}
    out.emit(data, "\n".join(human))
    return 0


def _model_row(m: ModelInfo, offered: set[str] | None) -> dict[str, object]:
    return {
        "id": m.id,
        "name": m.display_name,
        "status": m.status,
        "retired": m.retired,
        "retired_on": m.retired_on,
        "price_verified": m.price_verified,
        "offered": None if offered is None else m.id in offered,
        "source": m.source,
    }


async def move_retired(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    """Every waiting job held on a retired model: to `--to MODEL` (or the closest current model), or cancelled."""
    if args.cancel and args.to:
        raise ValueError("Choose --to MODEL or --cancel, not both.")
    jobs = await running.engine.move_retired(args.to, cancel=args.cancel)
    verb = "cancelled (refunded)" if args.cancel else "moved"
    human = [f"{j.id} {verb}" + ("" if args.cancel else f" to {j.request.model_id}") for j in jobs]
    human.append(f"{len(jobs)} held job{'' if len(jobs) == 1 else 's'} {verb}")
    out.emit({"cancelled" if args.cancel else "moved": [job_json(j) for j in jobs]}, "\n".join(human))
    return 0


def simulate(args: argparse.Namespace, out: Output) -> int:
    from veo_desktop.simulator.cli import main as simulator_main

    argv = ["--port", str(args.port), "--host", args.host, "--speed", str(args.speed), "--api-key", args.api_key]
    for option in ("slots", "starts_per_minute", "download_host", "write_service_account", "write_authorized_user"):
        if getattr(args, option, None) is not None:
            argv += ["--" + option.replace("_", "-"), str(getattr(args, option))]
    if args.latency:
        argv += ["--latency", *(str(v) for v in args.latency)]
    for pair in args.switch:
        argv += ["--switch", pair]
    return simulator_main(argv)


HANDLERS: dict[str, Handler] = {
    "submit": queueing.submit,
    **queueing.HANDLERS,
    "continue": continuing.continue_shots,
    "list": list_jobs,
    "watch": watch,
    "run": run,
    "show": show,
    "cancel": _one("cancel"),
    "retry": _one("retry"),
    "give-up": _one("give-up"),
    "move-to-top": move_to_top,
    "cancel-all": cancel_all,
    "pause": pause,
    "resume": resume,
    "ledger": ledger,
    "models": models,
    "move-retired": move_retired,
}
