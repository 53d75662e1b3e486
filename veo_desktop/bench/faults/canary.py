"""Campaign 7, the canary scan: a fake key shaped like a Google API key ("AIza" + 35 characters) is the key of a
full scenario on every provider (Vertex express, Vertex with a project, Gemini Omni), with downloads redirected
to a second loopback host, 429/500/400 answers, HTML and malformed polls, resets, a filtered video, and the log
file switched on. In project mode the secrets are also the simulator's service account (its private key, each
line of the PEM body, and its key id) and every access token the simulator issued (`ya29.…`, renewed once after
the simulator expires them, and once more after a token endpoint 500). Afterwards none may appear anywhere
but where it must: not in the log, the database file (raw bytes, WAL included), the library (videos and
sidecars), any exception text, job message or event; and no credential in a request to any host but the
provider's API host (the blob host gets neither the key nor a token; the token endpoint gets no Bearer).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import string
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from veo_desktop.bench.faults.engine_rig import PROVIDERS, EngineRig, open_rig
from veo_desktop.bench.faults.invariants import check_invariants, scan_texts
from veo_desktop.bench.faults.report import Table
from veo_desktop.client.base import StartSpec, VeoProvider
from veo_desktop.logging_setup import configure_logging, remove_handlers
from veo_desktop.simulator import http_error

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
ACCESS_TOKEN = re.compile(rb"ya29\.[0-9A-Za-z_\-.]{8,}")
API_HOSTS = {"vertex": {"vertex"}, "vertex-project": {"vertex", "vertex_regional"}, "gemini": {"gemini"}}


def make_canary(seed: int = 1) -> str:
    rng = random.Random(seed)
    return "AIza" + "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(35))


def private_key_needles(info: dict[str, object] | None) -> list[str]:
    """The service account's secrets as they could leak: the whole PEM, each line of its body, its key id."""
    if not info:
        return []
    pem = str(info.get("private_key") or "")
    lines = [line for line in pem.splitlines() if len(line) >= 16 and "PRIVATE KEY" not in line]
    return [pem, *lines, str(info.get("private_key_id") or "")]


