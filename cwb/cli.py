"""Command line: ``python -m cwb <command>`` for scripts and scheduled refreshes.

Commands: build, demo, imd, indicators, settings, import (cwb.ingest.cli), pack (cwb.export).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time

import duckdb

from cwb import build, config, db
from cwb.method import DEFAULT_DENOMINATOR, DEFAULT_TOP_N, DENOMINATORS, IMD_EDITIONS


def _open(args):
    from cwb import manage

    return manage.open_database(args.db)


def cmd_build(args) -> int:
    t = time.perf_counter()
    con = _open(args)
    secs = build.refresh(con)
    print(
        f"database ready at {args.db or config.db_path()} (marts {secs:.1f} s, total {time.perf_counter() - t:.1f} s)"
    )
    return 0


def cmd_demo(args) -> int:
    from cwb import demo

    con = _open(args)
    demo.load_demo(con, scale=args.scale, seed=args.seed, place=args.place)
    return 0


def cmd_imd(args) -> int:
    from pathlib import Path

    from cwb.reference import imd

    con = _open(args)
    if args.download:
        path = imd.download(args.download, Path(config.get("CWB_ORIGINALS")) / f"imd{args.download}.csv")
    elif args.path:
        path = args.path
    else:
        print("give a file path, or --download 2019|2025", file=sys.stderr)
        return 2
    try:
        edition, n = imd.load_imd(con, path)
    except (imd.ImdFormatError, RuntimeError, OSError) as exc:
        print(f"IMD not loaded: {exc}", file=sys.stderr)
        return 1
    if args.lsoa_lookup:
        imd.load_lsoa_lookup(con, args.lsoa_lookup)
    build.refresh(con)
    print(f"loaded IMD {edition}: {n:,} LSOAs")
    return 0


def cmd_indicators(args) -> int:
    from cwb import indicators

    con = _open(args)
    try:
        out = indicators.compute(
            con,
            anchor=args.anchor,
            fy=args.year,
            network_id=args.network_id,
            denominator=args.denominator,
            top_n=args.top_n,
            imd_edition=args.imd,
            local_lads=args.local.split(",") if args.local else None,
            wider_lads=args.wider.split(",") if args.wider else None,
            baseline_fy=args.baseline,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(json.dumps(out, indent=1, default=str))
    return 0


def cmd_reference(args) -> int:
    from cwb.reference import official
    from cwb.reference.imd import ImdFormatError

    try:
        if args.kind == "postcodes":
            con = _open(args)
            n = official.load_postcodes(con, args.path)
            build.refresh(con)
            print(f"loaded {n:,} postcodes from {args.path}; suppliers and sites re-located")
        else:
            n = official.load_boundaries(args.path, args.level)
            print(f"replaced {args.level} boundaries: {n:,} areas from {args.path}")
    except (ImdFormatError, ValueError, OSError) as exc:
        print(f"not loaded: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_settings(args) -> int:
    for s in config.SETTINGS.values():
        print(f"{s.name}={s.get()}\n    {s.help}")
    return 0


def cmd_users(args) -> int:
    import getpass

    from cwb import access

    accounts = access.load_accounts()
    if args.action == "list":
        for a in sorted(accounts.values(), key=lambda a: a.user):
            kind = "password" if a.password_hash else "sign-in provider"
            print(f"{a.user}\t{a.role}\t{','.join(a.anchors) or '-'}\t{kind}")
        return 0
    if not args.user:
        print("give the user name (an e-mail address for sign-in providers)", file=sys.stderr)
        return 2
    why = access.name_problem(args.user, "user name") or (
        access.name_problem(args.name, "display name") if args.name else None
    )
    if why:
        print(f"not saved: {why}", file=sys.stderr)
        return 2
    user = args.user.strip().lower()
    if args.action == "remove":
        if accounts.pop(user, None) is None:
            print(f"no such user {user}", file=sys.stderr)
            return 1
        access.save_accounts(accounts)
        print(f"removed {user}")
        return 0
    if args.role not in access.ROLES:
        print(f"--role must be one of {', '.join(access.ROLES)}", file=sys.stderr)
        return 2
    anchors = [a.strip() for a in (args.anchors or "").split(",") if a.strip()]
    if args.role == "anchor_analyst" and not anchors:
        print("an anchor analyst needs --anchors CODE[,CODE]", file=sys.stderr)
        return 2
    pw_hash = None
    try:
        if args.password_stdin:
            pw_hash = access.hash_password(sys.stdin.readline().rstrip("\n"))
        elif args.password:
            pw_hash = access.hash_password(getpass.getpass(f"Password for {user}: "))
    except ValueError as exc:
        print(f"not saved: {exc}", file=sys.stderr)
        return 2
    accounts[user] = access.Account(
        user=user, role=args.role, anchors=anchors, name=args.name or "", password_hash=pw_hash
    )
    access.save_accounts(accounts)
    print(f"saved {user} as {access.ROLES[args.role]} in {access.users_path()}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cwb", description=__doc__.splitlines()[0])
    p.add_argument("--db", help="database file (default: CWB_DB)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("build", help="create or refresh the database (schema, reference, marts)")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("demo", help="replace the data with the synthetic demo network")
    s.add_argument("--scale", type=float, default=1.0, help="payments multiplier (1 = ~120k payments)")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--place", default=None, help="LAD code of the place (default CWB_DEMO_PLACE)")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("imd", help="load the English Indices of Deprivation (2019 or 2025)")
    s.add_argument("path", nargs="?")
    s.add_argument("--download", choices=["2019", "2025"], help="download from CWB_IMD<edition>_URL")
    s.add_argument("--lsoa-lookup", help="LSOA 2011 -> 2021 lookup CSV (for the 2025 edition)")
    s.set_defaults(func=cmd_imd)

    s = sub.add_parser("indicators", help="print indicator values as JSON")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--network", action="store_true", help="the whole network (default)")
    g.add_argument("--anchor", help="one anchor code (or several, comma-separated)")
    s.add_argument("--network-id", default=None)
    s.add_argument("--year", default=None, help="financial year, e.g. 2023-24 (default: latest)")
    s.add_argument("--baseline", default=None, help="baseline financial year (default: network's)")
    s.add_argument("--denominator", choices=list(DENOMINATORS), default=DEFAULT_DENOMINATOR)
    s.add_argument("--top-n", type=int, default=DEFAULT_TOP_N)
    s.add_argument("--imd", choices=list(IMD_EDITIONS), default=None)
    s.add_argument("--local", help="local LAD codes, comma-separated (default: network's)")
    s.add_argument("--wider", help="wider-area LAD codes, comma-separated (default: network's)")
    s.add_argument("--format", choices=["json"], default="json")
    s.set_defaults(func=cmd_indicators)

    s = sub.add_parser("users", help="accounts and roles for shared mode (CWB_USERS file)")
    s.add_argument("action", choices=["add", "remove", "list"])
    s.add_argument("user", nargs="?")
    s.add_argument("--role", default="network_viewer", help="network_viewer | anchor_analyst | admin")
    s.add_argument("--anchors", help="the analyst's anchor codes, comma-separated")
    s.add_argument("--name", help="display name")
    s.add_argument(
        "--password", action="store_true", help="ask for a password (for servers without a sign-in provider)"
    )
    s.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    s.set_defaults(func=cmd_users)

    s = sub.add_parser(
        "reference", help="load official reference files: the ONS postcode directory or boundaries"
    )
    s.add_argument("kind", choices=["postcodes", "boundaries"])
    s.add_argument("path")
    s.add_argument(
        "--level", choices=["lad", "msoa11", "lsoa11"], default="lad", help="boundaries: which areas"
    )
    s.set_defaults(func=cmd_reference)

    s = sub.add_parser("settings", help="list the settings (environment variables)")
    s.set_defaults(func=cmd_settings)

    # commands living beside their feature, registered when the module exists
    for mod in ("cwb.ingest.cli", "cwb.pack", "cwb.registers.cli"):
        if importlib.util.find_spec(mod) is not None:
            importlib.import_module(mod).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except db.QueryError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except duckdb.IOException as exc:
        if isinstance(exc, db.DatabaseBusy) or "lock" in str(exc).lower():
            print(
                f"The database {args.db or config.db_path()} is in use by another process (usually the "
                "running dashboard). Stop it, or use the dashboard's Import page, then try again.\n"
                f"Detail: {getattr(exc, 'detail', exc)}",
                file=sys.stderr,
            )
            return 3
        raise
