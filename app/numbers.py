"""How the app writes a number: one format for every number a student reads.

The rules (``numbers.js`` beside this module holds the same rules for what the browser writes itself: axis
ticks, hover tooltips, slider titles; ``tests/browser/test_numbers.py`` checks that the two agree):

* A measured value (a parameter, a standard error, a density, a statistic) has 4 significant figures, without
  trailing zeros: 2.24, 0.398, 1373. A ``resolution`` (a slider's step) adds the decimals needed to tell two
  values that far apart: data near 10⁸ need 100000001.33, not 1 × 10⁸. Whole numbers below 10⁶ keep every
  digit (123457, not 123500).
* Below 0.001 or from 10⁶ on, a value is written as a textbook writes it, 8.043 × 10⁻⁴, never 8.043e-04.
* The log-likelihood ℓ (and ℓ̂, AIC) has 3 decimals: −17.535, −2.488.
* What the caller calls rounding noise (``noise``: a difference of ℓ far below ℓ's own rounding, a slope of
  10⁻¹⁵ at the top) is written "≈ 0"; an exact zero is "0".
* A real minus sign (−), and ∞ for infinities.

Rounding is to the nearest, halves away from zero, on the float's exact binary value: what JavaScript's
``toFixed`` and ``toExponential`` do, so that both sides write every value alike. Shared links and the move box
do not use this module: they keep exact values (``app.parsing.exact_text``).

The second half builds the Bokeh models that run ``numbers.js`` in the browser.
"""

from __future__ import annotations

import itertools
import math
import weakref
from decimal import ROUND_HALF_UP, Context, Decimal

from .assets import asset_text

#: Significant figures of a measured value.
FIGURES = 4
#: Decimals of ℓ, ℓ̂ and AIC.
LOG_LIKELIHOOD_DECIMALS = 3
#: Exponents of ten outside [SMALLEST_PLAIN, LARGEST_PLAIN] are written m × 10ᵏ: below 0.001, from 10⁶ on.
SMALLEST_PLAIN = -3
LARGEST_PLAIN = 5
#: The most significant figures a resolution can ask for (a float holds about 17).
MOST_FIGURES = 17
#: The most decimals an axis writes out before its ticks are written m × 10ᵏ (0.00002, but not 0.000002).
MOST_TICK_DECIMALS = 5
MINUS = "\u2212"
APPROXIMATELY_ZERO = "≈ 0"
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: Room for every digit a float can need here (a value below 10¹⁵ with 20 decimals), halves rounded up.
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)


def _sign(value: float) -> str:
    return MINUS if value < 0 else ""


def _special(value) -> str | None:
    """The text of a value that is no finite number (None, nan, ±∞), else None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    return None


def _rounded(magnitude: float, figures: int) -> Decimal:
    """``magnitude`` > 0 rounded to ``figures`` significant figures (halves away from zero, as JavaScript)."""
    exact = Decimal(magnitude)
    return exact.quantize(Decimal(1).scaleb(exact.adjusted() - figures + 1), context=_CONTEXT)


def exponent(value: float, figures: int = FIGURES) -> int:
    """The power of ten of ``value`` ≠ 0 once rounded to ``figures`` significant figures (9.9996 → 1)."""
    return _rounded(abs(value), figures).adjusted()


def _fixed(magnitude: float, decimals: int) -> str:
    """``magnitude`` ≥ 0 with exactly ``decimals`` decimals (JavaScript's ``toFixed``)."""
    return format(Decimal(magnitude).quantize(Decimal(1).scaleb(-decimals), context=_CONTEXT), "f")


def _without_trailing_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _times_ten(mantissa: str, power: int) -> str:
    return f"{mantissa} × 10{str(power).translate(_SUPERSCRIPTS)}"


def resolution_decimals(resolution: float) -> int:
    """How many decimals tell apart two values ``resolution`` apart (0.01 → 2, 0.005 → 3, 50 → −1)."""
    return math.ceil(-math.log10(resolution) - 1e-9)


def number(value: float | None, figures: int = FIGURES, *, resolution: float | None = None, noise: float = 0.0) -> str:
    """``value`` with ``figures`` significant figures, more if ``resolution`` needs them; "≈ 0" if |value| ≤ ``noise``.

    2.2400001 → "2.24", 0.00080431 → "8.043 × 10⁻⁴", 1372.897 → "1373", −3e9 → "−3 × 10⁹",
    100000001.333 with resolution 0.01 → "100000001.33".
    """
    special = _special(value)
    if special is not None:
        return special
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) <= noise:
        return APPROXIMATELY_ZERO
    power = exponent(value, figures)
    if resolution is not None and math.isfinite(resolution) and resolution > 0:
        figures = max(figures, power + resolution_decimals(resolution) + 1)
        figures = min(figures, MOST_FIGURES)
        power = exponent(value, figures)
    # Large values keep every digit only when every digit counts (data near 10⁸ a step of 0.01 apart).
    plain = SMALLEST_PLAIN <= power <= LARGEST_PLAIN or (LARGEST_PLAIN < power <= 15 and figures > power)
    if plain:
        text = _without_trailing_zeros(_fixed(abs(value), max(figures - 1 - power, 0)))
    else:
        mantissa = _rounded(abs(value), figures).scaleb(-power)
        text = _times_ten(_without_trailing_zeros(format(mantissa, "f")), power)
    return _sign(value) + text


