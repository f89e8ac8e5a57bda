"""Small widget variants the explorer needs."""

from __future__ import annotations

from typing import ClassVar

import panel as pn


class LiveFloatSlider(pn.widgets.FloatSlider):
    """A ``FloatSlider`` whose browser-side changes reach Python without Panel's 50 ms debounce.

    Panel delays widget changes coming from the browser by ``Syncable._debounce`` milliseconds to
    batch bursts; for a slider that drives a plot, that delay is most of the latency a student feels.
    With 0 the change is handled on the next turn of the event loop, still as an ordinary document
    callback (holding the document lock, so plain Bokeh models can be updated from it), and changes
    that arrive while one is pending are still merged into it.

    (``_priority_changes`` would skip the delay too, but runs the change as a bare asyncio task
    without the document lock, and updating a ColumnDataSource from there fails.)
    """

    _debounce: ClassVar[int] = 0
