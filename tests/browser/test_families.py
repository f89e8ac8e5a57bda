"""Every family in a real browser: choose it, click observations in, Optimize, read the sliders."""

from __future__ import annotations

import math

import numpy as np
import pytest
from playwright.sync_api import expect

import mle_core

from .support import (
    AT_THE_TOP,
    click_plot,
    observation_xs,
    read_n,
    readout_text,
    select_family,
    slider_value,
    wait_for_observations,
    wait_until,
)

pytestmark = pytest.mark.browser

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]


def closed_form(family: str, xs: list[float], n_trials: int = 10) -> dict[str, float]:
    """The MLE written out here, independently of the app (Weibull excepted)."""
    x = np.asarray(xs)
    if family == "bernoulli":
        return {"p": x.mean()}
    if family == "binomial":
        return {"p": x.sum() / (x.size * n_trials)}
    if family == "poisson":
        return {"rate": x.mean()}
    if family == "exponential":
        return {"rate": 1 / x.mean()}
    # No closed form: mle_core's fit, which tests/test_core_families.py holds to scipy's ℓ or better.
    return mle_core.fit("weibull", x)


def start_empty(page, family: str) -> None:
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    select_family(page, mle_core.get_family(family).label)
    symbol = mle_core.get_family(family).parameters[0].symbol
    wait_until(lambda: slider_value(page, symbol) is not None)


# Where to click (fractions of the plot's width), well apart, away from where dots stack (high up).
CLICKS = {
    "bernoulli": [0.75, 0.72, 0.2, 0.78],
    "binomial": [0.2, 0.35, 0.5, 0.3],
    "poisson": [0.1, 0.2, 0.15, 0.3],
    "exponential": [0.2, 0.45, 0.6, 0.3],
    "weibull": [0.25, 0.5, 0.55, 0.4, 0.65],
}


@pytest.mark.parametrize("family", list(CLICKS))
def test_choose_a_family_click_observations_and_optimize(page, family):
    start_empty(page, family)
    spec = mle_core.get_family(family)
    for fraction in CLICKS[family]:
        before = read_n(page)
        click_plot_fraction(page, fraction)
        wait_until(lambda before=before: read_n(page) == before + 1)
    xs = wait_for_observations(page, len(CLICKS[family]))
    if spec.discrete:
        assert all(float(x).is_integer() for x in xs), f"clicks must snap to whole counts: {xs}"
    else:
        assert all(x > 0 for x in xs), xs
    page.get_by_role("button", name="Optimize").click()
    expected = closed_form(family, xs)

    def sliders_at_the_estimate():
        for p in spec.parameters:
            value = slider_value(page, p.symbol + " (")
            assert value is not None, f"no {p.name} slider"
            assert math.isclose(value, expected[p.name], rel_tol=1e-9), (
                f"{p.name} slider at {value}, the MLE is {expected[p.name]}"
            )
        return True

    wait_until(sliders_at_the_estimate, timeout=10)
    assert readout_text(page, "gap") in AT_THE_TOP  # within ℓ's last decimal, as "0.000" said


def click_plot_fraction(page, fraction: float) -> None:
    """Click at ``fraction`` of the x range, high up in the plot (above any stack of dots)."""
    ranges = page.evaluate(
        """() => {
          const views = [];
          const walk = (v) => { views.push(v); for (const c of v.child_views ?? []) walk(c); };
          for (const v of Object.values(Bokeh.index)) walk(v);
          const plot = views.find((v) => v.frame !== undefined && v.canvas_view !== undefined);
          return [plot.model.x_range.start, plot.model.x_range.end];
        }"""
    )
    click_plot(page, ranges[0] + fraction * (ranges[1] - ranges[0]), height=0.92)


def test_heads_and_tails_buttons_then_optimize_gives_the_proportion(page):
    start_empty(page, "bernoulli")
    heads = page.get_by_role("button", name="Success (1)")  # the family's; a scenario names its own (Heads)
    tails = page.get_by_role("button", name="Failure (0)")
    for button in (heads, heads, tails, heads, heads, tails, heads, heads, tails, heads):
        before = read_n(page)
        button.click()
        wait_until(lambda before=before: read_n(page) == before + 1)
    assert sorted(observation_xs(page)) == [0] * 3 + [1] * 7
    page.get_by_role("button", name="Optimize").click()
    wait_until(lambda: slider_value(page, "p (") == 0.7)


def test_an_incompatible_switch_says_which_values_and_loses_nothing(page):
    select_family(page, mle_core.get_family("poisson").label)
    expect(page.get_by_text("2.3 (#1)").first).to_be_visible()
    expect(page.get_by_text("needs non-negative integers").first).to_be_visible()
    assert observation_xs(page) == EXAMPLE
    assert slider_value(page, "μ") is not None, "the Gaussian's sliders stay"
    expect(page.locator("select").first).to_have_value("Gaussian (normal)")
    page.get_by_role("button", name="Clear the data and switch to Poisson (counts)").click()
    wait_until(lambda: slider_value(page, "λ") is not None)
    wait_for_observations(page, 0)
    page.get_by_role("button", name="Undo").click()  # nothing is lost
    wait_for_observations(page, 5)
    assert observation_xs(page) == EXAMPLE
    wait_until(lambda: slider_value(page, "μ") is not None)
    expect(page.locator("select").first).to_have_value("Gaussian (normal)")


def test_the_coin_scenario_in_one_click_then_optimize(page):
    page.get_by_role("button", name="A weighted coin").click()
    wait_for_observations(page, 10)
    assert sum(observation_xs(page)) == 7
    expect(page.get_by_text("seven heads").first).to_be_visible()
    page.get_by_role("button", name="Optimize").click()
    wait_until(lambda: slider_value(page, "p (") == 0.7)
    assert readout_text(page, "mle-p") == "0.7"  # 4 significant figures, no trailing zeros (app.numbers)
