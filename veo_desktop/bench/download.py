"""Download benchmark: the app's Gemini Omni download path against curl, and peak memory of the big-video paths.

The simulator (in this process) serves one finished Omni interaction delivered by URI (a 10 s video, the
`omni_get_after_uri=uri` switch) padded to the benchmark's size, and one finished Vertex operation. The
measured work runs in fresh processes (`bench.child`), so memory figures are theirs alone:
- throughput: `OmniProvider.download` (the file's state until ACTIVE, then `files/{id}:download?alt=media`,
  whose 302 to the blob host is followed by hand without the key; streamed to `.part` in 4 MiB batches
  written by a worker thread while the next batch is read, then fsync) against `curl -L -o` of the same URL
  through the same redirect — the median of nine interleaved runs of each, and the median of the nine
  pairs' ratios; curl does not fsync, so "curl, then fsync of its file" is timed too (the same durability as
  the app), and the same HTTP client reading the body to nowhere (the Python floor of the read side);
  without curl on the machine, a bare httpx stream is the reference;
- peak memory while downloading: RSS high-water mark minus RSS before the download, and tracemalloc's peak
  (a separate run: tracing slows the work) — flat means streamed, never held whole;
- the Vertex inline path: one poll whose answer carries the video as base64 (decoded in blocks to a staging
  file): the same two memory figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.bench.figures import figure
from veo_desktop.bench.loopback import start_simulator
from veo_desktop.client.base import StartSpec
from veo_desktop.client.http import make_http_client
from veo_desktop.client.omni import OmniProvider
from veo_desktop.client.vertex import VertexExpressProvider
from veo_desktop.simulator import Simulator, video_size

__all__ = ["download_section"]

MB = 1_000_000
_KEY = "sim-key"
_OMNI_MODEL = "gemini-omni-1.1-flash"
_VERTEX_MODEL = "veo-3.1-fast-generate-001"


def _spec(model_id: str, duration_s: int = 4) -> StartSpec:
    return StartSpec(
        model_id=model_id,
        prompt="a download benchmark",
        aspect_ratio="16:9",
        duration_s=duration_s,
        resolution="720p",
        person_generation="dont_allow" if model_id.startswith("veo") else None,
    )


async def _finished_operations(sim: Simulator, staging: Path) -> tuple[str, str]:
    """(Omni file id, Vertex operation name) of two generations that are done."""
    http = make_http_client()
    try:
        omni = OmniProvider(http, base_url=sim.gemini_url, api_key=lambda: _KEY)
        vertex = VertexExpressProvider(http, base_url=sim.vertex_url, api_key=lambda: _KEY)
        interaction = await omni.start(_spec(_OMNI_MODEL, duration_s=10))  # > 8 s: delivered by URI
        vertex_op = await vertex.start(_spec(_VERTEX_MODEL))
        while sim.in_flight():
            await asyncio.sleep(0.05)
        status = await omni.poll(interaction, staging_dir=staging)
        if not status.done or not status.videos or status.videos[0].file_id is None:
            raise RuntimeError(f"The Omni interaction did not end with a file to download: {status}")
        return status.videos[0].file_id.removeprefix("files/"), vertex_op
    finally:
        await http.aclose()


def _child(kind: str, base_url: str, name: str, dest: Path, *, trace: bool = False) -> dict[str, Any]:
    argv = [sys.executable, "-m", "veo_desktop.bench.child", kind, base_url, name, str(dest)]
    done = subprocess.run([*argv, *(["--trace"] if trace else [])], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    dest.unlink(missing_ok=True)
    for staged in dest.parent.glob("*.part"):
        staged.unlink()
    return result


def _reference_seconds(url: str, dest: Path) -> tuple[str, float, float]:
    """(name, seconds, seconds including an fsync of the file afterwards)."""
    curl = shutil.which("curl")
    started = time.perf_counter()
    if curl:
        # -L follows the files endpoint's 302 to the blob host, as the app does.
        argv = [curl, "-sS", "-f", "-L", "-o", str(dest), "-H", f"x-goog-api-key: {_KEY}", url]
        subprocess.run(argv, check=True)
        name = "curl"
    else:
        with httpx.stream("GET", url, headers={"x-goog-api-key": _KEY}, timeout=60, follow_redirects=True) as response:
            for _ in response.iter_raw():
                pass
        name = "httpx stream (no curl here)"
    seconds = time.perf_counter() - started
    if dest.exists():
        with dest.open("rb+") as written:
            os.fsync(written.fileno())
    synced = time.perf_counter() - started
    dest.unlink(missing_ok=True)
    return name, seconds, synced


def _throughput(sim: Simulator, file_id: str, size: int, work: Path, runs: int) -> dict[str, Any]:
    url = f"{sim.gemini_url}/v1beta/files/{file_id}:download?alt=media"
    app_s, bare_s, ref_s, synced_s, ref_name = [], [], [], [], ""
    for _ in range(runs):  # interleaved, so a noisy neighbour hurts all alike
        app = _child("download", sim.gemini_url, file_id, work / "app.mp4")
        if app["bytes"] != size:
            raise RuntimeError(f"The app downloaded {app['bytes']} bytes, not {size}.")
        app_s.append(app["seconds"])
        bare_s.append(_child("stream", sim.gemini_url, file_id, work / "bare.mp4")["seconds"])
        ref_name, seconds, synced = _reference_seconds(url, work / "reference.mp4")
        ref_s.append(seconds)
        synced_s.append(synced)

    def mb_s(seconds: list[float]) -> float:
        return round(size / MB / statistics.median(seconds), 1)

    return {
        "reference": ref_name,
        "runs": runs,
        "app_mb_s": mb_s(app_s),
        "reference_mb_s": mb_s(ref_s),
        "reference_then_fsync_mb_s": mb_s(synced_s),
        "bare_stream_mb_s": mb_s(bare_s),
        # The ratio of each interleaved pair, then their median: robust to the machine's speed drifting.
        "ratio_to_reference": round(statistics.median(r / a for r, a in zip(ref_s, app_s, strict=True)), 3),
        "ratio_to_reference_then_fsync": round(
            statistics.median(r / a for r, a in zip(synced_s, app_s, strict=True)), 3
        ),
        "app_s": [round(x, 3) for x in app_s],
        "bare_stream_s": [round(x, 3) for x in bare_s],
        "reference_s": [round(x, 3) for x in ref_s],
    }


def _memory(kind: str, base_url: str, name: str, work: Path) -> dict[str, float]:
    plain = _child(kind, base_url, name, work / "mem.mp4")
    traced = _child(kind, base_url, name, work / "mem.mp4", trace=True)
    return {
        "rss_before_mb": round(plain["rss_before_mb"], 1),
        "rss_high_water_mb": round(plain["rss_high_water_mb"], 1),
        "rss_growth_mb": round(plain["rss_high_water_mb"] - plain["rss_before_mb"], 1),
        "tracemalloc_peak_mb": round(traced["tracemalloc_peak_mb"], 2),
        "seconds": round(plain["seconds"], 2),
    }


def download_section(quick: bool) -> dict[str, Any]:
    size = 20 * MB if quick else 200 * MB
    runs = 1 if quick else 9
    sim = start_simulator(
        latency_s=(0.2, 0.2), video_size_bytes=size, file_processing_s=0.1, switches={"omni_get_after_uri": "uri"}
    )
    sim.script("start", video_size(size), match_prompt="a download benchmark")  # the Omni interaction's file
    try:
        with tempfile.TemporaryDirectory(prefix="veo-bench-download-") as tmp:
            work = Path(tmp)
            file_id, vertex_op = asyncio.run(_finished_operations(sim, work))
            speed = _throughput(sim, file_id, size, work, runs)
            gemini_mem = _memory("download", sim.gemini_url, file_id, work)
            vertex_mem = _memory("inline", sim.vertex_url, vertex_op, work)
    finally:
        sim.stop()
    ratio = speed["ratio_to_reference"]
    label = f"{size // MB} MB"
    figures = [
        # Target: faster than a 1 Gbit/s link (125 MB/s less overheads), so the app is never the bottleneck.
        figure(
            f"Gemini Omni download throughput, {label}",
            speed["app_mb_s"],
            "MB/s",
            target=(">=", 100),
            reference=f"{speed['reference']}: {speed['reference_mb_s']} MB/s ({ratio:.2f}× of it)",
        ),
        figure(
            f"Gemini Omni download ÷ {speed['reference']}, {label}",
            round(ratio, 3),
            "×",
            target=(">=", 0.9),
            reference=(
                f"median of {speed['runs']} interleaved pairs; {speed['reference']} then fsync of its file: "
                f"{speed['reference_then_fsync_mb_s']} MB/s ({speed['ratio_to_reference_then_fsync']:.2f}× of it); "
                f"the same client streaming to nowhere: {speed['bare_stream_mb_s']} MB/s"
            ),
        ),
        figure(
            f"Gemini Omni download, RSS growth ({label} file)",
            gemini_mem["rss_growth_mb"],
            "MiB",
            target=("<=", 50),
            reference=f"RSS before {gemini_mem['rss_before_mb']} MiB",
        ),
        figure(
            f"Gemini Omni download, tracemalloc peak ({label})",
            gemini_mem["tracemalloc_peak_mb"],
            "MiB",
            target=("<=", 16),
        ),
        figure(
            f"Vertex inline base64 poll, RSS growth ({label} video)",
            vertex_mem["rss_growth_mb"],
            "MiB",
            target=("<=", 50),
            reference=f"poll + decode took {vertex_mem['seconds']} s",
        ),
        figure(
            f"Vertex inline base64 poll, tracemalloc peak ({label})",
            vertex_mem["tracemalloc_peak_mb"],
            "MiB",
            target=("<=", 16),
        ),
    ]
    return {
        "size_bytes": size,
        "throughput": speed,
        "gemini_memory": gemini_mem,
        "vertex_inline_memory": vertex_mem,
        "figures": figures,
    }
