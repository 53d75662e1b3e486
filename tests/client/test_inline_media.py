"""The streaming base64 scanner: any split of the input, JSON escapes, several videos, none."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from veo_desktop.client.inline_media import (
    InlineMediaError,
    InlineMediaScanner,
    extract_inline_media,
    placeholder_index,
)


class MemorySink:
    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def write(self, data: bytes, /) -> int:
        assert not self.closed
        self.data += data
        return len(data)

    def close(self) -> None:
        self.closed = True


def scan(doc: bytes, step: int) -> tuple[dict[str, object], list[MemorySink]]:
    sinks: list[MemorySink] = []

    def open_sink(index: int) -> MemorySink:
        assert index == len(sinks)
        sinks.append(MemorySink())
        return sinks[-1]

    scanner = InlineMediaScanner(open_sink)
    for offset in range(0, len(doc), step):
        scanner.feed(doc[offset : offset + step])
    skeleton = scanner.finish()
    scanner.close()
    return json.loads(skeleton), sinks


def document(*videos: bytes, escape: str = "none") -> bytes:
    entries = []
    for index, _ in enumerate(videos):
        entries.append({"bytesBase64Encoded": f"@@{index}@@", "mimeType": "video/mp4"})
    text = json.dumps(
        {
            "name": "projects/1/locations/global/publishers/google/models/m/operations/op",
            "done": True,
            "response": {"videos": entries, "raiMediaFilteredCount": 0, "note": 'say "bytesBase64Encoded"'},
        }
    )
    for index, video in enumerate(videos):
        b64 = base64.b64encode(video).decode()
        if escape in ("slash", "all"):
            b64 = b64.replace("/", "\\/")
        if escape in ("unicode", "all"):
            b64 = b64.replace("=", "\\u003d").replace("+", "\\u002B")
        text = text.replace(f'"@@{index}@@"', f'"{b64}"')
    return text.encode()


VIDEO = bytes(range(256)) * 3 + b"\x00\x00\x00\x18ftypmp42"  # every byte value: '+' and '/' appear in base64


def test_every_split_offset_of_one_video() -> None:
    doc = document(VIDEO[:200] + b"!", escape="all")  # padding '=' escaped as \u003d
    for cut in range(1, len(doc)):
        sink = MemorySink()
        scanner = InlineMediaScanner(lambda _i, sink=sink: sink)  # type: ignore[misc]
        scanner.feed(doc[:cut])
        scanner.feed(doc[cut:])
        skeleton = json.loads(scanner.finish())
        sinks = [sink]
        assert bytes(sinks[0].data) == VIDEO[:200] + b"!", cut
        assert sinks[0].closed
        assert skeleton["response"]["videos"][0]["bytesBase64Encoded"] == "veo-inline-media:0"


@pytest.mark.parametrize("step", [1, 2, 3, 5, 7, 64, 4096, 1 << 20])
@pytest.mark.parametrize("escape", ["none", "slash", "unicode", "all"])
def test_chunk_sizes_and_escapes(step: int, escape: str) -> None:
    doc = document(VIDEO, VIDEO[::-1] + b"x", escape=escape)
    data, sinks = scan(doc, step)
    assert [bytes(s.data) for s in sinks] == [VIDEO, VIDEO[::-1] + b"x"]
    videos = data["response"]["videos"]  # type: ignore[index]
    assert [placeholder_index(v["bytesBase64Encoded"]) for v in videos] == [0, 1]
    assert data["response"]["note"] == 'say "bytesBase64Encoded"'  # type: ignore[index]


def test_no_videos_passes_json_through() -> None:
    doc = b'{"name": "op", "done": true, "response": {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["x"]}}'
    data, sinks = scan(doc, 3)
    assert sinks == []
    assert data == json.loads(doc)


def test_key_as_a_value_or_escaped_key_is_not_media() -> None:
    doc = b'{"a": "bytesBase64Encoded", "b": ["bytesBase64Encoded", "QUJD"], "bytes\\u0042ase64Encoded": "QUJD"}'
    data, sinks = scan(doc, 1)
    assert sinks == []
    assert data == json.loads(doc)


def test_whitespace_around_colon_and_empty_value() -> None:
    doc = b'{"bytesBase64Encoded" :\n "" , "x": {"bytesBase64Encoded":"QUJD"}}'
    data, sinks = scan(doc, 1)
    assert [bytes(s.data) for s in sinks] == [b"", b"ABC"]
    assert data == {"bytesBase64Encoded": "veo-inline-media:0", "x": {"bytesBase64Encoded": "veo-inline-media:1"}}


def test_unpadded_and_urlsafe_base64() -> None:
    raw = b"\xfb\xff\xfe>?"
    urlsafe = base64.urlsafe_b64encode(raw).rstrip(b"=")
    _, sinks = scan(b'{"bytesBase64Encoded": "' + urlsafe + b'"}', 2)
    assert bytes(sinks[0].data) == raw


@pytest.mark.parametrize(
    "doc",
    [
        b'{"bytesBase64Encoded": "QUJD',  # truncated inside the value
        b'{"bytesBase64Encoded": "QUJD\\',  # truncated inside an escape
        b'{"bytesBase64Encoded": "QU*D"}',  # not base64
        b'{"bytesBase64Encoded": "QUJDR"}',  # 5 characters: impossible length
        b'{"bytesBase64Encoded": "QU\\u00e9D"}',  # non-ASCII escape
        b'{"bytesBase64Encoded": "QU\\xJD"}',  # unknown escape
        b'{"bytesBase64Encoded": "QU\\"JD"}',  # an escaped quote
        b'{"bytesBase64Encoded": "QU\\\\JD"}',  # an escaped backslash
        b'{"bytesBase64Encoded": "QU\\uZZZZJD"}',  # a broken \u escape
        b'{"bytesBase64Encoded": "QUJ\\u00"}',  # the value ends inside a \u escape
        b'{"name": "op',  # truncated in an ordinary string
    ],
)
def test_broken_documents_raise(doc: bytes) -> None:
    scanner = InlineMediaScanner(lambda _i: MemorySink())
    with pytest.raises(InlineMediaError):
        scanner.feed(doc)
        scanner.finish()


def test_skeleton_size_is_bounded() -> None:
    scanner = InlineMediaScanner(lambda _i: MemorySink(), max_skeleton_bytes=100)
    with pytest.raises(InlineMediaError):
        scanner.feed(b'{"x": "' + b"a" * 200 + b'"}')


def test_extract_writes_each_video_to_its_own_part_file(tmp_path: Path) -> None:
    big = bytes(range(256)) * 8000  # 2 MB: many read chunks
    source = tmp_path / "body.json"
    source.write_bytes(document(big, b"second", escape="slash"))
    result = extract_inline_media(source, tmp_path, chunk_bytes=4099)
    assert [p.read_bytes() for p in result.paths] == [big, b"second"]
    assert result.sizes == [len(big), 6]
    assert all(p.name.endswith(".mp4.part") and p.parent == tmp_path for p in result.paths)
    assert json.loads(result.skeleton)["done"] is True


def test_extract_removes_its_files_on_error(tmp_path: Path) -> None:
    source = tmp_path / "body.json"
    source.write_bytes(b'{"videos": [{"bytesBase64Encoded": "QUJD"}, {"bytesBase64Encoded": "QUJ')
    with pytest.raises(InlineMediaError):
        extract_inline_media(source, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body.json"]
