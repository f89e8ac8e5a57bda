"""The climb to the peak: gradient ascent or Newton–Raphson, one step at a time, with the numbers of each step.

The student picks a method (and, for gradient ascent, a step size η), then Step, Back, Run to
convergence or Reset. Every step is one ``mle_core.inference`` step from the sliders' current
values; the sliders follow it, the path is drawn on the surface and the slices (through
``LandscapeOverlays.path``), and the step's update formula is shown with its numbers filled in
(``step_text``: mle_core gives the numbers, the app writes them with ``app.numbers``).
"""

from __future__ import annotations

import math

import panel as pn
import param

from mle_core import inference

from .assets import stylesheet
from .controls import held
from .numbers import APPROXIMATELY_ZERO, MINUS, log_likelihood, number, parameter, signed
from .overlays import LandscapeOverlays, LazyView, PathPoint, escape, event_loop_running, finite_mle
from .widgets import Formulas

#: The time between two animation frames of Run (ms) and how many steps each frame takes: one at a
#: readable pace at first, then more and more, so that a slow gradient ascent still ends in seconds.
RUN_PERIOD_MS = 220
SLOW_FRAMES = 12
MAX_STEPS_PER_FRAME = 64
#: Run gives up after this many steps (gradient ascent with a tiny η).
MAX_RUN_STEPS = 2_000
#: A step that changes ℓ by at most TOL·max(1, |ℓ|) and every parameter by at most TOL·(1 + |θⱼ|) ends the climb.
TOL = 1e-10

METHODS = {"Gradient ascent": "gradient", "Newton–Raphson": "newton"}
METHOD_FORMULAS = {
    "gradient": r"$\theta_{\text{new}}=\theta+\eta\,\nabla\ell(\theta)$",
    "newton": r"$\theta_{\text{new}}=\theta+I(\theta)^{-1}\,\nabla\ell(\theta),\qquad I(\theta)=-\nabla^2\ell(\theta)$",
}
METHOD_TEXT = {
    "gradient": (
        "**Gradient ascent** walks uphill along the score ∇ℓ, scaled by the step size η. Too small an η "
        "crawls; too large overshoots (each step is then halved until ℓ does not drop, and the formula says so). "
        "The path is drawn in red on the surface and on the slices (off a slice's curve where a step moved the "
        "other parameter too)."
    ),
    "newton": (
        "**Newton–Raphson** fits a parabola to ℓ at θ (its slope and curvature: the purple dashed curves on "
        "the slices) and jumps to that parabola's top. Near the peak it needs only a few steps. The path is "
        "drawn in red on the surface and on the slices (off a slice's curve where a step moved the other "
        "parameter too)."
    ),
}


#: Why a Newton step was damped, in the words of a first course. Its constant is α: λ is a family's rate or scale.
DAMPING_TEXT = (
    "Here ℓ does not curve down like a hilltop in every direction (−∂²ℓ is not positive definite), so Newton's "
    "jump to the top of its parabola could lead downhill. The step adds α·D to the curvature (D: the diagonal of "
    "|I|), which shortens it and turns it toward the uphill direction of gradient ascent; near the top α is 0 "
    "and the step is Newton's own."
)


def _factor(text: str) -> str:
    """A number inside a product, in brackets when it has a sign or a power of ten: × (−2.401), × (7.04 × 10⁻⁷)."""
    return f"({text})" if text.startswith(MINUS) or "×" in text or text == APPROXIMATELY_ZERO else text


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def why_stuck(step: inference.ClimbStep) -> str:
    """Why ``step`` could not move, in words ('' if it moved)."""
    if not (math.isfinite(step.step_size) and all(math.isfinite(v) for v in step.direction.values())):
        return "the derivatives are not finite here"
    if step.scale == 0.0:
        return "ℓ does not increase along this step's direction, however short the step"
    return ""


