"""Help and method: what each indicator means, how this dashboard computes it, and a glossary."""

import pandas as pd
import streamlit as st

from cwb import privacy, targets
from cwb.ui.frame import DENOMINATORS, footer, frame

f = frame("Help and method", anchor_mode="none")
k = privacy.k_default()

st.markdown(
    "Every figure on these pages comes from the anchors' own files (payments, supplier lists, staff counts, "
    "land registers) joined to official geography. Next to each chart and table a caption states its "
    "**numerator**, **denominator**, **period**, **anchors**, **local geography** and, where used, the "
    "**deprivation edition**; every download carries the same caption and source."
)

st.markdown("## The settings in use now")
st.markdown(
    f"- **Financial year:** {f.fy} (April to March), compared with the baseline **{f.baseline_fy}**.\n"
    f"- **Anchors:** {f.anchors_label}.\n"
    f"- **Local area:** {f.local_name} ({', '.join(f.local_lads)}).\n"
    f"- **Wider area:** {f.wider_name} ({len(f.wider_lads)} districts); **region:** {f.region_name}.\n"
    f"- **Denominator (spend in scope):** {f.denominator_label}.\n"
    f"- **Deprivation edition:** English Indices of Deprivation {f.imd_edition}"
    + ("" if f.imd_edition in f.imd_loaded else " (not loaded: deprivation figures are not shown)")
    + ".\n"
    f"- **Staff counts:** any count below {k} is withheld; every other count is rounded to the nearest 5.\n\n"
    "Change them in the sidebar (the *Method* section holds the geography, the denominator and the "
    "deprivation edition). They follow you from page to page and are kept in the address, so a copied link "
    "opens the same view."
)

st.markdown("## Spend: what the anchors buy")
st.markdown(f"""
A payment counts where its supplier is: the postcode on the anchor's supplier record (its trading
address) is looked up in the ONS postcode directory to find its small area (LSOA), its middle-layer
area (MSOA) and its local authority district. A supplier with no usable postcode is counted as
**unknown location**, never dropped.

**Spend in scope (A1)** is the sum of the payments counted, in pounds, for the year. Which payments
count is the *denominator* you choose: {"; ".join(f"*{v.lower()}*" for v in DENOMINATORS.values())}.
Every share below is a share of A1, so say which denominator you used when you quote one.

| Indicator | What it tells you | How it is computed |
|---|---|---|
| **Local spend (A2)** | How much of the money stays in the place | spend with suppliers located in the local area's districts ÷ A1 |
| **Wider-area spend (A3)** | The same for the county or combined authority | spend with suppliers in the local or wider area ÷ A1 |
| **Where the money went (A4)** | The whole picture in bands | shares of A1 in the local area, the rest of the wider area, the rest of the region, the rest of the UK, and unknown or outside the UK; the bands add up to 100% |
| **Leakage (A5)** | Money leaving the place, in pounds | A1 minus local spend |
| **Change since the baseline (A6)** | Progress | the difference from the baseline year, in percentage points (pp) for a share and in £ for an amount; the change in A1 is shown beside it, because a share can rise only because the total fell |
| **SME spend (A7)** and **local SME spend (A8)** | Spend with small and medium-sized firms | spend with suppliers flagged SME (anywhere, or in the local area) ÷ A1; the share of spend whose SME status is known is shown beside it |
| **VCSE spend (A10)** | Spend with charities and social enterprises | spend with suppliers flagged VCSE ÷ A1 (the local part is given too) |
| **Social-economy spend (A11)** | Spend with co-operatives, social enterprises, employee-owned firms | spend with suppliers flagged social economy ÷ A1 |
| **Spend in deprived areas (A12)** | Whether spend reaches the poorest neighbourhoods | spend with suppliers whose LSOA is in IMD decile 1 or 2 (the most deprived 20% of England) ÷ A1 |
| **Opportunities (A13)** | Categories where spend leaks but could be bought locally | for each procurement category: local spend ÷ the category's spend, ranked by the pounds spent outside the local area, with the number of local suppliers already trading with the network |
| **Concentration (A14)** | Dependence on a few large suppliers | the top-10 and top-20 suppliers' share of A1, and the HHI |
| **Prompt payment (A17)** | Whether suppliers are paid quickly | invoices paid within 30 days of the invoice date ÷ invoices with both dates; average days to pay |
| **Shared suppliers (X6)** | Joint-procurement openings | suppliers paid by two or more anchors of the network in the year |

**Network totals are weighted by spend**: the network's local share is the network's local spend
divided by the network's spend in scope, never an average of the anchors' percentages. Anchors
of different types spend very differently (a housing association can spend most of its money
locally while a hospital trust cannot), so compare an anchor with anchors of its own type.
""")

