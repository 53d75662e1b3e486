"""The simulator's state: operations (Vertex) and interactions (Omni), their files, the quota and the counters
tests read.

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

Dialect = Literal["vertex", "omni"]
Provider = Literal["vertex", "vertex-project", "gemini"]
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class StartRecord(NamedTuple):
    prompt: str
    model: str
    operation_name: str  # Vertex: the operation name; Omni: the interaction id


class RequestRecord(NamedTuple):
    host_header: str
    client_host: str
    method: str
    path: str  # a `key=` query value is replaced by REDACTED: the key itself is never stored
    key_present: bool
    key_valid: bool
    host_kind: str = ""  # vertex | vertex_regional | gemini | oauth | blob
    bearer_present: bool = False


@dataclass
class SimStats:
    accepted_starts: int = 0
    starts: list[StartRecord] = field(default_factory=list)
    starts_by_provider: collections.Counter[str] = field(default_factory=collections.Counter)
    peak_in_flight: int = 0
    polls: int = 0
    file_checks: int = 0
    downloads: int = 0  # media answers (200/206) begun, on any host
    token_grants: int = 0  # access tokens issued
    key_in_query: int = 0  # requests that carried the key as `?key=` (a leak into URLs and logs)
    requests: list[RequestRecord] = field(default_factory=list)
    key_seen_on_hosts: set[str] = field(default_factory=set)  # bound addresses that received a key
    credentials_seen_by_kind: collections.Counter[str] = field(default_factory=collections.Counter)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def record_request(self, record: RequestRecord, bound_host: str) -> None:
        """Log a request; `bound_host` is the server address it arrived on (for the key-leak canary)."""
        with self.lock:
            self.requests.append(record)
            if record.key_present:
                self.key_seen_on_hosts.add(bound_host)
            if record.key_present or record.bearer_present:
                self.credentials_seen_by_kind[record.host_kind] += 1
            if "key=REDACTED" in record.path:
                self.key_in_query += 1

    @property
    def blob_credentials_seen(self) -> int:
        """Requests on the blob (download) host that carried a key or an Authorization header."""
        with self.lock:
            return self.credentials_seen_by_kind["blob"]

    def count(self, counter: Literal["polls", "downloads", "file_checks", "token_grants"]) -> None:
        with self.lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def snapshot(self, in_flight: int) -> dict[str, Any]:
        with self.lock:
            return {
                "accepted_starts": self.accepted_starts,
                "starts_by_provider": dict(self.starts_by_provider),
                "peak_in_flight": self.peak_in_flight,
                "in_flight": in_flight,
                "polls": self.polls,
                "file_checks": self.file_checks,
                "downloads": self.downloads,
                "token_grants": self.token_grants,
                "key_in_query": self.key_in_query,
                "key_seen_on_hosts": sorted(self.key_seen_on_hosts),
                "credentials_seen_by_kind": dict(self.credentials_seen_by_kind),
            }


@dataclass(frozen=True, slots=True)
class StartRequest:
    """An accepted start's parameters, as the generation needs them."""

    dialect: Dialect
    provider: Provider
    model: str
    prompt: str
    aspect_ratio: str
    sample_count: int
    storage_uri: str | None
    duration_s: int = 8
    audio: bool = True
    resolution: str = "720p"
    switches: dict[str, str] = field(default_factory=dict)  # resolved at the start, kept for its later calls
    name_project: str = ""  # Vertex: the project written into the operation name
    location: str = "global"
    # Omni
    delivery: str = "inline"
    store: bool = True
    background: bool = True
    previous_id: str | None = None
    input_tokens: int = 0
    steps_input: tuple[dict[str, Any], ...] = ()
    chain_s: int = 0  # seconds of video in the earlier turns of this conversation
    received: dict[str, Any] = field(default_factory=dict)  # the start's JSON body, outlined (`outline`)