def fixed(value: float | None, decimals: int = LOG_LIKELIHOOD_DECIMALS) -> str:
    """``value`` with exactly ``decimals`` decimals (ℓ: −17.535); "0.000" rather than "−0.000".

    Beyond 10¹⁵, where decimals mean nothing, as ``number`` writes it.
    """
    special = _special(value)
    if special is not None:
        return special
    value = float(value)
    if abs(value) >= 1e15:
        return number(value)
    text = _fixed(abs(value), decimals)
    return ("" if float(text) == 0 else _sign(value)) + text


def log_likelihood(value: float | None) -> str:
    """ℓ (or ℓ̂, or AIC) as the readout writes it: 3 decimals."""
    return fixed(value, LOG_LIKELIHOOD_DECIMALS)


def log_likelihood_gap(value: float | None) -> str:
    """A difference of ℓ (ℓ̂ − ℓ): 3 decimals like ℓ, "≈ 0" below ℓ's last decimal (the readout's ℓ cannot show
    it), "0" when exactly 0."""
    if value == 0:
        return "0"
    if value is not None and math.isfinite(value) and abs(value) < 0.5 * 10.0**-LOG_LIKELIHOOD_DECIMALS:
        return APPROXIMATELY_ZERO
    return fixed(value, LOG_LIKELIHOOD_DECIMALS)


def signed(text: str) -> str:
    """A difference's text with an explicit sign: "+0.412", "−3", "≈ 0" (no sign for ≈ 0 or 0)."""
    if text in ("0", APPROXIMATELY_ZERO) or text.startswith(MINUS):
        return text
    return "+" + text


def equals(text: str) -> str:
    """ "= 2.24", but "≈ 0" for noise (not "= ≈ 0"): what follows a symbol in "∂ℓ/∂σ ≈ 0"."""
    return text if text == APPROXIMATELY_ZERO else f"= {text}"


def parameter(value: float | None, step: float | None = None) -> str:
    """A parameter's value, as its slider's title writes it: 4 significant figures, or the step's decimals."""
    return number(value, resolution=step)


def tick_decimals(spacing: float) -> int:
    """The decimals that write ticks ``spacing`` apart exactly: 0.5 → 1, 0.25 → 2, 2.5 → 1, 20 → 0."""
    decimals = max(0, -exponent(spacing, 2))
    while decimals < MOST_FIGURES and abs(float(_fixed(spacing, decimals)) - spacing) > 1e-9 * spacing:
        decimals += 1
    return decimals


def ticks(values) -> list[str]:
    """The labels of an axis's ticks, all written alike: "0", "0.0005", "0.0010", "0.0015"; "2 × 10⁻⁸", …

    Ticks within [10⁻⁵, 10⁶) are written with the decimals their spacing needs; others as ``number`` writes
    them, with the spacing as the resolution (ticks near 10⁸ half a unit apart keep their decimals).
    """
    values = [float(v) for v in values]
    finite = sorted({v for v in values if math.isfinite(v)})
    gaps = [b - a for a, b in itertools.pairwise(finite) if b > a]
    if not gaps:
        return [number(v) for v in values]
    spacing = min(gaps)
    top = max(abs(v) for v in finite)
    decimals = tick_decimals(spacing)

    def zero(v: float) -> bool:  # a tick of 5.6e-17 is 0 computed with rounding
        return math.isfinite(v) and abs(v) <= 1e-9 * spacing

    if top < 10.0 ** (LARGEST_PLAIN + 1) and decimals <= MOST_TICK_DECIMALS:
        return ["0" if zero(v) else fixed(v, decimals) if math.isfinite(v) else number(v) for v in values]
    return ["0" if zero(v) else number(v, resolution=spacing) for v in values]


