"""CLI: ``python -m cwb registers load|match|status`` and ``python -m cwb suppliers review``."""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import date
from pathlib import Path

from cwb.registers import KIND_LABELS, KINDS, METHOD_NOTE

# official download addresses (override with CWB_REGISTER_<KIND>_URL); used only by --download
DEFAULT_URLS = {
    "companies": "https://download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-{month}-01.zip",
    "ccew": "https://ccewuksprdoneregsadata1.blob.core.windows.net/data/txt/publicextract.charity.zip",
    "oscr": "https://www.oscr.org.uk/download/charity-register",
    "ccni": "https://www.charitycommissionni.org.uk/umbraco/api/charityApi/ExportSearchResultsToCsv/?include=Linked&include=Removed",
    "fca_mutuals": "https://fcastoragemprprod.blob.core.windows.net/societylist/SocietyList.csv",
    "public_bodies": "",
    "councils": "https://raw.githubusercontent.com/mysociety/uk_local_authority_names_and_codes/main/data/uk_local_authorities_current.csv",
    "nhs_ods": "https://files.digital.nhs.uk/assets/ods/current/etr.zip",
}


def url_for(kind: str) -> str:
    u = os.environ.get(f"CWB_REGISTER_{kind.upper()}_URL") or DEFAULT_URLS[kind]
    return u.replace("{month}", date.today().strftime("%Y-%m"))


def _con(args):
    from cwb import build, config

    return build.open_database(args.db or config.db_path(), log=lambda m: print(m, file=sys.stderr))


def cmd_registers(args) -> int:
    from cwb import build
    from cwb.registers import load, match

    con = _con(args)
    if args.action == "status":
        load.ensure_schema(con)
        cur = con.cursor()
        src = cur.execute(
            "SELECT kind, file_names, strftime(snapshot_date, '%Y-%m-%d') AS snapshot_date, n_rows, "
            "strftime(loaded_at, '%Y-%m-%d %H:%M') AS loaded_at FROM reg_source ORDER BY kind"
        ).df()
        st = cur.execute("SELECT status, count(*) AS n FROM supplier_match GROUP BY 1").df()
        cur.close()
        out = {
            "registers": json.loads(src.to_json(orient="records", date_format="iso")),
            "matches": dict(zip(st["status"], st["n"].astype(int))),
            "method_note": METHOD_NOTE,
        }
        print(json.dumps(out, indent=1, default=str))
        return 0
    if args.action == "match":
        res = match.update(con, full=True, log=lambda m: print(m, file=sys.stderr))
        build.refresh(con)
        print(json.dumps(res, indent=1))
        return 0
    # load
    if not args.kind:
        print(f"give the register: one of {', '.join(KINDS)}", file=sys.stderr)
        return 2
    paths = list(args.paths or [])
    if args.download:
        url = args.url or url_for(args.kind)
        if not url:
            print(
                f"no download address known for {args.kind}: give --url or set CWB_REGISTER_{args.kind.upper()}_URL",
                file=sys.stderr,
            )
            return 2
        from cwb import config

        dest = (
            Path(config.get("CWB_ORIGINALS"))
            / "registers"
            / (Path(url.split("?")[0]).name or f"{args.kind}.dat")
        )
        try:
            print(f"downloading {url} ...", file=sys.stderr)
            paths = [str(load.download(args.kind, url, dest))]
        except RuntimeError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    if not paths:
        print("give the file(s) to load, or --download", file=sys.stderr)
        return 2
    try:
        rep = load.load(con, args.kind, paths, snapshot=args.snapshot)
    except (load.RegisterFormatError, OSError) as exc:
        print(f"register not loaded: {exc}", file=sys.stderr)
        return 1
    print(rep.text())
    res = match.update(con, full=True, log=lambda m: print(m, file=sys.stderr))
    build.refresh(con)
    if args.json:
        print(json.dumps({"load": rep.as_dict(), "matching": res}, indent=1, default=str))
    return 0


def cmd_suppliers(args) -> int:
    from cwb.registers import review

    con = _con(args)
    cur = con.cursor()
    if args.anchors:
        scope = [a.strip() for a in args.anchors.split(",") if a.strip()]
    else:
        q = "SELECT anchor_id FROM anchor" + (
            " WHERE network_id = ?" if args.network else " WHERE NOT is_synthetic"
        )
        scope = [r[0] for r in cur.execute(q, [args.network] if args.network else []).fetchall()]
    cur.close()
    if args.export:
        n = review.export_csv(con, args.export, scope, top=args.top, include_decided=args.all)
        print(
            f"wrote {n:,} payees to {args.export} (largest spend first). Fill the 'decision' column "
            f"({' / '.join(review.ACTIONS)}), and 'register_id' (default: candidate 1) or 'postcode', then run "
            f"'python -m cwb suppliers review --apply {args.export}'"
        )
        return 0
    if args.apply:
        try:
            n = review.apply_csv(con, args.apply, who=args.who, network_id=args.network)
        except (review.ReviewError, OSError) as exc:
            print(f"nothing applied: {exc}", file=sys.stderr)
            return 1
        print(f"applied {n:,} decisions from {args.apply}; figures rebuilt")
        return 0
    q = review.queue(con, scope, row_limit=args.top)
    print(
        json.dumps(
            {
                "queue": len(q),
                "top": [
                    {
                        "rank": int(r["rank"]),
                        "payee": r["payee"],
                        "spend_gbp": float(r["spend_gbp"]),
                        "status": r["status"],
                        "evidence": r["evidence"],
                    }
                    for r in q.head(20).to_dict("records")
                ],
            },
            indent=1,
            default=str,
        )
    )
    return 0


def register(sub) -> None:
    who = getpass.getuser()
    s = sub.add_parser(
        "registers",
        help="open registers: load Companies House, charities, mutuals, public bodies; match payees",
    )
    s.add_argument("action", choices=["load", "match", "status"])
    s.add_argument(
        "kind", nargs="?", choices=list(KINDS), help="; ".join(f"{k}: {v}" for k, v in KIND_LABELS.items())
    )
    s.add_argument("paths", nargs="*", help="the file(s): a zip or the CSV; Companies House parts together")
    s.add_argument("--download", action="store_true", help="fetch the file from its official address first")
    s.add_argument("--url", help="download address (default: CWB_REGISTER_<KIND>_URL or the official one)")
    s.add_argument("--snapshot", help="snapshot date of the file, YYYY-MM-DD (default: from the file)")
    s.add_argument("--json", action="store_true", help="print the load report and matching counts as JSON")
    s.set_defaults(func=cmd_registers)

    s = sub.add_parser(
        "suppliers", help="review supplier matches: export the queue to a CSV, apply decisions"
    )
    s.add_argument("action", choices=["review"])
    g = s.add_mutually_exclusive_group()
    g.add_argument("--export", metavar="F.csv", help="write the queue (largest spend first)")
    g.add_argument("--apply", metavar="F.csv", help="apply the decisions filled in an exported file")
    s.add_argument("--top", type=int, default=300, help="how many payees (default 300)")
    s.add_argument("--all", action="store_true", help="include payees matched automatically or decided")
    s.add_argument("--network", help="network code (default: every real anchor)")
    s.add_argument("--anchors", help="anchor codes, comma-separated")
    s.add_argument("--who", default=who, help="name recorded with the decisions")
    s.set_defaults(func=cmd_suppliers)
