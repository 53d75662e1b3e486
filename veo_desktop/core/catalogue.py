"""The model catalogue: ids, capabilities and prices as data (resources/models.json), never in code.

A model is served by one or more providers (`vertex`, `vertex-project`, `gemini`, `gemini-veo`); each provider
speaks a dialect (`vertex`, `gemini`, `gemini-veo`) and the per-dialect rules (resolutions, the 8 s rule,
personGeneration, input MIME types, sample counts, extension) live in `ModelInfo.dialects`. `rules(provider)`
picks the right set; the plain attributes (`resolutions`, `requires_8s`, `max_samples`) are the first provider's.
Parsing lives in `catalogue_parse`, merging the account's listing and the user's file in `catalogue_sources`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from veo_desktop.core.errors import AppError

ASPECT_RATIOS = ("16:9", "9:16")
RESOLUTIONS = ("360p", "720p", "1080p", "4k")
STATUSES = ("current", "preview", "retired")
FAMILIES = ("veo", "omni")
AUDIO_MODES = ("switch", "always", "none")  # a switch the user sets; always on; no sound at all
DIALECT_OF_PROVIDER: Mapping[str, str] = {
    "vertex": "vertex",
    "vertex-project": "vertex",
    "gemini": "gemini",
    "gemini-veo": "gemini-veo",
}
CATALOGUE_VERSION = 2
DEFAULT_MAX_GENERATION_S = 600.0  # Google's maximum generation time for the unknown-start slot hold (contract §7)


class CatalogueError(AppError, ValueError):
    """A catalogue file is not valid; the message names the file, the model and the field."""


@dataclass(frozen=True, slots=True)
class Extension:
    """Veo video extension: what the input clip must be and how much each step adds."""

    step_s: int
    input_min_s: float
    input_max_s: float
    input_fps: float | None
    input_resolutions: tuple[str, ...]
    input_aspect_ratios: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Refine:
    """Omni's conversational edit (`previous_interaction_id`): length per turn and of the whole chain."""

    durations_s: tuple[int, ...]
    total_max_s: int


@dataclass(frozen=True, slots=True)
class OmniTokens:
    """Token pricing (contract §5): video tokens per second of output, rates in micro-USD per 1M tokens."""

    video_tokens_per_s: Mapping[str, int]
    output_micros_per_mtok: int
    input_micros_per_mtok: int
    input_tokens_per_image: int
    input_chars_per_token: int
    duration_honoured: bool  # False: the estimate assumes the model's longest duration


@dataclass(frozen=True, slots=True)
class DialectRules:
    dialect: str
    resolutions: tuple[str, ...]
    requires_8s: tuple[str, ...]  # resolutions that only allow 8 s in this dialect
    audio: str  # AUDIO_MODES
    prompt_rewriting: bool  # an enhancePrompt switch exists
    seed: bool
    negative_prompt: bool
    person_generation: tuple[str, ...]  # the provider's own enum; empty = not sent
    person_generation_default: str | None
    resize_modes: tuple[str, ...]
    compression_qualities: tuple[str, ...]
    input_mime_types: tuple[str, ...]  # what is sent as-is; other formats are converted to PNG
    sample_count_min: int
    sample_count_max: int
    extension: Extension | None

    @property
    def audio_switch(self) -> bool:
        return self.audio == "switch"

    def allowed_durations(self, durations_s: tuple[int, ...], resolution: str) -> tuple[int, ...]:
        if resolution in self.requires_8s:
            return tuple(d for d in durations_s if d == 8)
        return durations_s


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    display_name: str
    family: str  # FAMILIES
    providers: tuple[str, ...]
    status: str  # STATUSES
    retired_on: str | None  # ISO date, when known
    aspect_ratios: tuple[str, ...]
    durations_s: tuple[int, ...]
    start_frame: bool
    end_frame: bool
    reference_images_max: int  # 0: no reference images
    reference_duration_s: int | None  # the duration a job with reference images must have
    refine: Refine | None
    dialects: Mapping[str, DialectRules]
    max_generation_s: float
    typical_duration_s: float  # a prior for ETAs before any job of this model completed
    price_micros_per_s: Mapping[str, int]  # with audio (Omni: the token price of one second), by resolution
    price_silent_micros_per_s: Mapping[str, int]  # video only
    tokens: OmniTokens | None
    price_verified: bool
    status_note: str = ""
    source: str = "shipped"  # "shipped" | "user" (the user's models.json) | "account" (listed by Google only)

    @property
    def retired(self) -> bool:
        return self.status == "retired"

    @property
    def is_omni(self) -> bool:
        return self.family == "omni"

    def rules(self, provider: str | None = None) -> DialectRules:
        """The rules of `provider`'s dialect; None (or a provider without its own rules) = the first one's."""
        if provider is not None:
            own = self.dialects.get(DIALECT_OF_PROVIDER.get(provider, provider))
            if own is not None:
                return own
        for name in self.providers:
            primary = self.dialects.get(DIALECT_OF_PROVIDER.get(name, name))
            if primary is not None:
                return primary
        return next(iter(self.dialects.values()))

    @property
    def resolutions(self) -> tuple[str, ...]:
        return self.rules().resolutions

    @property
    def requires_8s(self) -> tuple[str, ...]:
        return self.rules().requires_8s

    @property
    def max_samples(self) -> int:
        return self.rules().sample_count_max

    @property
    def audio_switch(self) -> bool:
        return self.rules().audio_switch

    @property
    def extension(self) -> Extension | None:
        return self.rules().extension

    def allowed_durations(self, resolution: str, provider: str | None = None) -> tuple[int, ...]:
        return self.rules(provider).allowed_durations(self.durations_s, resolution)

    def price_table(self, generate_audio: bool, provider: str | None = None) -> Mapping[str, int]:
        """Micro-USD per second by resolution for this audio setting (a model without sound: its one table)."""
        audio = self.rules(provider).audio
        if audio == "none" or (audio == "switch" and not generate_audio):
            return self.price_silent_micros_per_s or self.price_micros_per_s
        return self.price_micros_per_s or self.price_silent_micros_per_s


@dataclass(frozen=True, slots=True)
class Catalogue:
    models: tuple[ModelInfo, ...]
    prompt_max_chars: int
    version: int = CATALOGUE_VERSION
    warnings: tuple[str, ...] = field(default=())  # sentences for the UI/CLI, e.g. a user file that was ignored

    def get(self, model_id: str) -> ModelInfo | None:
        for model in self.models:
            if model.id == model_id:
                return model
        return None

    def for_provider(self, provider: str, *, include_retired: bool = True) -> tuple[ModelInfo, ...]:
        return tuple(m for m in self.models if provider in m.providers and (include_retired or not m.retired))

    def default_model(self, provider: str) -> ModelInfo:
        """The provider's first current fast model, else its first current one, else its first preview."""
        live = self.for_provider(provider, include_retired=False)
        if not live:
            raise LookupError(f"The catalogue has no live model for the {provider} provider.")
        current = [m for m in live if m.status == "current"] or list(live)
        fast = [m for m in current if "fast" in m.id]
        return fast[0] if fast else current[0]


def parse_catalogue(text: str, *, source: str = "resources/models.json") -> Catalogue:
    """The catalogue in `text`; CatalogueError (one sentence naming `source`) when it is not valid."""
    from veo_desktop.core.catalogue_parse import parse_document

    return parse_document(text, source=source)
