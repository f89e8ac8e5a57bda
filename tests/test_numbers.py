"""The one number format (``mle_explorer.numbers``): known texts, and properties over 10⁻¹² … 10¹² and negatives."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mle_explorer import numbers
from mle_explorer.numbers import (
    APPROXIMATELY_ZERO,
    fixed,
    log_likelihood,
    log_likelihood_gap,
    number,
    parameter,
    power_of_ten,
    signed,
    ticks,
)

_SUPERSCRIPT_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def read_back(text: str) -> float:
    """The value a reader takes from a text the app wrote: "−8.043 × 10⁻⁴" → -0.0008043."""
    text = text.replace("−", "-")
    mantissa, _, power = text.partition(" × 10")
    value = float(mantissa)
    return value * 10.0 ** int(power.translate(_SUPERSCRIPT_DIGITS)) if power else value


def significant_figures(text: str) -> int:
    """How many significant figures a text shows (its mantissa's digits, leading zeros not counted)."""
    digits = re.sub(r"[^0-9]", "", text.replace("−", "").partition(" × 10")[0])
    return len(digits.lstrip("0")) or 1


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.2400001, "2.24"),
        (0.398, "0.398"),  # σ̂: the slider once said 0.3980 and the readout 0.398
        (0.39799999, "0.398"),
        (1372.897, "1373"),  # the wear-out bulbs' λ̂, once "1372.897"
        (1400.0, "1400"),
        (8.043e-4, "8.043 × 10⁻⁴"),  # the light bulbs' λ̂, once "8.043e−04"
        (8.333333e-4, "8.333 × 10⁻⁴"),
        (2.4253796720521524e-08, "2.425 × 10⁻⁸"),  # L multiplied out, once "2.4253796720521524e-08"
        (-3e9, "−3 × 10⁹"),
        (123456.7, "123457"),  # whole numbers below 10⁶ keep their digits
        (9.99996, "10"),
        (0.000999951, "0.001"),  # rounding up to 10⁻³ leaves the × 10ᵏ range
        (0.0, "0"),
        (-0.0, "0"),
        (math.inf, "∞"),
        (-math.inf, "−∞"),
        (math.nan, "—"),
        (None, "—"),
        (1.25, "1.25"),
        (1.0625, "1.063"),  # an exact half rounds away from zero, as JavaScript's toFixed (not to even: 1.062)
    ],
)
def test_known_numbers_are_written_as_a_textbook_writes_them(value, text):
    assert number(value) == text


def test_a_resolution_adds_the_digits_that_tell_values_apart():
    # Data near 10⁸: the slider steps by 0.01, and 1 × 10⁸ would write every position alike.
    assert parameter(100000001.333, 0.01) == "100000001.33"
    assert parameter(100000001.34, 0.01) == "100000001.34"
    assert parameter(2.24, 0.01) == "2.24"  # no more digits than 4 figures already give
    assert parameter(0.0008043, 1e-5) == "8.043 × 10⁻⁴"
    assert parameter(0.00080431, 1e-8) == "8.0431 × 10⁻⁴"  # small values keep the × 10ᵏ form, with more figures


def test_log_likelihoods_have_three_decimals_and_noise_reads_approximately_zero():
    assert log_likelihood(-17.5347) == "−17.535"
    assert log_likelihood(-2.488) == "−2.488"
    assert log_likelihood(-0.0001) == "0.000"  # no "−0.000"
    assert log_likelihood(math.inf) == "∞"
    assert log_likelihood_gap(15.0468) == "15.047"
    assert log_likelihood_gap(1e-16) == APPROXIMATELY_ZERO  # ℓ̂ − ℓ right after Optimize
    assert log_likelihood_gap(0.0) == "0"
    assert number(1.776e-15, noise=1e-9) == APPROXIMATELY_ZERO  # a slope at the top
    assert signed(number(5.773e-15, noise=1e-12)) == APPROXIMATELY_ZERO
    assert signed(number(0.412)) == "+0.412"
    assert signed(number(-0.412)) == "−0.412"
    assert fixed(-1e300) == "−1 × 10³⁰⁰"


