"""Latency a student feels in the browser: from a click, or a slider key step, to the new log-likelihood.

Run ``python benchmarks/bench_browser.py`` (needs Debian's Chromium at /usr/bin/chromium; about three
minutes). It serves the app in-process on 127.0.0.1, opens it in headless Chromium, and prints a Markdown table;
``--sizes`` measures other numbers of observations (e.g. ``--sizes 10000 1000000``). ``benchmark_rows()``
returns the same measurements as a list of dicts for other scripts.

Each time is measured in the page with ``performance.now()``: from the moment the input event reaches
the page (a capture listener on ``window`` for ``pointerup``, which completes a click and makes BokehJS
send the Tap, or for the ``keydown`` of ArrowRight on the focused μ handle) to the moment a
MutationObserver sees the log-likelihood readout show a new value (the browser paints it in the frame that
follows). The observations (5 to 30, a classroom's data) are
set on the server, in the session's own ``ExplorerState``, under the document lock; a click adds one, so
before each timed click the data are set back to the row's n. Before the slider steps μ is set 1.5 below the
sample mean, where every step changes the ℓ the readout shows (near the maximum a step may not).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the test helpers importable
    sys.path.insert(0, str(ROOT))

from tests.browser import support  # noqa: E402

SIZES = (5, 10, 20, 30)
REPEATS = 40
WARMUP = 3
SEED = 20240521
TRUE_MU, TRUE_SIGMA = 2.0, 0.5
#: BokehJS turns a second tap within 300 ms into a DoubleTap: space the clicks like a student would.
CLICK_SPACING_S = 0.35
#: The median target (ms) at a classroom's sizes (issue 19): one frame at 60 Hz.
ONE_FRAME_MS = 1000 / 60
TARGET_SIZES = range(1, 31)

#: Arm a one-shot measurement: t0 at the next ``event`` on ``window`` (capture phase), t1 when the
#: log-likelihood readout shows a text other than the current one. Between them, the page's websocket says where
#: the time went: the first message the page sends after t0 (BokehJS has handled the input), and the first and
#: last frames it receives after that before t1 (the server's reply: its arrival time is the event's
#: ``timeStamp``). Resolves to ``{total, sent, reply, last_frame}`` (ms after t0; null after 10 s), kept in
#: ``window.__latency`` for the next ``page.evaluate``.
ARM_JS = """([readout, eventType]) => {
  if (!window.__frames) {
    // Every websocket of the page, from now on: when it sends, and when each frame arrives.
    window.__frames = {sent: [], received: []};
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      window.__frames.sent.push(performance.now());
      if (!this.__timed) {
        this.__timed = true;
        this.addEventListener("message", (event) => window.__frames.received.push(event.timeStamp));
      }
      return send.call(this, data);
    };
  }
  const frames = window.__frames;
  frames.sent.length = 0;
  frames.received.length = 0;
  const root = readout.getRootNode();
  const current = () => root.querySelector('[data-testid="log-likelihood"]')?.textContent;
  const before = current();
  let t0 = null;
  window.__latency = new Promise((resolve) => {
    const start = () => { t0 = performance.now(); };
    window.addEventListener(eventType, start, {capture: true, once: true});
    const observer = new MutationObserver(() => {
      const now = current();
      if (t0 !== null && now !== undefined && now !== before) {
        const t1 = performance.now();
        observer.disconnect();
        const sent = frames.sent.find((t) => t >= t0);
        const replies = frames.received.filter((t) => sent !== undefined && t >= sent && t <= t1);
        resolve({
          total: t1 - t0,
          sent: sent === undefined ? null : sent - t0,
          reply: replies.length ? replies[0] - t0 : null,
          last_frame: replies.length ? replies[replies.length - 1] - t0 : null,
        });
      }
    });
    observer.observe(root, {subtree: true, childList: true, characterData: true});
    setTimeout(() => { observer.disconnect(); resolve(null); }, 10000);
  });
}"""


def recording_factory(sessions: list):
    """Return an app factory that appends each session's ``(MLEExplorer, document)`` to ``sessions``."""
    import panel as pn

    from mle_explorer.explorer import MLEExplorer, create_app

    def factory():
        explorer = MLEExplorer()
        sessions.append((explorer, pn.state.curdoc))
        return create_app(explorer)

    return factory


def set_observations(page, session, values: np.ndarray) -> None:
    """Replace the session's observations on the server (under the document lock); wait for the page."""
    explorer, document = session
    document.add_next_tick_callback(lambda: explorer.state.set_observations(values))
    # Past the plot's points limit the page holds a histogram, not the points: wait for the readout.
    support.wait_until(lambda: support.read_n(page) == len(values), timeout=60)


def _measure(page, event_type: str, act) -> dict[str, float | None]:
    """One input's times (ms after it reached the page): ``total`` to the new ℓ on screen, ``sent`` when the page
    sent the change, ``reply`` and ``last_frame`` when the server's first and last frames arrived."""
    readout = page.get_by_test_id("log-likelihood").element_handle()
    page.evaluate(ARM_JS, [readout, event_type])
    act()
    latency = page.evaluate("() => window.__latency")
    if latency is None:
        raise RuntimeError(f"the readout did not change within 10 s after a {event_type}")
    return latency


def _click_latencies(page, repeats: int, session=None, values: np.ndarray | None = None) -> list[float]:
    """Latencies of ``repeats`` clicks that add a point; with ``session`` and ``values``, the data are set back to
    ``values`` before each click, so every click is timed at the same n."""
    start, end = support.ranges(page)["x"]
    rng = np.random.default_rng(SEED)
    times = []
    for k in range(WARMUP + repeats):
        if session is not None and support.read_n(page) != len(values):
            set_observations(page, session, values)
        x = start + (end - start) * rng.uniform(0.1, 0.9)
        sx, sy = support.plot_to_page(page, x, 0.6)  # well above the axis: adds a point, never selects one
        page.mouse.move(sx, sy)
        time.sleep(CLICK_SPACING_S)  # a benchmark, not a test: keep clicks single Taps
        latency = _measure(page, "pointerup", lambda sx=sx, sy=sy: page.mouse.click(sx, sy))
        if k >= WARMUP:
            times.append(latency)
    return times


