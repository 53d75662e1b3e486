"""Plain-words text for a job row: its status, settings, cost and failure reason.

Pure functions of a JobView (no widgets), so the queue model, the detail area and the tests read the same
words. Every string goes through `tr()` (a literal argument, so lupdate finds it).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.jobs import Job
from veo_desktop.core.states import FailureKind
from veo_desktop.engine.api import DisplayState, JobView
from veo_desktop.engine.texts import clock_time
from veo_desktop.ui.support.i18n import cents, money_text, number_text

# lupdate files module-level `tr("...")` calls under the empty context, so they are looked up there.
_CTX = ""


def tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def clock_text(seconds: float) -> str:
    """`0:42`, `12:05`, `1:02:03`."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def about_text(seconds: float) -> str:
    """A rough duration for ETAs: `~40 s`, `~2 min`, `~1 h 5 min`."""
    s = max(0, round(seconds))
    if s < 60:
        return tr("~%1 s").replace("%1", str(max(5, 5 * round(s / 5))))
    minutes = round(s / 60)
    if minutes < 60:
        return tr("~%1 min").replace("%1", str(minutes))
    return tr("~%1 h %2 min").replace("%1", str(minutes // 60)).replace("%2", str(minutes % 60))


def _reason(kind: FailureKind) -> str:
    """Why a job of this kind failed, in the person's language (each a literal `tr()`, so lupdate finds it)."""
    reasons = {
        FailureKind.INVALID: tr("Google refused the request"),
        FailureKind.NOT_FOUND: tr("the model is unknown or retired"),
        FailureKind.SERVER: tr("Google had server problems when starting it"),
        FailureKind.FILTERED: tr("blocked by Google's safety checks"),
        FailureKind.OPERATION_ERROR: tr("Google could not make this video"),
        FailureKind.NO_VIDEO: tr("Google finished without returning a video"),
        FailureKind.EXPIRED: tr("the video expired at Google before it was downloaded"),
        FailureKind.PROTOCOL: tr("Google answered something unexpected"),
        FailureKind.GAVE_UP: tr("you gave up on a start whose outcome was unknown"),
        FailureKind.LOCAL: tr("a problem on this computer"),
    }
    return reasons.get(kind, tr("no reason was recorded"))


def failure_reason(job: Job) -> str:
    """The reason a job failed, in plain words (the engine's message when it has one)."""
    if job.error_message:
        return job.error_message
    if job.error_kind is not None:
        return _reason(job.error_kind)
    return tr("no reason was recorded")


def _position(view: JobView) -> str:
    return "?" if view.position is None else number_text(view.position)


def status_text(view: JobView, now_ms: int | None = None) -> str:
    """One line for the status column (`now_ms`, the snapshot's time: an unknown start's slot hold)."""
    d = view.display
    job = view.job
    if d is DisplayState.WAITING:
        text = tr("In the queue — position %1").replace("%1", _position(view))
        if view.eta_start_s is not None:
            if view.eta_start_s < 1:
                text += tr(" · starting next")
            else:
                text += tr(" · starts in %1").replace("%1", about_text(view.eta_start_s))
        return text
    if d is DisplayState.WAITING_QUOTA:
        return tr("Waiting for Google's quota, retrying in %1 s").replace("%1", str(round(view.retry_in_s or 0)))
    if d is DisplayState.PAUSED:
        return tr("Paused — position %1").replace("%1", _position(view))
    if d is DisplayState.STARTING:
        return tr("Starting at Google…")
    if d is DisplayState.GENERATING:
        text = tr("Generating · %1").replace("%1", clock_text(view.elapsed_s or 0))
        if view.eta_done_s is not None:
            text += tr(" · %1 left").replace("%1", about_text(view.eta_done_s))
        return text
    if d is DisplayState.DOWNLOADING:
        return tr("Downloading the video…")
    if d is DisplayState.COMPLETED:
        took = job.duration_ms
        return tr("Ready · took %1").replace("%1", clock_text(took / 1000)) if took else tr("Ready")
    if d is DisplayState.FILTERED:
        return tr("Filtered by Google's safety checks (not charged)")
    if d is DisplayState.FAILED:
        return tr("Failed: %1").replace("%1", failure_reason(job))
    if d is DisplayState.CANCELLED:
        return tr("Cancelled")
    hold = view.job.slot_hold_until_ms
    if now_ms is not None and hold is not None and hold > now_ms:
        # the engine's slot_hold_text, in the person's language
        return tr("Start outcome unknown — holding a slot until %1 in case Google started it").replace(
            "%1", clock_time(hold)
        )
    return tr("Start outcome unknown — choose retry or give up")


def note_text(view: JobView) -> str:
    """The engine's note (e.g. "Could not reach Google; retrying."), shown for waiting and running jobs."""
    if view.display in (DisplayState.COMPLETED, DisplayState.CANCELLED, DisplayState.FAILED):
        return ""
    return view.job.note or ""


def settings_text(job: Job, catalogue: Catalogue) -> str:
    r = job.request
    model = catalogue.get(r.model_id)
    name = model.display_name if model else r.model_id
    parts = [name, r.aspect_ratio, tr("%1 s").replace("%1", str(r.duration_s)), r.resolution]
    if r.sample_count > 1:
        parts.append(tr("%1 variations").replace("%1", str(r.sample_count)))
    return " · ".join(parts)


def cost_text(job: Job) -> str:
    """The cost column: "$0.80", "$0.80 · refunded" (all of it), "$1.07 · -$0.40" (a partial refund, worded
    in `cost_words`, the cell's tooltip: the column stays narrow, in Portuguese too)."""
    charged = job.charged_micros or job.cost_micros
    text = money_text(cents(charged))
    if job.refunded_micros and job.refunded_micros >= charged:
        text += tr(" · refunded")
    elif job.refunded_micros:
        text += " · " + money_text(-cents(job.refunded_micros))
    return text


def cost_words(job: Job) -> str:
    """The cost with its refund in words ("$1.07 · refunded $0.40")."""
    charged = job.charged_micros or job.cost_micros
    text = money_text(cents(charged))
    if job.refunded_micros and job.refunded_micros >= charged:
        text += tr(" · refunded")
    elif job.refunded_micros:
        text += tr(" · refunded %1").replace("%1", money_text(cents(job.refunded_micros)))
    return text


def is_active(view: JobView) -> bool:
    """Rows whose text changes with time (ETAs, elapsed, quota countdown)."""
    return view.display in ACTIVE_DISPLAY


ACTIVE_DISPLAY = frozenset(
    {
        DisplayState.WAITING,
        DisplayState.WAITING_QUOTA,
        DisplayState.STARTING,
        DisplayState.GENERATING,
        DisplayState.DOWNLOADING,
    }
)
IN_FLIGHT_DISPLAY = frozenset({DisplayState.STARTING, DisplayState.GENERATING, DisplayState.DOWNLOADING})
WAITING_DISPLAY = frozenset({DisplayState.WAITING, DisplayState.WAITING_QUOTA, DisplayState.PAUSED})


def in_flight_and_waiting(counts: Mapping[str, int]) -> tuple[int, int]:
    """(generating, waiting) from a snapshot's counts by display state."""
    running = sum(counts.get(d.value, 0) for d in IN_FLIGHT_DISPLAY)
    return running, sum(counts.get(d.value, 0) for d in WAITING_DISPLAY)