def test_axis_ticks_are_written_alike():
    assert ticks([0, 5e-4, 1e-3, 1.5e-3, 2e-3]) == ["0", "0.0005", "0.0010", "0.0015", "0.0020"]  # once "2.000e−3"
    assert ticks([-20, -15, -10, -5, 5.6e-17]) == ["−20", "−15", "−10", "−5", "0"]
    assert ticks([0, 0.25, 0.5]) == ["0", "0.25", "0.50"]
    assert ticks([0, 2e-8, 4e-8]) == ["0", "2 × 10⁻⁸", "4 × 10⁻⁸"]
    assert ticks([1e6, 1.5e6, 2e6]) == ["1 × 10⁶", "1.5 × 10⁶", "2 × 10⁶"]
    assert ticks([100000000.0, 100000000.5, 100000001.0]) == ["100000000", "100000000.5", "100000001"]
    assert ticks([3.0]) == ["3"]


def test_powers_of_ten_beyond_a_float():
    assert power_of_ten(-5000.3) == "5.012 × 10⁻⁵⁰⁰¹"
    assert power_of_ten(math.log10(2.4253796720521524e-08)) == "2.425 × 10⁻⁸"
    assert power_of_ten(-math.inf) == "0"


magnitudes = st.floats(min_value=-12, max_value=12).map(lambda power: 10.0**power)
values = st.tuples(magnitudes, st.sampled_from([1.0, -1.0])).map(lambda pair: pair[0] * pair[1])


@given(values)
def test_a_number_reads_back_within_its_four_significant_figures_and_never_in_e_notation(value):
    text = number(value)
    assert "e" not in text
    assert "E" not in text
    assert APPROXIMATELY_ZERO not in text
    assert significant_figures(text) <= 6
    # Four significant figures: within half a unit of the fourth (whole numbers below 10⁶: of the last digit).
    assert abs(read_back(text) - value) <= 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - 3) * (1 + 1e-9)


@given(values, st.floats(min_value=-12, max_value=3).map(lambda power: 10.0**power))
def test_a_parameter_reads_back_within_its_slider_s_step(value, step):
    text = parameter(value, step)
    assert "e" not in text
    tolerance = min(0.5 * step, 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - 3))
    assert abs(read_back(text) - value) <= tolerance * (1 + 1e-9) + 1e-15 * abs(value)


@given(values, st.floats(min_value=0, max_value=1e3))
def test_approximately_zero_is_written_only_for_what_the_caller_calls_noise(value, noise):
    text = number(value, noise=noise)
    assert (text == APPROXIMATELY_ZERO) == (abs(value) <= noise)


@given(st.floats(min_value=-1e12, max_value=1e12))
def test_a_log_likelihood_reads_back_within_its_third_decimal(value):
    text = log_likelihood(value)
    assert "e" not in text
    assert re.fullmatch(r"−?\d+\.\d{3}", text)
    assert abs(read_back(text) - value) <= 0.0005 + 1e-15 * abs(value)


@given(
    st.floats(min_value=-1e12, max_value=1e12),
    st.sampled_from([1e-9, 1e-6, 1e-3, 0.25, 0.5, 1, 2, 2.5, 5, 20, 1000, 5e5, 1e7]),
    st.integers(min_value=2, max_value=12),
)
def test_ticks_are_distinct_when_the_ticks_are_and_never_in_e_notation(start, spacing, count):
    values = [start + k * spacing for k in range(count)]
    if len(set(values)) < count:
        return  # a spacing below the float's resolution at this start: no such axis
    labels = ticks(values)
    assert all("e" not in label for label in labels)
    assert len(set(labels)) == count, labels


def test_the_javascript_twin_is_shipped_next_to_the_module():
    for name in ("formatNumber", "formatFixed", "formatTicks"):
        assert f"function {name}(" in numbers.JAVASCRIPT


def test_a_session_sends_numbers_js_once_however_many_formatters_use_it():
    from bokeh.document import Document
    from bokeh.models import CustomJS, CustomJSHover, CustomJSTickFormatter
    from panel.io.state import set_curdoc

    from mle_explorer.explorer import create_app

    document = Document()
    with set_curdoc(document):  # as in a server session
        create_app().server_doc(document)
    formatters = [m for m in document.models if isinstance(m, CustomJSTickFormatter | CustomJSHover)]
    libraries = [m for m in document.models if isinstance(m, CustomJS) and "function formatTicks(" in m.code]
    assert len(formatters) >= 4  # two sliders, the plot's axes, its tooltips
    assert len(libraries) == 1
    assert all(formatter.args["library"] is libraries[0] for formatter in formatters)
    assert not any("function formatNumber(" in formatter.code for formatter in formatters)
