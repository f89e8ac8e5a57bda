"""Draw a new sample from chosen true parameters, to watch the estimate wobble and settle."""

from __future__ import annotations

import html
import math

import panel as pn
import param

from .assets import stylesheet
from .controls import held
from .state import MAX_SAMPLE_SIZE, ExplorerState
from .widgets import GuardedFloatInput, GuardedIntInput, LiveHTML


class SampleDrawer(pn.viewable.Viewer):
    """Choose the true parameters and n, draw a sample, and compare the MLE with the truth.

    With n = 5 the estimate lands far from the truth from one draw to the next; with n = 5,000 it
    barely moves: the seed's warning that MLE is overconfident with tiny data, made visible.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        self.size_input = GuardedIntInput(
            label="Sample size n", value=20, start=1, end=MAX_SAMPLE_SIZE, width=140, description="How many draws"
        )
        self.size_input.param.watch(self._on_refusal, "refusal")
        self.size_input.param.watch(self._clear_message, "value")
        self.truth_inputs: dict[str, GuardedFloatInput] = {}
        self._truth_box = pn.Row(sizing_mode="stretch_width")
        self.draw_button = pn.widgets.Button(
            label="Draw a new sample", color="success", description="Replace the data with draws from the truth"
        )
        self._message = LiveHTML(
            "", sizing_mode="stretch_width", css_classes=["mle-hint"], stylesheets=[stylesheet("hints.css")]
        )
        self.draw_button.on_click(held(self._on_draw))
        self._build_inputs()
        self.state.param.watch(self._build_inputs, ["model"])

    def __panel__(self):
        return pn.Column(
            pn.pane.Markdown(
                "Pick the **true** parameters and a sample size, draw, then press Optimize: "
                "with small n the estimate wobbles from draw to draw, with large n it settles on the truth.",
                sizing_mode="stretch_width",
            ),
            self._truth_box,
            pn.Row(self.size_input, pn.Column(self.draw_button, align="end")),
            self._message,
            sizing_mode="stretch_width",
        )

    def _build_inputs(self, *_):
        family = self.state.family_spec
        self.truth_inputs = {}
        for p in family.parameters:
            start = p.lower if math.isfinite(p.lower) else None
            end = p.upper if math.isfinite(p.upper) else None
            self.truth_inputs[p.name] = GuardedFloatInput(
                label=f"true {p.symbol}",
                value=float(self.state.theta[p.name]),
                start=start,
                end=end,
                step=self.state.model.param[p.name].step,
                width=130,
            )
        for widget in self.truth_inputs.values():
            widget.param.watch(self._on_refusal, "refusal")
            widget.param.watch(self._clear_message, "value")
        self._truth_box.objects = list(self.truth_inputs.values())

    def _on_refusal(self, event):
        """A value the browser sent that an input cannot take (text, NaN, out of range): say so here."""
        self._message.object = html.escape(event.new)

    def _clear_message(self, *_):
        # A value the input took: what was said about an earlier one no longer applies.
        self._message.object = ""

    def _on_draw(self, _event=None):
        truth = {name: widget.value for name, widget in self.truth_inputs.items()}
        try:
            if any(value is None for value in truth.values()):
                raise ValueError("give every true parameter a value")
            self.state.draw_sample(self.size_input.value or 0, **truth)
        except ValueError as error:
            self._message.object = f"No sample drawn: {error}."
            return
        self._message.object = ""
