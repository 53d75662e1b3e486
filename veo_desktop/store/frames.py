"""Input images kept once each in the frames folder, named by content hash (`<sha256>.<ext>`).

An image is accepted only by its content, and refused with one sentence before a byte is written: the header
is sniffed (type and declared size, checked against the provider's limits by the core), the declared size is
checked against Pillow's decompression-bomb limit, and only then is the whole image decoded, so a truncated or
damaged file is refused before anything is queued or charged. A known format Veo does not take (GIF, BMP,
TIFF, HEIC, ...) is named in its refusal. Files are written atomically (temporary file, fsync, rename). These
methods block: call them on a worker thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import tempfile
from pathlib import Path

from PIL import Image

from veo_desktop.core.request import FrameRef
from veo_desktop.core.validation import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, ValidationError, sniff_image

_PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
# Formats people pick that Veo does not take, by their first bytes (offset, magic, name).
_OTHER_FORMATS = (
    (0, b"GIF87a", "GIF"),
    (0, b"GIF89a", "GIF"),
    (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypheix", "HEIC"),
    (4, b"ftypmif1", "HEIF"),
    (4, b"ftypavif", "AVIF"),
    (0, b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (0, b"8BPS", "Photoshop"),
    (0, b"%PDF", "PDF"),
    (0, b"<svg", "SVG"),
    (0, b"\x00\x00\x01\x00", "ICO"),
)


def _label(field: str) -> str:
    return "End frame" if field == "end_frame" else "Start frame"


def _undecodable(field: str) -> ValidationError:
    return ValidationError(
        field,
        f"{_label(field)} could not be decoded (it may be truncated or damaged); choose another image.",
    )


def _too_many_pixels(field: str, width: int, height: int) -> ValidationError:
    return ValidationError(
        field,
        f"{_label(field)} declares {width}×{height} pixels ({width * height / 1e6:.1f} megapixels), more than an "
        "image can safely be decoded; use a smaller image (at most 4K, 3840×2160, is plenty).",
    )


_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})


def other_format(data: bytes) -> str | None:
    """The name of a known image format Veo does not take, from its first bytes."""
    name = next((name for at, magic, name in _OTHER_FORMATS if data[at : at + len(magic)] == magic), None)
    if name == "BMP" and int.from_bytes(data[14:18], "little") not in _BMP_HEADER_SIZES:
        return None  # "BM" alone is too common a start (a text file about a BMW)
    return name


def sniff(data: bytes, *, field: str) -> tuple[str, int, int]:
    """Type and declared size by content (the core's checks), naming a known format Veo does not take."""
    try:
        header = sniff_image(data, field=field)
    except ValidationError:
        name = other_format(data) if data else None
        if name is None:
            raise
        raise ValidationError(
            field,
            f"{_label(field)} is a {name} file, which Veo does not take; save it as PNG or JPEG and choose it again.",
        ) from None
    # Pillow's own bomb limit (a warning past it, an error past twice it) is checked by the declared size,
    # before Pillow reads more than the header: filterwarnings=error would make the warning an exception.
    if header.width * header.height > (Image.MAX_IMAGE_PIXELS or MAX_IMAGE_PIXELS):
        raise _too_many_pixels(field, header.width, header.height)
    return header.mime_type, header.width, header.height


def decode_check(data: bytes, mime_type: str, width: int, height: int, *, field: str) -> None:
    """Decode the whole image; refuse anything Pillow cannot read or that disagrees with its header."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            # Pillow's own reading of the header must agree with ours before a single pixel is decoded.
            if im.format != _PIL_FORMATS[mime_type] or im.size != (width, height):
                raise _undecodable(field)
            if width * height > MAX_IMAGE_PIXELS:
                raise _undecodable(field)
            im.verify()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(field, width, height) from exc
    # Pillow raises many types for bad input (OSError, SyntaxError, ValueError, struct.error, EOFError):
    # all mean "damaged".
    except Exception as exc:
        raise _undecodable(field) from exc


class FrameStore:
    def __init__(self, frames_dir: Path) -> None:
        self._dir = Path(frames_dir)

    def path(self, ref: FrameRef) -> Path:
        return self._dir / ref.file_name

    def put_bytes(self, data: bytes, *, field: str) -> FrameRef:
        """Validate an image by content and keep it; returns its reference. Raises ValidationError."""
        mime_type, width, height = sniff(data, field=field)
        decode_check(data, mime_type, width, height, field=field)
        digest = hashlib.sha256(data).hexdigest()
        ref = FrameRef(sha256=digest, mime_type=mime_type, width=width, height=height, size_bytes=len(data))
        target = self.path(ref)
        try:
            if not (target.is_file() and target.stat().st_size == len(data)):
                self._write_atomically(target, data)
        except OSError as exc:
            raise ValidationError(
                field,
                f"{_label(field)} could not be saved in {self._dir} ({exc.strerror or exc}); "
                "free some disk space or check the folder's permissions, then try again.",
            ) from exc
        return ref

    def put_file(self, path: Path, *, field: str) -> FrameRef:
        """Read an image file (refusing one over 20 MB before reading it) and keep it."""
        label, name = _label(field), Path(path).name
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                raise ValidationError(field, f"{label} {name} is not a file; choose a PNG, JPEG or WEBP image.")
            if info.st_size > MAX_IMAGE_BYTES:
                mb = info.st_size / 1024 / 1024
                raise ValidationError(field, f"{label} is {mb:.1f} MB; use an image of at most 20 MB.")
            with open(path, "rb") as f:
                data = f.read(MAX_IMAGE_BYTES + 1)  # the file may have grown since stat: sniff refuses it
        except FileNotFoundError as exc:
            raise ValidationError(field, f"{label} {name} was not found; choose the image again.") from exc
        except OSError as exc:
            raise ValidationError(
                field, f"{label} {name} could not be read ({exc.strerror or exc}); choose another file."
            ) from exc
        return self.put_bytes(data, field=field)

    def read(self, ref: FrameRef) -> bytes:
        """The bytes of a kept image, checked against its hash. Raises ValidationError when it is gone."""
        try:
            data = self.path(ref).read_bytes()
        except OSError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != ref.sha256:
            raise ValidationError(
                "frame",
                f"An input image ({ref.file_name}) is missing or damaged in {self._dir}; "
                "edit the job and choose the image again.",
            )
        return data

    def _write_atomically(self, target: Path, data: bytes) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(self._dir)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); Windows cannot open a directory and does not need it."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
