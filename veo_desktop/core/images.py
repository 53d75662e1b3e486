"""Input images: recognise PNG, JPEG or WEBP by content and refuse unreasonable sizes before anything is stored.

`check_image_dimensions` is the one rule for the declared size of any input image (start and end frames,
reference images), whatever the format it came in:
- at least MIN_IMAGE_SIDE (64) pixels on each side;
- at most MAX_IMAGE_SIDE (8192) pixels on a side and MAX_IMAGE_PIXELS (33,177,600 = 8K UHD, 7680×4320)
  in all. Google documents no larger input for Veo or Omni (only 20 MB per image on Vertex), the biggest output
  is 4k (3840×2160), and the cap sits well below Pillow's decompression-bomb limit (`Image.MAX_IMAGE_PIXELS`,
  89,478,485 pixels; twice that raises), so no image that passes can make Pillow warn or fail on size.
  A 40-megapixel PNG of a few hundred bytes is refused by its header, before it is decoded.
Providers are named so a documented per-provider maximum can replace the default in `MAX_PIXELS_BY_PROVIDER`.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from veo_desktop.core.errors import AppError

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_IMAGE_SIDE = 64
MAX_IMAGE_SIDE = 8192
MAX_IMAGE_PIXELS = 7680 * 4320
PILLOW_BOMB_PIXELS = 1024 * 1024 * 1024 // 4 // 3  # PIL.Image.MAX_IMAGE_PIXELS, for reference
MAX_PIXELS_BY_PROVIDER: Mapping[str, int] = {
    "vertex": MAX_IMAGE_PIXELS,
    "vertex-project": MAX_IMAGE_PIXELS,
    "gemini": MAX_IMAGE_PIXELS,
}
_LABELS = {"start_frame": "Start frame", "end_frame": "End frame", "reference_images": "Reference image"}


class ValidationError(AppError, ValueError):
    """A request field is wrong; `field` names it and the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def image_label(field: str) -> str:
    return _LABELS.get(field, "Image")


def check_image_dimensions(width: int, height: int, provider: str | None = None, *, field: str = "start_frame") -> None:
    """Refuse an image whose declared size is too small or unreasonably large for `provider` (None: default)."""
    label = image_label(field)
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        raise ValidationError(
            field,
            f"{label} is only {width}×{height} pixels; use an image at least {MIN_IMAGE_SIDE} pixels on each side.",
        )
    max_pixels = MAX_PIXELS_BY_PROVIDER.get(provider or "", MAX_IMAGE_PIXELS)
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > max_pixels:
        raise ValidationError(
            field,
            f"{label} is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels); resize it to at most "
            f"{MAX_IMAGE_SIDE} pixels on a side and {max_pixels / 1e6:.1f} megapixels (7680×4320).",
        )


@dataclass(frozen=True, slots=True)
class ImageHeader:
    mime_type: str
    width: int
    height: int


def sniff_image(data: bytes, *, field: str = "start_frame", provider: str | None = None) -> ImageHeader:
    """Recognise PNG, JPEG or WEBP by content (never by extension) and read its declared size."""
    label = image_label(field)
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
    check_image_dimensions(header.width, header.height, provider, field=field)
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
