"""The other half of the pages of tests/test_interaction.py (every control on every page, driven
in Chromium): one file per half, so that the two test workers share the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_util import CHROMIUM, page_paths
from tests.test_interaction import OTHER_HALF, check_page, idb, imd_loaded, server  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


def test_the_two_halves_cover_every_page_once():
    from tests.test_interaction import HALF

    assert sorted(HALF + OTHER_HALF) == sorted(page_paths()) and not set(HALF) & set(OTHER_HALF)


@pytest.mark.parametrize("path", OTHER_HALF)
def test_every_control_is_listed_takes_and_restores(server, browser, imd_loaded, path):  # noqa: F811  (the fixtures)
    check_page(server, browser, imd_loaded, path)
