"""House CSS and accessibility fixes drawn on every page by the frame (one call: ``apply()``).

- Text contrast of at least 4.5:1 (WCAG 2.2 AA, 1.4.3) for captions, widget help and the
  sidebar's section headings, which Streamlit draws in a 60 %-opacity grey (3.8:1).
- A focus ring that cannot be mistaken for the current-page highlight (2.4.7, 2.4.11): a black
  ring with a yellow halo (the GOV.UK focus style) on every link, button and input reached with
  the keyboard; the current page in the navigation (Streamlit's st.navigation, which says it
  with ``aria-current="page"``) is marked by a bar and bold text instead.
- Headings form an outline (1.3.1): pages draw ``st.title`` (h1) then ``st.subheader`` (h3) or
  ``####`` for their visual size; each heading gets ``aria-level`` one below its parent's, so a
  screen reader's outline never skips a level (pages may move to ``st.header`` in time).
- The navigation's sections are valid lists (1.3.1): Streamlit nests each section (a ``<div>``
  holding its heading and links) straight in its ``<ul>``; each section becomes a list named by
  its heading.
- Charts and maps are named for screen readers (1.1.1): each plotly chart and deck.gl map gets
  ``role="figure"`` and an ``aria-label`` from its title (or the caption drawn under it).
- A print layout (``@media print``): no sidebar, header, toolbar or download buttons; the page
  uses the width of an A4 sheet, and charts, metrics and tables are not split across pages.
"""

from __future__ import annotations

import streamlit as st

TEXT_SECONDARY = "#484F53"  # 8.1:1 on white, 7.3:1 on the sidebar's #F0F2F6
FOCUS = "#FFDD00"  # GOV.UK focus yellow, under a black ring: visible on any background
INK = "#0B0C0C"

CSS = f"""<style>
/* 1.4.3 contrast: captions, help text, sidebar section headings, widget labels in grey */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"][data-testid="stMetricDelta"] svg + div,
[data-testid="stTooltipHoverTarget"] svg {{ color: {TEXT_SECONDARY} !important; opacity: 1 !important; }}
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] {{ font-weight: 600; letter-spacing: .04em; }}
/* the navigation's section headings (Streamlit draws them in 80 % opacity, weight 500) */
[data-testid="stNavSectionHeader"], [data-testid="stNavSectionHeader"] p {{
  color: {TEXT_SECONDARY} !important; opacity: 1 !important; font-weight: 600; letter-spacing: .04em;
}}

/* 2.4.7 / 2.4.11 focus visible and distinct from the current-page highlight */
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible,
summary:focus-visible, [role="button"]:focus-visible, [role="switch"]:focus-visible, [role="radio"]:focus-visible,
[role="combobox"]:focus-visible, [tabindex]:focus-visible {{
  outline: 3px solid {INK} !important; outline-offset: 1px !important;
  box-shadow: 0 0 0 6px {FOCUS} !important; border-radius: 2px;
}}
[data-testid="stRadioOption"]:has(input:focus-visible), [data-testid="stCheckbox"] label:has(input:focus-visible) {{
  outline: 3px solid {INK}; outline-offset: 1px; box-shadow: 0 0 0 6px {FOCUS};
}}
/* the page one is on (Streamlit's navigation marks it aria-current="page" and shades it): a bar
   at the left and bold text as well (never a ring) */
[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"][aria-current="page"] {{
  box-shadow: inset 4px 0 0 {INK}; font-weight: 700;
}}
[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"][aria-current="page"] p {{ font-weight: 700; }}
[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"][aria-current="page"]:focus-visible {{
  box-shadow: inset 4px 0 0 {INK}, 0 0 0 6px {FOCUS} !important;
}}

/* labels and values wrap rather than end in "..." (a 1280 x 720 projector, a phone): navigation
   links and section headings, page links in a page, toggle and checkbox labels, the options of a
   segmented control, metric values ("636,330 m²") */
[data-testid="stSidebarNavLink"] span, [data-testid="stSidebarNavLink"] p,
[data-testid="stNavSectionHeader"] span, [data-testid="stNavSectionHeader"] p,
[data-testid="stPageLink-NavLink"] span, [data-testid="stPageLink-NavLink"] p,
[data-baseweb="checkbox"] [data-testid="stMarkdownContainer"] p, [data-testid="stCheckbox"] [data-testid="stMarkdownContainer"] p,
[data-testid="stButtonGroup"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div, [data-testid="stMetricValue"] p {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}}
[data-testid="stButtonGroup"] button {{ height: auto; max-width: 100%; }}
[data-testid="stMetricValue"] {{ line-height: 1.15; }}

@media print {{
  @page {{ size: A4; margin: 14mm 12mm; }}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stSkipToContent"], [data-testid="stPopover"], [data-testid="stDownloadButton"],
  [data-testid="stElementToolbar"], .modebar-container, [data-testid="stBottom"] {{ display: none !important; }}
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
    height: auto !important; overflow: visible !important; position: static !important;
  }}
  [data-testid="stMain"] {{ margin-left: 0 !important; width: 100% !important; }}
  [data-testid="stMainBlockContainer"], .block-container {{ max-width: 100% !important; padding: 0 !important; }}
  [data-testid="stMetric"], [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"], [data-testid="stDataFrame"],
  [data-testid="stTable"], [data-testid="stImage"], [data-testid="stAlert"], tr {{
    break-inside: avoid; page-break-inside: avoid;
  }}
  h1, h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
  [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"] {{ max-width: 186mm !important; overflow: hidden; }}
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
</style>"""

