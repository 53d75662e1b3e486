"""Validation before anything is stored or charged.

Every failure is one sentence that names the field and says how to fix it. The same functions serve the
GUI, the CLI and the bad-input campaign, so a message reads the same everywhere. Rules come from the
catalogue per model and per dialect (the provider the job is queued for); the request fields of the
contract's §3.3/§4.2 are checked in `request_fields`.
"""

from __future__ import annotations

import unicodedata

from veo_desktop.core.catalogue import Catalogue, DialectRules, ModelInfo
from veo_desktop.core.images import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE,
    MIN_IMAGE_SIDE,
    ImageHeader,
    ValidationError,
    check_image_dimensions,
    sniff_image,
)
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.request_fields import ParentVideo, check_fields, check_parent

__all__ = [
    "MAX_COUNT",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SIDE",
    "MIN_IMAGE_SIDE",
    "ImageHeader",
    "ParentVideo",
    "ValidationError",
    "check_image_dimensions",
    "is_blank",
    "normalise_prompt",
    "sniff_image",
    "validate_request",
]

MAX_COUNT = 50
_ALLOWED_CONTROLS = {"\n", "\t"}
# Bidirectional overrides and isolates can make a prompt read differently from what is sent.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK_GRAPHICS = set("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """True when nothing in `text` would be visible: only spaces, format characters (U+200B, U+FEFF,
    U+2060, ...), lone combining marks, controls or blank fillers. Such a prompt is an empty prompt."""
    for ch in text:
        if ch in _BLANK_GRAPHICS:
            continue
        if unicodedata.category(ch)[0] in "LNPS":
            return False
    return True


def normalise_prompt(text: str, *, field: str = "prompt", max_chars: int, required: bool = True) -> str:
    """NFC-normalise and trim a prompt; refuse empty (or only invisible), too long, or control characters.

    A prompt that is not required and only invisible becomes ""."""
    label = "Prompt" if field == "prompt" else "Negative prompt"
    text = unicodedata.normalize("NFC", text).strip()
    if is_blank(text):
        if required:
            raise ValidationError(field, f"{label} is empty or only invisible characters: describe the video you want.")
        return ""
    for ch in text:
        if ch in _BIDI_CONTROLS:
            raise ValidationError(
                field, f"{label} contains invisible text-direction characters (U+{ord(ch):04X}); remove them."
            )
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValidationError(
                field, f"{label} contains a control character (U+{ord(ch):04X}); remove it and try again."
            )
    if len(text) > max_chars:
        raise ValidationError(
            field,
            f"{label} is {len(text):,} characters long; shorten it to at most {max_chars:,} (about 1,024 tokens).",
        )
    return text


def validate_request(
    request: GenerationRequest,
    catalogue: Catalogue,
    *,
    provider: str | None = None,
    count: int = 1,
    parent: ParentVideo | None = None,
) -> GenerationRequest:
    """Return the request normalised, or raise ValidationError for the first bad field.

    `provider` picks the dialect's rules (None: the model's first provider). `parent` is the finished job an
    extension (`extends_job_id`) or refine (`refines_job_id`) builds on; pass it so its limits are checked.
    Normalised: prompts (NFC, trimmed), an extension's `duration_s` set to the model's step (what is billed).
    """
    model = _model(request, catalogue, provider)
    rules = model.rules(provider)
    prompt = normalise_prompt(request.prompt, max_chars=catalogue.prompt_max_chars)
    negative = normalise_prompt(
        request.negative_prompt, field="negative_prompt", max_chars=catalogue.prompt_max_chars, required=False
    )
    request = request.with_changes(prompt=prompt, negative_prompt=negative)
    if request.extends_job_id is not None and rules.extension is not None:
        request = request.with_changes(duration_s=rules.extension.step_s)
    _check_settings(model, rules, request)
    check_fields(model, rules, request)
    if parent is not None:
        check_parent(model, rules, request, parent, catalogue)
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError("count", f"Count must be between 1 and {MAX_COUNT}; change the number of videos.")
    return request


def _model(request: GenerationRequest, catalogue: Catalogue, provider: str | None) -> ModelInfo:
    model = catalogue.get(request.model_id)
    if model is None:
        raise ValidationError(
            "model", f"Model {request.model_id!r} is not in the catalogue; choose one from the model list."
        )
    if model.retired:
        raise ValidationError("model", f"{model.display_name} has been retired by Google; choose a current model.")
    if provider is not None and provider not in model.providers:
        raise ValidationError(
            "model",
            f"{model.display_name} is not offered by the {provider} provider; choose a model listed for it.",
        )
    return model


def _check_settings(model: ModelInfo, rules: DialectRules, request: GenerationRequest) -> None:
    name = model.display_name
    if request.aspect_ratio not in model.aspect_ratios:
        allowed = " or ".join(model.aspect_ratios)
        raise ValidationError("aspect_ratio", f"{name} does not offer {request.aspect_ratio}; choose {allowed}.")
    if request.resolution not in rules.resolutions:
        allowed = ", ".join(rules.resolutions)
        raise ValidationError("resolution", f"{name} does not offer {request.resolution}; choose {allowed}.")
    if request.extends_job_id is None:
        _check_duration(model, rules, request)
    if request.end_frame is not None and request.start_frame is None:
        raise ValidationError(
            "end_frame", "An end frame needs a start frame; add a start frame or clear the end frame."
        )
    if request.start_frame is not None and not model.start_frame:
        raise ValidationError("start_frame", f"{name} does not accept a start frame; clear it or choose another model.")
    if request.end_frame is not None and not model.end_frame:
        raise ValidationError("end_frame", f"{name} does not accept an end frame; clear it or choose another model.")
    low, high = rules.sample_count_min, rules.sample_count_max
    if not low <= request.sample_count <= high:
        span = f"{low} to {high} variations" if high > low else f"{high} variation"
        raise ValidationError("sample_count", f"{name} makes {span} per job here; change the number of variations.")


def _check_duration(model: ModelInfo, rules: DialectRules, request: GenerationRequest) -> None:
    if request.duration_s not in model.durations_s:
        allowed = ", ".join(f"{d} s" for d in model.durations_s)
        raise ValidationError(
            "duration", f"{model.display_name} cannot make {request.duration_s} s videos; choose {allowed}."
        )
    if request.duration_s not in rules.allowed_durations(model.durations_s, request.resolution):
        raise ValidationError(
            "duration", f"{request.resolution} videos must be 8 seconds long here; set the duration to 8 s."
        )
