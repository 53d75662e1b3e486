"""Just enough ISO-BMFF (MP4) to cut the shipped 40 s clips to any whole number of seconds, drop the audio
track, and read a file's durations back, in pure Python.

The shipped clips (scripts/make_clips.sh) are `ftyp, moov, mdat` files with one H.264 track (24 fps, a key
frame every 24 frames, no B-frames) and one AAC track whose edit list skips the encoder's priming samples.
Cutting keeps the first samples of each track, rebuilds the sample tables and lays the kept samples out again
(chunks interleaved by time), and sets every duration (mvhd, tkhd, mdhd, elst) to the new length."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}
_DROPPED = {b"sgpd", b"sbgp", b"udta"}  # sample groups would outlive the cut samples; metadata is not needed
_SAMPLES_PER_CHUNK = 12


class Mp4Error(ValueError):
    """The bytes are not an MP4 this module can read."""


@dataclass
class Box:
    kind: bytes
    payload: bytes = b""  # leaves only
    children: list[Box] = field(default_factory=list)
    container: bool = False

    def find(self, *path: bytes) -> Box:
        box = self
        for kind in path:
            box = next((c for c in box.children if c.kind == kind), None)  # type: ignore[assignment]
            if box is None:
                raise Mp4Error(f"no {kind.decode()} box")
        return box

    def has(self, kind: bytes) -> bool:
        return any(c.kind == kind for c in self.children)

    def serialize(self) -> bytes:
        body = b"".join(c.serialize() for c in self.children) if self.container else self.payload
        return struct.pack(">I4s", 8 + len(body), self.kind) + body


def parse_boxes(data: bytes, start: int = 0, end: int | None = None) -> list[Box]:
    end = len(data) if end is None else end
    boxes: list[Box] = []
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise Mp4Error("a box runs past the end of the file")
        if kind in _CONTAINERS:
            boxes.append(Box(kind, children=parse_boxes(data, offset + header, offset + size), container=True))
        elif kind == b"mdat":
            boxes.append(Box(kind, payload=b""))  # never copied: samples are read by offset
        else:
            boxes.append(Box(kind, payload=data[offset + header : offset + size]))
        offset += size
    return boxes


# --- fixed-layout fields ---
def _duration_field(payload: bytes, after_version: tuple[int, int]) -> tuple[int, int]:
    """(offset, width) of the duration field in a v0/v1 mvhd/tkhd/mdhd payload."""
    return (after_version[1], 8) if payload[0] == 1 else (after_version[0], 4)


def _timescale(box: Box) -> int:
    offset = 20 if box.payload[0] == 1 else 12
    return int(struct.unpack_from(">I", box.payload, offset)[0])


def _read_duration(box: Box, fields: tuple[int, int]) -> int:
    offset, width = _duration_field(box.payload, fields)
    return int.from_bytes(box.payload[offset : offset + width], "big")


def _write_duration(box: Box, fields: tuple[int, int], value: int) -> None:
    offset, width = _duration_field(box.payload, fields)
    box.payload = box.payload[:offset] + value.to_bytes(width, "big") + box.payload[offset + width :]


_MVHD = (16, 24)  # duration offset for version 0, version 1
_TKHD = (20, 28)
_MDHD = (16, 24)


@dataclass(frozen=True, slots=True)
class Durations:
    movie_s: float
    tracks: dict[str, float]  # handler ("vide", "soun") -> presentation seconds (tkhd)
    media_s: dict[str, float]  # handler -> media seconds (mdhd)


def durations(data: bytes) -> Durations:
    """mvhd, tkhd and mdhd durations in seconds, read from the boxes (no decoder, no ffprobe)."""
    if data[4:8] != b"ftyp":
        raise Mp4Error("not an MP4: no ftyp box at byte 4")
    moov = next((b for b in parse_boxes(data) if b.kind == b"moov"), None)
    if moov is None:
        raise Mp4Error("no moov box")
    mvhd = moov.find(b"mvhd")
    movie_scale = _timescale(mvhd)
    tracks: dict[str, float] = {}
    media: dict[str, float] = {}
    for trak in (c for c in moov.children if c.kind == b"trak"):
        handler = trak.find(b"mdia", b"hdlr").payload[8:12].decode("latin-1")
        tracks[handler] = _read_duration(trak.find(b"tkhd"), _TKHD) / movie_scale
        mdhd = trak.find(b"mdia", b"mdhd")
        media[handler] = _read_duration(mdhd, _MDHD) / _timescale(mdhd)
    return Durations(_read_duration(mvhd, _MVHD) / movie_scale, tracks, media)


def video_facts(data: bytes) -> tuple[float, int, int, float]:
    """(duration s, width, height, frames per second) of an MP4's video track."""
    moov = next((b for b in parse_boxes(data) if b.kind == b"moov"), None)
    if data[4:8] != b"ftyp" or moov is None:
        raise Mp4Error("not an MP4")
    for trak in (c for c in moov.children if c.kind == b"trak"):
        if trak.find(b"mdia", b"hdlr").payload[8:12] != b"vide":
            continue
        tkhd = trak.find(b"tkhd").payload
        width, height = (v >> 16 for v in struct.unpack_from(">II", tkhd, len(tkhd) - 8))
        track = _Track.read(trak, b"")
        seconds = sum(track.durations) / track.timescale
        fps = len(track.durations) / seconds if seconds else 0.0
        return seconds, width, height, fps
    raise Mp4Error("no video track")


