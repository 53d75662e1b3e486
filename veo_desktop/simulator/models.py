"""What Google serves, from the model table of docs/veo-api.md §5: the simulator's own truth,
independent of the app's catalogue (resources/models.json), so a catalogue that is wrong or behind shows up
as the real server's refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["vertex", "omni"]


@dataclass(frozen=True, slots=True)
class SimModel:
    id: str
    family: Family
    display_name: str
    launch_stage: str  # GA | PUBLIC_PREVIEW
    resolutions: tuple[str, ...]
    durations_s: tuple[int, ...]
    max_samples: int
    reference_images: bool
    extension: bool
    needs_switch: str | None = None  # served only while this switch is "on"


VERTEX_RESOLUTIONS_4K = ("720p", "1080p", "4k")

MODELS: dict[str, SimModel] = {
    m.id: m
    for m in (
        SimModel("veo-3.1-generate-001", "vertex", "Veo 3.1", "GA", VERTEX_RESOLUTIONS_4K, (4, 6, 8), 4, True, True),
        SimModel("veo-3.1-fast-generate-001", "vertex", "Veo 3.1 Fast", "GA", VERTEX_RESOLUTIONS_4K, (4, 6, 8), 4,
                 True, True),
        SimModel("veo-3.1-lite-generate-001", "vertex", "Veo 3.1 Lite", "PUBLIC_PREVIEW", ("720p", "1080p"),
                 (4, 6, 8), 4, False, False),
        SimModel("gemini-omni-1.1-flash", "omni", "Gemini Omni 1.1 Flash", "GA", ("360p", "720p", "1080p", "4k"),
                 tuple(range(3, 11)), 1, True, True),
        SimModel("gemini-omni-1.2-flash", "omni", "Gemini Omni 1.2 Flash", "GA", ("360p", "720p", "1080p", "4k"),
                 tuple(range(3, 16)), 1, True, True, needs_switch="omni_1_2"),
    )
}  # fmt: skip

# Omni ids that answered once and are shut down now: a create answers 404 "... is no longer available" (so
# does every Veo id on the Gemini API). Vertex answers a retired id with the same 404 as an unknown one
# ("not found or your project does not have access"), so it needs no list: only MODELS are served.
RETIRED: dict[Family, frozenset[str]] = {"omni": frozenset({"gemini-omni-flash-preview"})}

# Omni output tokens per second of video (§5; 720p matches Vertex's usage example).
OMNI_TOKENS_PER_S = {"360p": 1931, "720p": 5792, "1080p": 8688, "4k": 17376}


def served(model_id: str, family: Family, switches: dict[str, str]) -> SimModel | None:
    model = MODELS.get(model_id)
    if model is None or model.family != family:
        return None
    if model.needs_switch is not None and switches.get(model.needs_switch) != "on":
        return None
    return model


def listed(family: Family, switches: dict[str, str]) -> list[SimModel]:
    return [m for m in MODELS.values() if served(m.id, family, switches) is not None]
