"""Sliders for the parameters, the Optimize button and the data buttons."""

from __future__ import annotations

import asyncio
import functools

import panel as pn
import param

from .state import ExplorerState, parse_numbers
from .widgets import LiveFloatSlider

#: Frames of the Optimize animation and the time between them (ms): about a third of a second.
ANIMATION_FRAMES = 12
ANIMATION_PERIOD_MS = 25
#: Characters the typing box accepts (about 20,000 numbers).
TYPED_TEXT_LIMIT = 200_000


def _event_loop_running() -> bool:
    # A server session and Pyodide both run callbacks inside an event loop; a plain script or
    # test does not, and there Optimize simply jumps.
    try:
        return asyncio.get_running_loop().is_running()
    except RuntimeError:
        return False


def held(callback):
    """Wrap ``callback`` so that every view it updates reaches the browser in one message."""

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        with pn.io.hold():
            return callback(*args, **kwargs)

    return wrapper


def ease(fraction: float) -> float:
    """Return the smoothstep easing 3t² − 2t³ of ``fraction`` ∈ [0, 1]."""
    return fraction * fraction * (3.0 - 2.0 * fraction)


class ParameterControls(pn.viewable.Viewer):
    """μ and σ sliders, Optimize (snap to the MLE), and Undo / Reset / Clear for the observations."""

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")
    animate = param.Boolean(default=True, doc="Animate the move to the MLE when an event loop is running.")

    def __init__(self, **params):
        super().__init__(**params)
        self.mu_slider = LiveFloatSlider.from_param(self.state.param.mu, format="0[.]000", sizing_mode="stretch_width")
        self.sigma_slider = LiveFloatSlider.from_param(
            self.state.param.sigma, format="0[.]000", sizing_mode="stretch_width"
        )
        # No tooltip: on a full-width button it would open past the right edge of the page.
        self.optimize_button = pn.widgets.Button(
            label="Optimize: jump to the MLE", color="primary", sizing_mode="stretch_width"
        )
        self.undo_button = pn.widgets.Button(label="Undo", description="Take back the last edit of the observations")
        self.reset_button = pn.widgets.Button(label="Example data", description="Back to the five example points")
        self.clear_button = pn.widgets.Button(label="Clear all", description="Remove every observation")
        self.entry = pn.widgets.TextInput(
            label="Type or paste values (a dot for decimals), then Enter",
            placeholder="e.g. 2.1, 3.4",
            max_length=TYPED_TEXT_LIMIT,
            sizing_mode="stretch_width",
        )
        self.add_button = pn.widgets.Button(label="Add", description="Add the typed values as observations")
        self._hint = pn.pane.HTML("", sizing_mode="stretch_width", styles={"color": "#8a4b00"})
        self.optimize_button.on_click(held(self._on_optimize))
        self.undo_button.on_click(held(lambda _: self.state.undo()))
        self.reset_button.on_click(held(lambda _: self.state.reset_example()))
        self.clear_button.on_click(held(lambda _: self.state.clear()))
        self.entry.param.watch(held(self._on_add_typed), "enter_pressed")
        self.add_button.on_click(held(self._on_add_typed))
        self._animation = None
        self.state.param.watch(self._sync_buttons, ["observations", "can_undo", "notice"])
        self._sync_buttons()

    def __panel__(self):
        return pn.Column(
            self.mu_slider,
            self.sigma_slider,
            self.optimize_button,
            self._hint,
            pn.Row(self.undo_button, self.reset_button, self.clear_button),
            pn.Row(self.entry, pn.Column(self.add_button, align="end")),
            sizing_mode="stretch_width",
        )

    def _sync_buttons(self, *_):
        has_data = self.state.n > 0
        self.optimize_button.disabled = not has_data
        self.undo_button.disabled = not self.state.can_undo
        if not has_data:
            self._hint.object = "Optimize needs at least one observation: click on the plot to add one."
        else:
            self._hint.object = self.state.notice

    def _on_add_typed(self, _event=None):
        text = self.entry.value_input or self.entry.value
        if len(text) >= TYPED_TEXT_LIMIT:
            # The browser cuts a longer paste at the limit without a word: the last number may be cut.
            self.state.notice = (
                f"Nothing added: the text reached the {TYPED_TEXT_LIMIT:,}-character limit of this box, "
                "so part of it may be missing. Paste fewer numbers at a time."
            )
            return
        try:
            values = parse_numbers(text)
            self.state.add_observations(values)
        except ValueError as error:
            self.state.notice = f"Nothing added: {error}."
            return
        self.state.notice = f"Added {values.size} observation{'' if values.size == 1 else 's'}."
        self.entry.param.update(value="", value_input="")

    def _on_optimize(self, _event=None):
        target = self.state.mle_parameters()
        if target is None or not (self.animate and _event_loop_running()):
            self.state.optimize()
            return
        self._stop_animation()
        start = {"mu": self.state.mu, "sigma": self.state.sigma}
        self.state.make_reachable(**target)  # so that every frame is within the sliders' ranges
        frame = iter(range(1, ANIMATION_FRAMES + 1))

        @held
        def step():
            k = next(frame, ANIMATION_FRAMES)
            if k >= ANIMATION_FRAMES:
                self._stop_animation()
                self.state.optimize()  # the last frame is the exact estimate, not an interpolation
                return
            t = ease(k / ANIMATION_FRAMES)
            self.state.set_parameters(**{name: start[name] + t * (target[name] - start[name]) for name in start})

        self._animation = pn.state.add_periodic_callback(step, period=ANIMATION_PERIOD_MS, count=ANIMATION_FRAMES)

    def _stop_animation(self):
        if self._animation is not None:
            self._animation.stop()
            self._animation = None
