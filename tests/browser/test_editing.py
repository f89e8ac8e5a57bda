"""Editing the observations in a real browser: click to add, click + Delete to remove, Undo, drag."""

from __future__ import annotations

import pytest

from .support import (
    click_data,
    click_plot,
    data_to_page,
    observation_xs,
    observations,
    pixel_width,
    plot_to_page,
    read_n,
    readout_matches,
    selected_observations,
    step_slider,
    wait_until,
)

pytestmark = pytest.mark.browser

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]


def test_quick_clicks_add_one_point_each_where_clicked(page):
    clicked = [0.2, 0.7, 1.2, 3.4, 3.9]  # away from the example points (1.7 … 2.8)
    for x in clicked:  # no delay: the 2nd, 4th … arrive as DoubleTap events
        click_plot(page, x)

    wait_until(lambda: len(observation_xs(page)) >= 10 and read_n(page) >= 10)
    step_slider(page)  # a round trip after the clicks: every click has been handled now
    xs = observation_xs(page)
    assert len(xs) == 10, f"five clicks should add five points, the plot has {xs}"
    assert xs[:5] == EXAMPLE
    one_pixel = pixel_width(page)
    added = sorted(xs[5:])
    for want, got in zip(clicked, added, strict=True):
        assert abs(got - want) <= one_pixel, f"clicked at x = {want}, the point is at {got} (1 px = {one_pixel})"
    assert observations(page)["y"] == [0] * 10


def test_click_on_a_point_selects_it_and_adds_none(page):
    click_data(page, 2.3, 0.0)  # on the first example point
    wait_until(lambda: selected_observations(page) == [0])
    step_slider(page)  # a round trip after the click: its Tap has been handled by the server
    assert observation_xs(page) == EXAMPLE, "a click on a point must not add one"
    assert read_n(page) == 5


# The plot's title tells the student to "select one and press Delete to remove it".
@pytest.mark.parametrize("key", ["Delete", "Backspace"])
def test_key_removes_the_selected_point_and_undo_brings_it_back(page, key):
    click_data(page, 2.3, 0.0)
    wait_until(lambda: selected_observations(page) == [0])

    page.keyboard.press(key)  # the mouse is still over the plot

    def removed():
        xs = observation_xs(page)
        assert xs == EXAMPLE[1:], f"after selecting the point at 2.3 and pressing {key}, the plot holds {xs}"
        return True

    wait_until(removed)
    # The click's Tap reached the server before the deletion did: had it added a point, n would
    # end at 5 (and the browser would hold a point more), not 4.
    wait_until(lambda: readout_matches(page) and read_n(page) == 4)

    page.get_by_role("button", name="Undo").click()
    wait_until(lambda: observation_xs(page) == EXAMPLE)
    wait_until(lambda: readout_matches(page))
    assert read_n(page) == 5


def test_dragging_a_point_moves_it_and_puts_it_back_on_the_axis(page):
    before = page.get_by_test_id("log-likelihood").inner_text()
    target_x = 3.6
    page.mouse.move(*data_to_page(page, 2.8, 0.0))
    page.mouse.down()
    page.mouse.move(*plot_to_page(page, target_x, 0.3), steps=8)  # dropped above the axis
    page.mouse.up()

    one_pixel = pixel_width(page)

    def moved_back_to_axis():
        data = observations(page)
        assert len(data["x"]) == 5, data
        assert data["x"][:3] + data["x"][4:] == [2.3, 1.9, 2.5, 1.7], f"only the dragged point moves: {data}"
        assert abs(data["x"][3] - target_x) <= one_pixel, f"dropped at x = {target_x}, the point is at {data['x'][3]}"
        assert data["y"] == [0] * 5, f"the point should be back on the axis: y = {data['y']}"
        return True

    wait_until(moved_back_to_axis)
    wait_until(lambda: readout_matches(page))
    assert page.get_by_test_id("log-likelihood").inner_text() != before
