"""Input images: accepted by content only, kept once by hash, written atomically."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from veo_desktop.core.validation import MAX_IMAGE_BYTES, ValidationError
from veo_desktop.store.frames import FrameStore


def image_bytes(fmt: str, size: tuple[int, int] = (96, 64), **save: object) -> bytes:
    im = Image.new("RGB", size, (200, 40, 90))
    for x in range(0, size[0], 7):  # some detail, so truncation hits real data
        im.putpixel((x, x % size[1]), (x % 255, 10, 200))
    buf = io.BytesIO()
    im.save(buf, format=fmt, **save)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.fixture
def frames(tmp_path: Path) -> FrameStore:
    return FrameStore(tmp_path / "frames")


@pytest.mark.parametrize(
    "fmt,mime,ext",
    [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("WEBP", "image/webp", "webp")],
)
def test_valid_images_are_kept_once_by_hash(frames: FrameStore, fmt: str, mime: str, ext: str) -> None:
    data = image_bytes(fmt)
    ref = frames.put_bytes(data, field="start_frame")
    assert (ref.mime_type, ref.width, ref.height, ref.size_bytes) == (mime, 96, 64, len(data))
    assert frames.path(ref).name == f"{ref.sha256}.{ext}"
    assert frames.read(ref) == data
    mtime = frames.path(ref).stat().st_mtime_ns
    assert frames.put_bytes(data, field="end_frame") == ref  # same content: same file, not rewritten
    assert frames.path(ref).stat().st_mtime_ns == mtime
    assert [p.name for p in frames.path(ref).parent.iterdir()] == [frames.path(ref).name]  # no temp files


def test_lossless_webp_and_rgba_png(frames: FrameStore) -> None:
    assert frames.put_bytes(image_bytes("WEBP", lossless=True), field="start_frame").mime_type == "image/webp"
    im = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    assert frames.put_bytes(buf.getvalue(), field="start_frame").width == 64


def test_put_file(frames: FrameStore, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpeg"
    path.write_bytes(image_bytes("JPEG"))
    ref = frames.put_file(path, field="start_frame")
    assert frames.read(ref) == path.read_bytes()


def test_empty_file(frames: FrameStore) -> None:
    with pytest.raises(ValidationError, match="Start frame is an empty file") as err:
        frames.put_bytes(b"", field="start_frame")
    assert err.value.field == "start_frame"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_image(frames: FrameStore, fmt: str, tmp_path: Path) -> None:
    data = image_bytes(fmt, (256, 256))
    with pytest.raises(ValidationError, match=r"End frame could not be decoded .* choose another image"):
        frames.put_bytes(data[: len(data) * 2 // 3], field="end_frame")
    assert not (tmp_path / "frames").exists()


def test_damaged_png_data(frames: FrameStore) -> None:
    data = bytearray(image_bytes("PNG", (128, 128)))
    idat = data.index(b"IDAT")
    data[idat + 10 : idat + 40] = b"\x00" * 30  # bad compressed data, chunk CRC now wrong
    with pytest.raises(ValidationError, match="could not be decoded"):
        frames.put_bytes(bytes(data), field="start_frame")


def test_text_file_named_png(frames: FrameStore, tmp_path: Path) -> None:
    path = tmp_path / "picture.png"
    path.write_text("definitely not an image\n" * 10)
    with pytest.raises(ValidationError, match="is not a PNG, JPEG or WEBP image"):
        frames.put_file(path, field="start_frame")


def test_too_large_file_is_refused_before_reading(frames: FrameStore, tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with open(path, "wb") as f:
        f.truncate(MAX_IMAGE_BYTES + 1)  # sparse: no 20 MB written
    with pytest.raises(ValidationError, match=r"Start frame is 20\.0 MB; use an image of at most 20 MB"):
        frames.put_file(path, field="start_frame")
    with pytest.raises(ValidationError, match="at most 20 MB"):
        frames.put_bytes(b"\x89PNG" + b"\x00" * MAX_IMAGE_BYTES, field="start_frame")


def test_decompression_bomb_is_refused_by_its_declared_size(frames: FrameStore) -> None:
    # A tiny PNG that declares 30000 × 30000 pixels (900 megapixels).
    ihdr = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    bomb += png_chunk(b"IEND", b"")
    with pytest.raises(ValidationError, match="30000×30000 pixels"):
        frames.put_bytes(bomb, field="start_frame")


def test_header_that_lies_about_the_size_is_refused(frames: FrameStore) -> None:
    # Declares 4000 × 4000 (allowed) but its pixel stream stops after one row: decoding finds it truncated.
    # (Pillow accepts a stream that is *properly closed* after too few rows; that image decodes, mostly black.)
    ihdr = struct.pack(">IIBBBBB", 4000, 4000, 8, 2, 0, 0, 0)
    packer = zlib.compressobj()
    one_row = packer.compress(b"\x00" * 12001) + packer.flush(zlib.Z_SYNC_FLUSH)
    lie = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", one_row)
    lie += png_chunk(b"IEND", b"")
    with pytest.raises(ValidationError, match="could not be decoded"):
        frames.put_bytes(lie, field="start_frame")


def test_tiny_image(frames: FrameStore) -> None:
    with pytest.raises(ValidationError, match="only 16×16 pixels"):
        frames.put_bytes(image_bytes("PNG", (16, 16)), field="start_frame")


def test_missing_and_unreadable_files(frames: FrameStore, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"ghost\.png was not found; choose the image again"):
        frames.put_file(tmp_path / "ghost.png", field="start_frame")
    with pytest.raises(ValidationError, match="is not a file"):
        frames.put_file(tmp_path, field="end_frame")
    if os.name == "posix" and os.geteuid() != 0:
        path = tmp_path / "locked.png"
        path.write_bytes(image_bytes("PNG"))
        path.chmod(0)
        with pytest.raises(ValidationError, match="could not be read"):
            frames.put_file(path, field="start_frame")


def test_read_refuses_a_missing_or_altered_frame(frames: FrameStore) -> None:
    ref = frames.put_bytes(image_bytes("PNG"), field="start_frame")
    frames.path(ref).write_bytes(b"altered")
    with pytest.raises(ValidationError, match="missing or damaged"):
        frames.read(ref)
    frames.path(ref).unlink()
    with pytest.raises(ValidationError, match="missing or damaged"):
        frames.read(ref)
    assert frames.put_bytes(image_bytes("PNG"), field="start_frame") == ref  # re-imported whole
    assert frames.read(ref) == image_bytes("PNG")
