"""The static (Pyodide) site end to end: built as the README says, opened in Chromium with no server and no CDN.

One browser context is a student's browser: the first page is the first visit (the pre-rendered copy, then the
live app from Python in a web worker) and drives what a student does; a shared link is then opened in a fresh
page; and last the network is cut and the page reloaded, which must still render the live app from what the
first visit cached. Any console error or uncaught page error fails the test that caused it.

CDN requests are answered from the offline mirror beside the checkout (``../shared/pyodide-offline``, prepared
here if need be), or from the real CDNs where there is no mirror; with neither, the tests are skipped.
"""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import expect

from . import static_page
from .support import (
    AT_THE_TOP,
    click_plot,
    gaussian_log_likelihood,
    observation_xs,
    plot_property,
    read_log_likelihood,
    read_n,
    readout_matches,
    readout_text,
    slider_value,
    slider_values,
    step_slider,
    wait_for_observations,
    wait_until,
)

# The first test also waits for the build (≈ 30 s), for the mirror if it must be prepared (1–2 minutes) and for
# the first load (≈ 15 s here, a minute on a loaded machine): more than the suite's 300 s may be needed.
pytestmark = [pytest.mark.browser, pytest.mark.static, pytest.mark.timeout(900)]

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]
#: BokehJS turns a second tap within 300 ms into a DoubleTap: a student's clicks are further apart.
CLICK_SPACING_MS = 350
#: A round trip to the worker after the page is live (seconds).
UPDATE_TIMEOUT_S = 20.0


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built once per test session by ``python tools/build_static.py --out DIR``."""
    source, why = static_page.cdn_source()
    if source == "none":
        pytest.skip(f"the static page cannot be opened here: {why}")
    out, _ = static_page.built_once(tmp_path_factory.getbasetemp())
    return out


@pytest.fixture(scope="module")
def student(browser, site):
    """A student's browser context, with the first visit's page open and live."""
    with static_page.site_context(browser, site) as context:
        context.context.set_default_timeout(UPDATE_TIMEOUT_S * 1000)
        page = context.new_page()
        static_page.wait_for_live_app(page)
        yield context


@pytest.fixture
def no_errors(student):
    """Fail the test if it caused a console error or an uncaught page error (in any of the context's pages)."""
    before = len(student.errors)
    yield
    new = student.errors[before:]
    assert not new, "errors during the test:\n" + "\n".join(new)


def live_readout_shows(page, text: str) -> bool:
    return readout_text(page, "log-likelihood") == text


def notices(page) -> list[str]:
    """Every text the app's live regions (its notices, the readout's summary) have shown since ``record_notices``,
    in order."""
    return page.evaluate("() => window.__notices ?? []")


def record_notices(page) -> None:
    """Start recording each new text of the app's live regions (``app.widgets.LIVE_REGION_CLASS``), whose text is
    inside shadow roots, where no MutationObserver of the page sees it: polled every 10 ms."""
    page.evaluate(
        """() => {
          window.__notices = [];
          const text = (node) => node.nodeType === 3 ? node.textContent
            : node.nodeType === 1 && node.tagName === "STYLE" ? ""
            : [...node.childNodes].map(text).join("");
          const regions = (node, found) => {
            if (node.nodeType === 1 && node.classList.contains("mle-live")) found.push(node);
            for (const child of [...(node.shadowRoot?.childNodes ?? []), ...node.childNodes]) regions(child, found);
            return found;
          };
          const last = new Map();
          setInterval(() => {
            regions(document.body, []).forEach((region, i) => {
              const now = text(region.shadowRoot ?? region).trim();
              if (now && last.get(i) !== now) { last.set(i, now); window.__notices.push(now); }
            });
          }, 10);
        }"""
    )


def test_the_live_app_replaces_the_prerendered_copy_without_an_error(student, no_errors):
    page = student.pages[0]
    assert static_page.idle_count(page) == 2
    assert not student.errors, "errors while the page loaded:\n" + "\n".join(student.errors)
    assert page.evaluate("() => document.body.classList.contains('pn-loading')") is False


def test_the_seed_example_then_a_slider_step(student, no_errors):
    page = student.pages[0]
    assert observation_xs(page) == EXAMPLE
    values = slider_values(page)
    assert (values["mu"], values["sigma"]) == (0, 1)
    assert readout_text(page, "log-likelihood") == "−17.535"
    assert read_n(page) == 5
    mu = step_slider(page, "μ", "ArrowRight")
    assert mu == pytest.approx(values["mu_step"])
    assert read_log_likelihood(page) == pytest.approx(gaussian_log_likelihood(EXAMPLE, mu, 1.0), abs=5e-4)


def test_optimize_lands_exactly_on_the_estimate(student, no_errors):
    page = student.pages[0]
    page.get_by_role("button", name="Optimize").click()
    mean = sum(EXAMPLE) / 5
    std = math.sqrt(sum((x - mean) ** 2 for x in EXAMPLE) / 5)

    def at_the_estimate():
        values = slider_values(page)
        assert (values["mu"], values["sigma"]) == (pytest.approx(mean, abs=1e-12), pytest.approx(std, abs=1e-12))
        return True

    wait_until(at_the_estimate, timeout=UPDATE_TIMEOUT_S)
    wait_until(lambda: live_readout_shows(page, "−2.488"), timeout=UPDATE_TIMEOUT_S)
    assert (round(mean, 2), round(std, 3)) == (2.24, 0.398)
    assert readout_text(page, "gap") in AT_THE_TOP  # within ℓ's last decimal, as "0.000" said


def test_clicks_on_the_plot_add_points(student, no_errors):
    page = student.pages[0]
    for k, x in enumerate((3.1, 1.2)):
        if k:
            page.wait_for_timeout(CLICK_SPACING_MS)  # two clicks 300 ms apart are one double tap to BokehJS
        click_plot(page, x, 0.6)
        wait_for_observations(page, 6 + k, timeout=UPDATE_TIMEOUT_S)
    xs = observation_xs(page)
    assert xs[:5] == EXAMPLE
    assert xs[5] == pytest.approx(3.1, abs=0.05)
    assert xs[6] == pytest.approx(1.2, abs=0.05)
    wait_until(lambda: readout_matches(page), timeout=UPDATE_TIMEOUT_S)


def test_a_family_switch_and_a_scenario(student, no_errors):
    page = student.pages[0]
    xs = observation_xs(page)
    page.locator("select").first.select_option(label="Exponential (waiting times)")
    wait_until(lambda: slider_value(page, "λ") is not None, timeout=UPDATE_TIMEOUT_S)
    rate = slider_value(page, "λ")
    expected = sum(math.log(rate) - rate * x for x in xs)
    wait_until(lambda: read_log_likelihood(page) == pytest.approx(expected, abs=5e-4), timeout=UPDATE_TIMEOUT_S)
    assert observation_xs(page) == xs

    page.get_by_role("button", name="Machine errors per day").click()
    wait_for_observations(page, 60, timeout=UPDATE_TIMEOUT_S)
    expect(page.locator("select").first).to_have_value("Poisson (counts)")
    assert slider_value(page, "λ") is not None


def test_the_dark_theme_switches_in_place_keeping_the_data_and_the_sliders(student, no_errors):
    # The static page had no theme button; a reload would have lost the view (and taken Pyodide's start again).
    page = student.pages[0]
    before = (observation_xs(page), slider_value(page, "λ"))
    page.evaluate("() => { window.__same_page = true; }")  # gone if the page reloads
    page.get_by_role("button", name="Dark theme").click()
    wait_until(lambda: page.evaluate("document.documentElement.dataset.bsTheme") == "dark", timeout=UPDATE_TIMEOUT_S)
    expect(page.get_by_role("button", name="Light theme")).to_be_visible()
    wait_until(lambda: plot_property(page, "background_fill_color") == "#2b3035", timeout=UPDATE_TIMEOUT_S)
    assert page.evaluate("() => window.__same_page === true"), "the switch reloaded the page"
    assert (observation_xs(page), slider_value(page, "λ")) == before
    page.get_by_role("button", name="Light theme").click()
    wait_until(lambda: page.evaluate("document.documentElement.dataset.bsTheme") == "light", timeout=UPDATE_TIMEOUT_S)
    expect(page.get_by_role("button", name="Dark theme")).to_be_visible()
    assert (observation_xs(page), slider_value(page, "λ")) == before


def test_the_weibull_says_loading_scipy_first_and_without_it_keeps_the_family_and_data(student, no_errors):
    # The mirror has no scipy for Pyodide (nor, offline, would a student have it): the Weibull's fit cannot load,
    # and the student is told so, with the family and the data as they were. From the real CDNs scipy loads.
    page = student.pages[0]
    family = page.locator("select").first.input_value()
    xs = observation_xs(page)
    record_notices(page)
    page.locator("select").first.select_option(label="Weibull (lifetimes with wear-out)")

    def loading_then_an_outcome():
        shown = notices(page)
        loading = next((i for i, text in enumerate(shown) if "Loading scipy" in text), None)
        assert loading is not None, f"no 'Loading scipy…' among {shown}"
        return [text for text in shown[loading + 1 :] if not text.startswith("log-likelihood")]

    outcome = wait_until(loading_then_an_outcome, timeout=120)
    if student.source != "mirror":
        assert not any("could not be loaded" in text for text in outcome), outcome
        return
    assert "could not be loaded" in outcome[0], outcome
    assert f"still the {family} family, with the same data" in outcome[0], outcome
    assert observation_xs(page) == xs
    expect(page.locator("select").first).to_have_value(family)
    assert slider_value(page, "k") is None


def test_a_shared_link_opens_the_same_view_in_a_fresh_page(student, no_errors):
    teacher = student.pages[0]
    teacher.get_by_text("Share a link · upload · download").click()
    teacher.get_by_role("button", name="Link to this view").click()
    wait_until(lambda: "family=" in teacher.evaluate("() => window.location.search"), timeout=UPDATE_TIMEOUT_S)
    link = teacher.evaluate("() => window.location.href")
    assert link.startswith(static_page.SITE)
    view = (teacher.locator("select").first.input_value(), observation_xs(teacher), slider_values_by_title(teacher))

    pupil = student.new_page(link.removeprefix(static_page.SITE))
    static_page.wait_for_live_app(pupil)

    def same_view():
        shown = (pupil.locator("select").first.input_value(), observation_xs(pupil), slider_values_by_title(pupil))
        assert shown == view, f"the link opened {shown}, the teacher had {view}"
        return True

    wait_until(same_view, timeout=UPDATE_TIMEOUT_S)
    wait_until(lambda: readout_text(pupil, "log-likelihood") == readout_text(teacher, "log-likelihood"))


def test_a_teacher_s_link_opens_with_the_answer_shown(student, no_errors):
    # Read from the page's own address, as a shared link is (the static page has no request to read).
    page = student.new_page("index.html?answer=shown")
    static_page.wait_for_live_app(page)
    wait_until(lambda: readout_text(page, "mle-mu") == "2.24", timeout=UPDATE_TIMEOUT_S)
    assert readout_text(page, "mle-sigma") == "0.398"


def slider_values_by_title(page) -> dict[str, float]:
    """The sliders on the page (those of the family in use): their title → their value."""
    return page.evaluate(
        """() => {
          const views = [];
          const walk = (view) => { views.push(view); for (const child of view.child_views ?? []) walk(child); };
          for (const view of Object.values(Bokeh.index)) walk(view);
          const shown = views.filter((v) => v.model.type === "Slider" && v.el.isConnected && v.el.offsetParent);
          return Object.fromEntries(shown.map((v) => [v.model.title, v.model.value]));
        }"""
    )


def test_with_the_network_gone_a_reload_still_renders_the_live_app(student, no_errors):
    # After the first visit the service worker holds everything the page loads: cut every request that would
    # leave the browser (the mirror's and the site's alike), then reload.
    page = student.pages[0]
    blocked = []

    def offline(route):
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    student.context.route("**/*", offline)
    try:
        idle_before = static_page.idle_count(page)
        page.goto(static_page.SITE)  # the site's root, as a student types it: the first visit opened index.html
        static_page.wait_for_live_app(page, idle_before=idle_before)
        assert observation_xs(page) == EXAMPLE
        wait_until(lambda: live_readout_shows(page, "−17.535"), timeout=UPDATE_TIMEOUT_S)
    finally:
        student.context.unroute("**/*", offline)
    # The service worker asks the network first for the site's own files (so that a new build shows at once):
    # those requests were made and refused; nothing else should have needed the network.
    assert all(url.startswith(static_page.SITE) for url in blocked), blocked
