"""Scenario presets: the seed document's real-world stories, one click each."""

from __future__ import annotations

import functools

import panel as pn
import param

from mle_core.scenarios import SCENARIOS

from .controls import held
from .requirements import run_when_loaded
from .state import ExplorerState


class ScenarioPicker(pn.viewable.Viewer):
    """One button per scenario (coin, A/B test, factory, light bulbs, …) and the story of the loaded one.

    Loading a scenario sets its family, its data and deliberately wrong parameters, so that
    Optimize shows the jump to the estimate.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        self.buttons = {}
        for name, scenario in SCENARIOS.items():
            button = pn.widgets.Button(label=scenario.title, margin=(2, 4))
            button.on_click(held(functools.partial(self._on_load, name)))
            self.buttons[name] = button
        self._story = pn.pane.Markdown("", sizing_mode="stretch_width", margin=(0, 10))
        self.state.param.watch(self._show_story, ["scenario"])
        self._show_story()

    def __panel__(self):
        return pn.Column(
            pn.pane.Markdown("**Scenarios** — real questions MLE answers (one click loads the data):", margin=(0, 10)),
            pn.FlexBox(*self.buttons.values()),
            self._story,
            sizing_mode="stretch_width",
        )

    def _on_load(self, name, _event=None):
        run_when_loaded(self.state, [SCENARIOS[name].family], lambda: self.state.load_scenario(name))

    def _show_story(self, *_):
        scenario = SCENARIOS.get(self.state.scenario)
        for name, button in self.buttons.items():
            button.color = "primary" if name == self.state.scenario else "default"
        self._story.object = f"**{scenario.title}.** {scenario.story}" if scenario else ""
