"""The family selector, one slider per parameter, the Optimize button and the data buttons."""

from __future__ import annotations

import asyncio
import functools
import html
import time

import panel as pn
import param

import mle_core
from mle_core.scenarios import SCENARIOS

from .assets import stylesheet
from .numbers import slider_formatter
from .parsing import parse_numbers
from .presentation import presentation
from .requirements import run_when_loaded
from .state import ADD_BY_KEYBOARD, TYPED_VALUES_LABEL, ExplorerState
from .widgets import (
    CHOOSE_WITH_ENTER_CLASS,
    LIVE_REGION_CLASS,
    GuardedIntInput,
    GuardedSelect,
    LiveFloatSlider,
    LiveHTML,
)

#: How long the Optimize animation lasts (s) and the time between its frames (ms). Each frame is placed by
#: the time elapsed, not by its number, so a busy server (a whole class pressing Optimize) draws fewer
#: frames instead of a longer animation; 20 frames a second because every frame costs the server as
#: much as a slider step (with 12 frames, Optimize took 60 % of the server's CPU in the 40-student load test).
ANIMATION_DURATION_S = 0.3
ANIMATION_PERIOD_MS = 50
#: Characters the typing box accepts (about 20,000 numbers).
TYPED_TEXT_LIMIT = 200_000


def _event_loop_running() -> bool:
    # A server session and Pyodide both run callbacks inside an event loop; a plain script or
    # test does not, and there Optimize simply jumps.
    try:
        return asyncio.get_running_loop().is_running()
    except RuntimeError:
        return False


def _now() -> float:
    """The clock the Optimize animation reads (s); a function of its own so that tests can replace it."""
    return time.monotonic()


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


def outcome_buttons(state: ExplorerState) -> tuple[tuple[str, float], ...]:
    """The buttons that add one observation each, (label, value): the scenario's own outcomes (the coin's heads
    and tails), else the family's (``presentation(family).outcomes``)."""
    scenario = SCENARIOS.get(state.scenario)
    if scenario is not None and scenario.outcomes and scenario.family == state.family:
        return tuple(scenario.outcomes)
    return presentation(state.family).outcomes


