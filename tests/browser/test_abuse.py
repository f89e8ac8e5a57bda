"""Hostile and mistaken input in a real browser, against the app served the way ``mle-explorer`` serves it.

Every way in (clicks, slider models set from the page, the URL, uploaded files, the typing box, drags, family
switches) with NaN, ±inf, text, empty input, values outside the family's support, 1e308 and 1e-308, ten
million values, a 50 MB file and a 100 kB URL: each must give a clear message the student can see and leave
the observations and parameters as they were, with no error in the page's console or the server's log (the
fixtures fail a test on any).
"""

from __future__ import annotations

import logging
import math

import pytest
from playwright.sync_api import expect

from . import support
from .support import (
    js_number,
    observation_xs,
    read_n,
    readout_matches,
    readout_text,
    select_family,
    set_observation_columns,
    set_slider_model_value,
    slider_value,
    slider_values,
    step_slider,
    trigger_tap,
    wait_for_observations,
    wait_until,
)

pytestmark = pytest.mark.browser

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]


def notice(page, text: str):
    """The element showing ``text`` (the first, if the page shows it in more than one place)."""
    return page.get_by_text(text, exact=False).first


def unchanged(page, xs=EXAMPLE, mu=0.0, sigma=1.0) -> bool:
    """Whether the page still shows the example (or ``xs``) at the starting guess, with a matching readout."""
    values = slider_values(page)
    assert observation_xs(page) == xs, observation_xs(page)
    assert (values["mu"], values["sigma"]) == (mu, sigma), values
    return readout_matches(page)


def type_values(page, text: str) -> None:
    entry = page.get_by_placeholder("e.g. 2.1, 3.4")
    entry.fill(text)
    entry.press("Enter")


# --- clicks (the plot's Tap event, sent from BokehJS with any x) ----------------------------------------------
TAPS = [
    (math.nan, "Not added: observations must be finite numbers; found nan"),
    (math.inf, "Not added: observations must be finite numbers; found inf"),
    (-math.inf, "Not added: observations must be finite numbers; found -inf"),
    (1e308, "Not added: observations must lie within ±10¹⁵⁰; found 1e+308"),
]


def test_a_tap_at_no_real_place_is_refused_with_a_message(page):
    # One page for all of them (a page load costs seconds): each message differs, so each is checked afresh.
    for x, message in TAPS:
        trigger_tap(page, x)
        expect(notice(page, message)).to_be_visible()
        wait_until(lambda: unchanged(page))


def test_a_tap_at_1e_minus_308_adds_it(page):
    trigger_tap(page, 1e-308)
    wait_for_observations(page, 6)
    assert observation_xs(page)[-1] == 1e-308
    wait_until(lambda: readout_matches(page))


def test_a_tap_below_zero_for_the_exponential_is_refused(page):
    select_family(page, "Exponential (waiting times)")
    wait_until(lambda: slider_value(page, "λ") is not None)
    trigger_tap(page, -1.0)
    expect(notice(page, "Not added: exponential observations must be positive numbers; found -1.0")).to_be_visible()
    assert observation_xs(page) == EXAMPLE
    assert read_n(page) == 5


def test_a_tap_on_a_count_far_away_adds_it_without_stalling(page):
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    select_family(page, "Poisson (counts)")
    wait_until(lambda: slider_value(page, "λ") is not None)
    trigger_tap(page, 1e9)
    wait_until(lambda: read_n(page) == 1)
    assert observation_xs(page) == [1e9]
    page.get_by_role("button", name="Optimize").click()
    wait_until(lambda: slider_value(page, "λ") == 1e9)


# --- slider models set from the page --------------------------------------------------------------------------
#: Values and how the notice shows them (a whole number arrives from the page as an int).
SLIDER_VALUES = [
    (math.nan, "nan"),
    (math.inf, "inf"),
    (-math.inf, "-inf"),
    (1e308, "1e+308"),
    (99, "99"),
    (-99.5, "-99.5"),
]


def test_a_slider_set_to_a_bad_value_in_the_page_is_refused_and_put_back(page):
    for value, shown in SLIDER_VALUES:  # NaN, ±inf, 1e308, beyond the end, below the start
        set_slider_model_value(page, "μ", js_number(value))
        expect(notice(page, f"μ (mean): {shown} was refused: it takes numbers from 0 to 4.3.")).to_be_visible()
        wait_until(lambda: slider_value(page, "μ") == 0.0)  # the page's slider is back where the state has it
        wait_until(lambda: unchanged(page))
    assert step_slider(page) > 0  # and the slider still works


