"""The likelihood landscape, the climb and "How sure?", driven through the state, the widgets and Bokeh events.

No browser: the views are built as in a session and every number they show is checked against
``mle_core`` (and, for the closed forms, against formulas written out here).
"""

import asyncio
import math

import numpy as np
import pytest
from bokeh.events import DoubleTap, Tap
from bokeh.models import Model

import mle_core
from mle_core import inference
from mle_explorer import overlays
from mle_explorer.landscape import LandscapePanel, local_derivatives
from mle_explorer.numbers import number, parameter
from mle_explorer.state import ExplorerState
from mle_explorer.sum_of_logs import MAX_BARS

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]
#: Data each family accepts (as in tests/test_app_families.py).
VALID_DATA = {
    "gaussian": EXAMPLE,
    "bernoulli": [1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
    "binomial": [3, 5, 2, 4, 6],
    "poisson": [0, 2, 1, 4, 3, 2],
    "exponential": [1200.0, 800.0, 950.0, 1500.0, 300.0],
    "weibull": [1200.0, 800.0, 950.0, 1500.0, 300.0],
}
CLIMB_TABS = {"climb": 0, "how sure": 1, "underflow": 2, "contributions": 3}


def panel_for(family: str = "gaussian", data=None) -> LandscapePanel:
    state = ExplorerState()
    if family != "gaussian":
        state.switch_family(family, clear=True)
    state.set_observations(VALID_DATA[family] if data is None else data)
    return LandscapePanel(state=state)


@pytest.fixture
def panel():
    """The default session: the five example points, μ = 0, σ = 1."""
    return LandscapePanel(state=ExplorerState())


def closed_form_mle(family: str, x) -> dict:
    x = np.asarray(x, dtype=float)
    return {
        "gaussian": {"mu": x.mean(), "sigma": x.std()},
        "bernoulli": {"p": x.mean()},
        "binomial": {"p": x.sum() / (x.size * 10)},
        "poisson": {"rate": x.mean()},
        "exponential": {"rate": 1 / x.mean()},
    }[family]


# --- the surface ------------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["gaussian", "weibull"])
def test_the_surface_is_the_log_likelihood_at_its_cells(family):
    view = panel_for(family)
    surface, state = view.surface, view.state
    first, second = surface.names
    assert surface.values.shape == (surface.ys.size, surface.xs.size)
    for i, j in [(0, 0), (17, 93), (60, 60), (surface.ys.size - 1, surface.xs.size - 1)]:
        theta = {first: surface.xs[j], second: surface.ys[i]}
        expected = mle_core.log_likelihood(family, state.observations, **theta)
        assert surface.values[i, j] == pytest.approx(expected, rel=1e-10)
    # The image shows ℓ − ℓ̂ (in float32), over the sliders' ranges, one cell per grid value.
    image = surface._image.data["image"][0]
    i = int(np.argmin(np.abs(surface.ys - state.mle.params[second])))
    j = int(np.argmin(np.abs(surface.xs - state.mle.params[first])))
    assert image[i, j] == pytest.approx(surface.values[i, j] - state.mle.log_likelihood, rel=1e-5, abs=1e-5)
    assert image[i, j] > -1.0
    assert (surface.xs[0], surface.xs[-1]) == state.model.param[first].bounds
    assert (surface.ys[0], surface.ys[-1]) == state.model.param[second].bounds


def test_a_click_on_the_surface_sets_both_parameters_to_the_clicked_cell(panel):
    surface = panel.surface
    dx, dy = surface.xs[1] - surface.xs[0], surface.ys[1] - surface.ys[0]
    surface.figure._trigger_event(Tap(surface.figure, x=surface.xs[37] + 0.3 * dx, y=surface.ys[80] - 0.4 * dy))
    assert panel.state.theta == {"mu": surface.xs[37], "sigma": surface.ys[80]}
    surface.figure._trigger_event(DoubleTap(surface.figure, x=surface.xs[5], y=surface.ys[100]))
    assert panel.state.theta == {"mu": surface.xs[5], "sigma": surface.ys[100]}
    # The marker follows; the surface itself was not recomputed.
    assert surface._current.data == {"x": [surface.xs[5]], "y": [surface.ys[100]]}


def test_a_click_outside_the_grid_takes_the_nearest_cell(panel):
    surface = panel.surface
    surface.figure._trigger_event(Tap(surface.figure, x=surface.xs[-1] + 10, y=surface.ys[0] - 10))
    assert panel.state.theta == {"mu": surface.xs[-1], "sigma": surface.ys[0]}


def test_the_surface_around_the_mle_is_centred_on_it(panel):
    panel.state.show_answer()  # the ★ of θ̂ is drawn once the answer is shown (tests/test_app_try_first.py)
    panel.surface.zoom = "around the MLE"
    surface, mle = panel.surface, panel.state.mle.params
    assert surface.xs[0] < mle["mu"] < surface.xs[-1]
    assert surface.ys[0] < mle["sigma"] < surface.ys[-1]
    assert surface.xs[-1] - surface.xs[0] < 3.0  # ±4 SE, narrower than the slider's range
    assert surface._mle.data == {"x": [mle["mu"]], "y": [mle["sigma"]]}


def test_one_parameter_families_show_no_surface():
    view = panel_for("poisson")
    assert view.surface.names is None
    assert not view.surface._pane.visible
    assert "one parameter" in view.surface._message.object
    assert [piece.name for piece in view.slices.shown] == ["rate"]


# --- the slices ------------------------------------------------------------------------------
def test_a_click_on_a_slice_sets_that_parameter(panel):
    sigma = panel.slices.slice_for("sigma")
    sigma.figure._trigger_event(Tap(sigma.figure, x=0.7, y=-30.0))
    assert panel.state.theta == {"mu": 0.0, "sigma": 0.7}
    mu = panel.slices.slice_for("mu")
    mu.figure._trigger_event(Tap(mu.figure, x=2.1, y=0.0))
    assert panel.state.theta == {"mu": 2.1, "sigma": 0.7}
    # Beyond the slider's end: the end.
    mu.figure._trigger_event(Tap(mu.figure, x=1e6, y=0.0))
    assert panel.state.theta["mu"] == panel.state.model.param.mu.bounds[1]


def test_dragging_the_dot_moves_the_slider(panel):
    piece = panel.slices.slice_for("mu")
    dragged = dict(piece.point.data, x=[1.5], y=[-3.0])
    piece.point.data = dragged  # what the PointDrawTool sends
    assert panel.state.theta["mu"] == 1.5
    assert piece.point.data["y"] == [pytest.approx(panel.state.log_likelihood)]  # back on the curve
    piece.point.data = dict(piece.point.data, y=[5.0])  # dragged only up: put back
    assert piece.point.data["y"] == [pytest.approx(panel.state.log_likelihood)]


def test_slices_span_the_slider_ranges_and_follow_the_other_parameter(panel):
    state = panel.state
    state.set_parameters(mu=1.2, sigma=0.8)
    for name, other in (("mu", "sigma"), ("sigma", "mu")):
        piece = panel.slices.slice_for(name)
        assert (piece.x_range.start, piece.x_range.end) == state.model.param[name].bounds
        x = np.asarray(piece.curve.data["x"])
        fixed = {other: state.theta[other]}
        expected = inference.log_likelihood_slice("gaussian", state.observations, name, x, **fixed)
        np.testing.assert_allclose(piece.curve.data["y"], expected, rtol=1e-12)
        assert piece.point.data["x"] == [state.theta[name]]
        assert piece.point.data["y"] == [pytest.approx(state.log_likelihood)]


@pytest.mark.parametrize("family", list(mle_core.FAMILIES))
def test_the_tangent_slope_is_the_score(family):
    view = panel_for(family)
    state = view.state
    for name in state.theta:
        low, high = state.model.param[name].bounds
        state.set_parameters(**{name: low + 0.37 * (high - low)})
    score = inference.score(family, state.observations, **state.theta, **state.constants)
    for piece in view.slices.shown:
        data = piece.point.data
        slope = (data["y1"][0] - data["y0"][0]) / (data["x1"][0] - data["x0"][0])
        assert slope == pytest.approx(score[piece.name], rel=1e-7, abs=1e-9)
        assert "tangent slope" in piece.figure.title.text


def test_large_weibull_samples_take_the_slope_from_differences_of_the_log_likelihood():
    rng = np.random.default_rng(5)
    view = panel_for("weibull", 1000.0 * rng.weibull(2.0, 5_000))
    state = view.state
    state.set_parameters(shape=1.7, scale=900.0)
    slope, second = local_derivatives(state, curvature=True)
    score = inference.score("weibull", state.statistics, **state.theta)
    information = inference.observed_information("weibull", state.statistics, **state.theta)
    for j, name in enumerate(["shape", "scale"]):
        assert slope[name] == pytest.approx(score[name], rel=1e-6)
        assert second[name] == pytest.approx(-information[j, j], rel=1e-5)


# --- the climb --------------------------------------------------------------------------------
def test_step_moves_the_sliders_and_the_path_grows(panel):
    climb, state = panel.climb, panel.state
    start = dict(state.theta)
    step = climb.step()
    assert step.theta == start
    assert state.theta == dict(step.theta_new) != start
    assert [point.theta for point in panel.overlays.path] == [start, dict(step.theta_new)]
    climb.step_button.clicks += 1
    assert len(climb.steps) == 2
    assert len(panel.overlays.path) == 3
    assert state.theta == dict(climb.steps[-1].theta_new)
    # Drawn on the surface and the slices.
    assert panel.surface._path.data["x"] == [point.theta["mu"] for point in panel.overlays.path]
    assert panel.slices.slice_for("sigma").path.data["x"] == [point.theta["sigma"] for point in panel.overlays.path]
    # The formula, with the numbers of the last step.
    assert "μ_new = " in climb.text
    assert "σ_new = " in climb.text
    assert "Step 2" in climb.text
    # μ_new as μ's slider writes it (app.numbers), not to six figures.
    assert f"= {parameter(climb.steps[-1].theta_new['mu'], state.model.param['mu'].step)}\n" in climb.text


def test_gradient_ascent_uses_the_step_size_typed(panel):
    climb = panel.climb
    climb.step_size_input.value = 0.01
    step = climb.step()
    assert step.step_size == 0.01
    score = inference.score("gaussian", EXAMPLE, mu=0.0, sigma=1.0)
    assert step.theta_new["mu"] == pytest.approx(0.01 * score["mu"])
    climb.step_size_input.value = -1.0
    assert climb.step() is None
    assert "must be positive" in climb.text


def test_back_undoes_a_step_and_reset_returns_to_the_start(panel):
    climb, state = panel.climb, panel.state
    start = dict(state.theta)
    climb.step()
    second = climb.step()
    climb.back_button.clicks += 1
    assert state.theta == dict(second.theta)
    assert len(climb.steps) == 1
    assert len(panel.overlays.path) == 2
    climb.step()
    climb.reset_button.clicks += 1
    assert state.theta == start
    assert climb.steps == []
    assert panel.overlays.path == []
    assert panel.surface._path.data["x"] == []
    assert climb.back_button.disabled
    assert climb.reset_button.disabled


@pytest.mark.parametrize(
    ("family", "method"),
    [("gaussian", "newton"), ("gaussian", "gradient"), ("poisson", "newton"), ("exponential", "gradient")],
)
def test_run_reaches_the_closed_form_mle(family, method):
    view = panel_for(family)
    state, climb = view.state, view.climb
    if family == "gaussian":
        state.set_parameters(mu=0.0, sigma=1.0)
    climb.method_buttons.value = method
    climb.run_button.clicks += 1
    assert "Converged" in climb.text
    for name, value in closed_form_mle(family, VALID_DATA[family]).items():
        assert state.theta[name] == pytest.approx(value, rel=1e-8)
    if family == "gaussian" and method == "newton":
        assert len(climb.steps) <= 12  # from the default start (0, 1)


def test_a_new_climb_starts_where_the_sliders_were_moved(panel):
    climb, state = panel.climb, panel.state
    climb.step()
    state.set_parameters(mu=1.0, sigma=0.5)
    climb.step()
    assert len(climb.steps) == 1
    assert climb.steps[0].theta == {"mu": 1.0, "sigma": 0.5}


def test_a_data_change_clears_the_path(panel):
    climb, state = panel.climb, panel.state
    climb.step()
    state.add_observations([3.3])
    assert climb.steps == []
    assert panel.overlays.path == []
    assert "data changed" in climb.text
    state.switch_family("exponential")
    assert panel.slices.slice_for("rate").path.data["x"] == []


def test_newton_draws_its_quadratic_on_the_slices(panel):
    climb, state = panel.climb, panel.state
    state.set_parameters(mu=1.5, sigma=0.6)
    assert not panel.overlays.quadratic
    climb.method_buttons.value = "newton"
    assert panel.overlays.quadratic
    slope = inference.score("gaussian", EXAMPLE, **state.theta)
    information = inference.observed_information("gaussian", EXAMPLE, **state.theta)
    for j, name in enumerate(["mu", "sigma"]):
        data = panel.slices.slice_for(name).quadratic.data
        x = np.asarray(data["x"])
        delta = x - state.theta[name]
        expected = state.log_likelihood + slope[name] * delta - 0.5 * information[j, j] * delta**2
        np.testing.assert_allclose(data["y"], expected, rtol=1e-10)
    panel.tabs.active = CLIMB_TABS["how sure"]  # out of sight: not drawn
    assert not panel.overlays.quadratic
    assert len(panel.slices.slice_for("mu").quadratic.data["x"]) == 0


def test_run_animates_in_an_event_loop_and_ends_at_the_mle(panel):
    climb, state = panel.climb, panel.state
    climb.method_buttons.value = "newton"
    seen = []
    state.param.watch(lambda _: seen.append(state.theta["mu"]), "theta_changed")

    async def run_and_wait():
        climb.run_button.clicks += 1
        assert climb.running
        assert climb.run_button.label == "Stop"
        for _ in range(600):
            if not climb.running:
                return
            await asyncio.sleep(0.01)

    asyncio.run(run_and_wait())
    assert not climb.running
    assert state.theta["mu"] == pytest.approx(2.24, rel=1e-12)
    assert state.theta["sigma"] == pytest.approx(np.std(EXAMPLE), rel=1e-12)
    assert len(seen) == len(climb.steps) >= 5  # one slider move per frame at first: it is animated


def test_no_climb_without_data_or_from_a_closed_end():
    view = panel_for("gaussian", [])
    assert view.climb.step() is None
    assert "Add observations first" in view.climb.text
    coin = panel_for("bernoulli")
    coin.state.set_parameters(p=0.0)
    assert coin.climb.step() is None
    assert "inside the parameter space" in coin.climb.text


# --- how sure ---------------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["gaussian", "exponential", "weibull"])
def test_intervals_are_mle_core_s_and_are_drawn_on_the_slices(family):
    view = panel_for(family)
    state = view.state
    state.show_answer()  # How sure? is about θ̂: shown once the answer is (tests/test_app_try_first.py)
    view.tabs.active = CLIMB_TABS["how sure"]
    for name in state.theta:
        wald = inference.wald_interval(family, state.observations, name)
        profile = inference.profile_interval(family, state.observations, name)
        pair = view.how_sure.intervals[name]
        assert (pair.wald.lower, pair.wald.upper) == (wald.lower, wald.upper)
        assert (pair.profile.lower, pair.profile.upper) == (profile.lower, profile.upper)
        piece = view.slices.slice_for(name)
        assert piece.wald_band.visible
        assert (piece.wald_band.left, piece.wald_band.right) == (wald.lower, wald.upper)
        assert piece.whisker.data["lower"] == [profile.lower]
        assert piece.whisker.data["upper"] == [profile.upper]
        assert piece.cut.location == pytest.approx(state.mle.log_likelihood - 1.920729410347062)
        step = state.model.param[name].step  # the ends written as the parameter's slider writes a value
        assert f"[{parameter(wald.lower, step)}, {parameter(wald.upper, step)}]" in view.how_sure.text
    errors = inference.standard_errors(family, state.observations)
    for name, value in errors.items():
        assert view.how_sure.intervals[name].wald.standard_error == pytest.approx(value)


def test_estimates_far_from_zero_keep_the_digits_their_standard_error_needs():
    view = panel_for("gaussian", [1e8, 1e8 + 1, 1e8 + 3])
    view.state.show_answer()
    view.tabs.active = CLIMB_TABS["how sure"]
    assert "100000001.33" in view.how_sure.text
    assert "e+08" not in view.how_sure.text


def test_the_wald_interval_for_a_rate_can_leave_its_space_where_the_profile_does_not():
    view = panel_for("exponential", [0.5, 2.0, 1.1])
    view.state.show_answer()
    view.tabs.active = CLIMB_TABS["how sure"]
    pair = view.how_sure.intervals["rate"]
    assert pair.wald.lower < 0 < pair.profile.lower
    assert "outside the values λ can take" in view.how_sure.text
    assert "off the axis" in view.slices.slice_for("rate").note.text


def test_the_tests_table_follows_the_null_value(panel):
    how_sure, state = panel.how_sure, panel.state
    state.show_answer()
    panel.tabs.active = CLIMB_TABS["how sure"]
    lr = inference.likelihood_ratio_test("gaussian", EXAMPLE, "mu", 0.0)
    assert how_sure.tests["mu"][0].statistic == lr.statistic
    how_sure.null_inputs[0].value = 2.0
    expected = {
        "likelihood ratio": inference.likelihood_ratio_test("gaussian", EXAMPLE, "mu", 2.0),
        "wald": inference.wald_test("gaussian", EXAMPLE, "mu", 2.0),
        "score": inference.score_test("gaussian", EXAMPLE, "mu", 2.0),
    }
    for result in how_sure.tests["mu"]:
        assert result.statistic == expected[result.test].statistic
        assert result.p_value == expected[result.test].p_value
        assert number(result.statistic) in how_sure.text
    assert "μ = 2</td>" in how_sure.text  # the null value, written as μ's slider writes 2
    how_sure.null_inputs[1].value = 0.5
    assert how_sure.tests["sigma"][1].statistic == inference.wald_test("gaussian", EXAMPLE, "sigma", 0.5).statistic
    assert state.theta == {"mu": 0.0, "sigma": 1.0}  # testing moves no slider


def test_sigma_hat_and_s_side_by_side(panel):
    panel.state.show_answer()
    panel.tabs.active = CLIMB_TABS["how sure"]
    text = panel.how_sure.text
    estimates = inference.sigma_estimates(EXAMPLE)
    step = panel.state.model.param["sigma"].step  # σ̂ reads here as in the readout and on σ's slider
    assert f">{parameter(estimates.mle, step)}<" in text
    assert f">{parameter(estimates.sample_sd, step)}<" in text
    assert parameter(estimates.mle, step) == "0.398"
    assert f"= {number(math.sqrt(5 / 4))}." in text


def test_repeat_the_experiment_draws_the_sampling_distribution(panel):
    how_sure, state = panel.how_sure, panel.state
    panel.tabs.active = CLIMB_TABS["how sure"]
    state.set_parameters(mu=2.0, sigma=0.5)
    how_sure.rng = np.random.default_rng(11)
    how_sure.repeats = 500
    # Before the experiment no empty frame waits for it, in the browser either (a column round each, hidden).
    assert not any(histogram.shown for histogram in how_sure.histograms)
    how_sure.repeat_button.clicks += 1
    expected = inference.sampling_distribution("gaussian", {"mu": 2.0, "sigma": 0.5}, 5, 500, rng=11)
    np.testing.assert_array_equal(how_sure.estimates, expected)
    for j, histogram in enumerate(how_sure.histograms):
        assert histogram.shown
        assert histogram.counts.sum() == 500
        assert histogram.mean.location == pytest.approx(expected[:, j].mean())
    assert how_sure.histograms[0].truth.location == 2.0
    assert how_sure.histograms[1].truth.location == 0.5
    # σ̂ is biased low with n = 5: its average is about 0.84 σ.
    assert expected[:, 1].mean() < 0.5
    assert "500</b> samples of n = 5" in how_sure.text
    assert "caught the true μ" in how_sure.text


def test_how_sure_says_why_there_is_nothing_to_show():
    view = panel_for("gaussian", [])
    view.tabs.active = CLIMB_TABS["how sure"]
    assert "No observations yet" in view.how_sure.text
    view.how_sure.repeat_experiment()
    assert "Add observations first" in view.how_sure.text
    view.state.add_observations([1.5])
    assert "No finite maximum likelihood estimate" in view.how_sure.text
    assert view.overlays.intervals == {}


def test_how_sure_says_loading_while_a_module_is_missing(monkeypatch):
    view = panel_for("weibull")
    monkeypatch.setattr(overlays, "missing_modules", lambda families: ["scipy.optimize"])
    view.tabs.active = CLIMB_TABS["how sure"]
    assert "Loading scipy" in view.how_sure.text


def test_intervals_are_computed_only_while_their_tab_is_open(panel, monkeypatch):
    calls = []
    monkeypatch.setattr(inference, "profile_interval", lambda *a, **k: calls.append(a) or None)
    panel.state.add_observations([2.0])
    assert calls == []
    assert panel.overlays.intervals == {}


# --- L and ℓ, each point's share ---------------------------------------------------------------
def test_the_underflow_point_is_reported():
    rng = np.random.default_rng(2)
    data = rng.normal(0.0, 1.0, 3_000)
    view = panel_for("gaussian", data)
    view.state.set_parameters(mu=0.0, sigma=1.0)
    view.tabs.active = CLIMB_TABS["underflow"]
    logs = mle_core.log_densities("gaussian", data, mu=0.0, sigma=1.0)
    k = inference.underflow_point(logs)
    assert k is not None
    assert 300 < k < 1000
    assert view.likelihood_vs_log.underflow == k
    assert f"from <b>n = {k:,}</b> on" in view.likelihood_vs_log.text
    assert "0.0" in view.likelihood_vs_log.text
    assert len(view.likelihood_vs_log._curves.data["k"]) <= 1_010
    view.state.set_parameters(sigma=2.0)  # follows the sliders while open
    k2 = inference.underflow_point(mle_core.log_densities("gaussian", data, mu=0.0, sigma=2.0))
    assert view.likelihood_vs_log.underflow == k2 != k


def test_few_points_do_not_underflow_and_the_text_says_how_many_would(panel):
    panel.tabs.active = CLIMB_TABS["underflow"]
    assert panel.likelihood_vs_log.underflow is None
    mean = panel.state.log_likelihood / 5
    assert f"{math.ceil(-math.log(5e-324) / -mean):,}" in panel.likelihood_vs_log.text


def test_contributions_are_sorted_and_capped_so_the_outlier_leads():
    rng = np.random.default_rng(4)
    data = np.r_[rng.normal(0.0, 1.0, 4_999), 9.0]
    view = panel_for("gaussian", data)
    view.tabs.active = CLIMB_TABS["contributions"]
    bars = view.contributions.bars
    assert len(bars["rank"]) == MAX_BARS
    assert np.all(np.diff(bars["log_density"]) >= 0)
    assert bars["x"][0] == 9.0
    assert bars["index"][0] == 5_000
    logs = mle_core.log_densities("gaussian", data, **view.state.theta)
    np.testing.assert_allclose(bars["log_density"], np.sort(logs)[:MAX_BARS])
    assert "200 smallest of 5,000" in view.contributions.figure.title.text
    assert "x<sub>5000</sub> = <b>9</b>" in view.contributions.text


def test_tab_views_work_only_while_open(panel):
    state = panel.state
    panel.tabs.active = CLIMB_TABS["contributions"]
    before = list(panel.contributions.bars["log_density"])
    panel.tabs.active = CLIMB_TABS["climb"]
    state.set_parameters(mu=2.0)
    assert list(panel.contributions.bars["log_density"]) == before  # closed: untouched
    panel.tabs.active = CLIMB_TABS["contributions"]  # opened again: caught up
    logs = mle_core.log_densities("gaussian", EXAMPLE, **state.theta)
    np.testing.assert_allclose(panel.contributions.bars["log_density"], np.sort(logs))


# --- every family, and nothing rebuilt --------------------------------------------------------
@pytest.mark.parametrize("family", list(mle_core.FAMILIES))
def test_every_family_builds_every_view(family):
    view = panel_for(family)
    view.how_sure.repeats = 50
    for tab in range(len(view.TABS)):
        view.tabs.active = tab
    view.tabs.active = CLIMB_TABS["how sure"]
    assert "Computing" not in view.how_sure.text
    assert "estimate" in view.how_sure.text
    view.how_sure.repeat_experiment()
    assert view.how_sure.estimates.shape == (50, len(view.state.theta))
    view.tabs.active = CLIMB_TABS["climb"]
    view.climb.method_buttons.value = "newton"
    view.climb.run()
    assert "Converged" in view.climb.text, view.climb.text
    fit = view.state.mle.params
    for name, value in view.state.theta.items():
        assert value == pytest.approx(fit[name], rel=1e-6)
    assert [piece.name for piece in view.slices.shown] == list(view.state.theta)
    assert view.surface._pane.visible == (len(view.state.theta) == 2)


def _bokeh_models(view: LandscapePanel) -> set[int]:
    roots = [view.surface.figure, view.likelihood_vs_log.figure, view.contributions.figure]
    roots += [piece.figure for piece in view.slices.slices] + [h.figure for h in view.how_sure.histograms]
    found = set()
    for root in roots:
        found |= {id(model) for model in root.references() if isinstance(model, Model)}
    return found


def test_views_are_updated_in_place_not_rebuilt_on_slider_steps(panel):
    for tab in range(len(panel.TABS)):
        panel.tabs.active = tab
        before = _bokeh_models(panel)
        figures = [piece.figure for piece in panel.slices.slices]
        mu_curve = panel.slices.slice_for("mu").curve.data
        image = panel.surface._image.data
        for value in (0.5, 1.0, 1.5):
            panel.state.set_parameters(mu=value)
        assert _bokeh_models(panel) == before
        assert [piece.figure for piece in panel.slices.slices] == figures
        # A μ step: the σ slice and the dots move, the μ slice and the surface stay as they were.
        assert panel.slices.slice_for("mu").curve.data is mu_curve
        assert panel.surface._image.data is image
        assert panel.slices.slice_for("mu").point.data["x"] == [1.5]
    panel.state.switch_family("exponential")  # a family switch too reuses the figures
    assert _bokeh_models(panel) == before


def test_sessions_do_not_share_views():
    first, second = LandscapePanel(state=ExplorerState()), LandscapePanel(state=ExplorerState())
    assert not _bokeh_models(first) & _bokeh_models(second)
    first.surface.figure._trigger_event(Tap(first.surface.figure, x=1.0, y=0.5))
    assert second.state.theta == {"mu": 0.0, "sigma": 1.0}


def test_a_collapsed_card_builds_nothing_until_opened_and_then_catches_up():
    state = ExplorerState()
    view = LandscapePanel(state=state, collapsed=True)
    assert not view.built
    state.set_parameters(mu=1.0)
    view._card.collapsed = False
    assert view.built
    assert view.slices.slice_for("mu").point.data["x"] == [1.0]
    view._card.collapsed = True  # closed again: slider steps cost nothing here
    state.set_parameters(mu=2.0)
    assert view.slices.slice_for("mu").point.data["x"] == [1.0]
    assert view.surface._current.data["x"] == [1.0]
    view._card.collapsed = False
    assert view.slices.slice_for("mu").point.data["x"] == [2.0]
    assert view.surface._current.data["x"] == [2.0]
