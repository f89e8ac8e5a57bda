"""Test configuration shared by every layer."""

import asyncio
import os

import pytest
from hypothesis import settings

# In CI the property tests replay a fixed set of examples, so a run's verdict does not depend on
# luck; locally they explore new examples each run (and remember failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Fail a test not marked ``browser`` if an asyncio loop is running in the main thread.

    Playwright's sync API runs one there while it is open (``asyncio.run`` then refuses to start): the browser
    tests' Playwright must be stopped before any other test runs (``tests/browser/conftest.py``).
    """
    if item.get_closest_marker("browser") is not None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    pytest.fail(f"an asyncio loop is running in the main thread before this test: {loop!r}", pytrace=False)
