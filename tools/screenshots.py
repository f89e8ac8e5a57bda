"""Regenerate the classroom screenshots: ``assets/screen-projector.png`` (1024 x 768, presentation mode) and
``assets/screen-phone.png`` (390 x 844, a phone: device scale 3, mobile, touch).

Both show the seed's example data after what a student does first: the sliders moved towards the data (the
answer still hidden) and one observation added with a click or a tap. Run it from a checkout, with the project
installed and Chromium at /usr/bin/chromium (as the browser tests)::

    python tools/screenshots.py               # writes assets/
    python tools/screenshots.py --out DIR     # writes DIR/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mle_explorer.explorer import create_app  # noqa: E402
from tests.browser import support  # noqa: E402

#: File name → (Playwright's context options, the page's query).
SCREENS = {
    "screen-projector.png": ({"viewport": {"width": 1024, "height": 768}}, "?presentation=1"),
    "screen-phone.png": (
        {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True},
        "",
    ),
}
#: Where the sliders are moved, as a drag would: towards the data (mean 2.24, spread 0.40), not onto the best fit.
SLIDER_VALUES = {"μ": 1.9, "σ": 0.62}
#: Where the added observation goes (data x) and how high up the plot the click or tap is.
ADDED_X, ADDED_HEIGHT = 3.1, 0.6


def first_steps(page, touch: bool) -> None:
    """Move the sliders, then add one observation with a click (or a tap on a touch screen)."""
    for prefix, value in SLIDER_VALUES.items():
        support.set_slider_model_value(page, prefix, value)
    n = support.read_n(page)
    at = support.plot_to_page(page, ADDED_X, ADDED_HEIGHT)
    if touch:
        page.touchscreen.tap(*at)
    else:
        page.mouse.click(*at)
    support.wait_for_observations(page, n + 1)
    support.wait_until(lambda: support.readout_matches(page))
    page.evaluate("() => document.activeElement?.blur()")  # no focus ring in the picture
    page.mouse.move(0, 0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets", help="the folder to write (default: assets/)")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    with support.serve(create_app) as url, sync_playwright() as playwright:
        browser = support.launch_chromium(playwright)
        for name, (options, query) in SCREENS.items():
            context = browser.new_context(**options)
            page = context.new_page()
            support.open_app(page, url + query)
            first_steps(page, touch=options.get("has_touch", False))
            page.screenshot(path=str(out / name))
            print(out / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