def test_a_slider_set_to_text_is_refused_by_bokeh_and_the_next_step_works(open_page_allowing):
    # Bokeh itself refuses text for a slider's value (the app never sees it): its error reply shows in the
    # console, and the server logs one warning line, not an error with a traceback.
    page = open_page_allowing("Unhandled ERROR reply", "failed to validate")
    with page.expect_console_message(lambda message: "Unhandled ERROR reply" in message.text):
        set_slider_model_value(page, "μ", "abc")
    assert len(open_page_allowing.console_errors) == 1
    assert readout_text(page, "log-likelihood") == "−17.535"
    set_slider_model_value(page, "μ", 2.0)
    wait_until(
        lambda: (
            readout_text(page, "log-likelihood") == support.shown(support.gaussian_log_likelihood(EXAMPLE, 2.0, 1.0))
        )
    )
    warnings = [r.getMessage() for r in open_page_allowing.server_log.records if r.levelno == logging.WARNING]
    assert any("refused a value a browser sent" in line for line in warnings), warnings


# --- the URL --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?x=1,nan,2", "observation 2 is not a finite number ('nan')"),
        ("?x=inf", "observation 1 is not a finite number ('inf')"),
        ("?mu=abc", "mu is not a number ('abc')"),
        ("?family=", "unknown family ''"),
        ("?family=poisson&x=2.5", "family needs non-negative integers up to 10⁹: observation 1 ('2.5')"),
        ("?x=1e308", "observations must lie within ±10¹⁵⁰"),
        ("?x=" + "1," * 50_000, "the link is too long (100,001 characters; at most 20,000)"),
        # Over Python's 4,300-digit limit for int(), which Panel's own reading of the URL applies to digit runs.
        ("?x=" + "1" * 4_301, "observation 1 is not a finite number ('11111111111111111111'…)"),
        ("?x=1_0", "observation 1 is not a number ('1_0')"),
    ],
    ids=["nan", "inf", "text", "empty family", "outside support", "1e308", "100 kB", "4301 digits", "underscore"],
)
def test_a_bad_link_opens_the_default_view_with_a_notice(open_page, app_url, query, message):
    page = open_page(app_url + query)
    expect(notice(page, "This link could not be opened")).to_be_visible()
    expect(notice(page, message)).to_be_visible()
    wait_until(lambda: unchanged(page))


def test_a_link_with_a_long_digit_run_under_a_key_the_app_ignores_opens_the_default_view(open_page, app_url):
    # Panel's URL sync read it with int() and raised: a blank page and a traceback (the fixture fails on either).
    page = open_page(app_url + "?utm=" + "9" * 4_301)
    wait_until(lambda: unchanged(page))
    step_slider(page)


def test_html_in_a_link_is_shown_not_run(open_page, app_url):
    page = open_page(app_url + '?family=<img src=x onerror="window.pwned=1">')
    expect(notice(page, "unknown family '<img src=x onerror=\"'…")).to_be_visible()  # its first 20 characters
    step_slider(page)  # a round trip: had the notice been HTML, the image would have failed to load by now
    assert page.evaluate("() => window.pwned") is None


def test_a_link_at_1e_minus_308_opens_it(open_page, app_url):
    page = open_page(app_url + "?family=exponential&x=1e-308")
    wait_until(lambda: observation_xs(page) == [1e-308])
    page.get_by_role("button", name="Optimize").click()
    wait_until(lambda: slider_value(page, "λ") == 1e308)


# --- uploaded files -------------------------------------------------------------------------------------------
def upload(page, path) -> None:
    """Drop the file at ``path`` on the upload box (opening its card if it is closed)."""
    card = page.locator("button.card-header", has_text="Share a link · upload · download")
    if card.get_attribute("aria-expanded") != "true":
        card.click()
    page.locator("input[type=file]").first.set_input_files(str(path))


BAD_FILES = [
    ("1\nhello\n", "row 2 ('hello') is not a number"),
    ("1\nnan\n", "row 2 ('nan') is not a finite number"),
    ("inf\n", "row 1 ('inf') is not a finite number"),
    ("", "the file holds no numbers"),
    ("1e308\n", "observations must lie within ±10¹⁵⁰"),
]


def test_a_bad_file_is_refused_with_a_message(page, tmp_path):
    for number, (content, message) in enumerate(BAD_FILES):  # text, NaN, inf, empty, 1e308
        path = tmp_path / f"data{number}.csv"
        path.write_text(content)
        upload(page, path)
        expect(notice(page, f"Nothing loaded from data{number}.csv")).to_contain_text(message)
        wait_until(lambda: unchanged(page))


def test_a_file_outside_the_family_s_support_names_the_row(page, tmp_path):
    select_family(page, "Exponential (waiting times)")
    wait_until(lambda: slider_value(page, "λ") is not None)
    path = tmp_path / "waits.csv"
    path.write_text("minutes\n3\n-1\n")
    upload(page, path)
    expect(notice(page, "needs positive numbers: row 3 (−1)")).to_be_visible()  # the value as the app writes it
    assert observation_xs(page) == EXAMPLE


