"""A family added from outside the app: its core module, a presentation record and a registry line, nothing else.

The geometric family (tests/extra_family.py) is registered with ``mle_core.register_family`` and its texts with
``register_presentation``; then it is driven through the state, the controls, the plot, the readout, the
explanations and the landscape (slices, the climb, how sure) exactly as a built-in family is. No file of the app
names it: if one did, this test would have needed it.
"""

import numpy as np
import pytest
import scipy.stats
from bokeh.events import Tap
from extra_family import FAMILY

import mle_core
from mle_core import inference
from mle_explorer.classroom import Explanations
from mle_explorer.explorer import MLEExplorer
from mle_explorer.landscape import LandscapePanel
from mle_explorer.presentation import FamilyPresentation, register_presentation, unregister_presentation

GEOMETRIC = FamilyPresentation(
    name="geometric",
    notation="Geometric(p)",
    observation="An observation is a number of failures before the first success: 0, 1, 2, …",
    density_formula=r"$P(X=k\mid p)=p(1-p)^{k},\quad k=0,1,2,\dots$",
    log_likelihood_formula=r"$\ell(p)=n\ln p+T\ln(1-p),\qquad T=\sum_{i=1}^{n}x_i$",
    estimate_formula=r"$\hat p=\tfrac{n}{n+T}$",
    x_label="failures before the first success",
)
DATA = [0, 3, 1, 0, 1, 2, 0, 5]


@pytest.fixture
def explorer():
    """A session made after the geometric family was registered (the selector lists the families it knows)."""
    with mle_core.registered_family(FAMILY):
        register_presentation(GEOMETRIC)
        try:
            yield MLEExplorer()
        finally:
            unregister_presentation("geometric")


def geometric_log_likelihood(x, p: float) -> float:
    """scipy's geom counts trials up to the first success (1, 2, …): one more than our failures."""
    return float(scipy.stats.geom.logpmf(np.asarray(x) + 1, p).sum())


def test_the_registered_family_is_offered_and_switched_to_with_its_own_slider(explorer):
    state, controls = explorer.state, explorer.controls
    assert "geometric" in controls.family_select.values
    state.clear()
    controls.family_select.value = "geometric"
    assert state.family == "geometric"
    assert list(controls.sliders) == ["p"]
    state.set_observations(DATA)
    state.set_parameters(p=0.3)
    assert state.log_likelihood == pytest.approx(geometric_log_likelihood(DATA, 0.3), rel=1e-12)


def test_optimize_the_plot_and_the_readout_show_the_geometric_s_estimate(explorer):
    state, plot, readout = explorer.state, explorer.plot, explorer.readout
    state.clear()
    assert state.switch_family("geometric")
    state.set_observations(DATA)
    explorer.controls.optimize_button.clicks += 1
    p_hat = len(DATA) / (len(DATA) + sum(DATA))
    assert state.theta["p"] == pytest.approx(p_hat, rel=1e-12)
    # Discrete: probability bars at the integers, the dots stacked to the observed proportions.
    assert plot.discrete
    bars = plot._curve.data
    assert np.array_equal(bars["x"], np.arange(len(bars["x"])))
    assert bars["density"][:3] == pytest.approx([p_hat * (1 - p_hat) ** k for k in range(3)])
    labels = [item.label["value"] for item in plot.figure.legend[0].items if item.visible]
    assert "model Geometric(p)" in labels
    assert plot.figure.xaxis.axis_label == "failures before the first success"
    # The readout: ℓ, ℓ̂ and the family's own formulas.
    assert f"{state.log_likelihood:.3f}".replace("-", "−") in readout.text
    assert [pane.object for pane in readout._formula_panes[1:]] == [
        GEOMETRIC.log_likelihood_formula,
        GEOMETRIC.estimate_formula,
    ]
    # A click on the plot adds a count, snapped to the support.
    plot._on_tap(Tap(plot.figure, x=2.2, y=0.05))
    assert state.observations[-1] == 2.0


def test_the_model_card_explains_the_registered_family(explorer):
    state = explorer.state
    explanations = Explanations(state=state)
    state.clear()
    assert state.switch_family("geometric")
    assert explanations.family_card.title == f"The model: {FAMILY.label}"
    assert GEOMETRIC.observation in explanations.family_markdown.object
    assert "- **p**: probability that a trial is a success" in explanations.family_markdown.object
    assert explanations.family_formula.object == GEOMETRIC.density_formula


def test_the_landscape_climbs_and_measures_the_registered_family_through_the_generic_paths(explorer):
    state = explorer.state
    state.clear()
    assert state.switch_family("geometric")
    state.set_observations(DATA)
    state.set_parameters(p=0.2)
    panel = LandscapePanel(state=state)
    # The slice through the current θ is ℓ along p.
    piece = panel.slices.slice_for("p")
    xs, ys = np.asarray(piece.curve.data["x"]), np.asarray(piece.curve.data["y"])
    assert ys[len(xs) // 2] == pytest.approx(geometric_log_likelihood(DATA, xs[len(xs) // 2]), rel=1e-9)
    # Newton's climb reaches the closed-form estimate.
    climb = panel.climb
    climb.method_buttons.value = "newton"
    for _ in range(30):
        if climb.step() is None:
            break
    p_hat = len(DATA) / (len(DATA) + sum(DATA))
    assert state.theta["p"] == pytest.approx(p_hat, rel=1e-6)
    # How sure: the standard error is the closed form √(p̂²(1 − p̂)/n), within the numerics' accuracy.
    panel.tabs.active = 1
    pair = panel.how_sure.intervals["p"]
    expected_se = np.sqrt(p_hat**2 * (1 - p_hat) / len(DATA))
    assert pair.wald.standard_error == pytest.approx(expected_se, rel=1e-6)
    profile = inference.profile_interval("geometric", state.statistics, "p")
    assert (pair.profile.lower, pair.profile.upper) == (profile.lower, profile.upper)
