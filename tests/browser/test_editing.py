"""Editing the observations in a real browser: click to add, click + Delete to remove, Undo, drag."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import expect

from .support import (
    click_data,
    click_plot,
    data_to_page,
    gaussian_log_likelihood,
    observation_xs,
    observations,
    pixel_width,
    plot_hint,
    plot_to_page,
    ranges,
    read_log_likelihood,
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


def remove_with_backspace(page):
    page.keyboard.press("Backspace")  # the mouse is still over the plot


def remove_with_the_button(page):
    page.get_by_role("button", name="Remove selected points").click()


# The plot's title tells the student to click a point and press Backspace; a button does the same.
@pytest.mark.parametrize("remove", [remove_with_backspace, remove_with_the_button], ids=["Backspace", "button"])
def test_selected_point_is_removed_and_undo_brings_it_back(page, remove):
    assert "then Backspace ⌫ removes it" in plot_hint(page)
    click_data(page, 2.3, 0.0)
    wait_until(lambda: selected_observations(page) == [0])

    remove(page)
    key = remove.__name__

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


def test_typed_values_are_added_and_many_are_drawn_as_a_histogram(page):
    entry = page.get_by_placeholder("e.g. 2.1, 3.4")
    entry.fill("0.5, 3.75")
    entry.press("Enter")
    wait_until(lambda: observation_xs(page) == [*EXAMPLE, 0.5, 3.75])
    wait_until(lambda: readout_matches(page))

    values = [round(2.0 + 0.5 * math.sin(k), 4) for k in range(1200)]  # more than the plot draws one by one
    entry.fill(" ".join(map(str, values)))
    page.get_by_role("button", name="Add", exact=True).click()
    wait_until(lambda: read_n(page) == 1207)
    wait_until(lambda: "1,207 observations: drawn as a histogram" in plot_hint(page))
    assert observation_xs(page) == []  # no glyph, and no value, per observation in the page
    expected = gaussian_log_likelihood([*EXAMPLE, 0.5, 3.75, *values], 0.0, 1.0)
    assert read_log_likelihood(page) == pytest.approx(expected, abs=5e-4)


def test_bad_typed_values_are_named_and_nothing_is_added(page):
    entry = page.get_by_placeholder("e.g. 2.1, 3.4")
    entry.fill("1.5, abc, 2")
    entry.press("Enter")
    expect(page.get_by_text("Nothing added: entry 2 ('abc') is not a number.")).to_be_visible()
    assert entry.input_value() == "1.5, abc, 2"
    assert observation_xs(page) == EXAMPLE
    assert read_n(page) == 5


def test_undo_clears_a_selection_made_before_it(page):
    # Typed, not clicked: a click on the new point within 300 ms of the click that made it would be a
    # double tap, which selects nothing.
    entry = page.get_by_placeholder("e.g. 2.1, 3.4")
    entry.fill("3.9")
    entry.press("Enter")
    wait_until(lambda: len(observation_xs(page)) == 6)
    click_data(page, observation_xs(page)[5], 0.0)  # select the new point
    wait_until(lambda: selected_observations(page) == [5])
    remove_button = page.get_by_role("button", name="Remove selected points")
    expect(remove_button).to_be_enabled()

    page.get_by_role("button", name="Undo").click()
    wait_until(lambda: observation_xs(page) == EXAMPLE)
    wait_until(lambda: selected_observations(page) == [])
    expect(remove_button).to_be_disabled()
    wait_until(lambda: readout_matches(page))  # and no error in the page or the server log (fixture)


def test_typed_values_far_away_are_brought_into_view(page):
    page.get_by_role("button", name="Clear all").click()
    wait_until(lambda: observation_xs(page) == [])
    entry = page.get_by_placeholder("e.g. 2.1, 3.4")
    entry.fill("100, 101, 103")
    entry.press("Enter")
    wait_until(lambda: observation_xs(page) == [100, 101, 103])

    def shown():
        x_range, y_range = ranges(page)["x"], ranges(page)["y"]
        assert x_range[0] < 100, f"x range {x_range} does not show the data"
        assert x_range[1] > 103, f"x range {x_range} does not show the data"
        assert y_range[1] > y_range[0], f"y range {y_range} collapsed"
        return True

    wait_until(shown)


def test_the_sample_card_is_built_when_opened_and_draws_a_new_sample(page):
    draw = page.get_by_role("button", name="Draw a new sample", exact=True)
    # Not even hidden: nothing of the card is in the page until it is opened.
    assert page.get_by_role("button", name="Draw a new sample", exact=True, include_hidden=True).count() == 0
    page.get_by_text("Draw a new sample from known truth").click()
    expect(draw).to_be_visible()
    size = page.get_by_label("Sample size n")
    size.fill("40")
    size.press("Enter")
    draw.click()
    wait_until(lambda: read_n(page) == 40)
    wait_until(lambda: len(observation_xs(page)) == 40)
    wait_until(lambda: readout_matches(page))
    assert observation_xs(page) != EXAMPLE
