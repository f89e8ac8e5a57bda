"""Numbers typed by a student and written back exactly (``mle_explorer.parsing``)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mle_explorer.parsing import exact_text, parse_numbers, read_number, short_quote


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no numbers"), ("1, a", "entry 2 \\('a'\\) is not a number"), ("3 inf", "not a finite number")],
)
def test_parse_numbers_names_the_bad_entry(text, message):
    with pytest.raises(ValueError, match=message):
        parse_numbers(text)


def test_parse_numbers_accepts_common_separators():
    assert parse_numbers(" 1,2 ;3\n4\t-5e-1 ").tolist() == [1.0, 2.0, 3.0, 4.0, -0.5]


def test_parse_numbers_accepts_the_minus_sign_the_readout_shows():
    assert parse_numbers("−17.535, 2").tolist() == [-17.535, 2.0]


def test_digits_grouped_with_underscores_are_a_typo_not_a_number():
    assert float("1_0") == 10.0  # what Python would read
    with pytest.raises(ValueError, match="could not convert"):
        read_number("1_0")
    with pytest.raises(ValueError, match="entry 2 \\('1_0'\\) is not a number"):
        parse_numbers("3, 1_0")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_exact_text_reads_back_as_the_same_float(value):
    text = exact_text(value)
    assert read_number(text) == value
    assert not text.endswith(".0")


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_typed_exact_texts_parse_back_to_the_same_numbers(values):
    assert parse_numbers(", ".join(exact_text(v) for v in values)).tolist() == values


def test_a_long_text_is_quoted_cut_with_an_ellipsis():
    assert short_quote("abc") == "'abc'"
    assert short_quote("x" * 50) == "'" + "x" * 20 + "'…"
    assert math.isnan(read_number("nan"))  # read as float reads it; parse_numbers refuses it by name
