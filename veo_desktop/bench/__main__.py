"""`python -m veo_desktop.bench COMMAND`: print one JSON document of figures."""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
from collections.abc import Sequence
from typing import Any

from veo_desktop.bench.dispatch import DispatchBenchConfig, run_dispatch_bench


def machine() -> dict[str, Any]:
    import os

    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m veo_desktop.bench")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dispatch", help="a burst of jobs against the simulator on a scaled clock")
    d.add_argument("--jobs", type=int, default=50)
    d.add_argument("--speed", type=float, default=40.0)
    d.add_argument("--poisson", type=float, default=None, help="arrivals per (clock) minute instead of a burst")
    args = parser.parse_args(argv)
    if args.command == "dispatch":
        cfg = DispatchBenchConfig(jobs=args.jobs, speed=args.speed, arrivals_per_min=args.poisson)
        result = {"machine": machine(), "dispatch": asyncio.run(run_dispatch_bench(cfg))}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