class ParameterControls(pn.viewable.Viewer):
    """The family, one slider per parameter, Optimize (snap to the MLE), "Show the best fit", and the data buttons.

    The sliders are built from the family's declaration (``state.model``): switching family
    replaces them; everything else is built once. Each slider writes its value with ``app.numbers`` (in the
    browser, ``numbers.js``), as the readout writes the same value. "Show the best fit" shows whether the
    answer is on screen (``state.answer_shown``); pressed by hand it keeps the answer shown for new data too
    (a teacher's choice), and released it hides the answer until the student has tried again.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")
    animate = param.Boolean(default=True, doc="Animate the move to the MLE when an event loop is running.")

    def __init__(self, **params):
        super().__init__(**params)
        self.family_select = GuardedSelect(
            label="Model family",
            options={family.label: name for name, family in mle_core.FAMILIES.items()},
            value=self.state.family,
            sizing_mode="stretch_width",
            css_classes=[CHOOSE_WITH_ENTER_CLASS],  # a switch rebuilds the sliders and can be refused
        )
        self.switch_button = pn.widgets.Button(label="Clear the data and switch", color="warning")
        self.keep_button = pn.widgets.Button(label="Keep the current family")
        # Stacked: side by side the two buttons are wider than the column, and "Keep …" ended under the next one.
        # Put in the page the first time a switch is refused (``_sync_family``): most sessions never need them.
        self._refusal = pn.Column(visible=False, sizing_mode="stretch_width")
        # One box per known constant of the family (the binomial's trials m), rebuilt with the family.
        self.constant_inputs: dict[str, GuardedIntInput] = {}
        self._constants_box = pn.Column(sizing_mode="stretch_width")
        self.sliders: dict[str, LiveFloatSlider] = {}
        self._slider_box = pn.Column(sizing_mode="stretch_width")
        # No tooltip: on a full-width button it would open past the right edge of the page.
        self.optimize_button = pn.widgets.Button(
            label="Optimize: jump to the MLE", color="primary", sizing_mode="stretch_width"
        )
        # A toggle button (pressed: shown), named for screen readers; Panel's Checkbox leaves its box unnamed.
        self.answer_box = pn.widgets.Toggle(
            label="Show the best fit",
            value=self.state.answer_shown,
        )
        self.outcome_buttons = pn.Row(visible=False)
        self.undo_button = pn.widgets.Button(label="Undo", description="Take back the last edit of the observations")
        self.reset_button = pn.widgets.Button(label="Example data", description="Back to the five example points")
        self.clear_button = pn.widgets.Button(label="Clear all", description="Remove every observation")
        self.entry = pn.widgets.TextInput(
            label=TYPED_VALUES_LABEL,
            placeholder="e.g. 2.1, 3.4",
            max_length=TYPED_TEXT_LIMIT,
            sizing_mode="stretch_width",
        )
        self.add_button = pn.widgets.Button(label="Add", description="Add the typed values as observations")
        self._hint = LiveHTML(
            "",
            sizing_mode="stretch_width",
            css_classes=["mle-hint", LIVE_REGION_CLASS],  # notices are read out as they appear
            stylesheets=[stylesheet("hints.css")],
        )
        self.family_select.param.watch(held(self._on_family_selected), "value")
        self.switch_button.on_click(held(self._on_switch_anyway))
        self.keep_button.on_click(held(lambda _: self.state.keep_family()))
        self.optimize_button.on_click(held(self._on_optimize))
        self.answer_box.param.watch(held(self._on_answer_box), "value")
        self.undo_button.on_click(held(lambda _: self.state.undo()))
        self.reset_button.on_click(held(lambda _: self.state.reset_example()))
        self.clear_button.on_click(held(lambda _: self.state.clear()))
        self.entry.param.watch(held(self._on_add_typed), "enter_pressed")
        self.add_button.on_click(held(self._on_add_typed))
        self._animation = None
        self.family_select.param.watch(self._on_refusal, "refusal")
        self._build_sliders()
        self.state.param.watch(self._build_sliders, ["model"])
        self.state.param.watch(self._sync_family, ["family", "constants", "refused_switch", "scenario"])
        self.state.param.watch(self._sync_answer_box, ["answer_shown"])
        self.state.param.watch(self._sync_buttons, ["observations", "can_undo", "notice"])
        self._sync_family()
        self._sync_buttons()
        # Three parts, which the explorer places (explorer.css: a phone shows the sliders right under the plot): the
        # family's, the parameters' (sliders, Optimize, Show the best fit, notices) and the data's (outcomes, Undo,
        # typing).
        self.family_panel = pn.Column(
            self.family_select, self._refusal, self._constants_box, sizing_mode="stretch_width"
        )
        self.parameter_panel = pn.Column(
            self._slider_box, self.optimize_button, self.answer_box, self._hint, sizing_mode="stretch_width"
        )
        self.data_panel = pn.Column(
            self.outcome_buttons,
            pn.Row(self.undo_button, self.reset_button, self.clear_button, styles={"flex-wrap": "wrap"}),
            pn.Row(self.entry, pn.Column(self.add_button, align="end")),
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        return pn.Column(self.family_panel, self.parameter_panel, self.data_panel, sizing_mode="stretch_width")

    # --- the family and its sliders ---------------------------------------------------------
    def _build_sliders(self, *_):
        model = self.state.model
        self.sliders = {}
        for name in self.state.family_spec.parameter_names:
            parameter = model.param[name]
            self.sliders[name] = LiveFloatSlider.from_param(
                parameter, format=slider_formatter(parameter.step), sizing_mode="stretch_width"
            )
        model.param.watch(self._on_step, list(self.sliders), what="step")
        for slider in self.sliders.values():
            slider.param.watch(self._on_refusal, "refusal")
        self._slider_box.objects = list(self.sliders.values())

    def _on_refusal(self, event):
        """A value the browser sent that a widget refused (NaN, out of range, not an option): say so."""
        self.state.notice = event.new

    def _on_step(self, event):
        slider = self.sliders.get(event.name)
        if slider is not None:
            slider.format = slider_formatter(event.new)

    def _sync_family(self, *_):
        state = self.state
        if self.family_select.value != state.family:
            self._syncing = True
            try:
                self.family_select.value = state.family
            finally:
                self._syncing = False
        refused = state.refused_switch
        if refused is not None:
            label = mle_core.get_family(refused.family).label
            self.switch_button.label = f"Clear the data and switch to {label}"
            self.keep_button.label = f"Keep {state.family_spec.label}"
            if not self._refusal.objects:
                self._refusal.objects = [self.switch_button, self.keep_button]
        self._refusal.visible = refused is not None
        self._sync_constants()
        outcomes = outcome_buttons(state)
        if [b.name for b in self.outcome_buttons.objects] != [label for label, _ in outcomes]:
            buttons = []
            for label, value in outcomes:
                button = pn.widgets.Button(label=label, description=f"Add an observation {value:g}")
                button.on_click(held(functools.partial(self._on_outcome, value)))
                buttons.append(button)
            self.outcome_buttons.objects = buttons
        self.outcome_buttons.visible = bool(outcomes)

    _syncing = False

    def _sync_constants(self) -> None:
        """One box per known constant of the family, showing its value (built anew when the family changes)."""
        state = self.state
        declared = state.family_spec.constants
        if [c.name for c in declared] != list(self.constant_inputs):
            limits = presentation(state.family).constant_limits
            self.constant_inputs = {}
            for constant in declared:
                box = GuardedIntInput(
                    label=f"{constant.description.capitalize()} ({constant.symbol})",
                    start=int(constant.lower),
                    end=limits.get(constant.name),
                    value=int(state.constants[constant.name]),
                    width=220,
                )
                box.param.watch(held(functools.partial(self._on_constant, constant)), "value")
                box.param.watch(self._on_refusal, "refusal")
                self.constant_inputs[constant.name] = box
            self._constants_box.objects = list(self.constant_inputs.values())
        for name, box in self.constant_inputs.items():
            if box.value != state.constants[name]:
                self._syncing = True
                try:
                    box.value = int(state.constants[name])
                finally:
                    self._syncing = False

    def _on_family_selected(self, event):
        if self._syncing or event.new == self.state.family:
            return

        def switch():
            if not self.state.switch_family(event.new):
                self._sync_family()  # the selector goes back to the family still in use

        run_when_loaded(self.state, [event.new], switch, on_failure=self._sync_family)

    def _on_switch_anyway(self, _event=None):
        refused = self.state.refused_switch
        if refused is None:
            return

        def switch():
            self.state.switch_family(refused.family, clear=True)
            self.state.notice = (
                f"Switched to {self.state.family_spec.label} with no observations; Undo brings the old data back."
            )

        run_when_loaded(self.state, [refused.family], switch)

    def _on_constant(self, constant: mle_core.Parameter, event):
        if self._syncing or event.new is None:
            return
        try:
            self.state.set_constant(constant.name, event.new)
        except ValueError as error:
            self.state.notice = f"{constant.description.capitalize()} ({constant.symbol}) not changed: {error}."
            self._sync_family()
        else:
            self.state.notice = f"Now {constant.symbol} = {event.new:,} ({constant.description})."

    def _on_answer_box(self, event):
        if event.new == self.state.answer_shown:
            return  # the toggle following the state (Optimize revealed the answer, new data hid it)
        if event.new:
            self.state.show_answer(keep=True)
        else:
            self.state.hide_answer()

    def _sync_answer_box(self, *_):
        if self.answer_box.value != self.state.answer_shown:
            self.answer_box.value = self.state.answer_shown

    def _on_outcome(self, value, _event=None):
        self.state.add_observations([value])

    # --- the data buttons -----------------------------------------------------------------------
    def _sync_buttons(self, *_):
        has_data = self.state.n > 0
        self.optimize_button.disabled = not has_data
        self.undo_button.disabled = not self.state.can_undo
        # Escaped: a notice can quote what a link, a file name or the typing box held (HTML from a link
        # would otherwise run in the student's page).
        notice = html.escape(self.state.notice)
        if not has_data:
            # The notice too: it may say why nothing was added.
            hint = f"Optimize needs at least one observation: click on the plot, or {ADD_BY_KEYBOARD}."
            self._hint.object = f"{notice}<br>{hint}" if notice else hint
        else:
            self._hint.object = notice

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
        start = dict(self.state.theta)
        self.state.make_reachable(**target)  # so that every frame is within the sliders' ranges
        model = self.state.model
        started = _now()

        @held
        def step():
            # The first frame is drawn at once, the click's answer, already one period along the way.
            fraction = (_now() - started + ANIMATION_PERIOD_MS / 1e3) / ANIMATION_DURATION_S
            if fraction >= 1.0 or self.state.model is not model:
                self._stop_animation()
                if self.state.model is model:
                    self.state.optimize()  # the last frame is the exact estimate, not an interpolation
                return
            t = ease(fraction)
            try:
                self.state.set_parameters(**{name: start[name] + t * (target[name] - start[name]) for name in start})
            except Exception:
                self._stop_animation()  # with no frame count, a failing frame would otherwise repeat forever
                raise

        # No count: the animation ends itself once its time is up, however many frames that took.
        self._animation = pn.state.add_periodic_callback(step, period=ANIMATION_PERIOD_MS)

    def _stop_animation(self):
        if self._animation is not None:
            self._animation.stop()
            self._animation = None
