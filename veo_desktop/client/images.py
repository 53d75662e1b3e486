"""Input images in the form a dialect accepts, read and encoded in a worker thread.

Vertex AI takes `image/png` and `image/jpeg` only (veo-api.md §3.3); the Interactions API also takes WEBP, HEIC
and HEIF (§4.2). Anything else that Pillow reads (WEBP for Vertex, GIF, BMP, TIFF, HEIC where a plugin reads
it) is converted to PNG (the first frame of an animation, with its transparency kept), then the size limit is
checked on what is sent. The original file is never changed: it stays in the job's provenance.

Blocking (file reads, decoding, base64): call `wire_image` through `asyncio.to_thread`.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from veo_desktop.client.base import FrameData
from veo_desktop.core.errors import PermanentError

__all__ = [
    "MAX_IMAGE_BYTES",
    "OMNI_MIME_TYPES",
    "VERTEX_MIME_TYPES",
    "WireImage",
    "read_video",
    "wire_image",
]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 64_000_000  # far above any camera frame; a decompression bomb is refused, not decoded
VERTEX_MIME_TYPES = frozenset({"image/png", "image/jpeg"})
OMNI_MIME_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"})

_FORMAT_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "HEIF": "image/heif"}


@dataclass(frozen=True, slots=True)
class WireImage:
    mime_type: str
    base64_data: str


def _sniff_mime(data: bytes, declared: str) -> str:
    """The real type from the first bytes (a `.png` that is a WEBP is a WEBP); else the declared type."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image/heic" if data[8:12] in (b"heic", b"heix") else "image/heif"
    return declared.lower()


def _to_png(data: bytes, *, what: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PermanentError(f"The {what} is too large ({image.width}×{image.height} pixels).")
                image.seek(0)
                frame = image.convert("RGBA" if _has_alpha(image) else "RGB")
        out = io.BytesIO()
        frame.save(out, format="PNG")
        return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Warning) as exc:
        raise PermanentError(
            f"The {what} is not an image this app can read ({type(exc).__name__}); use a PNG or JPEG file."
        ) from exc


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def wire_image(frame: FrameData, *, what: str, accepted: frozenset[str]) -> WireImage:
    """The image as sent: as-is when its type is in `accepted`, else converted to PNG; then ≤ 20 MB."""
    try:
        data = frame.path.read_bytes()
    except OSError as exc:
        raise PermanentError(f"The {what} could not be read ({exc.strerror or exc}).") from exc
    mime = _sniff_mime(data, frame.mime_type)
    if mime not in accepted:
        data, mime = _to_png(data, what=what), "image/png"
    if len(data) > MAX_IMAGE_BYTES:
        raise PermanentError(
            f"The {what} is {len(data) / 1e6:.1f} MB as sent; Google accepts images up to "
            f"{MAX_IMAGE_BYTES // 2**20} MB. Use a smaller or more compressed image."
        )
    return WireImage(mime_type=mime, base64_data=base64.b64encode(data).decode("ascii"))


def read_video(path: Path, *, what: str) -> str:
    """An MP4 to extend, base64-encoded. Blocking."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PermanentError(f"The {what} could not be read ({exc.strerror or exc}).") from exc
    if data[4:8] != b"ftyp":
        raise PermanentError(f"The {what} is not an MP4 file.")
    return base64.b64encode(data).decode("ascii")