@pytest.mark.parametrize(
    ("content", "xs"),
    [("4.5\n", [4.5]), ("2\n2\n2\n", [2.0, 2.0, 2.0]), ("1e-308\n", [1e-308])],
    ids=["a single point", "all equal", "1e-308"],
)
def test_a_single_equal_or_tiny_file_loads(page, tmp_path, content, xs):
    path = tmp_path / "data.csv"
    path.write_text(content)
    upload(page, path)
    wait_until(lambda: observation_xs(page) == xs)
    page.get_by_role("button", name="Optimize").click()
    wait_until(lambda: readout_matches(page))


def watch_websocket(frames: list[int]):
    """A ``before_load`` that records the size of every websocket message the page sends."""

    def watch(page):
        page.on("websocket", lambda socket: socket.on("framesent", lambda payload: frames.append(len(payload))))

    return watch


def test_ten_million_values_in_a_20_mb_file_arrive_in_pieces_and_are_refused(open_page_allowing, tmp_path):
    # Exactly 20 MB: the browser sends it, in 1 MB pieces under the server's 4 MiB message limit, and the
    # server refuses it for holding more than a million numbers.
    from mle_explorer.cli import WEBSOCKET_MAX_MESSAGE_BYTES

    frames: list[int] = []
    page = open_page_allowing(before_load=watch_websocket(frames))
    path = tmp_path / "ten_million.csv"
    path.write_bytes(b"1\n" * 10_000_000)
    upload(page, path)
    message = "Nothing loaded from ten_million.csv: the file holds more than 1,000,000 numbers"
    expect(notice(page, message)).to_be_visible(timeout=60_000)
    wait_until(lambda: unchanged(page))
    assert sum(frames) >= 20_000_000
    assert max(frames) <= WEBSOCKET_MAX_MESSAGE_BYTES


def test_a_50_mb_file_is_refused_by_the_browser_and_never_sent(open_page_allowing, tmp_path):
    frames: list[int] = []
    page = open_page_allowing(before_load=watch_websocket(frames))
    path = tmp_path / "fifty.csv"
    path.write_bytes(b"1\n" * 25_000_000)
    frames.clear()
    upload(page, path)
    expect(page.get_by_text("File is too large").first).to_be_visible()
    expect(page.get_by_text("Maximum file size is 20 MB").first).to_be_visible()
    wait_until(lambda: unchanged(page))  # a round trip after the drop: anything sent would have arrived
    assert sum(frames) < 100_000, f"{sum(frames):,} bytes went to the server"
    assert frames, "the page's websocket messages are not being counted"


# --- the typing box -------------------------------------------------------------------------------------------
BAD_TEXT = [
    ("nan", "Nothing added: entry 1 ('nan') is not a finite number."),
    ("2, -inf", "Nothing added: entry 2 ('-inf') is not a finite number."),
    ("two", "Nothing added: entry 1 ('two') is not a number."),
    (" ", "Nothing added: no numbers found: type values such as 2.1, 3.4."),
    ("1e308", "Nothing added: observations must lie within ±10¹⁵⁰"),
    ("<b>1</b>", "Nothing added: entry 1 ('<b>1</b>') is not a number."),
]


def test_bad_typed_values_are_named_and_nothing_is_added(page):
    for text, message in BAD_TEXT:  # NaN, -inf, text, empty, 1e308, HTML
        type_values(page, text)
        expect(notice(page, message)).to_be_visible()
        wait_until(lambda: unchanged(page))


def test_with_no_observations_the_reason_nothing_was_added_is_shown(page):
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    type_values(page, "abc")
    expect(notice(page, "Nothing added: entry 1 ('abc') is not a number.")).to_be_visible()
    expect(notice(page, "Optimize needs at least one observation")).to_be_visible()


def test_more_text_than_the_box_holds_is_refused(page):
    entry = page.get_by_placeholder("e.g. 2.1, 3.4")
    entry.fill("1 " * 150_000)  # 300,000 characters: the box keeps its first 200,000
    page.get_by_role("button", name="Add", exact=True).click()
    expect(notice(page, "Nothing added: the text reached the 200,000-character limit")).to_be_visible()
    wait_until(lambda: unchanged(page))


def test_typed_values_outside_the_support_are_refused(page):
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    select_family(page, "Poisson (counts)")
    wait_until(lambda: slider_value(page, "λ") is not None)
    type_values(page, "3, 1e-308")
    expect(notice(page, "poisson observations must be non-negative integers up to 10⁹; found 1e-308")).to_be_visible()
    assert observation_xs(page) == []


