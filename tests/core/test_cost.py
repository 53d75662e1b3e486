"""Prices per model × audio × resolution × duration × variations; Omni's estimate and reconciliation; the
refund of filtered variations. Expected figures are the contract's price sheet (§5) worked by hand."""

from __future__ import annotations

import pytest

from veo_desktop.core.catalogue import ModelInfo, parse_catalogue
from veo_desktop.core.cost import (
    filtered_refund_micros,
    omni_actual_micros,
    omni_estimate_micros,
    omni_video_tokens,
    reconcile_omni,
    request_cost_micros,
    veo_price_micros_per_s,
)
from veo_desktop.core.money import usd_to_micros
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.paths import resources_dir

CAT = parse_catalogue((resources_dir() / "models.json").read_text(encoding="utf-8"))
FRAME = FrameRef(sha256="0" * 64, mime_type="image/png", width=640, height=360, size_bytes=1000)


def model(model_id: str) -> ModelInfo:
    found = CAT.get(model_id)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("model_id", "audio", "resolution", "usd_per_s"),
    [
        ("veo-3.1-generate-001", True, "720p", "0.40"),
        ("veo-3.1-generate-001", True, "1080p", "0.40"),
        ("veo-3.1-generate-001", True, "4k", "0.60"),
        ("veo-3.1-generate-001", False, "720p", "0.20"),
        ("veo-3.1-generate-001", False, "1080p", "0.20"),
        ("veo-3.1-generate-001", False, "4k", "0.40"),
        ("veo-3.1-fast-generate-001", True, "720p", "0.10"),
        ("veo-3.1-fast-generate-001", True, "1080p", "0.12"),
        ("veo-3.1-fast-generate-001", True, "4k", "0.30"),
        ("veo-3.1-fast-generate-001", False, "720p", "0.08"),
        ("veo-3.1-fast-generate-001", False, "1080p", "0.10"),
        ("veo-3.1-fast-generate-001", False, "4k", "0.25"),
        ("veo-3.1-lite-generate-001", True, "720p", "0.05"),
        ("veo-3.1-lite-generate-001", True, "1080p", "0.08"),
        ("veo-3.1-lite-generate-001", False, "720p", "0.03"),
        ("veo-3.1-lite-generate-001", False, "1080p", "0.05"),
        ("veo-3.0-generate-001", True, "1080p", "0.40"),
        ("veo-3.0-fast-generate-001", False, "1080p", "0.10"),
        ("veo-2.0-generate-001", True, "720p", "0.50"),  # no sound at all: its one table
        ("veo-2.0-generate-001", False, "720p", "0.50"),
    ],
)
def test_price_sheet(model_id: str, audio: bool, resolution: str, usd_per_s: str) -> None:
    assert veo_price_micros_per_s(model(model_id), resolution, audio) == usd_to_micros(usd_per_s)


@pytest.mark.parametrize(
    ("model_id", "audio", "resolution", "duration_s", "samples", "usd"),
    [
        ("veo-3.1-generate-001", True, "720p", 8, 1, "3.20"),
        ("veo-3.1-generate-001", False, "4k", 8, 2, "6.40"),
        ("veo-3.1-generate-001", False, "720p", 4, 4, "3.20"),
        ("veo-3.1-fast-generate-001", True, "1080p", 6, 1, "0.72"),
        ("veo-3.1-fast-generate-001", False, "1080p", 6, 3, "1.80"),
        ("veo-3.1-fast-generate-001", True, "4k", 8, 4, "9.60"),
        ("veo-3.1-lite-generate-001", True, "1080p", 4, 4, "1.28"),
        ("veo-3.1-lite-generate-001", False, "720p", 8, 1, "0.24"),
    ],
)
def test_request_cost(model_id: str, audio: bool, resolution: str, duration_s: int, samples: int, usd: str) -> None:
    request = GenerationRequest(
        model_id=model_id,
        prompt="a fox",
        resolution=resolution,
        duration_s=duration_s,
        sample_count=samples,
        generate_audio=audio,
    )
    assert request_cost_micros(model(model_id), request) == usd_to_micros(usd)


def test_no_price_is_one_sentence() -> None:
    with pytest.raises(ValueError, match=r"has no price for 4k with audio; choose another setting\.$"):
        veo_price_micros_per_s(model("veo-3.1-lite-generate-001"), "4k", True)


