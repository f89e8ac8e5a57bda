"""The numbers: the log-likelihood, the sample size, the maximum and the gap to it, with formulas."""

from __future__ import annotations

import html
import math

import panel as pn
import param

from .assets import stylesheet
from .numbers import APPROXIMATELY_ZERO, log_likelihood, log_likelihood_gap, parameter
from .presentation import hat, presentation
from .state import ADD_BY_KEYBOARD, ExplorerState
from .widgets import LIVE_REGION_CLASS, Formulas, LiveHTML

#: The classes of the readout's HTML (each pane renders in its own shadow root: the sheets go to each pane).
_STYLESHEETS = (stylesheet("hints.css"), stylesheet("readout.css"))


def _value(text: str, test_id: str | None = None) -> str:
    test = f' data-testid="{test_id}"' if test_id else ""
    return f'<span class="mle-value"{test}>{text}</span>'


def _hint(text: str) -> str:
    return f'<div class="mle-hint">{text}</div>'


#: How close ℓ is to its maximum, in words: (the largest gap ℓ̂ − ℓ for the word, the word). 1.92 is the drop
#: that bounds a 95 % profile-likelihood interval: within it, the sliders are among the plausible values.
CLOSENESS = ((0.0005, "at the top"), (1.92, "hot"), (10.0, "warm"), (math.inf, "cold"))


def closeness(gap: float) -> str:
    """A hot/cold word for how far ℓ is below its maximum (``gap`` = ℓ̂ − ℓ ≥ 0): says how close, not where."""
    return next(word for limit, word in CLOSENESS if gap < limit)


_SUM_OF_LOGS = r"$\ell(\theta)=\sum_{i=1}^{n}\ln f(x_i\mid\theta)$"


