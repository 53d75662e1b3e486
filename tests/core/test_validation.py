"""Validation: every bad input gets one sentence naming the field and the fix."""

from __future__ import annotations

import struct
import zlib

import pytest

from veo_desktop.core.catalogue import parse_catalogue
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import ValidationError, normalise_prompt, sniff_image, validate_request
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
        ({"resolution": "1080p", "duration_s": 4}, "duration", "8 seconds"),
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
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", 100000, 100000), "at most 8192"),
        (b"\x00" * (21 * 1024 * 1024), "at most 20 MB"),
    ]:
        with pytest.raises(ValidationError) as info:
            sniff_image(data, field="end_frame")
        assert fragment in info.value.message
        assert info.value.message.startswith("End frame")
