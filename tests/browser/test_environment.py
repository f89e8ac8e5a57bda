"""The browser the other tests need: a missing one is a failure, not a skip."""

from __future__ import annotations

import pytest

from .support import missing_chromium_message

pytestmark = pytest.mark.browser


def test_chromium_is_installed():
    message = missing_chromium_message()
    assert message is None, message