class LikelihoodReadout(pn.viewable.Viewer):
    """ℓ(θ) for the current sliders, n, how far below its maximum ℓ is, and, once revealed, θ̂ and ℓ̂.

    Before the answer is shown (``state.answer_shown``) the readout gives a hot/cold cue instead: how far ℓ is
    below its maximum, a word for it, and whether the last move made it warmer or colder. That says how close
    the sliders are, never where θ̂ is.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        self._previous_gap: tuple[object, float] | None = None  # (the fit it was measured against, ℓ̂ − ℓ)
        self._trend = ""
        self._follow_the_gap()
        # Panel's HTML model rather than a plain Bokeh Div: in the browser every text change of a Bokeh Div
        # re-lays-out the whole page, which cost 13 ms of each slider step on this page (measured with
        # benchmarks/bench_browser.py: 43 → 30 ms per step); LiveHTML sends only the new text.
        self._numbers = LiveHTML(
            self._render(), sizing_mode="stretch_width", margin=(0, 5), stylesheets=list(_STYLESHEETS)
        )
        # What a screen reader says after each change: one short line, not the whole readout again.
        self._spoken = LiveHTML(
            self._summary(),
            css_classes=[LIVE_REGION_CLASS, "mle-visually-hidden"],
            width=1,
            height=1,
            margin=0,
            stylesheets=list(_STYLESHEETS),
        )
        self._formula_panes = [
            Formulas(formula, css_classes=["mle-formula"], stylesheets=list(_STYLESHEETS))
            for formula in (_SUM_OF_LOGS, *self._family_formulas())
        ]
        self._formulas = pn.Column(*self._formula_panes, sizing_mode="stretch_width")
        self.state.param.watch(
            self._update, ["log_likelihood", "mle", "true_parameters", "family", "answer_shown", "theta_changed"]
        )
        self.state.param.watch(self._update_formulas, ["family"])

    def __panel__(self):
        return pn.Column(self._numbers, self._spoken, self._formulas, sizing_mode="stretch_width")

    @property
    def spoken(self) -> str:
        """The line a screen reader announces after a change."""
        return self._spoken.object

    @property
    def text(self) -> str:
        """The readout's current HTML."""
        return self._numbers.object

    def _update(self, *_):
        self._follow_the_gap()
        self._numbers.object = self._render()
        self._spoken.object = self._summary()

    def _gap(self) -> float | None:
        """ℓ̂ − ℓ (0 for rounding noise below zero), or None without a finite maximum."""
        mle = self.state.mle
        if mle is None or not math.isfinite(mle.log_likelihood) or not math.isfinite(self.state.log_likelihood):
            return None
        return max(mle.log_likelihood - self.state.log_likelihood, 0.0)

    def _follow_the_gap(self) -> None:
        """Whether the last move made ℓ warmer or colder (against the same data: new data start afresh)."""
        gap, fit = self._gap(), self.state.mle
        previous = self._previous_gap
        if gap is None or previous is None or previous[0] is not fit:
            self._trend = ""
        elif abs(previous[1] - gap) < 0.0005:
            return  # no move ℓ's three decimals show (or another view's update): the word stays
        else:
            self._trend = "warmer than before" if gap < previous[1] else "colder than before"
        self._previous_gap = None if gap is None else (fit, gap)

    def _summary(self) -> str:
        """ℓ, how far below the maximum when there is a finite one, and n: one line a screen reader reads well."""
        state = self.state
        text = f"log-likelihood {log_likelihood(state.log_likelihood)}"
        gap = self._gap()
        if gap is not None:
            text += f", {log_likelihood_gap(gap)} below the maximum ({closeness(gap)})"
        return html.escape(f"{text}, n = {state.n}")

    def _family_formulas(self) -> tuple[str, str]:
        shown = presentation(self.state.family)
        return shown.log_likelihood_formula, shown.estimate_formula

    def _update_formulas(self, *_):
        for pane, formula in zip(self._formula_panes[1:], self._family_formulas(), strict=True):
            pane.object = formula

    def _render(self) -> str:
        state = self.state
        family = state.family_spec
        symbols = [p.symbol for p in family.parameters]
        n = state.n
        lines = [
            f'<div class="mle-headline">log-likelihood ℓ({", ".join(symbols)}) = '
            f"{_value(log_likelihood(state.log_likelihood), 'log-likelihood')}</div>",
            f"<div>n = {_value(str(n), 'n')} observation{'' if n == 1 else 's'}</div>",
        ]
        mle = state.mle
        gap = self._gap()
        if mle is None:
            lines.append(_hint(f"No observations: ℓ is an empty sum (0). Click on the plot, or {ADD_BY_KEYBOARD}."))
        else:
            finite = math.isfinite(mle.log_likelihood)
            if state.answer_shown:
                estimates = ", ".join(
                    f"{hat(p.symbol)} = "
                    f"{_value(parameter(mle.params[p.name], state.model.param[p.name].step), 'mle-' + p.name)}"
                    for p in family.parameters
                )
                hats = ", ".join(hat(s) for s in symbols)
                maximum = log_likelihood(mle.log_likelihood)
                maximum = f"ℓ({hats}) = {_value(maximum, 'max-log-likelihood')}" if finite else _value(maximum)
                lines.append(f"<div>maximum ℓ̂ = {maximum} at {estimates}</div>")
                if finite and not mle.converged:
                    lines.append(_hint(f"The optimizer did not converge: {mle.message}."))
            if not finite:
                # Said before Optimize too: there is no best fit to find, and Optimize will say where the sliders go.
                lines.append(_hint(f"{mle.message[0].upper()}{mle.message[1:]}."))
        if gap is not None:
            trend = f", {self._trend}" if self._trend else ""
            written = log_likelihood_gap(gap)
            relation = "" if written == APPROXIMATELY_ZERO else "= "  # "ℓ̂ − ℓ ≈ 0", not "= ≈ 0"
            lines.append(
                f"<div>ℓ̂ − ℓ {relation}{_value(written, 'gap')} below the maximum: <b>{closeness(gap)}</b>{trend}</div>"
            )
        if gap is not None and not state.answer_shown:
            lines.append(
                _hint(
                    "The best fit is hidden: move the sliders to make ℓ as large as you can, then press Optimize "
                    "to see it."
                )
            )
        truth = state.true_parameters
        if truth and state.answer_shown:
            shown = ", ".join(
                f"{p.symbol} = {_value(parameter(truth[p.name], state.model.param[p.name].step), 'true-' + p.name)}"
                for p in family.parameters
            )
            lines.append(f"<div>true values (the sample was drawn from them): {shown}</div>")
        return f'<div class="mle-readout">{"".join(lines)}</div>'