@pytest.mark.parametrize(
    ("resolution", "tokens_per_s", "usd_per_s"),
    [("360p", 1931, "0.033793"), ("720p", 5792, "0.10136"), ("1080p", 8688, "0.15204"), ("4k", 17376, "0.30408")],
)
def test_omni_rates(resolution: str, tokens_per_s: int, usd_per_s: str) -> None:
    omni = model("gemini-omni-1.1-flash")
    assert omni_video_tokens(omni, resolution, 1) == tokens_per_s
    assert omni.price_micros_per_s[resolution] == usd_to_micros(usd_per_s)
    assert not omni.price_verified


@pytest.mark.parametrize(
    ("model_id", "resolution", "duration_s", "chars", "images", "parent_tokens", "micros"),
    [
        # duration not honoured: the model's longest (10 s for 1.1, 15 s for 1.2) × tokens/s × $17.50/M
        ("gemini-omni-1.1-flash", "720p", 5, 40, 1, 0, 57_920 * 17.5 + (10 + 2_000) * 1.5),
        ("gemini-omni-1.1-flash", "720p", 10, 0, 0, 0, 57_920 * 17.5),
        ("gemini-omni-1.1-flash", "360p", 3, 4, 3, 0, 19_310 * 17.5 + (1 + 6_000) * 1.5),
        ("gemini-omni-1.2-flash", "1080p", 8, 400, 0, 0, 130_320 * 17.5 + 100 * 1.5),
        # an edit: the result it refines is input too
        ("gemini-omni-1.1-flash", "720p", 6, 8, 0, 46_336, 57_920 * 17.5 + (2 + 46_336) * 1.5),
    ],
)
def test_omni_estimate_is_the_upper_bound(
    model_id: str, resolution: str, duration_s: int, chars: int, images: int, parent_tokens: int, micros: float
) -> None:
    got = omni_estimate_micros(
        model(model_id),
        resolution=resolution,
        duration_s=duration_s,
        prompt_chars=chars,
        image_count=images,
        parent_video_tokens=parent_tokens,
    )
    assert got == -(-int(micros * 2) // 2)  # the exact figure, rounded up to a whole micro-dollar


def test_omni_request_cost_counts_prompt_and_images() -> None:
    omni = model("gemini-omni-1.1-flash")
    request = GenerationRequest(model_id=omni.id, prompt="x" * 40, duration_s=5, start_frame=FRAME)
    assert request_cost_micros(omni, request) == omni_estimate_micros(
        omni, resolution="720p", duration_s=5, prompt_chars=40, image_count=1
    )
    bigger = request.with_changes(resolution="4k")
    assert request_cost_micros(omni, bigger) > request_cost_micros(omni, request)


@pytest.mark.parametrize(
    ("estimate", "inputs", "video", "other", "actual", "refund", "exceeded"),
    [
        # the contract's example usage: 12 input, 46,336 video, 300 thought tokens
        (1_016_615, 12, 46_336, 300, 816_148, 1_016_615 - 816_148, False),
        (816_148, 12, 46_336, 300, 816_148, 0, False),
        (500_000, 12, 46_336, 300, 816_148, 0, True),  # keep the charge, show Google's figure
        (1_000_000, 0, 0, 0, 0, 1_000_000, False),
    ],
)
def test_omni_reconcile(
    estimate: int, inputs: int, video: int, other: int, actual: int, refund: int, exceeded: bool
) -> None:
    omni = model("gemini-omni-1.1-flash")
    assert omni_actual_micros(omni, input_tokens=inputs, video_tokens=video, other_output_tokens=other) == actual
    result = reconcile_omni(omni, estimate, input_tokens=inputs, video_tokens=video, other_output_tokens=other)
    assert (result.actual_micros, result.refund_micros, result.exceeded) == (actual, refund, exceeded)


def test_reconcile_needs_an_omni_model() -> None:
    with pytest.raises(ValueError, match="not priced by tokens"):
        reconcile_omni(model("veo-3.1-generate-001"), 1, input_tokens=1, video_tokens=1)


@pytest.mark.parametrize(
    ("charge", "requested", "delivered", "refund"),
    [
        (3_200_000, 4, 3, 800_000),
        (3_200_000, 4, 1, 2_400_000),
        (3_200_000, 4, 0, 3_200_000),
        (3_200_000, 4, 4, 0),
        (3_200_000, 4, 5, 0),  # more videos than asked: nothing back
        (1_000_000, 3, 1, 666_666),  # rounded down: never more than the charge's share
        (1_000_000, 1, 0, 1_000_000),
        (1_000_000, 1, 1, 0),
        (0, 2, 1, 0),
    ],
)
def test_filtered_share_refund(charge: int, requested: int, delivered: int, refund: int) -> None:
    assert filtered_refund_micros(charge, requested, delivered) == refund


def test_filtered_refund_needs_a_requested_count() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        filtered_refund_micros(1_000, 0, 0)