# --- drags ----------------------------------------------------------------------------------------------------
def test_a_drag_below_zero_for_the_exponential_is_refused_and_the_point_put_back(page):
    select_family(page, "Exponential (waiting times)")
    wait_until(lambda: slider_value(page, "λ") is not None)
    page.mouse.move(*support.data_to_page(page, 2.8, 0.0))
    page.mouse.down()
    page.mouse.move(*support.plot_to_page(page, -0.05, 0.3), steps=8)  # left of 0
    page.mouse.up()
    # Named by the observation's number (2.8 is the fourth), not by an index into the points the drag moved.
    refusal = "Not moved: the Exponential (waiting times) family needs positive numbers; observation 4 would be −"
    expect(notice(page, refusal)).to_be_visible()
    wait_until(lambda: observation_xs(page) == EXAMPLE)


EDITS = [
    ({"x": ["NaN", 1.9, 2.5, 2.8, 1.7]}, "Not moved: observations must be finite numbers; observation 1 would be nan."),
    ({"x": [*EXAMPLE[:4], "Infinity"]}, "Not moved: observations must be finite numbers; observation 5 would be inf."),
    ({"x": [*EXAMPLE[:4], 1e308]}, "Not moved: observations must lie within ±10¹⁵⁰; observation 5 would be 1 × 10³⁰⁸."),
    (
        {"x": [*EXAMPLE, 9.0], "y": [0] * 6, "density": [0] * 6, "log_density": [0] * 6},
        "Not changed: observations are added by clicking on the plot or typing them",
    ),
]


def test_an_edit_of_the_points_to_no_real_place_is_refused_and_put_back(page):
    for columns, message in EDITS:  # as the PointDrawTool would send them: NaN, inf, 1e308, an extra point
        set_observation_columns(page, columns)
        expect(notice(page, message)).to_be_visible()
        wait_until(lambda: unchanged(page))


# --- family switches ------------------------------------------------------------------------------------------
def test_a_switch_the_data_do_not_allow_is_refused_and_can_be_kept(page):
    type_values(page, "-1")
    wait_for_observations(page, 6)
    select_family(page, "Poisson (counts)")
    expect(notice(page, "The Poisson (counts) family needs non-negative integers")).to_be_visible()
    page.get_by_role("button", name="Keep Gaussian (normal)").click()
    expect(page.locator("select").first).to_have_value("Gaussian (normal)")
    wait_until(lambda: unchanged(page, [*EXAMPLE, -1.0]))


def test_a_switch_to_weibull_with_equal_data_says_why_there_is_no_maximum(page):
    page.get_by_role("button", name="Clear all").click()
    wait_for_observations(page, 0)
    type_values(page, "5 5 5")
    wait_for_observations(page, 3)
    select_family(page, "Weibull (lifetimes with wear-out)")
    wait_until(lambda: slider_value(page, "k") is not None)
    page.get_by_role("button", name="Optimize").click()
    expect(notice(page, "no finite maximum")).to_be_visible()
    assert observation_xs(page) == [5.0, 5.0, 5.0]


def test_a_family_the_selector_does_not_offer_is_refused(page):
    page.evaluate(
        """() => {
          const select = Bokeh.documents.flatMap((d) => [...d.all_models]).find((m) => m.title === "Model family");
          select.value = "cauchy";
        }"""
    )
    expect(notice(page, "Model family: 'cauchy' was refused")).to_be_visible()
    expect(page.locator("select").first).to_have_value("Gaussian (normal)")
    wait_until(lambda: unchanged(page))


# --- a message over the server's limit ------------------------------------------------------------------------
def test_a_page_sending_more_than_the_message_limit_loses_only_its_own_connection(open_page_allowing, open_page):
    hostile = open_page_allowing()
    student = open_page()
    hostile.evaluate(
        """() => {
          const box = Bokeh.documents.flatMap((d) => [...d.all_models]).find((m) => m.placeholder === "e.g. 2.1, 3.4");
          box.value_input = "1 ".repeat(2500000);  // 5 MB in one message, over the 4 MiB limit
        }"""
    )
    expect(hostile.get_by_text("Server connection lost.").first).to_be_visible()
    type_values(student, "3.25")  # everyone else carries on
    wait_for_observations(student, 6)
    assert step_slider(student) > 0


def test_a_number_typed_beyond_a_box_s_range_is_refused_and_put_back(page):
    # With the range in the browser's box, 0 typed in "Sample size n" stayed in the box unsent and Draw used 20.
    page.get_by_text("Draw a new sample from known truth").click()
    size = page.get_by_label("Sample size n")
    size.fill("0")
    size.press("Enter")
    expect(page.get_by_text("Sample size n: 0 was refused: it takes whole numbers from 1 to 100,000.")).to_be_visible()
    expect(size).to_have_value("20")
    sigma = page.get_by_label("true σ")
    sigma.fill("-1")
    sigma.press("Enter")
    expect(page.get_by_text("true σ: -1 was refused: it takes numbers from 0 up.")).to_be_visible()
    expect(sigma).to_have_value("1")
    wait_until(lambda: unchanged(page))
