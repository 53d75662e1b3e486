"""What a job costs, from the catalogue (contract §5, §6). Pure functions on integer micro-USD.

- Veo: price per second for (audio on/off, resolution) × seconds × videos per job.
- Omni: an upper-bound estimate before the start, reconciled from the answer's usage tokens afterwards.
- Filtered variations: Google bills only the delivered videos, so `charge × (n − k) / n` comes back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from veo_desktop.core.catalogue import ModelInfo, OmniTokens
from veo_desktop.core.request import GenerationRequest

_PER_MILLION = 1_000_000


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def veo_price_micros_per_s(model: ModelInfo, resolution: str, generate_audio: bool, provider: str | None = None) -> int:
    """Micro-USD per second of one video; ValueError when the catalogue has no price for it."""
    per_s = model.price_table(generate_audio, provider).get(resolution)
    if per_s is None:
        sound = "with audio" if generate_audio else "without audio"
        raise ValueError(f"{model.display_name} has no price for {resolution} {sound}; choose another setting.")
    return per_s


def request_cost_micros(
    model: ModelInfo, request: GenerationRequest, *, provider: str | None = None, parent_video_tokens: int = 0
) -> int:
    """The charge of one job (one operation): Veo's price, or Omni's upper-bound estimate.

    `parent_video_tokens`: for an Omni refine, the video tokens of the result it edits (its usage, or
    `omni_video_tokens` of its length when unknown). An extension's `duration_s` is its step (validation sets it).
    """
    if model.tokens is not None:
        return omni_estimate_micros(
            model,
            resolution=request.resolution,
            duration_s=request.duration_s,
            prompt_chars=len(request.prompt),
            image_count=_image_count(request),
            parent_video_tokens=parent_video_tokens,
        )
    per_s = veo_price_micros_per_s(model, request.resolution, request.generate_audio, provider)
    return per_s * request.duration_s * max(1, request.sample_count)


def _image_count(request: GenerationRequest) -> int:
    frames = [f for f in (request.start_frame, request.end_frame) if f is not None]
    return len(frames) + len(request.reference_images)


def _tokens(model: ModelInfo) -> OmniTokens:
    if model.tokens is None:
        raise ValueError(f"{model.display_name} is not priced by tokens.")
    return model.tokens


def omni_video_tokens(model: ModelInfo, resolution: str, duration_s: float) -> int:
    """Video tokens of `duration_s` seconds at `resolution` (rounded up)."""
    per_s = _tokens(model).video_tokens_per_s.get(resolution)
    if per_s is None:
        raise ValueError(f"{model.display_name} has no token rate for {resolution}; choose another resolution.")
    return math.ceil(per_s * duration_s)


def omni_estimate_micros(
    model: ModelInfo,
    *,
    resolution: str,
    duration_s: int,
    prompt_chars: int,
    image_count: int = 0,
    parent_video_tokens: int = 0,
) -> int:
    """Upper bound (§5): longest duration × video tokens/s × output rate + input tokens × input rate.

    The longest duration is the requested one when the catalogue marks the duration honoured, else the
    model's maximum. Input tokens = characters / 4 + 2,000 per image + the edited result's video tokens.
    """
    tokens = _tokens(model)
    seconds = duration_s if tokens.duration_honoured else max(model.durations_s)
    output = omni_video_tokens(model, resolution, seconds)
    input_tokens = (
        _ceil_div(max(0, prompt_chars), tokens.input_chars_per_token)
        + tokens.input_tokens_per_image * max(0, image_count)
        + max(0, parent_video_tokens)
    )
    return _ceil_div(output * tokens.output_micros_per_mtok + input_tokens * tokens.input_micros_per_mtok, _PER_MILLION)


def omni_actual_micros(model: ModelInfo, *, input_tokens: int, video_tokens: int, other_output_tokens: int = 0) -> int:
    """What Google's `usage` says it cost: video and other output (incl. thought) tokens at the output rate
    (an upper bound for the latter, §5), input tokens at the input rate; rounded up."""
    tokens = _tokens(model)
    output = max(0, video_tokens) + max(0, other_output_tokens)
    total = output * tokens.output_micros_per_mtok + max(0, input_tokens) * tokens.input_micros_per_mtok
    return _ceil_div(total, _PER_MILLION)


@dataclass(frozen=True, slots=True)
class OmniReconciliation:
    actual_micros: int
    refund_micros: int  # estimate − actual when positive, else 0 (the charge is kept, never raised)
    exceeded: bool  # the actual cost passed the estimate: show Google's figure, log a catalogue-drift warning


def reconcile_omni(
    model: ModelInfo, estimate_micros: int, *, input_tokens: int, video_tokens: int, other_output_tokens: int = 0
) -> OmniReconciliation:
    """The ledger adjustment of a completed Omni job (§6): a visible refund of the unused estimate."""
    actual = omni_actual_micros(
        model, input_tokens=input_tokens, video_tokens=video_tokens, other_output_tokens=other_output_tokens
    )
    return OmniReconciliation(
        actual_micros=actual, refund_micros=max(0, estimate_micros - actual), exceeded=actual > estimate_micros
    )


def filtered_refund_micros(charge_micros: int, requested: int, delivered: int) -> int:
    """Refund for variations Google filtered (§6): `charge × (n − k) / n`, k counted from the videos received.

    k = 0 refunds everything; k ≥ n refunds nothing. Rounded down, so a refund never passes the charge.
    """
    if requested < 1:
        raise ValueError("The number of requested videos must be at least 1.")
    if charge_micros <= 0:
        return 0
    kept = min(max(0, delivered), requested)
    return charge_micros * (requested - kept) // requested
