"""One vocabulary of column names for every kind of file the importer reads.

Each field has the header names it is published under (exact names, compared without case,
spaces or punctuation) and, for the inference in :mod:`cwb.ingest.infer`, the words a header
for it tends to contain and the words that rule a header out. A field means the same thing in
every kind of file ("postcode" is a supplier's postcode in a supplier list and in a payment
file that carries one); :func:`for_kind` gives the fields one kind of file uses, in the
precedence order the readers expect.
"""

from __future__ import annotations

import re
from functools import lru_cache

# field -> exact published names (first = most specific)
NAMES: dict[str, list[str]] = {
    "date": [
        "Payment Date",
        "Date Paid",
        "DatePaid",
        "Paid Date",
        "Date of Payment",
        "Invoice Payment Date",
        "Pay Date",
        "Clearing Date",
        "Posting Date",
        "Transaction Date",
        "Date",
        "Award Date",
        "Effective Date",
    ],
    "amount": [
        "Amount",
        "Net Amount",
        "NetAmount",
        "Net amount(£)",
        "Net Amount(£)",
        "Amount Paid",
        "Amount (£)",
        "Amount £",
        "Amount in Sterling £",
        "Invoice Nett Amount",
        "Net Value",
        "Payment Amount",
        "Line Amount",
        "Amount Excl VAT",
        "Value",
        "Total",
        "Expenditure",
        "Amount Awarded",
        "Sum of Inv Amount",
        "Total Invoice Amount",
    ],
    "supplier_name": [
        "Supplier Name",
        "SupplierName",
        "Beneficiary Name",
        "BeneficiaryName",
        "Supplier",
        "Payee",
        "Payee Name",
        "Vendor Name",
        "Vendor",
        "Merchant Name",
        "Recipient",
        "Recipient Org:Name",
        "Supplier Final",
        "Creditor Name",
        "Organisation Name",
        "Name",
    ],
    "supplier_ref": [
        "Supplier ID",
        "Supplier Id",
        "SupplierID",
        "BeneficiaryOtherID",
        "Beneficiary ID",
        "Supplier Number",
        "Supplier Code",
        "Vendor ID",
        "Vendor Number",
        "Creditor Number",
        "Supplier Ref",
        "Supplier Reference",
        "Recipient Org:Identifier",
    ],
    "category": [
        "ProclassLabel",
        "Proclass Label",
        "Expenditure Category",
        "ExpenditureCategory",
        "Category",
        "Procurement Category",
        "Detailed Expenditure Type",
        "DetailedExpenditureType",
        "Expense Type",
        "Expenses Type",
        "Subjective Description",
        "Account Description",
        "Account Code",
        "Purpose",
        "Category Internal Name",
        "Expense Area",
        "Grant Programme:Title",
    ],
    "invoice_date": ["Invoice Date", "InvoiceDate", "Date of Invoice", "Invoice Creation Date"],
    "transaction": [
        "Transaction Number",
        "TransactionNumber",
        "Transaction No",
        "Transaction ID",
        "Transaction Reference",
        "Document Number",
        "Inv Transaction",
        "Invoice Number",
    ],
    "redacted": ["Redact Name", "Redacted", "Redaction", "Personal Data", "Name Withheld"],
    "vat_number": ["VATRegistrationNumber", "VAT Registration Number", "VAT Number", "VAT Reg No"],
    "company_number": [
        "Company Number",
        "Companies House Number",
        "Company Registration Number",
        "Recipient Org:Company Number",
        "Company No",
    ],
    "postcode": [
        "Supplier Postcode",
        "Postcode",
        "Post Code",
        "PostCode",
        "Postal Code",
        "Recipient Org:Postal Code",
    ],
    "charity_number": [
        "Charity Number",
        "Registered Charity Number",
        "Recipient Org:Charity Number",
        "Charity No",
    ],
}

