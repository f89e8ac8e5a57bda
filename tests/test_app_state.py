"""The session state, driven as a student would, with no browser."""

import math
import re

import numpy as np
import pytest
import scipy.stats

import mle_core
from mle_explorer.state import EXAMPLE_OBSERVATIONS, ExplorerState


def shown_log_likelihood(state: ExplorerState) -> float:
    return float(scipy.stats.norm.logpdf(state.observations, state.model.mu, state.model.sigma).sum())


@pytest.fixture
def state():
    return ExplorerState()


def test_starts_with_the_seed_example_and_a_poor_guess(state):
    assert state.observations.tolist() == list(EXAMPLE_OBSERVATIONS)
    assert (state.model.mu, state.model.sigma) == (0.0, 1.0)
    assert state.log_likelihood == pytest.approx(shown_log_likelihood(state), rel=1e-12)
    assert state.log_likelihood == pytest.approx(-17.535, abs=5e-4)
    assert state.max_log_likelihood > state.log_likelihood + 10


def test_moving_a_slider_recomputes_the_log_likelihood(state):
    state.model.mu = 2.0
    assert state.log_likelihood == pytest.approx(shown_log_likelihood(state), rel=1e-12)
    state.model.sigma = 0.5
    assert state.log_likelihood == pytest.approx(shown_log_likelihood(state), rel=1e-12)


def test_optimize_snaps_to_the_closed_form_mle(state):
    state.optimize()
    assert state.model.mu == pytest.approx(2.24, abs=1e-12)
    assert state.model.sigma == pytest.approx(np.std(EXAMPLE_OBSERVATIONS), rel=1e-12)
    assert round(state.model.sigma, 4) == 0.3980
    assert state.log_likelihood == pytest.approx(state.max_log_likelihood, rel=1e-12)
    assert "maximum likelihood" in state.notice


def test_adding_moving_removing_keep_statistics_exact(state):
    state.add_observations([4.0])
    state.add_observations([-1.0, 0.5])
    state.move_observation(0, 3.3)
    state.remove_observations([1, 5])
    expected = [3.3, 2.5, 2.8, 1.7, -1.0, 0.5]
    assert state.observations.tolist() == expected
    fresh = mle_core.GaussianStatistics.from_observations(expected)
    assert state.statistics.n == fresh.n
    assert state.statistics.mean == pytest.approx(fresh.mean, rel=1e-14)
    assert state.statistics.sum_sq_dev == pytest.approx(fresh.sum_sq_dev, rel=1e-12)
    assert state.log_likelihood == pytest.approx(shown_log_likelihood(state), rel=1e-12)


def test_bad_input_changes_nothing(state):
    before = state.observations.copy()
    for bad in ([math.nan], [math.inf], ["two"], [[1.0, 2.0]]):
        with pytest.raises(ValueError, match="observations must"):
            state.add_observations(bad)
    assert state.observations.tolist() == before.tolist()
    assert state.n == 5


def test_observations_cannot_be_mutated_in_place(state):
    with pytest.raises(ValueError, match="read-only"):
        state.observations[0] = 99.0


def test_undo_restores_each_previous_data_set(state):
    history = [state.observations.tolist()]
    state.add_observations([3.0])
    history.append(state.observations.tolist())
    state.move_observation(5, 3.5)
    history.append(state.observations.tolist())
    state.remove_observations([0])
    state.clear()
    assert state.n == 0
    state.undo()
    state.undo()
    assert state.observations.tolist() == history[2]
    state.undo()
    state.undo()
    assert state.observations.tolist() == history[0]
    assert not state.can_undo
    assert state.statistics == mle_core.GaussianStatistics.from_observations(history[0])


def test_undo_restores_the_parameters_and_what_is_known_of_the_data(state):
    state.optimize()
    fitted = dict(state.theta)
    state.switch_family("exponential")
    state.undo()  # the Gaussian's sliders come back where they were, not at the family's defaults
    assert state.theta == fitted

    state.draw_sample(20, mu=3.0, sigma=2.0)
    state.add_observations([1.0])
    assert state.true_parameters is None  # the data are no longer a sample of that truth
    state.undo()
    assert state.true_parameters == {"mu": 3.0, "sigma": 2.0}

    state.load_scenario("weighted_coin")
    state.set_parameters(p=0.9)
    state.add_observations([1.0])
    state.set_parameters(p=0.2)
    state.undo()  # the whole state from before the addition, the slider moved after it included
    assert (state.scenario, state.theta) == ("weighted_coin", {"p": 0.9})


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.move_observation(5, 1.0), "no observation at index 5: there are 5"),
        (lambda s: s.move_observation(-1, 1.0), "no observation at index -1"),  # not "the last one"
        (lambda s: s.move_observation(1.5, 1.0), "1.5 is not an observation's index"),
        (lambda s: s.remove_observations([-1, 2]), "no observation at index -1"),  # the index that is wrong
        (lambda s: s.remove_observations([1.7]), "1.7 is not an observation's index"),
        (lambda s: s.remove_observations([True, False]), "True/False are not observation indices"),
        (lambda s: s.move_observation(2**70, 1.0), "no observation at index 1180591620717411303424"),  # no overflow
        (lambda s: s.remove_observations([np.int64(1), 2.5]), "2.5 is not an observation's index"),  # not "1.0"
    ],
)
def test_an_index_that_names_no_observation_is_refused_by_name(state, edit, message):
    before = state.observations.tolist()
    with pytest.raises(IndexError, match=re.escape(message)):
        edit(state)
    assert state.observations.tolist() == before
    assert not state.can_undo


