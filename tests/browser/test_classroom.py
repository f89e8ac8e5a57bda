"""The classroom aids in a real browser: presentation mode, the keyboard path to Optimize, the tour, the dark theme."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from .support import (
    axis_label_font_size,
    focused,
    font_size,
    observation_xs,
    outline_width,
    plot_frame_width,
    plot_property,
    ringed_xs,
    slider_value,
    wait_for_observations,
    wait_until,
)

pytestmark = pytest.mark.browser

#: μ̂ for the example data (2.3, 1.9, 2.5, 2.8, 1.7): their mean.
MU_HAT = 2.24
#: Tab presses allowed to reach a control (the page has about 40 stops before Optimize).
MAX_TABS = 120


def sizes(page) -> dict[str, float | str]:
    return {
        "slider label": font_size(page.locator(".bk-slider-title").first),
        "readout": font_size(page.get_by_test_id("log-likelihood")),
        "Optimize": font_size(page.get_by_role("button", name="Optimize")),  # the one button of that name
        "family selector": font_size(page.locator("select").first),
        "plot axis label": axis_label_font_size(page, "x"),
    }


def px(size: str) -> float:
    return float(size.removesuffix("px"))


def test_presentation_mode_enlarges_the_fonts_and_toggling_back_restores_them(page):
    normal = sizes(page)
    toggle = page.get_by_role("button", name="Presentation mode")
    toggle.click()

    def enlarged():
        now = sizes(page)
        for name in ("slider label", "readout", "Optimize", "family selector"):
            assert now[name] >= 1.3 * normal[name], f"{name}: {normal[name]} px → {now[name]} px"
        assert px(now["plot axis label"]) >= px(normal["plot axis label"]) + 5, now["plot axis label"]
        return now

    big = wait_until(enlarged)
    print(f"font sizes before: {normal}\nfont sizes in presentation mode: {big}")
    toggle.click()
    wait_until(lambda: sizes(page) == normal)


@pytest.mark.parametrize(("width", "least_plot_width"), [(1024, 480), (800, 600), (400, 280)])
def test_a_narrow_window_stacks_the_columns_instead_of_squeezing_the_plot(page, width, least_plot_width):
    # Side by side whatever the width, the plot's drawing area was 182 px wide at 1024 px (a projector), 42 px
    # at 800, and at 400 px the page was cut off at the right.
    page.set_viewport_size({"width": width, "height": 768})
    wait_until(lambda: least_plot_width <= plot_frame_width(page) <= width)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing off to the right
    expect(page.get_by_role("button", name="Optimize")).to_be_visible()
    expect(page.get_by_role("button", name="Dark theme")).to_be_in_viewport()
    title_right = page.evaluate("() => document.querySelector('#header .title').getBoundingClientRect().right")
    assert title_right <= width, f"the title runs {title_right - width:.0f} px off the window"


def tab_to(page, text: str) -> int:
    """Press Tab until the focused element's text starts with ``text``; return the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is not None and now["text"].startswith(text):
            return presses
    raise AssertionError(f"{MAX_TABS} Tab presses did not reach {text!r}")


def test_keyboard_only_reaches_optimize_and_it_moves_the_sliders_to_the_mle(fresh_page):
    page = fresh_page  # the keyboard's path starts at the top of a newly opened page
    tab_to(page, "Optimize")
    now = focused(page)
    assert now["tag"] == "BUTTON"
    assert now["outline"] != "none", f"no visible focus on Optimize: {now}"
    assert float(now["width"].removesuffix("px")) >= 2
    page.keyboard.press("Enter")
    wait_until(lambda: math.isclose(slider_value(page, "μ"), MU_HAT, rel_tol=1e-12))


def test_the_page_title_is_its_heading_not_a_link_that_reloads_and_loses_the_data(fresh_page):
    page = fresh_page  # the keyboard's path starts at the top of a newly opened page
    # The template's title was a link to the page itself, the first Tab stop: Enter on it reloaded the page into
    # the example data. There was no heading and no main landmark either.
    expect(page.get_by_role("heading", level=1, name="MLE Explorer", exact=False)).to_be_visible()
    expect(page.locator("#header a.title")).to_have_count(0)
    expect(page.get_by_role("main")).to_have_count(1)
    page.keyboard.press("Tab")
    assert focused(page)["tag"] != "A"


