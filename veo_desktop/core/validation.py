"""Validation before anything is stored or charged.

Every failure is one sentence that names the field and says how to fix it. The same functions serve the
GUI, the CLI and the bad-input campaign, so a message reads the same everywhere.
"""

from __future__ import annotations

import struct
import unicodedata
from dataclasses import dataclass

from veo_desktop.core.catalogue import Catalogue, ModelInfo
from veo_desktop.core.request import GenerationRequest

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_IMAGE_SIDE = 64
MAX_IMAGE_SIDE = 8192
MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused by its declared size, before decoding
MAX_COUNT = 50
_ALLOWED_CONTROLS = {"\n", "\t"}
# Bidirectional overrides and isolates can make a prompt read differently from what is sent.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class ValidationError(ValueError):
    """A request field is wrong; `field` names it and the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_prompt(text: str, *, field: str = "prompt", max_chars: int, required: bool = True) -> str:
    """NFC-normalise and trim a prompt; refuse empty, too long, or control characters."""
    label = "Prompt" if field == "prompt" else "Negative prompt"
    text = unicodedata.normalize("NFC", text).strip()
    if required and not text:
        raise ValidationError(field, f"{label} is empty: describe the video you want.")
    for ch in text:
        if ch in _BIDI_CONTROLS:
            raise ValidationError(
                field, f"{label} contains invisible text-direction characters (U+{ord(ch):04X}); remove them."
            )
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValidationError(
                field, f"{label} contains a control character (U+{ord(ch):04X}); remove it and try again."
            )
    if len(text) > max_chars:
        raise ValidationError(
            field,
            f"{label} is {len(text):,} characters long; shorten it to at most {max_chars:,} (about 1,024 tokens).",
        )
    return text


def validate_request(
    request: GenerationRequest, catalogue: Catalogue, *, provider: str | None = None, count: int = 1
) -> GenerationRequest:
    """Return the request with its prompts normalised, or raise ValidationError for the first bad field."""
    model = catalogue.get(request.model_id)
    if model is None:
        raise ValidationError(
            "model", f"Model {request.model_id!r} is not in the catalogue; choose one from the model list."
        )
    if model.retired:
        raise ValidationError(
            "model", f"{model.display_name} has been retired by Google; choose a current Veo 3.1 model."
        )
    if provider is not None and provider not in model.providers:
        raise ValidationError(
            "model",
            f"{model.display_name} is not offered by the {provider} provider; choose a model listed for it.",
        )
    prompt = normalise_prompt(request.prompt, max_chars=catalogue.prompt_max_chars)
    negative = normalise_prompt(
        request.negative_prompt, field="negative_prompt", max_chars=catalogue.prompt_max_chars, required=False
    )
    _check_settings(model, request)
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError("count", f"Count must be between 1 and {MAX_COUNT}; change the number of videos.")
    return request.with_changes(prompt=prompt, negative_prompt=negative)


def _check_settings(model: ModelInfo, request: GenerationRequest) -> None:
    name = model.display_name
    if request.aspect_ratio not in model.aspect_ratios:
        allowed = " or ".join(model.aspect_ratios)
        raise ValidationError("aspect_ratio", f"{name} does not offer {request.aspect_ratio}; choose {allowed}.")
    if request.resolution not in model.resolutions:
        allowed = ", ".join(model.resolutions)
        raise ValidationError("resolution", f"{name} does not offer {request.resolution}; choose {allowed}.")
    if request.duration_s not in model.durations_s:
        allowed = ", ".join(f"{d} s" for d in model.durations_s)
        raise ValidationError("duration", f"{name} cannot make {request.duration_s} s videos; choose {allowed}.")
    if request.duration_s not in model.allowed_durations(request.resolution):
        raise ValidationError(
            "duration", f"{request.resolution} videos must be 8 seconds long; set the duration to 8 s."
        )
    if request.end_frame is not None and request.start_frame is None:
        raise ValidationError(
            "end_frame", "An end frame needs a start frame; add a start frame or clear the end frame."
        )
    if request.start_frame is not None and not model.start_frame:
        raise ValidationError("start_frame", f"{name} does not accept a start frame; clear it or choose another model.")
    if request.end_frame is not None and not model.end_frame:
        raise ValidationError("end_frame", f"{name} does not accept an end frame; clear it or choose another model.")
    if not 1 <= request.sample_count <= model.max_samples:
        raise ValidationError(
            "sample_count",
            f"{name} makes 1 to {model.max_samples} variations per job here; change the number of variations.",
        )


@dataclass(frozen=True, slots=True)
class ImageHeader:
    mime_type: str
    width: int
    height: int


def sniff_image(data: bytes, *, field: str = "start_frame") -> ImageHeader:
    """Recognise PNG, JPEG or WEBP by content (never by extension) and read its declared size."""
    label = "Start frame" if field == "start_frame" else "End frame"
    if not data:
        raise ValidationError(field, f"{label} is an empty file; choose a PNG, JPEG or WEBP image.")
    if len(data) > MAX_IMAGE_BYTES:
        mb = len(data) / 1024 / 1024
        raise ValidationError(field, f"{label} is {mb:.1f} MB; use an image of at most 20 MB.")
    try:
        header = _read_header(data)
    except (struct.error, IndexError, ValueError):
        header = None
    if header is None:
        raise ValidationError(
            field, f"{label} is not a PNG, JPEG or WEBP image (or it is damaged); choose another file."
        )
    w, h = header.width, header.height
    if w < MIN_IMAGE_SIDE or h < MIN_IMAGE_SIDE:
        raise ValidationError(
            field,
            f"{label} is only {w}×{h} pixels; use an image at least {MIN_IMAGE_SIDE} pixels on each side.",
        )
    if w > MAX_IMAGE_SIDE or h > MAX_IMAGE_SIDE or w * h > MAX_IMAGE_PIXELS:
        raise ValidationError(
            field, f"{label} is {w}×{h} pixels; use an image at most {MAX_IMAGE_SIDE} pixels on each side."
        )
    return header


def _read_header(data: bytes) -> ImageHeader | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
        return ImageHeader("image/png", w, h)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg_header(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_header(data)
    return None


def _jpeg_header(data: bytes) -> ImageHeader | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return ImageHeader("image/jpeg", w, h)
        i += 2 + length
    return None


def _webp_header(data: bytes) -> ImageHeader | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        w, h = struct.unpack("<HH", data[26:30])
        return ImageHeader("image/webp", w & 0x3FFF, h & 0x3FFF)
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return ImageHeader("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return ImageHeader("image/webp", w, h)
    return None
