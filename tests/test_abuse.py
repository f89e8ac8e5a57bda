"""Hostile and mistaken input through every way into the app, with no browser.

Every path a student (or a hand-edited page, or a malicious link) can feed the app: clicks, slider values,
the family selector and the trials box, the URL, uploaded files, the typing box, drags and family switches.
Each bad input must give a clear message and leave the family, the observations and the parameters as they
were; nothing may raise, log an error (a traceback in the server log) or warn about overflow on the way.
"""

from __future__ import annotations

import logging
import math

import pytest
from bokeh.document import Document

import mle_core
from app.controls import ParameterControls
from app.explorer import MLEExplorer
from app.state import ExplorerState
from app.widgets import RefusedBrowserValueFilter

# An overflow or an invalid operation anywhere on the way (numpy, the views) fails the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

#: Data each family accepts.
VALID = {
    "gaussian": [2.3, 1.9, 2.5, 2.8, 1.7],
    "bernoulli": [1.0, 0.0, 1.0, 1.0],
    "binomial": [3.0, 5.0, 2.0],
    "poisson": [0.0, 2.0, 1.0, 4.0],
    "exponential": [1200.0, 800.0, 950.0],
    "weibull": [1200.0, 800.0, 950.0, 1500.0],
}
FAMILIES = list(VALID)
CONTINUOUS = ["gaussian", "exponential", "weibull"]
DISCRETE = ["bernoulli", "binomial", "poisson"]
POSITIVE = ["exponential", "weibull"]
NON_FINITE = [math.nan, math.inf, -math.inf]
HUGE = [1e308, -1e308, 1e151]


@pytest.fixture(autouse=True)
def no_server_errors(caplog):
    """Fail a test that logged an error: in a served app, that is a traceback in the server's log."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "errors logged:\n" + "\n".join(errors)


_explorers: dict[str, MLEExplorer] = {}


def explorer_with(family: str, data=None) -> MLEExplorer:
    """An explorer (one per family, kept for the module: they take half a second to build) showing ``family``
    with ``data`` (its valid data by default), no notice and nothing selected."""
    explorer = _explorers.get(family)
    if explorer is None:
        explorer = _explorers[family] = MLEExplorer()
    explorer.state.load(family, VALID[family] if data is None else data)
    explorer.state.notice = ""
    explorer.plot._clear_selection()
    return explorer


def shown(state: ExplorerState) -> tuple:
    """What the student sees of the state: family, constants, observations and parameter values."""
    return state.family, dict(state.constants), state.observations.tolist(), dict(state.theta)


def assert_consistent(state: ExplorerState) -> None:
    """The readout's ℓ is ℓ of the shown data at the shown θ, and every slider is at a finite place in its range."""
    expected = mle_core.log_likelihood(state.family, state.observations, **state.theta, **state.constants)
    assert state.log_likelihood == pytest.approx(expected, rel=1e-9) or state.log_likelihood == expected
    for name, value in state.theta.items():
        low, high = state.model.param[name].bounds
        assert all(math.isfinite(v) for v in (low, high, value)), (name, low, high, value)
        assert low <= value <= high, (name, low, value, high)


def assert_refused(explorer: MLEExplorer, before: tuple, *phrases: str) -> None:
    state = explorer.state
    assert shown(state) == before, "a refused input changed the state"
    for phrase in phrases:
        assert phrase in state.notice, f"{phrase!r} not in the notice {state.notice!r}"
    # The student sees the notice (escaped: it may quote what was typed or linked), data or not.
    assert state.notice
    assert _escaped(state.notice) in explorer.controls._hint.object
    assert_consistent(state)


def _escaped(text: str) -> str:
    import html

    return html.escape(text)


def rendered_controls(family: str) -> ParameterControls:
    state = ExplorerState()
    state.load(family, VALID[family])
    controls = ParameterControls(state=state)
    controls.__panel__().get_root(Document())
    return controls


def bokeh_model(widget):
    ((model, _),) = widget._models.values()
    return model


def bad_slider_values(slider) -> list:
    values = [*NON_FINITE, 1e308, -1e308, slider.end + slider.step]
    if slider.start - slider.step < slider.start:
        values.append(slider.start - slider.step)
    return values


