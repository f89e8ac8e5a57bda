"""Tests of ``mle_core.scenarios``: the seed document's stories as data an app can load."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import mle_core
from mle_core.scenarios import SCENARIOS, Scenario

EXPECTED_NAMES = [
    "five_measurements",
    "weighted_coin",
    "ab_test",
    "factory_defects",
    "machine_errors",
    "bulb_lifetimes",
    "bulb_wear_out",
]


def test_scenarios_in_order_with_one_story_per_family():
    assert list(SCENARIOS) == EXPECTED_NAMES
    # One story per built-in family (a family registered later, e.g. by a test, brings none).
    assert {s.family for s in SCENARIOS.values()} == {f.name for f in mle_core.BUILT_IN_FAMILIES}
    for name, scenario in SCENARIOS.items():
        assert isinstance(scenario, Scenario)
        assert scenario.name == name
        assert scenario.title
        assert scenario.story.count(". ") + scenario.story.count("? ") >= 1  # two sentences or more
        assert scenario.family in mle_core.FAMILIES


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_scenario_data_are_valid_small_and_read_only(name):
    scenario = SCENARIOS[name]
    data = scenario.observations
    assert data.dtype == np.float64
    assert data.ndim == 1
    assert 1 <= data.size <= 300
    assert not data.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        data[0] = 1.0
    family = mle_core.get_family(scenario.family)
    validated = family.validate_observations(data, **family.check_constants(scenario.constants))
    np.testing.assert_array_equal(validated, data)
    assert mle_core.outside_support(scenario.family, data, **scenario.constants).size == 0
    with pytest.raises(TypeError):
        scenario.start["x"] = 1.0  # read-only mapping
    with pytest.raises(AttributeError):
        scenario.family = "gaussian"


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_start_is_valid_but_visibly_not_the_estimate(name):
    scenario = SCENARIOS[name]
    family = mle_core.get_family(scenario.family)
    family.check_params(scenario.start)
    result = mle_core.fit_result(scenario.family, scenario.observations, **scenario.constants)
    assert result.converged is True, result.message
    at_start = mle_core.log_likelihood(scenario.family, scenario.observations, **scenario.start, **scenario.constants)
    assert at_start < result.log_likelihood - 0.5  # Optimize has somewhere to go
    for parameter, value in result.params.items():
        assert not math.isclose(scenario.start[parameter], value, rel_tol=0.1)


@pytest.mark.parametrize("name", [n for n in EXPECTED_NAMES if SCENARIOS[n].true_params is not None])
def test_simulated_data_lie_near_their_true_parameters(name):
    scenario = SCENARIOS[name]
    mle_core.get_family(scenario.family).check_params(scenario.true_params)
    estimate = mle_core.fit(scenario.family, scenario.observations, **scenario.constants)
    for parameter, truth in scenario.true_params.items():
        # A generous band: these are samples of 40 to 240 points, not the truth itself.
        assert estimate[parameter] == pytest.approx(truth, rel=0.35)


def test_weighted_coin_gives_exactly_0_7():
    coin = SCENARIOS["weighted_coin"]
    assert coin.observations.tolist().count(1.0) == 7
    assert coin.observations.size == 10
    assert mle_core.fit(coin.family, coin.observations) == {"p": 0.7}
    assert coin.start == {"p": 0.5}


def test_five_measurements_are_the_seed_example():
    example = SCENARIOS["five_measurements"]
    assert example.observations.tolist() == [2.3, 1.9, 2.5, 2.8, 1.7]
    assert dict(example.start) == {"mu": 0.0, "sigma": 1.0}
    assert example.true_params is None


def test_factory_defects_are_counts_out_of_20():
    factory = SCENARIOS["factory_defects"]
    assert factory.constants == {"n_trials": 20}
    assert factory.observations.max() <= 20
    estimate = mle_core.fit("binomial", factory.observations, **factory.constants)["p"]
    assert estimate == factory.observations.sum() / (20 * factory.observations.size)


def test_lifetimes_are_in_hours_and_wear_out_has_shape_above_1():
    assert SCENARIOS["bulb_lifetimes"].unit == SCENARIOS["bulb_wear_out"].unit == "hours"
    assert mle_core.fit("weibull", SCENARIOS["bulb_wear_out"].observations)["shape"] > 1.5
    # The sturdier bulbs are better described by the Weibull than by the exponential.
    rows = {r.family: r for r in mle_core.compare_families(SCENARIOS["bulb_wear_out"].observations)}
    assert rows["weibull"].aic < rows["exponential"].aic


#: What each simulated data set is, recorded from numpy's PCG64 stream (numpy 2.4): its size, its sum
#: and its first eight values. The data must be the same on every platform and numpy version the app
#: runs on (the Pyodide page included): a change in numpy's generator or in a simulation fails here.
FINGERPRINTS = {
    "ab_test": (240, 28.0, [0.0] * 8),
    "factory_defects": (40, 36.0, [0.0, 0.0, 2.0, 2.0, 2.0, 1.0, 2.0, 1.0]),
    "machine_errors": (60, 189.0, [4.0, 1.0, 4.0, 5.0, 4.0, 2.0, 3.0, 0.0]),
    "bulb_lifetimes": (50, 62169.6, [1384.3, 433.6, 3574.0, 683.4, 181.9, 1011.1]),
    "bulb_wear_out": (60, 73352.4, [1143.9, 860.5, 1863.5, 1501.5, 1074.4, 1913.2]),
}
#: The A/B test's buyers: the positions of the 1s among its 240 visitors.
AB_TEST_BUYERS = [23, 31, 45, 46, 56, 58, 64, 72, 78, 79, 85, 94, 100, 126, 145, 155, 156, 162, 171, 172, 173]
AB_TEST_BUYERS += [192, 195, 202, 214, 216, 224, 227]


@pytest.mark.parametrize("name", list(FINGERPRINTS))
def test_simulated_data_are_the_recorded_ones(name):
    size, total, first = FINGERPRINTS[name]
    data = SCENARIOS[name].observations
    assert data.size == size
    assert round(math.fsum(data.tolist()), 6) == total
    assert data[: len(first)].tolist() == first
    if name == "ab_test":
        assert np.flatnonzero(data).tolist() == AB_TEST_BUYERS


@pytest.mark.parametrize(
    ("name", "seed", "quantile"),
    [
        ("machine_errors", 2024_08, lambda u: stats.poisson.ppf(u, 3.2)),
        ("bulb_lifetimes", 2024_04, lambda u: stats.expon.ppf(u, scale=1200.0)),
        ("bulb_wear_out", 2024_05, lambda u: stats.weibull_min.ppf(u, 3.0, scale=1400.0)),
    ],
)
def test_simulated_data_are_scipy_quantiles_of_seeded_uniforms(name, seed, quantile):
    # The module's claim, checked with scipy's inverse CDFs: each observation is F⁻¹(u) of one uniform
    # draw of numpy.random.default_rng(seed), rounded to the unit of the story (counts; 0.1 hour).
    data = SCENARIOS[name].observations
    expected = quantile(np.random.default_rng(seed).random(data.size))
    if name == "machine_errors":
        np.testing.assert_array_equal(data, expected)
    else:
        assert np.all(np.abs(data - expected) <= 0.05 + 1e-9 * expected)
        np.testing.assert_array_equal(data, np.round(data, 1))
