"""The whole explorer: one object per browser session, composed of the component views."""

from __future__ import annotations

import functools

import panel as pn
import param

from .assets import stylesheet
from .comparison import FamilyComparisonTable
from .controls import ParameterControls
from .data_io import DataFiles
from .editing import ObservationEditor
from .landscape import LandscapePanel
from .plot import LikelihoodPlot
from .pyodide_support import IN_PYODIDE, when_page_address_known
from .readout import LikelihoodReadout
from .sampling import SampleDrawer
from .scenarios import ScenarioPicker
from .sharing import ShareLink
from .state import ExplorerState
from .upstream import send_small_messages_at_once
from .widgets import card_built_when_opened

INTRODUCTION = """
**Maximum likelihood** asks: which parameters make the data we saw most probable?
Pick a model family (a bell curve, coin flips, counts, lifetimes) or a scenario below. Each observation
contributes its density f(xᵢ) (for counts, its probability); the likelihood multiplies them, the
**log-likelihood** ℓ adds their logarithms. Move the sliders to make ℓ as large as you can, then press
**Optimize** to see the exact answer.
"""

ASSUMPTIONS = """
**Keep in mind.** MLE assumes the observations are independent draws from one distribution of the
chosen shape: fit the wrong shape and the best parameters of a wrong model are still wrong (compare the
families below). With only a handful of points it can be confidently wrong: σ̂ divides by n and so
underestimates the spread of small samples, one point (or identical points) drives σ̂ to 0, and three
heads in three flips give p̂ = 1.
"""


#: The explorer's layout: two columns side by side, the plot's at least 480 px wide and the controls' 400 px, which
#: stack in a window too narrow for both (squeezed, the plot was 182 px wide at 1024 px, a projector's width). The
#: rules, media queries on the window's width, are in explorer.css: a stylesheet of each row (the columns' elements
#: live in the row's shadow root).
LAYOUT_CSS = stylesheet("explorer.css")
PLOT_COLUMN_MIN_WIDTH = 480
CONTROLS_WIDTH = 400
_COLUMNS = {"sizing_mode": "stretch_width", "css_classes": ["mle-columns"], "stylesheets": [LAYOUT_CSS]}
_WIDE_COLUMN = {"sizing_mode": "stretch_width", "css_classes": ["mle-wide-column"]}
_NARROW_COLUMN = {"sizing_mode": "stretch_width", "css_classes": ["mle-narrow-column"]}


