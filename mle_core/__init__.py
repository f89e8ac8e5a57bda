"""mle_core: maximum likelihood estimation for a handful of families, in plain numpy.

No Panel or Bokeh here: the functions work the same from a notebook, a script or the app.

>>> import mle_core
>>> data = [2.3, 1.9, 2.5, 2.8, 1.7]
>>> {name: round(value, 4) for name, value in mle_core.fit("gaussian", data).items()}
{'mu': 2.24, 'sigma': 0.398}
>>> round(mle_core.log_likelihood("gaussian", data, mu=0.0, sigma=1.0), 3)
-17.535

Every call takes a family name; ``data`` is a sequence of observations or, for
``log_likelihood`` and ``fit``, the family's sufficient statistics (``sufficient_statistics``),
which is how the app evaluates a new parameter value without another pass over the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from . import gaussian
from ._family import Family, FitResult, Parameter
from ._observations import as_observations
from .gaussian import GaussianStatistics

FAMILIES: Mapping[str, Family] = MappingProxyType({f.name: f for f in (gaussian.FAMILY,)})

__all__ = [
    "FAMILIES",
    "Family",
    "FitResult",
    "GaussianStatistics",
    "Parameter",
    "as_observations",
    "fit",
    "fit_result",
    "get_family",
    "log_densities",
    "log_likelihood",
    "sufficient_statistics",
]


def get_family(family: str | Family) -> Family:
    """Return the registered ``Family`` called ``family`` (a ``Family`` is returned as is)."""
    if isinstance(family, Family):
        return family
    try:
        return FAMILIES[family]
    except (KeyError, TypeError):
        known = ", ".join(sorted(FAMILIES))
        raise ValueError(f"unknown family {family!r}; choose one of: {known}") from None


def sufficient_statistics(family: str | Family, data):
    """Return the family's sufficient statistics of ``data`` (validated observations)."""
    fam = get_family(family)
    return fam.statistics(fam.validate_observations(data))


def _statistics(fam: Family, data):
    if isinstance(data, fam.statistics_type):
        return data
    return fam.statistics(fam.validate_observations(data))


def log_densities(family: str | Family, data, **params) -> np.ndarray:
    """Return ln f(xᵢ | θ) for each observation xᵢ in ``data``, as a float array of the same length."""
    fam = get_family(family)
    theta = fam.check_params(params)
    return fam.log_densities(fam.validate_observations(data), **theta)


def log_likelihood(family: str | Family, data, **params) -> float:
    """Return the log-likelihood ℓ(θ) = Σᵢ ln f(xᵢ | θ) of ``data`` (observations or sufficient statistics).

    An empty sample has ℓ = 0 (the empty sum).
    """
    fam = get_family(family)
    theta = fam.check_params(params)
    return float(fam.log_likelihood(_statistics(fam, data), **theta))


def fit_result(family: str | Family, data) -> FitResult:
    """Return the maximum likelihood estimate θ̂ = argmax ℓ(θ) with ℓ(θ̂) and whether it is a true maximum."""
    fam = get_family(family)
    stats = _statistics(fam, data)
    if getattr(stats, "n", None) == 0:
        raise ValueError(f"cannot fit the {fam.name} family to no observations: add at least one")
    return fam.fit(stats)


def fit(family: str | Family, data) -> dict[str, float]:
    """Return the maximum likelihood estimate as a dict, parameter name → estimate.

    For the Gaussian: ``{"mu": x̄, "sigma": √(Σ(xᵢ − x̄)² / n)}``. Raises ``ValueError`` on empty
    or invalid data.
    """
    return dict(fit_result(family, data).params)
