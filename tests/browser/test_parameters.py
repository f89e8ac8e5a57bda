"""The sliders, Optimize and the readout in a real browser."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import expect

from .support import (
    AT_THE_TOP,
    click_plot,
    gaussian_log_likelihood,
    observation_xs,
    read_gap,
    read_log_likelihood,
    read_n,
    readout_matches,
    readout_text,
    shown,
    slider_handle,
    slider_speech,
    slider_values,
    step_slider,
    wait_for_observations,
    wait_until,
)

pytestmark = pytest.mark.browser

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]


def test_page_loads_with_the_example_and_the_starting_guess(page):
    assert observation_xs(page) == EXAMPLE
    values = slider_values(page)
    assert (values["mu"], values["sigma"]) == (0, 1)
    assert readout_text(page, "log-likelihood") == "−17.535"
    assert read_log_likelihood(page) == pytest.approx(gaussian_log_likelihood(EXAMPLE, 0.0, 1.0), abs=5e-4)
    assert read_n(page) == 5


def test_arrow_key_on_the_mu_slider_changes_the_log_likelihood(page):
    before = read_log_likelihood(page)
    mu = step_slider(page, "μ", "ArrowRight")
    assert mu == pytest.approx(slider_values(page)["mu_step"])
    assert read_log_likelihood(page) != before
    assert readout_text(page, "log-likelihood") == shown(gaussian_log_likelihood(EXAMPLE, mu, 1.0))


def test_a_screen_reader_hears_each_slider_s_name_and_the_value_it_shows_not_a_rounded_one(page):
    # noUiSlider named no handle ("slider, 0.98") and gave aria-valuetext two decimals: σ = 0.9850 was heard as
    # "0.98", σ̂ = 0.3980 as "0.40", and the light bulbs' λ̂ = 0.000804 as "0.00".
    expect(page.get_by_role("slider", name="μ (mean)")).to_have_count(1)
    expect(page.get_by_role("slider", name="σ (standard deviation)")).to_have_count(1)

    def heard_as_shown(prefix, expected_shown):
        wait_until(lambda: slider_speech(page, prefix) == (expected_shown, expected_shown))

    for _ in range(3):
        step_slider(page, "σ", "ArrowLeft")
    heard_as_shown("σ", "0.985")
    page.get_by_role("button", name="Optimize").click()
    heard_as_shown("σ", "0.398")  # as the readout writes σ̂ (app.numbers: 4 figures, no trailing zeros)
    heard_as_shown("μ", "2.24")
    page.get_by_role("button", name="Light-bulb lifetimes", exact=True).click()
    page.get_by_role("button", name="Optimize").click()
    heard_as_shown("λ", "8.043 × 10⁻⁴")


def test_a_screen_reader_is_told_what_optimize_and_a_refused_entry_did(page):
    # The readout and the notices were not live regions: Optimize and a refused entry changed the page silently.
    def announced(text):
        statuses = page.get_by_role("status")
        return any(text in statuses.nth(i).aria_snapshot() for i in range(statuses.count()))

    page.get_by_role("button", name="Optimize").click()
    wait_until(
        lambda: any(
            announced(f"log-likelihood −2.488, {gap} below the maximum (at the top), n = 5") for gap in AT_THE_TOP
        )
    )
    wait_until(lambda: announced("Moved to the maximum likelihood estimate"))
    box = page.get_by_placeholder("e.g. 2.1, 3.4")
    box.fill("2, abc")
    box.press("Enter")
    wait_until(lambda: announced("Nothing added: entry 2"))


def test_optimize_moves_the_sliders_to_the_mean_and_population_std(page):
    for x in (0.4, 3.3, 3.9):
        click_plot(page, x)
    wait_for_observations(page, 8)
    xs = observation_xs(page)
    mean = sum(xs) / len(xs)
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))

    page.get_by_role("button", name="Optimize").click()

    def at_the_estimate():
        values = slider_values(page)
        message = f"sliders at μ = {values['mu']}, σ = {values['sigma']}; the MLE is μ̂ = {mean}, σ̂ = {std}"
        assert abs(values["mu"] - mean) <= 1e-9, message
        assert abs(values["sigma"] - std) <= 1e-9, message
        return True

    wait_until(at_the_estimate)
    wait_until(lambda: read_gap(page) in AT_THE_TOP)
    wait_until(lambda: readout_matches(page))
    assert observation_xs(page) == xs


def test_clear_all_disables_optimize_and_shows_a_hint(page):
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    expect(page.get_by_role("button", name="Optimize")).to_be_disabled()
    expect(page.get_by_text("Optimize needs at least one observation")).to_be_visible()


def test_optimize_with_one_point_puts_sigma_at_its_minimum_and_says_why(page):
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    click_plot(page, 1.5)
    wait_for_observations(page, 1)
    (x,) = observation_xs(page)
    optimize = page.get_by_role("button", name="Optimize")
    expect(optimize).to_be_enabled()
    optimize.click()

    def at_the_smallest_sigma():
        values = slider_values(page)
        assert values["sigma"] == values["sigma_start"], f"σ = {values['sigma']}, its minimum {values['sigma_start']}"
        assert abs(values["mu"] - x) <= 1e-9, f"μ = {values['mu']}, the point is at {x}"
        return True

    wait_until(at_the_smallest_sigma)
    expect(page.get_by_text("σ is at its smallest value")).to_be_visible()
    expect(page.get_by_text("grows without bound").first).to_be_visible()
    wait_until(lambda: readout_matches(page))


def test_keyboard_alone_reaches_optimize(page):
    slider_handle(page, "μ").focus()
    page.keyboard.press("Tab")  # σ's handle
    page.keyboard.press("Tab")  # the Optimize button
    expect(page.get_by_role("button", name="Optimize")).to_be_focused()
    page.keyboard.press("Enter")
    mean = sum(EXAMPLE) / len(EXAMPLE)
    std = math.sqrt(sum((x - mean) ** 2 for x in EXAMPLE) / len(EXAMPLE))
    wait_until(
        lambda: abs(slider_values(page)["mu"] - mean) <= 1e-9 and abs(slider_values(page)["sigma"] - std) <= 1e-9
    )
    wait_until(lambda: read_gap(page) in AT_THE_TOP)


def test_page_up_and_page_down_move_a_slider_a_tenth_of_its_range(page):
    # noUiSlider moved five steps per page key: crossing μ's range (0 to 4.3 in steps of 0.01) took 86 presses.
    assert step_slider(page, "μ", "PageUp") == 0.43
    assert step_slider(page, "μ", "PageUp") == 0.86
    assert step_slider(page, "μ", "ArrowRight") == 0.87  # the arrows still move one step
    assert step_slider(page, "μ", "PageDown") == 0.44
    assert step_slider(page, "σ", "PageDown") == 0.88  # σ: 0.005 to 1.2 in steps of 0.005, a page is 0.12
    for _ in range(3):  # 1.00, 1.12, then past the end: it stops there
        page.keyboard.press("PageUp")
    wait_until(lambda: slider_values(page)["sigma"] == 1.2)
    wait_until(lambda: readout_matches(page))


def test_page_keys_move_by_whole_steps_for_data_near_a_hundred_million(page):
    # Rounded to 12 significant digits, a value near 1e8 lost the step of 5e-6: PageUp went down, then stuck.
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    entry = page.get_by_placeholder("e.g. 2.1, 3.4")
    entry.fill("100000000.0001, 100000000.0002, 100000000.0004")
    entry.press("Enter")
    wait_for_observations(page, 3)
    values = slider_values(page)
    start, step = values["mu_start"], values["mu_step"]
    before = values["mu"]
    after = step_slider(page, "μ", "PageUp")
    page_size = round((values["mu_end"] - start) / 10 / step) * step
    assert after > before
    assert abs(after - before - page_size) <= step
    assert abs((after - start) / step - round((after - start) / step)) < 0.01  # on the grid (1e8 has ulps of 1.5e-8)
    assert step_slider(page, "μ", "PageDown") < after
