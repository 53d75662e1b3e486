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

Phase = Literal["start", "poll", "file", "download", "list", "token", "cancel"]
PHASES: tuple[Phase, ...] = ("start", "poll", "file", "download", "list", "token", "cancel")


@dataclass(frozen=True, slots=True)
class HttpError:
    status: int
    retry_after_s: float | None = None  # adds a google.rpc.RetryInfo detail when given


@dataclass(frozen=True, slots=True)
class InvalidGrant:
    """The token endpoint's refusal of a credential (google-auth raises RefreshError)."""

    description: str = "Invalid JWT Signature."


@dataclass(frozen=True, slots=True)
class ResetBeforeBody:
    """Close the connection (RST) before reading the request body: nothing was received."""


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
class MissingName:
    """The server did the work but answered `200 {}`: no operation name, no interaction id."""


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
    count: int | None = None  # samples filtered; None: every sample (Omni: the safety block)


@dataclass(frozen=True, slots=True)
class OperationError:
    code: int
    message: str


@dataclass(frozen=True, slots=True)
class NoVideo:
    pass


@dataclass(frozen=True, slots=True)
class TerminalStatus:
    """Omni: the interaction ends in this status (`budget_exceeded`, `incomplete`, `requires_action`, ...)."""

    status: str


@dataclass(frozen=True, slots=True)
class FileFailed:
    """Omni: the generated file goes PROCESSING -> FAILED."""


@dataclass(frozen=True, slots=True)
class TruncatedBase64:
    """Vertex: the finished answer is valid JSON, but every video's base64 stops halfway (an invalid length)."""


@dataclass(frozen=True, slots=True)
class VideoSize:
    """Pad every video of the generation to this many bytes (the "huge body" case)."""

    size_bytes: int


@dataclass(frozen=True, slots=True)
class Latency:
    seconds: float


@dataclass(frozen=True, slots=True)
class Expire:
    pass


ReplacingAction = HttpError | HtmlPage | Redirect | InvalidGrant | ResetBeforeBody
ManglingAction = MalformedJson | MissingName | SlowBody | Reset | Delay
TransportAction = ReplacingAction | ManglingAction
ResultAction = Filter | OperationError | NoVideo | TerminalStatus
OutcomeAction = ResultAction | Latency | Expire | FileFailed | VideoSize | TruncatedBase64
Action = TransportAction | OutcomeAction
_OUTCOMES = (Filter, OperationError, NoVideo, TerminalStatus, Latency, Expire, FileFailed, VideoSize, TruncatedBase64)


def filter_reason(count: int, support_code: str = "42237218") -> str:
    return (
        f"Veo could not generate {count} videos based on the prompt provided. You will not be charged for this "
        "request. Try rephrasing the prompt. If you think this was an error, send feedback. "
        f"Support codes: {support_code}"
    )


DEFAULT_FILTER_REASON = filter_reason(1)
POLICY_BLOCK_MESSAGE = (
    "The prompt could not be submitted. This prompt contains words that violate Vertex AI's usage "
    "guidelines. Try rephrasing the prompt. If you think this was an error, send feedback. Support codes: 61493863"
)


def is_outcome(action: Action) -> bool:
    return isinstance(action, _OUTCOMES)


# Factories, so tests read `sim.script("start", http_error(429, retry_after_s=3))`.
def http_error(status: int, retry_after_s: float | None = None) -> HttpError:
    return HttpError(status, retry_after_s)


def html_page(status: int = 200) -> HtmlPage:
    return HtmlPage(status)


def malformed_json() -> MalformedJson:
    return MalformedJson()


def missing_name() -> MissingName:
    return MissingName()


def slow_body(seconds: float) -> SlowBody:
    return SlowBody(seconds)


def reset() -> Reset:
    return Reset()


def redirect(host: str | None = None) -> Redirect:
    return Redirect(host)


def delay(seconds: float) -> Delay:
    return Delay(seconds)


def filter(reasons: tuple[str, ...] | list[str] | str = (DEFAULT_FILTER_REASON,), count: int | None = None) -> Filter:
    """Filter `count` samples (None: all) with Google's reason text; Omni: the prompt is blocked."""
    if isinstance(reasons, str):
        reasons = (reasons,)
    return Filter(tuple(reasons), count)


def operation_error(code: int = 13, message: str | None = None) -> OperationError:
    if message is None:
        message = POLICY_BLOCK_MESSAGE if code == 3 else "Internal error while generating the video."
    return OperationError(code, message)


def invalid_grant(description: str = "Invalid JWT Signature.") -> InvalidGrant:
    return InvalidGrant(description)


def reset_before_body() -> ResetBeforeBody:
    return ResetBeforeBody()


def terminal_status(status: str) -> TerminalStatus:
    return TerminalStatus(status)


def file_failed() -> FileFailed:
    return FileFailed()


def truncated_base64() -> TruncatedBase64:
    return TruncatedBase64()


def video_size(size_bytes: int) -> VideoSize:
    return VideoSize(size_bytes)


def no_video() -> NoVideo:
    return NoVideo()


def latency(seconds: float) -> Latency:
    return Latency(seconds)


def expire() -> Expire:
    return Expire()