def step_text(step: inference.ClimbStep, state) -> str:
    """The update of ``step`` written out with its numbers, one line per parameter, then in words what changed it.

    θ is written as its slider writes it. Rounding noise reads ≈ 0: a gradient entry that would move ℓ by a
    billionth of its size across the slider's whole range, a matrix entry 10⁻¹² of the matrix's largest, a move
    10⁻¹² of θ.
    """
    steps = {name: state.model.param[name].step for name in step.names}
    widths = {name: state.model.param[name].bounds[1] - state.model.param[name].bounds[0] for name in step.names}
    size = max(1.0, abs(step.log_likelihood))
    gradient = {n: number(step.gradient[n], noise=1e-9 * size / max(widths[n], 1e-300)) for n in step.names}
    t = number(step.scale)
    lines = []
    if step.method == "gradient":
        eta = number(step.step_size)
        lines.append(f"θ_new = θ + t·η·∇ℓ(θ),  η = {eta},  t = {t}")
        for name, symbol in zip(step.names, step.symbols, strict=True):
            lines.append(
                f"{symbol}_new = {parameter(step.theta[name], steps[name])} + {t} × {_factor(eta)} × "
                f"{_factor(gradient[name])} = {parameter(step.theta_new[name], steps[name])}"
            )
    else:
        rows = step.information or ()
        largest = max((abs(v) for row in rows for v in row if math.isfinite(v)), default=0.0)
        matrix = "; ".join(", ".join(number(v, noise=1e-12 * largest) for v in row) for row in rows)
        if step.levenberg:
            head = f"θ_new = θ + t·(I + α·D)⁻¹∇ℓ(θ),  α = {number(step.levenberg)},  I + α·D = [{matrix}]"
        else:
            head = f"θ_new = θ + t·I⁻¹∇ℓ(θ),  I = −∂²ℓ = [{matrix}]"
        lines.append(f"{head},  ∇ℓ = [{', '.join(gradient[n] for n in step.names)}],  t = {t}")
        for name, symbol in zip(step.names, step.symbols, strict=True):
            move = number(step.direction[name], noise=1e-12 * max(abs(step.theta[name]), steps[name]))
            lines.append(
                f"{symbol}_new = {parameter(step.theta[name], steps[name])} + {t} × {_factor(move)} = "
                f"{parameter(step.theta_new[name], steps[name])}"
            )
        if step.levenberg:
            lines.append(DAMPING_TEXT)
    stuck = why_stuck(step)
    if stuck:
        lines.append(f"No move: {stuck}.")
    else:
        if step.halvings_outside:
            lines.append(f"The step was halved {_times(step.halvings_outside)} to stay inside the parameter space.")
        if step.halvings_downhill:
            lines.append(f"The step was halved {_times(step.halvings_downhill)} so that ℓ does not decrease.")
    return "\n".join(lines)


def gain_text(before: float, after: float) -> str:
    """ℓ's change in a step, signed: "+14.95", "+3.412 × 10⁻⁷", or "≈ 0" for a change within rounding of ℓ."""
    return signed(number(after - before, noise=1e-12 * max(1.0, abs(before))))


def _steps(count: int) -> str:
    return f"{count:,} step" + ("" if count == 1 else "s")


