"""The engine in a child process, for campaigns that kill it: `python -m veo_desktop.bench.faults.child`.

Runs the real composition root (store, client, dispatcher) against `--api-base` until nothing is left to do,
then exits 0. The sandbox comes from VEO_DESKTOP_HOME, the key from GEMINI_API_KEY (vertex-project: the
service-account key file `--credentials` and `--project`, as the CLI takes them), and a fault from
VEO_FAULT="point:N" (armed by `open_engine`: SIGKILL at the N-th hit of that point).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from veo_desktop.composition import EngineOptions, load_catalogue, open_engine
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.engine.config import DispatchConfig
from veo_desktop.logging_setup import configure_logging
from veo_desktop.paths import default_paths
from veo_desktop.settings import Settings


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m veo_desktop.bench.faults.child")
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--provider", default="vertex", choices=("vertex", "vertex-project", "gemini"))
    parser.add_argument("--project", default="", help="vertex-project: the Google Cloud project")
    parser.add_argument("--credentials", type=Path, default=None, help="vertex-project: a service-account key file")
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--prior-s", type=float, default=10.0, help="expected generation time (clock seconds)")
    parser.add_argument("--slots", type=int, default=2)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    paths = default_paths()
    configure_logging(paths.logs_dir)
    settings = Settings(provider=args.provider, api_base=args.api_base, max_in_flight=args.slots, project=args.project)
    options = EngineOptions(
        paths=paths,
        settings=settings,
        sim_speed=args.speed,
        api_key=lambda: os.environ.get("GEMINI_API_KEY"),
        credentials_file=args.credentials,
        dispatch=DispatchConfig(slots=SlotConfig(args.slots, 0)),
        priors_s={m.id: args.prior_s for m in load_catalogue().models},
    )
    running = await open_engine(options)
    try:
        while True:
            await asyncio.sleep(0.05)
            if await running.idle():
                return 0
    finally:
        await running.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
