"""Small widget variants the explorer needs."""

from __future__ import annotations

from typing import ClassVar

import panel as pn


class LiveFloatSlider(pn.widgets.FloatSlider):
    """A ``FloatSlider`` whose browser-side changes reach Python without Panel's 50 ms debounce.

    Panel delays widget changes from the browser (``Syncable._debounce``) to batch bursts; for a
    slider that drives a plot that delay is most of the latency a student feels. Attributes listed in
    ``_priority_changes`` are scheduled at once instead; changes that arrive while one is being
    processed are still merged, so a fast drag does not queue up work.
    """

    _priority_changes: ClassVar[list[str]] = ["value", "value_throttled"]
