"""Tests of ``mle_core.scenarios``: the seed document's stories as data an app can load."""

from __future__ import annotations

import math

import numpy as np
import pytest

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
    assert {s.family for s in SCENARIOS.values()} == set(mle_core.FAMILIES)
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


def test_data_are_the_same_on_every_import():
    # The stored arrays were made once, from fixed seeds: regenerating gives the same values.
    from mle_core import scenarios

    again = scenarios._weibull(seed=2024_05, size=60, shape=3.0, scale=1400.0, decimals=1)
    np.testing.assert_array_equal(again, SCENARIOS["bulb_wear_out"].observations)
