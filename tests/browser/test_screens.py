"""The classroom's four screens in a real browser (issue 17): a desktop (1400 × 900), a projector (1024 × 768, in
presentation mode), a tablet (768 × 1024, touch) and a phone (390 × 844, device scale 3, mobile, touch).

On each: the plot, both sliders, Optimize and the readout's ℓ on the first screen, nothing wider than the window,
controls a finger can hit on a touch screen, a tap (or click) that adds one observation, the dark theme switched in
place keeping what the page showed, and a tour whose card stands beside what it points at, in view. The module's
pages are shared by its tests, one page per screen (``page_options``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from .support import (
    VIEWPORT,
    data_to_page,
    observation_xs,
    plot_hint,
    plot_to_page,
    read_n,
    readout_matches,
    slider_value,
    wait_for_observations,
    wait_until,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Screen:
    name: str
    #: Playwright's context options (the desktop's are the default page's, shared with the other modules).
    options: dict = field(default_factory=dict)
    presentation: bool = False

    @property
    def touch(self) -> bool:
        return bool(self.options.get("has_touch"))

    @property
    def size(self) -> dict:
        return self.options.get("viewport", VIEWPORT)


SCREENS = {
    screen.name: screen
    for screen in (
        Screen("desktop"),
        Screen("projector", {"viewport": {"width": 1024, "height": 768}}, presentation=True),
        Screen("tablet", {"viewport": {"width": 768, "height": 1024}, "has_touch": True}),
        Screen(
            "phone",
            {
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 3,
                "is_mobile": True,
                "has_touch": True,
            },
        ),
    )
}
#: A fingertip: the least width and height of a control on a touch screen (WCAG 2.5.5).
FINGER_PX = 44
#: The least font size of the text a phone shows.
PHONE_TEXT_PX = 14


@pytest.fixture(scope="module", params=list(SCREENS))
def screen(request) -> Screen:
    return SCREENS[request.param]


@pytest.fixture(scope="module")
def page_options(screen):
    return screen.options


def _in_presentation_mode(page) -> None:
    """The projector's page: presentation mode on, as a teacher turns it on."""
    page.get_by_role("button", name="Presentation mode").click()
    expect(page.get_by_role("button", name="Presentation mode")).to_have_attribute("aria-pressed", "true")
    title = page.locator(".bk-slider-title").first
    wait_until(lambda: title.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)") >= 18)


@pytest.fixture(scope="module")
def prepare_page(screen):
    return _in_presentation_mode if screen.presentation else None


# --- reading boxes --------------------------------------------------------------------------------------------
#: Shared by the page functions below: every element matching a selector, through the shadow roots; the element
#: that scrolls the page's content vertically (the template's main area, or the document).
_PRELUDE = """
const deepAll = (selector, root = document) => [
  ...root.querySelectorAll(selector),
  ...[...root.querySelectorAll("*")].filter((el) => el.shadowRoot).flatMap((el) => deepAll(selector, el.shadowRoot)),
];
const up = (el) => el.parentElement ?? el.getRootNode().host ?? null;
const scrollerOf = (el) => {
  for (let node = up(el); node !== null; node = up(node)) {
    const { overflowY } = getComputedStyle(node);
    if ((overflowY === "auto" || overflowY === "scroll") && node.scrollHeight > node.clientHeight) return node;
  }
  return document.scrollingElement;
};
const boxOf = (el) => {
  const r = el.getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
};
const plotCanvas = () => deepAll(".mle-likelihood-figure")[0] ?? null;
"""


def _js(body: str) -> str:
    return f"(arg) => {{ {_PRELUDE} {body} }}"


