"""The videos the simulator serves: the 40 s clips of resources/clips cut to the requested whole number of
seconds (with or without audio, `mp4.cut`), tagged so every sample is a distinct file, optionally padded to
a given size with a trailing MP4 `free` box (players skip it, so the file stays valid), streamed in chunks."""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterator
from dataclasses import dataclass

from veo_desktop.paths import resources_dir
from veo_desktop.simulator import mp4
from veo_desktop.simulator.replies import CHUNK_BYTES

_CLIP_FILES = {"16:9": "sim_16x9_40s.mp4", "9:16": "sim_9x16_40s.mp4"}
_B64_CHUNK_BYTES = 3 * 16 * 1024  # a multiple of 3, so chunks encode to base64 that simply concatenates
MAX_DURATION_S = 40


@functools.cache
def clip_bytes(aspect_ratio: str) -> bytes:
    """The shipped 40 s master clip of that aspect ratio (16:9 for anything else)."""
    name = _CLIP_FILES.get(aspect_ratio, _CLIP_FILES["16:9"])
    return (resources_dir() / "clips" / name).read_bytes()


@functools.lru_cache(maxsize=64)
def cut_clip(aspect_ratio: str, duration_s: int, audio: bool) -> bytes:
    if not 1 <= duration_s <= MAX_DURATION_S:
        raise ValueError(f"The simulator serves videos of 1 to {MAX_DURATION_S} s, not {duration_s}.")
    return mp4.cut(clip_bytes(aspect_ratio), duration_s, audio=audio)


def _free_box(pad_bytes: int, tag: bytes = b"") -> bytes:
    if pad_bytes < 2**32:
        return pad_bytes.to_bytes(4, "big") + b"free" + tag
    return (1).to_bytes(4, "big") + b"free" + pad_bytes.to_bytes(8, "big") + tag  # 64-bit "largesize" form


@dataclass(frozen=True, slots=True)
class Video:
    """A clip, a `free` box naming the sample, and padding, addressed as one virtual file of `size_bytes`."""

    clip: bytes
    size_bytes: int

    @staticmethod
    def make(
        aspect_ratio: str,
        size_bytes: int | None = None,
        *,
        duration_s: int = 8,
        audio: bool = True,
        tag: str = "",
    ) -> Video:
        clip = cut_clip(aspect_ratio, duration_s, audio)
        label = tag.encode()
        if label:
            clip += _free_box(8 + len(label), label)
        # Padding needs room for a box header; a requested size below the clip's own serves the plain clip.
        if size_bytes is None or size_bytes < len(clip) + 16:
            return Video(clip, len(clip))
        return Video(clip, size_bytes)

    def _prefix(self) -> bytes:
        if self.size_bytes == len(self.clip):
            return self.clip
        return self.clip + _free_box(self.size_bytes - len(self.clip))

    def iter_range(self, start: int, end: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        """Bytes [start, end) of the virtual file, in chunks of at most `chunk_bytes`."""
        prefix = self._prefix()
        pos = start
        while pos < end:
            stop = min(end, pos + chunk_bytes)
            if pos >= len(prefix):
                yield bytes(stop - pos)  # the free box's body is zeros
            elif stop <= len(prefix):
                yield prefix[pos:stop]
            else:
                yield prefix[pos:] + bytes(stop - len(prefix))
            pos = stop

    def base64_length(self) -> int:
        return 4 * ((self.size_bytes + 2) // 3)

    def iter_base64(self) -> Iterator[bytes]:
        for chunk in self.iter_range(0, self.size_bytes, _B64_CHUNK_BYTES):
            yield base64.b64encode(chunk)

    def base64_text(self) -> str:
        """For small videos only (Omni's inline `data`)."""
        return b"".join(self.iter_base64()).decode("ascii")
