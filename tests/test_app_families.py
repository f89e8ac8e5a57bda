"""Every family in the app, driven through the state and the views, with no browser."""

import math
import re

import numpy as np
import pytest
import scipy.stats
from bokeh.events import Tap

import mle_core
from mle_core.scenarios import SCENARIOS
from mle_explorer.explorer import MLEExplorer
from mle_explorer.plot import stacked_heights
from mle_explorer.state import ExplorerState

#: Data each family accepts, and scipy's log-density of it at given parameters (the oracle).
VALID_DATA = {
    "gaussian": [2.3, 1.9, 2.5, 2.8, 1.7],
    "bernoulli": [1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
    "binomial": [3, 5, 2, 4, 6],
    "poisson": [0, 2, 1, 4, 3, 2],
    "exponential": [1200.0, 800.0, 950.0, 1500.0, 300.0],
    "weibull": [1200.0, 800.0, 950.0, 1500.0, 300.0],
}


def scipy_log_likelihood(family: str, x, theta: dict, constants: dict) -> float:
    x = np.asarray(x, dtype=float)
    if family == "gaussian":
        return float(scipy.stats.norm.logpdf(x, theta["mu"], theta["sigma"]).sum())
    if family == "bernoulli":
        return float(scipy.stats.bernoulli.logpmf(x, theta["p"]).sum())
    if family == "binomial":
        return float(scipy.stats.binom.logpmf(x, constants["n_trials"], theta["p"]).sum())
    if family == "poisson":
        return float(scipy.stats.poisson.logpmf(x, theta["rate"]).sum())
    if family == "exponential":
        return float(scipy.stats.expon.logpdf(x, scale=1 / theta["rate"]).sum())
    if family == "weibull":
        return float(scipy.stats.weibull_min.logpdf(x, theta["shape"], scale=theta["scale"]).sum())
    raise AssertionError(family)


def state_with(family: str) -> ExplorerState:
    state = ExplorerState()
    state.switch_family(family, clear=True)
    state.set_observations(VALID_DATA[family])
    return state


@pytest.mark.parametrize("family", list(mle_core.FAMILIES))
def test_each_family_shows_the_log_likelihood_scipy_computes(family):
    state = state_with(family)
    assert state.family == family
    assert list(state.theta) == list(mle_core.get_family(family).parameter_names)
    expected = scipy_log_likelihood(family, state.observations, state.theta, state.constants)
    assert state.log_likelihood == pytest.approx(expected, rel=1e-9)
    for name in state.theta:  # one slider step on each parameter
        low, high = state.model.param[name].bounds
        state.set_parameters(**{name: low + 0.37 * (high - low)})
        expected = scipy_log_likelihood(family, state.observations, state.theta, state.constants)
        assert state.log_likelihood == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("family", list(mle_core.FAMILIES))
def test_optimize_reaches_the_estimate_for_each_family(family):
    state = state_with(family)
    state.optimize()
    x = np.asarray(VALID_DATA[family], dtype=float)
    expected = {
        "gaussian": {"mu": x.mean(), "sigma": x.std()},
        "bernoulli": {"p": x.mean()},
        "binomial": {"p": x.sum() / (x.size * state.constants.get("n_trials", 0) or 1)},
        "poisson": {"rate": x.mean()},
        "exponential": {"rate": 1 / x.mean()},
    }.get(family)
    if expected is None:  # Weibull: no closed form; at least as likely as scipy's own fit
        shape, _, scale = scipy.stats.weibull_min.fit(x, floc=0)
        assert state.log_likelihood >= scipy_log_likelihood(family, x, {"shape": shape, "scale": scale}, {}) - 1e-9
    else:
        for name, value in expected.items():
            assert state.theta[name] == pytest.approx(value, rel=1e-12)
    assert state.log_likelihood == pytest.approx(state.max_log_likelihood, rel=1e-12)
    for name, value in state.theta.items():  # and the sliders can show it
        low, high = state.model.param[name].bounds
        assert low <= value <= high


@pytest.mark.parametrize("family", list(mle_core.FAMILIES))
def test_switching_family_rebuilds_the_sliders_from_the_declaration(family):
    explorer = MLEExplorer()
    explorer.state.switch_family(family, clear=True)
    declared = mle_core.get_family(family).parameters
    assert list(explorer.controls.sliders) == [p.name for p in declared]
    for p in declared:
        slider = explorer.controls.sliders[p.name]
        assert slider.name.startswith(p.symbol)
        slider.value = (slider.start + slider.end) / 2  # two-way linked to the new family's parameter
        assert explorer.state.theta[p.name] == slider.value
    assert explorer.controls.family_select.value == family
    assert list(explorer.controls._slider_box.objects) == list(explorer.controls.sliders.values())


def test_switching_keeps_observations_the_new_family_accepts():
    state = ExplorerState()
    state.switch_family("poisson", clear=True)
    state.set_observations([0, 3, 1, 2])
    assert state.switch_family("binomial")
    assert state.observations.tolist() == [0, 3, 1, 2]
    assert state.switch_family("gaussian")
    assert state.observations.tolist() == [0, 3, 1, 2]
    assert state.family == "gaussian"


def test_an_incompatible_switch_names_the_values_and_loses_nothing():
    explorer = MLEExplorer()
    state, controls = explorer.state, explorer.controls
    before = state.observations.copy()
    controls.family_select.value = "poisson"  # the five Gaussian points are not counts
    assert state.family == "gaussian"
    assert controls.family_select.value == "gaussian"  # the selector goes back
    assert state.observations.tolist() == before.tolist()
    assert state.refused_switch.family == "poisson"
    assert state.refused_switch.indices == (0, 1, 2, 3, 4)
    assert "non-negative integers" in state.notice
    assert "2.3 (#1)" in state.notice
    assert controls._refusal.visible
    assert "Poisson" in controls.switch_button.label
    controls.switch_button.clicks += 1  # the offered way out: clear and switch
    assert state.family == "poisson"
    assert state.n == 0
    assert not controls._refusal.visible
    state.undo()  # and nothing is lost: Undo brings the data and the family back
    assert state.family == "gaussian"
    assert state.observations.tolist() == before.tolist()


def test_keeping_the_family_dismisses_the_offer():
    explorer = MLEExplorer()
    explorer.controls.family_select.value = "bernoulli"
    assert explorer.controls._refusal.visible
    explorer.controls.keep_button.clicks += 1
    assert explorer.state.refused_switch is None
    assert not explorer.controls._refusal.visible
    assert explorer.state.family == "gaussian"
    assert explorer.state.n == 5


@pytest.mark.parametrize(
    ("family", "clicked", "added"),
    [
        ("poisson", 2.7, 3.0),
        ("poisson", -3.2, 0.0),
        ("bernoulli", 0.8, 1.0),
        ("bernoulli", 0.3, 0.0),
        ("bernoulli", 7.0, 1.0),
        ("binomial", 14.2, 10.0),
    ],
)
def test_clicks_snap_to_the_support_of_a_discrete_family(family, clicked, added):
    explorer = MLEExplorer()
    explorer.state.switch_family(family, clear=True)
    explorer.plot.figure._trigger_event(Tap(explorer.plot.figure, x=clicked, y=0.5))
    assert explorer.state.observations.tolist() == [added]


def test_a_click_outside_a_continuous_support_is_refused_with_a_message():
    explorer = MLEExplorer()
    explorer.state.switch_family("exponential", clear=True)
    explorer.state.set_observations([1.0, 2.0])
    explorer.plot.figure._trigger_event(Tap(explorer.plot.figure, x=-0.5, y=0.0))
    assert explorer.state.observations.tolist() == [1.0, 2.0]
    assert "Not added" in explorer.state.notice
    assert "positive" in explorer.state.notice


def test_heads_and_tails_buttons_add_coin_flips():
    explorer = MLEExplorer()
    assert not explorer.controls.outcome_buttons.visible
    explorer.state.switch_family("bernoulli", clear=True)
    heads, tails = explorer.controls.outcome_buttons.objects
    assert explorer.controls.outcome_buttons.visible
    # The family's own outcomes; a scenario names its own (the coin's "Heads (1)": tests/test_app_try_first.py).
    assert heads.name == "Success (1)"
    assert tails.name == "Failure (0)"
    heads.clicks += 1
    heads.clicks += 1
    tails.clicks += 1
    assert explorer.state.observations.tolist() == [1.0, 1.0, 0.0]
    explorer.state.switch_family("poisson")
    assert not explorer.controls.outcome_buttons.visible


def test_discrete_families_draw_bars_at_the_integers_and_stack_the_dots():
    explorer = MLEExplorer()
    plot = explorer.plot
    assert plot._model_line.visible
    assert not plot._model_bars.visible
    explorer.state.load_scenario("weighted_coin")
    assert plot._model_bars.visible
    assert not plot._model_line.visible
    assert not plot._segments.visible
    assert plot._curve.data["x"].tolist() == [0.0, 1.0]
    assert plot._curve.data["density"] == pytest.approx([1 - explorer.state.theta["p"], explorer.state.theta["p"]])
    heights = np.asarray(plot._observations.data["y"])
    heads = np.asarray(plot._observations.data["x"]) == 1
    assert heights[heads].max() == pytest.approx((7 - 0.5) / 10)  # the stack of 7 heads reaches 0.7 - half a dot
    assert "probability" in plot.figure.yaxis[0].axis_label


def test_stacked_heights_rank_equal_values():
    assert stacked_heights(np.array([1.0, 0.0, 1.0, 1.0]), 4).tolist() == [0.125, 0.125, 0.375, 0.625]


def test_the_coin_scenario_gives_seven_tenths_exactly():
    explorer = MLEExplorer()
    explorer.scenarios.buttons["weighted_coin"].clicks += 1
    state = explorer.state
    assert state.family == "bernoulli"
    assert state.n == 10
    assert state.observations.sum() == 7
    assert state.mle.params["p"] == 0.7
    assert state.theta["p"] != 0.7  # a deliberately wrong start
    assert "coin" in explorer.scenarios._story.object.lower()
    explorer.controls.optimize_button.clicks += 1
    assert explorer.controls.sliders["p"].value == 0.7


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_starts_away_from_its_estimate_and_optimize_jumps(name):
    state = ExplorerState()
    state.load_scenario(name)
    scenario = SCENARIOS[name]
    assert state.family == scenario.family
    assert state.scenario == name
    assert state.observations.tolist() == np.asarray(scenario.observations).tolist()
    gap_before = state.max_log_likelihood - state.log_likelihood
    # The coin starts at a fair p = 0.5, which 7 heads in 10 make only e^0.82 ≈ 2.3 times less likely.
    assert gap_before > 0.5, "the start should be visibly worse than the MLE"
    state.optimize()
    assert state.log_likelihood == pytest.approx(state.max_log_likelihood, rel=1e-12)


def test_drawing_a_sample_shows_the_truth_next_to_the_estimate():
    explorer = MLEExplorer()
    state = explorer.state
    state.switch_family("poisson", clear=True)
    explorer.sampler.truth_inputs["rate"].value = 4.0
    explorer.sampler.size_input.value = 20_000
    explorer.sampler.draw_button.clicks += 1
    assert state.n == 20_000
    assert state.true_parameters == {"rate": 4.0}
    assert state.mle.params["rate"] == pytest.approx(4.0, rel=0.03)  # large n: the estimate settles
    # Shown with the estimate, once the student has tried (Optimize): the truth is what θ̂ estimates.
    assert 'data-testid="true-rate"' not in explorer.readout.text
    assert len(explorer.plot._true_curve.data["density"]) == 0
    state.optimize()
    assert 'data-testid="true-rate"' in explorer.readout.text
    assert explorer.plot._true_curve.data["density"].size > 0
    state.add_observations([3])  # the data are no longer a pure draw from the truth
    assert state.true_parameters is None


def test_small_samples_wobble_more_than_large_ones():
    state = ExplorerState(rng=7)
    state.switch_family("exponential", clear=True)

    def spread(size):
        estimates = []
        for _ in range(30):
            state.draw_sample(size, rate=0.5)
            estimates.append(state.mle.params["rate"])
        return np.std(estimates)

    assert spread(5) > 4 * spread(500)


def test_a_bad_sample_request_is_refused_with_a_message():
    explorer = MLEExplorer()
    before = explorer.state.observations.tolist()
    explorer.sampler.truth_inputs["sigma"].value = None
    explorer.sampler.draw_button.clicks += 1
    assert "No sample drawn" in explorer.sampler._message.object
    assert explorer.state.observations.tolist() == before


def test_misfit_families_compare_worse_on_lifetimes():
    explorer = MLEExplorer()
    explorer.state.load_scenario("bulb_lifetimes")
    explorer.comparison._card.collapsed = False
    text = explorer.comparison.text
    rows = {row.family: row for row in mle_core.compare_families(explorer.state.observations)}
    assert rows["exponential"].aic < rows["gaussian"].aic - 10  # the bell curve is clearly the wrong shape
    assert rows["poisson"].reason  # lifetimes in hours with decimals are not counts
    assert "does not apply" in text
    # The best families are marked: the exponential (and the Weibull, 1.17 above it: no real difference), not
    # the bell curve, 32.6 above.
    row = {name: re.search(rf"{re.escape(name)}.*?</tr>", text).group(0) for name in ("Exponential", "Gaussian")}
    assert "← among the best" in row["Exponential"]
    assert "←" not in row["Gaussian"]
    assert "AIC" in explorer.comparison._card.objects[0].object


def test_the_comparison_is_computed_only_while_open():
    explorer = MLEExplorer()
    assert explorer.comparison.text == ""
    explorer.comparison._card.collapsed = False
    assert "Gaussian" in explorer.comparison.text


def test_n_trials_follows_the_widget_and_refuses_what_the_data_forbid():
    explorer = MLEExplorer()
    state, controls = explorer.state, explorer.controls
    state.switch_family("binomial", clear=True)
    assert controls.constant_inputs["n_trials"].visible
    assert controls.constant_inputs["n_trials"].value == state.constants["n_trials"]
    state.set_observations([3, 8, 5])
    controls.constant_inputs["n_trials"].value = 20
    assert state.constants["n_trials"] == 20
    assert state.log_likelihood == pytest.approx(
        scipy_log_likelihood("binomial", [3, 8, 5], state.theta, {"n_trials": 20})
    )
    controls.constant_inputs["n_trials"].value = 6  # 8 successes cannot come from 6 trials
    assert state.constants["n_trials"] == 20
    assert controls.constant_inputs["n_trials"].value == 20
    assert "not changed" in state.notice


def test_counts_beyond_the_trials_box_make_the_binomial_switch_refused_not_its_box_overflow():
    explorer = MLEExplorer()
    state, controls = explorer.state, explorer.controls
    state.switch_family("poisson", clear=True)
    state.set_observations([3, 2_000])
    assert state.switch_family("binomial")  # the trials follow the largest count, within the box
    assert state.constants["n_trials"] == controls.constant_inputs["n_trials"].value == 2_000
    state.undo()
    state.set_observations([3, 200_000])
    before = state.observations.tolist()
    assert not state.switch_family("binomial")
    assert "at most 100,000 trials per observation here" in state.notice
    assert "200000 (#2)" in state.notice
    assert (state.family, state.observations.tolist()) == ("poisson", before)
    # The refused switch built no trials box (the Poisson has no known constant), so none holds 200,000.
    assert controls.constant_inputs == {}
    with pytest.raises(ValueError, match="m must be at most 100,000 here, got 1,000,000,000"):
        state.load("binomial", [1, 2], constants={"n_trials": 10**9})  # a link asking for it
    assert (state.family, state.observations.tolist()) == ("poisson", before)


def test_weibull_without_a_finite_maximum_says_so():
    state = ExplorerState()
    state.switch_family("weibull", clear=True)
    state.set_observations([5.0, 5.0, 5.0])
    state.optimize()
    assert not state.mle.converged
    assert math.isfinite(state.theta["shape"])
    assert state.theta["shape"] == state.model.param.shape.bounds[1]
    assert "k is at its largest value" in state.notice


def test_editing_data_keeps_the_sliders_they_are_not_rebuilt():
    explorer = MLEExplorer()
    sliders = dict(explorer.controls.sliders)
    explorer.state.add_observations([3.0])
    explorer.state.set_observations([1.0, 2.0, 8.0])
    explorer.state.undo()
    assert explorer.controls.sliders == sliders
    explorer.state.switch_family("exponential")
    assert list(explorer.controls.sliders) == ["rate"]


@pytest.fixture
def scipy_not_loaded(monkeypatch):
    """Pretend scipy is not loaded yet (as on the static page), and record what gets loaded."""
    import mle_explorer.pyodide_support

    loaded = []
    monkeypatch.setattr(mle_explorer.pyodide_support, "package_available", lambda module: module in loaded)

    async def ensure_package(name, module=None):
        loaded.append(module or name)

    monkeypatch.setattr(mle_explorer.pyodide_support, "ensure_package", ensure_package)
    return loaded


def test_a_family_whose_fit_needs_scipy_loads_it_first(scipy_not_loaded):
    explorer = MLEExplorer()
    explorer.state.switch_family("exponential", clear=True)
    explorer.state.set_observations([120.0, 80.0, 300.0])
    seen = []
    explorer.state.param.watch(lambda event: seen.append(event.new), "notice")
    explorer.controls.family_select.value = "weibull"
    assert scipy_not_loaded == ["scipy.optimize"]
    assert any("Loading scipy" in notice for notice in seen)
    assert explorer.state.family == "weibull"
    assert explorer.state.observations.tolist() == [120.0, 80.0, 300.0]


@pytest.fixture
def scipy_unavailable(monkeypatch):
    """Pretend scipy is not loaded and cannot be (a server without the extra, a static page offline)."""
    import mle_explorer.pyodide_support

    async def unavailable(name, module=None):
        raise ModuleNotFoundError(f"No module named {module!r}")

    monkeypatch.setattr(mle_explorer.pyodide_support, "package_available", lambda module: False)
    monkeypatch.setattr(mle_explorer.pyodide_support, "ensure_package", unavailable)


def test_a_failed_load_keeps_the_family_and_says_why(scipy_unavailable):
    explorer = MLEExplorer()
    explorer.state.load_scenario("bulb_lifetimes")
    explorer.scenarios.buttons["bulb_wear_out"].clicks += 1
    assert explorer.state.family == "exponential"
    assert "could not be loaded" in explorer.state.notice
    assert "pip install scipy" in explorer.state.notice


def test_the_comparison_waits_for_scipy_before_fitting_weibull(scipy_not_loaded):
    explorer = MLEExplorer()
    explorer.comparison._card.collapsed = False
    assert scipy_not_loaded == ["scipy.optimize"]
    assert "Weibull" in explorer.comparison.text
    assert "loading its optimizer" not in explorer.comparison.text  # refreshed once loaded


def test_a_weibull_link_loads_scipy_before_opening_its_view(scipy_not_loaded):
    # The link's fit ran at once, and the ImportError escaped: no notice, the teacher's view never opened.
    explorer = MLEExplorer()
    explorer.share.restore({"family": "weibull", "shape": "2.0", "scale": "1000.0", "x": "950,1100,1020"})
    assert scipy_not_loaded == ["scipy.optimize"]
    assert explorer.state.family == "weibull"
    assert explorer.state.observations.tolist() == [950.0, 1100.0, 1020.0]
    assert explorer.state.notice == "Opened the view from the link."


def test_a_weibull_link_where_scipy_cannot_be_loaded_says_so_and_keeps_the_view(scipy_unavailable):
    explorer = MLEExplorer()
    before = explorer.state.observations.tolist()
    explorer.share.restore({"family": "weibull", "shape": "2.0", "scale": "1000.0", "x": "950,1100,1020"})
    assert explorer.state.family == "gaussian"
    assert explorer.state.observations.tolist() == before
    assert "could not be loaded" in explorer.state.notice