_FIRST_SCREEN_BOXES = _js("""
  const sliders = deepAll(".bk-slider-title").map((title) => title.closest(".bk-input-group") ?? title.parentElement);
  const find = (selector) => deepAll(selector).filter((el) => el.getBoundingClientRect().width > 0);
  const optimize = find("button").filter((b) => b.textContent.trim().startsWith("Optimize"));
  const readout = find('[data-testid="log-likelihood"]');
  const boxes = { plot: plotCanvas() && boxOf(plotCanvas()) };
  sliders.forEach((el, i) => { boxes[`slider ${el.textContent.trim().split(":")[0]}`] = boxOf(el); });
  boxes.Optimize = optimize.length === 1 ? boxOf(optimize[0]) : null;
  boxes["readout ℓ"] = readout.length === 1 ? boxOf(readout[0]) : null;
  return { boxes, width: innerWidth, height: innerHeight };
""")
_OVERFLOW = _js("""
  // How far the page's content reaches right of the window: the document's and the main area's scrolling widths.
  const scrollers = new Set([document.scrollingElement, scrollerOf(plotCanvas())]);
  return Math.max(...[...scrollers].map((el) => el.scrollWidth)) - innerWidth;
""")
_TARGETS = _js("""
  // Every control a person can press or drag, with its size: buttons, slider handles, selects, text boxes.
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const named = (el) => el.textContent.trim() || el.getAttribute("aria-label") || el.getAttribute("title") ||
    el.placeholder || el.className;
  return deepAll("button, .noUi-handle, select, input[type=text], .bk-btn")
    .filter(shown)
    .filter((el) => !el.classList.contains("mle-skip-link"))
    .map((el) => [el.classList.contains("noUi-handle") ? "slider handle" : el.localName, String(named(el)).slice(0, 40),
                  Math.round(el.getBoundingClientRect().width), Math.round(el.getBoundingClientRect().height)]);
""")
_SMALL_TEXT = _js("""
  // The DOM text on the first screen whose font is smaller than arg px: (text, size).
  const small = [];
  const roots = [document, ...deepAll("*").filter((el) => el.shadowRoot).map((el) => el.shadowRoot)];
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || el === null || el.closest("style, script, annotation, .katex-mathml")) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.bottom <= 0 || r.top >= innerHeight) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < arg) small.push([node.textContent.trim().slice(0, 40), size]);
    }
  }
  return small;
""")
_CLIPPED_TEXT = _js("""
  // Text cut off at its box's edge, by kind: the plot's hint, the readout, the legend's entries (within the legend
  // and the window), the formulas shown. Each kind with how many of it were looked at, and what was cut.
  const shown = (el) => el.getBoundingClientRect().width > 0;
  const kinds = { hint: [0, []], readout: [0, []], legend: [0, []], formula: [0, []] };
  const check = (kind, el, cut) => { kinds[kind][0] += 1; if (cut) kinds[kind][1].push(cut); };
  const overflows = (el) => el.scrollWidth > el.clientWidth + 1;
  for (const el of deepAll(".mle-plot-hint").filter(shown)) check("hint", el, overflows(el) && el.textContent);
  for (const el of deepAll(".mle-readout").filter(shown)) check("readout", el, overflows(el) && el.textContent);
  for (const legend of deepAll(".bk-Legend").filter(shown)) {
    const box = legend.getBoundingClientRect();
    for (const label of legend.shadowRoot?.querySelectorAll(".bk-label") ?? []) {
      const r = label.getBoundingClientRect();
      const out = r.left < Math.max(0, box.left) - 1 || r.right > Math.min(innerWidth, box.right) + 1;
      check("legend", label, out && `${label.textContent} at ${Math.round(r.left)}…${Math.round(r.right)}`);
    }
  }
  for (const pane of deepAll(".bk-panel-models-katex-KaTeX").filter(shown)) {
    check("formula", pane, overflows(pane) && pane.textContent.slice(0, 40));
  }
  return kinds;
""")
_TOUR_PLACES = _js("""
  // The union of the boxes the tour's card is placed beside, the card's box and the scroller's visible area.
  const anchors = deepAll(".mle-tour-anchor").map(boxOf).filter((b) => b.width > 0 || b.height > 0);
  const card = deepAll(".tour").filter((el) => !el.hidden).map(boxOf)[0] ?? null;
  if (anchors.length === 0 || card === null) return null;
  const union = {
    left: Math.min(...anchors.map((b) => b.left)), top: Math.min(...anchors.map((b) => b.top)),
    right: Math.max(...anchors.map((b) => b.right)), bottom: Math.max(...anchors.map((b) => b.bottom)),
  };
  return { anchors: union, card, width: innerWidth, height: innerHeight };
""")
_SCROLL_TOP = _js("return scrollerOf(plotCanvas()).scrollTop;")
_SCROLL_TO = _js("scrollerOf(plotCanvas()).scrollTo({ top: arg, behavior: 'instant' }); return true;")


