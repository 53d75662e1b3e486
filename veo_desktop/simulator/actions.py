"""What a test can script: transport faults per phase and generation outcomes, as small frozen dataclasses.

Transport actions come in two kinds, which matters for the paid start call:
- *replacing* actions (`HttpError`, `HtmlPage`, `Redirect`) answer instead of the real server, so a start
  answered this way was NOT accepted;
- *mangling* actions (`MalformedJson`, `SlowBody`, `Reset`, `Delay`) spoil the answer after the server did the
  work, so a start answered this way WAS accepted and counted (the "start outcome unknown" case).

All durations are in simulator seconds (the simulator's clock), like every other time in the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Phase = Literal["start", "poll", "download", "list"]
PHASES: tuple[Phase, ...] = ("start", "poll", "download", "list")


@dataclass(frozen=True, slots=True)
class HttpError:
    status: int
    retry_after_s: float | None = None  # adds a google.rpc.RetryInfo detail when given


@dataclass(frozen=True, slots=True)
class HtmlPage:
    status: int = 200


@dataclass(frozen=True, slots=True)
class Redirect:
    host: str | None = None  # None: the simulator's download_host


@dataclass(frozen=True, slots=True)
class MalformedJson:
    pass


@dataclass(frozen=True, slots=True)
class SlowBody:
    seconds: float


@dataclass(frozen=True, slots=True)
class Reset:
    pass


@dataclass(frozen=True, slots=True)
class Delay:
    seconds: float


@dataclass(frozen=True, slots=True)
class Filter:
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OperationError:
    code: int
    message: str


@dataclass(frozen=True, slots=True)
class NoVideo:
    pass


@dataclass(frozen=True, slots=True)
class Latency:
    seconds: float


@dataclass(frozen=True, slots=True)
class Expire:
    pass


ReplacingAction = HttpError | HtmlPage | Redirect
ManglingAction = MalformedJson | SlowBody | Reset | Delay
TransportAction = ReplacingAction | ManglingAction
ResultAction = Filter | OperationError | NoVideo
OutcomeAction = ResultAction | Latency | Expire
Action = TransportAction | OutcomeAction

DEFAULT_FILTER_REASON = (
    "Veo could not generate 1 videos based on the prompt provided. You will not be charged for this "
    "request. Try rephrasing the prompt. Support codes: 42237218"
)


def is_outcome(action: Action) -> bool:
    return isinstance(action, Filter | OperationError | NoVideo | Latency | Expire)


# Factories, so tests read `sim.script("start", http_error(429, retry_after_s=3))`.
def http_error(status: int, retry_after_s: float | None = None) -> HttpError:
    return HttpError(status, retry_after_s)


def html_page(status: int = 200) -> HtmlPage:
    return HtmlPage(status)


def malformed_json() -> MalformedJson:
    return MalformedJson()


def slow_body(seconds: float) -> SlowBody:
    return SlowBody(seconds)


def reset() -> Reset:
    return Reset()


def redirect(host: str | None = None) -> Redirect:
    return Redirect(host)


def delay(seconds: float) -> Delay:
    return Delay(seconds)


def filter(reasons: tuple[str, ...] | list[str] | str = (DEFAULT_FILTER_REASON,)) -> Filter:
    if isinstance(reasons, str):
        reasons = (reasons,)
    return Filter(tuple(reasons))


def operation_error(code: int = 13, message: str = "Internal error while generating the video.") -> OperationError:
    return OperationError(code, message)


def no_video() -> NoVideo:
    return NoVideo()


def latency(seconds: float) -> Latency:
    return Latency(seconds)


def expire() -> Expire:
    return Expire()
