"""The main plot: observations on the x axis, the model density over them, f(xᵢ) as segments.

Built once per session; every change updates its ColumnDataSources in place (``stream`` for
added points, ``patch`` for moved ones, a column update for new parameters). Past
``points_limit`` observations the points and segments give way to a histogram, so the browser
neither draws nor receives one glyph per observation.
"""

from __future__ import annotations

import numpy as np
import panel as pn
import param
from bokeh.core.property.descriptors import UnsetValueError
from bokeh.events import DoubleTap, Tap
from bokeh.models import (
    ColumnDataSource,
    HoverTool,
    PanTool,
    PointDrawTool,
    Range1d,
    ResetTool,
    WheelZoomTool,
)
from bokeh.plotting import figure

import mle_core

from .state import ExplorerState

#: How close (in screen pixels) a click must be to an observation to select it instead of adding one.
HIT_RADIUS_PX = 8
MARKER_SIZE = 11
CURVE_POINTS = 400
HISTOGRAM_BINS = 60

POINTS_TITLE = "Click to add an observation · drag one to move it · click one, then Backspace ⌫ removes it"
HISTOGRAM_TITLE = "{n:,} observations: drawn as a histogram (density scale), not one point each · click to add one more"


def _rows(source: ColumnDataSource) -> int:
    return len(next(iter(source.data.values()), ()))


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
    """Observations (click to add, drag to move, select + Backspace to remove) under the model density.

    Each observation stands on the x axis with a vertical segment up to the curve: its height is
    f(xᵢ | μ, σ), the factor it contributes to the likelihood.
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
        self._x_range = Range1d(*self._view_range())
        self._y_range = Range1d(-0.05, 1.0)
        self._observations = ColumnDataSource(self._observation_columns())
        self._histogram = ColumnDataSource({"left": [], "right": [], "count": [], "density": []})
        self._bin_counts = np.zeros(HISTOGRAM_BINS, dtype=np.int64)
        self._curve = ColumnDataSource({"x": [], "density": []})
        self._mle_curve = ColumnDataSource({"x": [], "density": []})
        self.figure = self._make_figure()
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
        self.state.param.watch(self._on_parameters, ["mu", "sigma"])
        self.state.param.watch(self._on_observations, ["observations"])
        self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")
        self.remove_button.on_click(lambda _: self.remove_selected())
        self._observations.selected.on_change("indices", self._on_selection)

    def __panel__(self):
        return pn.Column(self._pane, self.remove_button, sizing_mode="stretch_width")

    @property
    def shows_points(self) -> bool:
        """Whether observations are drawn one by one (else as a histogram)."""
        return self.state.n <= self.points_limit

    # --- building ----------------------------------------------------------------------------
    def _make_figure(self):
        fig = figure(
            height=self.height,
            sizing_mode="stretch_width",
            x_range=self._x_range,
            y_range=self._y_range,
            tools=[],
            title=POINTS_TITLE,
            x_axis_label="x (observation value)",
            y_axis_label="density f(x | μ, σ)",
        )
        fig.title.text_font_style = "normal"
        self._bars = fig.quad(
            left="left",
            right="right",
            bottom=0,
            top="density",
            source=self._histogram,
            fill_color="#d62728",
            fill_alpha=0.35,
            line_color="#d62728",
            legend_label="observations (histogram)",
        )
        fig.line(
            "x",
            "density",
            source=self._mle_curve,
            color="#999999",
            line_dash="dashed",
            line_width=2,
            legend_label="best fit N(μ̂, σ̂²)",
        )
        fig.line("x", "density", source=self._curve, color="#1f77b4", line_width=3, legend_label="model N(μ, σ²)")
        self._segments = fig.segment(
            x0="x",
            y0="y",
            x1="x",
            y1="density",
            source=self._observations,
            color="#d62728",
            line_width=2,
            legend_label="f(xᵢ): each point's density",
        )
        self._points = points = fig.scatter(
            "x",
            "y",
            source=self._observations,
            size=MARKER_SIZE,
            color="#d62728",
            line_color="white",
            legend_label="observations xᵢ",
        )
        points.selection_glyph = points.glyph.clone(fill_color="#ff7f0e", line_color="black", line_width=2)
        legend = fig.legend[0]
        fig.center.remove(legend)
        legend.update(orientation="horizontal", location="center", label_text_font_size="11px", spacing=12)
        fig.add_layout(legend, "below")
        draw = PointDrawTool(renderers=[points], add=False, drag=True, description="Drag or delete observations")
        hover_points = HoverTool(
            renderers=[points],
            tooltips=[("xᵢ", "@x{0.000}"), ("f(xᵢ)", "@density{0.0000}"), ("ln f(xᵢ)", "@log_density{0.000}")],
        )
        hover_bars = HoverTool(
            renderers=[self._bars],
            tooltips=[("bin", "[@left{0.000}, @right{0.000})"), ("observations", "@count"), ("density", "@density")],
        )
        fig.add_tools(draw, hover_points, hover_bars, PanTool(), WheelZoomTool(), ResetTool())
        fig.toolbar.active_drag = draw
        fig.toolbar.active_tap = draw
        fig.toolbar.active_scroll = None
        return fig

    def _view_range(self) -> tuple[float, float]:
        start, end = self.state.param.mu.bounds
        pad = 0.05 * (end - start)
        return start - pad, end + pad

    def _observation_columns(self, indices=None) -> dict:
        if indices is None:
            x = self.state.observations if self.shows_points else np.empty(0)
        else:
            x = self.state.observations[list(indices)]
        log_density = self._log_densities(x)
        return {"x": x, "y": np.zeros(len(x)), "density": np.exp(log_density), "log_density": log_density}

    def _log_densities(self, x: np.ndarray, **params) -> np.ndarray:
        params = params or {"mu": self.state.mu, "sigma": self.state.sigma}
        return mle_core.log_densities(self.state.family, x, **params)

    # --- updating in place --------------------------------------------------------------------
    def _set_source(self, update):
        self._updating_source = True
        try:
            update()
        finally:
            self._updating_source = False

    def _show_mode(self) -> None:
        """Show points and segments, or the histogram, whichever fits the number of observations."""
        points = self.shows_points
        self._points.visible = self._segments.visible = points
        self._bars.visible = not points
        self.remove_button.visible = points
        self._sync_legend()
        self.figure.title.text = POINTS_TITLE if points else HISTOGRAM_TITLE.format(n=self.state.n)
        if not points:
            self._bin_counts = self._count_in_bins(self.state.observations)
            self._update_histogram()

    def _sync_legend(self) -> None:
        """List only what is drawn: a hidden or empty renderer would get an item with an empty swatch."""
        for item in self.figure.legend[0].items:
            item.visible = all(renderer.visible and _rows(renderer.data_source) for renderer in item.renderers)

    def _bin_edges(self) -> np.ndarray:
        return np.linspace(self._x_range.start, self._x_range.end, HISTOGRAM_BINS + 1)

    def _count_in_bins(self, x: np.ndarray) -> np.ndarray:
        return np.histogram(x, bins=self._bin_edges())[0]

    def _update_histogram(self) -> None:
        edges = self._bin_edges()
        # Density scale (count / (n · width)), so that the bars and the model curve share the y axis.
        density = self._bin_counts / (max(self.state.n, 1) * (edges[1] - edges[0]))
        self._histogram.data = {"left": edges[:-1], "right": edges[1:], "count": self._bin_counts, "density": density}

    def _update_curves(self, model: bool = True, mle: bool = True) -> None:
        """Redraw the model curve (it follows μ, σ and the view) and/or the best-fit curve (the data)."""
        grid = np.linspace(self._x_range.start, self._x_range.end, CURVE_POINTS)
        if model:
            self._curve.data = {"x": grid, "density": np.exp(self._log_densities(grid))}
        if mle:
            fit = self.state.mle
            if fit is not None and fit.converged:
                best = np.exp(self._log_densities(grid, **fit.params))
            else:
                best = np.array([])
            self._mle_curve.data = {"x": grid[: best.size], "density": best}
            self._sync_legend()
        heights = [self._curve.data["density"], self._mle_curve.data["density"]]
        if not self.shows_points:
            heights.append(self._histogram.data["density"])
        peak = max((float(np.max(h)) for h in heights if len(h)), default=0.0)
        if peak > 0 and np.isfinite(peak):  # with nothing in view (the curve is 0 here), keep the axis
            self._y_range.update(start=-0.06 * peak, end=1.12 * peak)

    def _on_parameters(self, *_):
        if self.shows_points:
            log_density = self._log_densities(self.state.observations)
            self._set_source(
                lambda: self._observations.data.update(density=np.exp(log_density), log_density=log_density)
            )
        self._update_curves(mle=False)

    def _on_observations(self, event):
        change = self.state.last_change
        if change.kind != "append":
            # Indices chosen in the old data would point at other observations (or none) now.
            self._clear_selection()
        was_points = len(event.old) <= self.points_limit
        view_changed = self._fit_view(change)
        if self.shows_points != was_points:
            self._set_source(lambda: setattr(self._observations, "data", self._observation_columns()))
            self._show_mode()
        elif not self.shows_points:
            if change.kind == "append" and not view_changed:
                self._bin_counts = self._bin_counts + self._count_in_bins(self.state.observations[list(change.indices)])
            else:
                self._bin_counts = self._count_in_bins(self.state.observations)
            self.figure.title.text = HISTOGRAM_TITLE.format(n=self.state.n)
            self._update_histogram()
        elif change.kind == "append":
            self._set_source(lambda: self._observations.stream(self._observation_columns(change.indices)))
        elif change.kind == "move":
            columns = self._observation_columns(change.indices)
            patches = {name: [(i, columns[name][k]) for k, i in enumerate(change.indices)] for name in columns}
            self._set_source(lambda: self._observations.patch(patches))
        else:
            self._set_source(lambda: setattr(self._observations, "data", self._observation_columns()))
        self._update_curves(model=view_changed)

    def _fit_view(self, change) -> bool:
        """Make the x range show the observations; return whether it changed.

        A new data set gets a fresh view (the μ slider's range, and all the data); otherwise the view
        only grows, and only when observations fall outside it (typed values, an undone removal), so
        a student's own zoom or pan is kept.
        """
        current = (self._x_range.start, self._x_range.end)
        start, end = self._view_range() if change.kind == "replace" else current
        x = self.state.observations
        if change.kind == "append":
            x = x[list(change.indices)]
        if change.kind != "move" and x.size:
            low, high = float(x.min()), float(x.max())
            if low < start or high > end:
                pad = 0.05 * (max(end, high) - min(start, low))
                start, end = min(start, low - pad), max(end, high + pad)
        if (start, end) == current:
            return False
        self._fitting_view = True
        try:
            self._x_range.update(start=start, end=end)
        finally:
            self._fitting_view = False
        return True

    def _on_view_change(self, attr, old, new):
        if self._fitting_view:
            return  # the observations' watcher redraws once the view is set
        if not self.shows_points:
            self._bin_counts = self._count_in_bins(self.state.observations)
            self._update_histogram()
        self._update_curves()

    def _on_selection(self, attr, old, new):
        self.remove_button.disabled = not new

    def _clear_selection(self) -> None:
        # The button is set here too: inside ``pn.io.hold`` Bokeh defers Python-side on_change
        # callbacks, and Panel's direct dispatch of the held events never runs them.
        self._observations.selected.indices = []
        self.remove_button.disabled = True

    # --- what the student does ----------------------------------------------------------------
    def _on_tap(self, event) -> None:
        if self._hits_observation(event.x, event.y):
            return  # a click on a point selects it (PointDrawTool) rather than adding another
        with pn.io.hold():  # one message to the browser for the point, the curve and the readout
            self.state.add_observations([event.x])

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
        if not self.shows_points or self.state.n == 0:
            return False
        width, height = self._frame_size()
        x_tolerance = HIT_RADIUS_PX * (self._x_range.end - self._x_range.start) / width
        y_tolerance = HIT_RADIUS_PX * (self._y_range.end - self._y_range.start) / height
        if abs(y) > y_tolerance:
            return False
        return bool(np.any(np.abs(self.state.observations - x) <= x_tolerance))

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
            self._apply_browser_edit(np.asarray(new["x"], dtype=float), np.asarray(new["y"], dtype=float))

    def _apply_browser_edit(self, x: np.ndarray, y: np.ndarray) -> None:
        current = self.state.observations
        if len(x) < len(current):
            self.state.remove_observations(removed_positions(current, x))
        elif len(x) == len(current):
            moved = np.flatnonzero(x != current)
            for index in moved:
                self.state.move_observation(int(index), float(x[index]))
            if not moved.size and np.any(y != 0):
                # Only the height changed: put the point back on the axis.
                self._set_source(lambda: self._observations.data.update(y=np.zeros(len(x))))