@pytest.mark.parametrize("family", ["gaussian", "bernoulli", "exponential", "weibull"])
def test_a_slider_value_the_browser_sends_beyond_its_range_is_refused_and_put_back(family):
    controls = rendered_controls(family)
    state = controls.state
    for name, slider in controls.sliders.items():
        model = bokeh_model(slider)
        for value in bad_slider_values(slider):
            before = shown(state)
            state.notice = ""
            model.value = value  # what applying the browser's message does; Panel takes it from there
            assert shown(state) == before, f"{name} = {value!r} changed the state"
            assert f"{slider.label}: {value!r} was refused" in state.notice, state.notice
            assert model.value == state.theta[name], "the page's slider is not put back"
        inside = (slider.start + slider.end) / 2
        model.value = inside  # and a good value still moves the model
        assert state.theta[name] == inside
        assert_consistent(state)


@pytest.mark.parametrize("value", ["abc", None, True, [1.0], {"a": 1}], ids=repr)
def test_a_slider_value_that_is_not_a_number_is_refused(value):
    # Bokeh refuses text for a slider's value before Panel sees it (test_the_log_filter_…); this is Panel's path.
    controls = rendered_controls("gaussian")
    before = shown(controls.state)
    controls.sliders["mu"]._process_events({"value": value})
    assert shown(controls.state) == before
    assert "was refused" in controls.state.notice
    assert bokeh_model(controls.sliders["mu"]).value == 0.0


@pytest.mark.parametrize("value", ["Cauchy", "", None, "gaussian; drop table", 5], ids=repr)
def test_a_family_the_selector_does_not_offer_is_refused(value):
    controls = rendered_controls("poisson")
    model = bokeh_model(controls.family_select)
    before = shown(controls.state)
    controls.family_select._process_events({"value": value})
    assert shown(controls.state) == before
    assert "was refused" in controls.state.notice
    assert model.value == "poisson"
    model.value = "gaussian"  # a real choice still works (the data are counts: the Gaussian takes them)
    assert controls.state.family == "gaussian"


@pytest.mark.parametrize("value", [0, -5, 10**9, 2.5, math.nan, math.inf, "abc"], ids=repr)
def test_a_number_of_trials_outside_the_box_s_range_is_refused(value):
    controls = rendered_controls("binomial")
    before = shown(controls.state)
    controls.trials_input._process_events({"value": value})
    assert shown(controls.state) == before
    assert "was refused" in controls.state.notice
    assert bokeh_model(controls.trials_input).value == 10
    controls.trials_input._process_events({"value": 12})
    assert controls.state.constants == {"n_trials": 12}


def test_the_log_filter_turns_bokeh_s_refusal_of_a_browser_value_into_one_warning_line(caplog):
    logger = logging.getLogger("bokeh.server.protocol_handler")
    assert any(isinstance(f, RefusedBrowserValueFilter) for f in logger.filters)
    error = ValueError("failed to validate Slider(id='p1', ...).value: expected a value of type Real, got abc")
    try:
        raise error
    except ValueError:
        logger.error("error handling message\n message: %r \n error: %r", "PATCH-DOC", error, exc_info=True)
    (record,) = [r for r in caplog.records if r.name == logger.name]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "refused a value a browser sent" in record.getMessage()
    other = RuntimeError("a real server error")
    try:
        raise other
    except RuntimeError:
        record = logger.makeRecord(logger.name, logging.ERROR, "f", 1, "boom", (), __import__("sys").exc_info())
    assert RefusedBrowserValueFilter().filter(record)
    assert record.levelno == logging.ERROR


def test_html_in_a_link_is_shown_as_text_not_run():
    explorer = MLEExplorer()
    explorer.share.restore({"family": '<img src=x onerror="alert(1)">'})
    hint = explorer.controls._hint.object
    assert "<img" not in hint
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in hint


def test_with_no_observations_the_reason_nothing_was_added_is_still_shown():
    # The hint used to show only "Optimize needs at least one observation", hiding the notice.
    explorer = explorer_with("gaussian", [])
    explorer.controls.entry.value_input = "abc"
    explorer.controls.add_button.clicks += 1
    assert "entry 1 (&#x27;abc&#x27;) is not a number" in explorer.controls._hint.object
    assert "Optimize needs at least one observation" in explorer.controls._hint.object
