"""Image intake refuses hostile images with one sentence each, before a byte is written to the frames folder."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from veo_desktop.bench.faults.bad_cli import declared_png, heic_header
from veo_desktop.core.validation import ValidationError
from veo_desktop.store.frames import FrameStore, other_format


def image(fmt: str, size: tuple[int, int] = (256, 144)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buf, fmt)
    return buf.getvalue()


def refuse(tmp_path: Path, data: bytes, field: str = "start_frame") -> str:
    frames = FrameStore(tmp_path / "frames")
    source = tmp_path / "input.bin"
    source.write_bytes(data)
    with pytest.raises(ValidationError) as err:
        frames.put_file(source, field=field)
    assert err.value.field == field
    assert not (tmp_path / "frames").exists()  # refused before anything was written
    message = err.value.message
    assert message.endswith(".") and "\n" not in message and len(message) > 30
    return message


def test_the_576_byte_png_that_declares_8000_by_5000(tmp_path: Path) -> None:
    data = declared_png(8000, 5000)
    assert len(data) == 576
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (8000, 5000)  # what the header claims
    assert "8000×5000 pixels (40.0 megapixels)" in refuse(tmp_path, data)  # by its header, not by decoding


def test_a_whole_8000_by_5000_png_is_refused_by_its_size(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("1", (8000, 5000)).save(buf, "PNG")  # every row present, a few KB
    assert "8000×5000 pixels" in refuse(tmp_path, buf.getvalue())


def test_pillows_bomb_limit_is_checked_by_the_declared_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow's own limit, lowered so an ordinary image passes it: decoding would warn (an error under
    # filterwarnings=error) and report "could not be decoded"; the intake refuses by the size first.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    message = refuse(tmp_path, image("PNG", (512, 512)))
    assert message.startswith("Start frame declares 512×512 pixels (0.3 megapixels)")
    assert "use a smaller image" in message
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    assert FrameStore(tmp_path / "ok").put_bytes(image("PNG", (512, 512)), field="start_frame").width == 512


@pytest.mark.parametrize(
    "name,data",
    [
        ("GIF", lambda: image("GIF")),
        ("BMP", lambda: image("BMP")),
        ("TIFF", lambda: image("TIFF")),
        ("HEIC", heic_header),
        ("PDF", lambda: b"%PDF-1.7\n" + b"\x00" * 200),
    ],
)
def test_unsupported_formats_are_named(tmp_path: Path, name: str, data: Callable[[], bytes]) -> None:
    message = refuse(tmp_path, data(), field="end_frame")
    assert (
        message == f"End frame is a {name} file, which Veo does not take; save it as PNG or JPEG and choose it again."
    )


@pytest.mark.parametrize(
    "data,words",
    [
        (b"", "is an empty file"),
        (b"just some text\n" * 20, "is not a PNG, JPEG or WEBP image"),
        (image("PNG", (512, 512))[:400], "could not be decoded"),
        (declared_png(30000, 30000), "30000×30000 pixels"),
    ],
)
def test_each_refusal_is_one_sentence(tmp_path: Path, data: bytes, words: str) -> None:
    assert words in refuse(tmp_path, data)


def test_supported_formats_and_text_are_not_mistaken_for_others() -> None:
    for fmt in ("PNG", "JPEG", "WEBP"):
        assert other_format(image(fmt)) is None
    assert other_format(b"BMW service notes: oil, brakes, tyres.\n") is None