#: Before the slider steps, μ is put this far below the sample mean (or at the slider's start): near the maximum ℓ is
#: flat, and a step of 0.01 may leave the readout's digits unchanged (nothing new to see, and no time to measure).
SLIDER_START_BELOW_MEAN = 1.5


def _move_mu_away_from_the_maximum(page, session, values: np.ndarray) -> None:
    explorer, document = session
    slider = explorer.controls.sliders["mu"]
    target = max(slider.start, float(np.mean(values)) - SLIDER_START_BELOW_MEAN)
    if abs(slider.value - target) < 1e-9:
        return
    readout = page.get_by_test_id("log-likelihood")
    before = readout.text_content()
    document.add_next_tick_callback(lambda: setattr(slider, "value", target))
    support.wait_until(lambda: readout.text_content() != before, timeout=30)


def _slider_latencies(page, repeats: int, session=None, values=None) -> list[float]:
    if session is not None:
        _move_mu_away_from_the_maximum(page, session, values)
    handle = support.slider_handle(page, "μ")
    handle.focus()
    times = []
    for k in range(WARMUP + repeats):
        latency = _measure(page, "keydown", lambda: page.keyboard.press("ArrowRight"))
        if k >= WARMUP:
            times.append(latency)
    return times


def _median_span(measurements: list[dict], start: str | None, end: str) -> float | None:
    """The median time from ``start`` (the input if None) to ``end`` over the measurements that have both."""
    spans = [
        m[end] - (0.0 if start is None else m[start])
        for m in measurements
        if m[end] is not None and (start is None or m[start] is not None)
    ]
    return statistics.median(spans) if spans else None


def _row(scenario: str, n: int, measurements: list[dict]) -> dict[str, Any]:
    times = [m["total"] for m in measurements]
    return {
        "scenario": scenario,
        "n": n,
        "repeats": len(times),
        "median_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=100, method="inclusive")[94],
        "target_ms": ONE_FRAME_MS if n in TARGET_SIZES else None,
        # Where the time went (medians of each span): the page until it sends the change, the server (and the
        # loopback network) until its reply's first frame arrives, the page from then to the new ℓ on screen.
        "to_send_ms": _median_span(measurements, None, "sent"),
        "server_ms": _median_span(measurements, "sent", "reply"),
        "to_screen_ms": _median_span(measurements, "reply", "total"),
    }


def benchmark_rows(sizes=SIZES, repeats: int = REPEATS) -> list[dict[str, Any]]:
    """Serve the app, open it in Chromium and measure both latencies for each size; return the rows.

    Each row: ``scenario``, ``n`` (observations before the first timed event), ``repeats``,
    ``median_ms``, ``p95_ms``, and ``target_ms`` (the median target, or None).
    """
    from playwright.sync_api import sync_playwright

    sessions: list = []
    rows = []
    rng = np.random.default_rng(SEED)
    with support.serve(recording_factory(sessions)) as url, sync_playwright() as playwright:
        browser = support.launch_chromium(playwright)
        try:
            for n in sizes:
                values = rng.normal(TRUE_MU, TRUE_SIGMA, n)
                for scenario, measure in (
                    ("click → readout", _click_latencies),
                    ("slider step → readout", _slider_latencies),
                ):
                    context = browser.new_context(viewport=support.VIEWPORT)
                    try:
                        page = context.new_page()
                        opened = len(sessions)
                        support.open_app(page, url)
                        support.wait_until(lambda opened=opened: len(sessions) > opened)
                        set_observations(page, sessions[-1], values)
                        rows.append(_row(scenario, n, measure(page, repeats, sessions[-1], values)))
                    finally:
                        context.close()
        finally:
            browser.close()
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | n | median ms | p95 ms | target (median) | input → sent | sent → reply (server) "
        "| reply → ℓ on screen |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]

    def ms(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}"

    for row in rows:
        target = row["target_ms"]
        verdict = "" if target is None else f"≤ {target:.1f} ms: {'met' if row['median_ms'] <= target else 'NOT met'}"
        lines.append(
            f"| {row['scenario']} | {row['n']:,} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} | {verdict} "
            f"| {ms(row['to_send_ms'])} | {ms(row['server_ms'])} | {ms(row['to_screen_ms'])} |"
        )
    return "\n".join(lines)


def versions() -> str:
    return (
        f"Python {platform.python_version()}, panel {version('panel')}, bokeh {version('bokeh')}, "
        f"playwright {version('playwright')}, {_chromium_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )


def _chromium_version() -> str:
    import subprocess

    try:
        result = subprocess.run([support.CHROMIUM_PATH, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "Chromium (version unknown)"
    return result.stdout.strip() or "Chromium (version unknown)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"timed events per row (default {REPEATS})")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=SIZES,
        help=f"observations per row (default {' '.join(map(str, SIZES))})",
    )
    args = parser.parse_args(argv)
    print(f"$ python {' '.join(sys.argv)}")
    print(versions())
    print()
    rows = benchmark_rows(sizes=args.sizes, repeats=args.repeats)
    print(markdown_table(rows))
    print()
    print(
        f"Each row: {args.repeats} events after {WARMUP} untimed ones, measured in the page (performance.now(), "
        "input event → readout text changed); a click adds one observation, and the data are set back to n "
        "before the next."
    )


if __name__ == "__main__":
    main()
