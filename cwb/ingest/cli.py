"""CLI for imports: ``python -m cwb import KIND PATH... --anchor CODE``, networks, anchors, undo."""

from __future__ import annotations

import sys

import pandas as pd

from cwb import manage
from cwb.ingest.importer import clean_text

ANCHOR_TYPES = manage.ANCHOR_TYPE_CODES


def _con(args):
    return manage.open_database(args.db)


def _parse_maps(items) -> dict[str, str] | None:
    """--map FIELD=COLUMN (repeatable) -> {field: column}."""
    out = {}
    for it in items or []:
        if "=" not in it:
            raise ValueError(
                f'--map {it!r}: write it as FIELD="Column name", e.g. --map supplier_name="Name"'
            )
        k, v = it.split("=", 1)
        out[k.strip()] = v.strip().strip('"').strip("'")
    return out or None


def cmd_import(args) -> int:
    from cwb.ingest import importer
    from cwb.ingest.stage import report_text, safe_stage, save_mapping, stage_remembered

    try:
        given = _parse_maps(getattr(args, "map", None))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if given and args.kind == "payments":
        from cwb.ingest.payments import FIELDS

        bad = [k for k in given if k not in FIELDS]
        if bad:
            print(
                f"--map: unknown field {', '.join(bad)}: the payment fields are {', '.join(FIELDS)}",
                file=sys.stderr,
            )
            return 2

    con = _con(args)
    cur = con.cursor()
    known = {r[0] for r in cur.execute("SELECT anchor_id FROM anchor").fetchall()}
    nets = [r[0] for r in cur.execute("SELECT network_id FROM network WHERE NOT is_synthetic").fetchall()]
    cur.close()
    anchor = args.anchor
    new_anchor = None
    if args.kind != "targets":
        if not anchor:
            print("give the anchor the file belongs to: --anchor CODE", file=sys.stderr)
            return 2
        if anchor not in known:
            if not (args.anchor_name and args.anchor_type):
                print(
                    f"anchor {anchor} is not known: add --anchor-name NAME --anchor-type TYPE "
                    f"({'/'.join(ANCHOR_TYPES)}) to create it, or 'python -m cwb anchor add'",
                    file=sys.stderr,
                )
                return 2
            network = args.network or (nets[0] if len(nets) == 1 else None)
            if network is None:
                print(
                    "create the network first ('python -m cwb network create ...') or give --network",
                    file=sys.stderr,
                )
                return 2
            new_anchor = pd.DataFrame(
                [
                    {
                        "anchor_id": anchor,
                        "name": args.anchor_name,
                        "anchor_type": args.anchor_type,
                        "network_id": network,
                        "is_synthetic": False,
                    }
                ]
            )
    failed = 0
    for path in args.paths:
        opts = (
            {"date_order": args.date_order, "skip_undated": args.skip_undated}
            if args.kind == "payments"
            else {}
        )
        if given:
            st = safe_stage(con, path, args.kind, anchor, given, args.year, **opts)
        else:
            st = stage_remembered(con, path, args.kind, anchor, financial_year=args.year, **opts)
        if new_anchor is not None and st.report.ok:
            st.frames = {"anchor": new_anchor, **st.frames}
        if st.report.ok:
            importer.check_overlap(con, st)
        print(importer.clean_text(report_text(st.report)))
        if st.report.duplicate_of is not None:
            print("  (nothing imported)\n")
            continue
        if not st.report.ok:
            failed += 1
            print("  NOT IMPORTED\n")
            continue
        if args.dry_run:
            print("  dry run: nothing written\n")
            continue
        if st.report.overlap is not None and not args.on_overlap:
            failed += 1
            print(
                "  NOT IMPORTED: its payments overlap ones already imported: run again with --on-overlap replace or skip\n"
            )
            continue
        try:
            fid = importer.commit(con, st, who=args.who, on_overlap=args.on_overlap)
        except ValueError as exc:  # another import landed meanwhile, or nothing left to add
            failed += 1
            print(f"  NOT IMPORTED: {importer.clean_text(str(exc))}\n")
            continue
        save_mapping(con, anchor, args.kind, st.mapping, st)
        new_anchor = None
        print(f"  imported as file {fid}")
        if args.kind == "payments" and getattr(st, "layout", None):
            print(
                f"  mapping remembered for anchor {anchor} and this layout: later files with the same columns "
                "import without --map ('python -m cwb mappings list' shows it)"
            )
        print()
    return 1 if failed else 0


