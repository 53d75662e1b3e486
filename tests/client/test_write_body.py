"""`write_body`: batches written by a worker while the next is read, in order, and errors while reading."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from veo_desktop.client.files import write_body


class _Body(httpx.AsyncByteStream):
    """Uneven chunks of a known pattern; `fail_after` bytes, then a read error (a dropped connection)."""

    def __init__(self, size: int, *, fail_after: int | None = None) -> None:
        self.size, self.fail_after = size, fail_after

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent, step = 0, 0
        while sent < self.size:
            step = step % 7 + 1
            n = min(self.size - sent, step * 150_001)  # odd sizes: batch edges fall inside chunks
            if self.fail_after is not None and sent + n > self.fail_after:
                raise httpx.ReadError("connection reset")
            yield _pattern(sent, n)
            sent += n


def _pattern(offset: int, n: int) -> bytes:
    return bytes((offset + i) % 251 for i in range(n))


async def _write(tmp_path: Path, body: _Body) -> tuple[Path, int]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body)

    dest = tmp_path / "video.part"
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http,
        http.stream("GET", "http://127.0.0.1:1/video") as response,
    ):
        return dest, await write_body(response, dest, fsync=True)


@pytest.mark.parametrize("size", [0, 1, 4 * 1024 * 1024, 13 * 1024 * 1024 + 17])
async def test_every_byte_lands_in_order(tmp_path: Path, size: int) -> None:
    dest, written = await _write(tmp_path, _Body(size))
    assert written == size
    assert dest.read_bytes() == _pattern(0, size)


async def test_a_read_error_mid_body_propagates_and_leaves_an_ordered_prefix(tmp_path: Path) -> None:
    with pytest.raises(httpx.ReadError):
        await _write(tmp_path, _Body(20 * 1024 * 1024, fail_after=9 * 1024 * 1024))
    written = (tmp_path / "video.part").read_bytes()
    # The first 4 MiB batch was written before the second was handed over; whatever follows is in order.
    assert len(written) >= 4 * 1024 * 1024 and written == _pattern(0, len(written))
