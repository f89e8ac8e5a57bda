"""The whole explorer: one object per browser session, composed of the component views."""

from __future__ import annotations

import panel as pn
import param

from .controls import ParameterControls
from .plot import LikelihoodPlot
from .readout import LikelihoodReadout
from .state import ExplorerState

INTRODUCTION = """
**Maximum likelihood** asks: which parameters make the data we saw most probable?
Here the model is a bell curve N(μ, σ²). Each red segment is one observation's density f(xᵢ);
the likelihood multiplies them, the **log-likelihood** ℓ adds their logarithms.
Move the sliders to make ℓ as large as you can, then press **Optimize** to see the exact answer.
"""

ASSUMPTIONS = """
**Keep in mind.** MLE assumes the observations are independent draws from one distribution of the
chosen shape. With only a handful of points it can be confidently wrong: σ̂ divides by n and so
underestimates the spread of small samples, and one point (or identical points) drives σ̂ to 0.
"""


class MLEExplorer(pn.viewable.Viewer):
    """MLE Explorer for one session: plot, sliders, Optimize, and the likelihood readout."""

    state = param.ClassSelector(class_=ExplorerState, doc="Everything this session knows.")

    def __init__(self, **params):
        params.setdefault("state", ExplorerState())
        super().__init__(**params)
        self.plot = LikelihoodPlot(state=self.state)
        self.controls = ParameterControls(state=self.state)
        self.readout = LikelihoodReadout(state=self.state)
        self._layout = pn.Row(
            pn.Column(
                pn.pane.Markdown(INTRODUCTION, sizing_mode="stretch_width"), self.plot, sizing_mode="stretch_width"
            ),
            pn.Column(
                self.controls,
                self.readout,
                pn.pane.Markdown(ASSUMPTIONS, sizing_mode="stretch_width"),
                width=400,
            ),
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        return self._layout

    def page(self) -> pn.template.BaseTemplate:
        """Return the app in a page template, ready to ``.servable()``."""
        # Bootstrap's template ships all its assets with Panel; the Fast ones fetch web fonts, which
        # an offline classroom cannot reach.
        return pn.template.BootstrapTemplate(
            title="MLE Explorer: maximum likelihood, hands on",
            main=[self],
            header_background="#1f5f99",
        )


def create_app() -> pn.viewable.Viewable:
    """Return a new page for a new session (used by ``panel serve``, the console script and the tests)."""
    pn.extension("katex", notifications=True)
    return MLEExplorer().page()