class MLEExplorer(pn.viewable.Viewer):
    """MLE Explorer for one session: scenarios, plot, family and sliders, Optimize, readout, sampling, comparison."""

    state = param.ClassSelector(class_=ExplorerState, doc="Everything this session knows.")

    def __init__(self, **params):
        params.setdefault("state", ExplorerState())
        super().__init__(**params)
        self.plot = LikelihoodPlot(state=self.state)
        self.controls = ParameterControls(state=self.state)
        self.readout = LikelihoodReadout(state=self.state)
        self.scenarios = ScenarioPicker(state=self.state)
        self.comparison = FamilyComparisonTable(state=self.state)
        self.share = ShareLink(state=self.state)  # a shared link is restored before the page is shown
        self._restore_shared_view()
        self._move_card = card_built_when_opened(
            lambda: self.observation_editor, title="Move or remove one observation", sizing_mode="stretch_width"
        )
        self._move_card.param.watch(self._ring_the_chosen_observation, "collapsed")
        cards = [
            self._move_card,
            # Built when first opened: most students never open them (a lighter page for everyone).
            card_built_when_opened(
                lambda: self.sampler, title="Draw a new sample from known truth", sizing_mode="stretch_width"
            ),
            card_built_when_opened(
                lambda: pn.Column(self.share, self.files, sizing_mode="stretch_width"),
                title="Share a link · upload · download",
                sizing_mode="stretch_width",
            ),
        ]
        # Two rows of two columns, which stack in a narrow window (explorer.css). The first holds what a first
        # screen must show together: the plot, and beside it (or under it) the sliders, Optimize and the readout;
        # the second how to start (the introduction, the scenarios) and the tools for the data.
        self.main_view = pn.Column(
            pn.Row(
                pn.Column(self.plot, **_WIDE_COLUMN),
                pn.Column(
                    pn.Column(self.controls.family_panel, css_classes=["mle-family-panel"]),
                    self.controls.parameter_panel,
                    self.readout,
                    pn.Column(self.controls.data_panel, css_classes=["mle-data-panel"]),
                    stylesheets=[LAYOUT_CSS],
                    **_NARROW_COLUMN,
                ),
                **_COLUMNS,
            ),
            pn.Row(
                pn.Column(pn.pane.Markdown(INTRODUCTION, sizing_mode="stretch_width"), self.scenarios, **_WIDE_COLUMN),
                pn.Column(*cards, pn.pane.Markdown(ASSUMPTIONS, sizing_mode="stretch_width"), **_NARROW_COLUMN),
                **_COLUMNS,
            ),
            sizing_mode="stretch_width",
            # Beside the explanations only where both columns fit (classroom.Classroom wraps them below).
            styles={"min-width": f"min({PLOT_COLUMN_MIN_WIDTH + CONTROLS_WIDTH}px, 100%)"},
        )
        # Below: the comparison and the landscape, as wide as the page (classroom.Classroom puts them under the
        # explanations too: the landscape's surface, slices and tabs use the width).
        self.analysis_view = pn.Column(
            self.comparison,
            # Collapsed: nothing of it is built or updated until a student opens it, so clicks and
            # slider steps cost what they cost without it (measured: +30 ms per step when open).
            LandscapePanel(state=self.state, collapsed=True),
            sizing_mode="stretch_width",
        )
        self._layout = pn.Column(self.main_view, self.analysis_view, sizing_mode="stretch_width")

    def __panel__(self):
        return self._layout

    @functools.cached_property
    def observation_editor(self) -> ObservationEditor:
        """The "move or remove one observation" view, made the first time its card is opened."""
        editor = ObservationEditor(state=self.state)
        editor.param.watch(self._ring_the_chosen_observation, "shown")
        return editor

    def _ring_the_chosen_observation(self, *_):
        # While the card is open the plot rings the observation it shows: a number alone does not say which point.
        editor = self.__dict__.get("observation_editor")  # None until the card is first opened
        self.plot.mark_observation(None if editor is None or self._move_card.collapsed else editor.shown)

    @functools.cached_property
    def sampler(self) -> SampleDrawer:
        """The "draw a new sample" view, made the first time it is needed (its card opened)."""
        return SampleDrawer(state=self.state)

    @functools.cached_property
    def files(self) -> DataFiles:
        """The upload / download view, made the first time it is needed (its card opened)."""
        return DataFiles(state=self.state)

    def _restore_shared_view(self) -> None:
        """Open the view a shared link describes: from the request on a server (before the first
        render), from the page's own URL under Pyodide (once it has loaded)."""
        arguments = pn.state.session_args or {}
        if arguments:
            self.share.restore_from_request(arguments)
        elif IN_PYODIDE:
            when_page_address_known(self.share.restore_from_location)
        else:
            pn.state.onload(self.share.restore_from_location)

    def page(self) -> pn.template.BaseTemplate:
        """Return the app in a page template, ready to ``.servable()``.

        The classroom layer (``app.classroom``) adds explanations beside the app, a guided tour,
        presentation mode and the light/dark theme (``?theme=dark``; ``?presentation=1`` opens in
        presentation mode); it is kept as ``self.classroom``.
        """
        from .classroom import Classroom, requested_presentation, requested_theme

        self.classroom = Classroom(explorer=self, theme=requested_theme(), presentation=requested_presentation())
        # Bootstrap's template ships all its assets with Panel; the Fast ones fetch web fonts, which
        # an offline classroom cannot reach.
        return self.classroom.page(title="MLE Explorer: maximum likelihood, hands on")


def create_app(explorer: MLEExplorer | None = None) -> pn.viewable.Viewable:
    """Return the page of a new session (``panel serve``, the console script, the tests, the benchmarks).

    ``explorer`` is the session's explorer; a new one by default.
    """
    pn.extension("katex", "filedropper", notifications=True)
    pn.state.onload(send_small_messages_at_once)
    return (explorer or MLEExplorer()).page()
