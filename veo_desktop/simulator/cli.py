"""`python -m veo_desktop.simulator`: run the simulator in the foreground until interrupted.

The app's own CLI reuses `add_arguments` and `serve_forever` for its `simulate` command."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from veo_desktop.core.clock import Clock, ScaledClock, SystemClock
from veo_desktop.simulator.server import Simulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--api-key", default="sim-key", help="the key to require ('' accepts any key)")
    parser.add_argument("--slots", type=int, default=2, help="generations in flight before 429 (0: unlimited)")
    parser.add_argument("--starts-per-minute", type=int, default=0, help="starts per minute before 429")
    parser.add_argument("--latency", type=float, nargs=2, metavar=("MIN", "MAX"), default=(30.0, 90.0))
    parser.add_argument("--download-host", default=None, help="second loopback host for redirects")
    parser.add_argument("--video-size-bytes", type=int, default=None, help="pad served videos to this size")
    parser.add_argument("--seed", type=int, default=0)


def build(args: argparse.Namespace) -> Simulator:
    clock: Clock = SystemClock() if args.speed == 1.0 else ScaledClock(args.speed)
    return Simulator(
        host=args.host,
        port=args.port,
        api_key=args.api_key or None,
        clock=clock,
        latency_s=(float(args.latency[0]), float(args.latency[1])),
        seed=args.seed,
        max_in_flight=args.slots,
        max_starts_per_minute=args.starts_per_minute,
        download_host=args.download_host,
        video_size_bytes=args.video_size_bytes,
    )


def serve_forever(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C, SIGTERM or `stop` is set; prints the listening line first (flushed)."""
    stop = stop or threading.Event()
    sim = build(args).start()
    previous = None
    if threading.current_thread() is threading.main_thread():

        def on_term(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, on_term)
    print(f"Veo simulator listening on {sim.base_url}", flush=True)
    if sim.download_base_url:
        print(f"Veo simulator download host on {sim.download_base_url}", flush=True)
    try:
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