class _Capture(logging.Handler):
    """Every record as it would be printed, exception text included (before any filter of ours)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(logging.Formatter().format(record))


async def _drive(rig: EngineRig, provider: str) -> list[str]:
    """Submit the scenario's jobs (Omni: every other one delivered by URI) and let them settle; in project
    mode expire every token halfway and fail the token endpoint once, so renewals happen. Returns the job
    messages and event details."""
    jobs = []
    for i, d in enumerate(DIRECTIVES):
        jobs.append(await rig.submit(f"canary {provider} {i} a kite {d}", duration_s=4 if i % 2 else None))
        if provider == "vertex-project" and i == len(DIRECTIVES) // 2:
            await asyncio.sleep(0.3)
            rig.sim.script("token", http_error(500))
            rig.sim.expire_tokens()
    settled = await rig.wait_settled([j.id for j in jobs], timeout_s=120)
    texts = [j.error_message or "" for j in settled] + [j.note or "" for j in settled]
    return texts + [e.detail for e in await rig.running.engine.events(limit=10_000)]


async def scenario(provider: str, root: Path, canary: str) -> tuple[list[str], list[str], int, int]:
    """Run the scenario; returns (violations, captured texts, requests the simulator logged, secrets sought)."""
    log_path = configure_logging(root / "data" / "logs")
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    texts: list[str] = []
    try:
        rig = await open_rig(root, provider=provider, key=canary)
        try:
            texts += await _drive(rig, provider)
            texts += await _provoke_errors(rig.running.dispatcher.deps.providers.current(), root)
        finally:
            await rig.close()
    finally:
        logging.getLogger().removeHandler(capture)
        remove_handlers()
    texts += capture.texts
    needles = [canary, *private_key_needles(rig.service_account)]
    scan = [rig.paths.data_dir, rig.paths.library_dir, log_path.parent]
    violations = _scan_everything(rig, needles, texts, scan)
    violations += _scan_requests(rig, provider, canary)
    if provider == "vertex-project" and rig.sim.stats.token_grants < 2:
        violations.append(f"only {rig.sim.stats.token_grants} tokens were issued: the renewals were not exercised")
    if not log_path.is_file() or log_path.stat().st_size == 0:
        violations.append("the log file was not written, so it proved nothing")
    return [f"{provider}: {v}" for v in violations], texts, len(rig.sim.stats.requests), len(needles)


def _scan_everything(rig: EngineRig, needles: list[str], texts: list[str], roots: list[Path]) -> list[str]:
    violations: list[str] = []
    for number, needle in enumerate(needles):
        report = check_invariants(
            rig.paths.database,
            rig.paths.library_dir,
            rig.sim.stats if number == 0 else None,
            staging_dir=rig.paths.staging_dir,
            canary=needle,
            scan_paths=roots,
        )
        what = "the key" if number == 0 else "the service account's private key"
        violations += [v.replace("the key", what) for v in report.violations if number == 0 or v.startswith("I8")]
        violations += [f"I8: {what} is in a message: {t[:60]}…" for t in scan_texts(needle, texts)]
    for path in _files(roots):
        found = ACCESS_TOKEN.search(path.read_bytes())
        if found:
            violations.append(f"I8: an access token ({found.group()[:9].decode()}…) is in {path}")
    violations += [f"I8: an access token is in a message: {t[:60]}…" for t in texts if ACCESS_TOKEN.search(t.encode())]
    return violations


def _files(roots: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    for root in roots:
        seen |= {p for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()
    return sorted(seen)


def _scan_requests(rig: EngineRig, provider: str, canary: str) -> list[str]:
    stats = rig.sim.stats
    with stats.lock:
        requests = list(stats.requests)
        kinds = {kind for kind, n in stats.credentials_seen_by_kind.items() if n}
    violations = [f"I8: the key is in a request line: {r.path}" for r in requests if canary in r.path]
    if stats.key_in_query:
        violations.append(f"I8: {stats.key_in_query} requests carried the key as ?key= (it ends up in URL logs)")
    if kinds - API_HOSTS[provider]:
        violations.append(f"I8: a key or token was sent to {sorted(kinds - API_HOSTS[provider])}")
    if provider == "gemini" and not any(r.host_kind == "blob" for r in requests):
        violations.append("no download was redirected to the blob host, so the redirect proved nothing")
    if provider == "gemini" and not any(r.host_header.startswith("127.0.0.2") for r in requests):
        violations.append("no request reached 127.0.0.2, so the other host proved nothing")
    return violations


async def _provoke_errors(provider: VeoProvider, root: Path) -> list[str]:
    """Exception texts of calls that fail: unknown operations, a refused model."""
    texts: list[str] = []
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: provider.poll("models/veo-3.1-fast-generate-001/operations/nosuchop", staging_dir=root),
        lambda: provider.poll("v1_nosuchinteraction", staging_dir=root),
        lambda: provider.start(StartSpec("veo-0-missing", "a kite", "16:9", 4, "720p")),
    ]
    for call in calls:
        try:
            await call()
        except Exception as exc:  # every failure's text is scanned, whatever its type
            texts += [str(exc), repr(exc), getattr(exc, "message", "")]
    return texts


def run(*, full: bool, workdir: Path) -> Table:
    canary = make_canary()
    table = Table(
        "canary scan (a fake AIza… key, the service account's private key, access tokens; a full scenario)",
        ("provider", "requests", "secrets sought", "texts scanned", "sent to other hosts", "found"),
    )
    for provider in PROVIDERS:
        violations, texts, requests, needles = asyncio.run(scenario(provider, workdir / f"canary-{provider}", canary))
        table.add(
            provider=provider,
            requests=requests,
            **{
                "secrets sought": needles + (1 if provider == "vertex-project" else 0),
                "texts scanned": len(texts),
                "sent to other hosts": sum("sent to" in v for v in violations),
                "found": len(violations),
            },
        )
        table.violations += violations
    return table
