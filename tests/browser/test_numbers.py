"""One number format on the whole page: ``numbers.js`` writes what ``mle_explorer.numbers`` writes, and no scenario,
climb or tab shows e-notation or more than six significant figures.

The first tests run ``numbers.js`` in Chromium on a blank page (no app needed) and compare its texts with the
Python module's for the same values; the last one drives the app through every scenario.
"""

from __future__ import annotations

import math
import random
import re

import pytest
from playwright.sync_api import expect

from mle_core.scenarios import SCENARIOS
from mle_explorer import numbers

from .support import LOAD_TIMEOUT_S, VIEWPORT, wait_until

pytestmark = pytest.mark.browser


def _values() -> list[float]:
    """Values across 10⁻¹² … 10¹², both signs, halves that round differently to even, and the special ones."""
    rng = random.Random(18)
    values = [rng.choice((1.0, -1.0)) * 10.0 ** rng.uniform(-12, 12) for _ in range(400)]
    values += [rng.choice((1, -1)) * round(rng.uniform(0, 2000), rng.randint(0, 4)) for _ in range(100)]
    values += [1.0625, 0.125, 2.5, 0.5, 1.5, 2.675, 1.005, 9.9995, 9.99996, 999999.5, 0.000999951, 0.0, 1e-300]
    values += [2.24, 0.398, 1372.897, 8.043e-4, 100000001.333, 1e15, 123456.7, math.inf, -math.inf, math.nan]
    return values


def _run(page, expression: str, argument):
    """Evaluate ``expression`` (JavaScript using ``numbers.js``'s functions and ``arg``) in the page."""
    return page.evaluate(f"(arg) => {{ {numbers.JAVASCRIPT}\n return {expression}; }}", argument)


