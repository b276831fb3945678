"""The fourth quarter of the pages of tests/test_interaction.py (every control on every page,
driven in Chromium): one file per quarter, so that four test workers share the pages."""

from tests.test_interaction import idb, imd_loaded, pytestmark, quarter_test, server  # noqa: F401  (fixtures, marks)

test_every_control_is_listed_takes_and_restores = quarter_test(__file__)
