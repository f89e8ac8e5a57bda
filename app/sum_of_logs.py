"""ℓ as a sum of logs: the product L next to ℓ, and each observation's term ln f(xᵢ | θ).

Two tabs of the landscape panel (``app.landscape.LandscapePanel``):

- ``LikelihoodVersusLog``: L = Π f(xᵢ) multiplied out in float64 next to ℓ = Σ ln f(xᵢ), and the point
  count from which L is exactly 0.0.
- ``PointContributions``: ln f(xᵢ) of each observation, smallest first.

Each works only while its tab is open (``LazyView``): an update costs a pass over the observations.
"""

from __future__ import annotations

import math

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, Range1d, Span
from bokeh.plotting import figure

from mle_core import inference

from .assets import stylesheet
from .numbers import format_axes, hover_formatter, log_likelihood, number, power_of_ten
from .overlays import LazyView, display
from .theme import palette, requested_theme
from .widgets import Formulas

#: At most this many bars in the per-point contributions (the smallest ln f(xᵢ)).
MAX_BARS = 200
#: At most this many points of the L-vs-ℓ curve are sent to the browser.
MAX_CURVE_POINTS = 1_000
#: log10 of the smallest positive float64 (4.9e-324): below it a product is exactly 0.0.
LOG10_TINIEST = math.log10(5e-324)


# --- L next to ℓ ------------------------------------------------------------------------------------
LIKELIHOOD_TEXT = r"""
**Why logs?** The likelihood multiplies one factor per observation; its logarithm adds them:
"""
LIKELIHOOD_FORMULA = (
    r"$L(\theta)=\prod_{i=1}^{n} f(x_i\mid\theta)\qquad "
    r"\ell(\theta)=\ln L(\theta)=\sum_{i=1}^{n}\ln f(x_i\mid\theta)$"
)