@pytest.fixture(scope="module")
def blank(browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    yield page
    context.close()


def test_the_browser_writes_each_number_as_python_does(blank):
    values = _values()
    steps = [None, 1e-5, 0.001, 0.005, 0.01, 1.0, 20.0, 1e-8]
    for step in steps:
        arguments = {"values": values, "step": step}
        written = _run(blank, "arg.values.map((v) => formatNumber(v, 4, arg.step, 0))", arguments)
        expected = [numbers.number(v, resolution=step) for v in values]
        differ = [(v, js, py) for v, js, py in zip(values, written, expected, strict=True) if js != py]
        assert not differ, f"step {step}: (value, JavaScript, Python) {differ[:10]}"
    noisy = _run(blank, "arg.map((v) => formatNumber(v, 4, null, 1e-9))", values)
    assert noisy == [numbers.number(v, noise=1e-9) for v in values]
    fixed = _run(blank, "arg.map((v) => formatFixed(v, 3))", values)
    assert fixed == [numbers.log_likelihood(v) for v in values]


def test_the_browser_writes_axis_ticks_as_python_does(blank):
    rng = random.Random(7)
    axes = [[0, 5e-4, 1e-3, 1.5e-3, 2e-3], [-20, -15, -10, -5, 5.6e-17], [0, 0.25, 0.5], [1e6, 1.5e6, 2e6]]
    axes += [[100000000.0, 100000000.5, 100000001.0], [0, 2e-8, 4e-8], [3.0], [0.2, 0.4, 0.6000000000000001]]
    for _ in range(200):
        spacing = rng.choice((1, 2, 2.5, 5)) * 10.0 ** rng.randint(-9, 8)
        start = rng.uniform(-1, 1) * 10.0 ** rng.randint(-9, 10)
        axes.append([math.floor(start / spacing) * spacing + k * spacing for k in range(rng.randint(2, 9))])
    written = _run(blank, "arg.map((ticks) => formatTicks(ticks))", axes)
    expected = [numbers.ticks(ticks) for ticks in axes]
    differ = [(ticks, js, py) for ticks, js, py in zip(axes, written, expected, strict=True) if js != py]
    assert not differ, f"(ticks, JavaScript, Python) {differ[:5]}"


def test_the_app_s_formatters_run_numbers_js_in_bokeh(page):
    # The slider's title and what a screen reader hears come from the same formatter (app.numbers.slider_formatter);
    # the hover tooltips from numbers.hover_formatter; the axes from numbers.axis_formatter.
    page.get_by_role("button", name="Light-bulb lifetimes", exact=True).click()
    page.get_by_role("button", name="Optimize").click()
    expect(page.get_by_test_id("mle-rate")).to_have_text("8.043 × 10⁻⁴")
    page.wait_for_function("() => Bokeh.documents.every((doc) => doc.is_idle)")
    texts = page.evaluate(
        """() => {
          const models = Bokeh.documents.flatMap((doc) => [...doc.all_models]);
          const slider = models.find((m) => m.type === "Slider" && m.title.startsWith("λ"));
          const hover = models.find((m) => m.type === "CustomJSHover");
          const axis = models.find((m) => m.type === "CustomJSTickFormatter" && m.args.step === undefined);
          return {
            slider: slider.format.compute(slider.value),
            value: slider.value,
            hover: [hover.format(0.000804312, "number", {}), hover.format(-2.48811, "ell", {})],
            axis: axis.doFormat([0, 0.0005, 0.001, 0.0015], {loc: 0}),
          };
        }"""
    )
    assert texts["slider"] == numbers.number(texts["value"], resolution=1e-5) == "8.043 × 10⁻⁴"
    assert texts["hover"] == ["8.043 × 10⁻⁴", "−2.488"]
    assert texts["axis"] == ["0", "0.0005", "0.0010", "0.0015"]


# --- every scenario, the climb and every tab: what a student can read ------------------------------------------
_E_NOTATION = re.compile(r"\d(?:\.\d+)?[eE][+\-−]?\d")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

#: Every text the page shows: text nodes through the shadow roots (not the shared link's box, nor scripts and
#: styles), the canvas's own texts (titles, labels, legends) and every axis's tick labels as BokehJS writes them.
_SCREEN_TEXT = """() => {
  const texts = [];
  const walk = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent && !["SCRIPT", "STYLE", "ANNOTATION"].includes(parent.tagName)) texts.push(node.textContent);
    }
    for (const element of root.querySelectorAll("*")) if (element.shadowRoot) walk(element.shadowRoot);
  };
  walk(document);
  const views = [];
  const collect = (view) => { views.push(view); for (const child of view.child_views ?? []) collect(child); };
  for (const view of Object.values(Bokeh.index)) collect(view);
  for (const view of views) {
    const model = view.model;
    if (["Title", "Label"].includes(model.type)) texts.push(model.text);  // drawn on the canvas
    if (typeof model.axis_label === "string") texts.push(model.axis_label);
    if (model.items !== undefined && model.type === "Legend") {
      for (const item of model.items) if (item.label?.value) texts.push(item.label.value);
    }
    if (typeof view.compute_labels === "function" && view.tick_coords !== undefined) {
      const ticks = view.tick_coords.major[view.dimension];
      if (ticks.length) texts.push(...model.formatter.doFormat(ticks, view));
    }
  }
  return texts;
}"""


def _figures(text: str) -> int:
    """Significant figures of a number as written (leading zeros and thousands' commas not counted)."""
    return len(text.replace(",", "").replace(".", "").lstrip("0")) or 1


def _unreadable(texts: list[str]) -> list[str]:
    """The texts that show e-notation or a number with more than six significant figures."""
    found = []
    for text in texts:
        if _E_NOTATION.search(text) or any(_figures(number) > 6 for number in _NUMBER.findall(text)):
            found.append(text)
    return found


def test_no_scenario_climb_or_tab_shows_e_notation_or_more_than_six_figures(page):
    climb = page.locator(".mle-climb")
    page.get_by_text("The likelihood landscape", exact=False).first.click()
    expect(climb.get_by_role("button", name="Newton–Raphson")).to_be_visible()
    page.get_by_text("Compare families on these data").click()
    problems = {}
    for name, scenario in SCENARIOS.items():
        page.get_by_role("button", name=scenario.title, exact=True).click()
        expect(page.get_by_text(f"Loaded “{scenario.title}”").first).to_be_visible(timeout=LOAD_TIMEOUT_S * 1000)
        seen = page.evaluate(_SCREEN_TEXT)  # before the answer is shown
        page.get_by_role("tab", name="Climb").click()
        climb.get_by_role("button", name="Newton–Raphson").click()
        climb.get_by_role("button", name="Run to convergence").click()
        expect(climb.get_by_text("Converged after")).to_be_visible(timeout=LOAD_TIMEOUT_S * 2000)
        seen += page.evaluate(_SCREEN_TEXT)
        for tab in ("How sure?", "L vs ℓ", "Each point's ln f"):
            page.get_by_role("tab", name=tab).click()
            if tab == "How sure?":
                wait_until(lambda: page.get_by_text("standard error").first.is_visible(), timeout=LOAD_TIMEOUT_S)
            page.wait_for_function("() => Bokeh.documents.every((doc) => doc.is_idle)")
            seen += page.evaluate(_SCREEN_TEXT)
        # What was read is the page: the climb's text, and bare numbers such as the axes' tick labels.
        assert any("Converged after" in text for text in seen)
        assert any(re.fullmatch(r"−?\d+(?:\.\d+)?", text) for text in seen)
        bad = _unreadable(seen)
        if bad:
            problems[name] = sorted(set(bad))[:8]
    assert not problems, problems
