"""`veo-desktop-cli team ...`: set up and join a studio's shared queue on PostgreSQL.

    team init ADMIN_URL                       create or migrate the schema, roles and pool (idempotent;
                                              `team migrate ADMIN_URL` is the same)
    --store ADMIN_URL team add-creator NAME   a creator's login role (--admin; password asked, or --password-stdin)
    --store ADMIN_URL team remove-creator NAME
    --store ADMIN_URL team pool --slots N --starts-per-minute M [--pause | --resume]
    --store ADMIN_URL team budget NAME --daily-usd X
    team join URL                             this desktop joins (the password goes to the OS keyring)
    team status                               pool, desktops, everyone's places, spending
    team leave                                back to the local SQLite queue (which joining never touched)

URLs never hold a password: admins use PGPASSWORD (or .pgpass), desktops the keyring or PGPASSWORD.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import replace
from typing import Any

from veo_desktop import team_service as service
from veo_desktop.cli.output import Output
from veo_desktop.core.errors import StoreError
from veo_desktop.core.money import usd_to_micros
from veo_desktop.paths import AppPaths
from veo_desktop.settings import load_settings, save_settings

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 4


def add_parser(sub: Any, *, parents: list[argparse.ArgumentParser]) -> None:
    team = sub.add_parser("team", parents=parents, help="share one queue and one quota with a studio (PostgreSQL)")
    actions = team.add_subparsers(dest="team_command", required=True, metavar="ACTION")
    actions.add_parser("init", help="create or migrate the team schema").add_argument("admin_url")
    actions.add_parser("migrate", help="the same as init (idempotent)").add_argument("admin_url")
    add = actions.add_parser("add-creator", help="add a creator (run with --store ADMIN_URL)")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may change the pool and budgets")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--no-password", action="store_true", help="no password (certificate or peer login)")
    actions.add_parser("remove-creator", help="remove a creator (run with --store ADMIN_URL)").add_argument("name")
    pool = actions.add_parser("pool", help="the team's cap and start rate (admins)")
    pool.add_argument("--slots", type=int)
    pool.add_argument("--starts-per-minute", dest="team_rate", type=int)
    pool.add_argument("--pause", action="store_true")
    pool.add_argument("--resume", action="store_true")
    budget = actions.add_parser("budget", help="a creator's daily budget (admins)")
    budget.add_argument("name")
    budget.add_argument("--daily-usd", type=float, help="omit for no budget")
    join = actions.add_parser("join", help="use a team's queue on this desktop")
    join.add_argument("url")
    join.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    actions.add_parser("status", help="pool, desktops, places and spending")
    actions.add_parser("leave", help="go back to the local queue")


def _password(args: argparse.Namespace, *, confirm: bool) -> str | None:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n") or None
    if os.environ.get("PGPASSWORD"):
        return None  # libpq reads it itself
    first = getpass.getpass("Database password: ")
    if confirm and getpass.getpass("Again: ") != first:
        raise ValueError("The two passwords differ; nothing was changed.")
    return first or None


def main(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    try:
        return _HANDLERS[args.team_command](args, out, paths)
    except ValueError as exc:
        out.error(str(exc))
        return EXIT_USAGE
    except StoreError as exc:
        out.error(str(exc))
        return EXIT_STORE


def _admin_url(args: argparse.Namespace) -> str:
    url = args.store or ""
    if not url:
        raise ValueError("Give the admin URL with --store: veo-desktop-cli --store ADMIN_URL team ...")
    service.check_url(url)
    return str(url)


def _init(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    service.check_url(args.admin_url)
    result = service.init(args.admin_url)
    text = (
        f"{service.describe(args.admin_url)}: schema {result.to_version} (was {result.from_version}); "
        "pool: 2 in flight, "
        "2 starts a minute, one start on the wire. Next: team add-creator NAME."
        if result.from_version != result.to_version
        else f"{service.describe(args.admin_url)}: schema {result.to_version}, already up to date."
    )
    out.emit({"from_version": result.from_version, "schema_version": result.to_version}, text)
    return EXIT_OK


def _add_creator(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    url = _admin_url(args)
    service.check_creator_name(args.name)
    password = None if args.no_password else _password(args, confirm=not args.password_stdin)
    if password is None and not args.no_password:
        raise ValueError("A creator needs a password (or --no-password for certificate logins).")
    service.add_creator(url, args.name, admin=args.admin, password=password)
    where = service.describe(url).rsplit("@", 1)[-1]
    out.emit(
        {"creator": args.name, "admin": args.admin},
        f"{args.name} can now join with: veo-desktop-cli team join 'postgresql://{args.name}@{where}'",
    )
    return EXIT_OK


def _remove_creator(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    cancelled = service.remove_creator(_admin_url(args), args.name)
    out.emit(
        {"creator": args.name, "cancelled": cancelled},
        f"{args.name} can no longer log in; {cancelled} waiting job(s) cancelled and refunded.",
    )
    return EXIT_OK


def _member_store(args: argparse.Namespace, paths: AppPaths) -> Any:
    url = service.team_url(args.store, load_settings(paths.settings_file).team_url)
    if url is None:
        raise ValueError("This desktop is not in a team: run `team join URL`, or pass --store postgresql://...")
    return service.member_store(url, paths.data_dir)


def _pool(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    with _member_store(args, paths) as store:
        paused = True if args.pause else (False if args.resume else None)
        store.set_pool_config(max_in_flight=args.slots, max_starts_per_minute=args.team_rate, paused=paused)
        config = store.pool_config()
    out.emit(
        {"max_in_flight": config.max_in_flight, "max_starts_per_minute": config.max_starts_per_minute},
        f"The team runs {config.max_in_flight} at once, {config.max_starts_per_minute} starts a minute.",
    )
    return EXIT_OK


def _budget(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    micros = None if args.daily_usd is None else usd_to_micros(args.daily_usd)
    with _member_store(args, paths) as store:
        store.set_creator_budget(args.name, micros)
    human = "no daily budget" if micros is None else f"a daily budget of {Output.money(micros)}"
    out.emit({"creator": args.name, "daily_budget_micros": micros}, f"{args.name} now has {human}.")
    return EXIT_OK


def _join(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    service.check_url(args.url)
    password = _password(args, confirm=False)
    check = service.check_join(args.url, password, paths.data_dir)
    config, skew_s = check.pool, check.clock_skew_s
    saved = service.save_password(args.url, password) if password else ""
    settings = load_settings(paths.settings_file)
    save_settings(paths.settings_file, replace(settings, team_url=args.url))
    where = "the OS keyring" if password and not saved else "PGPASSWORD (set it for this desktop's commands)"
    out.emit(
        {"team_url": service.describe(args.url), "password_in": "keyring" if password and not saved else "PGPASSWORD"},
        f"Joined {service.describe(args.url)}: {config.max_in_flight} in flight for the team; the password is read "
        f"from {where}.{(' ' + saved) if saved else ''}"
        + (
            f" This computer's clock is {skew_s:+.0f} s off the database's (the team uses the database's)."
            if abs(skew_s) >= 2
            else ""
        ),
    )
    return EXIT_OK


def _status(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    with _member_store(args, paths) as store:
        config, desktops, places = store.pool_config(), store.desktops(), store.team_queue()
        spending, state = store.spending(), store.queue_state()
    lines = [
        f"Team queue as {store.creator}: {config.max_in_flight} in flight, "
        f"{config.max_starts_per_minute} starts a minute{' (paused)' if state.paused else ''}.",
        "Desktops: " + (", ".join(f"{c} ({d}{'' if p else ', away'})" for d, c, _, p in desktops) or "none"),
    ]
    lines += [
        f"  {pos if pos is not None else '-':>4}  {status:<13} {creator} · {model}"
        for _, creator, model, status, pos in places
    ]
    total = sum(balance for _, _, balance in spending)
    lines += [f"Spent: {c} {Output.money(b)}" for c, _, b in spending] + [f"Studio total: {Output.money(total)}"]
    data = {
        "creator": store.creator,
        "max_in_flight": config.max_in_flight,
        "max_starts_per_minute": config.max_starts_per_minute,
        "desktops": [{"desktop_id": d, "creator": c, "present": p} for d, c, _, p in desktops],
        "places": [{"id": i, "creator": c, "model": m, "status": s, "position": p} for i, c, m, s, p in places],
        "spending": {c: b for c, _, b in spending},
        "studio_total_micros": total,
    }
    out.emit(data, "\n".join(lines))
    return EXIT_OK


def _leave(args: argparse.Namespace, out: Output, paths: AppPaths) -> int:
    settings = load_settings(paths.settings_file)
    if settings.team_url:
        service.forget_password(settings.team_url)
    save_settings(paths.settings_file, replace(settings, team_url=""))
    out.emit({"team_url": None}, "This desktop uses its own local queue again.")
    return EXIT_OK


_HANDLERS = {
    "init": _init,
    "migrate": _init,
    "add-creator": _add_creator,
    "remove-creator": _remove_creator,
    "pool": _pool,
    "budget": _budget,
    "join": _join,
    "status": _status,
    "leave": _leave,
}
