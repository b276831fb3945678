"""Exports checked by content: real images of the right size, provenance rows, no live formulas."""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from cwb import export
from cwb.charts import spend
from cwb.provenance import Provenance

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="kaleido needs Debian chromium (apt-get install chromium)"
)

PROV = Provenance(
    title="Local spend by year",
    measure="Share of spend with suppliers in the local area (A2)",
    numerator="spend with local suppliers",
    denominator="all third-party spend",
    period="financial years 2020-21 to 2022-23",
    anchors="all 7 anchors",
    geography="Preston (E07000123)",
    imd_edition="2019",
    synthetic=True,
)
HOSTILE = pd.DataFrame(
    {
        "supplier": ['=HYPERLINK("http://x","click")', "+1+1", "-2+3", "@SUM(A1)", "Plain Ltd", "\t=1"],
        "spend_gbp": [100.5, 2.0, -3.25, 4.0, 5.0, 6.0],
    }
)


def _fig():
    df = pd.DataFrame(
        {
            "anchor_id": ["_all"] * 3,
            "financial_year": ["2020-21", "2021-22", "2022-23"],
            "local_pct": [15.0, 16.2, 17.1],
        }
    )
    return spend.trend(df, "local_pct", "Local spend (A2)", {"_all": "Network"}, "2020-21")


def _png_size(b: bytes) -> tuple[int, int]:
    assert b[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", b[16:24])


@needs_chromium
def test_png_slide_and_print_sizes():
    assert _png_size(export.png(_fig(), PROV, "slide")) == (1600, 900)
    assert _png_size(export.png(_fig(), PROV, "print")) == (4800, 2700)


@needs_chromium
def test_svg_is_a_real_svg_with_caption_and_source():
    s = export.svg(_fig(), PROV).decode("utf-8")
    root = ET.fromstring(s)
    assert root.tag.endswith("svg") and root.get("width") == "1600" and root.get("height") == "900"
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text") or t.tag.endswith("tspan"))
    # one title: the chart's own (it is the more precise one), never the provenance title under it again
    assert text.count("Local spend (A2)") == 1 and "Local spend by year" not in text
    for needle in (
        "Numerator: spend with local suppliers",
        "Denominator: all third-party",
        "2020-21 to 2022-23",
        "Preston (E07000123)",
        "Indices of Deprivation 2019",
        "Synthetic demo data",
        "Open Government Licence",
    ):
        assert needle in text, needle


def test_decorated_figure_carries_title_caption_source():
    f = export.decorate(_fig(), PROV, 1600, 900)
    texts = " ".join(a.text for a in f.layout.annotations)
    assert "Local spend (A2)" in f.layout.title.text and not (
        f.layout.title.subtitle and f.layout.title.subtitle.text
    )
    assert "Period: financial years 2020-21 to 2022-23" in texts.replace("<br>", " ")
    assert "Contains OS data" in texts.replace("<br>", " ")


def test_csv_has_provenance_rows_and_neutralised_formulas(monkeypatch):
    monkeypatch.setenv("CWB_SENSITIVITY", "OFFICIAL-SENSITIVE")
    raw = export.csv_bytes(HOSTILE, PROV)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8 (the £ sign)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    labels = [r[0] for r in rows[:5]]
    assert labels == ["Title", "Sensitivity", "What is measured", "Source and licence", "Produced"]
    assert rows[1][1] == "OFFICIAL-SENSITIVE" and rows[0][1] == "Local spend by year"
    assert "Numerator" in rows[2][1] and "Open Government Licence" in rows[3][1]
    assert rows[5] == [] and rows[6] == ["supplier", "spend_gbp"]
    data = rows[7:]
    assert [r[0] for r in data] == [
        '\'=HYPERLINK("http://x","click")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "Plain Ltd",
        "'\t=1",
    ]
    assert data[2][1] == "-3.25"  # numbers stay numbers (negatives too)


def test_xlsx_has_provenance_rows_and_no_formulas():
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export.xlsx_bytes(HOSTILE, PROV)))
    ws = wb.active
    assert [ws.cell(r, 1).value for r in range(1, 6)] == [
        "Title",
        "Sensitivity",
        "What is measured",
        "Source and licence",
        "Produced",
    ]
    assert ws.cell(2, 2).value == "OFFICIAL"
    assert ws.cell(7, 1).value == "supplier" and ws.cell(7, 2).value == "spend_gbp"
    cells = [ws.cell(r, 1) for r in range(8, 14)]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert cells[0].value.startswith("'=") and cells[4].value == "Plain Ltd"
    assert ws.cell(10, 2).value == -3.25 and ws.cell(8, 2).value == 100.5


@needs_chromium
def test_caption_starts_at_the_figure_edge_and_nothing_is_clipped():
    """Long category labels push the plot right; the caption and source still start at the
    figure's left edge (EDGE px, x1.5625 in the slide PNG) and stay inside the image."""
    from PIL import Image

    long_names = pd.DataFrame({"anchor_id": ["a", "b"], "local_pct": [12.0, 40.0], "spend_gbp": [1e6, 2e6]})
    fig = spend.anchor_comparison(
        long_names,
        "local_pct",
        "Local spend by anchor",
        {"a": "Millbrook Teaching Hospitals NHS Foundation Trust", "b": "Council"},
        {"a": "nhs", "b": "council"},
        {"nhs": "NHS trust", "council": "Council"},
        20.0,
    )
    im = Image.open(io.BytesIO(export.png(fig, PROV, "slide"))).convert("L")
    assert im.size == (1600, 900)
    px = im.load()
    edge = int(export.EDGE * 1600 / 1024)  # 25 px
    dark = lambda x0, x1, y0, y1: sum(1 for x in range(x0, x1) for y in range(y0, y1) if px[x, y] < 128)  # noqa: E731
    assert dark(0, edge - 3, 0, 900) == 0 and dark(1600 - 8, 1600, 0, 900) == 0  # white margins, nothing cut
    assert dark(0, 1600, 0, 6) == 0 and dark(0, 1600, 894, 900) == 0
    assert dark(edge, edge + 60, 760, 894) > 100  # caption / source text begins at the left edge
    assert dark(edge, edge + 60, 10, 50) > 50  # and so does the title


def test_list_cells_become_text_in_csv_and_xlsx():
    """The league table carries each anchor's trend as a list (for the sparkline): exported as '15.0; 16.2'."""
    from openpyxl import load_workbook

    df = pd.DataFrame({"anchor": ["A", "B"], "trend": [[15.0, 16.2], []]})
    rows = list(csv.reader(io.StringIO(export.csv_bytes(df, PROV).decode("utf-8-sig"))))
    assert rows[-2:] == [["A", "15.0; 16.2"], ["B", ""]]
    ws = load_workbook(io.BytesIO(export.xlsx_bytes(df, PROV))).active
    assert [ws.cell(ws.max_row - 1, c).value for c in (1, 2)] == ["A", "15.0; 16.2"]
