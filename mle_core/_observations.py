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
#: The limit as messages write it (a textbook's 10¹⁵⁰, not Python's 1e+150).
MAX_MAGNITUDE_TEXT = "10¹⁵⁰"
_SMALL = 64
#: From this many observations the range is checked with a min and a max reduction, which allocate
#: nothing, rather than max |x|, which writes a temporary array as large as the data.
_LARGE = 8192


def _float_array(data) -> np.ndarray:
    """``data`` as a 1-D float64 array (no copy when it already is one); values not yet checked."""
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
    return values


def as_observations(data) -> np.ndarray:
    """Return ``data`` as a 1-D float64 array of finite numbers, or raise ``ValueError``.

    Accepts any sequence of numbers (a list, a tuple, a numpy array). Text, nested sequences,
    non-finite values (nan, ±inf) and magnitudes above ``MAX_MAGNITUDE`` are refused with a
    message naming the offending entries.
    """
    values = _float_array(data)
    if values.size == 0:
        return values
    if values.size <= _SMALL:
        # Plain Python beats numpy's per-call overhead here; nan fails every comparison.
        in_range = all(-MAX_MAGNITUDE <= v <= MAX_MAGNITUDE for v in values.tolist())
    elif values.size < _LARGE:
        # One reduction: nan propagates through maximum, and ±inf is above the limit. (The ufunc's own
        # reduce skips np.max's dispatch, a few µs that matter next to scipy's fits.)
        in_range = float(np.maximum.reduce(np.abs(values))) <= MAX_MAGNITUDE
    else:
        # nan propagates through both reductions and fails both comparisons.
        in_range = bool(np.minimum.reduce(values) >= -MAX_MAGNITUDE and np.maximum.reduce(values) <= MAX_MAGNITUDE)
    if not in_range:
        finite = np.isfinite(values)
        if not finite.all():
            raise ValueError("observations must be finite numbers; found " + describe_positions(~finite, values))
        too_large = np.abs(values) > MAX_MAGNITUDE
        raise ValueError(
            f"observations must lie within ±{MAX_MAGNITUDE_TEXT}; found " + describe_positions(too_large, values)
        )
    return values


def as_positive_observations(data, family: str, support: str = "positive numbers") -> np.ndarray:
    """Return ``data`` as a 1-D float64 array of finite numbers > 0, or raise ``ValueError``.

    The same checks and messages as ``as_observations`` followed by ``require_support``, in two
    reductions (min > 0, max ≤ MAX_MAGNITUDE; nan fails both) that allocate nothing: for the
    exponential and Weibull families this keeps validation cheaper than scipy's own checks.
    """
    values = _float_array(data)
    if values.size == 0 or (np.minimum.reduce(values) > 0.0 and np.maximum.reduce(values) <= MAX_MAGNITUDE):
        return values
    values = as_observations(values)  # raises for non-finite or huge values, with their message
    return require_support(values, values > 0.0, family, support)


def require_support(values: np.ndarray, in_support: np.ndarray, family: str, support: str) -> np.ndarray:
    """Return ``values`` when every one lies in the support, else raise ``ValueError`` naming the others.

    ``in_support`` is the family's ``support_mask`` of ``values``; the message reads e.g.
    "bernoulli observations must be 0 or 1; found 0.5 at index 2".
    """
    if not in_support.all():
        raise ValueError(f"{family} observations must be {support}; found " + describe_positions(~in_support, values))
    return values


def is_whole(values: np.ndarray) -> np.ndarray:
    """Return a bool array, True where a (finite) value is a whole number (0.0, 3.0 but not 2.5)."""
    return values == np.floor(values)


def one_observation(value, in_support, family: str, support: str) -> float:
    """Return one observation ``value`` as a float, or raise ``ValueError`` saying what is wrong with it.

    ``in_support`` maps a float array to a bool array (the family's support mask, constants bound).
    Used by the O(1) ``add`` of every statistics type.
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"an observation must be a number, got {value!r}") from None
    if not (abs(x) <= MAX_MAGNITUDE):
        raise ValueError(f"an observation must be a finite number within ±{MAX_MAGNITUDE_TEXT}, got {x!r}")
    if not in_support(np.array([x]))[0]:
        raise ValueError(f"{family} observations must be {support}; got {x!r}")
    return x
