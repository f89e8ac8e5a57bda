"""Regenerate ``assets/screenshot.png`` (add a few points, press Optimize) and ``assets/screenshot-counts.png``
(the machine-errors scenario, a count family, after Optimize).

Run ``python assets/make_screenshot.py`` (needs Chromium at /usr/bin/chromium, like the browser tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mle_explorer.explorer import create_app  # noqa: E402
from tests.browser import support  # noqa: E402


def main() -> None:
    with support.serve(create_app) as url, sync_playwright() as playwright:
        browser = support.launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 800})
        support.open_app(page, url)
        for x in (1.2, 3.1, 2.05):
            support.click_plot(page, x, 0.6)
            support.wait_until(lambda: support.readout_matches(page))
        page.get_by_role("button", name="Optimize").click()
        support.wait_until(lambda: support.read_gap(page) == "0.000")
        page.mouse.move(*support.data_to_page(page, 3.1, 0.0))  # show the hover tooltip of one point
        page.wait_for_timeout(300)  # let the tooltip fade in: a picture, not a test
        page.screenshot(path=str(ROOT / "assets" / "screenshot.png"))
        page.mouse.move(5, 5)
        page.get_by_role("button", name="Machine errors per day").click()
        support.wait_until(lambda: support.read_n(page) == 60)
        page.get_by_role("button", name="Optimize").click()
        support.wait_until(lambda: support.read_gap(page) == "0.000")
        page.screenshot(path=str(ROOT / "assets" / "screenshot-counts.png"))
        browser.close()


if __name__ == "__main__":
    main()
