"""The simulator's state: operations, their files, the quota and the counters tests read.

An operation is "in flight" from its accepted start until its generation time has passed on the
simulator's clock, whether or not anyone polls it (Google's quota counts the same way)."""

from __future__ import annotations

import collections
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from veo_desktop.core.clock import Clock
from veo_desktop.simulator import errors
from veo_desktop.simulator.script import OutcomePlan

Dialect = Literal["vertex", "gemini"]
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class StartRecord(NamedTuple):
    prompt: str
    model: str
    operation_name: str


class RequestRecord(NamedTuple):
    host_header: str
    client_host: str
    method: str
    path: str  # a `key=` query value is replaced by REDACTED: the key itself is never stored
    key_present: bool
    key_valid: bool


@dataclass
class SimStats:
    accepted_starts: int = 0
    starts: list[StartRecord] = field(default_factory=list)
    peak_in_flight: int = 0
    polls: int = 0
    downloads: int = 0  # media answers (200/206) begun, on either host
    requests: list[RequestRecord] = field(default_factory=list)
    key_seen_on_hosts: set[str] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def record_request(self, record: RequestRecord, bound_host: str) -> None:
        """Log a request; `bound_host` is the server address it arrived on (for the key-leak canary)."""
        with self.lock:
            self.requests.append(record)
            if record.key_present:
                self.key_seen_on_hosts.add(bound_host)

    def count(self, counter: Literal["polls", "downloads"]) -> None:
        with self.lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def snapshot(self, in_flight: int) -> dict[str, Any]:
        with self.lock:
            return {
                "accepted_starts": self.accepted_starts,
                "peak_in_flight": self.peak_in_flight,
                "in_flight": in_flight,
                "polls": self.polls,
                "downloads": self.downloads,
                "key_seen_on_hosts": sorted(self.key_seen_on_hosts),
            }


@dataclass
class SimOperation:
    id: str
    name: str
    dialect: Dialect
    model: str
    prompt: str
    aspect_ratio: str
    sample_count: int
    storage_uri: str | None
    started_at_s: float
    latency_s: float
    plan: OutcomePlan
    file_ids: tuple[str, ...] = ()
    expired: bool = False  # an `expire` outcome answers done once, then 404

    @property
    def done_at_s(self) -> float:
        return self.started_at_s + self.latency_s

    def is_done(self, now_s: float) -> bool:
        return now_s >= self.done_at_s


@dataclass(frozen=True, slots=True)
class StartRequest:
    dialect: Dialect
    model: str
    prompt: str
    aspect_ratio: str
    sample_count: int
    storage_uri: str | None


@dataclass(frozen=True, slots=True)
class Quota:
    max_in_flight: int  # 0 = unlimited
    max_starts_per_minute: int  # 0 = unlimited


