"""Per-prompt directives: `[sim:KIND[=VALUE][xN][@PHASE]]` embedded in a prompt (grammar in the package
docstring). Parsing is pure; counting how often a directive already fired lives in `script.ScriptBook`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from veo_desktop.simulator import actions as a

_DIRECTIVE = re.compile(
    r"\[sim:(?P<kind>\d{3}|[a-z]+)(?:=(?P<value>[0-9]+(?:\.[0-9]+)?))?"
    r"(?:x(?P<count>[0-9]+))?(?:@(?P<phase>start|poll|file|download|list|cancel))?\]"
)

# kind -> (default phase, default count; None = every time)
_TRANSPORT_DEFAULTS: dict[str, tuple[a.Phase, int | None]] = {
    "html": ("poll", 1),
    "badjson": ("poll", 1),
    "reset": ("download", 1),
    "redirect": ("download", None),
    "slow": ("download", 1),
    "delay": ("poll", 1),
    "noname": ("start", 1),
}


@dataclass(frozen=True, slots=True)
class TransportDirective:
    index: int  # position in the prompt, so two equal directives count separately
    phase: a.Phase
    action: a.TransportAction
    count: int | None


@dataclass(frozen=True, slots=True)
class Directives:
    transport: tuple[TransportDirective, ...]
    outcomes: tuple[a.OutcomeAction, ...]


def parse_directives(prompt: str) -> Directives:
    transport: list[TransportDirective] = []
    outcomes: list[a.OutcomeAction] = []
    for index, match in enumerate(_DIRECTIVE.finditer(prompt)):
        kind = match["kind"]
        value = float(match["value"]) if match["value"] else None
        count = int(match["count"]) if match["count"] else None
        outcome = _outcome(kind, value)
        if outcome is not None:
            outcomes.append(outcome)
            continue
        parsed = _transport(kind, value)
        if parsed is None:
            continue  # unknown directives are left alone: they are just prompt text
        action, default_phase, default_count = parsed
        phase: a.Phase = match["phase"] or default_phase  # type: ignore[assignment]
        transport.append(TransportDirective(index, phase, action, count or default_count))
    return Directives(tuple(transport), tuple(outcomes))


def _outcome(kind: str, value: float | None) -> a.OutcomeAction | None:
    if kind == "filter":
        return a.filter(count=int(value) if value is not None else None)
    if kind == "budget":
        return a.terminal_status("budget_exceeded")
    if kind == "truncb64":
        return a.truncated_base64()
    if kind == "filefail":
        return a.file_failed()
    if kind == "size" and value is not None:
        return a.video_size(int(value * 1024 * 1024))
    if kind == "error":
        return a.operation_error(int(value) if value is not None else 13)
    if kind == "novideo":
        return a.no_video()
    if kind == "latency" and value is not None:
        return a.latency(value)
    if kind == "expire":
        return a.expire()
    return None


def _transport(kind: str, value: float | None) -> tuple[a.TransportAction, a.Phase, int | None] | None:
    if kind.isdigit():
        status = int(kind)
        # Quota and server errors are transient (fire once by default); other 4xx are permanent.
        transient = status == 429 or status >= 500
        # No RetryInfo of its own: Vertex answers without one, Gemini adds 1 s (errors.stock_error).
        return a.HttpError(status, None), "start", 1 if transient else None
    if kind not in _TRANSPORT_DEFAULTS:
        return None
    phase, count = _TRANSPORT_DEFAULTS[kind]
    action: a.TransportAction
    if kind == "html":
        action = a.HtmlPage(200)
    elif kind == "badjson":
        action = a.MalformedJson()
    elif kind == "noname":
        action = a.MissingName()
    elif kind == "reset":
        action = a.Reset()
    elif kind == "redirect":
        action = a.Redirect(None)
    elif kind == "slow":
        action = a.SlowBody(value if value is not None else 5.0)
    else:
        action = a.Delay(value if value is not None else 5.0)
    return action, phase, count
