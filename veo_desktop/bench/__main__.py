"""`python -m veo_desktop.bench COMMAND [--quick]`: print one JSON document of figures.

Commands: dispatch, economy, store, download, ui, and all (every one of them, in one document). Each figure
stands beside a reference measured in the same run, with its target and pass/fail; `--markdown PATH` also
writes the table for the README.

Other bench modules add commands through `register(subparsers)`: `veo_desktop.bench.faults` (the fault
campaign) is picked up when it exists. A registered parser must `set_defaults(run=fn)` where
`fn(args) -> dict` returns its section; the document is printed here.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from veo_desktop.bench.machine import machine

Section = dict[str, Any]
_EXTENSIONS = ("veo_desktop.bench.faults", "veo_desktop.bench.team")


def _dispatch(args: argparse.Namespace) -> Section:
    from veo_desktop.bench.dispatch import dispatch_section

    section, _ = asyncio.run(dispatch_section(args.quick))
    return section


def _economy(args: argparse.Namespace) -> Section:
    from veo_desktop.bench.economy import economy_section

    return asyncio.run(economy_section(args.quick))


def _store(args: argparse.Namespace) -> Section:
    from veo_desktop.bench.store import store_section

    return store_section(args.quick)


def _download(args: argparse.Namespace) -> Section:
    from veo_desktop.bench.download import download_section

    return download_section(args.quick)


def _ui(args: argparse.Namespace) -> Section:
    from veo_desktop.bench.ui import ui_section

    return ui_section(args.quick)


def run_all(quick: bool) -> dict[str, Section]:
    """Every section; economy reuses the dispatch workloads as its learned-policy runs (two runs fewer)."""
    from veo_desktop.bench.dispatch import dispatch_section
    from veo_desktop.bench.download import download_section
    from veo_desktop.bench.economy import economy_section
    from veo_desktop.bench.store import store_section
    from veo_desktop.bench.ui import ui_section

    dispatch, runs = asyncio.run(dispatch_section(quick))
    return {
        "dispatch": dispatch,
        "economy": asyncio.run(economy_section(quick, learned=runs)),
        "store": store_section(quick),
        "download": download_section(quick),
        "ui": ui_section(quick),
    }


_COMMANDS: dict[str, tuple[str, Callable[[argparse.Namespace], Section]]] = {
    "dispatch": ("burst and Poisson workloads vs the ideal schedule and the poll-driven design", _dispatch),
    "economy": ("polls per job and detection delay: learned vs old adaptive vs fixed 10 s polls", _economy),
    "store": ("store transactions per second; positions and the queue snapshot with 10,000 waiting", _store),
    "download": ("download throughput vs curl; peak memory of a 200 MB download and of inline videos", _download),
    "ui": ("event-loop stalls in a 200-job burst; launch time and memory with 10,000 jobs", _ui),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m veo_desktop.bench", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, fn) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(run=fn)
    everything = sub.add_parser("all", help="every benchmark, one JSON document")
    everything.set_defaults(run=lambda args: run_all(args.quick))
    for p in sub.choices.values():
        p.add_argument("--quick", action="store_true", help="smaller sizes (seconds, for tests)")
        p.add_argument("--markdown", type=Path, default=None, help="also write the figures as a markdown table")
    for module_name in _EXTENSIONS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        register = getattr(module, "register", None)
        if register is not None:  # a module still being written may not have it yet
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    body = args.run(args)
    document: dict[str, Any] = {"machine": machine()}
    document.update(body if args.command == "all" else {args.command: body})
    if getattr(args, "markdown", None):
        from veo_desktop.bench.figures import markdown_table

        args.markdown.write_text(markdown_table(document), encoding="utf-8")
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 1 if _any_broken(document) else 0


def _any_broken(document: dict[str, Any]) -> bool:
    """Exit 1 only when a correctness figure (failed jobs, double starts) failed; timings never fail a run."""
    for section in document.values():
        for fig in section.get("figures", []) if isinstance(section, dict) else []:
            if fig.get("pass") is False and fig.get("unit") in ("jobs", "") and "429" not in fig["name"]:
                return True
    return False


if __name__ == "__main__":
    sys.exit(main())
