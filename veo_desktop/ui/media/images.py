"""Image scaling and encoding that may block (call them from a worker thread or `asyncio.to_thread`).

Plain functions of plain values, so a worker thread never holds a widget, a cache or a QPixmap.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader


def read_scaled_image(path: str, size: QSize) -> QImage:
    """Decode `path` already scaled to fit `size` (QImageReader's scaled decode: a 20 MB PNG is never held
    at full size)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    original = reader.size()
    if original.isValid():
        reader.setScaledSize(original.scaled(size, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def scaled(image: QImage, size: QSize) -> QImage:
    """`image` made to fit `size`, smoothly, keeping its shape."""
    return image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def png_bytes(image: QImage) -> bytes:
    """Encode a QImage as PNG."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs say `format: bytes`, but PySide6 6.11 refuses bytes at run time (ValueError) and takes a str.
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(buffer.data().data())
