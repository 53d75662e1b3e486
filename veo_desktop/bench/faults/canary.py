"""Campaign 7, the canary-key scan: a fake key shaped like a Google API key ("AIza" + 35 characters) is the key
of a full scenario in both dialects (downloads redirected to a second loopback host, 429/500/400 answers,
HTML and malformed polls, resets, a filtered video) with the log file switched on. Afterwards the key must
appear nowhere but where it must: not in the log, the database file (raw bytes, WAL included), the library
(videos and sidecars), any exception text or job message, nor in a request to any host but the API host.
"""

from __future__ import annotations

import asyncio
import logging
import random
import string
from collections.abc import Awaitable, Callable
from pathlib import Path

from veo_desktop.bench.faults.engine_rig import open_rig
from veo_desktop.bench.faults.invariants import check_invariants, scan_texts
from veo_desktop.bench.faults.report import Table
from veo_desktop.client.base import StartSpec, VeoProvider
from veo_desktop.core.errors import VeoError
from veo_desktop.logging_setup import configure_logging, remove_handlers

DIRECTIVES = (
    "",
    "[sim:429x1]",
    "[sim:500x1]",
    "[sim:400]",
    "[sim:redirect]",
    "[sim:filter]",
    "[sim:html]",
    "[sim:badjson]",
    "[sim:reset]",
    "[sim:error]",
    "",
)


def make_canary(seed: int = 1) -> str:
    rng = random.Random(seed)
    return "AIza" + "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(35))


class _Capture(logging.Handler):
    """Every record as it would be printed, exception text included (before any filter of ours)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(logging.Formatter().format(record))


async def scenario(provider: str, root: Path, canary: str) -> tuple[list[str], list[str], int]:
    """Run the scenario; returns (violations, captured texts, requests the simulator logged)."""
    log_path = configure_logging(root / "data" / "logs")
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    texts: list[str] = []
    try:
        rig = await open_rig(root, provider=provider, key=canary)
        try:
            jobs = [await rig.submit(f"canary {provider} {i} a kite {d}") for i, d in enumerate(DIRECTIVES)]
            settled = await rig.wait_settled([j.id for j in jobs], timeout_s=120)
            texts += [j.error_message or "" for j in settled] + [j.note or "" for j in settled]
            texts += [e.detail for e in await rig.running.engine.events(limit=10_000)]
            texts += await _provoke_errors(rig.running.dispatcher.deps.providers.current(), root)
        finally:
            await rig.close()
    finally:
        logging.getLogger().removeHandler(capture)
        remove_handlers()
    report = check_invariants(
        rig.paths.database,
        rig.paths.library_dir,
        rig.sim.stats,
        staging_dir=rig.paths.staging_dir,
        canary=canary,
        scan_paths=[rig.paths.data_dir, log_path.parent],
    )
    violations = list(report.violations)
    texts += capture.texts
    violations += [f"I8: the key is in a message: {t}" for t in scan_texts(canary, texts)]
    with rig.sim.stats.lock:
        requests = list(rig.sim.stats.requests)
    violations += [f"I8: the key is in a request line: {r.path}" for r in requests if canary in r.path]
    if not any(r.host_header.startswith("127.0.0.2") for r in requests) and provider == "gemini":
        violations.append("no download was redirected to 127.0.0.2, so the redirect proved nothing")
    if not log_path.is_file() or log_path.stat().st_size == 0:
        violations.append("the log file was not written, so it proved nothing")
    return [f"{provider}: {v}" for v in violations], texts, len(requests)


async def _provoke_errors(provider: VeoProvider, root: Path) -> list[str]:
    """Exception texts of calls that fail: an unknown operation, a refused model."""
    texts: list[str] = []
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: provider.poll("models/veo-3.1-fast-generate-001/operations/nosuchop", staging_dir=root),
        lambda: provider.start(StartSpec("veo-0-missing", "a kite", "16:9", 4, "720p")),
    ]
    for call in calls:
        try:
            await call()
        except VeoError as exc:
            texts += [str(exc), repr(exc), exc.message]
    return texts


def run(*, full: bool, workdir: Path) -> Table:
    canary = make_canary()
    table = Table(
        "canary-key scan (a fake AIza… key through a full scenario)",
        ("provider", "requests", "texts scanned", "key on other hosts", "found"),
    )
    for provider in ("vertex", "gemini"):
        violations, texts, requests = asyncio.run(scenario(provider, workdir / f"canary-{provider}", canary))
        table.add(
            provider=provider,
            requests=requests,
            **{
                "texts scanned": len(texts),
                "key on other hosts": sum("sent to" in v for v in violations),
                "found": len(violations),
            },
        )
        table.violations += violations
    return table
