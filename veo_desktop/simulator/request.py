"""A parsed HTTP request as the routes see it, and the route table entry type."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from veo_desktop.simulator import actions as a
from veo_desktop.simulator.replies import Reply


@dataclass(frozen=True, slots=True)
class Req:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any  # email.message.Message: case-insensitive .get()
    body: bytes
    key: str  # x-goog-api-key, else ?key=; "" when absent
    bearer: str  # the token of `Authorization: Bearer …`; "" when absent
    host_kind: str

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Route:
    phase: a.Phase
    prompt: str | None
    run: Callable[[], Reply]


@dataclass(frozen=True, slots=True)
class Pattern:
    method: str
    regex: re.Pattern[str]
    phase: a.Phase


def classify(patterns: list[Pattern], method: str, path: str) -> tuple[Pattern, re.Match[str]] | None:
    for pattern in patterns:
        if pattern.method == method and (match := pattern.regex.match(path)):
            return pattern, match
    return None
