"""The script book: programmatic rules (`Simulator.script`) and per-prompt directives, consumed as requests
arrive. Thread-safe: the server answers each connection on its own thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from veo_desktop.simulator import actions as a
from veo_desktop.simulator.directives import Directives, parse_directives


@dataclass(slots=True)
class _Rule:
    phase: a.Phase
    action: a.Action
    match_prompt: str | None
    remaining: int | None  # None: fires every time

    def matches(self, phase: a.Phase, prompt: str | None) -> bool:
        if self.phase != phase or self.remaining == 0:
            return False
        return self.match_prompt is None or (prompt is not None and self.match_prompt in prompt)

    def consume(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1


@dataclass(slots=True)
class OutcomePlan:
    """What a generation will end in, gathered from rules and directives at the accepted start."""

    result: a.ResultAction | None = None
    latency_s: float | None = None
    expire: bool = False
    file_failed: bool = False
    size_bytes: int | None = None
    truncated_base64: bool = False

    def add(self, action: a.OutcomeAction) -> bool:
        """Take `action` if its slot is still free; returns whether it was used."""
        if isinstance(action, a.TruncatedBase64):
            if self.truncated_base64:
                return False
            self.truncated_base64 = True
        elif isinstance(action, a.FileFailed):
            if self.file_failed:
                return False
            self.file_failed = True
        elif isinstance(action, a.VideoSize):
            if self.size_bytes is not None:
                return False
            self.size_bytes = action.size_bytes
        elif isinstance(action, a.Latency):
            if self.latency_s is not None:
                return False
            self.latency_s = action.seconds
        elif isinstance(action, a.Expire):
            if self.expire:
                return False
            self.expire = True
        else:
            if self.result is not None:
                return False
            self.result = action
        return True


@dataclass
class ScriptBook:
    _rules: list[_Rule] = field(default_factory=list)
    _fired: dict[tuple[str, int], int] = field(default_factory=dict)  # (prompt, directive index) -> times
    _parsed: dict[str, Directives] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, phase: a.Phase, action: a.Action, *, match_prompt: str | None, times: int | None) -> None:
        if phase not in a.PHASES:
            raise ValueError(f"Unknown phase {phase!r}; use one of {', '.join(a.PHASES)}.")
        if isinstance(action, a.ResetBeforeBody) and match_prompt is not None:
            raise ValueError("A reset before the body is read cannot match a prompt (the prompt is in the body).")
        if a.is_outcome(action) and phase != "start":
            raise ValueError("Generation outcomes are decided when a start is accepted: use phase 'start'.")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every time.")
        with self._lock:
            self._rules.append(_Rule(phase, action, match_prompt, times))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._fired.clear()

    def take_transport(self, phase: a.Phase, prompt: str | None) -> a.TransportAction | None:
        """The fault to apply to this request, if any: scripted rules first, then the prompt's directives."""
        with self._lock:
            for rule in self._rules:
                transport = not a.is_outcome(rule.action) and not isinstance(rule.action, a.ResetBeforeBody)
                if transport and rule.matches(phase, prompt):
                    rule.consume()
                    return rule.action  # type: ignore[return-value]
            if prompt is None:
                return None
            for directive in self._directives(prompt).transport:
                key = (prompt, directive.index)
                fired = self._fired.get(key, 0)
                if directive.phase == phase and (directive.count is None or fired < directive.count):
                    self._fired[key] = fired + 1
                    return directive.action
        return None

    def take_pre_body(self, phase: a.Phase) -> bool:
        """Whether a `reset_before_body` rule (without match_prompt) fires for this request; consumes it."""
        with self._lock:
            for rule in self._rules:
                if (
                    isinstance(rule.action, a.ResetBeforeBody)
                    and rule.match_prompt is None
                    and rule.matches(phase, None)
                ):
                    rule.consume()
                    return True
        return False

    def take_outcomes(self, prompt: str) -> OutcomePlan:
        plan = OutcomePlan()
        with self._lock:
            for rule in self._rules:
                used = a.is_outcome(rule.action) and rule.matches("start", prompt)
                if used and plan.add(rule.action):  # type: ignore[arg-type]
                    rule.consume()
            for outcome in self._directives(prompt).outcomes:
                plan.add(outcome)
        return plan

    def _directives(self, prompt: str) -> Directives:
        parsed = self._parsed.get(prompt)
        if parsed is None:
            parsed = self._parsed[prompt] = parse_directives(prompt)
        return parsed
