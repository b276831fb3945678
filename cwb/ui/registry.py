"""The one page registry: each page's file, its title (the frame's heading and browser title),
its label in the navigation and its section. Streamlit's navigation is built from it
(cwb/ui/nav.py) and the tests check every page file against it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    path: str  # relative to the project root
    title: str  # frame(title): heading and browser-tab title
    label: str  # link text in the sidebar navigation
    section: str  # the navigation's section heading


PAGES: tuple[Page, ...] = (
    Page("dashboard.py", "Network overview", "Network overview", "Overview"),
    Page("pages/8_Anchor_profile.py", "Anchor profile", "Anchor profile", "Overview"),
    Page("pages/9_Present.py", "Presentation", "Presentation mode", "Overview"),
    Page("pages/1_Spend_overview.py", "Spend overview", "Spend overview", "Spend"),
    Page("pages/2_Spend_trends.py", "Spend trends", "Trends", "Spend"),
    Page("pages/3_Where_the_money_goes.py", "Where the money goes", "Where the money goes", "Spend"),
    Page("pages/4_Opportunities.py", "Opportunities", "Opportunities", "Spend"),
    Page("pages/5_Suppliers.py", "Suppliers", "Suppliers", "Spend"),
    Page("pages/6_Workforce.py", "Workforce", "Workforce", "People and land"),
    Page("pages/7_Land_and_property.py", "Land and property", "Land and property", "People and land"),
    Page("pages/10_Import.py", "Import", "Import", "Data"),
    Page("pages/11_Data_quality.py", "Data quality", "Data quality", "Data"),
    Page("pages/12_Supplier_review.py", "Supplier review", "Supplier review", "Data"),
    Page("pages/13_Help.py", "Help and method", "Help and method", "Help"),
)
BY_PATH = {p.path: p for p in PAGES}


def title(path: str) -> str:
    return BY_PATH[path].title
