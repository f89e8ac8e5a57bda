"""Small widget variants the explorer needs."""

from __future__ import annotations

from typing import ClassVar

import panel as pn


class LiveFloatSlider(pn.widgets.FloatSlider):
    """A ``FloatSlider`` tuned so that the plot and the readout follow it closely.

    Panel delays widget changes coming from the browser by ``Syncable._debounce`` (50 ms) to batch
    bursts; for a slider that drives a plot, that delay was most of the latency a student felt. 5 ms
    keeps the change an ordinary document callback (holding the document lock, so plain Bokeh models
    can be updated from it; ``_priority_changes`` would run it as a bare asyncio task without the
    lock, and updating a ColumnDataSource from there fails) and lets the server finish acknowledging
    the browser's message first, so the reply is written at once instead of queued behind that write
    (measured with ``benchmarks/bench_browser.py``: 0 ms gave a slower median than 5 ms).
    """

    _debounce: ClassVar[int] = 5

    # A slider step takes milliseconds: flashing the page's busy indicator for it costs more than the
    # step itself (a round of updates to every indicator) and tells the student nothing.
    _busy__ignore: ClassVar[list[str]] = ["value", "value_throttled"]

    @property
    def _linked_properties(self) -> tuple[str, ...]:
        # The app follows ``value`` while dragging; the extra ``value_throttled`` message the browser
        # sends on release (and on every key press) would only cost the server a second round.
        return tuple(name for name in super()._linked_properties if name != "value_throttled")

    def _process_events(self, events):
        # Everything a slider step changes (curve, per-point densities, readout) goes to the browser
        # as one message, so the page updates once rather than view by view.
        with pn.io.hold():
            super()._process_events(events)
