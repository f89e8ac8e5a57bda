"""The main plot: observations on the x axis, the model density over them, f(xᵢ) as segments.

Built once per session; every change updates its ColumnDataSources in place (``stream`` for
added points, ``patch`` for moved ones, a column update for new parameters).
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
    """Observations (click to add, drag to move, select + Delete to remove) under the model density.

    Each observation stands on the x axis with a vertical segment up to the curve: its height is
    f(xᵢ | μ, σ), the factor it contributes to the likelihood.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")
    height = param.Integer(default=420, doc="Plot height in pixels.")

    def __init__(self, **params):
        super().__init__(**params)
        self._updating_source = False
        x_start, x_end = self._view_range()
        self._x_range = Range1d(x_start, x_end)
        self._y_range = Range1d(-0.05, 1.0)
        self._observations = ColumnDataSource(self._observation_columns())
        self._curve = ColumnDataSource({"x": [], "density": []})
        self._mle_curve = ColumnDataSource({"x": [], "density": []})
        self.figure = self._make_figure()
        self._update_curves()
        self._observations.on_change("data", self._on_browser_edit)
        self._x_range.on_change("start", self._on_view_change)
        self._x_range.on_change("end", self._on_view_change)
        self.figure.on_event(Tap, self._on_tap)
        self.figure.on_event(DoubleTap, self._on_tap)  # BokehJS sends no Tap for a second quick click
        self.state.param.watch(self._on_parameters, ["mu", "sigma"])
        self.state.param.watch(self._on_observations, ["observations"])
        self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")

    def __panel__(self):
        return self._pane

    # --- building ----------------------------------------------------------------------------
    def _make_figure(self):
        fig = figure(
            height=self.height,
            sizing_mode="stretch_width",
            x_range=self._x_range,
            y_range=self._y_range,
            tools=[],
            title="Click to add an observation · drag one to move it · select one and press Delete to remove it",
            x_axis_label="x (observation value)",
            y_axis_label="density f(x | μ, σ)",
        )
        fig.title.text_font_style = "normal"
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
        segments = fig.segment(
            x0="x",
            y0="y",
            x1="x",
            y1="density",
            source=self._observations,
            color="#d62728",
            line_width=2,
            legend_label="f(xᵢ): each point's density",
        )
        points = fig.scatter(
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
        hover = HoverTool(
            renderers=[points, segments],
            tooltips=[("xᵢ", "@x{0.000}"), ("f(xᵢ)", "@density{0.0000}"), ("ln f(xᵢ)", "@log_density{0.000}")],
        )
        fig.add_tools(draw, hover, PanTool(), WheelZoomTool(), ResetTool())
        fig.toolbar.active_drag = draw
        fig.toolbar.active_tap = draw
        fig.toolbar.active_scroll = None
        return fig

    def _view_range(self) -> tuple[float, float]:
        start, end = self.state.param.mu.bounds
        pad = 0.05 * (end - start)
        return start - pad, end + pad

    def _observation_columns(self, indices=None) -> dict:
        x = self.state.observations if indices is None else self.state.observations[list(indices)]
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

    def _update_curves(self, mle_too: bool = True) -> None:
        grid = np.linspace(self._x_range.start, self._x_range.end, CURVE_POINTS)
        density = np.exp(self._log_densities(grid))
        self._curve.data = {"x": grid, "density": density}
        peak = float(density.max())
        mle = self.state.mle
        if mle_too:
            if mle is not None and mle.converged:
                best = np.exp(self._log_densities(grid, **mle.params))
            else:
                best = np.array([])
            self._mle_curve.data = {"x": grid[: best.size], "density": best}
        if len(self._mle_curve.data["density"]):
            peak = max(peak, float(np.max(self._mle_curve.data["density"])))
        self._y_range.update(start=-0.06 * peak, end=1.12 * peak)

    def _on_parameters(self, *_):
        log_density = self.state.log_densities()
        self._set_source(lambda: self._observations.data.update(density=np.exp(log_density), log_density=log_density))
        self._update_curves(mle_too=False)

    def _on_observations(self, *_):
        change = self.state.last_change
        if change.kind == "append":
            self._set_source(lambda: self._observations.stream(self._observation_columns(change.indices)))
        elif change.kind == "move":
            columns = self._observation_columns(change.indices)
            patches = {name: [(i, columns[name][k]) for k, i in enumerate(change.indices)] for name in columns}
            self._set_source(lambda: self._observations.patch(patches))
        else:
            self._set_source(lambda: setattr(self._observations, "data", self._observation_columns()))
            if change.kind == "replace":  # a new data set: show all of it
                self._x_range.update(**dict(zip(("start", "end"), self._view_range(), strict=True)))
        self._update_curves()

    def _on_view_change(self, attr, old, new):
        self._update_curves()

    # --- what the student does ----------------------------------------------------------------
    def _on_tap(self, event) -> None:
        if self._hits_observation(event.x, event.y):
            return  # a click on a point selects it (PointDrawTool) rather than adding another
        self.state.add_observations([event.x])

    def _hits_observation(self, x: float, y: float) -> bool:
        width, height = self._frame_size()
        x_tolerance = HIT_RADIUS_PX * (self._x_range.end - self._x_range.start) / width
        y_tolerance = HIT_RADIUS_PX * (self._y_range.end - self._y_range.start) / height
        if abs(y) > y_tolerance or self.state.n == 0:
            return False
        return bool(np.any(np.abs(self.state.observations - x) <= x_tolerance))

    def _frame_size(self) -> tuple[int, int]:
        """The plot frame's size in pixels, as the browser reports it (a guess before it has)."""
        try:
            return self.figure.inner_width or 600, self.figure.inner_height or self.height
        except UnsetValueError:
            return 600, self.height

    def _on_browser_edit(self, attr, old, new) -> None:
        """Apply a drag or a delete done with the PointDrawTool in the browser to the state."""
        if self._updating_source:
            return
        x = np.asarray(new["x"], dtype=float)
        current = self.state.observations
        if len(x) < len(current):
            self.state.remove_observations(removed_positions(current, x))
        elif len(x) == len(current):
            moved = np.flatnonzero(x != current)
            for index in moved:
                self.state.move_observation(int(index), float(x[index]))
            if not moved.size:
                # Only the height changed: put the point back on the axis.
                self._set_source(lambda: self._observations.data.update(y=np.zeros(len(x))))
