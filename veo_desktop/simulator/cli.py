"""`python -m veo_desktop.simulator`: run the simulator in the foreground until interrupted.

The first line printed names the key it accepts and the Vertex host (its last word is that URL); the next
lines name every other host, and the key files written. The app's CLI reuses `main` for `simulate`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from veo_desktop.core.clock import Clock, ScaledClock, SystemClock
from veo_desktop.simulator.server import Simulator
from veo_desktop.simulator.switches import SWITCHES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="the Vertex host's port (0: any free port)")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--api-key", default="sim-key", help="the API key to require ('' accepts any key)")
    parser.add_argument("--slots", type=int, default=2, help="generations in flight before 429 (0: unlimited)")
    parser.add_argument("--starts-per-minute", type=int, default=0, help="starts per minute per model before 429")
    add_shared_arguments(parser)


def add_shared_arguments(parser: argparse.ArgumentParser) -> None:
    """The options the app's `simulate` command adds itself (it has --slots and --starts-per-minute already)."""
    parser.add_argument(
        "--latency", type=float, nargs="+", metavar="S", default=None,
        help="generation time in seconds: one value, or MIN MAX (default 30 90)",
    )  # fmt: skip
    parser.add_argument("--download-host", default=None, help="loopback address of the download (blob) host")
    parser.add_argument("--video-size-bytes", type=int, default=None, help="pad served videos to this size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--token-lifetime", type=float, default=3599.0, help="access-token lifetime in seconds")
    parser.add_argument(
        "--switch", action="append", default=[], metavar="NAME=VALUE",
        help=f"an UNCONFIRMED behaviour (repeatable): {', '.join(sorted(SWITCHES))}",
    )  # fmt: skip
    parser.add_argument("--write-service-account", metavar="FILE", default=None,
                        help="write a test service-account key (token_uri = this simulator) to FILE")  # fmt: skip
    parser.add_argument(
        "--write-authorized-user", metavar="FILE", default=None,
        help="write a test authorized_user file (token_uri = this simulator; google-auth's ADC loader ignores it)",
    )  # fmt: skip


def _latency(values: list[float] | None) -> tuple[float, float]:
    if not values:
        return (30.0, 90.0)
    if len(values) > 2 or min(values) < 0:
        raise SystemExit("--latency takes one or two non-negative numbers of seconds.")
    return (values[0], values[-1])


def _switches(pairs: list[str]) -> dict[str, str]:
    switches: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in SWITCHES or value not in SWITCHES[name]:
            known = "; ".join(f"{n}={'|'.join(v)}" for n, v in sorted(SWITCHES.items()))
            raise SystemExit(f"--switch {pair!r}: use NAME=VALUE, one of: {known}")
        switches[name] = value
    return switches


def build(args: argparse.Namespace) -> Simulator:
    clock: Clock = SystemClock() if args.speed == 1.0 else ScaledClock(args.speed)
    return Simulator(
        host=args.host,
        port=args.port,
        api_key=args.api_key or None,
        clock=clock,
        latency_s=_latency(args.latency),
        seed=args.seed,
        max_in_flight=args.slots,
        max_starts_per_minute=args.starts_per_minute,
        download_host=args.download_host,
        video_size_bytes=args.video_size_bytes,
        switches=_switches(args.switch),
        token_lifetime_s=args.token_lifetime,
    )


def describe(sim: Simulator, args: argparse.Namespace) -> list[str]:
    key = f'API key "{args.api_key}"' if args.api_key else "any API key"
    lines = [
        f"Veo simulator ({key} in x-goog-api-key) listening on {sim.vertex_url}",
        f"  Vertex AI (aiplatform.googleapis.com, express and project paths): {sim.vertex_url}",
        f"  Vertex AI regional ({{region}}-aiplatform.googleapis.com): {sim.vertex_regional_url}",
        f"  Gemini API (generativelanguage.googleapis.com, Omni interactions): {sim.gemini_url}",
        f"  OAuth token endpoint (token_uri): {sim.token_uri}",
        f"  download host (file redirects): {sim.blob_url}",
    ]
    if args.write_service_account:
        info = sim.write_service_account(args.write_service_account)
        lines.append(f"  service-account key for {info['client_email']} written to {args.write_service_account}")
    if args.write_authorized_user:
        sim.write_authorized_user(args.write_authorized_user)
        lines.append(f"  authorized_user credentials written to {args.write_authorized_user}")
    return lines


def serve_forever(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C, SIGTERM or `stop` is set; prints the listening lines first (flushed)."""
    stop = stop or threading.Event()
    sim = build(args).start()
    previous = None
    if threading.current_thread() is threading.main_thread():

        def on_term(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        print("\n".join(describe(sim, args)), flush=True)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m veo_desktop.simulator", description=__doc__)
    add_arguments(parser)
    return serve_forever(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
