"""`continue JOB`: the next shot of a finished video, starting from its last frame; with several `--prompt`
and `--wait`, a sequence of shots, each continuing the one before once it has finished.

A sequence is priced as a whole before its first shot is queued (n shots of the first one's price against
what today's budget leaves), so it is not refused for money halfway. It stops at the first shot that does not
complete, saying which one and how many were not queued (exit code 1); what was queued stays queued and
charged like any job. A refused shot leaves no new image in the frames folder.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from veo_desktop.cli.output import Output
from veo_desktop.cli.queueing import _names, wait_for
from veo_desktop.composition import RunningEngine
from veo_desktop.core.errors import BudgetExceeded
from veo_desktop.core.jobs import Job
from veo_desktop.core.money import format_usd
from veo_desktop.core.validation import ValidationError
from veo_desktop.engine import continuation
from veo_desktop.engine.continuation import ShotChanges

EXIT_SHOT_FAILED = 1


def add_subcommand(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    c = add("continue", "queue the next shot from a completed video's last frame (several --prompt: a sequence)")
    c.add_argument("job_id")
    c.add_argument(
        "--prompt",
        action="append",
        default=[],
        help="what happens in the next shot (default: the video's own prompt); repeat with --wait for a sequence",
    )
    c.add_argument("--model", help="model id (default: the video's own model)")
    c.add_argument("--duration", type=int, help="seconds (default: the video's own)")
    c.add_argument("--resolution", choices=("360p", "720p", "1080p", "4k"), help="default: the video's own")
    c.add_argument("--negative-prompt", help="default: the video's own")
    c.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None, help="default: as the video")
    c.add_argument("--seed", type=int, help="a whole number 0-4294967295 (default: the video's own, if it had one)")
    c.add_argument("--wait", action="store_true", help="run the queue here until the shots finish")


def _changes(args: argparse.Namespace) -> ShotChanges:
    return ShotChanges(
        model_id=args.model,
        duration_s=args.duration,
        resolution=args.resolution,
        generate_audio=args.audio,
        seed=args.seed,
        negative_prompt=args.negative_prompt,
    )


async def continue_shots(running: RunningEngine, args: argparse.Namespace, out: Output) -> int:
    prompts: list[str | None] = list(args.prompt) or [None]
    if len(prompts) > 1 and not args.wait:
        raise ValidationError(
            "prompt",
            "A sequence of shots needs --wait: each shot starts from the last frame of the one before, so that "
            "one must finish first; add --wait or give one --prompt.",
        )
    changes = _changes(args)
    first = await running.engine.get(args.job_id)
    await _check_budget(running, first, prompts, changes)
    parent_id, made = first.id, [first.id]
    for number, prompt in enumerate(prompts, start=1):
        job = await _one_shot(running, parent_id, prompt, changes)
        _say_queued(out, job, number, len(prompts), continuation.left_behind(first) if number == 1 else None)
        if not args.wait:
            return 0
        if await wait_for(running, {job.id}, out) != 0:
            done = await running.engine.get(job.id)
            out.error(_stopped(done, number, len(prompts), parent_id), job_id=job.id, status=done.status.value)
            return EXIT_SHOT_FAILED
        parent_id = job.id
        made.append(job.id)
    if len(prompts) > 1:
        out.emit(
            {"sequence": made, "completed": len(prompts)},
            f"sequence: {' -> '.join(made)} ({len(prompts)} shots completed)",
        )
    return 0


async def _one_shot(running: RunningEngine, parent_id: str, prompt: str | None, changes: ShotChanges) -> Job:
    """Queue one shot; a refusal removes the last frame it had just put in the frames folder."""
    folder = running.paths.frames_dir
    before = await asyncio.to_thread(_names, folder)
    try:
        return await running.engine.continue_from(parent_id, prompt=prompt, changes=changes)
    except BaseException:
        after = await asyncio.to_thread(_names, folder)
        await asyncio.to_thread(_drop, running, sorted(after - before))
        raise


def _drop(running: RunningEngine, names: list[str]) -> None:
    for name in names:
        (running.paths.frames_dir / name).unlink(missing_ok=True)


async def _check_budget(running: RunningEngine, parent: Job, prompts: list[str | None], changes: ShotChanges) -> None:
    """Refuse a sequence today's budget cannot pay for, before its first shot (a lone shot: `submit` checks)."""
    if len(prompts) < 2:
        return
    engine = running.engine
    price = engine.quote_micros(continuation.next_shot(parent, prompts[0], changes), 1)
    summary = (await engine.snapshot()).ledger
    if summary.daily_budget_micros is None:
        return
    left = summary.daily_budget_micros - summary.spent_today_micros
    total = price * len(prompts)
    if total > left:
        raise BudgetExceeded(
            f"The {len(prompts)} shots cost {format_usd(total)}, more than the {format_usd(max(0, left))} left in "
            "today's budget; raise the budget in Settings or queue fewer shots."
        )


def _say_queued(out: Output, job: Job, number: int, count: int, note: str | None) -> None:
    parent = job.request.continues_job_id
    frame = job.request.start_frame
    shot = f"shot {number} of {count}, " if count > 1 else ""
    human = f"queued {job.id} ({shot}continues {parent} from its last frame)\ncharged {out.money(job.cost_micros)}"
    data = {
        "queued": [job.id],
        "cost_usd": job.cost_micros / 1e6,
        "parent": parent,
        "start_frame_sha256": frame.sha256 if frame else None,
        "shot": number,
        "of": count,
        "note": note,
    }
    out.emit(data, human + (f"\n{note}" if note else ""))


def _stopped(job: Job, number: int, count: int, parent_id: str) -> str:
    """Why a sequence stopped (the shot's own reason was printed above it by `wait_for`)."""
    rest = count - number
    left = f" with {rest} shot{'s' if rest != 1 else ''} not queued" if rest else ""
    return (
        f"Shot {number} of {count} ({job.id}) did not complete ({job.status.value}), so the sequence stopped{left}; "
        f"see `show {job.id}`, then retry it or continue from {parent_id} again."
    )
