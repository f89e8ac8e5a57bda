"""Move or remove one observation from the keyboard.

On the plot an observation is dragged to move it, or clicked and removed with Backspace: both need a mouse to
pick the point. Here the point is picked by its number, its value is typed, and Undo takes either back.
"""

from __future__ import annotations

import panel as pn
import param

from .controls import held
from .parsing import exact_text, parse_numbers, short_quote
from .state import ExplorerState, why_not_an_observation
from .widgets import GuardedIntInput


class ObservationEditor(pn.viewable.Viewer):
    """Observation number k (1 is the first), its value in a box (Enter moves it there) and a Remove button."""

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state.")
    shown = param.Integer(
        default=None, allow_None=True, constant=True, doc="The 0-based index of the observation shown (None: no data)."
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.number = GuardedIntInput(
            label="Observation number (1 is the first)", start=1, end=1, value=1, sizing_mode="stretch_width"
        )
        self.value_input = pn.widgets.TextInput(
            label="Its value: type another, then Enter moves it", sizing_mode="stretch_width"
        )
        self.remove_button = pn.widgets.Button(label="Remove it", description="Remove this observation")
        # Each change reaches the browser in one message (as the typing box's: Panel runs Enter's callback
        # outside the document's lock, and the plot's updates need one).
        self.number.param.watch(held(self._show), "value")
        self.number.param.watch(self._on_refusal, "refusal")
        self.value_input.param.watch(held(self._on_move), "enter_pressed")
        self.remove_button.on_click(held(self._on_remove))
        self.state.param.watch(self._show, ["observations"])
        self._show()

    def __panel__(self):
        return pn.Column(self.number, self.value_input, self.remove_button, sizing_mode="stretch_width")

    @property
    def index(self) -> int:
        """The 0-based index of the observation shown."""
        return int(self.number.value) - 1

    def _show(self, *_):
        n = self.state.n
        self.number.end = max(n, 1)
        if self.number.value is None or self.number.value > max(n, 1):
            self.number.value = max(n, 1)  # the last one, after a removal at the end
        shown = exact_text(self.state.observations[self.index]) if n else ""
        self.value_input.param.update(value=shown, value_input=shown, disabled=not n)
        self.number.disabled = self.remove_button.disabled = not n
        self.remove_button.label = f"Remove observation {self.number.value}" if n else "Remove it"
        with param.edit_constant(self):
            self.shown = self.index if n else None

    def _on_refusal(self, event):
        self.state.notice = event.new

    def _on_move(self, _event=None):
        box = self.value_input
        text = box.value if box.value_input is None else box.value_input  # what the box shows, even if empty
        k = self.number.value
        family = self.state.family_spec
        try:
            values = parse_numbers(text)
            if values.size != 1:
                raise ValueError(f"type one number, not {values.size}")
            reason = why_not_an_observation(family, self.state.constants, float(values[0]))
            if reason is not None:  # named as typed, as the other checks here
                raise ValueError(f"{reason}; {short_quote(text.strip())} is not")
            self.state.move_observation(self.index, float(values[0]))
        except ValueError as error:
            self.state.notice = f"Not moved: {error}."
            self._show()  # the box shows the value the observation kept
            return
        self.state.notice = f"Observation {k} is now {exact_text(self.state.observations[self.index])}."

    def _on_remove(self, _event=None):
        k, value = self.number.value, self.state.observations[self.index]
        self.state.remove_observations([self.index])
        self.state.notice = f"Removed observation {k} ({exact_text(value)}). Undo brings it back."
