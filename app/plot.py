"""The main plot: the observations under the model's density (or, for counts, its probability bars).

Continuous families: each observation stands on the x axis with a segment up to the density
curve. Discrete families: the model's probabilities P(X = k) are bars at the integers and the
observations are a dot plot stacked to their observed proportion, so bar and stack compare
directly. Built once per session; every change updates its ColumnDataSources in place (``stream``
for added points, ``patch`` for moved ones, a column update for new parameters); renderers for
both kinds exist from the start and a family switch only changes which are visible. Past
``points_limit`` observations the points give way to a histogram, so the browser neither draws
nor receives one glyph per observation.
"""

from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
import param
from bokeh.core.property.descriptors import UnsetValueError
from bokeh.events import DoubleTap, Press, Tap
from bokeh.models import (
    AllIndices,
    CDSView,
    ColumnDataSource,
    HoverTool,
    Legend,
    LegendItem,
    Line,
    PanTool,
    PointDrawTool,
    Quad,
    Range1d,
    ResetTool,
    SaveTool,
    Scatter,
    VBar,
    WheelZoomTool,
)
from bokeh.plotting import figure

import mle_core
from mle_core._observations import MAX_MAGNITUDE
from mle_core.scenarios import SCENARIOS

from .assets import stylesheet
from .numbers import format_axes, hover_formatter
from .parsing import exact_text
from .presentation import presentation
from .state import ExplorerState
from .theme import palette, requested_theme
from .upstream import patchable_column
from .widgets import LiveHTML

#: How close (in screen pixels) a click must be to an observation to select it instead of adding one.
HIT_RADIUS_PX = 8
MARKER_SIZE = 11
CURVE_POINTS = 400
HISTOGRAM_BINS = 60
#: The most probability bars drawn: past this many integers in view (a count of 1e9, a view zoomed out
#: over millions), bars stand at this many integers spread evenly rather than at every one.
MAX_BARS = 1000

#: The hint above the plot, per kind of view: (with a mouse, on a touch screen). Both are on the page; plot.css shows
#: the one for the page's pointer. A long press removes a point with a mouse too, but a mouse has the quicker way.
POINTS_HINT = (
    "Click to add an observation · drag one to move it · click one, then Backspace ⌫ removes it",
    "Tap to add an observation · drag one to move it · hold one to remove it",
)
DISCRETE_HINT = (
    "Click to add an observation (snapped to an allowed value) · drag one to move it · select one, ⌫ removes it",
    "Tap to add an observation (snapped to an allowed value) · drag one to move it · hold one to remove it",
)
HISTOGRAM_HINT = (
    "{n:,} observations: drawn as a histogram (density scale), not one point each · click to add one more",
    "{n:,} observations: drawn as a histogram (density scale), not one point each · tap to add one more",
)
DISCRETE_HISTOGRAM_HINT = (
    "{n:,} observations: drawn as observed proportions, not one dot each · click to add one more",
    "{n:,} observations: drawn as observed proportions, not one dot each · tap to add one more",
)
#: Bar width of the probability bars (in units of the integer axis).
BAR_WIDTH = 0.7
#: Legend labels per kind of family: renderer key → (continuous, discrete); {model} is the family's notation.
LEGEND_LABELS = {
    "bars": ("observations (histogram)", "observed proportions"),
    "mle": ("best fit {fitted}", "best fit {fitted}"),
    "true": ("true distribution", "true distribution"),
    "model": ("model {model}", "model {model}"),
    "segments": ("f(xᵢ): each point's density", ""),
    "points": ("observations xᵢ", "observations xᵢ (stacked)"),
}


def _rows(source: ColumnDataSource) -> int:
    return len(next(iter(source.data.values()), ()))


#: The focus ring of every other control (``components.css``), for the plot's toolbar buttons.
TOOLBAR_FOCUS_CSS = stylesheet("toolbar.css")
#: The figure's height, which follows the window's (a stylesheet of the plot's column, where the figure's element is).
PLOT_CSS = stylesheet("plot.css")
#: The legend's entries wrap in a narrow plot (Bokeh lays them out in one row of fixed columns).
LEGEND_CSS = stylesheet("legend.css")


def removed_positions(before: np.ndarray, after: np.ndarray) -> list[int]:
    """Return the indices of ``before`` that are missing from ``after`` (order preserved, rows removed)."""
    removed, j = [], 0
    for i, value in enumerate(before):
        if j < len(after) and after[j] == value:
            j += 1
        else:
            removed.append(i)
    return removed