# Names charts and maps for assistive technology and makes the navigation's sections valid
# lists. A fixed script (no user input), run once per
# browser tab; it watches the page because Streamlit redraws elements on every rerun.
SCRIPT = r"""<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  if (doc.cwbA11y) return;
  doc.cwbA11y = true;
  const caption = (el) => {
    let n = el.closest('[data-testid="stElementContainer"]');
    for (let i = 0; n && i < 3; i++) {
      n = n.nextElementSibling;
      const c = n && n.querySelector('[data-testid="stCaptionContainer"]');
      if (c) return c.textContent.trim();
    }
    return '';
  };
  const name = () => {
    // Streamlit's navigation with sections puts a div per section (its heading and its list
    // items) straight into its list, an invalid list (axe list / listitem, 1.3.1). Each section
    // becomes the list, named by its heading (read as 'Spend, list, 5 items'); the outer list
    // only holds them. (No angle brackets in this script: the sanitizer drops a script with them.)
    const items = doc.querySelector('[data-testid="stSidebarNavItems"]');
    if (items) {
      if (items.getAttribute('role') !== 'none') items.setAttribute('role', 'none');
      let i = 0;
      for (const h of items.querySelectorAll(':scope > div > [data-testid="stNavSectionHeader"]')) {
        const sec = h.parentElement, id = 'cwb-nav-section-' + (i++);
        if (h.id !== id) h.id = id;
        if (h.getAttribute('aria-hidden') !== 'true') h.setAttribute('aria-hidden', 'true');  // the list's name
        if (sec.getAttribute('role') !== 'list') sec.setAttribute('role', 'list');
        if (sec.getAttribute('aria-labelledby') !== id) sec.setAttribute('aria-labelledby', id);
      }
    }
    // heading outline (1.3.1): pages draw h1 then h3/h4 for visual size; screen readers get levels
    // that go down one step at a time (a heading's level = its parent heading's level + 1)
    const stack = [];
    for (const h of doc.querySelectorAll('[data-testid="stMain"] :is(h1, h2, h3, h4, h5, h6)')) {
      const tag = Number(h.tagName[1]);
      while (stack.length && stack[stack.length - 1][0] >= tag) stack.pop();
      const lvl = stack.length ? stack[stack.length - 1][1] + 1 : Math.min(tag, 1);
      stack.push([tag, lvl]);
      if (lvl !== tag) { if (h.getAttribute('aria-level') !== String(lvl)) { h.setAttribute('role', 'heading'); h.setAttribute('aria-level', String(lvl)); } }
      else if (h.hasAttribute('aria-level')) { h.removeAttribute('aria-level'); h.removeAttribute('role'); }
    }
    for (const el of doc.querySelectorAll('[data-testid="stPlotlyChart"]')) {
      const t = el.querySelector('.gtitle');
      const label = ((t && t.textContent.trim()) || 'Chart') + (caption(el) ? '. ' + caption(el) : '');
      if (el.getAttribute('aria-label') !== label) { el.setAttribute('role', 'figure'); el.setAttribute('aria-label', label); }
      for (const svg of el.querySelectorAll('svg.main-svg')) { if (!svg.getAttribute('aria-hidden')) svg.setAttribute('aria-hidden', 'true'); }
    }
    for (const el of doc.querySelectorAll('[data-testid="stDeckGlJsonChart"]')) {
      const label = 'Map' + (caption(el) ? '. ' + caption(el) : '');
      if (el.getAttribute('aria-label') !== label) { el.setAttribute('role', 'figure'); el.setAttribute('aria-label', label); }
    }
  };
  let queued = false;
  new MutationObserver(() => { if (!queued) { queued = true; setTimeout(() => { queued = false; name(); }, 300); } })
    .observe(doc.body, {childList: true, subtree: true});
  name();
})();
</script>"""


def apply() -> None:
    """Draw the house CSS (takes no space) and the chart-naming script."""
    st.html(CSS)
    st.html(SCRIPT, unsafe_allow_javascript=True)
