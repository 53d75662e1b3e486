"""Measured work run in a fresh process, so its memory high-water mark is its own:
`python -m veo_desktop.bench.child download|stream|inline BASE_URL NAME DEST [--trace]` prints one JSON line.

- download: `OmniProvider.download` of `files/NAME` into DEST (the app's path: the file's state, then the
  download through the blob host's redirect, streamed, fsync included);
- stream: the same HTTP client reading that body (the redirect followed by hand, without the key) and keeping
  nothing (DEST unused);
- inline: one `VertexExpressProvider.poll` of operation NAME whose answer carries the video inline as base64
  (the body is streamed to a file and decoded in blocks into DEST's folder).

`--trace` also runs tracemalloc (Python allocations only; it slows the work, so timings come from runs
without it).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from veo_desktop.client.base import VideoRef
from veo_desktop.client.http import make_http_client
from veo_desktop.client.omni import OmniProvider
from veo_desktop.client.vertex import VertexExpressProvider

__all__ = ["proc_status_mb"]


def proc_status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (resident high-water mark) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


async def _work(kind: str, base_url: str, name: str, dest: Path) -> tuple[int, float]:
    """(bytes, seconds of the download or poll call alone): the app builds its HTTP client (TLS context:
    ~25 ms) once at launch, not per video."""
    http = make_http_client()
    try:
        started = time.perf_counter()
        if kind == "stream":  # the same client reading the body and keeping nothing: the read side's floor
            headers = {"x-goog-api-key": "sim-key"}
            url = f"{base_url}/v1beta/files/{name}:download?alt=media"
            for _ in range(5):
                async with http.stream("GET", url, headers=headers) as response:
                    if response.is_redirect:
                        url, headers = response.headers["location"], {}  # another host: no key
                        continue
                    size = sum([len(chunk) async for chunk in response.aiter_bytes()])
                    return size, time.perf_counter() - started
            raise RuntimeError("Too many redirects.")
        if kind == "download":
            gemini = OmniProvider(http, base_url=base_url, api_key=lambda: "sim-key")
            size = await gemini.download(VideoRef(file_id=f"files/{name}"), dest)
            return size, time.perf_counter() - started
        vertex = VertexExpressProvider(http, base_url=base_url, api_key=lambda: "sim-key")
        status = await vertex.poll(name, staging_dir=dest.parent)
        seconds = time.perf_counter() - started
        staged = [v.staged_path for v in status.videos if v.staged_path is not None]
        return sum(p.stat().st_size for p in staged), seconds
    finally:
        await http.aclose()


def measure(kind: str, base_url: str, name: str, dest: Path, *, trace: bool) -> dict[str, Any]:
    rss_before = proc_status_mb("VmRSS")
    if trace:
        tracemalloc.start()
    size, seconds = asyncio.run(_work(kind, base_url, name, dest))
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {
        "bytes": size,
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "rss_high_water_mb": proc_status_mb("VmHWM"),
        "tracemalloc_peak_mb": traced_peak,
    }


if __name__ == "__main__":
    kind, base, op_name, target = sys.argv[1:5]
    print(json.dumps(measure(kind, base, op_name, Path(target), trace="--trace" in sys.argv[5:])))
