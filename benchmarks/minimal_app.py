"""The smallest Panel app that does the explorer's core job: the baseline of ``bench_class_opens.py``.

Serve it with ``panel serve benchmarks/minimal_app.py``. Written as Panel's and Bokeh's examples write an app: a
Bokeh figure of the observations and the Gaussian density, a click on the plot adds an observation (``Tap``), two
sliders (μ, σ), an **Optimize** button that sets them to the maximum likelihood estimate, and a readout of the
log-likelihood ℓ(μ, σ) = −n/2 · ln(2πσ²) − Σ(xᵢ − μ)² / (2σ²). No template, no explanations, no accessibility aids.
"""

import numpy as np
import panel as pn
from bokeh.events import Tap
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]
GRID = np.linspace(-2.0, 6.0, 200)

pn.extension()

points = ColumnDataSource({"x": EXAMPLE, "y": [0.0] * len(EXAMPLE)})
curve = ColumnDataSource({"x": GRID, "y": np.zeros_like(GRID)})
plot = figure(height=350, sizing_mode="stretch_width", x_range=(-2, 6), y_range=(0, 1.2), tools="tap,reset,save")
plot.line("x", "y", source=curve, line_width=2)
plot.scatter("x", "y", source=points, size=10, color="firebrick")

mu = pn.widgets.FloatSlider(label="μ", start=-2.0, end=6.0, step=0.01, value=0.0)
sigma = pn.widgets.FloatSlider(label="σ", start=0.05, end=4.0, step=0.01, value=1.0)
optimize = pn.widgets.Button(label="Optimize", color="primary")
readout = pn.pane.HTML()


def log_likelihood(x: np.ndarray, m: float, s: float) -> float:
    """ℓ(μ, σ) = −n/2 · ln(2πσ²) − Σ(xᵢ − μ)² / (2σ²)."""
    return float(-0.5 * len(x) * np.log(2 * np.pi * s**2) - np.sum((x - m) ** 2) / (2 * s**2))


def update(*_) -> None:
    x = np.asarray(points.data["x"], dtype=float)
    m, s = mu.value, sigma.value
    curve.data["y"] = np.exp(-0.5 * ((GRID - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))
    curve.data = dict(curve.data)
    readout.object = f"<b>ℓ = {log_likelihood(x, m, s):.3f}</b> (n = {len(x)})"


def add_point(event) -> None:
    points.stream({"x": [event.x], "y": [0.0]})
    update()


def fit(_) -> None:
    x = np.asarray(points.data["x"], dtype=float)
    mu.value, sigma.value = float(x.mean()), max(float(x.std()), sigma.start)


plot.on_event(Tap, add_point)
mu.param.watch(update, "value")
sigma.param.watch(update, "value")
optimize.on_click(fit)
update()

pn.Row(plot, pn.Column(mu, sigma, optimize, readout, width=320), sizing_mode="stretch_width").servable()
