"""A loopback Veo server for tests, demos and benchmarks: both REST dialects of /work/shared/veo-api.md
(Vertex AI express with inline videos, and the Gemini API with file downloads), Google's validation and
error envelopes, its own quota, scriptable faults, and real playable MP4s (resources/clips/).

    with Simulator(clock=ScaledClock(speed=50)) as sim:
        sim.script("start", http_error(429, retry_after_s=3), match_prompt="cat")
        ...  # point a client at sim.base_url with the key "sim-key"
        assert sim.stats.accepted_starts == 1

Time: every duration (latency, delays, RetryInfo, retention) is in simulator seconds, measured on the
`clock` given; `ScaledClock(speed=50)` makes a 60 s generation take 1.2 real seconds.

Scripted actions (`Simulator.script(phase, action, *, match_prompt=None, times=1)`, phase "start" | "poll" |
"download" | "list"; factories in `veo_desktop.simulator.actions`):
- instead of the server's answer (a start answered so was NOT accepted): `http_error(status,
  retry_after_s=None)`, `html_page(status=200)`, `redirect(host=None)`;
- spoiling the server's answer (a start answered so WAS accepted and counted): `malformed_json()`,
  `slow_body(seconds)`, `reset()` (RST after half the body), `delay(seconds)` (answer late);
- generation outcomes (phase "start"): `filter(reasons)`, `operation_error(code, message)`, `no_video()`,
  `latency(seconds)`, `expire()` (the operation answers done once, then it and its files answer 404).

Prompt directives, `[sim:KIND[=VALUE][xN][@PHASE]]` anywhere in the prompt text (counts are per prompt text;
`xN` fires N times, `@PHASE` moves a transport fault to another phase):
- `[sim:filter]`, `[sim:error]` (`[sim:error=3]` for gRPC code 3), `[sim:novideo]`, `[sim:latency=5]`,
  `[sim:expire]`: the generation's outcome, for every start of that prompt;
- `[sim:429x2]`: the first 2 start attempts get 429 with RetryInfo 1s; `[sim:500x2]`, `[sim:503x1]` likewise
  (once without xN); `[sim:400]`, `[sim:403]` (any other 4xx): every start attempt is refused;
- `[sim:html]`, `[sim:badjson]`: the first poll gets an HTML page / half a JSON body (status 200);
- `[sim:delay=5]`: the first poll answers 5 s late;
- `[sim:reset]`: the first download is reset mid-body; `[sim:slow=5]`: the first download takes 5 s;
- `[sim:redirect]`: every download on the main host answers 302 to the download host.

Counters (`sim.stats`, thread-safe): accepted_starts, starts [(prompt, model, operation_name)],
peak_in_flight, polls, downloads, requests [RequestRecord], key_seen_on_hosts; `sim.in_flight()`.
`GET /_sim/stats` (no key) returns them as JSON for tests that run the simulator in a subprocess.
"""

from __future__ import annotations

from veo_desktop.simulator.actions import (
    delay,
    expire,
    filter,
    html_page,
    http_error,
    latency,
    malformed_json,
    no_video,
    operation_error,
    redirect,
    reset,
    slow_body,
)
from veo_desktop.simulator.server import Simulator
from veo_desktop.simulator.state import RequestRecord, SimStats, StartRecord

__all__ = [
    "RequestRecord",
    "SimStats",
    "Simulator",
    "StartRecord",
    "delay",
    "expire",
    "filter",
    "html_page",
    "http_error",
    "latency",
    "malformed_json",
    "no_video",
    "operation_error",
    "redirect",
    "reset",
    "slow_body",
]