class OperationBook:
    def __init__(
        self,
        *,
        clock: Clock,
        seed: int,
        latency_s: tuple[float, float],
        quota: Quota,
        retention_s: float,
        stats: SimStats,
        name_prefix: dict[Dialect, str],  # what comes before "models/..." in operation names
    ) -> None:
        self._clock = clock
        self._rng = random.Random(seed)
        self._latency_s = latency_s
        self._quota = quota
        self._retention_s = retention_s
        self._stats = stats
        self._lock = stats.lock
        self._prefix = name_prefix
        self._ops: dict[str, SimOperation] = {}
        self._files: dict[str, tuple[SimOperation, int]] = {}
        self._start_times_s: collections.deque[float] = collections.deque()

    def operations(self) -> list[SimOperation]:
        """Every operation started so far, oldest first (benchmarks read their generation times)."""
        with self._lock:
            return sorted(self._ops.values(), key=lambda op: op.started_at_s)

    def in_flight(self) -> int:
        with self._lock:
            now_s = self._clock.monotonic()
            return sum(1 for op in self._ops.values() if not op.is_done(now_s))

    def admit(self, request: StartRequest, plan_outcome: Callable[[], OutcomePlan]) -> SimOperation:
        """Accept a start, or raise a 429 when it would break the simulator's own quota. `plan_outcome`
        runs only once the start is accepted, so a refused start consumes no scripted outcome."""
        with self._lock:
            now_s = self._clock.monotonic()
            self._check_quota(now_s)
            op = self._new_operation(request, plan_outcome(), now_s)
            self._ops[op.name] = op
            for index, file_id in enumerate(op.file_ids):
                self._files[file_id] = (op, index)
            self._start_times_s.append(now_s)
            self._stats.accepted_starts += 1
            self._stats.starts.append(StartRecord(request.prompt, request.model, op.name))
            self._stats.peak_in_flight = max(self._stats.peak_in_flight, self.in_flight())
            return op

    def _check_quota(self, now_s: float) -> None:
        running = [op.done_at_s - now_s for op in self._ops.values() if not op.is_done(now_s)]
        limit = self._quota.max_in_flight
        if limit and len(running) >= limit:
            raise errors.quota_exhausted(
                f"Quota exceeded: at most {limit} video generations may run at once; retry when one finishes.",
                min(running),
            )
        per_minute = self._quota.max_starts_per_minute
        while self._start_times_s and self._start_times_s[0] <= now_s - 60.0:
            self._start_times_s.popleft()
        if per_minute and len(self._start_times_s) >= per_minute:
            raise errors.quota_exhausted(
                f"Quota exceeded for video generation requests per minute (limit {per_minute}).",
                self._start_times_s[0] + 60.0 - now_s,
            )

    def _new_operation(self, request: StartRequest, plan: OutcomePlan, now_s: float) -> SimOperation:
        if request.dialect == "vertex":
            op_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        else:
            op_id = self._random_id(12)
        files = tuple(self._random_id(12) for _ in range(request.sample_count)) if request.dialect == "gemini" else ()
        low, high = self._latency_s
        latency_s = plan.latency_s if plan.latency_s is not None else self._rng.uniform(low, high)
        return SimOperation(
            id=op_id,
            name=f"{self._prefix[request.dialect]}models/{request.model}/operations/{op_id}",
            dialect=request.dialect,
            model=request.model,
            prompt=request.prompt,
            aspect_ratio=request.aspect_ratio,
            sample_count=request.sample_count,
            storage_uri=request.storage_uri,
            started_at_s=now_s,
            latency_s=latency_s,
            plan=plan,
            file_ids=files,
        )

    def _random_id(self, length: int) -> str:
        return "".join(self._rng.choice(_ID_ALPHABET) for _ in range(length))

    def lookup(self, name: str) -> SimOperation | None:
        """The operation, or None when unknown or expired (both answer 404)."""
        with self._lock:
            op = self._ops.get(name)
            return None if op is None or self._is_expired(op) else op

    def lookup_file(self, file_id: str) -> tuple[SimOperation, int] | None:
        with self._lock:
            entry = self._files.get(file_id)
            if entry is None or self._is_expired(entry[0]) or not entry[0].is_done(self._clock.monotonic()):
                return None
            return entry

    def _is_expired(self, op: SimOperation) -> bool:
        now_s = self._clock.monotonic()
        return op.expired or (op.is_done(now_s) and now_s > op.done_at_s + self._retention_s)

    def observe_done(self, op: SimOperation) -> None:
        """A poll answered `done`: an op scripted to expire is gone from now on (polls and files 404)."""
        if op.plan.expire:
            with self._lock:
                op.expired = True

    def expire(self, name: str | None = None) -> int:
        """Expire one operation (by name) or all; returns how many. Polls and downloads then answer 404."""
        with self._lock:
            targets = [self._ops[name]] if name is not None and name in self._ops else []
            if name is None:
                targets = list(self._ops.values())
            for op in targets:
                op.expired = True
            return len(targets)

    def now_s(self) -> float:
        return self._clock.monotonic()
