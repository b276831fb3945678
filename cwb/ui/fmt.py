"""Number formatting for the pages (kept here for the pages; the functions live in cwb.fmt)."""

from cwb.fmt import gbp, num, pct, pp  # noqa: F401
