"""Every new request field, per model and dialect: a table of refusals (field, fragment of the one sentence)
and a table of accepted requests. The catalogue is the shipped one, so the tables are the contract's §3.3,
§4.2 and §5 as the app reads them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from veo_desktop.core.catalogue import parse_catalogue
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import ParentVideo, ValidationError, validate_request
from veo_desktop.paths import resources_dir

CAT = parse_catalogue((resources_dir() / "models.json").read_text(encoding="utf-8"))
VEO = "veo-3.1-generate-001"
FAST = "veo-3.1-fast-generate-001"
LITE = "veo-3.1-lite-generate-001"
OMNI = "gemini-omni-1.1-flash"
OMNI_12 = "gemini-omni-1.2-flash"
FRAME = FrameRef(sha256="0" * 64, mime_type="image/png", width=640, height=360, size_bytes=1000)
REF = FrameRef(sha256="1" * 64, mime_type="image/webp", width=640, height=360, size_bytes=900)
PROVIDER = {VEO: "vertex", FAST: "vertex", LITE: "vertex-project", OMNI: "gemini", OMNI_12: "gemini"}


def req(model_id: str = FAST, **changes: object) -> GenerationRequest:
    base = GenerationRequest(model_id=model_id, prompt="a lighthouse at dawn, slow dolly in")
    if model_id in (OMNI, OMNI_12):
        base = base.with_changes(enhance_prompt=True, generate_audio=True)
    return base.with_changes(**changes)


REFUSED = [
    # audio
    (OMNI, {"generate_audio": False}, "generate_audio", "always makes videos with sound"),
    # prompt rewriting
    (OMNI, {"enhance_prompt": False}, "enhance_prompt", "no switch for Google's prompt rewriting"),
    # seed: uint32, and only where the dialect takes one
    (FAST, {"seed": -1}, "seed", "from 0 to 4,294,967,295"),
    (FAST, {"seed": 2**32}, "seed", "from 0 to 4,294,967,295"),
    (FAST, {"seed": True}, "seed", "whole number"),
    # personGeneration: the provider's own enum
    (FAST, {"person_generation": "allow_all"}, "person_generation", "choose 'dont_allow', 'allow_adult' or 'allowAll'"),
    (FAST, {"person_generation": "everyone"}, "person_generation", "is not offered by Veo 3.1 Fast"),
    (OMNI, {"person_generation": "allow_adult"}, "person_generation", "no people setting"),
    # negative prompt
    (OMNI, {"negative_prompt": "text overlays"}, "negative_prompt", "takes no negative prompt"),
    # resizeMode only with a start frame, and only pad/crop
    (FAST, {"resize_mode": "crop"}, "resize_mode", "only to a start frame"),
    (FAST, {"resize_mode": "stretch", "start_frame": FRAME}, "resize_mode", "choose 'pad' or 'crop'"),
    (OMNI, {"resize_mode": "pad", "start_frame": FRAME}, "resize_mode", "has no resize mode"),
    # compressionQuality
    (FAST, {"compression_quality": "high"}, "compression_quality", "choose 'optimized' or 'lossless'"),
    (OMNI, {"compression_quality": "lossless"}, "compression_quality", "has no compression setting"),
    # reference images: 1-3, only Standard and Fast, 8 s, never with frames or extension
    (LITE, {"reference_images": (REF,)}, "reference_images", "takes no reference images"),
    (FAST, {"reference_images": (REF,) * 4}, "reference_images", "at most 3 reference images; remove 1"),
    (FAST, {"reference_images": (REF,), "start_frame": FRAME}, "reference_images", "combined with start or end"),
    (FAST, {"reference_images": (REF,), "duration_s": 4}, "duration", "must be 8 s long"),
    (VEO, {"reference_images": (REF,), "extends_job_id": "j1"}, "reference_images", "extending or refining"),
    (OMNI, {"reference_images": (REF,) * 4}, "reference_images", "at most 3"),
    # extension: only where offered, no frames, 720p/1080p
    (LITE, {"extends_job_id": "j1"}, "extends_job_id", "cannot extend a video"),
    (OMNI, {"extends_job_id": "j1"}, "extends_job_id", "cannot extend a video"),
    (FAST, {"extends_job_id": "j1", "start_frame": FRAME}, "extends_job_id", "no start or end frame"),
    (FAST, {"extends_job_id": "j1", "resolution": "4k"}, "resolution", "720p or 1080p"),
    (FAST, {"extends_job_id": "j1", "refines_job_id": "j2"}, "extends_job_id", "not both"),
    # refine: only Omni, 3-10 s per turn
    (FAST, {"refines_job_id": "j1"}, "refines_job_id", "offered by Gemini Omni Flash"),
    (OMNI, {"refines_job_id": "j1", "duration_s": 12}, "duration", "choose 3 s"),
    # sampleCount range per dialect
    (FAST, {"sample_count": 0}, "sample_count", "1 to 4 variations"),
    (FAST, {"sample_count": 5}, "sample_count", "1 to 4 variations"),
    (OMNI, {"sample_count": 2}, "sample_count", "makes 1 variation per job"),
    # resolutions and durations per dialect
    (LITE, {"resolution": "4k"}, "resolution", "does not offer 4k"),
    (FAST, {"resolution": "360p"}, "resolution", "does not offer 360p"),
    (OMNI, {"duration_s": 2}, "duration", "choose 3 s"),
    (OMNI, {"duration_s": 11}, "duration", "choose 3 s"),
    # batch name
    (FAST, {"batch": "x" * 101}, "batch", "at most 100"),
    (FAST, {"batch": "night\x00shots"}, "batch", "control character"),
]


@pytest.mark.parametrize(("model_id", "changes", "field", "fragment"), REFUSED)
def test_refusals_name_the_field(model_id: str, changes: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_request(req(model_id, **changes), CAT, provider=PROVIDER[model_id])
    assert info.value.field == field
    assert fragment in info.value.message
    message = info.value.message
    assert message.endswith(".") and message.count(". ") == 0, message  # one sentence
    assert message[0].isupper()


ACCEPTED = [
    (VEO, {"generate_audio": False, "enhance_prompt": False, "seed": 0}),
    (VEO, {"seed": 2**32 - 1, "person_generation": "allowAll"}),
    (FAST, {"person_generation": "dont_allow", "compression_quality": "lossless"}),
    (FAST, {"start_frame": FRAME, "end_frame": FRAME, "resize_mode": "crop"}),
    (FAST, {"reference_images": (REF, REF, REF), "duration_s": 8}),
    (FAST, {"resolution": "1080p", "duration_s": 4}),  # Vertex does not document the 8 s rule: not enforced
    (FAST, {"resolution": "4k", "duration_s": 6, "sample_count": 4}),
    (LITE, {"resolution": "1080p", "generate_audio": False}),
    (OMNI, {"seed": 42, "duration_s": 3, "resolution": "360p"}),
    (OMNI, {"start_frame": FRAME, "resolution": "4k", "duration_s": 10}),
    (OMNI, {"reference_images": (REF, REF, REF)}),
    (OMNI, {"refines_job_id": "j1", "duration_s": 5}),
    (OMNI_12, {"duration_s": 15}),
]


@pytest.mark.parametrize(("model_id", "changes"), ACCEPTED)
def test_accepted(model_id: str, changes: dict[str, object]) -> None:
    out = validate_request(req(model_id, **changes), CAT, provider=PROVIDER[model_id])
    for key, value in changes.items():
        assert getattr(out, key) == value


def test_retired_gemini_veo_keeps_its_own_rules() -> None:
    """The retired Gemini API dialect documented the 8 s rule for 1080p and 4k; its rules stay readable."""
    model = CAT.get("veo-3.1-generate-preview")
    assert model is not None and model.retired and model.retired_on == "2026-10-22"
    assert model.allowed_durations("1080p", "gemini-veo") == (8,)
    assert model.allowed_durations("1080p", "vertex") == (4, 6, 8)
    assert model.rules("gemini-veo").person_generation_default == "allow_all"
    assert not model.rules("gemini-veo").seed
    with pytest.raises(ValidationError, match="retired"):
        validate_request(req("veo-3.1-generate-preview"), CAT, provider="gemini-veo")


def test_extension_duration_is_its_step() -> None:
    out = validate_request(req(VEO, extends_job_id="j1", duration_s=8), CAT, provider="vertex")
    assert out.duration_s == 7


PARENT = ParentVideo(job_id="j1", model_id=VEO, provider="vertex", duration_s=8, resolution="720p", aspect_ratio="16:9")
OMNI_PARENT = ParentVideo(
    job_id="j1", model_id=OMNI, provider="gemini", duration_s=8, resolution="720p", aspect_ratio="16:9"
)
PARENT_REFUSED = [
    (VEO, {"extends_job_id": "j1"}, replace(PARENT, duration_s=31), "extends_job_id", "clips of 1 to 30 s"),
    (VEO, {"extends_job_id": "j1"}, replace(PARENT, duration_s=0.5), "extends_job_id", "clips of 1 to 30 s"),
    (VEO, {"extends_job_id": "j1"}, replace(PARENT, fps=30), "extends_job_id", "only 24 fps clips"),
    (VEO, {"extends_job_id": "j1"}, replace(PARENT, resolution="4k"), "extends_job_id", "only 720p or 1080p"),
    (VEO, {"extends_job_id": "j1"}, replace(PARENT, aspect_ratio="9:16"), "aspect_ratio", "keeps the video's"),
    (VEO, {"extends_job_id": "j1"}, OMNI_PARENT, "extends_job_id", "Only a video made by Veo"),
    (OMNI, {"refines_job_id": "j1"}, PARENT, "refines_job_id", "Only a video made by Gemini Omni Flash"),
    (
        OMNI,
        {"refines_job_id": "j1", "duration_s": 10},
        replace(OMNI_PARENT, chain_total_s=35),
        "refines_job_id",
        "45 s long",
    ),
]


@pytest.mark.parametrize(("model_id", "changes", "parent", "field", "fragment"), PARENT_REFUSED)
def test_parent_limits(
    model_id: str, changes: dict[str, object], parent: ParentVideo, field: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as info:
        validate_request(req(model_id, **changes), CAT, provider=PROVIDER[model_id], parent=parent)
    assert (info.value.field, fragment in info.value.message) == (field, True), info.value.message


def test_parent_within_limits() -> None:
    out = validate_request(req(VEO, extends_job_id="j1"), CAT, provider="vertex", parent=replace(PARENT, fps=24))
    assert out.duration_s == 7
    chain = replace(OMNI_PARENT, chain_total_s=30)
    assert validate_request(req(OMNI, refines_job_id="j1", duration_s=10), CAT, parent=chain).duration_s == 10
