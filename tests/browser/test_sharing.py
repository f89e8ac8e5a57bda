"""Shared links and uploaded files in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .support import observation_xs, read_n, slider_value, wait_for_observations, wait_until

pytestmark = pytest.mark.browser

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]


def test_a_shared_link_opens_the_same_view_in_a_fresh_page(open_page, app_url):
    teacher = open_page()
    teacher.get_by_role("button", name="Machine errors per day").click()
    wait_for_observations(teacher, 60)
    teacher.get_by_text("Share a link · upload · download").click()
    teacher.get_by_role("button", name="Link to this view").click()
    wait_until(lambda: "family=poisson" in teacher.evaluate("() => window.location.search"))
    link = teacher.evaluate("() => window.location.href")
    teacher_xs = observation_xs(teacher)

    student = open_page(link)
    wait_until(lambda: slider_value(student, "λ") == 8.0)
    assert observation_xs(student) == teacher_xs
    assert read_n(student) == 60
    expect(student.locator("select").first).to_have_value("Poisson (counts)")


def test_a_malformed_link_opens_the_default_view_with_a_notice(open_page, app_url):
    page = open_page(app_url + "?family=poisson&x=1,2,oops")
    expect(page.get_by_text("This link could not be opened").first).to_be_visible()
    expect(page.get_by_text("observation 3 is not a number").first).to_be_visible()
    assert observation_xs(page) == EXAMPLE
    assert slider_value(page, "μ") == 0


def test_a_hand_typed_link_is_read_as_written_or_refused_by_name(open_page, app_url):
    # A key given twice was settled by the last one without a word, and "1e+1" (a "+" in a query is a space)
    # was "not a number".
    page = open_page(app_url + "?family=gaussian&mu=1&x=1,2&mu=2")
    expect(page.get_by_text("the link gives 'mu' 2 times").first).to_be_visible()
    assert observation_xs(page) == EXAMPLE
    page = open_page(app_url + "?family=gaussian&x=1e+1,2e+1&mu=1.5e+1")
    wait_until(lambda: slider_value(page, "μ") == 15)
    assert observation_xs(page) == [10, 20]


def test_an_uploaded_csv_with_one_bad_row_is_refused_and_the_plot_unchanged(page, tmp_path):
    bad = tmp_path / "lifetimes.csv"
    bad.write_text("hours\n1200\n800\nabout 950\n1500\n")
    page.get_by_text("Share a link · upload · download").click()
    page.locator("input[type=file]").first.set_input_files(str(bad))
    expect(page.get_by_text("Nothing loaded from lifetimes.csv").first).to_be_visible()
    expect(page.get_by_text("row 4 ('about 950') is not a number").first).to_be_visible()
    assert observation_xs(page) == EXAMPLE
    assert read_n(page) == 5

    good = tmp_path / "good.csv"
    good.write_text("x\n1.5\n2.5\n3.5\n")
    page.locator("input[type=file]").first.set_input_files(str(good))
    wait_for_observations(page, 3)
    assert observation_xs(page) == [1.5, 2.5, 3.5]


def test_the_observations_download_from_the_keyboard(page, tmp_path):
    # Panel's FileDownload listens on the link inside its button: Enter or Space on the button downloaded nothing.
    from mle_explorer.data_io import parse_csv

    page.get_by_text("Share a link · upload · download").click()
    button = page.get_by_role("button", name="Download observations (CSV)")
    for key in ("Enter", "Space"):
        with page.expect_download() as download:
            button.focus()
            page.keyboard.press(key)
        saved = tmp_path / f"{key}.csv"
        download.value.save_as(saved)
        assert parse_csv(saved.read_text()).tolist() == EXAMPLE
