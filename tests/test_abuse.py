"""Hostile and mistaken input through every way into the app, with no browser.

Every path a student (or a hand-edited page, or a malicious link) can feed the app: clicks, slider values,
the family selector and the trials box, the URL, uploaded files, the typing box, drags and family switches.
Each bad input must give a clear message and leave the family, the observations and the parameters as they
were; nothing may raise, log an error (a traceback in the server log) or warn about overflow on the way.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pytest
from bokeh.document import Document
from bokeh.events import DoubleTap, Tap

import mle_core
from mle_explorer.controls import TYPED_TEXT_LIMIT, ParameterControls
from mle_explorer.data_io import MAX_FILE_MB, UPLOAD_CHUNK_BYTES, DataFiles, SizeLimitedFileDropper
from mle_explorer.explorer import MLEExplorer
from mle_explorer.plot import MAX_BARS
from mle_explorer.sampling import SampleDrawer
from mle_explorer.sharing import MAX_QUERY_CHARS, parse_share_query, share_query
from mle_explorer.state import ExplorerState
from mle_explorer.widgets import RefusedBrowserValueFilter

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


# --- clicks -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("event", [Tap, DoubleTap])
@pytest.mark.parametrize("x", NON_FINITE + HUGE, ids=repr)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_click_at_no_real_place_is_refused(family, x, event):
    explorer = explorer_with(family)
    before = shown(explorer.state)
    explorer.plot.figure._trigger_event(event(explorer.plot.figure, x=x, y=0.5))
    reason = "finite" if not math.isfinite(x) else "±10¹⁵⁰"
    assert_refused(explorer, before, "Not added", reason)


@pytest.mark.parametrize("x", [-1.0, -1e-308, 0.0])
@pytest.mark.parametrize("family", POSITIVE)
def test_a_click_outside_a_positive_support_is_refused(family, x):
    explorer = explorer_with(family)
    before = shown(explorer.state)
    explorer.plot.figure._trigger_event(Tap(explorer.plot.figure, x=x, y=0.5))
    assert_refused(explorer, before, "Not added", "positive")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_click_at_1e_minus_308_is_added(family):
    explorer = explorer_with(family)
    explorer.plot.figure._trigger_event(Tap(explorer.plot.figure, x=1e-308, y=math.nan))
    # A count snaps to 0; a continuous family keeps the value exactly.
    assert explorer.state.observations.tolist() == [*VALID[family], 0.0 if family in DISCRETE else 1e-308]
    assert_consistent(explorer.state)
    explorer.controls.optimize_button.clicks += 1
    assert_consistent(explorer.state)


@pytest.mark.parametrize("family", POSITIVE)
def test_one_observation_at_1e_minus_308_gives_a_reachable_estimate(family):
    # λ̂ = 1 / x̄ = 1e308: the slider's end used to be 3 · 1e308, which overflowed (OverflowError).
    explorer = explorer_with(family, [1.0])
    explorer.state.set_observations([1e-308])
    explorer.controls.optimize_button.clicks += 1
    assert_consistent(explorer.state)
    if family == "exponential":
        assert explorer.state.theta["rate"] == pytest.approx(1e308)


def test_a_click_at_a_huge_count_adds_it_without_listing_every_count():
    # Snapping and the probability bars used to make an array of every count up to x (a MemoryError).
    explorer = explorer_with("poisson")
    start = time.perf_counter()
    explorer.plot.figure._trigger_event(Tap(explorer.plot.figure, x=1e9 + 0.3, y=0.5))
    assert explorer.state.observations.tolist() == [*VALID["poisson"], 1e9]
    assert len(explorer.plot._curve.data["x"]) <= MAX_BARS
    explorer.state.set_parameters(rate=1e9)
    explorer.controls.optimize_button.clicks += 1
    assert time.perf_counter() - start < 5
    assert_consistent(explorer.state)


@pytest.mark.parametrize("x", [1e12, 1e149])
def test_a_click_beyond_the_largest_count_snaps_to_it_and_a_typed_one_is_refused(x):
    # Counts stop at 1e9: ℓ of a count of 1e15 came out as 0.0 (Σ ln xᵢ! and K ln λ cancel to fewer digits
    # than the readout shows). A click beyond snaps to the largest count, as beyond a binomial's trials.
    explorer = explorer_with("poisson")
    start = time.perf_counter()
    explorer.plot.figure._trigger_event(Tap(explorer.plot.figure, x=x + 0.3, y=0.5))
    assert time.perf_counter() - start < 5
    assert explorer.state.observations.tolist() == [*VALID["poisson"], 1e9]
    before = shown(explorer.state)
    with pytest.raises(ValueError, match="poisson observations must be non-negative integers up to 10⁹; found"):
        explorer.state.add_observations([x])
    assert shown(explorer.state) == before


@pytest.mark.parametrize(("family", "x", "snapped"), [("binomial", 1e9, 10.0), ("bernoulli", 1e140, 1.0)])
def test_a_click_far_beyond_a_bounded_support_snaps_to_its_end(family, x, snapped):
    explorer = explorer_with(family)
    explorer.plot.figure._trigger_event(Tap(explorer.plot.figure, x=x, y=0.5))
    assert explorer.state.observations.tolist()[-1] == snapped


def test_zooming_out_past_the_limits_draws_no_curve_beyond_them():
    explorer = explorer_with("gaussian")
    explorer.plot._x_range.update(start=-1e200, end=1e200)  # the browser's wheel zoom, very far out
    assert explorer.plot._curve.data["x"].max() <= 1e150
    poisson = explorer_with("poisson")
    poisson.plot._x_range.update(start=-5, end=1e12)
    assert len(poisson.plot._curve.data["x"]) <= MAX_BARS


# --- slider values from the browser -----------------------------------------------------------------
def rendered(view_class, family: str, rng: int | None = None):
    """A ``view_class`` (ParameterControls, SampleDrawer) over a new state holding ``family``'s valid data,
    rendered into a Bokeh document, as a browser session would have it (its random draws seeded by ``rng``)."""
    state = ExplorerState(rng=rng)
    state.load(family, VALID[family])
    view = view_class(state=state)
    view.__panel__().get_root(Document())
    return view


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
    controls = rendered(ParameterControls, family)
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
    controls = rendered(ParameterControls, "gaussian")
    before = shown(controls.state)
    controls.sliders["mu"]._process_events({"value": value})
    assert shown(controls.state) == before
    assert "was refused" in controls.state.notice
    assert bokeh_model(controls.sliders["mu"]).value == 0.0


@pytest.mark.parametrize("value", ["Cauchy", "", None, "gaussian; drop table", 5], ids=repr)
def test_a_family_the_selector_does_not_offer_is_refused(value):
    controls = rendered(ParameterControls, "poisson")
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
    controls = rendered(ParameterControls, "binomial")
    before = shown(controls.state)
    controls.constant_inputs["n_trials"]._process_events({"value": value})
    assert shown(controls.state) == before
    assert "was refused" in controls.state.notice
    assert bokeh_model(controls.constant_inputs["n_trials"]).value == 10
    controls.constant_inputs["n_trials"]._process_events({"value": 12})
    assert controls.state.constants == {"n_trials": 12}


@pytest.mark.parametrize("value", [0, -3, 10**9, 2.5, math.nan, math.inf, "abc", True], ids=repr)
def test_a_sample_size_the_box_cannot_take_is_refused_and_put_back(value):
    sampler = rendered(SampleDrawer, "gaussian")
    before = shown(sampler.state)
    sampler.size_input._process_events({"value": value})
    assert shown(sampler.state) == before
    assert f"Sample size n: {_escaped(repr(value))} was refused: it takes whole numbers from 1 to 100,000" in (
        sampler._message.object
    )
    assert sampler.size_input.value == bokeh_model(sampler.size_input).value == 20
    sampler.size_input._process_events({"value": 7})  # a good size is taken, and the message goes
    assert sampler.size_input.value == 7
    assert sampler._message.object == ""


@pytest.mark.parametrize("value", [-1.0, math.nan, math.inf, -math.inf, "abc", [1.0]], ids=repr)
@pytest.mark.parametrize("family", ["gaussian", "exponential", "bernoulli"])
def test_a_true_parameter_the_box_cannot_take_is_refused_and_put_back(family, value):
    sampler = rendered(SampleDrawer, family)
    parameter = sampler.state.family_spec.parameters[-1]  # σ, λ, p: each has a lower bound of 0
    widget = sampler.truth_inputs[parameter.name]
    kept = widget.value
    before = shown(sampler.state)
    widget._process_events({"value": value})
    assert shown(sampler.state) == before
    assert f"true {parameter.symbol}: {_escaped(repr(value))} was refused" in sampler._message.object
    assert widget.value == bokeh_model(widget).value == kept
    sampler.draw_button.clicks += 1  # drawing still works, from the value kept
    assert sampler.state.true_parameters[parameter.name] == kept


@pytest.mark.parametrize(
    ("family", "truth", "said"),
    [
        ("weibull", {"shape": 0.5, "scale": 1e308}, "overflow the largest float"),
        ("gaussian", {"mu": 1e308, "sigma": 1e308}, "overflow the largest float"),
        ("exponential", {"rate": 1e-300}, "too large to keep (observations must lie within ±10¹⁵⁰)"),
        ("poisson", {"rate": 1e308}, "numpy refuses (lam value too large)"),
    ],
)
def test_true_parameters_whose_draws_overflow_draw_nothing_and_say_so(family, truth, said):
    # Each box takes these values (no upper end); the draws they give are what cannot be kept. Seeded: 20 draws
    # from N(1e308, 1e308²) all stay finite in about 1 run in 120 (every z < 0.8), and the message is another.
    sampler = rendered(SampleDrawer, family, rng=2026)
    for name, value in truth.items():
        sampler.truth_inputs[name]._process_events({"value": value})
    assert {name: sampler.truth_inputs[name].value for name in truth} == truth
    before = shown(sampler.state)
    sampler.draw_button.clicks += 1
    assert shown(sampler.state) == before
    assert sampler._message.object.startswith("No sample drawn: ")
    assert _escaped(said) in sampler._message.object
    assert "index" not in sampler._message.object, "a random sample's positions mean nothing to a student"


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


# --- the URL --------------------------------------------------------------------------------------------
BAD_LINKS = [
    ({"x": "nan"}, "not a finite number"),
    ({"x": "1,inf"}, "not a finite number"),
    ({"x": "-inf"}, "not a finite number"),
    ({"mu": "nan"}, "not a finite number"),
    ({"sigma": "inf"}, "not a finite number"),
    ({"x": "1,2,abc"}, "observation 3 is not a number"),
    ({"mu": "abc"}, "mu is not a number"),
    ({"family": ""}, "unknown family ''"),
    ({"mu": ""}, "mu is not a number"),
    ({"family": "poisson", "rate": ""}, "rate is not a number"),
    ({"x": "1e308"}, "±10¹⁵⁰"),
    ({"x": "-1e308,1"}, "±10¹⁵⁰"),
    ({"family": "exponential", "x": "3,-1"}, "positive numbers"),
    ({"family": "poisson", "x": "2.5"}, "non-negative integers"),
    ({"family": "bernoulli", "x": "0,2"}, "0 or 1"),
    ({"family": "binomial", "n_trials": "4", "x": "5"}, "m = 4"),
    # More trials than the trials box offers (ln C(m, x) loses digits at 10¹² trials).
    ({"family": "binomial", "n_trials": "1000000000000", "x": "3"}, "at most 100,000"),
    ({"family": "gaussian", "sigma": "0"}, "outside its range"),
    ({"family": "bernoulli", "p": "1.5"}, "outside its range"),
    ({"x": "1" * 100_000}, "too long"),
    ({"x": "1" * 4_301}, "observation 1 is not a finite number ('11111111111111111111'…)"),
    ({"x": "2,1_0"}, "observation 2 is not a number ('1_0')"),
    ({"mu": "1_000"}, "mu is not a number ('1_000')"),
    ({"theme": "dark", "x": "1", "pad": "9" * 100_000}, "too long"),
    ({"family": "<img src=x onerror=alert(1)>"}, "unknown family"),
]


@pytest.mark.parametrize(("query", "message"), BAD_LINKS, ids=lambda v: str(v)[:40] if isinstance(v, dict) else None)
def test_a_bad_link_opens_the_default_view_with_a_notice(query, message):
    explorer = explorer_with("gaussian")
    default = shown(explorer.state)
    explorer.share.restore(query)
    assert_refused(explorer, default, "could not be opened", message)


def test_html_in_a_link_is_shown_as_text_not_run():
    explorer = MLEExplorer()
    explorer.share.restore({"family": '<img src=x onerror="alert(1)">'})
    hint = explorer.controls._hint.object
    assert "<img" not in hint
    assert "&lt;img src=x onerror=&quot;" in hint  # its first 20 characters, quoted as text


@pytest.mark.parametrize(
    ("query", "family", "n"),
    [
        ({"x": "1e-308"}, "gaussian", 1),
        ({"family": "exponential", "x": "1e-308"}, "exponential", 1),
        ({"family": "exponential", "x": "5e-324"}, "exponential", 1),
        ({"mu": "1e308", "x": "1"}, "gaussian", 1),
        ({"sigma": "1e308"}, "gaussian", 0),
        ({"family": "poisson", "rate": "1e308", "x": "1"}, "poisson", 1),
        ({"family": "poisson", "x": "1000000000"}, "poisson", 1),
        ({"family": "binomial", "n_trials": "100000", "x": "3"}, "binomial", 1),
        ({"x": "5"}, "gaussian", 1),
        ({"x": "5,5,5"}, "gaussian", 3),
        ({"x": ""}, "gaussian", 0),
    ],
    ids=lambda v: str(v)[:40] if isinstance(v, dict) else None,
)
def test_an_extreme_but_valid_link_opens_it(query, family, n):
    # σ = 1e308 or λ = 1e308 used to overflow the slider's range (OverflowError, half a state published).
    explorer = explorer_with("gaussian")
    explorer.share.restore(query)
    state = explorer.state
    assert (state.family, state.n, state.notice) == (family, n, "Opened the view from the link.")
    for name in set(query) & set(state.theta):
        assert state.theta[name] == float(query[name])
    assert_consistent(state)
    if n:
        explorer.controls.optimize_button.clicks += 1
        assert_consistent(state)


def test_every_link_the_app_makes_opens():
    # 1,000 observations of 20-odd characters each made a link longer than the app reads back.
    teacher = ExplorerState()
    teacher.set_observations(np.random.default_rng(0).normal(0, 1e-5, 1000))
    query = share_query(teacher)
    assert sum(len(k) + len(v) for k, v in query.items()) <= MAX_QUERY_CHARS
    assert "x" not in query  # too long for a link: the notice says to download them instead
    assert parse_share_query(query) is not None
    student = MLEExplorer()
    student.state.set_observations(teacher.observations)
    student.share.button.clicks += 1
    assert "download them as CSV" in student.state.notice
    student.share.restore(share_query(student.state))
    assert "could not be opened" not in student.state.notice


# --- uploaded files ------------------------------------------------------------------------------------------
BAD_FILES = [
    ("text", b"hello\nworld\n", "row 2 ('world') is not a number"),
    ("nan", b"x\n1\nnan\n", "row 3 ('nan') is not a finite number"),
    ("inf", b"1\n-inf\n", "row 2 ('-inf') is not a finite number"),
    ("empty", b"", "holds no numbers"),
    ("blank", b"\n \n\n", "holds no numbers"),
    ("header only", b"x\n", "holds no numbers"),
    ("1e308", b"1\n1e308\n", "observations must lie within ±10¹⁵⁰: row 2 (1 × 10³⁰⁸)"),  # its row, not an index
    ("1e308 alone", b"1e308\n", "observations must lie within ±10¹⁵⁰: row 1 (1 × 10³⁰⁸)"),
    ("underscore", b"x\n1\n1_0\n", "row 3 ('1_0') is not a number"),
    ("binary", bytes(range(256)), "not text (UTF-8 or Windows-1252)"),
    ("UTF-16", "1\n2\n".encode("utf-16"), "not text (UTF-8 or Windows-1252)"),
    ("two columns", b"1,2\n3,4\n", "more than one value"),
    ("10**6 + 1 values", b"1\n" * (1_000_001), "more than 1,000,000 numbers"),
    ("10**7 values", b"1\n" * 10_000_000, "more than 1,000,000 numbers"),  # exactly 20 MB: read, then refused
    ("10**7 values, 40 MB", b"1.0\n" * 10_000_000, f"larger than {MAX_FILE_MB} MB"),
    ("50 MB", b"1" * 50_000_000, f"larger than {MAX_FILE_MB} MB"),
    ("50 MB of text", "1\n" * 25_000_000, f"larger than {MAX_FILE_MB} MB"),  # a text/* upload arrives decoded
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_refused_and_nothing_changes(name, content, message):
    explorer = explorer_with("gaussian")
    before = shown(explorer.state)
    assert explorer.files.load_file(f"{name}.csv", content) is False
    assert_refused(explorer, before, f"Nothing loaded from {name}.csv", message, "unchanged")


@pytest.mark.parametrize(
    ("family", "content", "message"),
    [
        ("exponential", b"3\n-1\n", "row 2 (−1)"),
        ("weibull", b"0\n", "row 1 (0)"),
        ("poisson", b"1e-308\n", "row 1 (1 × 10⁻³⁰⁸)"),
        ("bernoulli", b"0\n1\n0.5\n", "row 3 (0.5)"),
        ("binomial", b"x\n3\n11\n", "row 3 (11)"),
    ],
)
def test_a_file_outside_the_family_s_support_names_the_rows(family, content, message):
    explorer = explorer_with(family)
    before = shown(explorer.state)
    assert explorer.files.load_file("data.csv", content) is False
    assert_refused(explorer, before, message)


@pytest.mark.parametrize(
    ("family", "content", "values"),
    [
        ("gaussian", b"3.5\n", [3.5]),
        ("gaussian", b"2\n2\n2\n", [2.0, 2.0, 2.0]),
        ("gaussian", b"1e-308\n", [1e-308]),
        ("exponential", b"1e-308\n", [1e-308]),
        ("weibull", b"4\n4\n", [4.0, 4.0]),
        ("gaussian", b"1e150\n-1e150\n", [1e150, -1e150]),
    ],
)
def test_a_single_equal_or_extreme_file_loads(family, content, values):
    explorer = explorer_with(family)
    assert explorer.files.load_file("data.csv", content) is True
    assert explorer.state.observations.tolist() == values
    assert explorer.state.notice.startswith(f"Loaded {len(values)} observation{'' if len(values) == 1 else 's'} ")
    explorer.controls.optimize_button.clicks += 1
    assert_consistent(explorer.state)


class _Upload:
    """A FileDropper upload event, as Panel receives it from the browser."""

    event_name = "upload_event"

    def __init__(self, name: str, chunk: int, total: int, data):
        self.data = {"name": name, "chunk": chunk, "total_chunks": total, "data": data, "type": "text/csv"}


def test_the_file_dropper_sends_small_pieces_and_refuses_large_files():
    files = DataFiles(state=ExplorerState())
    assert isinstance(files.upload, SizeLimitedFileDropper)
    assert files.upload.chunk_size == UPLOAD_CHUNK_BYTES  # one websocket message each (mle_explorer.cli's limit)
    assert files.upload.max_file_size == f"{MAX_FILE_MB}MB"  # the browser refuses more before sending


def test_a_client_that_sends_a_50_mb_file_anyway_is_cut_off():
    files = DataFiles(state=ExplorerState())
    before = shown(files.state)
    piece, total = b"1\n" * (UPLOAD_CHUNK_BYTES // 2), 50
    kept = []
    for chunk in range(1, total + 1):
        files.upload._process_event(_Upload("big.csv", chunk, total, piece))
        kept.append(sum(len(p) for p in files.upload._file_buffer.get("big.csv", [])))
    assert max(kept) <= MAX_FILE_MB * 1_000_000  # never more than the limit held in memory
    assert files.upload._file_buffer == {}
    assert files.upload.value == {}
    assert shown(files.state) == before
    assert files.state.notice == (
        f"Nothing loaded from big.csv: the file is larger than {MAX_FILE_MB} MB. The observations are unchanged."
    )
    files.upload._process_event(_Upload("odd.csv", 3, 5, piece))  # a piece of no file begun: ignored
    files.upload._process_event(_Upload("odd.csv", 1, 1, 12345))  # not a piece of a file: ignored
    assert files.upload._file_buffer == {}
    assert shown(files.state) == before
    for chunk, text in enumerate([b"x\n1.5\n", b"2.5\n", b"3.5\n"], start=1):  # a good file in pieces still loads
        files.upload._process_event(_Upload("good.csv", chunk, 3, text))
    assert files.state.observations.tolist() == [1.5, 2.5, 3.5]


def test_each_file_dropped_is_the_one_loaded_and_none_is_kept():
    # Panel keeps every file dropped in the widget's value: the first one used to be loaded again for each
    # later drop, and every upload stayed in the session's memory.
    files = DataFiles(state=ExplorerState())
    for name, text, notice in [
        ("bad.csv", b"1\nabc\n", "Nothing loaded from bad.csv"),
        ("good.csv", b"4\n5\n", "Loaded 2 observations from good.csv"),
        ("bad.csv", b"6\n", "Loaded 1 observation from bad.csv"),
    ]:
        files.upload._process_event(_Upload(name, 1, 1, text))
        assert files.state.notice.startswith(notice)
        assert files.upload.value == {}
    assert files.state.observations.tolist() == [6.0]


# --- pasted or typed text ---------------------------------------------------------------------------------
BAD_TEXT = [
    ("nan", "not a finite number"),
    ("1, inf", "entry 2 ('inf') is not a finite number"),
    ("-inf", "not a finite number"),
    ("abc", "entry 1 ('abc') is not a number"),
    ("1.5, abc, 2", "entry 2 ('abc') is not a number"),
    ("", "no numbers found"),
    ("  ,; ", "no numbers found"),
    ("1e308", "±10¹⁵⁰"),
    ("2, -1e308", "±10¹⁵⁰"),
    ("0x10", "is not a number"),
    ("∞", "is not a number"),
    ("<img src=x onerror=alert(1)>", "is not a number"),
    ("2, 1_0", "entry 2 ('1_0') is not a number"),  # Python's float() reads it as 10: a typo, not ten
    ("1" * 400, "entry 1 ('11111111111111111111'…) is not a finite number"),  # quoted, not echoed
]


@pytest.mark.parametrize("family", ["gaussian", "exponential", "poisson"])
@pytest.mark.parametrize(("text", "message"), BAD_TEXT, ids=[case[0][:20] or "empty" for case in BAD_TEXT])
def test_bad_typed_text_is_named_and_nothing_is_added(family, text, message):
    explorer = explorer_with(family)
    before = shown(explorer.state)
    explorer.controls.entry.value_input = text
    explorer.controls.add_button.clicks += 1
    assert_refused(explorer, before, "Nothing added", message)
    assert explorer.controls.entry.value_input == text  # kept, to be corrected


@pytest.mark.parametrize(("family", "text"), [("exponential", "-1"), ("weibull", "0"), ("poisson", "1e-308")])
def test_typed_values_outside_the_support_are_refused(family, text):
    explorer = explorer_with(family)
    before = shown(explorer.state)
    explorer.controls.entry.value_input = text
    explorer.controls.entry.param.trigger("enter_pressed")
    assert_refused(explorer, before, "Nothing added", mle_core.get_family(family).support)


def test_with_no_observations_the_reason_nothing_was_added_is_still_shown():
    # The hint used to show only "Optimize needs at least one observation", hiding the notice.
    explorer = explorer_with("gaussian", [])
    explorer.controls.entry.value_input = "abc"
    explorer.controls.add_button.clicks += 1
    assert "entry 1 (&#x27;abc&#x27;) is not a number" in explorer.controls._hint.object
    assert "Optimize needs at least one observation" in explorer.controls._hint.object


def test_with_no_observations_the_messages_name_the_typing_box_not_only_the_plot():
    # "Click on the plot" was the only way they named, and a keyboard user cannot click.
    explorer = explorer_with("gaussian", [])
    box = "“" + explorer.controls.entry.name.split(" (")[0] + "” box"  # as the box's label names it
    assert box == "“Type or paste values” box"
    explorer.state.clear()
    explorer.state.optimize()
    for text in (explorer.state.notice, explorer.controls._hint.object, explorer.readout.text):
        assert "click on the plot" in text.lower(), text
        assert box in text, text


def test_ten_million_typed_values_are_over_the_box_s_limit():
    explorer = explorer_with("gaussian")
    before = shown(explorer.state)
    explorer.controls.entry.value_input = "1 " * 10_000_000
    explorer.controls.add_button.clicks += 1
    assert_refused(explorer, before, "Nothing added", f"{TYPED_TEXT_LIMIT:,}-character limit")


@pytest.mark.parametrize(
    ("family", "text", "added"),
    [
        ("gaussian", "1e-308", [1e-308]),
        ("exponential", "1e-308 1e-308", [1e-308, 1e-308]),
        ("weibull", "1e-308", [1e-308]),
        ("gaussian", "4", [4.0]),
        ("gaussian", "7 7 7 7", [7.0] * 4),
        ("gaussian", "1e150, -1e150", [1e150, -1e150]),
        ("poisson", "1000000000", [1e9]),
    ],
)
def test_single_equal_and_extreme_typed_values_are_added(family, text, added):
    # 1e150 used to put the density curve's grid past ±1e150 (a ValueError after the state had changed);
    # 1e-308 under the exponential overflowed the rate slider's range; a count of 1e9 listed every count.
    explorer = explorer_with(family, [])
    explorer.controls.entry.value_input = text
    explorer.controls.add_button.clicks += 1
    assert explorer.state.observations.tolist() == added
    assert explorer.state.notice.startswith("Added")
    explorer.controls.optimize_button.clicks += 1
    assert_consistent(explorer.state)


# --- drags (the PointDrawTool's edits arrive as a new ``data`` of the observations' source) -------------
def browser_edit(explorer: MLEExplorer, **columns) -> None:
    source = explorer.plot._observations
    data = {name: list(values) for name, values in source.data.items()}
    data.update(columns)
    source.data = data


@pytest.mark.parametrize("x", [*NON_FINITE, 1e308, -1e151])
@pytest.mark.parametrize("family", ["gaussian", "exponential", "poisson"])
def test_a_drag_to_no_real_place_is_refused_and_the_point_put_back(family, x):
    explorer = explorer_with(family)
    before = shown(explorer.state)
    shown_x = list(explorer.plot._observations.data["x"])
    browser_edit(explorer, x=[x, *shown_x[1:]])
    assert_refused(explorer, before, "Not moved")
    assert list(explorer.plot._observations.data["x"]) == shown_x


@pytest.mark.parametrize(("family", "x"), [("exponential", -5.0), ("weibull", 0.0), ("exponential", -1e-308)])
def test_a_drag_outside_a_positive_support_is_refused_and_the_point_put_back(family, x):
    explorer = explorer_with(family)
    before = shown(explorer.state)
    browser_edit(explorer, x=[x, *VALID[family][1:]])
    assert_refused(explorer, before, "Not moved", "positive")
    assert list(explorer.plot._observations.data["x"]) == VALID[family]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"x": ["a", 1.9, 2.5, 2.8, 1.7]}, "not numbers"),
        ({"x": [None, 1.9, 2.5, 2.8, 1.7]}, "Not moved"),  # None reads as NaN
        ({"y": [[0], [0], [0], [0], [0]]}, "not numbers"),
        ({"x": [2.3, 1.9, 2.5, 2.8, 1.7, 9.0], "y": [0.0] * 6}, "added by clicking"),
        ({"x": [2.3, 9.9, 2.8, 1.7], "y": [0.0] * 4}, "also changed other observations"),
        ({"x": [2.3, 1.9, 2.5, 3.6, 1.7], "y": [0.0] * 3}, "not numbers"),
    ],
    ids=["text", "None", "nested", "extra row", "delete and change", "short column"],
)
@pytest.mark.filterwarnings("ignore:ColumnDataSource's columns must be of the same length")
def test_a_malformed_edit_from_the_browser_is_refused_and_the_points_put_back(columns, message):
    explorer = explorer_with("gaussian")
    before = shown(explorer.state)
    browser_edit(explorer, **columns)
    assert_refused(explorer, before, message)
    assert list(explorer.plot._observations.data["x"]) == VALID["gaussian"]


def test_a_drag_that_moves_two_points_one_of_them_badly_moves_neither():
    explorer = explorer_with("exponential")
    before = shown(explorer.state)
    browser_edit(explorer, x=[1000.0, -1.0, 950.0])
    assert_refused(explorer, before, "Not moved")


@pytest.mark.parametrize(
    ("family", "x", "reason", "written"),
    [
        (
            "exponential",
            [1.0, 2.0, -0.5, 4.0, 5.0],
            "the Exponential (waiting times) family needs positive numbers",
            "−0.5",
        ),
        ("gaussian", [1.0, 2.0, math.nan, 4.0, 5.0], "observations must be finite numbers", "nan"),
        ("gaussian", [1.0, 2.0, 1e151, 4.0, 5.0], "observations must lie within ±10¹⁵⁰", "1 × 10¹⁵¹"),
    ],
)
def test_a_refused_drag_names_the_observation_by_its_number_not_an_index_into_the_moved_ones(
    family, x, reason, written
):
    # The moved points were checked as a list of their own, so every refusal said "at index 0". The value is
    # written as the app writes numbers (app.numbers), what was sent for one that is not a number.
    explorer = explorer_with(family, [1.0, 2.0, 3.0, 4.0, 5.0])
    browser_edit(explorer, x=x)
    assert explorer.state.notice == f"Not moved: {reason}; observation 3 would be {written}."
    assert explorer.state.observations.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_refused_drag_shows_where_the_pointer_was_to_four_figures_and_a_count_exactly():
    # The pointer's position read "-0.04999959528659876"; four figures say it ("-0.05").
    explorer = explorer_with("exponential", [1.0, 2.0, 3.0])
    browser_edit(explorer, x=[1.0, -0.04999959528659876, 3.0])
    assert explorer.state.notice.endswith("; observation 2 would be −0.05.")
    explorer = explorer_with("poisson", [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"; observation 1 would be 1000000001$"):  # not "1e+09", the bound
        explorer.state.move_observation(0, 1_000_000_001.0)


def test_a_drag_that_moves_two_points_names_the_one_refused():
    explorer = explorer_with("exponential", [1.0, 2.0, 3.0])
    browser_edit(explorer, x=[1000.0, 2.0, -1.0])
    assert explorer.state.notice.endswith("; observation 3 would be −1.")
    assert explorer.state.observations.tolist() == [1.0, 2.0, 3.0]


def test_moving_an_observation_by_hand_names_it_by_its_number():
    state = explorer_with("poisson", [1.0, 2.0, 3.0]).state
    with pytest.raises(ValueError, match=r"^the Poisson \(counts\) family needs .*; observation 2 would be 2.5$"):
        state.move_observation(1, 2.5)
    with pytest.raises(ValueError, match=r"^observations are numbers, and 'two' is not one$"):
        state.move_observation(1, "two")
    with pytest.raises(ValueError, match=r"^observations are numbers, and '10000000000000000000'… is not one$"):
        state.move_observation(1, 10**400)  # float() raises OverflowError for it
    assert state.observations.tolist() == [1.0, 2.0, 3.0]


def test_a_real_drag_and_a_real_delete_still_work():
    explorer = explorer_with("gaussian")
    browser_edit(explorer, x=[2.3, 3.6, 2.5, 2.8, 1.7], y=[0.0, 0.4, 0.0, 0.0, 0.0])
    assert explorer.state.observations.tolist() == [2.3, 3.6, 2.5, 2.8, 1.7]
    source = explorer.plot._observations
    source.data = {name: np.delete(np.asarray(values), [0]) for name, values in source.data.items()}
    assert explorer.state.observations.tolist() == [3.6, 2.5, 2.8, 1.7]


# --- family switches --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "family", "message"),
    [
        ([-1.0, 2.5], "poisson", "non-negative integers"),
        ([0.0, 3.0], "exponential", "positive numbers"),
        ([2.0, 3.0], "bernoulli", "0 or 1"),
        ([-1e150, 1e-308], "weibull", "positive numbers"),
    ],
)
def test_a_switch_the_data_do_not_allow_is_refused_through_the_selector(data, family, message):
    explorer = explorer_with("gaussian", data)
    before = shown(explorer.state)
    explorer.controls.family_select.value = family
    assert_refused(explorer, before, message, "Nothing was changed")
    assert explorer.controls.family_select.value == "gaussian"  # the selector goes back
    explorer.controls.keep_button.clicks += 1
    assert shown(explorer.state) == before


@pytest.mark.parametrize("data", [[5.0], [3.0, 3.0, 3.0], [1e-308], [1e-308, 1.0], [1e150, 1.0], [5e-324]], ids=repr)
@pytest.mark.parametrize("family", ["weibull", "exponential"])
def test_a_switch_with_degenerate_or_extreme_data_works(family, data):
    explorer = explorer_with("gaussian", data)
    explorer.controls.family_select.value = family
    assert explorer.state.family == family
    assert explorer.state.observations.tolist() == data
    assert_consistent(explorer.state)
    explorer.controls.optimize_button.clicks += 1
    assert_consistent(explorer.state)


def test_a_switch_to_a_family_whose_optimizer_cannot_be_loaded_changes_nothing(monkeypatch):
    import mle_explorer.pyodide_support

    async def unavailable(name, module=None):
        raise ModuleNotFoundError(f"No module named {module!r}")

    monkeypatch.setattr(mle_explorer.pyodide_support, "package_available", lambda module: False)
    monkeypatch.setattr(mle_explorer.pyodide_support, "ensure_package", unavailable)
    explorer = explorer_with("exponential")
    before = shown(explorer.state)
    explorer.controls.family_select.value = "weibull"
    assert_refused(explorer, before, "could not be loaded", "pip install scipy")
