"""Numbers typed by a student, and numbers written back exactly: the text the app reads and the links it writes.

Messages quote what was typed (``short_quote``), so a bad entry is named; ``exact_text`` writes a value so that
it reads back as the same float (links and the move box keep exact values).
"""

from __future__ import annotations

import math
import re

import numpy as np


def exact_text(value: float) -> str:
    """Return the shortest text that reads back as exactly ``value``: ``repr``, without a trailing ``.0``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def read_number(text: str) -> float:
    """Return the number ``text`` spells, as ``float`` reads it, or raise ``ValueError``.

    Unlike ``float``, digits grouped with underscores are refused: in a student's data "1_0" is a typo, not ten.
    """
    if "_" in text:
        raise ValueError(f"could not convert string to float: {text!r}")
    return float(text)


def parse_numbers(text: str) -> np.ndarray:
    """Return the numbers in ``text`` (separated by commas, semicolons, spaces or new lines).

    Raises ``ValueError`` naming the first entry that is not a finite number.
    """
    # Accept the typographic minus the readout itself shows, so copied numbers paste back.
    entries = [entry for entry in re.split(r"[\s,;]+", text.replace("\u2212", "-").strip()) if entry]
    if not entries:
        raise ValueError("no numbers found: type values such as 2.1, 3.4")
    values = []
    for position, entry in enumerate(entries, start=1):
        try:
            value = read_number(entry)
        except ValueError:
            raise ValueError(f"entry {position} ({short_quote(entry)}) is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"entry {position} ({short_quote(entry)}) is not a finite number")
        values.append(value)
    return np.array(values)


def short_quote(text: str, limit: int = 20) -> str:
    """``repr`` of ``text``, cut to ``limit`` characters and an ellipsis: a message quotes a value, not all of it."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"
