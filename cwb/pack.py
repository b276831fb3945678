"""Meeting pack: a PPTX for the network or one anchor — a title slide, one slide per key chart
(headline sentence, chart with caption and source), and a closing slide with the method notes.

CLI: ``python -m cwb pack --anchor CODE --year 2024-25 --out pack.pptx``.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import duckdb

from cwb import catalogue, config, export, slides
from cwb.method import Method

DARK_BLUE = (0x12, 0x43, 0x6D)


def build_pack(con: duckdb.DuckDBPyConnection, ctx: Method) -> bytes:
    """The meeting pack of a method (network or anchors, year, geography, denominator)."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    title_only = prs.slide_layouts[5]

    def titled(title: str):
        slide = prs.slides.add_slide(title_only)
        t = slide.shapes.title
        t.left, t.top, t.width, t.height = Inches(0.5), Inches(0.25), Inches(12.3), Inches(1.1)
        t.text = title
        for p in t.text_frame.paragraphs:
            p.font.size = Pt(24)
            p.font.bold = True
            p.font.name = "Arial"
            p.font.color.rgb = RGBColor(*DARK_BLUE)
            p.alignment = 1
        return slide

    def text(slide, left, top, width, height, s, size, bold=False, colour=None):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        tf = box.text_frame
        tf.word_wrap = True
        p = tf.paragraphs[0]
        p.text = s
        p.font.size = Pt(size)
        p.font.bold = bold
        p.font.name = "Arial"
        if colour:
            p.font.color.rgb = RGBColor(*colour)
        return box

    def glance(slide, df) -> None:
        """The catalogue's table: every indicator, its value, change, numerator and denominator."""
        widths = [3.3, 1.3, 1.6, 3.4, 2.7]
        rows = min(len(df), 24) + 1
        shape = slide.shapes.add_table(
            rows, len(df.columns), Inches(0.5), Inches(1.35), Inches(sum(widths)), Inches(0.22 * rows)
        )
        tbl = shape.table
        for j, w in enumerate(widths):
            tbl.columns[j].width = Inches(w)
        for j, col in enumerate(df.columns):
            tbl.cell(0, j).text = str(col)
        for i, r in enumerate(df.head(rows - 1).itertuples(index=False), start=1):
            for j, v in enumerate(r):
                tbl.cell(i, j).text = str(v)
        for i in range(rows):
            for j in range(len(df.columns)):
                for p in tbl.cell(i, j).text_frame.paragraphs:
                    p.font.size = Pt(9)
                    p.font.name = "Arial"
        slide.name = "Every indicator"

    sensitivity = config.get("CWB_SENSITIVITY")
    s = prs.slides.add_slide(blank)
    band = s.shapes.add_shape(1, 0, 0, prs.slide_width, Inches(0.35))  # 1 = rectangle
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor(*DARK_BLUE)
    band.line.fill.background()
    one = ctx.one_anchor if len(ctx.anchor_names) > 1 else None  # an anchor's pack is headed with the anchor
    text(
        s,
        0.8,
        2.0,
        11.7,
        1.2,
        ctx.anchor_names.get(one, one) if one else ctx.network_name,
        40,
        True,
        DARK_BLUE,
    )
    text(s, 0.8, 3.3, 11.7, 0.8, f"Community wealth building: progress in {ctx.fy}", 26)
    text(
        s,
        0.8,
        4.2,
        11.7,
        1.0,
        (f"A member of {ctx.network_name}" if one else ctx.anchors_label)
        + f". Compared with {ctx.baseline_fy}.",
        18,
    )
    text(
        s,
        0.8,
        6.4,
        11.7,
        0.5,
        f"{sensitivity} · produced {dt.date.today():%d %B %Y}"
        + (" · synthetic demo data" if ctx.synthetic else ""),
        12,
    )
    for sl in slides.build(con, ctx):
        s = titled(sl.headline)
        if sl.fig is not None and sl.prov is not None:
            # the headline is the slide's title: the image carries the chart only, and the caption
            # and source are slide text at a readable size (12 pt and 10 pt), not pixels in the image
            png = export.png(sl.fig, sl.prov, "pack", title=False, caption=False)
            pic = s.shapes.add_picture(io.BytesIO(png), Inches(0.9), Inches(1.35), width=Inches(11.5))
            if pic.height > Inches(4.55):
                ratio = Inches(4.55) / pic.height
                pic.height, pic.width = Emu(int(pic.height * ratio)), Emu(int(pic.width * ratio))
            pic.left = Emu(int((prs.slide_width - pic.width) / 2))  # centred under the headline
            # alternative text for screen readers (accessibility regulations): the point and the method
            pic._element.nvPicPr.cNvPr.set("descr", f"{sl.headline} {sl.prov.caption()}")
            pic._element.nvPicPr.cNvPr.set("title", sl.prov.title)
            top = (pic.top + pic.height) / 914400 + 0.08
            cap = text(s, 0.6, top, 12.1, 7.4 - top, sl.prov.caption(), 12, colour=(0x3D, 0x3D, 0x3D))
            cap.text_frame.auto_size = (
                MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
            )  # a long method statement shrinks to fit
            p = cap.text_frame.add_paragraph()
            p.text = sl.prov.source_line()
            p.font.size = Pt(10)
            p.font.name = "Arial"
            p.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)
            s.notes_slide.notes_text_frame.text = sl.prov.caption() + "\n" + sl.prov.source_line()
        s.name = sl.title
    items = catalogue.values(con, ctx)
    if items:
        glance(titled(f"Every indicator at a glance, {ctx.fy}"), catalogue.table(items))
    s = titled("How these figures are made")
    box = s.shapes.add_textbox(Inches(0.6), Inches(1.3), Inches(12.0), Inches(5.8))
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(slides.method_notes(ctx)):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = "• " + line
        p.font.size = Pt(15)
        p.font.name = "Arial"
        p.space_after = Pt(8)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def cmd_pack(args) -> int:
    from cwb import manage

    con = manage.open_database(args.db)
    try:
        ctx = slides.context_for(
            con, anchors=[args.anchor] if args.anchor else None, fy=args.year, network_id=args.network_id
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        data = build_pack(con, ctx)
    finally:
        export.shutdown()
    Path(args.out).write_bytes(data)
    print(f"meeting pack written to {args.out} ({len(data) / 1e6:.1f} MB)")
    return 0


def register(sub) -> None:
    s = sub.add_parser("pack", help="meeting pack (PPTX) for the network or one anchor")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--network", action="store_true", help="the whole network (default)")
    g.add_argument("--anchor", help="one anchor code")
    s.add_argument("--network-id")
    s.add_argument("--year", help="financial year (default: latest)")
    s.add_argument("--out", required=True, help="output .pptx path")
    s.set_defaults(func=cmd_pack)