# field -> (words that suggest it, words that rule it out); matched on lower-case header words
WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "amount": (
        (
            "amount",
            "amt",
            "value",
            "net",
            "nett",
            "total",
            "sum",
            "spend",
            "paid",
            "sterling",
            "gbp",
            "£",
            "cost",
            "expenditure",
            "gross",
            "price",
            "payment",
        ),
        (
            "date",
            "number",
            "no",
            "id",
            "ref",
            "reference",
            "code",
            "reg",
            "registration",
            "count",
            "qty",
            "quantity",
            "year",
            "period",
            "transaction",
            "postcode",
            "name",
            "type",
            "category",
            "description",
        ),
    ),
    "date": (
        ("date", "dated", "paid", "clearing", "posting"),
        (
            "invoice",
            "number",
            "no",
            "id",
            "ref",
            "reference",
            "amount",
            "value",
            "year",
            "period",
            "name",
            "created",
            "creation",
            "due",
            "received",
            "start",
            "end",
            "birth",
        ),
    ),
    "invoice_date": (
        ("invoice", "inv", "creation", "created"),
        ("number", "no", "id", "ref", "amount", "value"),
    ),
    "supplier_name": (
        (
            "supplier",
            "payee",
            "vendor",
            "beneficiary",
            "recipient",
            "merchant",
            "creditor",
            "contractor",
            "company",
            "organisation",
            "organization",
            "name",
            "provider",
            "paid to",
        ),
        (
            "id",
            "ref",
            "reference",
            "number",
            "no",
            "code",
            "postcode",
            "post",
            "type",
            "category",
            "classification",
            "class",
            "address",
            "vat",
            "registration",
            "redact",
            "redacted",
            "amount",
            "date",
            "department",
            "directorate",
            "service",
            "headserv",
            "stratdir",
            "account",
            "expense",
            "area",
            "body",
            "entity",
            "cost",
            "centre",
            "family",
            "town",
            "county",
            "country",
            "description",
        ),
    ),
    "supplier_ref": (
        ("supplier", "vendor", "creditor", "payee", "beneficiary"),
        ("name", "postcode", "type", "classification", "amount", "date", "vat"),
    ),
    "category": (
        (
            "category",
            "expense",
            "expenses",
            "expenditure",
            "description",
            "subjective",
            "purpose",
            "proclass",
            "account",
            "type",
            "service",
            "classification",
        ),
        ("date", "amount", "number", "id", "postcode", "vat", "name", "supplier", "ref"),
    ),
    "transaction": (
        ("transaction", "document", "invoice", "reference", "voucher"),
        ("date", "amount", "value", "supplier", "vat", "type", "category"),
    ),
    "redacted": (("redact", "redacted", "redaction", "withheld", "personal"), ("date", "amount")),
}

# fields of the other kinds of file (a supplier list, a land register, workforce files, targets);
# names shared with payments (postcode, supplier_ref, company_number ...) come from the lists above
NAMES.update(
    {
        "is_sme": ["SME", "Is SME", "SME Flag", "SME Status"],
        "is_vcse": ["VCSE", "Is VCSE", "VCSE Flag", "Voluntary Sector"],
        "is_social_economy": ["Social Enterprise", "Social Economy", "Co-operative", "Cooperative"],
        "country": ["Country", "Recipient Org:Country"],
        "uprn": ["UPRN", "Unique Property Reference Number"],
        "site_ref": ["AssetCode", "Asset Code", "Asset Reference", "Property Reference", "Asset ID"],
        "site_name": ["PropertyName", "Property Name", "Site Name", "Asset Name", "Name"],
        "street_number": ["StreetNumber", "Street Number"],
        "street": ["StreetName", "Street Name", "Address", "Street"],
        "town": ["PostTown", "Post Town", "Town"],
        "crs": ["CoordinateReferenceSystem", "Coordinate Reference System", "CRS"],
        "x": ["GeoX", "Easting", "Longitude", "X"],
        "y": ["GeoY", "Northing", "Latitude", "Y"],
        "tenure": ["TenureType", "Tenure Type", "Tenure"],
        "tenure_detail": ["TenureDetail", "Tenure Detail"],
        "other_detail": ["OtherDetail", "Other Detail", "Use", "Current Use"],
        "holding_type": ["HoldingType", "Holding Type"],
        "building_size": ["BuildingSize", "Building Size", "Floor Area", "GIA"],
        "land_area": ["LandArea", "Land Area", "Site Area", "Area (ha)", "Hectares"],
        "status": ["Status", "Asset Status"],
        # workforce: counts by area
        "area_code": ["LSOA", "LSOA code", "lsoa11", "LSOA11CD", "area_code", "Area code"],
        "headcount": ["headcount", "Headcount", "Staff", "Count"],
        "fte": ["fte", "FTE", "Full Time Equivalent"],
        "adult_headcount": ["adult_headcount", "Staff 18+", "Adult headcount"],
        "paid_rlw": ["paid_rlw", "Paid real Living Wage", "Paid RLW"],
        "apprentices": ["apprentices", "Apprentices"],
        "apprentice_starts": ["apprentice_starts", "Apprentice starts"],
        "entry_hires": ["entry_hires", "Entry-level hires", "Entry hires"],
        "insecure": ["insecure", "Insecure", "Zero hours or agency"],
        "financial_year": ["financial_year", "Financial year", "Year"],
        # workforce: an HR extract (one row per employee, aggregated on read)
        "home_postcode": ["Home Postcode", "Postcode", "Home Post Code", "Employee Postcode"],
        "hourly_rate": ["Hourly Rate", "Hourly rate", "Rate per hour", "Basic Hourly Rate"],
        "contract": ["Contract Type", "Contract", "Employment Type"],
        "start_date": ["Start Date", "Date Started", "Hire Date"],
        "role_level": ["Role Level", "Grade", "Band", "Job Level"],
        "age": ["Age"],
        "work_postcode": ["Work Postcode", "Workplace Postcode", "Base Postcode", "Work Location Postcode"],
        # targets
        "indicator": ["indicator", "Indicator", "Indicator ID"],
        "scope_type": ["scope_type", "Scope type", "Scope"],
        "scope_id": ["scope_id", "Scope ID", "Anchor", "Network"],
        "target_value": ["target_value", "Target", "Target value", "Value"],
        "direction": ["direction", "Direction"],
    }
)

