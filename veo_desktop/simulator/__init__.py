"""A loopback Google for tests, demos and benchmarks (docs/veo-api.md §9): Vertex AI Veo in express
mode (API key) and project mode (OAuth Bearer from its own token endpoint), Gemini Omni over the Interactions
API with its files and downloads, the retired Gemini Veo dialect's 404s, Google's validation and error
envelopes, its own quota, scriptable faults, switches for every UNCONFIRMED behaviour, and real playable MP4s
of the requested aspect ratio and duration (resources/clips/, cut by `mp4.cut`).

    with Simulator(clock=ScaledClock(speed=50)) as sim:
        sim.script("start", http_error(429), match_prompt="cat")
        sim.set_switch("express_veo", "resource_project_invalid")
        key_file = sim.write_service_account(tmp_path / "sa.json")    # token_uri = sim.token_uri
        ...  # point clients at sim.vertex_url / sim.gemini_url with the key "sim-key"
        assert sim.stats.accepted_starts == 1

Hosts (each its own 127.0.0.x port, so a redirect changes origin): `vertex_url` (= `base_url`,
aiplatform.googleapis.com), `vertex_regional_url`, `gemini_url`, `token_uri` (on `oauth_url`), `blob_url`
(= `download_base_url`, the download redirects' target, on `download_host` if given); `hosts` names them all.

Time: every duration (latency, delays, RetryInfo, retention, token lifetimes, file processing) is in
simulator seconds, on the `clock` given; `ScaledClock(speed=50)` makes a 60 s generation take 1.2 real s.

Switches (`switches.SWITCHES`): `Simulator(switches={...})`, `sim.set_switch(name, value)`, or the keyword
`[sw:name=value]` in a prompt (for that prompt's calls).

Scripted actions (`Simulator.script(phase, action, *, match_prompt=None, times=1)`, phase "start" | "poll" |
"file" | "download" | "list" | "token" | "cancel"; factories in `veo_desktop.simulator.actions`):
- instead of the server's answer (a start answered so was NOT accepted): `http_error(status,
  retry_after_s=None)` (Vertex 429s carry RetryInfo only when asked or switched; Gemini's always do, with
  Retry-After), `html_page(status=200)`, `redirect(host=None)`, `invalid_grant()` (phase "token"),
  `reset_before_body()` (RST before the request body is read; no match_prompt);
- spoiling the server's answer (a start answered so WAS accepted and counted): `malformed_json()`,
  `missing_name()` (200 `{}`),
  `slow_body(seconds)`, `reset()` (RST after half the body), `delay(seconds)` (answer late);
- generation outcomes (phase "start"): `filter(reasons, count=None)` (Omni: the safety block, per
  `omni_safety`), `operation_error(code, message)`, `no_video()`, `latency(seconds)`, `expire()`,
  `terminal_status(status)` (Omni), `file_failed()` (Omni), `video_size(bytes)`, `truncated_base64()`.

Prompt directives, `[sim:KIND[=VALUE][xN][@PHASE]]` (README "The simulator"), script a prompt's own calls.

Counters (`sim.stats`, thread-safe): accepted_starts, starts [(prompt, model, operation_name)],
starts_by_provider, peak_in_flight, polls, file_checks, downloads, token_grants, key_in_query, requests
[RequestRecord], key_seen_on_hosts, credentials_seen_by_kind, blob_credentials_seen; `sim.in_flight()`,
`sim.operations()` (each `.request.received`: the start body as
sent, base64 payloads outlined). `GET /_sim/stats` (no key) on any host returns them as JSON.
"""

from __future__ import annotations

from veo_desktop.simulator import mp4
from veo_desktop.simulator.actions import (
    delay,
    expire,
    file_failed,
    filter,
    html_page,
    http_error,
    invalid_grant,
    latency,
    malformed_json,
    missing_name,
    no_video,
    operation_error,
    redirect,
    reset,
    reset_before_body,
    slow_body,
    terminal_status,
    truncated_base64,
    video_size,
)
from veo_desktop.simulator.server import Simulator
from veo_desktop.simulator.state import RequestRecord, SimStats, StartRecord
from veo_desktop.simulator.switches import SWITCHES

__all__ = [
    "SWITCHES",
    "RequestRecord",
    "SimStats",
    "Simulator",
    "StartRecord",
    "delay",
    "expire",
    "file_failed",
    "filter",
    "html_page",
    "http_error",
    "invalid_grant",
    "latency",
    "malformed_json",
    "missing_name",
    "mp4",
    "no_video",
    "operation_error",
    "redirect",
    "reset",
    "reset_before_body",
    "slow_body",
    "terminal_status",
    "truncated_base64",
    "video_size",
]