def steps_in_frame(frame: int) -> int:
    """How many steps Run takes in animation frame ``frame`` (0, 1, …): 1 for a while, then doubling."""
    if frame < SLOW_FRAMES:
        return 1
    return min(2 ** ((frame - SLOW_FRAMES) // 3 + 1), MAX_STEPS_PER_FRAME)


def converged(step: inference.ClimbStep, tol: float = TOL) -> bool:
    """Whether ``step`` ends a climb: ℓ and every parameter moved by at most the tolerance (as ``inference.climb``)."""
    gain = abs(step.log_likelihood_new - step.log_likelihood) <= tol * max(1.0, abs(step.log_likelihood))
    return gain and all(abs(step.delta[name]) <= tol * (1.0 + abs(step.theta[name])) for name in step.names)


def stuck(step: inference.ClimbStep) -> bool:
    """Whether ``step`` could not move (derivatives not finite, or no uphill along its direction)."""
    return not (math.isfinite(step.step_size) and all(math.isfinite(v) for v in step.direction.values())) or (
        step.scale == 0.0
    )


class ClimbControls(LazyView):
    """Choose gradient ascent (step size η) or Newton–Raphson; Step, Back, Run to convergence, Reset.

    ``steps`` are the ``ClimbStep``s taken since the climb started at ``start``. A data or family
    change clears the path; so does a Step after the sliders were moved away from the path's end
    (the new climb starts where the sliders are).
    """

    overlays = param.ClassSelector(class_=LandscapeOverlays, doc="Where the path and Newton's parabola are drawn.")
    animate = param.Boolean(default=True, doc="Animate Run when an event loop is running (else it runs at once).")

    def __init__(self, **params):
        params.setdefault("overlays", LandscapeOverlays())
        super().__init__(**params)
        self.steps: list[inference.ClimbStep] = []
        self.start: dict | None = None
        self._animation = None
        self._frame = 0
        self.method_buttons = pn.widgets.RadioButtonGroup(
            label="Method", options=METHODS, value="gradient", color="primary", variant="outline"
        )
        self.step_size_input = pn.widgets.FloatInput(
            label="Step size η for gradient ascent (empty: 1/curvature, recomputed at each step)",
            value=None,
            placeholder="automatic",
            step=0.001,
            sizing_mode="stretch_width",
            max_width=360,
        )
        self.step_button = pn.widgets.Button(label="Step", color="primary", description="Take one step uphill")
        self.back_button = pn.widgets.Button(label="Back", description="Undo the last step")
        self.run_button = pn.widgets.Button(
            label="Run to convergence", color="success", description="Keep stepping until θ stops changing"
        )
        self.reset_button = pn.widgets.Button(label="Reset", description="Clear the path and go back to its start")
        self._formula_pane = Formulas(METHOD_FORMULAS["gradient"], margin=(0, 10))
        self._method_text = pn.pane.Markdown(METHOD_TEXT["gradient"], sizing_mode="stretch_width", margin=(0, 10))
        sheets = [stylesheet("hints.css"), stylesheet("climb.css")]
        self._status = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=sheets)
        self._table = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=sheets)
        self.method_buttons.param.watch(held(self._on_method), ["value"])
        self.step_button.on_click(held(lambda _: self.step()))
        self.back_button.on_click(held(lambda _: self.back()))
        self.run_button.on_click(held(lambda _: self.toggle_run()))
        self.reset_button.on_click(held(lambda _: self.reset()))
        self._layout = pn.Column(
            self.method_buttons,
            self._formula_pane,
            self._method_text,
            self.step_size_input,
            pn.Row(
                self.step_button, self.back_button, self.run_button, self.reset_button, styles={"flex-wrap": "wrap"}
            ),
            self._status,
            self._table,
            css_classes=["mle-climb"],
            sizing_mode="stretch_width",
        )
        self._show()

    def __panel__(self):
        return self._layout

    @property
    def method(self) -> str:
        """ "gradient" or "newton"."""
        return self.method_buttons.value

    @property
    def running(self) -> bool:
        return self._animation is not None

    @property
    def text(self) -> str:
        """What the status pane shows (the last step's formula, or why nothing happened)."""
        return self._status.object

    # --- reacting to the state ------------------------------------------------------------------
    def _on_state(self, *events):
        if any(event.name not in ("theta_changed", "true_parameters") for event in events):
            self._stop()
            self._clear(
                message="The data changed: a new climb starts from where the sliders are." if self.steps else ""
            )

    def _on_active(self, *_):
        self.overlays.quadratic = self.active and self.method == "newton"

    def refresh(self) -> None:
        self._show()

    def _on_method(self, *_):
        self._formula_pane.object = METHOD_FORMULAS[self.method]
        self._method_text.object = METHOD_TEXT[self.method]
        self.step_size_input.disabled = self.method == "newton"
        self.overlays.quadratic = self.active and self.method == "newton"

    # --- the climb ---------------------------------------------------------------------------
    def _problem(self) -> str:
        """Why no step can be taken now ('' if one can)."""
        state = self.state
        if state.n == 0:
            return "Add observations first: with none, ℓ = 0 everywhere and there is no hill to climb."
        return ""

    def _at_path_end(self) -> bool:
        end = self.steps[-1].theta_new
        return all(
            abs(self.state.theta[name] - end[name]) <= 1e-12 * max(1.0, abs(end[name])) for name in self.state.theta
        )

    def step(self) -> inference.ClimbStep | None:
        """Take one step from the sliders' values; the sliders follow. Return the step (None if none was possible)."""
        problem = self._problem()
        if problem:
            self._show(message=problem)
            return None
        if self.steps and not self._at_path_end():
            self._clear()  # the sliders were moved: a new climb from here
        step, message = self._advance(dict(self.state.theta))
        if step is not None:
            self._follow()
        self._show(message=message)
        return step

    def _advance(self, theta: dict) -> tuple[inference.ClimbStep | None, str]:
        """Compute one step from ``theta`` and append it to the path (the sliders do not move yet)."""
        state = self.state
        try:
            if self.method == "newton":
                step = inference.newton_step(state.family, state.statistics, theta, **state.constants)
            else:
                eta = self.step_size_input.value  # None: 1/(largest |eigenvalue| of ∂²ℓ), at every step
                if eta is not None and not eta > 0:
                    raise ValueError("the step size η must be positive (or leave the box empty)")
                step = inference.gradient_ascent_step(state.family, state.statistics, theta, eta, **state.constants)
        except ValueError as error:
            text = str(error)
            if "strictly inside" in text:
                text = "the climb must start inside the parameter space: move the slider off its end first"
            return None, f"No step: {text}."
        if not self.steps:
            self.start = dict(theta)
        self.steps.append(step)
        return step, ""

    def _follow(self) -> None:
        """Draw the path and move the sliders to its end; a climb that reached the top reveals the answer."""
        self._publish_path()
        self.state.set_parameters(**self.steps[-1].theta_new)
        if converged(self.steps[-1]) and finite_mle(self.state)[0] is not None:
            self.state.show_answer()  # found by climbing, as Optimize finds it

    def back(self) -> None:
        """Undo the last step: the sliders go back to where it started."""
        self._stop()
        if not self.steps:
            self._show(message="Nothing to undo: no steps yet.")
            return
        step = self.steps.pop()
        self._publish_path()
        self.state.set_parameters(**step.theta)
        self._show()

    def reset(self) -> None:
        """Clear the path and put the sliders back where the climb started."""
        self._stop()
        start = self.start
        self._clear()
        if start is not None:
            self.state.set_parameters(**start)
        self._show(message="Reset: back at the start of the climb." if start else "")

    def toggle_run(self) -> None:
        """Run to convergence (animated in a server session), or stop a run in progress."""
        if self.running:
            self._stop()
            self._show(message="Stopped.")
        else:
            self.run()

    def run(self) -> None:
        """Step until the climb converges, cannot move, or ``MAX_RUN_STEPS`` steps were taken."""
        problem = self._problem()
        if problem:
            self._show(message=problem)
            return
        if self.steps and not self._at_path_end():
            self._clear()
        if not (self.animate and event_loop_running()):
            message = self._run_steps(MAX_RUN_STEPS)
            self._show(message=message or self._run_summary())
            return
        self._frame = 0
        self.run_button.label = "Stop"
        model = self.state.model

        @held
        def frame():
            if self.state.model is not model or not self.running:
                self._stop()
                return
            message = self._run_steps(steps_in_frame(self._frame))
            self._frame += 1
            if self._run_over() or message:
                self._stop()
                self._show(message=message or self._run_summary())
            else:
                self._show()

        self._animation = pn.state.add_periodic_callback(frame, period=RUN_PERIOD_MS)

    def _run_steps(self, count: int) -> str:
        """Take up to ``count`` steps (fewer if the run is over), then move the sliders once; return any problem."""
        message = ""
        moved = False
        for _ in range(count):
            if self._run_over():
                break
            theta = dict(self.steps[-1].theta_new) if self.steps else dict(self.state.theta)
            step, message = self._advance(theta)
            if step is None:
                break
            moved = True
        if moved:
            self._follow()
        return message

    def _run_over(self) -> bool:
        if not self.steps:
            return False
        last = self.steps[-1]
        return len(self.steps) >= MAX_RUN_STEPS or converged(last) or stuck(last)

    def _run_summary(self) -> str:
        if not self.steps:
            return self.text
        last = self.steps[-1]
        if converged(last):
            estimate, _ = finite_mle(self.state)
            where = "the maximum likelihood estimate" if estimate else "a point where ℓ stops changing"
            return f"Converged after {_steps(len(self.steps))}: the sliders are at {where}."
        if stuck(last):
            return f"Stopped after {_steps(len(self.steps))}: {why_stuck(last) or 'no uphill move was possible'}."
        return f"Stopped after {_steps(len(self.steps))} without converging: try Newton–Raphson or a larger η."

    def _stop(self) -> None:
        if self._animation is not None:
            self._animation.stop()
            self._animation = None
        self.run_button.label = "Run to convergence"

    def _clear(self, message: str = "") -> None:
        self.steps = []
        self.start = None
        self._publish_path()
        self._show(message=message)

    def _publish_path(self) -> None:
        if not self.steps:
            self.overlays.path = []
            return
        first = self.steps[0]
        points = [PathPoint(dict(first.theta), first.log_likelihood)]
        points += [PathPoint(dict(step.theta_new), step.log_likelihood_new) for step in self.steps]
        self.overlays.path = points

    # --- what the student reads -----------------------------------------------------------------
    def _show(self, message: str = "") -> None:
        self.back_button.disabled = not self.steps
        self.reset_button.disabled = not self.steps
        parts = []
        if message:
            parts.append(f'<div class="mle-hint">{escape(message)}</div>')
        if self.steps:
            step = self.steps[-1]
            label = "Newton–Raphson" if step.method == "newton" else "gradient ascent"
            gain = gain_text(step.log_likelihood, step.log_likelihood_new)
            formula = escape(step_text(step, self.state))
            parts.append(
                f"<div><b>Step {len(self.steps)}</b> ({label}): ℓ went from {log_likelihood(step.log_likelihood)} "
                f"to {log_likelihood(step.log_likelihood_new)} ({gain})</div>"
                f'<pre class="mle-step-formula">{formula}</pre>'
            )
        elif not message:
            parts.append(
                "<div>Press <b>Step</b> for one step from where the sliders are, or <b>Run to convergence</b>.</div>"
            )
        self._status.object = "".join(parts)
        self._table.object = self._path_table()

    def _path_table(self, rows: int = 8) -> str:
        if not self.steps:
            return ""
        names = self.steps[0].names
        symbols = self.steps[0].symbols
        steps = {name: self.state.model.param[name].step for name in names}
        head = "".join(f"<th class='mle-cell'>{s}</th>" for s in symbols)
        body = []
        start = max(0, len(self.steps) - rows)
        if start == 0:
            first = self.steps[0]
            cells = "".join(f"<td class='mle-cell'>{parameter(first.theta[n], steps[n])}</td>" for n in names)
            ell = log_likelihood(first.log_likelihood)
            body.append(f"<tr><td>start</td>{cells}<td class='mle-cell'>{ell}</td></tr>")
        for k in range(start, len(self.steps)):
            step = self.steps[k]
            cells = "".join(f"<td class='mle-cell'>{parameter(step.theta_new[n], steps[n])}</td>" for n in names)
            ell = log_likelihood(step.log_likelihood_new)
            body.append(f"<tr><td>{k + 1}</td>{cells}<td class='mle-cell'>{ell}</td></tr>")
        more = f"<div>(the last {rows} of {len(self.steps)} steps)</div>" if start else ""
        return (
            "<table class='mle-climb-path'>"
            f"<tr><th>step</th>{head}<th class='mle-cell'>ℓ</th></tr>{''.join(body)}</table>{more}"
        )