def _inside(box: dict, width: float, height: float, slack: float = 0.5) -> bool:
    return (
        box["left"] >= -slack
        and box["top"] >= -slack
        and box["right"] <= width + slack
        and box["bottom"] <= height + slack
    )


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


# --- the first screen -----------------------------------------------------------------------------------------
def test_the_first_screen_holds_the_plot_both_sliders_optimize_and_the_readout(page, screen):
    measured = page.evaluate(_FIRST_SCREEN_BOXES)
    boxes, width, height = measured["boxes"], measured["width"], measured["height"]
    assert (width, height) == (screen.size["width"], screen.size["height"])
    assert {"slider μ (mean)", "slider σ (standard deviation)"} <= set(boxes), boxes
    for name, box in boxes.items():
        assert box is not None, f"{screen.name}: no {name} on the page"
        assert min(box["width"], box["height"]) > 0, f"{screen.name}: the {name} is not shown"
        assert _inside(box, width, height), f"{screen.name}: the {name} is at {box}, off the {width}×{height} screen"
    assert boxes["plot"]["height"] >= 200, f"{screen.name}: a plot {boxes['plot']['height']} px tall is too short"


def test_the_page_never_scrolls_sideways(page, screen):
    assert page.evaluate(_OVERFLOW) <= 0, f"{screen.name}: the page is wider than the window"


def test_no_text_is_cut_off_at_the_plot_the_legend_or_the_readout(page, screen):
    for kind, (looked_at, cut) in page.evaluate(_CLIPPED_TEXT).items():
        assert looked_at > 0, f"{screen.name}: no {kind} found to check"
        assert cut == [], f"{screen.name}: {kind} cut off"


def test_a_phone_gets_one_column_readable_text_and_the_viewport_meta_tag(page, screen):
    if screen.name != "phone":
        pytest.skip("the phone's layout")
    meta = page.evaluate("() => document.querySelector('meta[name=viewport]')?.content ?? null")
    assert meta is not None
    assert {"width=device-width", "initial-scale=1"} <= {part.strip() for part in meta.split(",")}
    boxes = page.evaluate(_FIRST_SCREEN_BOXES)["boxes"]
    plot, mu, optimize = boxes["plot"], boxes["slider μ (mean)"], boxes["Optimize"]
    assert plot["bottom"] <= mu["top"] <= mu["bottom"] <= optimize["top"], "one column: the plot, the sliders, Optimize"
    assert min(plot["width"], mu["width"]) >= 0.8 * screen.size["width"]
    assert page.evaluate(_SMALL_TEXT, PHONE_TEXT_PX) == []
    # The introduction and the scenarios come after the readout, below the first screen.
    scenario = page.get_by_role("button", name="Five measurements", exact=True).bounding_box()
    assert scenario["y"] > boxes["readout ℓ"]["bottom"]


# --- touch ------------------------------------------------------------------------------------------------------
def test_controls_are_a_fingertip_wide_on_a_touch_screen_and_compact_with_a_mouse(page, screen):
    targets = page.evaluate(_TARGETS)
    kinds = {kind for kind, *_ in targets}
    assert {"button", "slider handle", "select"} <= kinds, kinds
    small = [target for target in targets if min(target[2:]) < FINGER_PX]
    if screen.touch:
        assert small == [], f"{screen.name}: controls smaller than {FINGER_PX}×{FINGER_PX} px"
    else:  # the desktop's compact controls, for a mouse
        handles = [target for target in targets if target[0] == "slider handle"]
        assert all(max(target[2:]) < FINGER_PX for target in handles), handles


def _tap_the_plot(page, screen: Screen, x: float) -> None:
    """Tap (or click, with a mouse) the plot at data ``x``, above the axis."""
    at = plot_to_page(page, x, 0.6)
    if screen.touch:
        page.touchscreen.tap(*at)
    else:
        page.mouse.click(*at)


