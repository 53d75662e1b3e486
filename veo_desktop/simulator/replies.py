"""Replies as data: a status, headers and a body that is produced in chunks, so a 200 MB video or its
base64 JSON is never held in memory at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Body:
    length: int
    content_type: str
    chunks: Callable[[], Iterable[bytes]]  # called once per reply; yields exactly `length` bytes

    @staticmethod
    def of(data: bytes, content_type: str) -> Body:
        return Body(
            len(data),
            content_type,
            lambda: (data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)),
        )

    def read_all(self) -> bytes:
        """For small bodies only (malformed-JSON faults cut a real answer in half)."""
        return b"".join(self.chunks())


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Body
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(payload: Any, status: int = 200) -> Reply:
    data = json.dumps(payload, separators=(",", ":")).encode()
    return Reply(status, Body.of(data, "application/json; charset=UTF-8"))


def html_reply(status: int) -> Reply:
    # The shape of Google's front-end error pages: what a proxy or load balancer answers instead of the API.
    page = (
        f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error {status} (Server Error)!!1</title>"
        f"<p><b>{status}.</b> <ins>That's an error.</ins><p>The server encountered a temporary error and "
        "could not complete your request.<p>Please try again in 30 seconds. "
        "<ins>That's all we know.</ins></html>"
    )
    return Reply(status, Body.of(page.encode(), "text/html; charset=UTF-8"))


def malformed(reply: Reply) -> Reply:
    """The same answer cut in half: status 200, JSON content type, a body no parser accepts."""
    data = reply.body.read_all() if reply.body.length <= 1024 * 1024 else b'{"name": "operations/x", "done": tr'
    cut = data[: max(1, len(data) // 2)]
    if cut.rstrip().endswith((b"}", b"]")):
        cut += b","  # keep it invalid even when the half happens to close a value
    return Reply(200, Body.of(cut, "application/json; charset=UTF-8"))


def redirect_reply(location: str) -> Reply:
    return Reply(302, Body.of(b"", "text/html; charset=UTF-8"), {"Location": location})