class LikelihoodVersusLog(LazyView):
    """L = Π f(xᵢ) multiplied out in float64 next to ℓ = Σ ln f(xᵢ), and where the product underflows to 0.0.

    The curve shows log₁₀ of the running product after k points, as float64 computes it (it ends at
    0.0, which has no logarithm) and as it really is (ℓ_k / ln 10). Works while its tab is open:
    each update costs a pass over the observations.
    """

    def __init__(self, **params):
        params.setdefault("active", False)
        super().__init__(**params)
        self.underflow: int | None = None
        # An HTML pane, not a Bokeh Div, although it changes on every slider step and a Div's text costs less
        # in Python: in the browser a Div's change re-lays-out the whole page (BokehJS MarkupView.rerender),
        # and the more figures the page holds, the longer that takes.
        self._numbers = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=[stylesheet("hints.css")])
        self._curves = ColumnDataSource({"k": [], "exact": [], "float": []})
        self._y_range = Range1d(-1.0, 0.0)
        colors = palette(requested_theme())
        fig = figure(
            height=260,
            y_range=self._y_range,
            sizing_mode="stretch_width",
            tools=[],
            toolbar_location=None,
            name="likelihood-underflow",
            title="log₁₀ of L after the first k observations",
            x_axis_label="k (observations multiplied so far, in the order entered)",
            y_axis_label="log₁₀ L",
        )
        fig.title.text_font_style = "normal"
        fig.line(
            "k", "exact", source=self._curves, color=colors.likelihood, line_width=3, legend_label="exact: ℓₖ / ln 10"
        )
        fig.line(
            "k",
            "float",
            source=self._curves,
            color=colors.climb,
            line_width=2,
            line_dash="dashed",
            legend_label="float64 product (gone once it is 0.0)",
        )
        fig.add_layout(
            Span(
                dimension="width",
                location=LOG10_TINIEST,
                line_color=colors.limit_line,
                line_dash="dotted",
                line_width=2,
            )
        )
        self._underflow_span = Span(dimension="height", location=0, line_color=colors.climb, visible=False)
        fig.add_layout(self._underflow_span)
        fig.legend.location = "bottom_left"
        fig.legend.label_text_font_size = "11px"
        format_axes(fig)
        self.figure = fig
        self._layout = pn.Column(
            pn.pane.Markdown(LIKELIHOOD_TEXT, sizing_mode="stretch_width", margin=(0, 10)),
            Formulas(LIKELIHOOD_FORMULA, margin=(0, 10)),
            self._numbers,
            pn.pane.Bokeh(fig, sizing_mode="stretch_width"),
            pn.pane.Markdown(
                "The float64 product cannot go below 4.9 × 10⁻³²⁴ (log₁₀ = −323.3, the dotted grey line once the "
                "curve comes near it): beyond, it is exactly 0.0, and every parameter value then has the same "
                '"likelihood". The sum of logs has no such floor, which is why ℓ, not L, is maximised.',
                sizing_mode="stretch_width",
                margin=(0, 10),
            ),
            sizing_mode="stretch_width",
        )
        self.draw_when_shown()

    def __panel__(self):
        return self._layout

    @property
    def text(self) -> str:
        return self._numbers.object

    def refresh(self) -> None:
        state = self.state
        n = state.n
        if n == 0:
            self.underflow = None
            self._numbers.object = "<p>No observations: L = 1 (an empty product) and ℓ = 0.</p>"
            self._curves.data = {"k": [], "exact": [], "float": []}
            self._underflow_span.visible = False
            return
        logs = state.log_densities(state.observations)
        with np.errstate(all="ignore"):
            running = inference.running_likelihood(logs)
            exact = np.cumsum(logs) / math.log(10)
            positive = (running > 0) & np.isfinite(running)
            shown_float = np.where(positive, np.log10(np.where(positive, running, 1.0)), np.nan)
        # ``underflow_point`` multiplies again: only worth it when the product did reach 0.0.
        self.underflow = inference.underflow_point(logs) if not running[-1] else None
        ell = float(state.log_likelihood)
        product = float(running[-1])
        lines = [
            f"<div>log-likelihood ℓ(θ) = Σ ln f(xᵢ) = <b>{log_likelihood(ell)}</b> (a sum of {n:,} terms: no trouble)"
            "</div>",
            f"<div>likelihood L(θ) = e<sup>ℓ</sup> = <b>{power_of_ten(ell / math.log(10))}</b></div>",
            f"<div>the same L multiplied out in float64, f(x₁)·f(x₂)···f(xₙ): <b>{number(product)}</b></div>",
        ]
        overflow = np.flatnonzero(np.isinf(running))
        if self.underflow is not None:
            lines.append(
                f'<div class="mle-hint">With these data and parameters, L would be <b>0.0</b> from '
                f"<b>n = {self.underflow:,}</b> on, while ℓ stays finite.</div>"
            )
        elif overflow.size:
            lines.append(
                f'<div class="mle-hint">Here the densities exceed 1, and the float64 product overflows to '
                f"<b>inf</b> from <b>n = {overflow[0] + 1:,}</b> on, while ℓ stays finite.</div>"
            )
        elif math.isfinite(ell) and ell < 0:
            mean = ell / n
            lines.append(
                f"<div>No underflow with these {n:,} points. Each contributes ln f(xᵢ) ≈ {log_likelihood(mean)} on "
                f"average here, so about <b>{math.ceil(-math.log(5e-324) / -mean):,}</b> points like them would take L "
                "to 0.0.</div>"
            )
        elif not math.isfinite(ell):
            lines.append("<div>ℓ = −∞ here: an observation is impossible at these parameters, so L = 0 exactly.</div>")
        self._numbers.object = "".join(lines)
        rows = np.arange(n)
        if n > MAX_CURVE_POINTS:
            rows = np.unique(np.r_[np.linspace(0, n - 1, MAX_CURVE_POINTS).astype(int), self._around_underflow(n)])
        self._curves.data = {"k": rows + 1, "exact": display(exact[rows]), "float": shown_float[rows]}
        drawn = np.concatenate([display(exact[rows]), shown_float[rows], [0.0]])
        drawn = drawn[np.isfinite(drawn)]
        low, high = float(drawn.min()), float(drawn.max())
        if low < LOG10_TINIEST / 3:  # near enough for the floor to matter: show it
            low = min(low, LOG10_TINIEST)
        pad = 0.05 * max(high - low, 1.0)
        self._y_range.update(start=low - pad, end=high + pad)
        self._underflow_span.visible = self.underflow is not None
        if self.underflow is not None:
            self._underflow_span.location = self.underflow

    def _around_underflow(self, n: int) -> np.ndarray:
        if self.underflow is None:
            return np.empty(0, dtype=int)
        k = self.underflow - 1
        return np.clip(np.arange(k - 2, k + 2), 0, n - 1)


# --- each point's share ---------------------------------------------------------------------------------
CONTRIBUTIONS_TEXT = r"""
**Each observation's share.** ℓ is a sum with one term per observation, ln f(xᵢ | θ). The bars show the
terms, smallest (most negative) first: a point the model finds very unlikely, such as an outlier, has a
long bar, and it pulls the fit hardest: moving θ to make that one point less unlikely gains the most ℓ.
"""