def test_the_first_points_after_clear_all_get_ranges_of_their_own(state):
    # The sliders only widen while data are edited; after Clear all they kept the cleared data's ranges, so
    # μ ran from 0.2 to 1035 in steps of 0.01 for points around 2.
    state.set_observations([1000, 1200, 900, 1100, 950])
    state.optimize()
    state.clear()
    state.add_observations(list(EXAMPLE_OBSERVATIONS))
    fresh = ExplorerState(observations=EXAMPLE_OBSERVATIONS)  # the same points in a new session
    for name in ("mu", "sigma"):
        (low, high), (fresh_low, fresh_high) = state.model.param[name].bounds, fresh.model.param[name].bounds
        assert high - low <= 1.1 * (fresh_high - fresh_low), (name, low, high)
        assert state.model.param[name].step == fresh.model.param[name].step


def test_optimize_without_data_explains_instead_of_failing(state):
    state.clear()
    state.optimize()
    assert (state.model.mu, state.model.sigma) == (0.0, 1.0)
    assert "at least one observation" in state.notice
    assert state.log_likelihood == 0.0


@pytest.mark.parametrize("data", [[3.0], [1.5, 1.5, 1.5]])
def test_degenerate_data_sets_sigma_to_its_smallest_value(state, data):
    state.set_observations(data)
    state.optimize()
    assert state.model.mu == pytest.approx(data[0])
    assert state.model.sigma == state.model.param.sigma.bounds[0] > 0
    assert "without bound" in state.notice
    assert state.max_log_likelihood == math.inf


@pytest.mark.parametrize(
    "data",
    [
        1e8 + np.random.default_rng(1).normal(0, 1e-3, 50),
        np.random.default_rng(2).normal(-5e6, 2e6, 200),
        np.random.default_rng(3).normal(0, 1e-6, 20),
    ],
    ids=["far-from-zero", "very-wide", "very-narrow"],
)
def test_the_mle_is_always_within_the_slider_ranges(state, data):
    state.set_observations(data)
    for name, value in state.mle.params.items():  # reachable by sliding, before any Optimize
        low, high = state.model.param[name].bounds
        assert low <= value <= high
    state.reset_example()
    state.undo()  # back to the data: the ranges follow it again
    for name, value in state.mle.params.items():
        low, high = state.model.param[name].bounds
        assert low <= value <= high
    state.optimize()
    for name in ("mu", "sigma"):
        low, high = state.model.param[name].bounds
        assert low <= getattr(state.model, name) <= high
    assert state.model.mu == pytest.approx(np.mean(data), rel=1e-12)
    assert state.model.sigma == pytest.approx(np.std(data), rel=1e-6)
    assert state.log_likelihood == pytest.approx(state.max_log_likelihood, rel=1e-9)


def test_slider_ranges_only_widen_while_clicking(state):
    before = state.model.param.mu.bounds
    state.add_observations([2.0])
    assert state.model.param.mu.bounds == before
    state.add_observations([40.0])
    low, high = state.model.param.mu.bounds
    assert low <= before[0]
    assert high >= 40.0


def test_sessions_do_not_share_state():
    first, second = ExplorerState(), ExplorerState()
    first.add_observations([9.0])
    first.model.param.mu.bounds = (-100.0, 100.0)
    assert second.n == 5
    assert second.model.param.mu.bounds != (-100.0, 100.0)


def test_removing_down_to_equal_observations_is_degenerate(state):
    state.set_observations([0.1, 0.1, 0.7, 1e6])
    state.remove_observations([2, 3])
    state.optimize()
    assert state.mle.converged is False
    assert state.model.sigma == state.model.param.sigma.bounds[0]


@pytest.mark.parametrize("copies", [1, 2, 4])
def test_moving_the_odd_point_onto_equal_ones_is_degenerate(state, copies):
    state.set_observations([0.1] * copies + [731.3])
    state.move_observation(copies, 0.1)
    assert state.mle.converged is False
    assert state.mle.params["sigma"] == 0.0


@pytest.mark.parametrize("family", ["exponential", "weibull"])
@pytest.mark.parametrize("data", [[5e-324], [5e-324, 1e-323], [1e-308]], ids=["5e-324", "two-subnormal", "1e-308"])
def test_a_slider_step_never_exceeds_its_range_even_for_subnormal_data(family, data):
    # A Weibull scale of 5e-324 gave the range (5e-324, 1.5e-323) a step of 1.0: its hundredth underflowed to 0.
    state = ExplorerState(family=family, observations=data)
    for name in state.theta:
        low, high = state.model.param[name].bounds
        assert 0 < state.model.param[name].step <= high - low, (name, low, high, state.model.param[name].step)
