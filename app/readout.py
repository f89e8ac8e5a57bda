"""The numbers: the log-likelihood, the sample size, the maximum and the gap to it, with formulas."""

from __future__ import annotations

import html
import math

import panel as pn
import param

from .assets import stylesheet
from .presentation import hat, presentation
from .state import ADD_BY_KEYBOARD, ExplorerState
from .widgets import LIVE_REGION_CLASS, LiveHTML

#: The classes of the readout's HTML (each pane renders in its own shadow root: the sheets go to each pane).
_STYLESHEETS = (stylesheet("hints.css"), stylesheet("readout.css"))


def _value(text: str, test_id: str | None = None) -> str:
    test = f' data-testid="{test_id}"' if test_id else ""
    return f'<span class="mle-value"{test}>{text}</span>'


def _hint(text: str) -> str:
    return f'<div class="mle-hint">{text}</div>'


def format_number(value: float | None, digits: int = 3) -> str:
    """Return ``value`` with ``digits`` decimals and a real minus sign; ∞ for infinities."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    if value != 0 and (abs(value) >= 1e9 or abs(value) < 10.0**-digits):
        text = f"{value:.{digits}e}"
    else:
        text = f"{value:.{digits}f}"
    return text.replace("-", "−")


_SUM_OF_LOGS = r"$\ell(\theta)=\sum_{i=1}^{n}\ln f(x_i\mid\theta)$"


class LikelihoodReadout(pn.viewable.Viewer):
    """ℓ(θ) for the current sliders, n, the maximum ℓ̂ and how far below it the student is."""

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
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
            pn.pane.LaTeX(formula, renderer="katex", css_classes=["mle-formula"], stylesheets=list(_STYLESHEETS))
            for formula in (_SUM_OF_LOGS, *self._family_formulas())
        ]
        self._formulas = pn.Column(*self._formula_panes, sizing_mode="stretch_width")
        self.state.param.watch(self._update, ["log_likelihood", "mle", "true_parameters", "family"])
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
        self._numbers.object = self._render()
        self._spoken.object = self._summary()

    def _summary(self) -> str:
        """ℓ, how far below the maximum when there is a finite one, and n: one line a screen reader reads well."""
        state = self.state
        text = f"log-likelihood {format_number(state.log_likelihood)}"
        mle = state.mle
        if mle is not None and not math.isinf(mle.log_likelihood):
            gap = mle.log_likelihood - state.log_likelihood
            text += f", {format_number(gap if gap >= 5e-4 else 0.0)} below the maximum"
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
            f"{_value(format_number(state.log_likelihood), 'log-likelihood')}</div>",
            f"<div>n = {_value(str(n), 'n')} observation{'' if n == 1 else 's'}</div>",
        ]
        mle = state.mle
        if mle is None:
            lines.append(_hint(f"No observations: ℓ is an empty sum (0). Click on the plot, or {ADD_BY_KEYBOARD}."))
        else:
            estimates = ", ".join(
                f"{hat(p.symbol)} = {_value(format_number(mle.params[p.name]), 'mle-' + p.name)}"
                for p in family.parameters
            )
            hats = ", ".join(hat(s) for s in symbols)
            if math.isinf(mle.log_likelihood):
                lines.append(f"<div>maximum ℓ̂ = {_value('+∞')} at {estimates}</div>")
                lines.append(_hint(f"{mle.message[0].upper()}{mle.message[1:]}."))
            else:
                # Below the shown precision the gap is rounding noise (1e-16 right after Optimize): show 0.000.
                gap = mle.log_likelihood - state.log_likelihood
                gap = gap if gap >= 5e-4 else 0.0
                lines.append(
                    f"<div>maximum ℓ̂ = ℓ({hats}) = {_value(format_number(mle.log_likelihood), 'max-log-likelihood')} "
                    f"at {estimates}</div>"
                    f"<div>ℓ̂ − ℓ = {_value(format_number(gap), 'gap')} below the maximum</div>"
                )
                if not mle.converged:
                    lines.append(_hint(f"The optimizer did not converge: {mle.message}."))
        truth = state.true_parameters
        if truth:
            shown = ", ".join(
                f"{p.symbol} = {_value(format_number(truth[p.name]), 'true-' + p.name)}" for p in family.parameters
            )
            lines.append(f"<div>true values (the sample was drawn from them): {shown}</div>")
        return f'<div class="mle-readout">{"".join(lines)}</div>'