def test_the_focus_ring_is_as_visible_on_the_plot_and_its_toolbar_as_on_the_controls(fresh_page):
    page = fresh_page  # the keyboard's path starts at the top of a newly opened page
    # The plot itself (its event layer, in Bokeh's canvas's shadow root), Bokeh's toolbar buttons (in their own
    # shadow root) and the template's title link showed a 1 px ring.
    rings = {}
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is not None and ("Toolbar" in now["within"] or "Canvas" in now["within"] or now["tag"] == "A"):
            rings[f"{now['within']} {now['tag']}.{now['class']}"] = (now["outline"], now["width"])
    assert any("Button" in name for name in rings), rings  # the toolbar's buttons were reached
    assert any("bk-events" in name for name in rings), rings  # and so was the plot
    assert all(outline == "solid" and width == "3px" for outline, width in rings.values()), rings


def test_the_skip_link_takes_the_keyboard_to_the_controls_in_a_few_presses(fresh_page):
    page = fresh_page  # the keyboard's path starts at the top of a newly opened page
    presses = tab_to(page, "Skip to the controls")
    assert presses <= 6, f"the skip link is the {presses}th Tab stop"
    page.keyboard.press("Enter")
    wait_until(lambda: focused(page)["tag"] == "SELECT")
    assert tab_to(page, "Optimize") <= 4  # the family, μ and σ come first
    page.keyboard.press("Enter")
    wait_until(lambda: math.isclose(slider_value(page, "μ"), MU_HAT, rel_tol=1e-12))


def test_the_tour_opens_moves_on_outlines_what_it_explains_and_closes(page):
    tour = page.get_by_role("dialog", name="Guided tour")
    expect(tour).to_be_hidden()
    page.get_by_role("button", name="Take the tour").click()
    expect(tour).to_be_visible()
    expect(tour).to_contain_text("Step 1 of 6")
    wait_until(lambda: outline_width(page, "plot") >= 3)
    wait_until(lambda: focused(page)["text"] == "Next")  # the keyboard can go on at once
    page.keyboard.press("Enter")
    expect(tour).to_contain_text("Step 2 of 6")
    expect(tour).to_contain_text("sliders")
    wait_until(lambda: outline_width(page, "μ") >= 3 and outline_width(page, "plot") == 0)
    tour.get_by_role("button", name="Back").click()
    expect(tour).to_contain_text("Step 1 of 6")
    page.keyboard.press("Escape")
    expect(tour).to_be_hidden()
    wait_until(lambda: outline_width(page, "plot") == 0)
    page.get_by_role("button", name="Take the tour").click()
    expect(tour).to_contain_text("Step 1 of 6")
    tour.get_by_role("button", name="Close").click()
    expect(tour).to_be_hidden()


def test_the_theme_button_switches_to_dark_in_place_keeping_presentation_mode_and_back(page):
    page.get_by_role("button", name="Presentation mode").click()
    wait_until(lambda: font_size(page.locator(".bk-slider-title").first) >= 18)
    page.evaluate("() => { window.__same_page = true; }")  # gone if the page reloads
    page.get_by_role("button", name="Dark theme").click()
    wait_until(lambda: page.evaluate("document.documentElement.dataset.bsTheme") == "dark")
    assert "theme=dark" in page.url, "a reload or a shared link opens in the dark theme"
    hint = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--mle-hint-color').trim()")
    assert hint == "#ffb86b", "the hint colour for a dark background"
    wait_until(lambda: plot_property(page, "background_fill_color") == "#2b3035")  # the plot follows the theme
    assert font_size(page.locator(".bk-slider-title").first) >= 18, "still in presentation mode"
    page.get_by_role("button", name="Presentation mode").click()
    wait_until(lambda: font_size(page.locator(".bk-slider-title").first) == 12)
    page.get_by_role("button", name="Light theme").click()
    wait_until(lambda: page.evaluate("document.documentElement.dataset.bsTheme") == "light")
    assert "theme=dark" not in page.url
    expect(page.get_by_role("button", name="Dark theme")).to_be_visible()
    wait_until(lambda: plot_property(page, "background_fill_color") == "#ffffff")
    assert page.evaluate("() => window.__same_page === true"), "the switch reloaded the page"


