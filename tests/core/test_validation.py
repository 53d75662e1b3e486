"""Validation: every bad input gets one sentence naming the field and the fix."""

from __future__ import annotations

import struct
import zlib

import pytest

from veo_desktop.core.catalogue import parse_catalogue
from veo_desktop.core.catalogue_sources import apply_user_catalogue
from veo_desktop.core.images import MAX_IMAGE_PIXELS, PILLOW_BOMB_PIXELS, check_image_dimensions
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import ValidationError, is_blank, normalise_prompt, sniff_image, validate_request
from veo_desktop.paths import resources_dir

CAT = parse_catalogue((resources_dir() / "models.json").read_text())
FAST = "veo-3.1-fast-generate-001"
FRAME = FrameRef(sha256="0" * 64, mime_type="image/png", width=640, height=360, size_bytes=1000)


def req(**kw: object) -> GenerationRequest:
    return GenerationRequest(model_id=FAST, prompt="a cat surfing").with_changes(**kw)


def png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"prompt": "   \n\t "}, "prompt", "empty"),
        ({"prompt": "x" * 5000}, "prompt", "shorten it"),
        ({"prompt": "hello\x00world"}, "prompt", "control character"),
        ({"prompt": "abc\u202egnp.exe"}, "prompt", "text-direction"),
        ({"negative_prompt": "bad\x07"}, "negative_prompt", "control character"),
        ({"aspect_ratio": "1:1"}, "aspect_ratio", "choose 16:9 or 9:16"),
        ({"duration_s": 5}, "duration", "choose 4 s, 6 s, 8 s"),
        ({"end_frame": FRAME}, "end_frame", "needs a start frame"),
        ({"model_id": "veo-9"}, "model", "not in the catalogue"),
        ({"model_id": "veo-3.0-generate-001"}, "model", "retired"),
        ({"sample_count": 5}, "sample_count", "variations"),
    ],
)
def test_bad_requests_name_the_field(changes: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_request(req(**changes), CAT)
    assert info.value.field == field
    assert fragment in info.value.message
    assert info.value.message.endswith(".")


def test_lite_has_no_4k_and_provider_mismatch() -> None:
    with pytest.raises(ValidationError, match="does not offer 4k"):
        validate_request(req(model_id="veo-3.1-lite-generate-001", resolution="4k", duration_s=8), CAT)
    with pytest.raises(ValidationError, match="not offered by the gemini provider"):
        validate_request(req(), CAT, provider="gemini")


def test_eight_second_rule_follows_the_dialect() -> None:
    """A dialect that documents the 8 s rule for high resolutions enforces it; Vertex's shipped rules do not."""
    strict_file = (
        '{"models": [{"id": "veo-strict", "based_on": "veo-3.1-fast-generate-001",'
        ' "dialects": {"vertex": {"requires_8s": ["1080p", "4k"]}}}]}'
    )
    strict = apply_user_catalogue((resources_dir() / "models.json").read_text(), strict_file, user_source="models.json")
    assert strict.warnings == ()
    with pytest.raises(ValidationError) as info:
        validate_request(req(model_id="veo-strict", resolution="1080p", duration_s=4), strict, provider="vertex")
    assert (info.value.field, info.value.message) == (
        "duration",
        "1080p videos must be 8 seconds long here; set the duration to 8 s.",
    )
    assert validate_request(req(resolution="1080p", duration_s=4), CAT, provider="vertex").duration_s == 4


def test_good_request_is_normalised() -> None:
    out = validate_request(req(prompt="  Cafe\u0301 at night 🌙\n  ", negative_prompt=" blur "), CAT, count=3)
    assert out.prompt == "Café at night 🌙"
    assert out.negative_prompt == "blur"
    with pytest.raises(ValidationError, match="Count"):
        validate_request(req(), CAT, count=0)


def test_prompt_limit_is_inclusive() -> None:
    assert len(normalise_prompt("y" * 4096, max_chars=4096)) == 4096


def test_sniff_png_and_refusals() -> None:
    assert sniff_image(png(320, 180)).mime_type == "image/png"
    for data, fragment in [
        (b"", "empty file"),
        (b"hello, not an image", "not a PNG, JPEG or WEBP"),
        (png(16, 16), "at least 64 pixels"),
        (png(320, 180)[:20], "not a PNG"),
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", 100000, 100000),
            "at most 8192 pixels on a side",
        ),
        (b"\x00" * (21 * 1024 * 1024), "at most 20 MB"),
    ]:
        with pytest.raises(ValidationError) as info:
            sniff_image(data, field="end_frame")
        assert fragment in info.value.message
        assert info.value.message.startswith("End frame")


INVISIBLE = [
    "\u200b",
    "\u200b\u200b\u200b",
    "\ufeff",
    "\u2060\u2060",
    "\u200b \ufeff \u2060",
    "\u0301",  # a lone combining acute accent
    "\u0301\u0308\u20dd",  # combining marks, enclosing circle
    "\u00a0\u3000\u2003",  # no-break, ideographic and em spaces
    "\u180e\u200c\u200d\u2061\u2062",  # Mongolian vowel separator, ZWNJ, ZWJ, invisible operators
    "\u3164\u115f\uffa0",  # Hangul fillers
    "\u2800",  # the blank Braille pattern
    "\u2028\u2029",  # line and paragraph separators
]


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_prompts_are_empty(text: str) -> None:
    assert is_blank(text)
    with pytest.raises(ValidationError) as info:
        validate_request(req(prompt=text), CAT)
    assert info.value.field == "prompt"
    assert "empty or only invisible characters" in info.value.message
    assert validate_request(req(negative_prompt=text), CAT).negative_prompt == ""


@pytest.mark.parametrize("text", ["e\u0301", "\u200bcat", "🌙", "ก่", "7", "?", "漢", "\u3164a"])
def test_visible_prompts_pass(text: str) -> None:
    assert not is_blank(text)
    assert validate_request(req(prompt=text), CAT).prompt


@pytest.mark.parametrize(
    ("width", "height", "fragment"),
    [
        (8000, 5000, "40.0 megapixels"),  # the 576-byte PNG of the bad-input campaign
        (8193, 64, "at most 8192 pixels on a side"),
        (64, 100_000, "at most 8192 pixels on a side"),
        (7681, 4320, "33.2 megapixels"),
        (63, 500, "at least 64 pixels"),
        (500, 0, "at least 64 pixels"),
    ],
)
@pytest.mark.parametrize("provider", ["vertex", "vertex-project", "gemini", None])
def test_unreasonable_dimensions(width: int, height: int, fragment: str, provider: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        check_image_dimensions(width, height, provider, field="reference_images")
    assert info.value.field == "reference_images"
    assert info.value.message.startswith("Reference image is")
    assert fragment in info.value.message


@pytest.mark.parametrize(("width", "height"), [(64, 64), (7680, 4320), (3840, 2160), (8192, 4050), (1080, 1920)])
def test_reasonable_dimensions(width: int, height: int) -> None:
    check_image_dimensions(width, height, "vertex")


def test_cap_is_below_pillows_bomb_limit() -> None:
    assert MAX_IMAGE_PIXELS < PILLOW_BOMB_PIXELS
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS == PILLOW_BOMB_PIXELS


def test_bomb_png_header_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"40\.0 megapixels"):
        sniff_image(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", 8000, 5000) + b"\x08\x02")
