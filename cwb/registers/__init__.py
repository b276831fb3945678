"""Open registers: load the official bulk files, match payees to them, review the matches.

- ``load``: Companies House (BasicCompanyData, zip or CSV, one file or the parts), the Charity
  Commission extract (England and Wales), the Scottish Charity Register (OSCR), the Charity
  Commission for Northern Ireland, the FCA Mutuals Public Register, the Public Bodies Directory,
  councils (mySociety) and NHS organisations (ODS), streamed into DuckDB.
- ``match``: payees to register entries, identifiers first, then names; confidence and evidence.
- ``review``: the queue of unmatched and uncertain payees, and the decisions reviewers make.
"""

KINDS = ("companies", "ccew", "oscr", "ccni", "fca_mutuals", "public_bodies", "councils", "nhs_ods")

KIND_LABELS = {
    "companies": "Companies House (Free Company Data Product)",
    "ccew": "Charity Commission register (England and Wales)",
    "oscr": "Scottish Charity Register (OSCR)",
    "ccni": "Charity Commission for Northern Ireland register",
    "fca_mutuals": "FCA Mutuals Public Register",
    "public_bodies": "Public Bodies Directory (Cabinet Office)",
    "councils": "UK local authorities (mySociety)",
    "nhs_ods": "NHS organisations (ODS)",
}

METHOD_NOTE = (
    "Suppliers matched to Companies House are placed at their registered office, which is not "
    "always where the work is done (a national firm's head office, an accountant's address). "
    "Charities are placed at their register contact address. The anchor's own supplier list, "
    "when it gives a postcode, always comes first."
)
