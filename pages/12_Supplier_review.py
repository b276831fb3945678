"""Supplier review: payees matched to the open registers, the queue of uncertain ones (largest
spend first), and the reviewer's decisions (accept, reject, search, mark)."""

import pandas as pd
import streamlit as st

from cwb import fmt
from cwb.registers import METHOD_NOTE, match, review
from cwb.ui import data, show
from cwb.ui.frame import footer, frame

f = frame("Supplier review")
con = data.connection()
ind = f.query("spend_indicators")
row = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.fy)]
if not row.empty:
    r = row.iloc[0]
    c = st.columns(5)
    c[0].metric("Spend with a located supplier (X1)", fmt.pct(r["located_pct"]))
    c[1].metric("Local spend (A2)", fmt.pct(r["local_pct"]))
    c[2].metric("SME spend (A7)", fmt.pct(r["sme_pct"]))
    c[3].metric("VCSE spend (A10)", fmt.pct(r["vcse_pct"]))
    c[4].metric("Social-economy spend (A11)", fmt.pct(r["social_pct"]))
st.caption("How suppliers were located: " + METHOD_NOTE)
lm = f.query("located_by_method")
if not lm.empty:
    lm["spend_gbp"] = lm["spend_gbp"].astype(float).round(0)
    show.table(
        lm.rename(
            columns={
                "method": "Located by",
                "spend_gbp": "Spend £",
                "pct": "% of spend",
                "n_suppliers": "Suppliers",
                "snapshot": "Register snapshot",
            }
        ),
        f.provenance(
            "Spend by location method",
            "Spend by how its supplier was located",
            numerator="spend",
            notes=[METHOD_NOTE],
        ),
        key="rev_methods",
    )

if not f.detail_anchors:
    st.info("Supplier names are shown only to analysts of each anchor.")
    footer(f)
    st.stop()
if not match.has_registers(con):
    st.warning(
        "No register is loaded yet, so payees cannot be matched. Load the open registers first, e.g. "
        "`python -m cwb registers load companies BasicCompanyData-2025-11-01-part1_7.zip` (see the README, "
        "'Registers')."
    )
can_decide = f.scope.can_import or f.scope.role == "anchor_analyst"
who = st.session_state.get("_auth_user", f.scope.user or "local")

review.ensure_schema(con)
lo, hi = review.all_years()
top = data.query(
    "review_queue",
    scope_anchor_ids=f.detail_anchors,
    fy_from=lo,
    fy_to=hi,
    include_decided=False,
    search="",
    row_limit=300,
)  # cached; a decision clears the cache (act below)
n_queue = int(top["n_rows"].iloc[0]) if len(top) else 0
st.subheader(f"Review queue: {n_queue:,} payees to check, largest spend first")
st.caption(
    "Payees with no automatic match, or a match below the threshold, across every year. The top 300 first, "
    "as CLES does. Decisions are remembered by payee name: they apply to every anchor of the network that "
    "pays the same payee, and survive re-imports. Officers who prefer Excel: "
    "`python -m cwb suppliers review --export queue.csv`, fill the 'decision' column, then `--apply queue.csv`."
)


def best(cj):
    c = review.candidates({"candidates": cj})
    return f"{c[0]['name']} ({c[0]['kind']} {c[0]['reg_id']})" if c else ""


if top.empty:
    st.success("Nothing to review: every payee with spend is matched or decided.")
else:
    view = pd.DataFrame(
        {
            "Rank": top["rank"],
            "Payee": top["payee"],
            "Spend £": top["spend_gbp"].astype(float).round(0),
            "Anchors": top["anchors"],
            "Status": top["status"],
            "Confidence": top["confidence"].astype(float).round(2),
            "Best candidate": top["candidates"].map(best),
            "Evidence": top["evidence"],
        }
    )
    show.table(
        view,
        f.provenance(
            "Supplier review queue",
            "Unmatched and uncertain payees, largest spend first",
            numerator="spend",
            period="all years",
        ),
        key="rev_queue",
    )
    labels = {
        nn: f"{int(rk)}. {p} — {fmt.gbp(s)}"
        for nn, rk, p, s in zip(top["name_norm"], top["rank"], top["payee"], top["spend_gbp"])
    }
    nn = st.selectbox("Payee to review", list(labels), format_func=labels.get, key="rev_payee")
    sel = top[top["name_norm"] == nn].iloc[0]
    st.markdown(
        f"**{sel['payee']}** — {fmt.gbp(sel['spend_gbp'])}, paid by {sel['anchors']}. {sel['evidence'] or ''}"
    )
    gone = review.rejected(con, nn)
    cands = [c for c in review.candidates(sel.to_dict()) if f"{c['kind']}:{c['reg_id']}" not in gone]
    if gone:
        st.caption(f"Rejected before: {', '.join(sorted(gone))}")
    opts = {
        f"{c['kind']}:{c['reg_id']}": f"{c['name']} — {c['kind']} {c['reg_id']}, {c.get('postcode') or 'no postcode'}, "
        f"{c.get('legal_form') or ''}, {c.get('status') or ''} (score {c['score']})"
        for c in cands
    }

    def act(action, key=None, postcode=None):
        kind, rid = key.split(":", 1) if key else (None, None)
        try:
            review.decide(
                con, nn, action, who=who, kind=kind, reg_id=rid, postcode=postcode, network_id=f.network_id
            )
        except review.ReviewError as exc:
            st.error(str(exc))
            return
        data.clear()
        what = review.ACTIONS[action]
        st.session_state["_rev_done"] = f"{what[0].upper()}{what[1:]}: {sel['payee']}. Figures rebuilt."
        st.rerun()

    if opts:
        pick = st.radio("Candidates from the registers", list(opts), format_func=opts.get, key="rev_cand")
        b = st.columns(2)
        if b[0].button("Accept this candidate", disabled=not can_decide, key="rev_accept", type="primary"):
            act("accept", pick)
        if b[1].button("Reject this candidate", disabled=not can_decide, key="rev_reject"):
            act("reject", pick)
    else:
        st.caption("No candidate in the loaded registers: search them below, or mark the payee.")
    m = st.columns(4)
    if m[0].button("Mark as public body", disabled=not can_decide, key="rev_public"):
        act("public_body")
    if m[1].button("Mark as individual", disabled=not can_decide, key="rev_person"):
        act("individual")
    if m[2].button("Mark as outside the UK", disabled=not can_decide, key="rev_abroad"):
        act("outside_uk")
    if m[3].button("No match", disabled=not can_decide, key="rev_nomatch"):
        act("no_match")
    s = st.text_input("Search the register (name or number)", key="rev_search")
    if s:
        hits = match.search(con, s)
        if hits.empty:
            st.caption("Nothing found.")
        else:
            hopts = {
                f"{h.kind}:{h.reg_id}": f"{h.name} — {h.kind} {h.reg_id}, {h.postcode or 'no postcode'}, "
                f"{h.legal_form or ''}, {h.status or ''}"
                for h in hits.itertuples()
            }
            hp = st.selectbox("Register entries found", list(hopts), format_func=hopts.get, key="rev_hit")
            if st.button("Accept this entry", disabled=not can_decide, key="rev_accept_hit"):
                act("accept", hp)
    pc = st.text_input("Or locate by hand: the postcode where the work is done", key="rev_pc")
    if pc and st.button("Use this postcode", disabled=not can_decide, key="rev_use_pc"):
        act("postcode", postcode=pc)
    if not can_decide:
        st.caption("Decisions are for administrators and the anchor's analysts.")
if msg := st.session_state.pop("_rev_done", None):
    st.success(msg)
footer(f)