st.markdown("## Workforce: whom the anchors employ")
st.markdown(f"""
Staff home postcodes are personal data. The dashboard keeps **counts of staff by area only**: an HR
extract with one row per person is counted by area when it is imported and is never kept. Any count
below {k} is withheld (shown as "<{k}"), every other count is rounded to the nearest 5, and
percentages are worked out from the rounded counts, on screen and in every download.

| Indicator | How it is computed |
|---|---|
| **Headcount and FTE (B1)** | staff in post at 31 March, as people and as full-time equivalents |
| **Living locally (B2)** | staff whose home is in the local area ÷ headcount |
| **Living in deprived areas (B3)** | staff whose home LSOA is in IMD decile 1 or 2 ÷ headcount |
| **Representation ratio (B4)** | B3 ÷ the share of the local population living in decile 1-2 areas; 1.00 means the staff mirror the place |
| **Paid the real Living Wage (B5)** | staff aged 18 or over paid at least the RLW for that year ÷ staff aged 18 or over |
| **Apprentices (B8)** | apprentices ÷ headcount, and apprenticeship starts in the year |
| **Entry-level hires (B10)** | entry-level hires living locally, or in decile 1-2 areas, ÷ all entry-level hires |
| **Gender pay gap (B13)** | each anchor's statutory mean and median gap; not pooled across anchors |
| **Insecure contracts (B14)** | staff on zero-hours, agency or bank contracts ÷ headcount |
""")

st.markdown("## Land and property: what the anchors do with their estate")
st.markdown("""
| Indicator | How it is computed |
|---|---|
| **Sites held (C1)** | sites in the registers at the year, not counting those disposed of or transferred; hectares and floor area beside them |
| **Surplus, vacant or under-used (C2)** | sites with one of those statuses: land that could be put to community or productive use |
| **Disposals by route (C3)** | sites, hectares and value disposed of, by route (open market, community asset transfer, affordable housing, ...) |
| **Community asset transfers (C4)** | sites transferred to community organisations, to date |
| **Community use (C5)** | sites made available for community or VCSE use |
| **Sites in deprived areas (C9)** | sites whose LSOA is in IMD decile 1 or 2 ÷ sites with a known decile |

A site is placed by its coordinates where the register gives them, else by its postcode, else by
its postcode district; the map says how many sites were placed each way.
""")

st.markdown("## Targets and data quality")
st.markdown(f"""
**Targets (X4)** are set by the network (imported on the Import page). {targets.THRESHOLDS}

**Data completeness (X1)**: the Data quality page shows, for each anchor, the months with payment
data (a missing month is a gap, never a month of zero spend), the share of spend whose supplier
could be located and the share whose SME and VCSE status is known, with what to do about each gap.
""")

st.markdown("## Glossary")
GLOSSARY = {
    "Anchor institution": "A large organisation rooted in a place (council, NHS trust, university, college, housing association, police, fire service)",
    "CWB": "Community wealth building: using what anchors buy, whom they employ and what they do with their land to keep wealth in a place",
    "FTE": "Full-time equivalent: staff hours expressed as a number of full-time posts",
    "FY": "Financial year, 1 April to 31 March, written 2024-25",
    "HHI": "Herfindahl-Hirschman index of supplier concentration: the sum of the squares of each supplier's percentage share of spend, from near 0 (many small suppliers) to 10,000 (a single supplier)",
    "IMD": "English Indices of Deprivation (MHCLG): every LSOA in England ranked from most to least deprived and split into ten deciles; decile 1 is the most deprived 10%. The 2019 edition is on 2011 LSOAs, the 2025 edition on 2021 LSOAs; the two are never mixed in one trend",
    "LAD": "Local authority district, identified by its ONS code (E07000123 is Preston)",
    "Leakage": "Spend with suppliers outside the local area",
    "LSOA": "Lower layer super output area: a small area of about 1,500 residents, the building block of the IMD",
    "MSOA": "Middle layer super output area: about 7,500 residents, a group of LSOAs",
    "pp": "Percentage points: the difference between two percentages (40% to 45% is +5 pp, an increase of 12.5%)",
    "RLW": "The real Living Wage set each year by the Living Wage Foundation (higher in London), not the statutory National Living Wage",
    "SME": "Small or medium-sized enterprise: fewer than 250 staff and turnover up to £44m or balance sheet up to £38m (Procurement Act 2023)",
    "VCSE": "Voluntary, community and social enterprise organisations: charities, community interest companies, community benefit societies",
    "Social economy": "Co-operatives, social enterprises, employee-owned firms and community businesses",
}
st.table(pd.DataFrame({"Term": list(GLOSSARY), "Meaning": list(GLOSSARY.values())}).set_index("Term"))

st.markdown("## Printing a page")
st.markdown(
    "Use the browser's *Print* (Ctrl+P) and choose *Save as PDF*: the sidebar, menus and download "
    "buttons are left out, the page fits an A4 sheet, and charts and tables are not split across "
    "sheets. For slides use the meeting pack on the Network overview or an Anchor profile."
)
footer(f, imd_used=False)
