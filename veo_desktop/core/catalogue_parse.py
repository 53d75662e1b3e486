"""Reading a catalogue document (resources/models.json or the user's models.json) into `Catalogue` values.

Every problem becomes one `CatalogueError` sentence that names the file, the model and the field, and says
what to do. Missing optional fields take conservative defaults (no switch, no seed, one video per job).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from veo_desktop.core.catalogue import (
    AUDIO_MODES,
    CATALOGUE_VERSION,
    DEFAULT_MAX_GENERATION_S,
    DIALECT_OF_PROVIDER,
    FAMILIES,
    STATUSES,
    Catalogue,
    CatalogueError,
    DialectRules,
    Extension,
    ModelInfo,
    OmniTokens,
    Refine,
)
from veo_desktop.core.money import usd_to_micros


class _Fields:
    """Typed access to one JSON object; failures name the file, the model and the field."""

    def __init__(self, raw: Any, source: str, where: str) -> None:
        if not isinstance(raw, dict):
            raise CatalogueError(f"The model catalogue {source} is not valid: {where} must be an object; fix it.")
        self.raw: dict[str, Any] = raw
        self.source = source
        self.where = where

    def fail(self, key: str, expected: str) -> CatalogueError:
        return CatalogueError(
            f"The model catalogue {self.source} is not valid: {self.where} field {key!r} must be {expected}; fix it."
        )

    def has(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(key, "a non-empty string")
        return value

    def optional_text(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.text(key)

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value

    def number(self, key: str, default: float | None = None, *, minimum: float = 0) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(key, f"a number of at least {minimum:g}")
        return float(value)

    def integer(self, key: str, default: int | None = None, *, minimum: int = 0) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"a whole number of at least {minimum}")
        return value

    def texts(
        self, key: str, default: tuple[str, ...] | None = None, *, allowed: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        value = self.raw.get(key, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "a list of strings")
        if allowed and any(v not in allowed for v in value):
            raise self.fail(key, "a list of " + ", ".join(allowed))
        return tuple(value)

    def integers(self, key: str) -> tuple[int, ...]:
        value = self.raw.get(key)
        if not isinstance(value, list) or not value or not all(type(v) is int and v > 0 for v in value):
            raise self.fail(key, "a non-empty list of whole numbers of seconds")
        return tuple(value)

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if value not in allowed:
            raise self.fail(key, "one of " + ", ".join(allowed))
        return str(value)

    def sub(self, key: str) -> _Fields | None:
        value = self.raw.get(key)
        return None if value is None else _Fields(value, self.source, f"{self.where} {key!r}")

    def prices(self, key: str) -> dict[str, int]:
        value = self.raw.get(key) or {}
        if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value.values()
        ):
            raise self.fail(key, "an object of resolution to US dollars per second")
        return {str(k): usd_to_micros(v) for k, v in value.items()}


def parse_document(text: str, *, source: str) -> Catalogue:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CatalogueError(f"The model catalogue {source} is not valid JSON ({exc}); fix or remove it.") from None
    top = _Fields(data, source, "the top level")
    version = top.integer("version", CATALOGUE_VERSION, minimum=1)
    if version > CATALOGUE_VERSION:
        raise CatalogueError(
            f"The model catalogue {source} has version {version}, newer than this app reads "
            f"({CATALOGUE_VERSION}); update the app or remove the file."
        )
    default_max_s = top.number("default_max_generation_s", DEFAULT_MAX_GENERATION_S, minimum=1)
    raw_models = data.get("models")
    if not isinstance(raw_models, list):
        raise top.fail("models", "a list of models")
    models = tuple(parse_model(raw, source=source, default_max_generation_s=default_max_s) for raw in raw_models)
    seen: set[str] = set()
    for model in models:
        if model.id in seen:
            raise CatalogueError(f"The model catalogue {source} lists {model.id!r} twice; keep one entry.")
        seen.add(model.id)
    return Catalogue(models=models, prompt_max_chars=top.integer("prompt_max_chars", 4096, minimum=1), version=version)


def parse_model(
    raw: Any, *, source: str, default_max_generation_s: float = DEFAULT_MAX_GENERATION_S, origin: str = "shipped"
) -> ModelInfo:
    where = f"model {raw.get('id')!r}" if isinstance(raw, dict) and isinstance(raw.get("id"), str) else "a model"
    f = _Fields(raw, source, where)
    model_id = f.text("id")
    providers = f.texts("providers", allowed=tuple(DIALECT_OF_PROVIDER))
    if not providers:
        raise f.fail("providers", "a non-empty list of providers")
    dialects = _dialects(f, providers)
    family = f.choice("family", FAMILIES, "omni" if model_id.startswith("gemini-omni") else "veo")
    tokens = _tokens(f.sub("tokens"))
    if family == "omni" and tokens is None:
        raise f.fail("tokens", "the token prices of an Omni model")
    audio_prices, silent_prices = (_token_price_per_s(tokens), {}) if tokens is not None else _veo_prices(f)
    refs = f.sub("reference_images")
    status = f.choice("status", STATUSES, "current")
    return ModelInfo(
        id=model_id,
        display_name=f.text("display_name", model_id),
        family=family,
        providers=providers,
        status=status,
        retired_on=f.optional_text("retired_on"),
        aspect_ratios=f.texts("aspect_ratios"),
        durations_s=f.integers("durations_s"),
        start_frame=f.flag("start_frame", False),
        end_frame=f.flag("end_frame", False),
        reference_images_max=0 if refs is None else refs.integer("max", 0),
        reference_duration_s=None if refs is None or not refs.has("duration_s") else refs.integer("duration_s"),
        refine=_refine(f.sub("refine")),
        dialects=dialects,
        max_generation_s=f.number("max_generation_s", default_max_generation_s, minimum=1),
        typical_duration_s=f.number("typical_duration_s", 90, minimum=1),
        price_micros_per_s=audio_prices,
        price_silent_micros_per_s=silent_prices,
        tokens=tokens,
        price_verified=f.flag("price_verified", origin == "shipped"),
        status_note=str(raw.get("status_note") or ""),
        source=str(raw.get("source") or origin),
    )


def _veo_prices(f: _Fields) -> tuple[dict[str, int], dict[str, int]]:
    block = f.sub("price_usd_per_s")
    audio = {} if block is None else block.prices("audio")
    silent = {} if block is None else block.prices("silent")
    if not audio and not silent:
        raise f.fail("price_usd_per_s", "an object with 'audio' and/or 'silent' prices per resolution")
    return audio, silent


def _dialects(f: _Fields, providers: tuple[str, ...]) -> Mapping[str, DialectRules]:
    block = f.sub("dialects")
    if block is None:
        raise f.fail("dialects", "an object of rules per dialect (vertex, gemini, gemini-veo)")
    rules = {
        name: _rules(name, _Fields(raw, f.source, f"{f.where} dialect {name!r}")) for name, raw in block.raw.items()
    }
    for provider in providers:
        if DIALECT_OF_PROVIDER[provider] not in rules:
            raise f.fail("dialects", f"an object with the rules of the {DIALECT_OF_PROVIDER[provider]!r} dialect")
    return rules


def _rules(name: str, d: _Fields) -> DialectRules:
    if name not in set(DIALECT_OF_PROVIDER.values()):
        raise CatalogueError(
            f"The model catalogue {d.source} is not valid: {d.where} is not a known dialect; remove it."
        )
    people = d.sub("person_generation")
    samples = d.sub("sample_count")
    values = () if people is None else people.texts("values", ())
    default = None if people is None else people.optional_text("default")
    if default is not None and default not in values:
        raise d.fail("person_generation", "an object whose default is one of its values")
    low = 1 if samples is None else samples.integer("min", 1, minimum=1)
    high = 1 if samples is None else samples.integer("max", 1, minimum=low)
    resolutions = d.texts("resolutions")
    return DialectRules(
        dialect=name,
        resolutions=resolutions,
        requires_8s=d.texts("requires_8s", (), allowed=resolutions),
        audio=d.choice("audio", AUDIO_MODES, "always"),
        prompt_rewriting=d.flag("prompt_rewriting", False),
        seed=d.flag("seed", False),
        negative_prompt=d.flag("negative_prompt", False),
        person_generation=values,
        person_generation_default=default,
        resize_modes=d.texts("resize_modes", ()),
        compression_qualities=d.texts("compression_qualities", ()),
        input_mime_types=d.texts("input_mime_types", ("image/png", "image/jpeg")),
        sample_count_min=low,
        sample_count_max=high,
        extension=_extension(d.sub("extension")),
    )


def _extension(e: _Fields | None) -> Extension | None:
    if e is None:
        return None
    return Extension(
        step_s=e.integer("step_s", minimum=1),
        input_min_s=e.number("input_min_s", 0),
        input_max_s=e.number("input_max_s", minimum=1),
        input_fps=e.number("input_fps", minimum=1) if e.has("input_fps") else None,
        input_resolutions=e.texts("input_resolutions"),
        input_aspect_ratios=e.texts("input_aspect_ratios"),
    )


def _refine(r: _Fields | None) -> Refine | None:
    if r is None:
        return None
    return Refine(durations_s=r.integers("durations_s"), total_max_s=r.integer("total_max_s", minimum=1))


def _tokens(t: _Fields | None) -> OmniTokens | None:
    if t is None:
        return None
    per_s = t.sub("video_tokens_per_s")
    if per_s is None or not per_s.raw:
        raise t.fail("video_tokens_per_s", "an object of resolution to tokens per second")
    return OmniTokens(
        video_tokens_per_s={k: per_s.integer(k, minimum=1) for k in per_s.raw},
        output_micros_per_mtok=usd_to_micros(t.number("output_usd_per_million")),
        input_micros_per_mtok=usd_to_micros(t.number("input_usd_per_million")),
        input_tokens_per_image=t.integer("input_tokens_per_image", 2000),
        input_chars_per_token=t.integer("input_chars_per_token", 4, minimum=1),
        duration_honoured=t.flag("duration_honoured", False),
    )


def _token_price_per_s(tokens: OmniTokens) -> dict[str, int]:
    """What one second of output costs at each resolution, for display and quotes."""
    return {res: -(-n * tokens.output_micros_per_mtok // 1_000_000) for res, n in tokens.video_tokens_per_s.items()}