def cmd_mappings(args) -> int:
    """List, show or forget the column mappings remembered per anchor and layout."""
    import json

    con = _con(args)
    cur = con.cursor()
    try:
        rows = cur.execute(
            "SELECT source_key, mapping_json, saved_at FROM import_mapping ORDER BY saved_at DESC"
        ).fetchall()
        if args.action == "list":
            if not rows:
                print("no mappings remembered yet (one is saved when a file is imported)")
            for i, (key, js, at) in enumerate(rows, 1):
                d = json.loads(js)
                m = d.get("mapping", d) if isinstance(d, dict) else {}
                cols = d.get("columns") if isinstance(d, dict) else None
                what = f"{len(cols)} columns" if cols else "any layout"
                print(
                    clean_text(
                        f"{i:3d}  {key}  ({what}; saved {str(at)[:16]}): "  # headers come from files
                        + ", ".join(f"{k} <- '{v}'" for k, v in m.items() if isinstance(v, str))[:200]
                    )
                )
            return 0
        if not args.key:
            print(
                f"give the mapping: python -m cwb mappings {args.action} KEY (a number or key from "
                "'python -m cwb mappings list')",
                file=sys.stderr,
            )
            return 2
        pick = [r for i, r in enumerate(rows, 1) if args.key in (str(i), r[0])]
        if not pick:
            print(f"no remembered mapping {args.key!r}: see 'python -m cwb mappings list'", file=sys.stderr)
            return 2
        key, js, at = pick[0]
        if args.action == "show":
            print(clean_text(f"{key} (saved {str(at)[:16]})"))
            print(clean_text(json.dumps(json.loads(js), indent=2, ensure_ascii=False)))
            return 0
        cur.execute("DELETE FROM import_mapping WHERE source_key = ?", [key])
        print(f"forgot {key}: the next file of that layout is mapped afresh")
        return 0
    finally:
        cur.close()


def cmd_network(args) -> int:
    try:
        saved = manage.create_network(
            _con(args),
            args.id,
            args.name,
            args.local.split(","),
            wider=args.wider.split(",") if args.wider else None,
            wider_name=args.wider_name,
            baseline=args.baseline,
        )
    except manage.SetupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(saved.message())
    return 0


def cmd_anchor(args) -> int:
    try:
        aid = manage.add_anchor(
            _con(args), args.id, args.name, args.type, args.network, args.postcode, args.joined
        )
    except manage.SetupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"anchor {aid} ({args.type}) in network {args.network}")
    return 0


def cmd_files(args) -> int:
    print(clean_text(manage.files(_con(args)).to_string(index=False)))  # file names come from users
    return 0


def cmd_undo(args) -> int:
    try:
        name = manage.undo(_con(args), args.file_id, who=args.who)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(clean_text(f"removed file {args.file_id} ({name}) and everything it brought in"))
    return 0


def register(sub) -> None:
    import getpass

    who = getpass.getuser()
    s = sub.add_parser("import", help="import files: payments, suppliers, workforce, assets, targets")
    s.add_argument("kind", choices=["payments", "suppliers", "workforce", "assets", "targets"])
    s.add_argument("paths", nargs="+")
    s.add_argument("--anchor", help="the anchor the files belong to (its code)")
    s.add_argument("--anchor-name", help="create the anchor with this name if it is new")
    s.add_argument("--anchor-type", choices=ANCHOR_TYPES)
    s.add_argument("--network", help="network of a new anchor")
    s.add_argument("--year", help="financial year a workforce or land file describes, e.g. 2024-25")
    s.add_argument("--dry-run", action="store_true", help="print the reports, write nothing")
    s.add_argument(
        "--map",
        action="append",
        metavar='FIELD="Column"',
        help='say which column holds a field, e.g. --map supplier_name="Name" --map amount="Net Amount" '
        "(repeatable; remembered for the anchor and the file's layout)",
    )
    s.add_argument(
        "--date-order",
        choices=["dmy", "mdy"],
        help="payments: how dates like 04/05/2020 read when the file cannot tell (dmy UK, mdy US)",
    )
    s.add_argument(
        "--skip-undated",
        action="store_true",
        help="payments: leave out (and list) rows with an amount but no date instead of rejecting the file",
    )
    s.add_argument(
        "--on-overlap",
        choices=["replace", "skip"],
        help="payments already imported for the file's dates: replace that period, or skip the duplicates",
    )
    s.add_argument("--who", default=who, help="name recorded in the audit trail")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("network", help="create or update a network and its local geography")
    s.add_argument("action", choices=["create"])
    s.add_argument("--id", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--local", required=True, help="local authority codes of the place, comma-separated")
    s.add_argument("--wider", help="wider-area LAD codes (default: the county of the local districts)")
    s.add_argument("--wider-name")
    s.add_argument("--baseline", help="baseline financial year, e.g. 2022-23")
    s.set_defaults(func=cmd_network)

    s = sub.add_parser("anchor", help="add or update an anchor")
    s.add_argument("action", choices=["add"])
    s.add_argument("--id", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--type", required=True, choices=ANCHOR_TYPES)
    s.add_argument("--network", required=True)
    s.add_argument("--postcode")
    s.add_argument("--joined", help="financial year the anchor joined the network")
    s.set_defaults(func=cmd_anchor)

    s = sub.add_parser(
        "mappings", help="column mappings remembered per anchor and layout: list, show, forget"
    )
    s.add_argument("action", choices=["list", "show", "forget"])
    s.add_argument("key", nargs="?", help="the number or key shown by 'mappings list'")
    s.set_defaults(func=cmd_mappings)

    s = sub.add_parser("files", help="list imported files")
    s.set_defaults(func=cmd_files)

    s = sub.add_parser("undo", help="remove an imported file and everything it brought in")
    s.add_argument("file_id", type=int)
    s.add_argument("--who", default=who)
    s.set_defaults(func=cmd_undo)
