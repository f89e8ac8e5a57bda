"""Every family's best fit to the current data, side by side: the maximized ℓ and AIC."""

from __future__ import annotations

import html
import math

import panel as pn
import param
from bokeh.models import Div

import mle_core

from .assets import stylesheet
from .numbers import log_likelihood
from .requirements import missing_modules, run_when_loaded
from .state import ExplorerState
from .widgets import card_built_when_opened

#: AIC differences below this are no real difference (the usual rule of thumb, Burnham & Anderson's ΔAIC < 2).
NO_REAL_DIFFERENCE = 2.0


class FamilyComparisonTable(pn.viewable.Viewer):
    """The maximized log-likelihood ℓ̂ and AIC = 2k − 2ℓ̂ of each family for the current observations.

    Fitting a Gaussian to light-bulb lifetimes works, and is visibly worse: the table shows how much. Each AIC
    is also given as its distance ΔAIC above the lowest; families less than 2 above it are no real
    difference from it, and the table says so in words rather than naming a winner. Computed only while it
    is open (each open or data change fits every family once).
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        self._table = Div(text="", sizing_mode="stretch_width")
        # Its contents are put in the page when it is first opened (a lighter page for every student).
        self._card = card_built_when_opened(
            lambda: [
                pn.pane.Markdown(
                    "Each family fitted by maximum likelihood to the **same data**. Higher ℓ̂ fits better; "
                    "AIC = 2k − 2ℓ̂ charges each of the k parameters, and the lowest AIC fits best. ΔAIC is the "
                    "distance above the lowest: below 2 it is no real difference (a common rule of thumb).",
                    sizing_mode="stretch_width",
                ),
                # The pane's stylesheets, not the Div's: the pane sets the Div's own (Panel's design, then these).
                pn.pane.Bokeh(self._table, sizing_mode="stretch_width", stylesheets=[stylesheet("comparison.css")]),
            ],
            title="Compare families on these data",
            sizing_mode="stretch_width",
        )
        self._card.param.watch(self._refresh, ["collapsed"])
        self.state.param.watch(self._refresh, ["observations", "constants", "family"])

    def __panel__(self):
        return self._card

    @property
    def text(self) -> str:
        return self._table.text

    def _refresh(self, *_):
        if self._card.collapsed:
            return
        self._table.text = self.render()
        waiting = self._waiting()
        if waiting:  # in the browser, before scipy is loaded: the others now, these once it is
            run_when_loaded(self.state, waiting, self._refresh)

    @staticmethod
    def _waiting() -> list[str]:
        return [name for name in mle_core.FAMILIES if missing_modules([name])]

    def render(self) -> str:
        """The table's HTML for the current observations."""
        state = self.state
        if state.n == 0:
            return "<p>No observations to fit yet.</p>"
        waiting = self._waiting()
        ready = [name for name in mle_core.FAMILIES if name not in waiting]
        rows = mle_core.compare_families(state.observations, ready, **state.constants)
        fitted = [row for row in rows if row.reason == "" and math.isfinite(row.aic)]
        best = min((row.aic for row in fitted), default=None)
        close = [row for row in fitted if row.aic - best < NO_REAL_DIFFERENCE] if best is not None else []
        lines = [
            "<table class='mle-comparison'>",
            "<tr><th>family</th><th>k</th><th>max ℓ̂</th><th>AIC</th><th>ΔAIC</th></tr>",
        ]
        for row in rows:
            current = row.family == state.family
            row_class = " class='mle-current'" if current else ""
            name = f"{row.label}{' (current)' if current else ''}"
            if row.reason:
                # The short form fits a row; the full reason (which values, where) is in the tooltip.
                needs = mle_core.get_family(row.family).support
                reason = html.escape(row.reason, quote=True)
                cells = f"<td colspan=4 class='mle-reason' title='{reason}'>does not apply: it needs {needs}</td>"
            else:
                if row not in close:
                    mark = ""
                elif len(close) == 1:
                    mark = " ← lowest"
                else:
                    mark = " ← among the best"
                note = "" if row.converged else " (optimizer did not converge)"
                delta = row.aic - best if best is not None and math.isfinite(row.aic) else math.nan
                cells = (
                    f"<td class='mle-number'>{row.k}</td>"
                    f"<td class='mle-number'>{log_likelihood(row.log_likelihood)}</td>"
                    f"<td class='mle-number'>{log_likelihood(row.aic)}</td>"
                    f"<td class='mle-number'>{log_likelihood(delta)}{mark}{note}</td>"
                )
            lines.append(f"<tr{row_class}><td class='mle-name'>{name}</td>{cells}</tr>")
        for name in waiting:
            label = mle_core.get_family(name).label
            lines.append(f"<tr><td class='mle-name'>{label}</td><td colspan=4>loading its optimizer…</td></tr>")
        lines.append("</table>")
        if len(close) > 1:
            names = [row.label for row in close]
            listed = ", ".join(names[:-1]) + " and " + names[-1]
            lines.append(
                f"<p>{html.escape(listed)} fit about equally well: their AIC differ by less than 2, which is no "
                "real difference. Choose between them by what you know about the data.</p>"
            )
        return "".join(lines)
