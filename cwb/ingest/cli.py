"""CLI for imports: ``python -m cwb import KIND PATH... --anchor CODE``, networks, anchors, undo."""

from __future__ import annotations

import sys

import pandas as pd

from cwb import manage

ANCHOR_TYPES = manage.ANCHOR_TYPE_CODES


def _con(args):
    return manage.open_database(args.db)


def cmd_import(args) -> int:
    from cwb.ingest import importer
    from cwb.ingest.stage import save_mapping, stage_remembered

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
                print(f"anchor {anchor} is not known: add --anchor-name NAME --anchor-type TYPE "
                      f"({'/'.join(ANCHOR_TYPES)}) to create it, or 'python -m cwb anchor add'", file=sys.stderr)
                return 2
            network = args.network or (nets[0] if len(nets) == 1 else None)
            if network is None:
                print("create the network first ('python -m cwb network create ...') or give --network", file=sys.stderr)
                return 2
            new_anchor = pd.DataFrame([{"anchor_id": anchor, "name": args.anchor_name, "anchor_type": args.anchor_type,
                                        "network_id": network, "is_synthetic": False}])
    failed = 0
    for path in args.paths:
        st = stage_remembered(con, path, args.kind, anchor, financial_year=args.year)
        if new_anchor is not None and st.report.ok:
            st.frames = {"anchor": new_anchor, **st.frames}
        print(st.report.text())
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
        fid = importer.commit(con, st, who=args.who)
        save_mapping(con, anchor, args.kind, st.mapping)
        new_anchor = None
        print(f"  imported as file {fid}\n")
    return 1 if failed else 0


def cmd_network(args) -> int:
    try:
        saved = manage.create_network(_con(args), args.id, args.name, args.local.split(","),
                                      wider=args.wider.split(",") if args.wider else None,
                                      wider_name=args.wider_name, baseline=args.baseline)
    except manage.SetupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(saved.message())
    return 0


def cmd_anchor(args) -> int:
    try:
        aid = manage.add_anchor(_con(args), args.id, args.name, args.type, args.network, args.postcode, args.joined)
    except manage.SetupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"anchor {aid} ({args.type}) in network {args.network}")
    return 0


def cmd_files(args) -> int:
    print(manage.files(_con(args)).to_string(index=False))
    return 0


def cmd_undo(args) -> int:
    try:
        name = manage.undo(_con(args), args.file_id, who=args.who)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"removed file {args.file_id} ({name}) and everything it brought in")
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

    s = sub.add_parser("files", help="list imported files")
    s.set_defaults(func=cmd_files)

    s = sub.add_parser("undo", help="remove an imported file and everything it brought in")
    s.add_argument("file_id", type=int)
    s.add_argument("--who", default=who)
    s.set_defaults(func=cmd_undo)