def test_switching_the_theme_keeps_the_family_the_data_and_the_sliders(page):
    # The switch used to reload the page (through a link), and said it had opened a link.
    page.get_by_role("button", name="Machine errors per day").click()
    page.get_by_role("button", name="Optimize").click()
    wait_until(lambda: slider_value(page, "λ") is not None and page.get_by_text("Moved to the maximum").count() > 0)
    before = (observation_xs(page), slider_value(page, "λ"))
    page.get_by_role("button", name="Dark theme").click()
    wait_until(lambda: page.evaluate("document.documentElement.dataset.bsTheme") == "dark")
    assert (observation_xs(page), slider_value(page, "λ")) == before
    expect(page.get_by_text("Moved to the maximum")).to_have_count(1)
    expect(page.get_by_text("Opened the view from the link")).to_have_count(0)


def test_the_keyboard_focus_stays_in_place_after_actions_that_rebuild_hide_or_disable_their_control(page):
    # Each of these dropped the focus to the page (a screen reader lost its place): the refused switch's buttons
    # are hidden once pressed, Undo turns disabled after the last edit, a scenario button is re-rendered in its
    # new colour, and a card built when first opened re-renders its header.
    def focus_is_on(text):
        wait_until(lambda: (focused(page) or {}).get("text", "").startswith(text))

    family = page.get_by_role("combobox", name="Model family")
    family.focus()
    page.keyboard.press("p")  # Poisson: the example data are not counts
    keep = page.get_by_role("button", name="Keep Gaussian (normal)")
    expect(keep).to_be_visible()
    keep.focus()
    page.keyboard.press("Enter")
    wait_until(lambda: focused(page)["tag"] == "SELECT")
    expect(family).to_have_value("Gaussian (normal)")

    box = page.get_by_placeholder("e.g. 2.1, 3.4")
    box.fill("3")
    box.press("Enter")
    wait_for_observations(page, 6)
    page.get_by_role("button", name="Undo").focus()
    page.keyboard.press("Enter")
    wait_for_observations(page, 5)
    focus_is_on("Example data")

    page.get_by_role("button", name="Machine errors per day").focus()
    page.keyboard.press("Enter")
    expect(family).to_have_value("Poisson (counts)")
    focus_is_on("Machine errors per day")

    page.locator("button.card-header", has_text="Share a link").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Link to this view")).to_be_visible()
    wait_until(lambda: "card-header" in focused(page)["class"])


def test_cards_say_whether_they_are_open_toggles_whether_pressed_and_spin_buttons_are_no_tab_stops(page):
    # A screen reader could not tell an open card from a closed one, nor presentation mode on from off; a number
    # box's unnamed ▲/▼ were two more Tab stops each.
    card = page.locator("button.card-header", has_text="Draw a new sample")
    expect(card).to_have_attribute("aria-expanded", "false")
    card.focus()
    page.keyboard.press("Enter")
    expect(page.locator("button.card-header", has_text="Draw a new sample")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Draw a new sample", exact=True)).to_be_visible()  # the card is built
    spin_buttons = page.locator(".bk-spin-btn")
    assert spin_buttons.count() >= 4  # the sample size's and the true parameters' boxes, at least
    for index in range(spin_buttons.count()):
        expect(spin_buttons.nth(index)).to_have_attribute("tabindex", "-1")
    toggle = page.get_by_role("button", name="Presentation mode")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.get_by_role("button", name="Presentation mode")).to_have_attribute("aria-pressed", "true")


