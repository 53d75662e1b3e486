"""Cost of a request: price per second for (model, resolution) × duration × videos, from the catalogue."""

from __future__ import annotations

from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.core.request import GenerationRequest


def request_cost_micros(model: ModelInfo, request: GenerationRequest) -> int:
    """Estimated cost of one job (one operation) in micro-USD."""
    per_s = model.price_micros_per_s.get(request.resolution)
    if per_s is None:
        raise ValueError(f"{model.display_name} has no price for {request.resolution}.")
    return per_s * request.duration_s * max(1, request.sample_count)


def batch_cost_micros(model: ModelInfo, request: GenerationRequest, count: int) -> int:
    return request_cost_micros(model, request) * count
