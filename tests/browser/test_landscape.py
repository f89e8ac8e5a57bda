"""The likelihood landscape in a real browser: click on the surface, Step, Run to convergence, How sure?."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import expect

from mle_core import inference

from .support import (
    figure_data_to_page,
    scroll_to_figure,
    slider_value,
    surface_cell,
    wait_until,
)

pytestmark = pytest.mark.browser

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]
MEAN = sum(EXAMPLE) / len(EXAMPLE)
STD = math.sqrt(sum((x - MEAN) ** 2 for x in EXAMPLE) / len(EXAMPLE))


def sliders(page) -> tuple[float, float]:
    return slider_value(page, "μ"), slider_value(page, "σ")


def open_the_landscape(page) -> None:
    """Open the landscape card (it starts collapsed, so nothing of it runs until then)."""
    page.get_by_text("The likelihood landscape · the climb to the top").first.click()
    wait_until(
        lambda: page.evaluate(
            "() => Bokeh.documents.some((doc) => [...doc.all_models].some((m) => m.name === 'likelihood-surface'))"
        )
    )


@pytest.fixture(scope="module")
def prepare_page():
    """This module's pages start with the landscape card open."""
    return open_the_landscape


def climb_button(page, name: str):
    """A button of the climb's panel (the page has other Back and Reset buttons)."""
    return page.locator(".mle-climb").get_by_role("button", name=name, exact=True)


def test_a_click_on_the_surface_sets_both_sliders_to_the_clicked_cell(page):
    scroll_to_figure(page, "likelihood-surface")
    for column, row in [(70, 40), (15, 100)]:
        mu, sigma = surface_cell(page, column, row)
        page.mouse.click(*figure_data_to_page(page, "likelihood-surface", mu, sigma))

        def at_the_cell(mu=mu, sigma=sigma):
            values = sliders(page)
            message = f"sliders at {values}, the clicked cell is μ = {mu}, σ = {sigma}"
            assert abs(values[0] - mu) <= 1e-9 * (1 + abs(mu)), message
            assert abs(values[1] - sigma) <= 1e-9 * (1 + abs(sigma)), message
            return True

        wait_until(at_the_cell)


def test_step_moves_the_sliders_along_the_gradient(page):
    assert sliders(page) == (0.0, 1.0)
    step = climb_button(page, "Step")
    step.scroll_into_view_if_needed()
    step.click()
    first = inference.gradient_ascent_step("gaussian", EXAMPLE, {"mu": 0.0, "sigma": 1.0})
    second = inference.gradient_ascent_step("gaussian", EXAMPLE, dict(first.theta_new))

    def at(expected):
        def check():
            values = sliders(page)
            assert values == pytest.approx((expected["mu"], expected["sigma"]), rel=1e-12), f"sliders at {values}"
            return True

        return check

    wait_until(at(first.theta_new))
    wait_until(lambda: page.locator(".mle-climb").get_by_text("Step 1", exact=True).is_visible())
    step.click()
    wait_until(at(second.theta_new))
    climb_button(page, "Back").click()
    wait_until(at(first.theta_new))


def test_run_reaches_the_mle(page):
    newton = page.locator(".mle-climb").get_by_role("button", name="Newton–Raphson")
    newton.scroll_into_view_if_needed()
    newton.click()
    climb_button(page, "Run to convergence").click()

    def at_the_mle():
        mu, sigma = sliders(page)
        message = f"sliders at μ = {mu}, σ = {sigma}; the MLE is μ̂ = {MEAN}, σ̂ = {STD}"
        assert abs(mu - MEAN) <= 1e-6, message
        assert abs(sigma - STD) <= 1e-6, message
        return True

    wait_until(at_the_mle)
    wait_until(lambda: page.locator(".mle-climb").get_by_text("Converged after").is_visible())


def test_how_sure_boxes_explain_a_value_outside_their_range(page):
    # With their ranges in the browser, −1 for σ₀ stayed in the box while the tests kept the old σ₀, and
    # 1,000,000 samples stayed in the box while 1,000 were drawn: nothing said so.
    page.get_by_role("button", name="Show the best fit").click()  # the tests are about θ̂: shown once it is
    page.get_by_text("How sure?", exact=True).click()
    null = page.get_by_label("Null value θ₀ of σ (sigma)")
    null.fill("-1")
    null.press("Enter")
    expect(page.get_by_text("the null value of sigma must lie in the parameter space").first).to_be_visible()
    repeats = page.get_by_label("Samples to draw")
    repeats.fill("1000000")
    repeats.press("Enter")
    expect(
        page.get_by_text("Samples to draw: 1000000 was refused: it takes whole numbers from 10 to 100,000.")
    ).to_be_visible()
    expect(repeats).to_have_value("1000")


def test_the_tabs_are_tabs_to_a_screen_reader_and_work_from_the_keyboard(page):
    # Bokeh's tab headers took the focus but ignored every key, and were plain text to a screen reader.
    tabs = page.get_by_role("tablist").get_by_role("tab")
    expect(tabs).to_have_count(4)
    climb = page.get_by_role("tab", name="Climb", exact=True)
    expect(climb).to_have_attribute("aria-selected", "true")
    climb.focus()
    page.keyboard.press("ArrowRight")
    how_sure = page.get_by_role("tab", name="How sure?", exact=True)
    expect(how_sure).to_have_attribute("aria-selected", "true")
    expect(climb).to_have_attribute("aria-selected", "false")
    expect(page.get_by_role("button", name="Repeat the experiment")).to_be_visible()
    expect(how_sure).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("Home")
    expect(climb).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="L vs ℓ", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name="L vs ℓ", exact=True)).to_have_attribute("aria-selected", "true")
    # One Tab stop for the list, and before the tab's content: Shift+Tab from the content lands on the chosen tab.
    climb.focus()
    page.keyboard.press("Space")
    climb_button(page, "Gradient ascent").focus()
    page.keyboard.press("Shift+Tab")
    expect(climb).to_be_focused()