# --- sample tables ---
def _entries(payload: bytes, width: int, header: int = 8) -> list[tuple[int, ...]]:
    (count,) = struct.unpack_from(">I", payload, 4)
    fmt = ">" + "I" * width
    return [struct.unpack_from(fmt, payload, header + i * 4 * width) for i in range(count)]


def _full_box(kind: bytes, body: bytes) -> Box:
    return Box(kind, payload=b"\0\0\0\0" + body)


@dataclass
class _Track:
    trak: Box
    timescale: int
    sizes: list[int]
    offsets: list[int]
    durations: list[int]
    sync: list[int] | None  # 1-based sample numbers; None: every sample is a sync sample
    ctts: list[int] | None
    data: bytes

    @staticmethod
    def read(trak: Box, data: bytes) -> _Track:
        stbl = trak.find(b"mdia", b"minf", b"stbl")
        stsz = stbl.find(b"stsz").payload
        uniform, count = struct.unpack_from(">II", stsz, 4)
        sizes = [uniform] * count if uniform else list(struct.unpack_from(f">{count}I", stsz, 12))
        durations = [delta for n, delta in _entries(stbl.find(b"stts").payload, 2) for _ in range(n)]
        chunk_offsets = [
            o[0] for o in (_entries(stbl.find(b"stco").payload, 1) if stbl.has(b"stco") else [])
        ] or [int.from_bytes(stbl.find(b"co64").payload[8 + 8 * i : 16 + 8 * i], "big")
              for i in range(struct.unpack_from(">I", stbl.find(b"co64").payload, 4)[0])]  # fmt: skip
        offsets = _sample_offsets(_entries(stbl.find(b"stsc").payload, 3), chunk_offsets, sizes)
        sync = [s[0] for s in _entries(stbl.find(b"stss").payload, 1)] if stbl.has(b"stss") else None
        ctts = None
        if stbl.has(b"ctts"):
            ctts = [off for n, off in _entries(stbl.find(b"ctts").payload, 2) for _ in range(n)]
        mdhd = trak.find(b"mdia", b"mdhd")
        return _Track(trak, _timescale(mdhd), sizes, offsets, durations, sync, ctts, data)

    @property
    def handler(self) -> bytes:
        return self.trak.find(b"mdia", b"hdlr").payload[8:12]

    def keep_until(self, media_ticks: int) -> int:
        """How many leading samples start before `media_ticks` (at least one)."""
        elapsed, kept = 0, 0
        for duration in self.durations:
            if elapsed >= media_ticks:
                break
            elapsed += duration
            kept += 1
        return max(1, kept)

    def media_time(self) -> int:
        """The edit list's media start (the AAC priming samples); 0 without an edit list."""
        if not self.trak.has(b"edts"):
            return 0
        elst = self.trak.find(b"edts", b"elst").payload
        return (
            int(struct.unpack_from(">i", elst, 12)[0]) if elst[0] == 0 else int(struct.unpack_from(">q", elst, 16)[0])
        )


def _sample_offsets(stsc: list[tuple[int, ...]], chunk_offsets: list[int], sizes: list[int]) -> list[int]:
    offsets: list[int] = []
    sample = 0
    for index, chunk_offset in enumerate(chunk_offsets, start=1):
        per_chunk = next(e[1] for e in reversed(stsc) if e[0] <= index)
        position = chunk_offset
        for _ in range(per_chunk):
            if sample >= len(sizes):
                break
            offsets.append(position)
            position += sizes[sample]
            sample += 1
    if len(offsets) != len(sizes):
        raise Mp4Error("the sample-to-chunk table does not cover every sample")
    return offsets


