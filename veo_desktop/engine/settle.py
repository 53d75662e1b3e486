"""The ledger at completion (contract §6): what part of a finished job's charge comes back, and the row's note.

- Veo, k of n variations delivered: refund `charge × (n − k) / n` (Google bills only delivered videos).
- Omni: refund `estimate − actual` from the answer's usage tokens when positive; when Google's figure is
  above the estimate the charge is kept, the note shows Google's figure and a catalogue-drift warning is logged.
Pure: the downloader books the result with the completion, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from veo_desktop.client.base import OperationStatus
from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.core.cost import filtered_refund_micros, reconcile_omni
from veo_desktop.core.jobs import Job
from veo_desktop.core.money import format_usd


@dataclass(frozen=True, slots=True)
class Settlement:
    refund_micros: int = 0
    note: str | None = None  # the row's note: "3 of 4 delivered, 1 blocked by Google's safety filter (...)"
    drift: str | None = None  # a catalogue-drift warning for the log
    returned: dict[str, Any] = field(default_factory=dict)  # what Google said, for the sidecar


def settle(job: Job, status: OperationStatus, model: ModelInfo | None) -> Settlement:
    returned = _returned(job, status)
    if model is not None and model.tokens is not None:
        if status.video_tokens is None:
            return Settlement(note="Google reported no usage, so the estimate stays charged", returned=returned)
        return _omni(job, status, model, returned)
    wanted, got = max(1, job.request.sample_count), len(status.videos)
    if got >= wanted:
        return Settlement(returned=returned)
    refund = filtered_refund_micros(job.cost_micros, wanted, got)
    why = "blocked by Google's safety filter" if status.filtered_count or status.filter_reasons else "not returned"
    note = f"{got} of {wanted} delivered, {wanted - got} {why} (refunded {format_usd(refund)})"
    returned["refund_usd"] = refund / 1e6
    return Settlement(refund_micros=refund, note=note, returned=returned)


def _omni(job: Job, status: OperationStatus, model: ModelInfo, returned: dict[str, Any]) -> Settlement:
    rec = reconcile_omni(
        model,
        job.cost_micros,
        input_tokens=status.input_tokens or 0,
        video_tokens=status.video_tokens or 0,
        other_output_tokens=status.other_output_tokens or 0,
    )
    returned.update(actual_cost_usd=rec.actual_micros / 1e6, refund_usd=rec.refund_micros / 1e6)
    estimate, actual = format_usd(job.cost_micros), format_usd(rec.actual_micros)
    if rec.exceeded:
        note = f"Google's usage came to {actual}, above the {estimate} estimate; the charge was kept"
        drift = (
            f"catalogue drift: {model.id} job {job.id} cost {actual} by Google's usage tokens, "
            f"above the catalogue's estimate of {estimate}; check the token prices in models.json"
        )
        return Settlement(note=note, drift=drift, returned=returned)
    if rec.refund_micros == 0:
        return Settlement(note=f"Google's usage came to {actual}, as estimated", returned=returned)
    note = f"Google's usage came to {actual} of the {estimate} estimate (refunded {format_usd(rec.refund_micros)})"
    return Settlement(refund_micros=rec.refund_micros, note=note, returned=returned)


def _returned(job: Job, status: OperationStatus) -> dict[str, Any]:
    out: dict[str, Any] = {
        "videos_requested": max(1, job.request.sample_count),
        "videos_delivered": len(status.videos),
        "filtered_count": status.filtered_count,
        "filter_reasons": list(status.filter_reasons),
        "rewritten_prompt": status.rewritten_prompt,
        "seed": job.request.seed,
    }
    if status.video_tokens is not None or status.input_tokens is not None:
        out["usage"] = {
            "input_tokens": status.input_tokens,
            "video_tokens": status.video_tokens,
            "other_output_tokens": status.other_output_tokens,
        }
    if status.response_summary:
        out["response_summary"] = status.response_summary
    return out