def test_a_tap_on_the_plot_adds_one_observation_and_the_hint_names_the_gesture(page, screen):
    assert plot_hint(page).startswith("Tap to add" if screen.touch else "Click to add")
    before = observation_xs(page)
    _tap_the_plot(page, screen, 3.6)
    xs = wait_for_observations(page, len(before) + 1)
    assert abs(xs[-1] - 3.6) < 0.1
    expect(page.get_by_test_id("n")).to_have_text(str(len(before) + 1))
    wait_until(lambda: readout_matches(page))


class Finger:
    """One finger on a touch screen, through Chromium's DevTools protocol (Playwright's touchscreen only taps)."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)

    def _send(self, kind: str, x: float | None = None, y: float | None = None) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        self.session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def down(self, x: float, y: float) -> None:
        self._send("touchStart", x, y)

    def move(self, x: float, y: float) -> None:
        self._send("touchMove", x, y)

    def up(self) -> None:
        self._send("touchEnd")

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
        self.down(*start)
        for i in range(1, steps + 1):
            self.move(start[0] + (end[0] - start[0]) * i / steps, start[1] + (end[1] - start[1]) * i / steps)
        self.up()

    def close(self) -> None:
        self.session.detach()


@pytest.fixture
def finger(page, screen):
    if not screen.touch:
        pytest.skip("a touch screen's gestures")
    touching = Finger(page)
    yield touching
    touching.close()


def _centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_a_finger_drags_a_slider_and_a_point_and_a_long_press_removes_a_point(page, finger):
    handle = page.locator(".noUi-handle").first  # μ's
    before = slider_value(page, "μ")
    start = _centre(handle)
    finger.drag(start, (start[0] + 80, start[1]))
    wait_until(lambda: slider_value(page, "μ") > before)
    wait_until(lambda: readout_matches(page))

    xs = observation_xs(page)
    point = data_to_page(page, 2.8, 0.0)  # the dots sit on the axis
    finger.drag(point, (point[0] + 60, point[1]))
    wait_until(lambda: 2.8 not in observation_xs(page) and len(observation_xs(page)) == len(xs))
    wait_until(lambda: readout_matches(page))

    moved = max(observation_xs(page))
    finger.down(*data_to_page(page, moved, 0.0))
    try:  # held still: BokehJS reports a press after 300 ms, and the point goes while the finger is down
        wait_until(lambda: read_n(page) == len(xs) - 1)
    finally:
        finger.up()
    assert moved not in observation_xs(page)
    expect(page.get_by_text("Undo brings it back")).to_be_visible()


# --- the dark theme ---------------------------------------------------------------------------------------------
def test_the_dark_theme_switches_in_place_keeping_the_data_the_sliders_the_cards_and_the_scroll(page, screen):
    page.evaluate("() => { window.__same_page = true; }")  # gone if the page reloads
    _tap_the_plot(page, screen, 3.3)
    wait_for_observations(page, 6)
    card = page.get_by_role("button", name="ℓ, the log-likelihood: why logs?")
    card.click()
    expect(card).to_have_attribute("aria-expanded", "true")
    page.evaluate(_SCROLL_TO, 120)
    scrolled = page.evaluate(_SCROLL_TOP)
    before = (observation_xs(page), slider_value(page, "μ"), page.get_by_test_id("log-likelihood").inner_text())

    page.get_by_role("button", name="Dark theme").click()
    wait_until(lambda: page.evaluate("document.documentElement.dataset.bsTheme") == "dark")
    expect(page.get_by_role("button", name="Light theme")).to_be_visible()
    assert page.evaluate("() => window.__same_page === true"), "the page reloaded"
    assert (observation_xs(page), slider_value(page, "μ"), page.get_by_test_id("log-likelihood").inner_text()) == before
    expect(card).to_have_attribute("aria-expanded", "true")
    assert abs(page.evaluate(_SCROLL_TOP) - scrolled) <= 1
    expect(page.get_by_text("Opened the view from the link")).to_have_count(0)
    assert "theme=dark" in page.url
    hint = page.get_by_text("The best fit is hidden")
    assert hint.evaluate("(el) => getComputedStyle(el).color") == "rgb(255, 184, 107)", "the dark theme's hint colour"
    page.evaluate(_SCROLL_TO, 0)
    for kind, (_, cut) in page.evaluate(_CLIPPED_TEXT).items():  # the open card's formulas among them
        assert cut == [], f"{screen.name}, dark: {kind} cut off"

    page.get_by_role("button", name="Light theme").click()
    wait_until(lambda: page.evaluate("document.documentElement.dataset.bsTheme") == "light")
    assert hint.evaluate("(el) => getComputedStyle(el).color") == "rgb(138, 75, 0)"
    assert "theme=dark" not in page.url
    card.click()
    expect(card).to_have_attribute("aria-expanded", "false")


# --- the tour ---------------------------------------------------------------------------------------------------
def test_the_tour_brings_each_target_into_view_with_its_card_beside_it(page, screen):
    tour = page.get_by_role("dialog", name="Guided tour")
    page.get_by_role("button", name="Take the tour").click()
    steps = 6
    for step in range(1, steps + 1):
        expect(tour).to_contain_text(f"Step {step} of {steps}")

        def placed(step=step):
            places = page.evaluate(_TOUR_PLACES)
            assert places is not None, "nothing marked, or no card"
            width, height = places["width"], places["height"]
            anchors, card = places["anchors"], places["card"]
            assert _inside(card, width, height), f"step {step}: the card at {card} is off the screen"
            # In view: all of it, or its top where it is taller than the window.
            assert anchors["top"] >= -0.5, f"step {step}: its target at {anchors} starts above the window"
            fits = anchors["bottom"] - anchors["top"] <= height
            assert anchors["bottom"] <= height + 0.5 or not fits, f"step {step}: its target at {anchors} is not in view"
            assert not _overlap(card, anchors), f"step {step}: the card {card} covers its target {anchors}"
            return True

        wait_until(placed)
        tour.get_by_role("button", name="Finish" if step == steps else "Next").click()
    expect(tour).to_be_hidden()


# --- below the first screen -------------------------------------------------------------------------------------
_HISTOGRAMS = """() => {
  // The repeated experiment's histograms as drawn (BokehJS's views of the figures named repeat-histogram-…): their
  // boxes, empty while hidden.
  const views = [];
  const walk = (view) => { views.push(view); for (const child of view.child_views ?? []) walk(child); };
  for (const view of Object.values(Bokeh.index)) walk(view);
  return views.filter((view) => view.model.name?.startsWith("repeat-histogram") && view.frame !== undefined)
    .sort((a, b) => (a.model.name < b.model.name ? -1 : 1))
    .map((view) => {
      const r = view.el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    });
}"""


def test_the_repeated_experiment_shows_its_histograms_only_once_run_and_within_the_window(page, screen):
    page.get_by_role("button", name="The likelihood landscape").click()
    climb = page.get_by_role("tab", name="Climb", exact=True)
    expect(climb).to_have_attribute("aria-selected", "true")
    tabs = page.locator(".bk-panel-models-tabs-Tabs")
    short = wait_until(lambda: tabs.bounding_box()["height"])
    page.get_by_role("tab", name="How sure?").click()
    button = page.get_by_role("button", name="Repeat the experiment")
    expect(button).to_be_visible()
    wait_until(lambda: tabs.bounding_box()["height"] > short + 50)
    climb.click()  # as tall as the open tab: the taller one it has seen leaves no room below it
    wait_until(lambda: abs(tabs.bounding_box()["height"] - short) <= 2)
    page.get_by_role("tab", name="How sure?").click()
    expect(button).to_be_visible()
    wait_until(lambda: page.evaluate(_HISTOGRAMS) == [] or all(box["width"] == 0 for box in page.evaluate(_HISTOGRAMS)))
    button.click()  # no empty frame waited for it
    expect(page.get_by_text("samples of n = 5 drawn from")).to_be_visible()

    def drawn():
        boxes = page.evaluate(_HISTOGRAMS)
        assert len(boxes) == 2, boxes
        for box in boxes:
            assert box["width"] >= 250, box
            assert box["height"] >= 150, box
            assert -0.5 <= box["left"] <= box["right"] <= screen.size["width"] + 0.5, box
        return True

    wait_until(drawn)
    assert page.evaluate(_OVERFLOW) <= 0, f"{screen.name}: the page is wider than the window"