def outline(value: Any) -> Any:
    """A request body as tests read it: every base64 payload (`bytesBase64Encoded`, Omni's `data`) replaced by
    the number of characters it had, so what was sent can be checked without keeping the media."""
    if isinstance(value, dict):
        return {
            k: f"<{len(v)} chars>" if k in ("bytesBase64Encoded", "data") and isinstance(v, str) else outline(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [outline(v) for v in value]
    return value


@dataclass
class SimOperation:
    id: str
    name: str
    request: StartRequest
    started_at_s: float
    latency_s: float
    plan: OutcomePlan
    file_ids: tuple[str, ...] = ()
    expired: bool = False  # an `expire` outcome answers done once, then 404
    cancel_at_s: float | None = None  # Omni: cancelled from this time on, if it had not finished before
    deleted: bool = False

    # The names older code reads.
    @property
    def dialect(self) -> Dialect:
        return self.request.dialect

    @property
    def model(self) -> str:
        return self.request.model

    @property
    def prompt(self) -> str:
        return self.request.prompt

    @property
    def aspect_ratio(self) -> str:
        return self.request.aspect_ratio

    @property
    def sample_count(self) -> int:
        return self.request.sample_count

    @property
    def storage_uri(self) -> str | None:
        return self.request.storage_uri

    @property
    def done_at_s(self) -> float:
        return self.started_at_s + self.latency_s

    def is_done(self, now_s: float) -> bool:
        return now_s >= self.done_at_s or self.is_cancelled(now_s)

    def is_cancelled(self, now_s: float) -> bool:
        return self.cancel_at_s is not None and now_s >= self.cancel_at_s and self.cancel_at_s < self.done_at_s


@dataclass(frozen=True, slots=True)
class Quota:
    max_in_flight: int  # 0 = unlimited; across every provider
    max_starts_per_minute: int  # 0 = unlimited; per provider and model


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
    ) -> None:
        self._clock = clock
        self._rng = random.Random(seed)
        self._latency_s = latency_s
        self._quota = quota
        self._retention_s = retention_s
        self._stats = stats
        self._lock = stats.lock
        self._ops: dict[str, SimOperation] = {}  # by canonical name (Vertex) or id (Omni)
        self._files: dict[str, tuple[SimOperation, int]] = {}
        self._start_times_s: dict[tuple[str, str], collections.deque[float]] = collections.defaultdict(
            collections.deque
        )

    def operations(self) -> list[SimOperation]:
        """Every operation started so far, oldest first (benchmarks read their generation times)."""
        with self._lock:
            return sorted(self._ops.values(), key=lambda op: op.started_at_s)

    def in_flight(self) -> int:
        with self._lock:
            now_s = self._clock.monotonic()
            return sum(1 for op in self._ops.values() if not op.is_done(now_s))

    def admit(
        self,
        request: StartRequest,
        plan_outcome: Callable[[], OutcomePlan],
        *,
        key: str,
        quota_error: Callable[[str, float], errors.ApiError],
        precheck: Callable[[OutcomePlan], None] | None = None,
    ) -> SimOperation:
        """Accept a start, or raise a 429 (`quota_error(message, retry_after_s)`) when it would break the
        simulator's own quota. `plan_outcome` runs only once the quota allows the start; `precheck` may still
        refuse it from its plan (Omni's safety block at create). `key` canonicalises the operation's name."""
        with self._lock:
            now_s = self._clock.monotonic()
            self._check_quota(request, now_s, quota_error)
            plan = plan_outcome()
            if precheck is not None:
                precheck(plan)
            op = self._new_operation(request, plan, now_s)
            self._ops[key.replace("{id}", op.id)] = op
            for index, file_id in enumerate(op.file_ids):
                self._files[file_id] = (op, index)
            self._start_times_s[(request.provider, request.model)].append(now_s)
            self._stats.accepted_starts += 1
            self._stats.starts_by_provider[request.provider] += 1
            self._stats.starts.append(StartRecord(request.prompt, request.model, op.name))
            self._stats.peak_in_flight = max(self._stats.peak_in_flight, self.in_flight())
            return op

    def _check_quota(
        self, request: StartRequest, now_s: float, quota_error: Callable[[str, float], errors.ApiError]
    ) -> None:
        running = [op.done_at_s - now_s for op in self._ops.values() if not op.is_done(now_s)]
        limit = self._quota.max_in_flight
        if limit and len(running) >= limit:
            message = f"Quota exceeded: at most {limit} video generations may run at once; retry when one finishes."
            raise quota_error(message, min(running))
        per_minute = self._quota.max_starts_per_minute
        times = self._start_times_s[(request.provider, request.model)]
        while times and times[0] <= now_s - 60.0:
            times.popleft()
        if per_minute and len(times) >= per_minute:
            message = (
                f"Quota exceeded for video generation requests per minute per base model: {request.model} "
                f"(limit {per_minute})."
            )
            raise quota_error(message, times[0] + 60.0 - now_s)

    def _new_operation(self, request: StartRequest, plan: OutcomePlan, now_s: float) -> SimOperation:
        files: tuple[str, ...] = ()
        if request.dialect == "vertex":
            op_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
            name = (
                f"projects/{request.name_project}/locations/{request.location}/publishers/google/models/"
                f"{request.model}/operations/{op_id}"
            )
        else:
            op_id = "v1_" + "".join(self._rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                                    for _ in range(22))  # fmt: skip
            name = op_id
            files = (self._random_id(12),)
        low, high = self._latency_s
        latency_s = plan.latency_s if plan.latency_s is not None else self._rng.uniform(low, high)
        return SimOperation(op_id, name, request, now_s, latency_s, plan, files)

    def _random_id(self, length: int) -> str:
        return "".join(self._rng.choice(_ID_ALPHABET) for _ in range(length))

    def lookup(self, key: str) -> SimOperation | None:
        """The operation, or None when unknown, expired or deleted (all answer 404)."""
        with self._lock:
            op = self._ops.get(key)
            return None if op is None or op.deleted or self._is_expired(op) else op

    def lookup_file(self, file_id: str) -> tuple[SimOperation, int] | None:
        """A file of a finished generation that is still kept (48 h), or None."""
        with self._lock:
            entry = self._files.get(file_id)
            if entry is None or entry[0].deleted or self._is_expired(entry[0]):
                return None
            if not entry[0].is_done(self._clock.monotonic()):
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
        """Expire one operation (by name or interaction id) or all; returns how many."""
        with self._lock:
            if name is None:
                targets = list(self._ops.values())
            else:
                targets = [op for op in self._ops.values() if name in (op.name, op.id)]
            for op in targets:
                op.expired = True
            return len(targets)

    def cancel(self, op: SimOperation, delay_s: float) -> None:
        with self._lock:
            if op.cancel_at_s is None:
                op.cancel_at_s = self._clock.monotonic() + delay_s

    def delete(self, op: SimOperation) -> None:
        with self._lock:
            op.deleted = True

    def now_s(self) -> float:
        return self._clock.monotonic()
