"""The CLI's commands that queue work: `submit` (one request, or a batch file with `--from`), `extend`, `refine`,
and the batch group's `cancel-batch` and `retry-batch`.

Every image a refused command wrote to the frames folder is removed again (a frame another job uses, that
was there before, is kept), so a refusal leaves nothing behind: nothing stored, nothing charged, no file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from veo_desktop.cli.batch_file import read_batch
from veo_desktop.cli.output import Output, describe, job_json
from veo_desktop.composition import RunningEngine
from veo_desktop.core.errors import BudgetExceeded
from veo_desktop.core.jobs import Job
from veo_desktop.core.money import format_usd
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.core.validation import ValidationError

Handler = Callable[[RunningEngine, argparse.Namespace, Output], Awaitable[int]]
_SETTLED = {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.UNKNOWN_START}
MAX_REFERENCE_FLAGS = 3


def add_submit_options(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--prompt")
    what.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE",
        help="queue a batch: a text file (one prompt per line) or a CSV file with a header (prompt, "
        "negative_prompt, model, ratio, duration, resolution, seed, audio, start_frame, end_frame)",
    )
    p.add_argument("--negative-prompt", default="")
    p.add_argument("--model", help="model id (see `models`); default: the provider's fast model")
    p.add_argument("--ratio", default="16:9", choices=("16:9", "9:16"))
    p.add_argument("--duration", type=int, default=8, help="seconds: 4, 6 or 8")
    p.add_argument("--resolution", default="720p", choices=("360p", "720p", "1080p", "4k"))
    p.add_argument("--start-frame", type=Path)
    p.add_argument("--end-frame", type=Path)
    p.add_argument(
        "--reference-image",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="an asset image the video must show (repeat for up to 3; not with start or end frames)",
    )
    p.add_argument("--count", type=int, default=1, help="how many identical jobs")
    p.add_argument("--variations", type=int, default=1, help="videos per job (Vertex: 1-4)")
    p.add_argument(
        "--audio", action=argparse.BooleanOptionalAction, default=None, help="with sound (Veo: off costs less)"
    )
    p.add_argument(
        "--enhance-prompt",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let Google rewrite the prompt (default on; off sends the prompt as written)",
    )
    p.add_argument("--seed", type=int, help="a whole number 0-4294967295, to repeat a result")
    p.add_argument("--person-generation", help="people: dont_allow, allow_adult (default) or allowAll")
    p.add_argument("--resize-mode", help="a start frame of another shape: pad (default) or crop")
    p.add_argument("--compression", help="optimized (default) or lossless")
    p.add_argument("--batch", help="the batch name to group the jobs under (default with --from: the file's name)")
    p.add_argument("--yes", action="store_true", help="queue a batch without asking")
    p.add_argument("--wait", action="store_true", help="run the queue here until these jobs finish")


def add_subcommands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    e = add("extend", "queue a Veo extension of a completed video (+7 s)")
    e.add_argument("job_id")
    e.add_argument("--prompt", help="what happens next (default: the video's own prompt)")
    e.add_argument("--wait", action="store_true", help="run the queue here until the job finishes")
    r = add("refine", "queue a Gemini Omni edit of a completed Omni video")
    r.add_argument("job_id")
    r.add_argument("--prompt", required=True, help="the change, e.g. 'make the violin invisible'")
    r.add_argument("--duration", type=int, help="seconds of this turn (default: the video's own)")
    r.add_argument("--wait", action="store_true", help="run the queue here until the job finishes")
    add("cancel-batch", "cancel the waiting jobs of a batch (refund)").add_argument("name")
    add("retry-batch", "try the failed jobs of a batch again").add_argument("name")


# --- submit -------------------------------------------------------------------------------------------------
async def submit(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    before = await asyncio.to_thread(_names, running.paths.frames_dir)
    imported: list[FrameRef] = []
    try:
        jobs = await (
            _submit_file(running, args, imported, out) if args.from_file else _submit(running, args, imported)
        )
    except BaseException:
        await _forget(running, imported, before)
        raise
    if not jobs:  # a batch the person did not confirm
        await _forget(running, imported, before)
        out.emit({"queued": [], "cost_usd": 0.0}, "nothing queued")
        return 0
    cost = sum(j.cost_micros for j in jobs)
    out.emit(
        {"queued": [j.id for j in jobs], "cost_usd": cost / 1e6, "batch": jobs[0].request.batch or None},
        "\n".join(f"queued {j.id}" for j in jobs) + f"\ncharged {out.money(cost)}",
    )
    return await wait_for(running, {j.id for j in jobs}, out) if args.wait else 0


async def _forget(running: RunningEngine, imported: list[FrameRef], before: set[str]) -> None:
    new = {running.engine.frame_path(f) for f in imported if f.file_name not in before}
    await asyncio.to_thread(_remove, sorted(new))


def _names(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.is_dir() else set()


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


async def import_image(
    running: RunningEngine, path: Path | None, field: str, imported: list[FrameRef]
) -> FrameRef | None:
    if path is None:
        return None
    frame = await running.engine.import_frame(path, field=field)
    imported.append(frame)
    return frame


async def _base_request(
    running: RunningEngine, args: argparse.Namespace, imported: list[FrameRef]
) -> GenerationRequest:
    """The request the flags describe (a batch row's own values go over it)."""
    engine = running.engine
    if len(args.reference_image) > MAX_REFERENCE_FLAGS:
        raise ValidationError(
            "reference_images", f"At most {MAX_REFERENCE_FLAGS} reference images can be given; remove some."
        )
    references = [await import_image(running, p, "reference_images", imported) for p in args.reference_image]
    return GenerationRequest(
        model_id=args.model or engine.catalogue.default_model(engine.provider_name).id,
        prompt=args.prompt or "",
        negative_prompt=args.negative_prompt,
        aspect_ratio=args.ratio,
        duration_s=args.duration,
        resolution=args.resolution,
        start_frame=await import_image(running, args.start_frame, "start_frame", imported),
        end_frame=await import_image(running, args.end_frame, "end_frame", imported),
        sample_count=args.variations,
        generate_audio=True if args.audio is None else args.audio,
        enhance_prompt=True if args.enhance_prompt is None else args.enhance_prompt,
        seed=args.seed,
        person_generation=args.person_generation,
        resize_mode=args.resize_mode,
        compression_quality=args.compression,
        reference_images=tuple(r for r in references if r is not None),
        batch=args.batch or "",
    )


async def _submit(running: RunningEngine, args: argparse.Namespace, imported: list[FrameRef]) -> list[Job]:
    request = await _base_request(running, args, imported)
    return await running.engine.submit(request, args.count)


async def _submit_file(
    running: RunningEngine, args: argparse.Namespace, imported: list[FrameRef], out: Output
) -> list[Job]:
    if args.count != 1:
        raise ValidationError("count", "--count cannot be used with --from; repeat the line in the file instead.")
    base = await _base_request(running, args, imported)
    batch = await read_batch(running, args.from_file, base, imported, name=args.batch)
    engine = running.engine
    quote = await engine.quote_batch(batch.requests, lines=batch.lines)
    total = format_usd(quote.total_micros)
    if not quote.fits_budget:
        left = format_usd(max(0, quote.budget_left_micros or 0))
        raise BudgetExceeded(
            f"Batch {batch.name!r} costs {total} for {quote.jobs} jobs, more than the {left} left in today's "
            "budget; raise the budget in Settings or queue fewer lines."
        )
    out.line(f"batch {batch.name!r}: {quote.jobs} jobs, {total} in total", None)
    if not args.yes and not out.json_mode and sys.stdin.isatty():
        answer = await asyncio.to_thread(input, f"Queue {quote.jobs} jobs for {total}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            return []
    return await engine.submit_batch(batch.requests, lines=batch.lines)


async def wait_for(running: RunningEngine, ids: set[str], out: Output) -> int:
    last: dict[str, str] = {}
    while True:
        snap = await running.engine.snapshot()
        views = [v for v in snap.jobs if v.id in ids]
        for v in views:
            key = f"{v.display.value}:{v.position}"
            if last.get(v.id) != key:
                last[v.id] = key
                out.line(f"{v.id}  {describe(v)}", {"event": "progress", **job_json(v)})
        if views and all(v.job.status in _SETTLED for v in views):
            failed = [v for v in views if v.job.status is not JobStatus.COMPLETED]
            out.emit(
                {"done": [job_json(v) for v in views]},
                f"{len(views) - len(failed)} completed, {len(failed)} not completed",
            )
            return 1 if failed else 0
        await asyncio.sleep(0.2)


# --- extend and refine ------------------------------------------------------------------------------------
async def extend(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    job = await running.engine.extend(args.job_id, prompt=args.prompt)
    return await _queued_child(running, args, out, job, f"extends {args.job_id}")


async def refine(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    job = await running.engine.refine(args.job_id, prompt=args.prompt, duration_s=args.duration)
    return await _queued_child(running, args, out, job, f"refines {args.job_id}")


async def _queued_child(running: RunningEngine, args: argparse.Namespace, out: Output, job: Job, what: str) -> int:
    out.emit(
        {"queued": [job.id], "cost_usd": job.cost_micros / 1e6, "parent": args.job_id},
        f"queued {job.id} ({what})\ncharged {out.money(job.cost_micros)}",
    )
    return await wait_for(running, {job.id}, out) if args.wait else 0


async def chain_data(running: RunningEngine, job_id: str) -> tuple[dict[str, object], list[str]]:
    """The chain a job belongs to, for `show`: JSON and human lines (none for a job on its own)."""
    chain = await running.engine.chain(job_id)
    links = [{"job_id": c.job_id, "kind": c.kind, "length_s": c.length_s} for c in chain.links]
    data: dict[str, object] = {"chain": links, "chain_total_s": chain.total_s}
    if len(chain.links) < 2:
        return data, []
    last = chain.links[-1]
    verb = {"extension": "extends", "refine": "refines", "continuation": "continues"}.get(last.kind, "follows")
    steps = " -> ".join(f"{c.job_id} ({_length(c.length_s)})" for c in chain.links)
    total = "unknown" if chain.total_s is None else f"{chain.total_s:g} s"
    return data, [f"this clip {verb} {chain.parent_id}", f"chain: {steps}; total length {total}"]


def _length(seconds: float | None) -> str:
    return "not finished" if seconds is None else f"{seconds:g} s"


# --- batch groups -------------------------------------------------------------------------------------------
async def _known_batch(running: RunningEngine, name: str) -> list[Job]:
    jobs = await running.engine.batch_jobs(name)
    if not jobs:
        raise ValidationError("batch", f"No job was queued with batch {name!r}; see `list --all` for the batches.")
    return jobs


async def cancel_batch(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    await _known_batch(running, args.name)
    jobs = await running.engine.cancel_batch(args.name)
    refund = sum(j.cost_micros for j in jobs)
    out.emit(
        {"cancelled": [j.id for j in jobs], "refunded_usd": refund / 1e6},
        f"cancelled {len(jobs)} waiting jobs of batch {args.name!r} (refunded {out.money(refund)})",
    )
    return 0


async def retry_batch(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    await _known_batch(running, args.name)
    jobs = await running.engine.retry_batch(args.name)
    charged = sum(j.cost_micros for j in jobs)
    out.emit(
        {"retried": [j.id for j in jobs], "charged_usd": charged / 1e6},
        f"retried {len(jobs)} failed jobs of batch {args.name!r} (charged {out.money(charged)})",
    )
    return 0


HANDLERS: dict[str, Handler] = {
    "extend": extend,
    "refine": refine,
    "cancel-batch": cancel_batch,
    "retry-batch": retry_batch,
}