def test_the_plot_s_toolbar_buttons_are_named_buttons_that_say_if_on_and_space_presses(page):
    # They were focusable divs with a title and no role (a screen reader found nothing there), Space did nothing,
    # and the hover tools' button was titled "Hover" three times over.
    pan = page.get_by_role("button", name="Pan", exact=True)
    expect(pan).to_have_attribute("aria-pressed", "false")
    pan.focus()
    page.keyboard.press("Space")
    expect(pan).to_have_attribute("aria-pressed", "true")
    expect(pan).to_have_class(re.compile(r"\bbk-active\b"))  # what a sighted user sees: the tool is on
    page.keyboard.press("Space")
    expect(pan).to_have_attribute("aria-pressed", "false")
    hover = page.get_by_role("button", name=re.compile("^Hover over an observation"))
    expect(hover).to_have_attribute(
        "aria-label",
        "Hover over an observation: its value, density and log-density; "
        "Hover over a histogram bar: its bin, count and density; "
        "Hover over a model bar: its probability P(X = k | θ)",
    )
    expect(hover).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Save the plot as a PNG image").focus()
    with page.expect_download() as download:
        page.keyboard.press("Space")
    assert download.value.suggested_filename == "mle-explorer.png"


def test_one_observation_is_moved_and_removed_with_the_keyboard_alone(page):
    # On the plot a point is picked with the mouse (drag it, or click it and press Backspace); a keyboard user
    # could add points and undo, but not move or remove one.
    card = page.locator("button.card-header", has_text="Move or remove one observation")
    card.focus()
    page.keyboard.press("Enter")
    number = page.get_by_label("Observation number (1 is the first)")
    value = page.get_by_label("Its value: type another, then Enter moves it")
    expect(value).to_have_value("2.3")
    number.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(value).to_have_value("2.5")  # observation 3
    wait_until(lambda: ringed_xs(page) == [2.5])  # and the plot rings it
    value.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("3.3")
    page.keyboard.press("Enter")
    wait_until(lambda: observation_xs(page) == [2.3, 1.9, 3.3, 2.8, 1.7])
    expect(page.get_by_text("Observation 3 is now 3.3.").first).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Remove observation 3"
    page.keyboard.press("Space")
    assert wait_for_observations(page, 4) == [2.3, 1.9, 2.8, 1.7]
    expect(value).to_have_value("2.8")
    wait_until(lambda: ringed_xs(page) == [2.8])
    card.focus()
    page.keyboard.press("Enter")  # closed, it rings none
    wait_until(lambda: ringed_xs(page) == [])


def test_the_family_selector_s_arrow_keys_show_a_family_and_enter_switches_to_it(page):
    # Chromium commits every ↑/↓/←/→/PageUp/PageDown on a closed select: each family on the way was switched to,
    # and Bernoulli, refused for the example data, put the selector back to Gaussian, so the keys never got past it.
    select = page.locator("select").first
    select.focus()
    page.keyboard.press("ArrowDown")  # Bernoulli
    page.keyboard.press("ArrowRight")  # Binomial
    page.keyboard.press("ArrowLeft")  # Bernoulli
    page.keyboard.press("PageDown")  # three on, as Chromium moves: Exponential
    expect(select).to_have_value("Exponential (waiting times)")
    expect(page.get_by_text("family needs")).to_have_count(0)  # Bernoulli was shown, not tried
    assert slider_value(page, "μ") == 0.0  # still the Gaussian's sliders
    page.keyboard.press("Enter")
    wait_until(lambda: slider_value(page, "λ") is not None)
    assert observation_xs(page) == [2.3, 1.9, 2.5, 2.8, 1.7]

    page.keyboard.press("ArrowUp")
    expect(select).to_have_value("Poisson (counts)")
    page.keyboard.press("Escape")  # puts back the family in use
    expect(select).to_have_value("Exponential (waiting times)")
    page.keyboard.press("End")
    expect(select).to_have_value("Weibull (lifetimes with wear-out)")
    page.keyboard.press("Tab")  # leaving the box does too
    expect(select).to_have_value("Exponential (waiting times)")
    select.focus()
    page.keyboard.press("Home")
    expect(select).to_have_value("Gaussian (normal)")
    # The list would open on Gaussian taken as already chosen, so choosing it there would change nothing:
    # it opens on the family in use instead.
    page.keyboard.press("Alt+ArrowDown")
    expect(select).to_have_value("Exponential (waiting times)")
    page.keyboard.press("Escape")
    assert slider_value(page, "λ") is not None
    assert slider_value(page, "k") is None
    expect(page.get_by_text("family needs")).to_have_count(0)