def power_of_ten(log10_value: float) -> str:
    """10^v written as m × 10ᵏ with 4 significant figures (v may be −5000: the number itself is no float)."""
    if not math.isfinite(log10_value):
        return "0" if log10_value < 0 else "∞"
    if -300 < log10_value < 300:
        return number(10.0**log10_value)
    power = math.floor(log10_value)
    mantissa = 10 ** (log10_value - power)
    if float(_fixed(mantissa, FIGURES - 1)) >= 10:
        mantissa, power = 1.0, power + 1
    return _times_ten(_without_trailing_zeros(_fixed(mantissa, FIGURES - 1)), power)


# --- the same rules in the browser ------------------------------------------------------------------------
#: ``numbers.js``: the rules above in JavaScript, for the formatters below (function declarations only, so that
#: it can open the body of a Bokeh ``CustomJS…`` function).
JAVASCRIPT = asset_text("numbers.js")
#: The code the page receives: without comment lines and indentation.
_SHIPPED = "\n".join(
    line.strip() for line in JAVASCRIPT.splitlines() if line.strip() and not line.strip().startswith("//")
)
#: Each formatter calls the functions of the session's one copy of numbers.js (``_library``), compiled once per
#: page and kept by the model's id: 3.5 kB sent once, not once per slider, axis and tooltip (4 of them in a new
#: session, 8 % of its document).
_FROM_LIBRARY = (
    "const compiled = (globalThis.mleNumbers ??= new Map());\n"
    "let numbers = compiled.get(library.id);\n"
    "if (numbers === undefined) {\n"
    "  numbers = new Function(library.code)();\n"
    "  compiled.set(library.id, numbers);\n"
    "}\n"
)
_LIBRARIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _library():
    """The session's copy of numbers.js, as the code of a Bokeh ``CustomJS`` that is never run itself: the formatters
    refer to it, so its code goes to the page once. One per document (a Bokeh model belongs to one document);
    outside a session, a new one each time."""
    import panel as pn
    from bokeh.models import CustomJS

    document = pn.state.curdoc
    library = _LIBRARIES.get(document) if document is not None else None
    if library is None:
        library = CustomJS(code=_SHIPPED + "\nreturn {formatNumber, formatFixed, formatTicks};")
        if document is not None:
            _LIBRARIES[document] = library
    return library


def slider_formatter(step: float):
    """A Bokeh formatter writing a slider's value as ``parameter(value, step)`` does (its title and what a screen
    reader hears)."""
    from bokeh.models import CustomJSTickFormatter

    code = _FROM_LIBRARY + "return numbers.formatNumber(tick, 4, step, 0);"
    return CustomJSTickFormatter(args={"step": step, "library": _library()}, code=code)


def axis_formatter():
    """A Bokeh tick formatter writing an axis's ticks as ``ticks`` does (one per figure; both axes may share it)."""
    from bokeh.models import CustomJSTickFormatter

    # Bokeh binds ``this`` to one object per labelling of the axis: the labels are computed once for all ticks.
    code = _FROM_LIBRARY + "if (this.labels === undefined) this.labels = numbers.formatTicks(ticks);\n"
    return CustomJSTickFormatter(args={"library": _library()}, code=code + "return this.labels[index];")


def format_axes(figure) -> None:
    """Write the ticks of every axis of a Bokeh ``figure`` (and of its colour bars) as ``ticks`` does."""
    from bokeh.models import ColorBar

    formatter = axis_formatter()
    for axis in (*figure.xaxis, *figure.yaxis):
        axis.formatter = formatter
    for bar in figure.select(type=ColorBar):
        bar.formatter = formatter


def hover_formatter():
    """A Bokeh hover formatter: ``@column{number}`` writes the value as ``number``, ``@column{ell}`` as
    ``log_likelihood`` (pass it for each column in ``HoverTool.formatters``)."""
    from bokeh.models import CustomJSHover

    code = (
        _FROM_LIBRARY
        + 'return format === "ell" ? numbers.formatFixed(value, 3) : numbers.formatNumber(value, 4, null, 0);'
    )
    return CustomJSHover(args={"library": _library()}, code=code)