# the fields each kind of file uses (readers take the exact names from NAMES); a kind may call a
# field by its own key: kind -> {key: vocabulary field}
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "payments": (
        "date",
        "amount",
        "supplier_name",
        "supplier_ref",
        "category",
        "invoice_date",
        "transaction",
        "redacted",
        "vat_number",
        "company_number",
        "postcode",
        "charity_number",
    ),
    "suppliers": (
        "supplier_name",
        "postcode",
        "supplier_ref",
        "company_number",
        "charity_number",
        "is_sme",
        "is_vcse",
        "is_social_economy",
        "country",
    ),
    "assets": (
        "uprn",
        "site_ref",
        "site_name",
        "street_number",
        "street",
        "town",
        "postcode",
        "crs",
        "x",
        "y",
        "tenure",
        "tenure_detail",
        "other_detail",
        "holding_type",
        "building_size",
        "land_area",
        "effective_date",
        "status",
    ),
    # a workforce file is either counts by area or an HR extract; "workforce" is both (to find
    # the header row and for the mapping editor), the reader then maps with the one it found
    "workforce_counts": (
        "area_code",
        "headcount",
        "fte",
        "adult_headcount",
        "paid_rlw",
        "apprentices",
        "apprentice_starts",
        "entry_hires",
        "insecure",
        "financial_year",
    ),
    "workforce_hr": (
        "home_postcode",
        "hourly_rate",
        "contract",
        "start_date",
        "role_level",
        "fte",
        "age",
        "work_postcode",
    ),
    "targets": ("indicator", "scope_type", "scope_id", "financial_year", "target_value", "direction"),
}
KIND_FIELDS["workforce"] = tuple(dict.fromkeys(KIND_FIELDS["workforce_counts"] + KIND_FIELDS["workforce_hr"]))
KIND_KEYS: dict[str, dict[str, str]] = {
    "suppliers": {"supplier_name": "name"},
    "assets": {"effective_date": "effective_date"},
    # an HR extract's reader calls the employee's home postcode "postcode"
    "workforce_hr": {"home_postcode": "postcode"},
    "workforce": {"home_postcode": "postcode"},
}
# the kinds a user imports (the others are parts of one of these)
KINDS = ("payments", "suppliers", "assets", "workforce", "targets")
NAMES.setdefault("effective_date", ["EffectiveDate", "Effective Date"])


def norm(h: object) -> str:
    """A header compared without case, spaces, punctuation or a leading '*'."""
    return re.sub(r"[^a-z0-9]", "", str(h).lower())


def words(h: object) -> list[str]:
    s = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(h)).lower().replace("£", " £ ")
    return [w for w in re.split(r"[^a-z0-9£]+", s) if w]


def for_kind(kind: str) -> dict[str, list[str]]:
    """Field -> exact header names, for the fields of one kind of file (keyed as that kind's reader
    names them): one vocabulary, so a supplier reference called 'Creditor Number' is known in a
    payment file and in a supplier list alike."""
    keys = KIND_KEYS.get(kind, {})
    return {keys.get(f, f): list(NAMES[f]) for f in KIND_FIELDS[kind]}


@lru_cache(maxsize=8)
def known_names(kind: str = "payments") -> frozenset[str]:
    """Normalised header names of one kind of file's fields."""
    return frozenset(norm(a) for f in KIND_FIELDS[kind] for a in NAMES[f])
