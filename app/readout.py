"""The numbers: the log-likelihood, the sample size, the maximum and the gap to it, with formulas."""

from __future__ import annotations

import math

import panel as pn
import param
from bokeh.models import Div

from .state import ExplorerState

# Inline styles: the Div renders in its own shadow root, where a stylesheet of ours would not reach.
_READOUT_STYLE = "font-size: 1.05em; line-height: 1.6"
_VALUE_STYLE = "font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600"
_HEADLINE_STYLE = "font-size: 1.3em"
_HINT_STYLE = "color: #8a4b00"


def _value(text: str, test_id: str | None = None) -> str:
    test = f' data-testid="{test_id}"' if test_id else ""
    return f'<span style="{_VALUE_STYLE}"{test}>{text}</span>'


def _hint(text: str) -> str:
    return f'<div style="{_HINT_STYLE}">{text}</div>'


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


class LikelihoodReadout(pn.viewable.Viewer):
    """ℓ(μ, σ) for the current sliders, n, the maximum ℓ̂ and how far below it the student is."""

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        # A plain Bokeh Div rather than a pn.pane.HTML: it changes on every click and slider step, and
        # setting its text costs 0.04 ms where the pane's update machinery costs 1.4 ms (measured).
        self._numbers = Div(text=self._render(), sizing_mode="stretch_width")
        self._formulas = pn.Column(
            *(
                pn.pane.LaTeX(formula, renderer="katex", styles={"font-size": "0.95em"})
                for formula in (
                    r"$\ell(\mu,\sigma)=\sum_{i=1}^{n}\ln f(x_i\mid\mu,\sigma)$",
                    r"$\phantom{\ell(\mu,\sigma)}=-\tfrac{n}{2}\ln(2\pi)-n\ln\sigma"
                    r"-\tfrac{1}{2\sigma^2}\sum_{i=1}^{n}(x_i-\mu)^2$",
                    r"$\hat\mu=\bar x=\tfrac{1}{n}\sum_{i=1}^{n}x_i\qquad"
                    r"\hat\sigma=\sqrt{\tfrac{1}{n}\sum_{i=1}^{n}(x_i-\bar x)^2}$",
                )
            ),
            sizing_mode="stretch_width",
        )
        self.state.param.watch(self._update, ["log_likelihood", "mle"])

    def __panel__(self):
        return pn.Column(
            pn.pane.Bokeh(self._numbers, sizing_mode="stretch_width"), self._formulas, sizing_mode="stretch_width"
        )

    @property
    def text(self) -> str:
        """The readout's current HTML."""
        return self._numbers.text

    def _update(self, *_):
        self._numbers.text = self._render()

    def _render(self) -> str:
        state = self.state
        n = state.n
        lines = [
            f'<div style="{_HEADLINE_STYLE}">log-likelihood ℓ(μ, σ) = '
            f"{_value(format_number(state.log_likelihood), 'log-likelihood')}</div>",
            f"<div>n = {_value(str(n), 'n')} observation{'' if n == 1 else 's'}</div>",
        ]
        mle = state.mle
        if mle is None:
            lines.append(_hint("No observations: ℓ is an empty sum (0). Click on the plot to add some."))
        elif not mle.converged:
            lines.append(f"<div>maximum ℓ̂ = {_value('+∞')} at μ̂ = {format_number(mle.params['mu'])}, σ̂ = 0</div>")
            lines.append(
                _hint(
                    "All observations are equal (σ̂ = 0): the likelihood has no finite maximum, "
                    "it grows without bound as σ → 0."
                )
            )
        else:
            # Below the shown precision the gap is rounding noise (1e-16 right after Optimize): show 0.000.
            gap = mle.log_likelihood - state.log_likelihood
            gap = gap if gap >= 5e-4 else 0.0
            lines.append(
                f"<div>maximum ℓ̂ = ℓ(μ̂, σ̂) = {_value(format_number(mle.log_likelihood))} "
                f"at μ̂ = {format_number(mle.params['mu'])}, σ̂ = {format_number(mle.params['sigma'])}</div>"
                f"<div>ℓ̂ − ℓ = {_value(format_number(gap), 'gap')} below the maximum</div>"
            )
        return f'<div style="{_READOUT_STYLE}">{"".join(lines)}</div>'
