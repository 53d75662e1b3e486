"""`veo-desktop-cli`: queue, run, watch, cancel and retry Veo generations from a terminal or a script.

Exit codes (stable, for scripts):
    0  success
    1  a job this command waited for failed, was filtered or needs a decision
    2  bad input (usage, validation) — nothing was stored or charged
    3  today's budget would be exceeded — nothing was stored or charged
    4  the store cannot be used (damaged, locked, read-only, newer, disk full, ...) — it was left as it was
    5  no API key (set one with the GUI, the keyring, or GEMINI_API_KEY)
    130 interrupted (Ctrl-C); jobs in flight continue at Google and resume at the next run
    143 / 129 stopped by SIGTERM / SIGHUP, gracefully like Ctrl-C (start answers on the wire are waited for)
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from veo_desktop import __version__
from veo_desktop.cli import commands, team
from veo_desktop.cli.output import Output
from veo_desktop.composition import EngineOptions, on_stop_signals, open_engine
from veo_desktop.core.batch import BatchRefused
from veo_desktop.core.errors import BudgetExceeded, JobNotFound, StaleTransition, StoreError
from veo_desktop.core.validation import ValidationError
from veo_desktop.paths import AppPaths, default_paths
from veo_desktop.settings import PROVIDERS, load_settings, with_overrides

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_BUDGET, EXIT_STORE, EXIT_NO_KEY = 0, 1, 2, 3, 4, 5


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before or after the command (`cli --json list` and `cli list --json`)."""

    def d(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--store", default=d(None), help="the queue database file, or a team's postgresql://NAME@HOST/DB URL"
    )
    parser.add_argument("--library", type=Path, default=d(None), help="where finished videos go")
    parser.add_argument(
        "--provider",
        choices=PROVIDERS,
        default=d(None),
        help="vertex (Vertex AI express, API key; default), vertex-project (Vertex AI with a Google Cloud "
        "project) or gemini (Gemini Omni Flash, AI Studio key)",
    )
    parser.add_argument("--project", default=d(None), help="vertex-project: the Google Cloud project id")
    parser.add_argument("--region", default=d(None), help="vertex-project: the region (default us-central1)")
    parser.add_argument(
        "--credentials",
        type=Path,
        default=d(None),
        metavar="FILE",
        help="vertex-project: a service-account JSON key file (otherwise Application Default Credentials)",
    )
    parser.add_argument("--api-base", default=d(None), help="API base URL (non-loopback URLs must be https)")
    parser.add_argument(
        "--simulate", action="store_true", default=d(False), help="use an in-process simulator (free, offline)"
    )
    parser.add_argument("--sim-speed", type=float, default=d(1.0), help=argparse.SUPPRESS)
    parser.add_argument("--slots", type=int, default=d(None), help="generations in flight at once (default 2)")
    parser.add_argument("--starts-per-minute", type=int, default=d(None), help="start-rate limit (0 = none; default 2)")
    parser.add_argument("--json", action="store_true", default=d(False), help="machine-readable output")


class Parser(argparse.ArgumentParser):
    """Usage errors print the one line that matters and where to find more, not the whole usage block;
    subcommand parsers are made of this class too (argparse reuses the parent's class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\nRun '{self.prog} --help' to see the options.\n")


def build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = Parser(
        prog="veo-desktop-cli", description="Queue and run Google Veo video generations."
    )
    parser.add_argument("--version", action="version", version=f"veo-desktop-cli {__version__}")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_subcommands(sub, parents=[common])
    team.add_parser(sub, parents=[common])
    return parser


def _paths(args: argparse.Namespace) -> AppPaths:
    paths = default_paths()
    if args.library:
        paths = AppPaths(data_dir=paths.data_dir, config_dir=paths.config_dir, library_dir=args.library)
    return paths


async def _run(args: argparse.Namespace, out: Output, stopped_by: list[int]) -> int:
    task = asyncio.current_task()
    assert task is not None

    def stop(signum: int) -> None:
        if stopped_by:
            return  # already stopping; a second signal must not cut the graceful stop short
        stopped_by.append(signum)
        task.cancel()  # unwinds through `running.aclose()`: the same graceful stop as Ctrl-C

    remove_handlers = on_stop_signals(stop)
    try:
        return await _run_command(args, out)
    finally:
        remove_handlers()


async def _run_command(args: argparse.Namespace, out: Output) -> int:
    paths = _paths(args)
    settings = with_overrides(
        load_settings(paths.settings_file),
        provider=args.provider,
        api_base=args.api_base,
        project=args.project,
        region=args.region,
        max_in_flight=args.slots,
        max_starts_per_minute=args.starts_per_minute,
        store_path=args.store or None,
        library_dir=str(args.library) if args.library else None,
    )
    waits = args.command in ("submit", "extend", "refine", "continue") and args.wait
    runs_dispatcher = args.command == "run" or waits
    options = EngineOptions(
        paths=paths,
        settings=settings,
        simulate=args.simulate,
        sim_speed=args.sim_speed,
        run_dispatcher=runs_dispatcher,
        credentials_file=args.credentials,
    )
    needs_key = settings.provider != "vertex-project"
    if runs_dispatcher and not args.simulate and needs_key and not commands.key_available(options):
        out.error("No API key is set: add one in the app's Settings, or set GEMINI_API_KEY for scripts.")
        return EXIT_NO_KEY
    running = await open_engine(options)
    try:
        handler = commands.HANDLERS[args.command]
        return await handler(running, args, out)
    finally:
        await running.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = Output(json_mode=args.json)
    if args.command == "simulate":
        return commands.simulate(args, out)
    if args.command == "team":
        return team.main(args, out, _paths(args))
    from veo_desktop.logging_setup import configure_logging, unwritable_message

    try:
        configure_logging(_paths(args).logs_dir, verbose=False)
    except OSError as exc:  # the data folder (it holds the logs, and by default the queue) cannot be written
        out.error(unwritable_message(exc, _paths(args).data_dir))
        return EXIT_STORE
    stopped_by: list[int] = []
    try:
        return asyncio.run(_run(args, out, stopped_by))
    except asyncio.CancelledError:
        if not stopped_by:
            raise
        name = signal.Signals(stopped_by[0]).name
        out.error(f"Stopped by {name}. Jobs in flight continue at Google and resume at the next run.")
        return 128 + stopped_by[0]
    except BatchRefused as exc:
        out.error(exc.message, field=exc.field, lines=[{"line": e.line, "error": e.message} for e in exc.errors])
        return EXIT_USAGE
    except ValidationError as exc:
        out.error(exc.message, field=exc.field)
        return EXIT_USAGE
    except ValueError as exc:
        out.error(str(exc))
        return EXIT_USAGE
    except BudgetExceeded as exc:
        out.error(str(exc))
        return EXIT_BUDGET
    except (JobNotFound, StaleTransition) as exc:
        out.error(str(exc) or "That job cannot be changed now.")
        return EXIT_USAGE
    except StoreError as exc:  # unusable (damaged, locked, read-only, newer, disk full) or the team DB unreachable
        out.error(str(exc))
        return EXIT_STORE
    except KeyboardInterrupt:
        out.error("Interrupted. Jobs in flight continue at Google and resume at the next run.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
