"""Turning user data into a clean 1-D float array, with errors a student can act on."""

from __future__ import annotations

import numpy as np

_MAX_LISTED = 5


def describe_positions(mask: np.ndarray, values: np.ndarray) -> str:
    """Return e.g. ``"nan at index 3, inf at index 7"`` for the first few flagged entries."""
    where = np.flatnonzero(mask)
    shown = ", ".join(f"{float(values[i])!r} at index {i}" for i in where[:_MAX_LISTED])
    more = len(where) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


#: Observations larger than this in magnitude are refused: their squares (and sums of squares over
#: millions of points) would overflow float64, and no data set a student explores needs them.
MAX_MAGNITUDE = 1e150
_SMALL = 64


def as_observations(data) -> np.ndarray:
    """Return ``data`` as a 1-D float64 array of finite numbers, or raise ``ValueError``.

    Accepts any sequence of numbers (a list, a tuple, a numpy array). Text, nested sequences,
    non-finite values (nan, ±inf) and magnitudes above ``MAX_MAGNITUDE`` are refused with a
    message naming the offending entries.
    """
    if isinstance(data, str | bytes):
        raise ValueError("observations must be a sequence of numbers, not a string")
    try:
        values = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"observations must be numbers: {error}") from None
    if values.ndim == 0:
        values = values.reshape(1)
    if values.ndim != 1:
        raise ValueError(f"observations must be a flat sequence of numbers, got shape {values.shape}")
    if values.size == 0:
        return values
    if values.size <= _SMALL:
        # Plain Python beats numpy's per-call overhead here; nan fails every comparison.
        in_range = all(-MAX_MAGNITUDE <= v <= MAX_MAGNITUDE for v in values.tolist())
    else:
        # One pass: nan propagates through max, and ±inf is above the limit.
        in_range = float(np.max(np.abs(values))) <= MAX_MAGNITUDE
    if not in_range:
        finite = np.isfinite(values)
        if not finite.all():
            raise ValueError("observations must be finite numbers; found " + describe_positions(~finite, values))
        too_large = np.abs(values) > MAX_MAGNITUDE
        raise ValueError(
            f"observations must lie within ±{MAX_MAGNITUDE:.0e}; found " + describe_positions(too_large, values)
        )
    return values