def _run_length(values: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and runs[-1][1] == value:
            runs[-1] = (runs[-1][0] + 1, value)
        else:
            runs.append((1, value))
    return runs


def _table(kind: bytes, rows: list[tuple[int, ...]]) -> Box:
    body = struct.pack(">I", len(rows)) + b"".join(struct.pack(">" + "I" * len(r), *r) for r in rows)
    return _full_box(kind, body)


def _rewrite_stbl(track: _Track, kept: int, chunk_offsets: list[int], chunk_sizes: list[int]) -> None:
    stbl = track.trak.find(b"mdia", b"minf", b"stbl")
    sizes = track.sizes[:kept]
    stsc: list[tuple[int, ...]] = []
    for index, per_chunk in enumerate(chunk_sizes, start=1):
        if not stsc or stsc[-1][1] != per_chunk:
            stsc.append((index, per_chunk, 1))
    new: dict[bytes, Box] = {
        b"stts": _table(b"stts", list(_run_length(track.durations[:kept]))),
        b"stsc": _table(b"stsc", stsc),
        b"stsz": _full_box(b"stsz", struct.pack(f">II{kept}I", 0, kept, *sizes)),
        b"stco": _table(b"stco", [(o,) for o in chunk_offsets]),
    }
    if track.sync is not None:
        new[b"stss"] = _table(b"stss", [(s,) for s in track.sync if s <= kept])
    if track.ctts is not None:
        new[b"ctts"] = _table(b"ctts", list(_run_length(track.ctts[:kept])))
    children = []
    for child in stbl.children:
        if child.kind in _DROPPED:
            continue
        children.append(new.pop(b"stco") if child.kind == b"co64" else new.pop(child.kind, child))
    stbl.children = children


def cut(data: bytes, seconds: int, *, audio: bool = True) -> bytes:
    """The clip cut to exactly `seconds` (at most its own length), with or without its audio track."""
    boxes = parse_boxes(data)
    ftyp = next(b for b in boxes if b.kind == b"ftyp")
    moov = next(b for b in boxes if b.kind == b"moov")
    movie_scale = _timescale(moov.find(b"mvhd"))
    tracks = [_Track.read(t, data) for t in moov.children if t.kind == b"trak"]
    if not audio:
        tracks = [t for t in tracks if t.handler != b"soun"]
    moov.children = [c for c in moov.children if c.kind not in (b"trak", *_DROPPED)] + [t.trak for t in tracks]
    layout = []  # (start time s, track index, first sample, count)
    kept_counts = []
    for index, track in enumerate(tracks):
        kept = track.keep_until(seconds * track.timescale + track.media_time())
        kept_counts.append(kept)
        elapsed = 0
        for first in range(0, kept, _SAMPLES_PER_CHUNK):
            layout.append((elapsed / track.timescale, index, first, min(_SAMPLES_PER_CHUNK, kept - first)))
            elapsed += sum(track.durations[first : first + _SAMPLES_PER_CHUNK])
        _set_durations(track, kept, seconds * movie_scale)
    layout.sort()
    _write_duration(moov.find(b"mvhd"), _MVHD, seconds * movie_scale)
    payload, placed = _lay_out(tracks, layout)
    # stco holds absolute offsets, which depend on moov's own size: size it once with zeros, then fill in.
    for attempt in range(2):
        base = len(ftyp.serialize()) + (len(moov.serialize()) if attempt else 0) + 8
        for index, track in enumerate(tracks):
            chunks = [(off, n) for (i, off, n) in placed if i == index]
            _rewrite_stbl(track, kept_counts[index], [base + off for off, _ in chunks], [n for _, n in chunks])
    mdat = struct.pack(">I4s", 8 + len(payload), b"mdat")
    return ftyp.serialize() + moov.serialize() + mdat + payload


def _set_durations(track: _Track, kept: int, movie_ticks: int) -> None:
    _write_duration(track.trak.find(b"tkhd"), _TKHD, movie_ticks)
    _write_duration(track.trak.find(b"mdia", b"mdhd"), _MDHD, sum(track.durations[:kept]))
    if track.trak.has(b"edts"):
        elst = track.trak.find(b"edts", b"elst")
        p = elst.payload
        if p[0] == 0:
            elst.payload = p[:8] + struct.pack(">I", movie_ticks) + p[12:]
        else:
            elst.payload = p[:8] + struct.pack(">Q", movie_ticks) + p[16:]


def _lay_out(
    tracks: list[_Track], layout: list[tuple[float, int, int, int]]
) -> tuple[bytes, list[tuple[int, int, int]]]:
    parts: list[bytes] = []
    placed: list[tuple[int, int, int]] = []  # (track index, offset in payload, samples)
    offset = 0
    for _, index, first, count in layout:
        track = tracks[index]
        chunk = b"".join(
            track.data[track.offsets[s] : track.offsets[s] + track.sizes[s]] for s in range(first, first + count)
        )
        parts.append(chunk)
        placed.append((index, offset, count))
        offset += len(chunk)
    return b"".join(parts), placed
