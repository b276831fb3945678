"""The second quarter of the pages of tests/test_interaction.py (every control on every page,
driven in Chromium): one file per quarter, so that four test workers share the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_util import CHROMIUM
from tests.test_interaction import QUARTERS, check_page, idb, imd_loaded, server  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


@pytest.mark.parametrize("path", QUARTERS[Path(__file__).name])
def test_every_control_is_listed_takes_and_restores(server, browser, imd_loaded, path):  # noqa: F811  (the fixtures)
    check_page(server, browser, imd_loaded, path)
