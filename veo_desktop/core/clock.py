"""Clocks are arguments. `monotonic()` drives timeouts and backoff; `wall_ms()` is for timestamps shown to
people and shared between processes (rate windows, leases). Wall-clock jumps never trigger anything that
`monotonic()` decides.

- SystemClock: the real one.
- ScaledClock: real time sped up by `speed` (the simulator and tests use it so a 60 s generation takes 0.6 s
  at speed=100). Every process that shares a scaled scenario must use the same speed.
- ManualClock: time moves only when a test calls `advance()`.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def wall_ms(self) -> int: ...

    async def sleep(self, seconds: float) -> None: ...

    def real_seconds(self, seconds: float) -> float:
        """How many real seconds `seconds` of this clock's time take (for socket timeouts)."""
        ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def real_seconds(self, seconds: float) -> float:
        return seconds


SCALED_EPOCH_S = 1_767_225_600  # 2026-01-01T00:00:00Z


class ScaledClock:
    """Time that runs `speed` times faster than real time. `wall_ms()` is anchored at a fixed instant
    (SCALED_EPOCH_S), so two processes with the same speed agree on it (leases, the start-rate window)."""

    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._mono0 = time.monotonic()

    def monotonic(self) -> float:
        return (time.monotonic() - self._mono0) * self.speed

    def wall_ms(self) -> int:
        return int((SCALED_EPOCH_S + (time.time() - SCALED_EPOCH_S) * self.speed) * 1000)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    def real_seconds(self, seconds: float) -> float:
        return seconds / self.speed


class ManualClock:
    """A virtual clock for tests: sleepers wake when `advance()` moves time past their deadline."""

    def __init__(self, start_s: float = 1_000.0, wall_start_ms: int = 1_767_225_600_000) -> None:
        self._now = start_s
        self._wall0_ms = wall_start_ms
        self._start = start_s
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = 0

    def monotonic(self) -> float:
        return self._now

    def wall_ms(self) -> int:
        return self._wall0_ms + int((self._now - self._start) * 1000)

    def real_seconds(self, seconds: float) -> float:
        return seconds

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq += 1
        heapq.heappush(self._sleepers, (self._now + seconds, self._seq, fut))
        await fut

    def next_deadline(self) -> float | None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None

    def advance(self, seconds: float) -> None:
        self.set(self._now + seconds)

    def set(self, now_s: float) -> None:
        self._now = max(self._now, now_s)
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, fut = heapq.heappop(self._sleepers)
            if not fut.done():
                fut.set_result(None)
