"""The likelihood landscape: ℓ along each parameter, ℓ over two parameters.

Two views, composed with L next to ℓ and each point's share (``app.sum_of_logs``), the climb
(``app.climb``) and "How sure?" (``app.uncertainty``) in ``LandscapePanel``:

- ``LikelihoodSlices``: ℓ along each parameter with the others held where the sliders are, the
  current value marked, the tangent there (slope = the score ∂ℓ/∂θⱼ). Click on a slice or drag its
  dot to move that slider.
- ``LikelihoodSurface``: ℓ − ℓ̂ over a grid of two parameters (two-parameter families), the current
  point, the MLE, the climb's path; a click sets both sliders to the clicked cell.

Everything is built once per session and updated in place. Everything is evaluated from the
family's sufficient statistics (``mle_core.inference``), vectorised over the grid. On a slider
step only what depends on θ moves: the dots, the tangents, and the slice whose fixed parameters
changed; the surface is recomputed when the data, the family or the sliders' ranges change. A
view that is out of sight (a closed tab, a collapsed card) does no work until it is shown again.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import panel as pn
import param
from bokeh.events import DoubleTap, Tap
from bokeh.models import (
    BoxAnnotation,
    ColorBar,
    ColumnDataSource,
    HoverTool,
    Label,
    Line,
    LinearColorMapper,
    PointDrawTool,
    Range1d,
    Scatter,
    Segment,
    Span,
    Title,
)
from bokeh.plotting import figure
from bokeh.plotting.contour import contour_data

import mle_core
from mle_core import inference

from .assets import stylesheet
from .climb import ClimbControls
from .numbers import equals, format_axes, hover_formatter, number, parameter
from .overlays import (
    JOINT_DROP,
    MAX_PARAMETERS,
    PROFILE_DROP,
    LandscapeOverlays,
    LazyView,
    display,
    finite_mle,
)
from .state import ExplorerState
from .sum_of_logs import LikelihoodVersusLog, PointContributions
from .theme import palette, requested_theme
from .uncertainty import HowSure

#: Points per slice (fewer for families whose ℓ costs a pass over the data: see ``grid_points``).
SLICE_POINTS = 200
#: At most this many terms n × points per slice or surface row for such families (Weibull).
TERM_BUDGET = 400_000
#: Cells per side of the surface.
SURFACE_POINTS = 120
#: The surface's colours run from ℓ̂ − 20 (dark) to ℓ̂ (bright); lower values get the darkest colour.
SURFACE_FLOOR = -20.0
#: The tangent is drawn over this fraction of the slice's width either side of the dot.
TANGENT_HALF_WIDTH = 0.12
#: Above this many terms per ℓ evaluation, the tangent's slope comes from a five-point difference of ℓ
#: (8 evaluations) instead of ``inference.score`` (dozens): Weibull with thousands of points.
CHEAP_TERMS = 1_000

SLICES_TEXT = """
**Slices.** Each curve is ℓ along one parameter, the others held where their sliders are. The dot is
where you are; the green line is the **tangent**, whose slope is the **score** ∂ℓ/∂θ: positive means
"go right to climb", and at the top it is 0. **Click** on a slice, or **drag its dot**, to move that slider.
The red points of a climb sit off a slice's curve when the climb moved the other parameter too: each step
changes every parameter at once, while the curve holds the others where the sliders are now. Only the
climb's last point, where the sliders are, is on both curves.
"""
SURFACE_TEXT = """
**Surface.** ℓ over both parameters, as its distance below the maximum ℓ − ℓ̂: brighter is more likely,
everything below ℓ̂ − 20 is dark. ○ is where the sliders are, the red line a climb's path. Once the best fit
is shown: ★ is the MLE, ◆ the true values (when known), the solid white line is where
ℓ is 1.92 below ℓ̂ (its shadow on either axis is that parameter's 95 % profile interval) and the dashed one
(3.00 below) encloses the joint 95 % region. **Click anywhere** to set both sliders to that cell.
"""
ONE_PARAMETER_TEXT = (
    "This family has one parameter, so the slice below *is* the whole likelihood landscape: "
    "there is no surface to draw."
)
INTRODUCTION = """
The maximum likelihood estimate is the top of a hill: ℓ(θ) over every possible θ. Here is that hill for
your data, and below it ways to climb it, to judge how sharp its top is, and to see why we take logs.
"""


# --- numbers shared by the views -------------------------------------------------------------------
def evaluation_terms(state: ExplorerState) -> int:
    """How many terms one evaluation of ℓ costs: 1 from fixed-size statistics, n where they hold the data (Weibull)."""
    return state.n if isinstance(getattr(state.statistics, "observations", None), np.ndarray) else 1


def grid_points(state: ExplorerState, wanted: int) -> int:
    """Points for a slice or a surface side: ``wanted``, or fewer when each ℓ costs a pass over many points."""
    return int(max(41, min(wanted, TERM_BUDGET // max(evaluation_terms(state), 1))))


def slider_range(state: ExplorerState, name: str) -> tuple[float, float]:
    """The range of the slider of parameter ``name``."""
    start, end = state.model.param[name].bounds
    return float(start), float(end)


def _log_likelihood_at(state: ExplorerState, theta: dict) -> float:
    try:
        with np.errstate(all="ignore"):
            return float(mle_core.log_likelihood(state.family, state.statistics, **theta, **state.constants))
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def local_derivatives(
    state: ExplorerState, theta: dict | None = None, curvature: bool = False
) -> tuple[dict[str, float], dict[str, float]]:
    """Return (∂ℓ/∂θⱼ, ∂²ℓ/∂θⱼ²) at ``theta`` (the sliders by default), parameter name → value.

    From ``inference.score`` and ``inference.observed_information`` (closed forms for the Gaussian,
    extrapolated differences otherwise) when ℓ is cheap; for a family whose ℓ costs a pass over many
    observations, from five-point central differences of ℓ along each parameter (about 1e-9
    relative). The second derivatives are computed only with ``curvature``. nan where not defined
    (on a closed end of the parameter space).
    """
    theta = dict(state.theta if theta is None else theta)
    names = state.family_spec.parameter_names
    first = dict.fromkeys(names, math.nan)
    second = dict.fromkeys(names, math.nan)
    if state.n == 0:  # ℓ ≡ 0
        return dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
    if evaluation_terms(state) <= CHEAP_TERMS:
        try:
            with np.errstate(all="ignore"):
                first = inference.score(state.family, state.statistics, **theta, **state.constants)
                if curvature:
                    information = inference.observed_information(
                        state.family, state.statistics, **theta, **state.constants
                    )
                    second = {name: -float(information[j, j]) for j, name in enumerate(names)}
        except (ValueError, np.linalg.LinAlgError):
            pass
        return first, second
    centre = _log_likelihood_at(state, theta)
    for p in state.family_spec.parameters:
        start, end = slider_range(state, p.name)
        value = theta[p.name]
        h = 1e-4 * (end - start)
        if not (p.lower < value - 2 * h and value + 2 * h < p.upper):
            continue
        f = [_log_likelihood_at(state, {**theta, p.name: value + k * h}) for k in (-2, -1, 1, 2)]
        first[p.name] = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
        if curvature:
            second[p.name] = (-f[0] + 16 * f[1] - 30 * centre + 16 * f[2] - f[3]) / (12 * h * h)
    return first, second


# --- slices ----------------------------------------------------------------------------------------
class _Slice:
    """The Bokeh objects of one slice figure (one per parameter slot), built once."""

    def __init__(self, slot: int):
        self.slot = slot
        self.name: str | None = None
        self.others: dict | None = None
        self.bounds: tuple[float, float] | None = None
        self.values = np.empty(0)
        self.grid = np.empty(0)
        self.x_range = Range1d(0.0, 1.0)
        self.y_range = Range1d(-1.0, 0.0)
        self.curve = ColumnDataSource({"x": [], "y": []})
        self.point = ColumnDataSource({"x": [], "y": [], "x0": [], "y0": [], "x1": [], "y1": []})
        self.quadratic = ColumnDataSource({"x": [], "y": []})
        self.path = ColumnDataSource({"x": [], "y": []})
        self.profile = ColumnDataSource({"x": [], "y": []})
        self.parabola = ColumnDataSource({"x": [], "y": []})
        self.whisker = ColumnDataSource({"base": [], "lower": [], "upper": []})
        colors = palette(requested_theme())
        fig = figure(
            height=210,
            sizing_mode="stretch_width",
            x_range=self.x_range,
            y_range=self.y_range,
            tools=[],
            toolbar_location=None,
            name=f"likelihood-slice-{slot}",
            y_axis_label="ℓ",
        )
        fig.title.text_font_style = "normal"
        fig.title.text_font_size = "11px"
        # Two title lines: what the curve is (on top), and the slope at the dot (changes with every step).
        self.heading = Title(text="", text_font_style="normal", text_font_size="12px")
        fig.add_layout(self.heading, "above")
        self.wald_band = BoxAnnotation(left=0, right=0, fill_color=colors.wald, fill_alpha=0.10, visible=False)
        self.cut = Span(dimension="width", location=0, line_color=colors.profile, line_dash="dotted", visible=False)
        fig.add_layout(self.wald_band)
        fig.add_layout(self.cut)
        fig.add_glyph(self.parabola, Line(x="x", y="y", line_color=colors.wald, line_dash="dotted", line_width=2))
        fig.add_glyph(self.profile, Line(x="x", y="y", line_color=colors.profile, line_dash="dashed", line_width=2))
        self.curve_renderer = fig.add_glyph(self.curve, Line(x="x", y="y", line_color=colors.likelihood, line_width=3))
        fig.add_glyph(self.quadratic, Line(x="x", y="y", line_color=colors.quadratic, line_dash="dashed", line_width=2))
        fig.add_glyph(self.path, Line(x="x", y="y", line_color=colors.climb, line_width=1.5, line_alpha=0.7))
        fig.add_glyph(self.path, Scatter(x="x", y="y", fill_color=colors.climb, line_color=colors.climb, size=5))
        # The profile interval, as a thick bar on the line ℓ̂ − 1.92 between its ends.
        bar = Segment(x0="lower", y0="base", x1="upper", y1="base", line_color=colors.profile, line_width=4)
        fig.add_glyph(self.whisker, bar)
        ends = Scatter(x="lower", y="base", marker="dash", angle=math.pi / 2, size=14, line_color=colors.profile)
        fig.add_glyph(self.whisker, ends, name="profile-lower-end")
        fig.add_glyph(self.whisker, ends.clone(x="upper"), name="profile-upper-end")
        tangent = Segment(x0="x0", y0="y0", x1="x1", y1="y1", line_color=colors.tangent, line_width=3)
        fig.add_glyph(self.point, tangent)
        dot = Scatter(
            x="x", y="y", size=13, fill_color=colors.current_point, line_color=colors.marker_outline, line_width=2
        )
        self.marker = fig.add_glyph(self.point, dot)
        self.note = Label(x=6, y=6, x_units="screen", y_units="screen", text="", text_font_size="11px")
        fig.add_layout(self.note)
        self.draw = PointDrawTool(renderers=[self.marker], add=False, drag=True, description="Drag the dot")
        fig.add_tools(self.draw)
        fig.toolbar.active_drag = self.draw
        fig.toolbar.active_tap = self.draw
        format_axes(fig)
        self.figure = fig
        self.pane = pn.pane.Bokeh(fig, sizing_mode="stretch_width")


class LikelihoodSlices(LazyView):
    """ℓ along each parameter (the others fixed at the sliders), the dot where θ is, the tangent (the score).

    A click on a slice sets that parameter; dragging the dot moves it. The path of a climb, Newton's
    quadratic approximation, and the Wald and profile intervals are drawn here when the other views
    provide them (``overlays``).
    """

    overlays = param.ClassSelector(class_=LandscapeOverlays, doc="What the climb and How sure? draw here.")

    def __init__(self, **params):
        params.setdefault("overlays", LandscapeOverlays())
        super().__init__(**params)
        self._updating = False
        self.slices = [_Slice(slot) for slot in range(MAX_PARAMETERS)]
        for piece in self.slices:
            piece.figure.on_event(Tap, functools.partial(self._on_tap, piece))
            piece.figure.on_event(DoubleTap, functools.partial(self._on_tap, piece))
            piece.point.on_change("data", functools.partial(self._on_drag, piece))
        self.overlays.param.watch(self._on_path, ["path"])
        self.overlays.param.watch(self._on_quadratic, ["quadratic"])
        self.overlays.param.watch(self._on_intervals, ["intervals", "profiles", "peak"])
        self._layout = pn.Column(*(piece.pane for piece in self.slices), sizing_mode="stretch_width")
        self.refresh()

    def __panel__(self):
        return self._layout

    @property
    def shown(self) -> list[_Slice]:
        """The slices in use: one per parameter of the family."""
        return [piece for piece in self.slices if piece.name is not None]

    def slice_for(self, name: str) -> _Slice:
        """The slice of parameter ``name``."""
        return next(piece for piece in self.slices if piece.name == name)

    # --- drawing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        family = self.state.family_spec
        for piece in self.slices:
            p = family.parameters[piece.slot] if piece.slot < len(family.parameters) else None
            piece.name = None if p is None else p.name
            piece.pane.visible = p is not None
            piece.others = None
            piece.bounds = None
            if p is not None:
                piece.figure.xaxis.axis_label = f"{p.symbol} ({p.description.split(':')[0].split('(')[0].strip()})"
        self.update_theta()
        self._draw_path()
        self._draw_quadratic()
        self._draw_intervals()

    def update_theta(self) -> None:
        state = self.state
        slope, second = local_derivatives(state, curvature=self.overlays.quadratic)
        for piece in self.shown:
            bounds = slider_range(state, piece.name)
            others = {name: value for name, value in state.theta.items() if name != piece.name}
            if bounds != piece.bounds or others != piece.others:
                self._draw_curve(piece, bounds, others)
            self._draw_point(piece, slope[piece.name])
        if self.overlays.quadratic:
            self._draw_quadratic(slope, second)
        for piece in self.shown:
            self._fit_y(piece)

    def _draw_curve(self, piece: _Slice, bounds: tuple[float, float], others: dict) -> None:
        state = self.state
        piece.bounds, piece.others = bounds, others
        if piece.x_range.start != bounds[0] or piece.x_range.end != bounds[1]:
            piece.x_range.update(start=bounds[0], end=bounds[1])
        grid = np.linspace(bounds[0], bounds[1], grid_points(state, SLICE_POINTS))
        try:
            values = inference.log_likelihood_slice(
                state.family, state.statistics, piece.name, grid, **others, **state.constants
            )
        except ValueError:
            values = np.full(grid.size, np.nan)
        piece.grid, piece.values = grid, values
        piece.curve.data = {"x": grid, "y": display(values)}
        spec = state.family_spec.parameters[piece.slot]
        held = ", ".join(
            f"{p.symbol} = {parameter(state.theta[p.name], state.model.param[p.name].step)}"
            for p in state.family_spec.parameters
            if p.name != piece.name
        )
        piece.heading.text = f"ℓ along {spec.symbol}" + (f" ({held} fixed)" if held else "")

    def _draw_point(self, piece: _Slice, slope: float) -> None:
        state = self.state
        x = float(state.theta[piece.name])
        y = float(state.log_likelihood)
        half = TANGENT_HALF_WIDTH * (piece.x_range.end - piece.x_range.start)
        if math.isfinite(y) and math.isfinite(slope):
            x0, x1, y0, y1 = x - half, x + half, y - slope * half, y + slope * half
        else:
            x0 = x1 = y0 = y1 = math.nan
        data = {"x": [x], "y": [y if math.isfinite(y) else math.nan], "x0": [x0], "y0": [y0], "x1": [x1], "y1": [y1]}
        self._set(piece.point, data)
        symbol = state.family_spec.parameters[piece.slot].symbol
        at = parameter(x, state.model.param[piece.name].step)
        # Rounding noise: a slope that would move ℓ by a billionth of its size across the slider's whole range.
        noise = 1e-9 * max(1.0, abs(y)) / max(piece.x_range.end - piece.x_range.start, 1e-300)
        piece.figure.title.text = f"tangent slope ∂ℓ/∂{symbol} {equals(number(slope, noise=noise))} at {symbol} = {at}"

    def _set(self, source: ColumnDataSource, data: dict) -> None:
        self._updating = True
        try:
            source.data = data
        finally:
            self._updating = False

    def _fit_y(self, piece: _Slice) -> None:
        """The y range: the top of the curve and everything that must be seen, but not ℓ → −∞ at the ends."""
        values = piece.values[np.isfinite(piece.values)]
        must = [self.state.log_likelihood]
        path = self.overlays.path
        if path and piece.name in path[0].theta:
            must += [point.log_likelihood for point in path]
        if self.overlays.peak is not None and piece.name in self.overlays.intervals:
            must += [self.overlays.peak, self.overlays.peak - PROFILE_DROP - 0.5]
        must = [value for value in must if math.isfinite(value)]
        if not values.size and not must:
            low, high = -1.0, 0.0
        else:
            high = max([*must, float(values.max()) if values.size else -math.inf])
            lowest_needed = min(must) if must else high
            floor = high - max(20.0, 1.3 * (high - lowest_needed))
            low = max(float(values.min()) if values.size else lowest_needed, floor)
            low = min(low, lowest_needed)
        if not high > low:
            low, high = low - 1.0, high + 1.0
        pad = 0.06 * (high - low)
        start, end = low - pad, high + pad
        if (piece.y_range.start, piece.y_range.end) != (start, end):
            piece.y_range.update(start=start, end=end)

    def _on_path(self, *_):
        if not self.active:
            self._stale = True
            return
        self._draw_path()
        for piece in self.shown:
            self._fit_y(piece)

    def _draw_path(self) -> None:
        path = self.overlays.path
        if path and set(path[0].theta) != set(self.state.family_spec.parameter_names):
            path = []  # drawn for another family: the climb clears it next
        for piece in self.slices:
            if piece.name is None or not path:
                piece.path.data = {"x": [], "y": []}
                continue
            piece.path.data = {
                "x": [point.theta[piece.name] for point in path],
                "y": display([point.log_likelihood for point in path]),
            }

    def _on_quadratic(self, *_):
        if not self.active:
            self._stale = True
            return
        self._draw_quadratic()

    def _draw_quadratic(self, slope: dict | None = None, second: dict | None = None) -> None:
        """Newton's local model ℓ(θ) + g·Δ − ½·I·Δ² along each slice, where g = ∂ℓ/∂θⱼ and I = −∂²ℓ/∂θⱼ²."""
        if not self.overlays.quadratic:
            for piece in self.slices:
                if len(piece.quadratic.data["x"]):
                    piece.quadratic.data = {"x": [], "y": []}
            return
        if slope is None or second is None:
            slope, second = local_derivatives(self.state, curvature=True)
        ell = self.state.log_likelihood
        for piece in self.shown:
            x = self.state.theta[piece.name]
            grid = piece.grid if piece.grid.size else np.linspace(*slider_range(self.state, piece.name), 100)
            delta = grid - x
            with np.errstate(all="ignore"):  # nan derivatives (on a closed end): no curve
                y = ell + slope[piece.name] * delta + 0.5 * second[piece.name] * delta * delta
            piece.quadratic.data = {"x": grid, "y": display(y)}

    def _on_intervals(self, *_):
        if not self.active:
            self._stale = True
            return
        self._draw_intervals()
        for piece in self.shown:
            self._fit_y(piece)

    def _draw_intervals(self) -> None:
        intervals, profiles, peak = self.overlays.intervals, self.overlays.profiles, self.overlays.peak
        for piece in self.slices:
            pair = intervals.get(piece.name) if piece.name is not None and peak is not None else None
            wald = pair.wald if pair is not None else None
            profile = pair.profile if pair is not None else None
            has_wald = wald is not None and math.isfinite(wald.lower) and math.isfinite(wald.upper)
            piece.wald_band.visible = has_wald
            piece.note.text = ""
            if has_wald:
                piece.wald_band.update(left=wald.lower, right=wald.upper)
                grid = piece.grid if piece.grid.size else np.linspace(wald.lower, wald.upper, 100)
                # The Wald interval is where this parabola (ℓ̂ − (θ − θ̂)²/(2 SE²)) drops 1.92 below ℓ̂.
                parabola = peak - 0.5 * ((grid - wald.estimate) / wald.standard_error) ** 2
                piece.parabola.data = {"x": grid, "y": parabola}
                start, end = piece.x_range.start, piece.x_range.end
                symbol = self.state.family_spec.parameters[piece.slot].symbol
                step = self.state.model.param[piece.name].step
                outside = []
                if wald.lower < start:
                    outside.append(f"lower end {parameter(wald.lower, step)}")
                if wald.upper > end:
                    outside.append(f"upper end {parameter(wald.upper, step)}")
                if outside:
                    note = " and ".join(outside)
                    if wald.leaves_parameter_space:
                        note += f": outside the possible values of {symbol}"
                    piece.note.text = f"Wald interval's {note} (off the axis)"
            elif len(piece.parabola.data["x"]):
                piece.parabola.data = {"x": [], "y": []}
            has_profile = profile is not None and math.isfinite(profile.lower) and math.isfinite(profile.upper)
            piece.cut.visible = has_profile
            if has_profile:
                piece.cut.location = peak - PROFILE_DROP
                piece.whisker.data = {"base": [peak - PROFILE_DROP], "lower": [profile.lower], "upper": [profile.upper]}
            elif len(piece.whisker.data["base"]):
                piece.whisker.data = {"base": [], "lower": [], "upper": []}
            curve = profiles.get(piece.name) if piece.name is not None and peak is not None else None
            if curve is not None:
                piece.profile.data = {"x": curve[0], "y": display(curve[1])}
            elif len(piece.profile.data["x"]):
                piece.profile.data = {"x": [], "y": []}

    # --- what the student does ------------------------------------------------------------------
    def _on_tap(self, piece: _Slice, event) -> None:
        if piece.name is None or event.x is None:
            return
        with pn.io.hold():
            self.set_parameter(piece.name, event.x)

    def set_parameter(self, name: str, value: float) -> None:
        """Set parameter ``name`` to ``value``, kept within its slider's range."""
        start, end = slider_range(self.state, name)
        self.state.set_parameters(**{name: min(max(float(value), start), end)})

    def _on_drag(self, piece: _Slice, attr, old, new) -> None:
        """The dot was dragged in the browser (or our own update arrives late: then nothing changed)."""
        if self._updating or piece.name is None:
            return
        xs = list(new.get("x", []))
        with pn.io.hold():
            if len(xs) == 1 and xs[0] is not None and math.isfinite(xs[0]) and xs[0] != self.state.theta[piece.name]:
                self.set_parameter(piece.name, xs[0])
            else:  # deleted, or moved only up or down: put it back where θ is
                slope, _ = local_derivatives(self.state)
                self._draw_point(piece, slope[piece.name])


# --- the surface ----------------------------------------------------------------------------------
class LikelihoodSurface(LazyView):
    """ℓ − ℓ̂ over two parameters as a heatmap, with the current point, the MLE, the truth and the climb's path.

    Computed from the statistics on a ``SURFACE_POINTS``² grid over the sliders' ranges (or around the
    MLE), when the data, the family or those ranges change; a slider step only moves the ○. A click
    sets both sliders to the clicked cell's values. The ★ of the MLE, the ◆ of the truth and the white lines
    around the MLE are drawn only once the answer is shown (``state.answer_shown``); the colours, the hill
    the student climbs, are always there.
    """

    overlays = param.ClassSelector(class_=LandscapeOverlays, doc="What the climb draws here (its path).")
    zoom = param.Selector(
        default="slider ranges", objects=["slider ranges", "around the MLE"], doc="Which part of the landscape to show."
    )

    def __init__(self, **params):
        params.setdefault("overlays", LandscapeOverlays())
        super().__init__(**params)
        self.names: tuple[str, str] | None = None
        self.xs = self.ys = np.empty(0)
        self.values = np.empty((0, 0))
        self.reference = 0.0
        self._bounds = None
        self._x_range = Range1d(0.0, 1.0)
        self._y_range = Range1d(0.0, 1.0)
        self._image = ColumnDataSource({"image": [], "x": [], "y": [], "dw": [], "dh": []})
        self._current = ColumnDataSource({"x": [], "y": []})
        self._mle = ColumnDataSource({"x": [], "y": []})
        self._truth = ColumnDataSource({"x": [], "y": []})
        self._path = ColumnDataSource({"x": [], "y": []})
        self.figure = self._make_figure()
        self.figure.on_event(Tap, self._on_tap)
        self.figure.on_event(DoubleTap, self._on_tap)
        self.zoom_buttons = pn.widgets.RadioButtonGroup.from_param(self.param.zoom, label="Show", variant="outline")
        self.param.watch(self._on_zoom, ["zoom"])
        self.overlays.param.watch(self._on_path, ["path"])
        self._message = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")
        self._layout = pn.Column(self._pane, self.zoom_buttons, self._message, sizing_mode="stretch_width")
        self.refresh()

    def __panel__(self):
        return self._layout

    def _make_figure(self):
        colors = palette(requested_theme())
        fig = figure(
            height=440,
            sizing_mode="stretch_width",
            x_range=self._x_range,
            y_range=self._y_range,
            tools=[],
            toolbar_location=None,
            name="likelihood-surface",
            title="ℓ − ℓ̂ · click to set both sliders",
        )
        fig.title.text_font_style = "normal"
        self._mapper = LinearColorMapper(palette=colors.surface, low=SURFACE_FLOOR, high=0.0, nan_color=(0, 0, 0, 0))
        self._image_renderer = fig.image(
            image="image", x="x", y="y", dw="dw", dh="dh", source=self._image, color_mapper=self._mapper
        )
        self._contours = fig.contour(
            [0.0, 1.0],
            [0.0, 1.0],
            np.zeros((2, 2)),
            levels=[-JOINT_DROP, -PROFILE_DROP],
            line_color=colors.contour,
            line_dash=["dashed", "solid"],
            line_width=2,
            fill_color=None,
        )
        # Glyphs added directly (no selection or muted copies to build): a session starts faster.
        fig.add_glyph(self._path, Line(x="x", y="y", line_color=colors.climb, line_width=2))
        path = Scatter(x="x", y="y", fill_color=colors.climb, size=6, line_color=colors.marker_outline)
        fig.add_glyph(self._path, path)
        truth = Scatter(
            x="x", y="y", marker="diamond", size=16, fill_color=colors.truth, line_color=colors.marker_outline
        )
        fig.add_glyph(self._truth, truth)
        star = Scatter(
            x="x", y="y", marker="star", size=20, fill_color=colors.estimate, line_color=colors.estimate_outline
        )
        fig.add_glyph(self._mle, star)
        ring = Scatter(x="x", y="y", size=14, fill_color=None, line_color=colors.contour, line_width=3)
        fig.add_glyph(self._current, ring)
        fig.add_layout(
            ColorBar(color_mapper=self._mapper, title="ℓ − ℓ̂", width=10, title_text_font_style="normal"), "right"
        )
        self._hover_formatter = hover_formatter()
        self._hover = HoverTool(
            renderers=[self._image_renderer],
            tooltips=[("ℓ − ℓ̂", "@image{ell}")],
            formatters={"@image": self._hover_formatter},
        )
        fig.add_tools(self._hover)
        format_axes(fig)
        return fig

    def _on_zoom(self, *_):
        self.draw_when_shown()

    @property
    def two_parameters(self) -> bool:
        return len(self.state.family_spec.parameters) == 2

    # --- drawing --------------------------------------------------------------------------------
    def refresh(self) -> None:
        state = self.state
        family = state.family_spec
        if not self.two_parameters:
            self.names = None
            self._pane.visible = self.zoom_buttons.visible = False
            self._message.object = ONE_PARAMETER_TEXT
            return
        first, second = family.parameters
        self.names = (first.name, second.name)
        self._pane.visible = self.zoom_buttons.visible = True
        self.figure.xaxis.axis_label = f"{first.symbol} ({first.name})"
        self.figure.yaxis.axis_label = f"{second.symbol} ({second.name})"
        self._hover.tooltips = [(first.symbol, "$x{number}"), (second.symbol, "$y{number}"), ("ℓ − ℓ̂", "@image{ell}")]
        self._hover.formatters = dict.fromkeys(("$x", "$y", "@image"), self._hover_formatter)
        self._compute()
        self._draw_markers()
        self._draw_path()

    def _axes(self) -> tuple[np.ndarray, np.ndarray]:
        state = self.state
        size = grid_points(state, SURFACE_POINTS)
        first, second = self.names
        if self.zoom == "around the MLE" and state.n:
            try:
                grid = inference.default_grid(state.family, state.statistics, size=size, spread=4.0, **state.constants)
                return grid[first], grid[second]
            except ValueError:
                pass
        return np.linspace(*slider_range(state, first), size), np.linspace(*slider_range(state, second), size)

    def _compute(self) -> None:
        """ℓ on the grid (``values[i, j]`` = ℓ(xs[j], ys[i])), its image relative to ℓ̂, and the contours."""
        state = self.state
        first, second = self.names
        self._bounds = (slider_range(state, first), slider_range(state, second))
        xs, ys = self._axes()
        try:
            values = inference.log_likelihood_surface(
                state.family, state.statistics, {second: ys, first: xs}, **state.constants
            )
        except ValueError:
            values = np.full((ys.size, xs.size), np.nan)
        self.xs, self.ys, self.values = xs, ys, values
        estimate, _ = finite_mle(state)
        finite = values[np.isfinite(values)]
        if estimate is not None:
            self.reference = float(state.mle.log_likelihood)
        else:
            self.reference = float(finite.max()) if finite.size else 0.0
        with np.errstate(invalid="ignore"):
            relative = np.maximum(values - self.reference, 2 * SURFACE_FLOOR)  # −inf → just below the colours
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self._image.data = {
            "image": [relative.astype(np.float32)],
            "x": [xs[0] - dx / 2],
            "y": [ys[0] - dy / 2],
            "dw": [dx * xs.size],
            "dh": [dy * ys.size],
        }
        self._x_range.update(start=xs[0] - dx / 2, end=xs[-1] + dx / 2)
        self._y_range.update(start=ys[0] - dy / 2, end=ys[-1] + dy / 2)
        levels = [-JOINT_DROP, -PROFILE_DROP]
        try:
            lines = contour_data(xs, ys, np.ma.masked_invalid(relative), levels, want_fill=False)
        except (ValueError, TypeError):  # nothing to draw (every cell nan)
            lines = contour_data(xs, ys, np.full((ys.size, xs.size), 2 * SURFACE_FLOOR), levels, want_fill=False)
        self._contours.set_data(lines)
        if state.n == 0:
            self._message.object = "No observations: ℓ = 0 for every parameter value, so the landscape is flat."
        elif estimate is None:
            self._message.object = f"{finite_mle(state)[1]} Colours are relative to the highest cell shown."
        else:
            self._message.object = SURFACE_TEXT

    def update_theta(self) -> None:
        if not self.two_parameters:
            return
        first, second = self.names
        bounds = (slider_range(self.state, first), slider_range(self.state, second))
        if bounds != self._bounds and self.zoom == "slider ranges":
            self._compute()
            self._draw_markers()
        else:
            self._current.data = {"x": [self.state.theta[first]], "y": [self.state.theta[second]]}

    def _draw_markers(self) -> None:
        first, second = self.names
        theta = self.state.theta
        shown = self.state.answer_shown
        self._current.data = {"x": [theta[first]], "y": [theta[second]]}
        estimate, _ = finite_mle(self.state)
        estimate = estimate if shown else None
        self._mle.data = {"x": [estimate[first]], "y": [estimate[second]]} if estimate else {"x": [], "y": []}
        truth = self.state.true_parameters if shown else None
        self._truth.data = {"x": [truth[first]], "y": [truth[second]]} if truth else {"x": [], "y": []}
        self._contours.visible = shown

    follows = (*LazyView.follows, "answer_shown")

    def _on_state(self, *events):
        names = {event.name for event in events}
        if not (self.active and "answer_shown" in names and names <= {"answer_shown", "theta_changed"}):
            super()._on_state(*events)
            return
        # The answer shown or hidden (and θ perhaps moved with it): the markers, not the whole surface.
        if "theta_changed" in names:
            self.update_theta()
        if self.names is not None:
            self._draw_markers()

    def _on_path(self, *_):
        if not self.active:
            self._stale = True
            return
        self._draw_path()

    def _draw_path(self) -> None:
        path = self.overlays.path
        if self.names is None or not path or set(path[0].theta) != set(self.names):
            self._path.data = {"x": [], "y": []}
            return
        first, second = self.names
        self._path.data = {"x": [p.theta[first] for p in path], "y": [p.theta[second] for p in path]}

    # --- what the student does ------------------------------------------------------------------
    def cell_at(self, x: float, y: float) -> dict[str, float]:
        """The parameter values of the grid cell under the point (x, y) of the figure."""
        first, second = self.names
        i = int(np.clip(np.rint((x - self.xs[0]) / (self.xs[1] - self.xs[0])), 0, self.xs.size - 1))
        j = int(np.clip(np.rint((y - self.ys[0]) / (self.ys[1] - self.ys[0])), 0, self.ys.size - 1))
        return {first: float(self.xs[i]), second: float(self.ys[j])}

    def _on_tap(self, event) -> None:
        if self.names is None or event.x is None or event.y is None or not self.xs.size:
            return
        with pn.io.hold():
            self.state.set_parameters(**self.cell_at(event.x, event.y))


# --- the composition --------------------------------------------------------------------------------
class LandscapePanel(pn.viewable.Viewer):
    """The likelihood landscape (surface and slices) above tabs: the climb, how sure, L vs ℓ, each point's share.

    The figures are always in sight, so that the climb's path and the intervals drawn on them can be
    watched while using the tabs. A tab's view is built the first time it is opened (a session starts
    faster), then kept; it works only while its tab is open, and nothing here works while the card is
    collapsed.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")
    collapsed = param.Boolean(
        default=False, doc="Start collapsed: then nothing is built until the student opens the card (a lighter page)."
    )

    TABS = ("Climb", "How sure?", "L vs ℓ", "Each point's ln f")
    TITLE = "The likelihood landscape · the climb to the top · how sure the estimate is"

    def __init__(self, **params):
        super().__init__(**params)
        self.overlays = LandscapeOverlays()
        self._built: dict[int, LazyView] = {}
        self._card = pn.Card(
            pn.pane.Markdown("Drawing the likelihood landscape…", sizing_mode="stretch_width"),
            title=self.TITLE,
            collapsed=self.collapsed,
            sizing_mode="stretch_width",
        )
        self._card.param.watch(self._on_collapsed, ["collapsed"])
        if not self.collapsed:
            self._build()

    def __panel__(self):
        return self._card

    @property
    def built(self) -> bool:
        return bool(self._built)

    def _build(self) -> None:
        if self._built:
            return
        with pn.io.hold():
            self.surface = LikelihoodSurface(state=self.state, overlays=self.overlays)
            self.slices = LikelihoodSlices(state=self.state, overlays=self.overlays)
            self.climb = ClimbControls(state=self.state, overlays=self.overlays, active=True)
            self._builders = {
                1: lambda: HowSure(state=self.state, overlays=self.overlays, active=False),
                2: lambda: LikelihoodVersusLog(state=self.state, active=False),
                3: lambda: PointContributions(state=self.state, active=False),
            }
            self._built = {0: self.climb}
            self._holders = [self.climb] + [pn.Column(sizing_mode="stretch_width") for _ in self._builders]
            self.tabs = pn.Tabs(
                *zip(self.TABS, self._holders, strict=True),
                sizing_mode="stretch_width",
                stylesheets=[stylesheet("tabs.css")],
            )
            self.tabs.param.watch(self._on_tab, ["active"])
            self._card.objects = [
                pn.pane.Markdown(INTRODUCTION, sizing_mode="stretch_width"),
                pn.Row(
                    pn.Column(self.surface, sizing_mode="stretch_width"),
                    pn.Column(
                        pn.pane.Markdown(SLICES_TEXT, sizing_mode="stretch_width", margin=(0, 10)),
                        self.slices,
                        sizing_mode="stretch_width",
                    ),
                    sizing_mode="stretch_width",
                ),
                self.tabs,
            ]
            self._on_collapsed()

    def _tab_view(self, index: int):
        """The view of tab ``index``, built (once) if it has not been yet."""
        self._build()
        view = self._built.get(index)
        if view is None:
            view = self._built[index] = self._builders[index]()
            self._holders[index].objects = [view]
        return view

    @property
    def how_sure(self) -> HowSure:
        return self._tab_view(1)

    @property
    def likelihood_vs_log(self) -> LikelihoodVersusLog:
        return self._tab_view(2)

    @property
    def contributions(self) -> PointContributions:
        return self._tab_view(3)

    def _on_tab(self, *_):
        with pn.io.hold():
            self._tab_view(self.tabs.active)
            self._on_collapsed()

    def _on_collapsed(self, *_):
        """Everything works while the card is open; collapsed, only the climb keeps its path."""
        if not self._built:
            if not self._card.collapsed:
                self._build()  # opened for the first time
            return
        shown = not self._card.collapsed
        with pn.io.hold():
            self.surface.active = shown
            self.slices.active = shown
            for index, view in self._built.items():
                view.active = shown and index == self.tabs.active