class LikelihoodPlot(pn.viewable.Viewer):
    """Observations (click to add, drag to move, select + Backspace to remove) under the model.

    For a continuous family each observation has a vertical segment up to the density curve: its
    height is f(xᵢ | θ), the factor it contributes to the likelihood. For a discrete family the bar
    at k is P(X = k | θ), and the dots stacked at k reach the observed proportion of k.

    The best fit and the truth are drawn only once the answer is shown (``state.answer_shown``: until then
    their curves are empty, and so neither listed in the legend nor counted in the y range). A click on a
    legend entry hides or shows its glyph (Bokeh's ``click_policy = "hide"``); what the app itself shows or
    hides (a family's bars or curves, points or a histogram) is kept apart from that, in ``_wanted``.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")
    height = param.Integer(default=420, doc="Plot height in pixels.")
    points_limit = param.Integer(
        default=1000, bounds=(1, None), doc="Above this many observations, draw a histogram instead of points."
    )

    def __init__(self, **params):
        super().__init__(**params)
        self._updating_source = False
        self._fitting_view = False
        self._cleared_selection: list[int] | None = None
        self._x_range = Range1d(*self._view_range())
        self._y_range = Range1d(-0.05, 1.0)
        self._observations = ColumnDataSource(self._observation_columns())
        self._histogram = ColumnDataSource({"left": [], "right": [], "count": [], "density": []})
        self._bin_counts = np.zeros(HISTOGRAM_BINS, dtype=np.int64)
        self._curve = ColumnDataSource({"x": [], "density": []})
        self._mle_curve = ColumnDataSource({"x": [], "density": []})
        self._true_curve = ColumnDataSource({"x": [], "density": []})
        # The observation the "Move or remove one observation" card shows, ringed (``mark_observation``).
        self._chosen = ColumnDataSource({"x": [], "y": []})
        self._chosen_index: int | None = None
        # Renderer → whether the app shows it (the legend's clicks set ``visible`` too: see ``_show``).
        self._wanted: dict = {}
        self._family_shown = self.state.family  # the family whose view (x range) is shown
        self.figure = self._make_figure()
        # The hint is HTML above the figure rather than its title: it wraps in a narrow plot (a title drawn on the
        # canvas was cut off), and it names the gestures of the page's pointer.
        self.hint = LiveHTML("", sizing_mode="stretch_width", css_classes=["mle-plot-hint"], stylesheets=[PLOT_CSS])
        self.remove_button = pn.widgets.Button(
            label="Remove selected points",
            disabled=True,
            description="Remove the observations selected in the plot (click one; shift-click for more)",
        )
        self._show_mode()
        self._update_curves()
        self._observations.on_change("data", self._on_browser_edit)
        self._x_range.on_change("start", self._on_view_change)
        self._x_range.on_change("end", self._on_view_change)
        self.figure.on_event(Tap, self._on_tap)
        self.figure.on_event(DoubleTap, self._on_tap)  # BokehJS sends no Tap for a second quick click
        self.figure.on_event(Press, self._on_press)  # held still for 300 ms: BokehJS sends a Press, and no Tap
        self.state.param.watch(self._on_parameters, ["theta_changed"])
        self.state.param.watch(self._on_observations, ["observations", "constants"])
        self.state.param.watch(self._on_truth, ["true_parameters", "answer_shown"])
        self.state.param.watch(self._on_scenario, ["scenario", "family"])
        self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")
        self.remove_button.on_click(lambda _: self.remove_selected())
        self._observations.selected.on_change("indices", self._on_selection)

    def __panel__(self):
        return pn.Column(self.hint, self._pane, self.remove_button, sizing_mode="stretch_width", stylesheets=[PLOT_CSS])

    @property
    def shows_points(self) -> bool:
        """Whether observations are drawn one by one (else as a histogram)."""
        return self.state.n <= self.points_limit

    @property
    def discrete(self) -> bool:
        """Whether the family is discrete (probability bars and stacked dots rather than a density curve)."""
        return self.state.family_spec.discrete

    # --- building ----------------------------------------------------------------------------
    def _make_figure(self):
        fig = figure(
            height=self.height,
            sizing_mode="stretch_width",
            x_range=self._x_range,
            y_range=self._y_range,
            tools=[],
            x_axis_label=presentation(self.state.family).x_label,
            y_axis_label="density f(x | θ)",
        )
        fig.css_classes = ["mle-likelihood-figure"]  # its height is set in plot.css, from the window's
        colors = palette(requested_theme())
        # The curves, bars and marks are added as bare glyphs: bokeh.plotting would build a non-selection and a
        # muted copy of each (18 Bokeh models more in every page), which nothing here uses (their sources are
        # never selected; a legend click hides a glyph, it does not mute it). Only the observations, which the
        # student selects, get plotting's copies. Legend labels are placeholders, one per renderer (renderers
        # sharing a label would share a legend item): ``_show_mode`` writes the family's own.
        legend_items = []
        # One view per source and one filter for all (each renderer would get its own pair): 13 models fewer. A
        # view keeps the indices it last computed, so only renderers of the same source may share one.
        every_row = AllIndices()
        views: dict[int, CDSView] = {}

        def view(source) -> CDSView:
            return views.setdefault(id(source), CDSView(filter=every_row))

        def add(source, glyph, label=None):
            renderer = fig.add_glyph(source, glyph, view=view(source))
            if label is not None:
                legend_items.append(LegendItem(label={"value": label}, renderers=[renderer]))
            return renderer

        self._bars = add(
            self._histogram,
            Quad(
                left="left",
                right="right",
                bottom=0,
                top="density",
                fill_color=colors.observation,
                fill_alpha=0.35,
                line_color=colors.observation,
            ),
            "bars-continuous",
        )
        self._model_bars = add(
            self._curve,
            VBar(
                x="x",
                top="density",
                width=BAR_WIDTH,
                fill_color=colors.model,
                fill_alpha=0.35,
                line_color=colors.model,
                line_width=2,
            ),
            "model-discrete",
        )
        self._mle_bars = add(
            self._mle_curve,
            VBar(
                x="x",
                top="density",
                width=BAR_WIDTH,
                fill_alpha=0,
                line_color=colors.best_fit_bars,
                line_dash="dashed",
                line_width=2,
            ),
            "mle-discrete",
        )
        self._true_marks = add(
            self._true_curve,
            Scatter(
                x="x",
                y="density",
                marker="dash",
                size=24,
                line_width=3,
                fill_color=colors.truth,
                line_color=colors.truth,
                hatch_color=colors.truth,
            ),
            "true-discrete",
        )
        self._mle_line = add(
            self._mle_curve,
            Line(x="x", y="density", line_color=colors.best_fit_line, line_dash="dashed", line_width=2),
            "mle-continuous",
        )
        self._true_line = add(
            self._true_curve,
            Line(x="x", y="density", line_color=colors.truth, line_dash="dotted", line_width=3),
            "true-continuous",
        )
        self._model_line = add(
            self._curve, Line(x="x", y="density", line_color=colors.model, line_width=3), "model-continuous"
        )
        self._segments = fig.segment(
            x0="x",
            y0="y",
            x1="x",
            y1="density",
            source=self._observations,
            view=view(self._observations),
            color=colors.observation,
            line_width=2,
        )
        legend_items.append(LegendItem(label={"value": "segments-continuous"}, renderers=[self._segments]))
        self._points = points = fig.scatter(
            "x",
            "y",
            source=self._observations,
            view=view(self._observations),
            size=MARKER_SIZE,
            color=colors.observation,
            line_color=colors.marker_outline,
        )
        legend_items.append(LegendItem(label={"value": "points-continuous"}, renderers=[points]))
        for renderer in (self._segments, points):
            renderer.muted_glyph = "auto"  # never muted (see above): one Bokeh model fewer each
        points.selection_glyph = points.glyph.clone(
            fill_color=colors.selected, line_color=colors.selected_outline, line_width=2
        )
        # Picked by its number from the keyboard, a point is otherwise one of many alike: the ring shows which.
        add(
            self._chosen,
            Scatter(
                x="x",
                y="y",
                size=MARKER_SIZE + 10,
                fill_alpha=0,
                # The focus ring's colour (blue, or yellow on the dark theme): it marks what the keyboard chose.
                line_color=colors.chosen_ring,
                line_width=3,
            ),
        )
        legend = Legend(
            items=legend_items,
            orientation="horizontal",
            location="center",
            label_text_font_size="11px",
            spacing=12,
            margin=4,
            padding=6,
            click_policy="hide",
        )
        legend.stylesheets = [LEGEND_CSS]  # its entries wrap onto more lines where one is too narrow
        fig.add_layout(legend, "below")
        draw = PointDrawTool(renderers=[points], add=False, drag=True, description="Drag or delete observations")
        # Bokeh groups the three hover tools in one toolbar button whose title lists their descriptions (it said
        # "Hover" three times without them).
        # Written by numbers.js, as the rest of the page writes numbers: "@x{number}", "@log_density{ell}".
        written = hover_formatter()
        self._hover_points = HoverTool(
            renderers=[points],
            tooltips=[("xᵢ", "@x{number}"), ("f(xᵢ)", "@density{number}"), ("ln f(xᵢ)", "@log_density{ell}")],
            formatters=dict.fromkeys(("@x", "@density", "@log_density"), written),
            description="Hover over an observation: its value, density and log-density",
        )
        hover_bars = HoverTool(
            renderers=[self._bars],
            tooltips=[
                ("bin", "[@left{number}, @right{number})"),
                ("observations", "@count"),
                ("density", "@density{number}"),
            ],
            formatters=dict.fromkeys(("@left", "@right", "@density"), written),
            description="Hover over a histogram bar: its bin, count and density",
        )
        hover_model = HoverTool(
            renderers=[self._model_bars],
            tooltips=[("k", "@x{number}"), ("P(X = k | θ)", "@density{number}")],
            formatters=dict.fromkeys(("@x", "@density"), written),
            description="Hover over a model bar: its probability P(X = k | θ)",
        )
        save = SaveTool(filename="mle-explorer", description="Save the plot as a PNG image")
        fig.add_tools(draw, self._hover_points, hover_bars, hover_model, PanTool(), WheelZoomTool(), ResetTool(), save)
        fig.toolbar.active_drag = draw
        fig.toolbar.active_tap = draw
        fig.toolbar.active_scroll = None
        fig.toolbar.logo = None  # one Tab stop fewer for keyboard users
        # The toolbar's buttons live in Bokeh's own shadow root, which the page's design does not reach:
        # without this, keyboard focus on them showed as a 1 px dotted line.
        fig.toolbar.stylesheets = [TOOLBAR_FOCUS_CSS]
        format_axes(fig)
        return fig

    def _view_range(self) -> tuple[float, float]:
        """The x range a new data set (or a new family) is shown in."""
        state = self.state
        x = state.observations
        if state.family_spec.discrete:
            top = self._discrete_top()
            return -0.6, top + 0.6
        follows = presentation(state.family).view_follows
        if follows is not None:
            start, end = state.model.param[follows].bounds
        elif x.size:
            start, end = float(x.min()), float(x.max())
        else:
            start, end = 0.0, 10.0
        if not self._in_support(-1.0):  # a positive quantity: show from 0
            start = 0.0
        if x.size:
            start, end = min(start, float(x.min())), max(end, float(x.max()))
        if end <= start:
            end = start + 1.0
        pad = 0.05 * (end - start)
        return (start - pad if start != 0.0 else -pad), end + pad

    def _in_support(self, value: float) -> bool:
        return bool(mle_core.outside_support(self.state.family, np.array([value]), **self.state.constants).size == 0)

    def _support_integers(self, start: float, end: float) -> np.ndarray:
        """The integers in [start, end] that the family allows (at most ``MAX_BARS`` of them, spread evenly)."""
        if not (math.isfinite(start) and math.isfinite(end)):
            return np.empty(0)
        low, high = max(math.ceil(start), 0), min(math.floor(end), int(MAX_MAGNITUDE))
        if high - low >= MAX_BARS:
            candidates = np.unique(np.round(np.linspace(float(low), float(high), MAX_BARS)))
        else:
            candidates = np.arange(low, high + 1, dtype=float)
        if not candidates.size:
            return candidates
        outside = mle_core.outside_support(self.state.family, candidates, **self.state.constants)
        return np.delete(candidates, outside)

    def _discrete_top(self) -> int:
        """The largest count worth showing: the data's largest, or where the model (at any slider value) has
        all but 0.1% of its probability below."""
        state = self.state
        largest = float(state.observations.max()) if state.n else 0.0
        limit = max(20.0, 2 * largest)
        candidates = self._support_integers(0, limit)
        if not candidates.size:
            return max(int(largest), 1)
        top = largest
        # At the slider ends as well as here: no slider position puts the bars out of view.
        settings = [state.theta] + [
            {**state.theta, name: state.model.param[name].bounds[1]} for name in state.family_spec.parameter_names
        ]
        for theta in settings:
            try:
                probabilities = np.exp(state.log_densities(candidates, theta))
            except ValueError:
                continue
            reached = np.flatnonzero(np.cumsum(probabilities) >= 0.999)
            top = max(top, candidates[reached[0]] if reached.size else candidates[-1])
        return max(int(top), 1)

    def _observation_columns(self, indices=None) -> dict:
        state = self.state
        if indices is None:
            # A copy a later patch (a move) can change: Bokeh skips a read-only column's (``patchable_column``).
            x = patchable_column(state.observations) if self.shows_points else np.empty(0)
        else:
            x = state.observations[list(indices)]
        log_density = state.log_densities(x) if x.size else np.empty(0)
        y = stacked_heights(x, state.n) if state.family_spec.discrete and x.size else np.zeros(len(x))
        return {"x": x, "y": y, "density": _density(log_density), "log_density": log_density}

    # --- updating in place --------------------------------------------------------------------
    def _set_source(self, update):
        self._updating_source = True
        try:
            update()
        finally:
            self._updating_source = False

    def _show_mode(self) -> None:
        """Show what fits the family and the number of observations: points or a histogram; curves or bars."""
        points, discrete = self.shows_points, self.discrete
        self._show(self._points, points)
        self._show(self._segments, points and not discrete)
        self._show(self._bars, not points)
        for renderer in (self._model_line, self._mle_line, self._true_line):
            self._show(renderer, not discrete)
        for renderer in (self._model_bars, self._mle_bars, self._true_marks):
            self._show(renderer, discrete)
        self.remove_button.visible = points
        kind = 1 if discrete else 0
        shown = presentation(self.state.family)
        names = {"model": shown.written(), "fitted": shown.written(fitted=True)}
        for item in self.figure.legend[0].items:
            for key, renderer in self._legend_keys().items():
                if renderer in item.renderers:
                    item.label = {"value": LEGEND_LABELS[key][kind].format(**names)}
        self._hover_points.tooltips = [
            ("xᵢ", "@x{number}"),
            ("P(X = xᵢ)" if discrete else "f(xᵢ)", "@density{number}"),
            ("ln f(xᵢ)", "@log_density{ell}"),
        ]
        self.figure.yaxis.axis_label = "probability P(X = k | θ)" if discrete else "density f(x | θ)"
        self._sync_legend()
        if points:
            self._show_hint(DISCRETE_HINT if discrete else POINTS_HINT)
        else:
            self._show_hint(DISCRETE_HISTOGRAM_HINT if discrete else HISTOGRAM_HINT)
            self._bin_counts = self._count_in_bins(self.state.observations)
            self._update_histogram()

    def _show_hint(self, hint: tuple[str, str]) -> None:
        """Show ``hint`` (with a mouse, on a touch screen; ``{n}`` is the number of observations) above the plot."""
        mouse, touch = (html.escape(text.format(n=self.state.n)) for text in hint)
        self.hint.object = f'<span class="mle-for-mouse">{mouse}</span><span class="mle-for-touch">{touch}</span>'

    def _legend_keys(self) -> dict:
        return {
            "bars": self._bars,
            "mle": self._mle_bars if self.discrete else self._mle_line,
            "true": self._true_marks if self.discrete else self._true_line,
            "model": self._model_bars if self.discrete else self._model_line,
            "segments": self._segments,
            "points": self._points,
        }

    def _show(self, renderer, on: bool) -> None:
        """Show or hide ``renderer`` as the app wants it; only a change of that wish sets ``visible``, so that a
        glyph the student hid by clicking its legend entry stays hidden meanwhile."""
        if self._wanted.get(renderer) != on:
            renderer.visible = on
        self._wanted[renderer] = on

    def _sync_legend(self) -> None:
        """List only what the app draws: a renderer it hides, or an empty one, would get an item with an empty
        swatch. A glyph hidden from the legend keeps its (greyed) entry, to be clicked back on."""
        for item in self.figure.legend[0].items:
            item.visible = all(
                self._wanted.get(renderer, renderer.visible) and _rows(renderer.data_source)
                for renderer in item.renderers
            )

    def _bin_edges(self) -> np.ndarray:
        if self.discrete:
            centres = self._support_integers(self._x_range.start, self._x_range.end)
            return np.concatenate([centres - 0.5, centres[-1:] + 0.5]) if centres.size else np.array([0.0, 1.0])
        return np.linspace(self._x_range.start, self._x_range.end, HISTOGRAM_BINS + 1)

    def _count_in_bins(self, x: np.ndarray) -> np.ndarray:
        return np.histogram(x, bins=self._bin_edges())[0]

    def _update_histogram(self) -> None:
        edges = self._bin_edges()
        if len(edges) - 1 != len(self._bin_counts):
            self._bin_counts = self._count_in_bins(self.state.observations)
        n = max(self.state.n, 1)
        if self.discrete:
            # Observed proportions, on the same scale as the model's probability bars.
            centres = (edges[:-1] + edges[1:]) / 2
            left, right = centres - BAR_WIDTH / 2, centres + BAR_WIDTH / 2
            density = self._bin_counts / n
        else:
            # Density scale (count / (n · width)), so that the bars and the model curve share the y axis.
            left, right = edges[:-1], edges[1:]
            density = self._bin_counts / (n * (edges[1] - edges[0]))
        self._histogram.data = {"left": left, "right": right, "count": self._bin_counts, "density": density}

    def _grid(self) -> np.ndarray:
        if self.discrete:
            return self._support_integers(self._x_range.start, self._x_range.end)
        # Within the observations' limits: a view zoomed out past ±1e150 draws the curve up to there.
        start, end = max(self._x_range.start, -MAX_MAGNITUDE), min(self._x_range.end, MAX_MAGNITUDE)
        if not (math.isfinite(start) and math.isfinite(end) and start < end):
            return np.empty(0)
        grid = np.linspace(start, end, CURVE_POINTS)
        outside = mle_core.outside_support(self.state.family, grid, **self.state.constants)
        return np.delete(grid, outside)

    def _densities(self, grid: np.ndarray, theta: dict | None) -> np.ndarray:
        if theta is None or not grid.size:
            return np.array([])
        try:
            return _density(self.state.log_densities(grid, theta))
        except ValueError:  # e.g. an estimate on a bound the family's formulas exclude
            return np.array([])

    def _update_curves(self, model: bool = True, mle: bool = True) -> None:
        """Redraw the model (it follows θ and the view) and/or the best fit and the truth (the data)."""
        grid = self._grid()
        if model:
            self._curve.data = {"x": grid, "density": self._densities(grid, self.state.theta)}
        if mle:
            # Until the answer is shown the best fit and the truth are not drawn (nor sent to the browser).
            shown = self.state.answer_shown
            fit = self.state.mle if shown else None
            params = dict(fit.params) if fit is not None and np.isfinite(fit.log_likelihood) else None
            best = self._densities(grid, params)
            self._mle_curve.data = {"x": grid[: best.size], "density": best}
            truth = self._densities(grid, self.state.true_parameters if shown else None)
            self._true_curve.data = {"x": grid[: truth.size], "density": truth}
            self._sync_legend()
        heights = [self._curve.data["density"], self._mle_curve.data["density"], self._true_curve.data["density"]]
        if not self.shows_points:
            heights.append(self._histogram.data["density"])
        elif self.discrete and self.state.n:
            heights.append(self._observations.data["y"])
        peak = max((float(np.max(h)) for h in heights if len(h)), default=0.0)
        if self.discrete and self.shows_points and self.state.n:
            peak = max(peak, 1.0 / self.state.n)
        if peak > 0 and np.isfinite(peak):  # with nothing in view (the curve is 0 here), keep the axis
            self._y_range.update(start=-0.06 * peak, end=1.12 * peak)

    def _on_parameters(self, *_):
        if self.shows_points and self.state.n:
            log_density = self.state.log_densities(self.state.observations)
            self._set_source(
                lambda: self._observations.data.update(density=_density(log_density), log_density=log_density)
            )
        if self.discrete:
            top = self._discrete_top()
            if top + 0.6 > self._x_range.end and self.state.last_change.kind != "family":
                self._set_view(self._x_range.start, top + 0.6)
        self._update_curves(mle=False)

    def _on_scenario(self, *_):
        scenario = SCENARIOS.get(self.state.scenario)
        unit = scenario.unit if scenario is not None else ""
        self.figure.xaxis.axis_label = f"x ({unit})" if unit else presentation(self.state.family).x_label

    def _on_truth(self, *_):
        self._update_curves(model=False)

    def _on_observations(self, *events):
        change = self.state.last_change
        if change.kind != "append":
            # Indices chosen in the old data would point at other observations (or none) now.
            self._clear_selection()
        old = next((event.old for event in events if event.name == "observations"), self.state.observations)
        was_points = len(old) <= self.points_limit
        family_changed = change.kind == "family" or self._family_shown != self.state.family
        view_changed = self._fit_view(change)
        if family_changed or self.shows_points != was_points:
            self._set_source(lambda: setattr(self._observations, "data", self._observation_columns()))
            self._show_mode()
        elif not self.shows_points:
            if change.kind == "append" and not view_changed:
                self._bin_counts = self._bin_counts + self._count_in_bins(self.state.observations[list(change.indices)])
            else:
                self._bin_counts = self._count_in_bins(self.state.observations)
            self._show_hint(DISCRETE_HISTOGRAM_HINT if self.discrete else HISTOGRAM_HINT)
            self._update_histogram()
        elif self.discrete:
            # Every dot's height is its rank among equal values over n: all of them move with n.
            self._set_source(lambda: setattr(self._observations, "data", self._observation_columns()))
        elif change.kind == "append":
            self._set_source(lambda: self._observations.stream(self._observation_columns(change.indices)))
        elif change.kind == "move":
            columns = self._observation_columns(change.indices)
            patches = {name: [(i, columns[name][k]) for k, i in enumerate(change.indices)] for name in columns}
            self._set_source(lambda: self._observations.patch(patches))
        else:
            self._set_source(lambda: setattr(self._observations, "data", self._observation_columns()))
        self._update_curves(model=view_changed or family_changed)
        self._place_chosen()

    def mark_observation(self, index: int | None) -> None:
        """Ring observation ``index`` (0-based) on the plot, or none for None; the ring follows later edits."""
        self._chosen_index = index
        self._place_chosen()

    def _place_chosen(self) -> None:
        index = self._chosen_index
        if index is None or not 0 <= index < self.state.n:
            x, y = [], []
        else:
            # Where the point is drawn: its column in the points' source, or on the axis under a histogram.
            shown_y = self._observations.data["y"]
            x = [float(self.state.observations[index])]
            y = [float(shown_y[index])] if self.shows_points and index < len(shown_y) else [0.0]
        if list(self._chosen.data["x"]) != x or list(self._chosen.data["y"]) != y:
            self._chosen.data = {"x": x, "y": y}

    def _fit_view(self, change) -> bool:
        """Make the x range show the observations; return whether it changed.

        A new data set or family gets a fresh view; otherwise the view only grows, and only when
        observations fall outside it (typed values, an undone removal), so a student's own zoom or
        pan is kept.
        """
        current = (self._x_range.start, self._x_range.end)
        new_family = change.kind == "undo" and self._family_shown != self.state.family
        fresh = change.kind in ("replace", "family") or new_family
        start, end = self._view_range() if fresh else current
        x = self.state.observations
        if change.kind == "append":
            x = x[list(change.indices)]
        if change.kind != "move" and x.size:
            low, high = float(x.min()), float(x.max())
            if low < start or high > end:
                pad = 0.6 if self.discrete else 0.05 * (max(end, high) - min(start, low))
                start, end = min(start, low - pad), max(end, high + pad)
        self._family_shown = self.state.family
        if (start, end) == current:
            return False
        self._set_view(start, end)
        return True

    def _set_view(self, start: float, end: float) -> None:
        self._fitting_view = True
        try:
            self._x_range.update(start=start, end=end)
        finally:
            self._fitting_view = False
        if not self.shows_points:
            self._bin_counts = self._count_in_bins(self.state.observations)
            self._update_histogram()

    def _on_view_change(self, attr, old, new):
        if self._fitting_view:
            return  # the observations' watcher redraws once the view is set
        if not self.shows_points:
            self._bin_counts = self._count_in_bins(self.state.observations)
            self._update_histogram()
        self._update_curves()

    def _on_selection(self, attr, old, new):
        self.remove_button.disabled = not new
        if old and not new:
            # The point-drawing tool clears the selection just before it sends what is left after a
            # delete: these are the rows that delete removed (see ``_apply_browser_edit``).
            self._cleared_selection = list(old)

    def _clear_selection(self) -> None:
        # The button is set here too: inside ``pn.io.hold`` Bokeh defers Python-side on_change
        # callbacks, and Panel's direct dispatch of the held events never runs them.
        self._observations.selected.indices = []
        self.remove_button.disabled = True

    # --- what the student does ----------------------------------------------------------------
    def snap(self, x: float) -> float:
        """The observation a click at ``x`` means: the nearest allowed count for a discrete family, else ``x``."""
        if not self.discrete or not _plain_number(x):
            return x  # nan, ±inf or beyond ±1e150: left for the state to refuse with its message
        allowed = self._support_integers(math.floor(x) - 1, math.ceil(x) + 1)
        if not allowed.size:
            # Beyond the support, which for every discrete family runs from 0 up to a largest count.
            allowed = self._support_integers(0, 1) if x < 0 else np.array([self._largest_allowed_below(x)])
        return float(allowed[np.argmin(np.abs(allowed - x))]) if allowed.size else float(round(x))

    def _largest_allowed_below(self, x: float) -> float:
        """The largest allowed count below ``x`` (outside the support), by bisection: no list of every count."""
        low, high = 0, math.floor(x)  # allowed, not allowed
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if self._in_support(float(middle)) else (low, middle)
        return float(low)

    def _on_tap(self, event) -> None:
        if _plain_number(event.x) and _plain_number(event.y) and self._hits_observation(event.x, event.y):
            return  # a click on a point selects it (PointDrawTool) rather than adding another
        with pn.io.hold():  # one message to the browser for the point, the curve and the readout
            try:
                self.state.add_observations([self.snap(event.x)])
            except ValueError as error:
                self.state.notice = f"Not added: {error}."

    @property
    def selected_indices(self) -> list[int]:
        """The observations the student has selected in the plot (click, shift-click)."""
        return list(self._observations.selected.indices) if self.shows_points else []

    def remove_selected(self) -> int:
        """Remove the selected observations; return how many were removed."""
        # Only indices of current observations: the browser may still hold a selection made before
        # an edit it has not heard of yet.
        indices = [i for i in self.selected_indices if 0 <= i < self.state.n]
        if indices:
            with pn.io.hold():
                self._clear_selection()
                self.state.remove_observations(indices)
        return len(indices)

    def _hits_observation(self, x: float, y: float) -> bool:
        return self._observation_at(x, y) is not None

    def _observation_at(self, x: float, y: float) -> int | None:
        """The index of the drawn observation nearest to the data point (x, y) within ``HIT_RADIUS_PX``, or None."""
        if not self.shows_points or self.state.n == 0:
            return None
        width, height = self._frame_size()
        x_scale = width / (self._x_range.end - self._x_range.start)
        y_scale = height / (self._y_range.end - self._y_range.start)
        columns = self._observations.data
        px = np.abs(np.asarray(columns["x"], dtype=float) - x) * x_scale
        py = np.abs(np.asarray(columns["y"], dtype=float) - y) * y_scale
        hit = (px <= HIT_RADIUS_PX) & (py <= HIT_RADIUS_PX)
        if not np.any(hit):
            return None
        return int(np.argmin(np.where(hit, px**2 + py**2, np.inf)))

    def _on_press(self, event) -> None:
        """A long press on an observation (a finger, or the mouse button, held still on it) removes it."""
        if not (_plain_number(event.x) and _plain_number(event.y)):
            return
        index = self._observation_at(event.x, event.y)
        if index is None or index >= self.state.n:
            return
        value = float(self.state.observations[index])
        with pn.io.hold():
            self._clear_selection()
            self.state.remove_observations([index])
            self.state.notice = f"Removed observation {index + 1} ({exact_text(value)}). Undo brings it back."

    def _frame_size(self) -> tuple[int, int]:
        """The plot frame's size in pixels, as the browser reports it (a guess before it has)."""
        try:
            return self.figure.inner_width or 600, self.figure.inner_height or self.height
        except UnsetValueError:
            return 600, self.height

    def _on_browser_edit(self, attr, old, new) -> None:
        """Apply a drag or a delete done with the PointDrawTool in the browser to the state.

        Our own updates of the source can also arrive here, later than ``_set_source`` expects (Bokeh
        runs Python-side on_change callbacks when a ``pn.io.hold`` ends): they match the state and
        change nothing.
        """
        if self._updating_source or not self.shows_points:
            return
        with pn.io.hold():
            try:
                x, y = np.asarray(new["x"], dtype=float), np.asarray(new["y"], dtype=float)
                if x.ndim != 1 or x.shape != y.shape:
                    raise ValueError(f"columns of shapes {x.shape} and {y.shape}")
            except (KeyError, TypeError, ValueError) as error:
                self._refuse_browser_edit(f"the plot sent observations that are not numbers ({error})")
                return
            self._apply_browser_edit(x, y)

    def _refuse_browser_edit(self, reason: str) -> None:
        """Say why an edit from the browser was not applied, and show the state's observations again."""
        self.state.notice = f"Not changed: {reason}."
        self._set_source(lambda: setattr(self._observations, "data", self._observation_columns()))

    def _apply_browser_edit(self, x: np.ndarray, y: np.ndarray) -> None:
        current = self.state.observations
        if len(x) < len(current):
            removed = removed_positions(current, x)
            if len(removed) != len(current) - len(x):  # rows changed as well as removed: not a deletion
                self._refuse_browser_edit("the plot sent a deletion that also changed other observations")
                return
            selected, self._cleared_selection = self._cleared_selection, None
            if selected and removed != sorted(selected) and max(selected) < len(current):
                # A delete made before the browser heard of points added since (a click just before):
                # it removed its selection from the rows it had, and the new rows, at the end, stay.
                kept = np.delete(current, selected)
                if np.array_equal(kept[: len(x)], x):
                    removed = sorted(selected)
            self.state.remove_observations(removed)
            return
        if len(x) != len(current):
            self._refuse_browser_edit("observations are added by clicking on the plot or typing them")
            return
        moved = np.flatnonzero(x != current)
        try:
            targets = [self.snap(float(x[index])) for index in moved]
            # All checked before any moves, so that a refused one leaves the others where they were.
            for index, value in zip(moved, targets, strict=True):
                self.state.check_move(index, value)
            for index, value in zip(moved, targets, strict=True):
                self.state.move_observation(int(index), value)
        except ValueError as error:
            self.state.notice = f"Not moved: {error}."
            moved = ()  # put the dragged point back where the state has it
        shown = self._observation_columns()
        if not len(moved) and (np.any(y != shown["y"]) or np.any(x != shown["x"])):
            # Only the height changed, or the move was snapped or refused: show the state's positions.
            self._set_source(lambda: setattr(self._observations, "data", shown))

    # --- presentation mode (app.classroom) ----------------------------------------------------------
    #: Font sizes on a projector, by property. Absolute, not scaled: the dark theme writes its sizes in
    #: em, which already grow with the page's presentation font.
    PRESENTATION_FONTS = (
        ("axis_label_text_font_size", "20px"),
        ("major_label_text_font_size", "17px"),  # tick labels
        ("label_text_font_size", "17px"),  # the legend
    )
    #: Factors for line widths and marker sizes on a projector.
    PRESENTATION_SCALES = (("line_width", 2.0), ("size", 1.6))
    _normal_look: tuple | None = None

    def set_presentation(self, on: bool) -> None:
        """Large fonts, thick lines and big markers for a projector (``on``), or back to the normal look.

        Changes this session's figure in place. The normal values are read on the first call (with the
        page's theme applied by then), and both looks are computed from them.
        """
        fonts, scales = dict(self.PRESENTATION_FONTS), dict(self.PRESENTATION_SCALES)
        if self._normal_look is None:
            fig = self.figure
            texts = [fig.legend[0], *fig.xaxis, *fig.yaxis]  # the hint above the plot is HTML: the page's font
            glyphs = [renderer.glyph for renderer in fig.renderers] + [self._points.selection_glyph]
            self._normal_look = tuple(
                (model, name, getattr(model, name))
                for model in texts + glyphs
                for name in (*fonts, *scales)
                if name in model.properties() and (name in fonts or isinstance(getattr(model, name), int | float))
            )
        for model, name, normal in self._normal_look:
            setattr(model, name, (fonts.get(name) or normal * scales[name]) if on else normal)


def _density(log_density: np.ndarray) -> np.ndarray:
    """f = exp(ln f): inf, without an overflow warning, past the largest float (x = 5e-324 under a scale as small)."""
    with np.errstate(over="ignore"):
        return np.exp(log_density)


def _plain_number(value) -> bool:
    """Whether ``value`` is a finite number within the observations' limits (a click or a drag can mean it)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= MAX_MAGNITUDE


def stacked_heights(x: np.ndarray, n: int) -> np.ndarray:
    """Heights of a dot plot on the proportion scale: the j-th of the equal values at k sits at (j + ½)/n.

    A stack at k then reaches (count of k)/n, the observed proportion, level with the model's bar P(X = k).
    """
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    starts = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1]])
    rank_sorted = np.arange(x.size) - np.repeat(starts, np.diff(np.r_[starts, x.size]))
    rank = np.empty(x.size)
    rank[order] = rank_sorted
    return (rank + 0.5) / n
