"""The sliders' range policy (``mle_explorer.slider_ranges``): readable steps, and the MLE always within reach."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mle_core
from mle_explorer.slider_ranges import allowed_value, data_spread, nearby_values, nice_step, parameter_ranges

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]


def test_parameter_ranges_contain_the_current_values():
    stats = mle_core.GaussianStatistics.from_observations(EXAMPLE)
    ranges = parameter_ranges(mle_core.get_family("gaussian"), stats, {"mu": 0.0, "sigma": 1.0})
    assert ranges["mu"][0] <= 0.0 <= 2.24 <= ranges["mu"][1]
    assert ranges["sigma"][0] <= 0.398 <= 1.0 <= ranges["sigma"][1]


@pytest.mark.parametrize(("width", "step"), [(0.0037, 0.005), (0.01, 0.01), (1.2, 2.0), (340.0, 500.0)])
def test_nice_step(width, step):
    assert nice_step(width) == pytest.approx(step)


@given(st.floats(min_value=1e-300, max_value=1e300))
def test_nice_step_is_the_smallest_1_2_5_number_not_below_the_width(width):
    step = nice_step(width)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 5, 10))
    assert step >= width * (1 - 1e-12)
    assert step <= 2.5 * width * (1 + 1e-9)  # the next 1-2-5 number is at most 2.5 times the one below


@pytest.mark.parametrize("width", [0.0, -1.0, math.nan, math.inf])
def test_nice_step_of_no_width_is_one(width):
    assert nice_step(width) == 1.0


def test_a_probability_covers_its_closed_bounds_in_thousandths():
    stats = mle_core.GaussianStatistics.from_observations([1.0, 0.0, 1.0])
    start, end, step = parameter_ranges(mle_core.get_family("bernoulli"), stats, {"p": 0.5})["p"]
    assert (start, end, step) == (0.0, 1.0, 0.001)


def test_a_positive_parameter_starts_one_step_above_its_open_bound_and_reaches_three_estimates():
    stats = mle_core.GaussianStatistics.from_observations([1200.0, 800.0, 950.0])
    start, end, step = parameter_ranges(
        mle_core.get_family("exponential"), stats, {"rate": 0.001}, {"rate": 1 / 983.3}
    )["rate"]
    assert start == step > 0.0
    assert end >= 3 / 983.3
    assert step <= (1 / 983.3) / 100 * 2.5


@given(
    centre=st.floats(min_value=-1e8, max_value=1e8),
    spread=st.floats(min_value=1e-3, max_value=1e6),
    guess=st.floats(min_value=-1e9, max_value=1e9),
)
def test_the_gaussian_ranges_reach_the_estimate_and_the_value_they_must_contain(centre, spread, guess):
    data = np.array([centre - spread, centre, centre + spread])
    stats = mle_core.GaussianStatistics.from_observations(data)
    fit = mle_core.fit("gaussian", data)
    ranges = parameter_ranges(mle_core.get_family("gaussian"), stats, {"mu": guess, "sigma": 1.0}, fit)
    (mu_start, mu_end, mu_step), (sigma_start, sigma_end, _) = ranges["mu"], ranges["sigma"]
    assert mu_start <= min(fit["mu"], guess)
    assert max(fit["mu"], guess) <= mu_end
    assert sigma_start <= fit["sigma"] <= sigma_end
    assert 0 < mu_step <= (mu_end - mu_start)


def test_equal_observations_have_a_unit_spread_or_a_thousandth_of_their_size():
    assert data_spread(mle_core.GaussianStatistics.from_observations([3.0, 3.0])) == 1.0
    assert data_spread(mle_core.GaussianStatistics.from_observations([1e8, 1e8])) == pytest.approx(1e5)


def test_a_value_far_from_the_data_comes_to_the_estimate_when_the_ranges_are_reset():
    stats = mle_core.GaussianStatistics.from_observations(EXAMPLE)
    estimate = mle_core.fit("gaussian", EXAMPLE)
    family = mle_core.get_family("gaussian")
    moved = nearby_values(family, stats, {"mu": 1e6, "sigma": 1e6}, estimate)
    assert moved == estimate
    kept = nearby_values(family, stats, {"mu": 0.0, "sigma": 1.0}, estimate)
    assert kept == {"mu": 0.0, "sigma": 1.0}  # within reach of the data: the student's guess stays


def test_allowed_values_respect_open_and_closed_bounds():
    p = mle_core.get_family("bernoulli").parameters[0]  # p ∈ [0, 1]
    sigma = mle_core.get_family("gaussian").parameters[1]  # σ > 0
    assert allowed_value(p, 0.0)
    assert allowed_value(p, 1.0)
    assert not allowed_value(sigma, 0.0)
    assert not allowed_value(sigma, math.inf)
    assert not allowed_value(p, math.nan)
