"""How sure is the estimate? Standard errors, Wald and profile intervals, three tests, and a repeated experiment.

Everything here depends on the data only, not on where the sliders are (the repeated experiment
takes the sliders as its truth when the button is pressed), so it is computed when the data
change while its tab is open, after the student's own update has gone out (``run_soon``), and
drawn on the slices through ``LandscapeOverlays``.
"""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, Range1d, Span, Title
from bokeh.plotting import figure

import mle_core
from mle_core import inference

from .assets import stylesheet
from .controls import held
from .numbers import format_axes, number, parameter
from .overlays import (
    MAX_PARAMETERS,
    IntervalPair,
    LandscapeOverlays,
    LazyView,
    escape,
    finite_mle,
    plural,
    run_soon,
    waiting_for,
)
from .presentation import presentation
from .requirements import missing_modules, run_when_loaded
from .theme import palette, requested_theme
from .widgets import Formulas, GuardedIntInput

#: A row's boxes and buttons go on the next line where a phone has no room for them side by side.
_WRAP = {"flex-wrap": "wrap"}
#: Points of each profile curve drawn on the slices (fewer where each point is a costly maximisation).
PROFILE_POINTS = 80
COSTLY_PROFILE_POINTS = 25
#: The repeated experiment draws at most this many values in all (repeats × n): about a second.
MAX_DRAWS = 20_000_000
#: …and fits at most this many samples one by one for families without a vectorised fit.
MAX_DRAWS_ONE_BY_ONE = 2_000_000
HISTOGRAM_BINS = 40

#: The classes of the tables and hints (each pane renders in its own shadow root: the sheets go to each pane).
_STYLESHEETS = (stylesheet("hints.css"), stylesheet("uncertainty.css"))

