"""The request fields that change the price or the picture (contract §3.3, §4.2): audio, prompt rewriting,
seed, people, negative prompt, resize, compression, reference images, extension and refine.

Each rule is the model's and its dialect's (catalogue), and each refusal is one sentence naming the field
and what to do. `validate_request` (core/validation.py) calls these after the basic settings.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from veo_desktop.core.catalogue import Catalogue, DialectRules, ModelInfo
from veo_desktop.core.images import ValidationError
from veo_desktop.core.request import GenerationRequest

SEED_MAX = 2**32 - 1
MAX_BATCH_NAME_CHARS = 100


@dataclass(frozen=True, slots=True)
class ParentVideo:
    """The finished job an extension or a refine builds on, as the engine knows it."""

    job_id: str
    model_id: str
    provider: str
    duration_s: float  # the clip's length (read from its MP4, or the job's requested duration)
    resolution: str
    aspect_ratio: str
    fps: float | None = None
    chain_total_s: float | None = None  # the whole chain's length so far (None: `duration_s`)


def _either(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def check_fields(model: ModelInfo, rules: DialectRules, request: GenerationRequest) -> None:
    """Raise ValidationError for the first new field this model and dialect cannot take as given."""
    _check_switches(model, rules, request)
    _check_seed(model, rules, request)
    _check_choices(model, rules, request)
    _check_references(model, request)
    _check_chain(model, rules, request)
    _check_batch(request)


def _check_switches(model: ModelInfo, rules: DialectRules, request: GenerationRequest) -> None:
    name = model.display_name
    if rules.audio == "always" and not request.generate_audio:
        raise ValidationError(
            "generate_audio", f"{name} always makes videos with sound; switch audio on or choose a Veo model."
        )
    if rules.audio == "none" and request.generate_audio:
        raise ValidationError("generate_audio", f"{name} makes videos without sound; switch audio off.")
    if not request.enhance_prompt and not rules.prompt_rewriting:
        raise ValidationError(
            "enhance_prompt",
            f'{name} has no switch for Google\'s prompt rewriting; turn "Google rewrites your prompt" back on.',
        )
    if request.negative_prompt and not rules.negative_prompt:
        raise ValidationError(
            "negative_prompt",
            f"{name} takes no negative prompt; clear it and say what to avoid in the prompt itself.",
        )


def _check_seed(model: ModelInfo, rules: DialectRules, request: GenerationRequest) -> None:
    seed = request.seed
    if seed is None:
        return
    if not rules.seed:
        raise ValidationError("seed", f"{model.display_name} takes no seed here; clear the seed.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ValidationError("seed", f"Seed must be a whole number from 0 to {SEED_MAX:,}; change it.")


def _check_choices(model: ModelInfo, rules: DialectRules, request: GenerationRequest) -> None:
    name = model.display_name
    people = request.person_generation
    if people is not None:
        if not rules.person_generation:
            raise ValidationError("person_generation", f"{name} has no people setting here; leave it at the default.")
        if people not in rules.person_generation:
            raise ValidationError(
                "person_generation",
                f"People setting '{people}' is not offered by {name} here; choose {_either(rules.person_generation)}.",
            )
    resize = request.resize_mode
    if resize is not None:
        if not rules.resize_modes:
            raise ValidationError("resize_mode", f"{name} has no resize mode; clear it.")
        if request.start_frame is None:
            raise ValidationError(
                "resize_mode", "Resize mode applies only to a start frame; add a start frame or clear it."
            )
        if resize not in rules.resize_modes:
            raise ValidationError(
                "resize_mode", f"Resize mode '{resize}' is not offered; choose {_either(rules.resize_modes)}."
            )
    quality = request.compression_quality
    if quality is not None:
        if not rules.compression_qualities:
            raise ValidationError("compression_quality", f"{name} has no compression setting; clear it.")
        if quality not in rules.compression_qualities:
            raise ValidationError(
                "compression_quality",
                f"Compression '{quality}' is not offered; choose {_either(rules.compression_qualities)}.",
            )


def _check_references(model: ModelInfo, request: GenerationRequest) -> None:
    count = len(request.reference_images)
    if count == 0:
        return
    name, most = model.display_name, model.reference_images_max
    if most == 0:
        raise ValidationError(
            "reference_images", f"{name} takes no reference images; clear them or choose a model that does."
        )
    if count > most:
        raise ValidationError(
            "reference_images", f"{name} takes at most {most} reference images; remove {count - most}."
        )
    if request.start_frame is not None or request.end_frame is not None:
        raise ValidationError(
            "reference_images",
            "Reference images cannot be combined with start or end frames; clear the frames or the references.",
        )
    if request.extends_job_id is not None or request.refines_job_id is not None:
        raise ValidationError(
            "reference_images", "Reference images cannot be used when extending or refining a video; clear them."
        )
    needed = model.reference_duration_s
    if needed is not None and request.duration_s != needed:
        raise ValidationError(
            "duration", f"Jobs with reference images must be {needed} s long; set the duration to {needed} s."
        )


def _check_chain(model: ModelInfo, rules: DialectRules, request: GenerationRequest) -> None:
    name = model.display_name
    if request.extends_job_id is not None and request.refines_job_id is not None:
        raise ValidationError("extends_job_id", "A job can extend a video or refine one, not both; choose one.")
    if request.extends_job_id is not None:
        extension = rules.extension
        if extension is None:
            raise ValidationError(
                "extends_job_id", f"{name} cannot extend a video here; choose a model that offers extension."
            )
        if request.start_frame is not None or request.end_frame is not None:
            raise ValidationError(
                "extends_job_id", "An extension continues a video, so it takes no start or end frame; clear them."
            )
        if request.resolution not in extension.input_resolutions:
            allowed = " or ".join(extension.input_resolutions)
            raise ValidationError("resolution", f"{name} extends videos at {allowed}; choose one of them.")
    if request.refines_job_id is not None:
        refine = model.refine
        if refine is None:
            raise ValidationError(
                "refines_job_id", f"{name} cannot refine a video; refining is offered by Gemini Omni Flash."
            )
        if request.duration_s not in refine.durations_s:
            low, high = min(refine.durations_s), max(refine.durations_s)
            raise ValidationError(
                "duration", f"A refine turn is {low} to {high} s long; set the duration between them."
            )


def _check_batch(request: GenerationRequest) -> None:
    batch = request.batch
    if len(batch) > MAX_BATCH_NAME_CHARS:
        raise ValidationError(
            "batch", f"Batch name is {len(batch)} characters long; shorten it to at most {MAX_BATCH_NAME_CHARS}."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in batch):
        raise ValidationError("batch", "Batch name contains a control character; remove it.")


def check_parent(
    model: ModelInfo, rules: DialectRules, request: GenerationRequest, parent: ParentVideo, catalogue: Catalogue
) -> None:
    """The limits on the video an extension or a refine builds on."""
    parent_model = catalogue.get(parent.model_id)
    if request.extends_job_id is not None and rules.extension is not None:
        _check_extension_input(rules, request, parent, parent_model)
    if request.refines_job_id is not None and model.refine is not None:
        if parent_model is None or not parent_model.is_omni or parent.provider != "gemini":
            raise ValidationError(
                "refines_job_id", "Only a video made by Gemini Omni Flash can be refined; choose one of those."
            )
        total = (parent.chain_total_s if parent.chain_total_s is not None else parent.duration_s) + request.duration_s
        if total > model.refine.total_max_s:
            raise ValidationError(
                "refines_job_id",
                f"This refine would make the chain {total:g} s long, over Gemini Omni Flash's "
                f"{model.refine.total_max_s} s; choose a shorter duration or start a new video.",
            )


def _check_extension_input(
    rules: DialectRules, request: GenerationRequest, parent: ParentVideo, parent_model: ModelInfo | None
) -> None:
    ext = rules.extension
    assert ext is not None
    field = "extends_job_id"
    if parent_model is None or parent_model.is_omni:
        raise ValidationError(field, "Only a video made by Veo can be extended; choose a Veo video.")
    if not ext.input_min_s <= parent.duration_s <= ext.input_max_s:
        raise ValidationError(
            field,
            f"The video to extend is {parent.duration_s:g} s long; Veo extends clips of "
            f"{ext.input_min_s:g} to {ext.input_max_s:g} s.",
        )
    if ext.input_fps is not None and parent.fps is not None and abs(parent.fps - ext.input_fps) > 0.01:
        raise ValidationError(
            field, f"The video to extend runs at {parent.fps:g} fps; Veo extends only {ext.input_fps:g} fps clips."
        )
    if parent.resolution not in ext.input_resolutions:
        allowed = " or ".join(ext.input_resolutions)
        raise ValidationError(field, f"The video to extend is {parent.resolution}; Veo extends only {allowed} clips.")
    if parent.aspect_ratio not in ext.input_aspect_ratios or request.aspect_ratio != parent.aspect_ratio:
        raise ValidationError(
            "aspect_ratio",
            f"An extension keeps the video's aspect ratio ({parent.aspect_ratio}); set the aspect ratio to it.",
        )