class PointContributions(LazyView):
    """A bar per observation of ln f(xᵢ | θ), sorted (at most ``MAX_BARS``: the smallest), so the outlier stands out."""

    def __init__(self, **params):
        params.setdefault("active", False)
        super().__init__(**params)
        self._bars = ColumnDataSource({"rank": [], "log_density": [], "x": [], "index": []})
        self._x_range = Range1d(0.5, 1.5)
        colors = palette(requested_theme())
        fig = figure(
            height=260,
            sizing_mode="stretch_width",
            x_range=self._x_range,
            tools=[],
            toolbar_location=None,
            name="point-contributions",
            x_axis_label="rank (1 = the least likely observation under θ)",
            y_axis_label="ln f(xᵢ | θ)",
        )
        fig.title.text_font_style = "normal"
        bars = fig.vbar(
            x="rank", top="log_density", bottom=0, width=0.8, source=self._bars, color=colors.climb, fill_alpha=0.6
        )
        fig.add_tools(
            HoverTool(
                renderers=[bars],
                tooltips=[("observation", "#@index"), ("xᵢ", "@x{number}"), ("ln f(xᵢ)", "@log_density{ell}")],
                formatters=dict.fromkeys(("@x", "@log_density"), hover_formatter()),
            )
        )
        format_axes(fig)
        self.figure = fig
        self._summary = pn.pane.HTML("", sizing_mode="stretch_width")  # not a Div: see LikelihoodVersusLog
        self._layout = pn.Column(
            pn.pane.Markdown(CONTRIBUTIONS_TEXT, sizing_mode="stretch_width", margin=(0, 10)),
            pn.pane.LaTeX(r"$\ell(\theta)=\sum_{i=1}^{n}\ln f(x_i\mid\theta)$", renderer="katex", margin=(0, 10)),
            self._summary,
            pn.pane.Bokeh(fig, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
        self.draw_when_shown()

    def __panel__(self):
        return self._layout

    @property
    def text(self) -> str:
        return self._summary.object

    @property
    def bars(self) -> dict:
        """The bars' data: rank, ln f(xᵢ), xᵢ and the observation's number (1-based)."""
        return self._bars.data

    def refresh(self) -> None:
        state = self.state
        n = state.n
        if n == 0:
            self._bars.data = {"rank": [], "log_density": [], "x": [], "index": []}
            self.figure.title.text = "No observations yet"
            self._summary.object = ""
            return
        logs = np.asarray(state.log_densities(state.observations), dtype=float)
        shown = min(n, MAX_BARS)
        keys = np.where(np.isnan(logs), -np.inf, logs)
        candidates = np.argpartition(keys, shown - 1)[:shown] if n > shown else np.arange(n)
        order = candidates[np.argsort(keys[candidates], kind="stable")]
        self._bars.data = {
            "rank": np.arange(1, shown + 1),
            "log_density": display(logs[order]),
            "x": state.observations[order],
            "index": order + 1,
        }
        if (self._x_range.start, self._x_range.end) != (0.5, shown + 0.5):
            self._x_range.update(start=0.5, end=shown + 0.5)
        if n > shown:
            self.figure.title.text = (
                f"The {shown} smallest of {n:,} terms ln f(xᵢ) (the other {n - shown:,} are higher)"
            )
        else:
            self.figure.title.text = f"All {n:,} terms ln f(xᵢ), smallest first"
        worst = int(order[0])
        ell = float(state.log_likelihood)
        impossible = int(np.sum(np.isneginf(logs)))
        text = (
            f"ℓ = Σ ln f(xᵢ) = <b>{log_likelihood(ell)}</b> over {n:,} observations. The one pulling hardest: "
            f"x<sub>{worst + 1}</sub> = <b>{number(float(state.observations[worst]))}</b> with "
            f"ln f = <b>{log_likelihood(float(logs[worst]))}</b>"
        )
        if math.isfinite(ell) and ell < 0 and math.isfinite(logs[worst]) and logs[worst] < 0:
            text += f" ({100 * logs[worst] / ell:.0f} % of ℓ on its own)"
        text += "."
        if impossible:
            text += (
                f" {impossible:,} observation{'s are' if impossible > 1 else ' is'} impossible under these "
                "parameters (ln f = −∞, no bar), so ℓ = −∞."
            )
        self._summary.object = f"<div>{text}</div>"
