"""Try first, in a real browser: the answer is hidden before Optimize and shown after (a continuous and a discrete
family), a teacher's ``?answer=shown`` keeps it shown, and a legend entry hides and shows its glyph."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .support import wait_until

pytestmark = pytest.mark.browser

#: The plot's best fit in BokehJS: its renderer's number of points, and whether the legend lists it.
_BEST_FIT = """() => {
  const models = Bokeh.documents.flatMap((doc) => [...doc.all_models]);
  const legend = models.find((m) => m.type === "Legend");
  const items = legend.items.filter((item) => item.label.value?.startsWith("best fit"));
  const drawn = items.flatMap((item) => item.renderers).filter((r) => r.visible);
  return {
    points: Math.max(0, ...drawn.map((r) => r.data_source.data.x.length)),
    listed: items.some((item) => item.visible),
  };
}"""


def best_fit(page) -> dict:
    return page.evaluate(_BEST_FIT)


def test_the_gaussian_answer_is_hidden_before_optimize_and_shown_after(page):
    expect(page.get_by_test_id("gap")).to_have_text("15.047")
    expect(page.get_by_text("cold", exact=True)).to_be_visible()
    expect(page.get_by_text("The best fit is hidden")).to_be_visible()
    expect(page.get_by_test_id("mle-mu")).to_have_count(0)
    expect(page.get_by_test_id("max-log-likelihood")).to_have_count(0)
    assert best_fit(page) == {"points": 0, "listed": False}
    box = page.get_by_role("button", name="Show the best fit")
    expect(box).to_have_attribute("aria-pressed", "false")

    page.get_by_role("button", name="Optimize").click()
    expect(page.get_by_test_id("mle-mu")).to_have_text("2.24")
    expect(page.get_by_test_id("mle-sigma")).to_have_text("0.398")
    expect(page.get_by_test_id("max-log-likelihood")).to_have_text("−2.488")
    expect(page.get_by_text("The best fit is hidden")).to_have_count(0)
    expect(box).to_have_attribute("aria-pressed", "true")
    wait_until(lambda: best_fit(page)["points"] > 100 and best_fit(page)["listed"])

    page.get_by_role("button", name="Light-bulb lifetimes", exact=True).click()  # new data: hidden again
    expect(page.get_by_test_id("mle-rate")).to_have_count(0)
    expect(box).to_have_attribute("aria-pressed", "false")
    wait_until(lambda: best_fit(page) == {"points": 0, "listed": False})


def test_a_discrete_family_s_answer_is_hidden_before_optimize_and_shown_after(page):
    page.get_by_role("button", name="A weighted coin", exact=True).click()
    expect(page.get_by_role("button", name="Heads (1)")).to_be_visible()
    expect(page.get_by_role("button", name="Tails (0)")).to_be_visible()
    expect(page.get_by_test_id("gap")).to_have_text("0.823")
    expect(page.get_by_test_id("mle-p")).to_have_count(0)
    expect(page.get_by_text("the likelihood peaks", exact=False)).to_have_count(0)  # the story no longer tells
    wait_until(lambda: best_fit(page) == {"points": 0, "listed": False})

    page.get_by_role("button", name="Optimize").click()
    expect(page.get_by_test_id("mle-p")).to_have_text("0.7")
    expect(page.get_by_test_id("gap")).to_have_text("0")
    wait_until(lambda: best_fit(page)["points"] > 0 and best_fit(page)["listed"])


def test_a_teacher_s_link_starts_with_the_answer_shown_and_keeps_it(open_page, app_url):
    page = open_page(f"{app_url}?answer=shown")
    expect(page.get_by_test_id("mle-mu")).to_have_text("2.24")
    box = page.get_by_role("button", name="Show the best fit")
    expect(box).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Machine errors per day", exact=True).click()
    expect(page.get_by_test_id("mle-rate")).to_have_text("3.15")
    expect(page.get_by_test_id("true-rate")).to_have_text("3.2")
    wait_until(lambda: best_fit(page)["points"] > 0)
    box.click()  # released: the class tries first again
    expect(page.get_by_test_id("mle-rate")).to_have_count(0)


def test_a_legend_entry_hides_and_shows_its_glyph(page):
    page.get_by_role("button", name="Optimize").click()
    wait_until(lambda: best_fit(page)["listed"])
    entry = page.locator(".bk-item", has_text="model N(μ, σ²)")

    def model_curve_visible():
        return page.evaluate(
            """() => Bokeh.documents.flatMap((doc) => [...doc.all_models]).find(
                 (m) => m.type === "LegendItem" && m.label.value === "model N(μ, σ²)").renderers[0].visible"""
        )

    entry.click()
    wait_until(lambda: model_curve_visible() is False)
    expect(entry).to_be_visible()  # still listed (greyed), to be clicked back on
    page.get_by_role("button", name="Example data").click()  # an app update meanwhile does not bring it back
    expect(page.get_by_text("Back to the five example observations")).to_be_visible()
    assert model_curve_visible() is False
    entry.click()
    wait_until(lambda: model_curve_visible() is True)
