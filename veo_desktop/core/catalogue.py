"""The model catalogue: ids, constraints and prices as data (resources/models.json), never in code."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veo_desktop.core.money import usd_to_micros

ASPECT_RATIOS = ("16:9", "9:16")
RESOLUTIONS = ("720p", "1080p", "4k")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    display_name: str
    providers: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    durations_s: tuple[int, ...]
    resolutions: tuple[str, ...]
    requires_8s: tuple[str, ...]  # resolutions that only allow 8 s
    start_frame: bool
    end_frame: bool
    max_samples: int
    price_micros_per_s: Mapping[str, int]  # resolution -> micro-USD per second
    typical_duration_s: float  # a prior for ETAs before any job of this model completed
    retired: bool

    def allowed_durations(self, resolution: str) -> tuple[int, ...]:
        if resolution in self.requires_8s:
            return tuple(d for d in self.durations_s if d == 8)
        return self.durations_s


@dataclass(frozen=True, slots=True)
class Catalogue:
    models: tuple[ModelInfo, ...]
    prompt_max_chars: int

    def get(self, model_id: str) -> ModelInfo | None:
        for model in self.models:
            if model.id == model_id:
                return model
        return None

    def for_provider(self, provider: str, *, include_retired: bool = True) -> tuple[ModelInfo, ...]:
        return tuple(m for m in self.models if provider in m.providers and (include_retired or not m.retired))

    def default_model(self, provider: str) -> ModelInfo:
        live = self.for_provider(provider, include_retired=False)
        if not live:
            raise LookupError(f"The catalogue has no live model for the {provider} provider.")
        fast = [m for m in live if "fast" in m.id]
        return fast[0] if fast else live[0]


def parse_catalogue(text: str) -> Catalogue:
    data = json.loads(text)
    return Catalogue(
        models=tuple(_parse_model(m) for m in data["models"]),
        prompt_max_chars=int(data.get("prompt_max_chars", 4096)),
    )


def _parse_model(raw: dict[str, Any]) -> ModelInfo:
    return ModelInfo(
        id=str(raw["id"]),
        display_name=str(raw["display_name"]),
        providers=tuple(raw["providers"]),
        aspect_ratios=tuple(raw["aspect_ratios"]),
        durations_s=tuple(int(d) for d in raw["durations_s"]),
        resolutions=tuple(raw["resolutions"]),
        requires_8s=tuple(raw.get("requires_8s", ())),
        start_frame=bool(raw.get("start_frame", True)),
        end_frame=bool(raw.get("end_frame", True)),
        max_samples=int(raw.get("max_samples", 1)),
        price_micros_per_s={k: usd_to_micros(v) for k, v in raw["price_usd_per_s"].items()},
        typical_duration_s=float(raw.get("typical_duration_s", 90)),
        retired=bool(raw.get("retired", False)),
    )