INTERVALS_TEXT = r"""
**Standard errors and 95 % intervals.** The sharper the peak, the surer the estimate. The **observed
information** I(θ̂) is the peak's curvature; SE = √[I(θ̂)⁻¹]ⱼⱼ. The **Wald** interval θ̂ ± 1.96 SE assumes ℓ is
a parabola (the dotted blue curve and the blue band on the slices). The **profile** interval takes the real
curve: every θⱼ at which the profile ℓ_p (the dashed orange curve: ℓ with the other parameters re-optimised)
is at most 1.92 below ℓ̂ (the dotted orange line; the orange bar marks the interval).
"""
INTERVALS_FORMULA = (
    r"$\mathrm{SE}_j=\sqrt{[I(\hat\theta)^{-1}]_{jj}}\qquad \hat\theta_j\pm1.96\,\mathrm{SE}_j"
    r"\qquad\{\theta_j:\ \hat\ell-\ell_p(\theta_j)\le 1.92\}$"
)
TESTS_TEXT = r"""
**Tests of a value you choose.** Type a null value θ₀ for a parameter: is it compatible with the data?
Each statistic is compared with a χ² distribution with 1 degree of freedom; a small p-value says the data
would be surprising if θ₀ were true. Likelihood ratio: how far ℓ drops; Wald: how many SEs away θ̂ is;
score: how steep ℓ still is at θ₀ (with the other parameters re-optimised).
"""
TESTS_FORMULA = (
    r"$\mathrm{LR}=2[\hat\ell-\ell_p(\theta_0)]\qquad W=\frac{(\hat\theta-\theta_0)^2}{\mathrm{SE}^2}"
    r"\qquad S=\frac{U(\tilde\theta)^2}{I(\tilde\theta)}$"
)
SIGMA_TEXT = r"""
**σ̂ versus s.** The MLE σ̂ divides the sum of squares by n; the usual sample standard deviation s divides by
n − 1. With few points the difference is large, and σ̂ is on average too small.
"""
REPEAT_TEXT = r"""
**Repeat the experiment.** Treat the sliders' values as the truth, draw many new samples of the same size
n, and estimate each by maximum likelihood. The histograms show how much the estimate varies from sample to
sample (its real uncertainty), where its average lies (green: the truth, red: the average), and so whether
it is biased.
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th>{cell}</th>" for cell in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="mle-estimates"><tr>{header}</tr>{body}</table>'


#: What the tab says while the answer is hidden (``ExplorerState.answer_shown``): all of it is about θ̂.
HIDDEN_TEXT = (
    "The intervals, the tests and σ̂ are about the estimate θ̂, which is hidden until you have tried: move the "
    "sliders to make ℓ as large as you can, then press Optimize (or “Show the best fit”)."
)


def _interval_text(interval: inference.Interval | None, step: float) -> str:
    if interval is None or not (math.isfinite(interval.lower) and math.isfinite(interval.upper)):
        return "—"
    return f"[{parameter(interval.lower, step)}, {parameter(interval.upper, step)}]"


def _p_value(p: float) -> str:
    if not math.isfinite(p):
        return "—"
    if p < 1e-16:
        return "< 10⁻¹⁶"
    return number(p, 3)


class HowSure(LazyView):
    """Standard errors, Wald and profile 95 % intervals, LR / Wald / score tests, σ̂ vs s, and a repeated experiment."""

    overlays = param.ClassSelector(class_=LandscapeOverlays, doc="Where the intervals and profiles are drawn.")
    repeats = param.Integer(default=1_000, bounds=(10, 100_000), doc="How many samples the repeated experiment draws.")

    def __init__(self, **params):
        params.setdefault("overlays", LandscapeOverlays())
        params.setdefault("active", False)
        super().__init__(**params)
        self.rng = np.random.default_rng()
        self.intervals: dict[str, IntervalPair] = {}
        self.tests: dict[str, list[inference.HypothesisTestResult]] = {}
        self.estimates: np.ndarray | None = None
        self._generation = 0
        self._family_shown = None
        self._intervals = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=list(_STYLESHEETS))
        self._tests = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=list(_STYLESHEETS))
        self._sigma = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=list(_STYLESHEETS))
        self._sigma_box = pn.Column(
            pn.pane.Markdown(SIGMA_TEXT, sizing_mode="stretch_width", margin=(0, 10)),
            self._sigma,
            sizing_mode="stretch_width",
        )
        self.null_inputs = [pn.widgets.FloatInput(label="", value=None, width=170) for _ in range(MAX_PARAMETERS)]
        for widget in self.null_inputs:
            widget.param.watch(held(self._on_null), ["value"])
        self.repeats_input = GuardedIntInput.from_param(
            self.param.repeats, label="Samples to draw", width=160, step=100
        )
        self.repeats_input.param.watch(self._on_refusal, "refusal")
        self.repeat_button = pn.widgets.Button(
            label="Repeat the experiment",
            color="success",
            description="Draw many samples of size n from the sliders' values and estimate each",
        )
        self.repeat_button.on_click(held(lambda _: self.repeat_experiment()))
        self._repeat_summary = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=list(_STYLESHEETS))
        self.histograms = [_Histogram(slot) for slot in range(MAX_PARAMETERS)]
        self._layout = pn.Column(
            pn.pane.Markdown(INTERVALS_TEXT, sizing_mode="stretch_width", margin=(0, 10)),
            Formulas(INTERVALS_FORMULA, margin=(0, 10)),
            self._intervals,
            pn.pane.Markdown(TESTS_TEXT, sizing_mode="stretch_width", margin=(0, 10)),
            Formulas(TESTS_FORMULA, margin=(0, 10)),
            pn.Row(*self.null_inputs, styles=_WRAP),
            self._tests,
            self._sigma_box,
            pn.pane.Markdown(REPEAT_TEXT, sizing_mode="stretch_width", margin=(0, 10)),
            pn.Row(self.repeats_input, pn.Column(self.repeat_button, align="end"), styles=_WRAP),
            self._repeat_summary,
            # Side by side where they fit, one under the other in a narrow window. A Row that wraps, not a FlexBox:
            # in a FlexBox BokehJS laid the figures out again and again and the page stopped answering.
            pn.Row(*(h.pane for h in self.histograms), sizing_mode="stretch_width", styles=_WRAP),
            sizing_mode="stretch_width",
        )
        self._sync_family()
        self.draw_when_shown()

    def __panel__(self):
        return self._layout

    @property
    def text(self) -> str:
        """Everything the tab shows as text (for tests and for reading)."""
        return "\n".join(
            pane.object for pane in (self._intervals, self._tests, self._sigma, self._repeat_summary) if pane.object
        )

    # --- reacting to the state ------------------------------------------------------------------
    #: Shown or hidden, the answer changes what the tab may show (all of it is about θ̂).
    follows = (*LazyView.follows, "answer_shown")

    def _on_state(self, *events):
        if all(event.name in ("theta_changed", "true_parameters") for event in events):
            return  # nothing here depends on the sliders
        self._generation += 1
        self.intervals, self.tests = {}, {}
        self.overlays.param.update(intervals={}, profiles={}, peak=None)
        self._sync_family()
        self.draw_when_shown()

    def _sync_family(self) -> None:
        """Label one null-value box per parameter of the family (new defaults on a family change)."""
        family = self.state.family_spec
        new_family = family.name != self._family_shown
        self._family_shown = family.name
        if new_family:
            self.estimates = None
            self._repeat_summary.object = ""
        for slot, widget in enumerate(self.null_inputs):
            if slot >= len(family.parameters):
                widget.visible = False
                continue
            p = family.parameters[slot]
            widget.visible = True
            widget.label = f"Null value θ₀ of {p.symbol} ({p.name})"
            if new_family:
                # No start/end: the browser's box would drop a value beyond them without a word while
                # showing it; here every value arrives and the tests say why one outside the range fails.
                widget.value = float(p.default)
        self._sigma_box.visible = presentation(family.name).normal_location_scale is not None
        for slot, histogram in enumerate(self.histograms):
            histogram.shown = slot < len(family.parameters) and self.estimates is not None

    def update_theta(self) -> None:
        pass

    def refresh(self) -> None:
        """Recompute the intervals, tests and σ estimates after the current update has gone out."""
        generation = self._generation
        self._intervals.object = "<div>Computing…</div>"

        def compute():
            if generation == self._generation:
                self._compute()

        run_soon(compute)

    def _compute(self) -> None:
        state = self.state
        waiting = waiting_for(state)
        if waiting:
            self._intervals.object = f"<div class='mle-hint'>{escape(waiting)}</div>"
            self._tests.object = ""
            return
        estimate, why = finite_mle(state)
        if estimate is not None and not state.answer_shown:
            self._intervals.object = f"<div class='mle-hint'>{escape(HIDDEN_TEXT)}</div>"
            self._tests.object = self._sigma.object = ""
            return
        self._compute_sigma()
        if estimate is None:
            self._intervals.object = f"<div class='mle-hint'>{escape(why)} Without one there is no interval.</div>"
            self._tests.object = ""
            return
        family = state.family_spec
        intervals, profiles, notes = {}, {}, []
        for p in family.parameters:
            wald = profile = None
            try:
                wald = inference.wald_interval(state.family, state.statistics, p.name, **state.constants)
            except (ValueError, np.linalg.LinAlgError) as error:
                notes.append(f"{p.symbol}: no Wald interval ({error}).")
            try:
                profile = inference.profile_interval(state.family, state.statistics, p.name, **state.constants)
            except (ValueError, np.linalg.LinAlgError) as error:
                notes.append(f"{p.symbol}: no profile interval ({error}).")
            intervals[p.name] = IntervalPair(wald, profile)
            profiles[p.name] = self._profile_curve(p)
        self.intervals = intervals
        self._show_intervals(notes)
        self.overlays.param.update(intervals=intervals, profiles=profiles, peak=float(state.mle.log_likelihood))
        self._compute_tests()

    def _profile_curve(self, p: mle_core.Parameter):
        state = self.state
        start, end = state.model.param[p.name].bounds
        # Without a closed-form profile every point is a maximisation over the other parameters.
        family = state.family_spec
        costly = len(family.parameters) > 1 and family.profile is None
        values = np.linspace(start, end, COSTLY_PROFILE_POINTS if costly else PROFILE_POINTS)
        try:
            with np.errstate(all="ignore"):
                curve = inference.profile_log_likelihood(
                    state.family, state.statistics, p.name, values, **state.constants
                )
        except (ValueError, NotImplementedError):
            return None
        return values, curve

    def _show_intervals(self, notes: list[str]) -> None:
        family = self.state.family_spec
        rows = []
        for p in family.parameters:
            pair = self.intervals[p.name]
            estimate = self.state.mle.params[p.name]
            step = self.state.model.param[p.name].step
            se = pair.wald.standard_error if pair.wald is not None else math.nan
            rows.append(
                [
                    f"{p.symbol} ({p.name})",
                    parameter(estimate, step),
                    number(se),
                    _interval_text(pair.wald, step),
                    _interval_text(pair.profile, step),
                ]
            )
            for interval in (pair.wald, pair.profile):
                if interval is not None and interval.message:
                    method = "Wald" if interval.method == "wald" else "profile"
                    notes.append(f"{p.symbol}, {method}: {interval.message}.")
            wald, profile = pair.wald, pair.profile
            if wald is not None and wald.leaves_parameter_space and profile is not None:
                notes.append(
                    f"The Wald interval for {p.symbol} reaches {parameter(wald.lower, step)}, outside the values "
                    f"{p.symbol} can take {p.interval}; the profile interval, from the likelihood itself, stays inside "
                    f"and is lopsided: {number(estimate - profile.lower)} below {p.symbol}̂, "
                    f"{number(profile.upper - estimate)} above."
                )
        table = _table(["parameter", "estimate", "standard error", "Wald 95 %", "profile 95 %"], rows)
        extra = "".join(f"<div class='mle-hint'>{escape(note)}</div>" for note in notes)
        self._intervals.object = f"<div>n = {plural(self.state.n, 'observation')}</div>{table}{extra}"

    def _compute_sigma(self) -> None:
        state = self.state
        if presentation(state.family).normal_location_scale is None:
            self._sigma.object = ""
            return
        if state.n < 2:
            self._sigma.object = "<div class='mle-hint'>Comparing σ̂ and s needs at least two observations.</div>"
            return
        estimates = inference.sigma_estimates(state.statistics)
        n = estimates.n
        expected = inference.expected_sigma_hat(1.0, n)
        # Written as the σ slider writes a value, so that σ̂ reads here as in the readout.
        step = state.model.param[presentation(state.family).normal_location_scale[1]].step
        rows = [
            ["σ̂ = √(S/n) (the MLE)", parameter(estimates.mle, step)],
            ["s = √(S/(n − 1)) (sample standard deviation)", parameter(estimates.sample_sd, step)],
            ["s / c₄ (unbiased for σ)", parameter(estimates.unbiased, step)],
        ]
        self._sigma.object = _table(["estimate of σ", "value"], rows) + (
            f"<div>S = Σ(xᵢ − x̄)², n = {n:,}. s/σ̂ = √(n/(n − 1)) = {number(math.sqrt(n / (n - 1)))}. "
            f"For samples of this size σ̂ is on average {100 * expected:.1f} % of the true σ.</div>"
        )

    # --- tests ----------------------------------------------------------------------------------
    def _on_refusal(self, event):
        self._repeat_summary.object = f"<div class='mle-hint'>{escape(event.new)}</div>"

    def _on_null(self, *_):
        if self.active and self.intervals:
            self._compute_tests()

    def _compute_tests(self) -> None:
        state = self.state
        rows, notes = [], []
        self.tests = {}
        for p, widget in zip(state.family_spec.parameters, self.null_inputs, strict=False):
            value = widget.value
            if value is None:
                continue
            results = []
            for test in (inference.likelihood_ratio_test, inference.wald_test, inference.score_test):
                try:
                    result = test(state.family, state.statistics, p.name, value, **state.constants)
                except (ValueError, np.linalg.LinAlgError) as error:
                    notes.append(f"{p.symbol} = {parameter(value, state.model.param[p.name].step)}: {error}.")
                    break
                results.append(result)
                if result.message:
                    notes.append(f"{result.test} test of {p.symbol}: {result.message}.")
                rows.append(
                    [
                        {"likelihood ratio": "likelihood ratio", "wald": "Wald", "score": "score"}[result.test],
                        f"{p.symbol} = {parameter(value, state.model.param[p.name].step)}",
                        number(result.statistic),
                        str(result.df),
                        _p_value(result.p_value),
                    ]
                )
            self.tests[p.name] = results
        if not rows and not notes:
            self._tests.object = "<div>Type a null value above to test it.</div>"
            return
        extra = "".join(f"<div class='mle-hint'>{escape(note)}</div>" for note in notes)
        table = _table(["test", "null hypothesis H₀", "statistic", "df", "p-value"], rows) if rows else ""
        self._tests.object = table + extra

    # --- the repeated experiment ------------------------------------------------------------------
    def repeat_experiment(self) -> None:
        """Draw ``repeats`` samples of size n at the sliders' values, fit each, and show the estimates' histograms."""
        state = self.state
        n = state.n
        if n == 0:
            self._repeat_summary.object = (
                "<div class='mle-hint'>Add observations first: the experiment repeats n draws.</div>"
            )
            return
        if missing_modules([state.family]):
            self._repeat_summary.object = f"<div class='mle-hint'>{escape(waiting_for(state))}</div>"
            run_when_loaded(state, [state.family], self.repeat_experiment)
            return
        family = state.family_spec
        repeats = int(self.repeats)
        budget = MAX_DRAWS if family.fit_many is not None else MAX_DRAWS_ONE_BY_ONE
        notes = []
        if repeats * n > budget:
            repeats = max(10, budget // n)
            notes.append(f"Only {repeats:,} samples: {self.repeats:,} samples of {n:,} points would take too long.")
        theta = dict(state.theta)
        estimates = inference.sampling_distribution(state.family, theta, n, repeats, rng=self.rng, **state.constants)
        self.estimates = estimates
        lines = [
            f"<div><b>{repeats:,}</b> samples of n = {n:,} drawn from "
            + ", ".join(
                f"{p.symbol} = {parameter(theta[p.name], state.model.param[p.name].step)}" for p in family.parameters
            )
            + " (the sliders' values when you pressed the button).</div>"
        ]
        rows = []
        for j, p in enumerate(family.parameters):
            column = estimates[:, j]
            finite = column[np.isfinite(column)]
            infinite = column.size - finite.size
            histogram = self.histograms[j]
            histogram.shown = True
            histogram.show(p, finite, theta[p.name])
            if finite.size:
                mean, spread = float(finite.mean()), float(finite.std(ddof=1)) if finite.size > 1 else math.nan
                rows.append(
                    [
                        f"{p.symbol}̂",
                        parameter(theta[p.name], state.model.param[p.name].step),
                        parameter(mean, state.model.param[p.name].step),
                        number(mean - theta[p.name]),
                        number(spread),
                    ]
                )
            if infinite:
                notes.append(f"{infinite:,} samples had no finite {p.symbol}̂ (not in the histogram).")
        for slot in range(len(family.parameters), MAX_PARAMETERS):
            self.histograms[slot].shown = False
        lines.append(_table(["estimate", "true value", "average estimate", "bias", "spread (SD)"], rows))
        normal = presentation(state.family).normal_location_scale
        if normal is not None and n > 1:
            location, scale = normal
            names = family.parameter_names
            mu, sigma = estimates[:, names.index(location)], estimates[:, names.index(scale)]
            z = 1.959963984540054
            covered = np.abs(mu - theta[location]) <= z * sigma / math.sqrt(n)
            lines.append(
                f"<div>The Wald 95 % interval μ̂ ± 1.96 σ̂/√n caught the true μ in <b>{100 * covered.mean():.1f} %</b> "
                "of the samples"
                + (
                    ": fewer than 95 %, because with small n σ̂ is too small and the interval too narrow."
                    if n < 30
                    else "."
                )
                + " Expected average σ̂: "
                + parameter(inference.expected_sigma_hat(theta[scale], n), state.model.param[scale].step)
                + ".</div>"
            )
        lines += [f"<div class='mle-hint'>{escape(note)}</div>" for note in notes]
        self._repeat_summary.object = "".join(lines)


class _Histogram:
    """A histogram of one parameter's estimates over the repeated samples, with the truth and their mean marked."""

    def __init__(self, slot: int):
        self.source = ColumnDataSource({"left": [], "right": [], "count": []})
        self.x_range = Range1d(0.0, 1.0)
        fig = figure(
            height=220,
            sizing_mode="stretch_width",
            x_range=self.x_range,
            tools=[],
            toolbar_location=None,
            name=f"repeat-histogram-{slot}",
            y_axis_label="samples",
        )
        fig.title.text_font_style = "normal"
        # What the lines are, on a line of its own under the title: together they did not fit a narrow histogram.
        fig.add_layout(Title(text="green: the truth · red: their average", text_font_style="normal"), "above")
        fig.quad(left="left", right="right", bottom=0, top="count", source=self.source, fill_alpha=0.5)
        colors = palette(requested_theme())
        self.truth = Span(dimension="height", location=0, line_color=colors.truth, line_width=3)
        self.mean = Span(
            dimension="height", location=0, line_color=colors.estimates_mean, line_width=3, line_dash="dashed"
        )
        fig.add_layout(self.truth)
        fig.add_layout(self.mean)
        format_axes(fig)
        self.figure = fig
        # Hidden until the experiment is run (an empty frame waiting for it said nothing): the column round the
        # figure is, as a layout's visible is what the browser follows. Not the pane's (set back to its default,
        # Panel's pane takes the figure's instead) nor the figure's (BokehJS then lays the hidden figure out again
        # and again, "could not set initial ranges", and the page stopped answering the button).
        self.pane = pn.Column(
            pn.pane.Bokeh(fig, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
            # 280 px at least, side by side where the row has room: in CSS, as a min_width would add up to the row's
            # least width (Panel's), 560 px, wider than a phone.
            styles={"flex": "1 1 280px", "min-width": "min(280px, 100%)"},
            visible=False,
        )

    @property
    def shown(self) -> bool:
        """Whether the histogram is on the page."""
        return self.pane.visible

    @shown.setter
    def shown(self, on: bool) -> None:
        self.pane.visible = on

    def show(self, parameter: mle_core.Parameter, values: np.ndarray, truth: float) -> None:
        if values.size:
            low, high = float(min(values.min(), truth)), float(max(values.max(), truth))
            if high <= low:
                low, high = low - 0.5, high + 0.5
            counts, edges = np.histogram(values, bins=HISTOGRAM_BINS, range=(low, high))
            self.source.data = {"left": edges[:-1], "right": edges[1:], "count": counts}
            pad = 0.03 * (high - low)
            self.x_range.update(start=low - pad, end=high + pad)
            self.mean.location = float(values.mean())
            self.mean.visible = True
        else:
            self.source.data = {"left": [], "right": [], "count": []}
            self.mean.visible = False
        self.truth.location = float(truth)
        self.figure.xaxis.axis_label = f"{parameter.symbol}̂ ({parameter.name}) in each sample"
        self.figure.title.text = f"{values.size:,} estimates {parameter.symbol}̂"

    @property
    def counts(self) -> np.ndarray:
        return np.asarray(self.source.data["count"])
