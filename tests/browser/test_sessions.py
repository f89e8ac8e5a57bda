"""Each browser tab is its own session."""

from __future__ import annotations

import pytest

from .support import (
    click_plot,
    observation_xs,
    read_n,
    slider_values,
    step_slider,
    wait_for_observations,
)

pytestmark = pytest.mark.browser

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]


def test_two_pages_are_independent_sessions(open_page):
    first, second = open_page(), open_page()
    click_plot(first, 0.5)
    wait_for_observations(first, 6)

    step_slider(second)  # a round trip in the second session after the click was handled in the first
    assert observation_xs(second) == EXAMPLE
    assert read_n(second) == 5
    assert slider_values(first)["mu"] == 0, "a slider step in the second page moved the first page's μ"
