"""What a figure measures, carried from the query to the screen, the caption and every export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cwb.reference.geography import ATTRIBUTION as GEO_ATTRIBUTION
from cwb.reference.imd import ATTRIBUTION as IMD_ATTRIBUTION

SYNTHETIC_NOTE = "Synthetic demo data: the anchors and payments are invented; the geography is real."


@dataclass
class Provenance:
    """The method statement of one chart or table.

    Every indicator states its numerator, denominator, period, anchors, local geography and
    (where used) the deprivation edition (indicators.md).
    """

    title: str
    measure: str
    numerator: str = ""
    denominator: str = ""
    period: str = ""
    anchors: str = ""
    geography: str = ""
    imd_edition: str | None = None
    source: str = "Anchor payment, workforce and estates records"
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)

    def caption(self) -> str:
        """One paragraph for under a chart or on a slide."""
        parts = [self.measure.rstrip(".") + "."]
        if self.numerator:
            parts.append(f"Numerator: {self.numerator}.")
        if self.denominator:
            parts.append(f"Denominator: {self.denominator}.")
        if self.period:
            parts.append(f"Period: {self.period}.")
        if self.anchors:
            parts.append(f"Anchors: {self.anchors}.")
        if self.geography:
            parts.append(f"Local geography: {self.geography}.")
        if self.imd_edition:
            parts.append(f"Deprivation: English Indices of Deprivation {self.imd_edition}.")
        parts.extend(n.rstrip(".") + "." for n in self.notes)
        return " ".join(parts)

    def source_line(self) -> str:
        line = f"Data: {self.source}. {GEO_ATTRIBUTION}"
        if self.imd_edition:
            line += f" {IMD_ATTRIBUTION}."
        if self.synthetic:
            line = SYNTHETIC_NOTE + " " + line
        return line

    def rows(self, sensitivity: str) -> list[tuple[str, str]]:
        """Provenance rows written above the data in CSV and XLSX exports."""
        return [
            ("Title", self.title),
            ("Sensitivity", sensitivity),
            ("What is measured", self.caption()),
            ("Source and licence", self.source_line()),
            ("Produced", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ]
