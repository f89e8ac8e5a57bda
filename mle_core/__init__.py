"""mle_core: maximum likelihood estimation for a handful of families, in plain numpy.

No Panel or Bokeh here: the functions work the same from a notebook, a script or the app.

>>> import mle_core
>>> data = [2.3, 1.9, 2.5, 2.8, 1.7]
>>> {name: round(value, 4) for name, value in mle_core.fit("gaussian", data).items()}
{'mu': 2.24, 'sigma': 0.398}
>>> round(mle_core.log_likelihood("gaussian", data, mu=0.0, sigma=1.0), 3)
-17.535
>>> mle_core.fit("bernoulli", [1, 1, 0, 1, 1, 1, 0, 1, 0, 1])
{'p': 0.7}
>>> mle_core.fit("binomial", [2, 0, 1, 3], n_trials=10)
{'p': 0.15}
>>> mle_core.outside_support("poisson", [3, -1, 2.5, 0]).tolist()
[1, 2]

A family is a ``Family`` record (one module per family: ``mle_core.gaussian`` and so on) listed in
the read-only mapping ``FAMILIES``; ``register_family`` adds another one, which every function here
(and ``mle_core.inference``) then serves as it serves the six built in.

Every call takes a family name (or a ``Family``); ``data`` is a sequence of observations or, for
``log_likelihood`` and ``fit``, the family's sufficient statistics (``sufficient_statistics``),
which is how the app evaluates a new parameter value without another pass over the data.
Known constants (the binomial's ``n_trials``) are keywords next to the parameters; one that is
not given takes its ``default``. The Gaussian, Bernoulli, binomial, Poisson and exponential
families need numpy only; the Weibull fit imports scipy.optimize when it is first called.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import numpy as np

from . import bernoulli, binomial, exponential, gaussian, poisson, weibull
from ._family import CLOSED_FORMS, Family, FitResult, Parameter
from ._observations import as_observations
from .bernoulli import BernoulliStatistics
from .binomial import BinomialStatistics
from .exponential import ExponentialStatistics
from .gaussian import GaussianStatistics
from .poisson import PoissonStatistics
from .weibull import WeibullStatistics

#: The families that come with mle_core, in the order an app lists them.
BUILT_IN_FAMILIES: tuple[Family, ...] = (
    gaussian.FAMILY,
    bernoulli.FAMILY,
    binomial.FAMILY,
    poisson.FAMILY,
    exponential.FAMILY,
    weibull.FAMILY,
)
_REGISTRY: dict[str, Family] = {f.name: f for f in BUILT_IN_FAMILIES}
#: Every registered family by name (read-only): the built-in ones, then those added by ``register_family``.
#: A view of the registry, not a copy: whoever holds it sees families registered later.
FAMILIES: Mapping[str, Family] = MappingProxyType(_REGISTRY)

from .comparison import FamilyComparison, compare_families  # noqa: E402  (it looks families up here)

__all__ = [
    "BUILT_IN_FAMILIES",
    "CLOSED_FORMS",
    "FAMILIES",
    "BernoulliStatistics",
    "BinomialStatistics",
    "ExponentialStatistics",
    "Family",
    "FamilyComparison",
    "FitResult",
    "GaussianStatistics",
    "Parameter",
    "PoissonStatistics",
    "WeibullStatistics",
    "as_observations",
    "compare_families",
    "fit",
    "fit_result",
    "get_family",
    "log_densities",
    "log_likelihood",
    "outside_support",
    "register_family",
    "registered_family",
    "sample",
    "sufficient_statistics",
    "unregister_family",
]


def get_family(family: str | Family) -> Family:
    """Return the registered ``Family`` called ``family`` (a ``Family`` is returned as is)."""
    if isinstance(family, Family):
        return family
    try:
        return FAMILIES[family]
    except (KeyError, TypeError):
        known = ", ".join(FAMILIES)
        raise ValueError(f"unknown family {family!r}; choose one of: {known}") from None


def register_family(family: Family) -> Family:
    """Add ``family`` to ``FAMILIES`` under ``family.name`` and return it: every function here then finds it by name.

    A family is a ``Family`` record, usually a module's ``FAMILY`` built as the six built-in ones are;
    ``mle_core.inference`` works for it through its generic numerical paths (or its closed forms, where
    it declares them). Registering the same family again changes nothing; a different family under a
    name already registered raises ``ValueError`` (unregister that one first).

    >>> import dataclasses
    >>> numeric = dataclasses.replace(FAMILIES["gaussian"].without_closed_forms(), name="numeric-gaussian")
    >>> with registered_family(numeric):
    ...     round(fit("numeric-gaussian", [2.3, 1.9, 2.5, 2.8, 1.7])["sigma"], 4)
    0.398
    >>> "numeric-gaussian" in FAMILIES
    False
    """
    if not isinstance(family, Family):
        raise TypeError(f"register_family takes a mle_core.Family, got {type(family).__name__}")
    if not (isinstance(family.name, str) and family.name):
        raise ValueError(f"a family needs a non-empty name, got {family.name!r}")
    registered = _REGISTRY.get(family.name)
    if registered is not None and registered != family:
        raise ValueError(f"a different family is already registered as {family.name!r}: unregister it first")
    _REGISTRY[family.name] = family
    return family


def unregister_family(name: str) -> Family:
    """Remove the family registered as ``name`` from ``FAMILIES`` and return it.

    The built-in families (``BUILT_IN_FAMILIES``) stay: removing one raises ``ValueError``, as does
    a name that is not registered.
    """
    family = get_family(name) if isinstance(name, str) else None
    if family is None:
        raise ValueError(f"unregister_family takes a family's name, got {name!r}")
    if any(family is built_in for built_in in BUILT_IN_FAMILIES):
        raise ValueError(f"the built-in {name} family cannot be unregistered")
    return _REGISTRY.pop(name)


@contextmanager
def registered_family(family: Family) -> Iterator[Family]:
    """Register ``family`` inside a ``with`` block and leave ``FAMILIES`` as it found it afterwards.

    A family that was already registered before the block stays registered after it.
    """
    already = _REGISTRY.get(getattr(family, "name", None)) is not None
    register_family(family)
    try:
        yield family
    finally:
        if not already:
            _REGISTRY.pop(family.name, None)


def _validated(fam: Family, data, constants: Mapping[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """The observations checked against the family's support, and its constants (defaults filled in)."""
    checked = fam.check_constants(constants)
    return fam.validate_observations(data, **checked), checked


def sufficient_statistics(family: str | Family, data, **constants):
    """Return the family's sufficient statistics of ``data`` (validated observations).

    For the binomial family pass ``n_trials``; the statistics carry it from then on.
    """
    fam = get_family(family)
    observations, checked = _validated(fam, data, constants)
    return fam.statistics(observations, **checked)


def _statistics(fam: Family, data, constants: Mapping[str, Any]):
    checked = fam.check_constants(constants)
    if isinstance(data, fam.statistics_type):
        # The statistics carry their constants: any given as well must agree with them.
        for name, value in checked.items():
            if name in constants and getattr(data, name) != value:
                raise ValueError(
                    f"{name} = {value} does not match the statistics, which were computed with "
                    f"{name} = {getattr(data, name)}"
                )
        return data
    return fam.statistics(fam.validate_observations(data, **checked), **checked)


def _is_grid(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.ndim > 0


def log_densities(family: str | Family, data, **params_and_constants) -> np.ndarray:
    """Return ln f(xᵢ | θ) for each observation xᵢ in ``data``, as a float array of the same length.

    f is a density for continuous families and a probability (mass) for discrete ones.
    """
    fam = get_family(family)
    params, constants = fam.split_arguments(params_and_constants)
    theta = fam.check_params(params)
    observations, checked = _validated(fam, data, constants)
    return fam.log_densities(observations, **theta, **checked)


def log_likelihood(family: str | Family, data, **params_and_constants):
    """Return the log-likelihood ℓ(θ) = Σᵢ ln f(xᵢ | θ) of ``data`` (observations or sufficient statistics).

    An empty sample has ℓ = 0 (the empty sum). With numpy arrays for some parameters (a grid of
    values) ℓ is an array of their broadcast shape, computed without a loop over the grid;
    otherwise it is a float. ℓ is −inf where the data are impossible (p = 0 with a 1 observed).
    """
    fam = get_family(family)
    params, constants = fam.split_arguments(params_and_constants)
    if any(_is_grid(value) for value in params.values()):
        fam.check_names(params)
        theta = {p.name: p.check_array(params[p.name]) for p in fam.parameters}
        stats = _statistics(fam, data, constants)
        return np.asarray(fam.log_likelihood(stats, **theta), dtype=np.float64)
    theta = fam.check_params(params)
    return float(fam.log_likelihood(_statistics(fam, data, constants), **theta))


def fit_result(family: str | Family, data, **constants) -> FitResult:
    """Return the maximum likelihood estimate θ̂ = argmax ℓ(θ) with ℓ(θ̂) and whether it is a true maximum."""
    fam = get_family(family)
    stats = _statistics(fam, data, constants)
    if getattr(stats, "n", None) == 0:
        raise ValueError(f"cannot fit the {fam.name} family to no observations: add at least one")
    return fam.fit(stats)


def fit(family: str | Family, data, **constants) -> dict[str, float]:
    """Return the maximum likelihood estimate as a dict, parameter name → estimate.

    Gaussian: ``{"mu": x̄, "sigma": √(Σ(xᵢ − x̄)² / n)}``; Bernoulli: ``{"p": k / n}``; binomial:
    ``{"p": Σxᵢ / (n · n_trials)}``; Poisson: ``{"rate": x̄}``; exponential: ``{"rate": 1 / x̄}``;
    Weibull: ``{"shape": k̂, "scale": λ̂}`` (numerical). Raises ``ValueError`` on empty or invalid data.
    """
    return dict(fit_result(family, data, **constants).params)


def sample(family: str | Family, size: int, rng=None, **params_and_constants) -> np.ndarray:
    """Return ``size`` independent draws from the family at θ, as a float64 array.

    ``rng`` is a ``numpy.random.Generator``, an integer seed, or None for fresh entropy. Raises
    ``ValueError`` when θ is so large that draws would overflow to ±inf (a Weibull scale of 1e308), or
    beyond what numpy's generator can draw (a Poisson rate above about 9.2e18).
    """
    fam = get_family(family)
    params, constants = fam.split_arguments(params_and_constants)
    theta = fam.check_params(params)
    checked = fam.check_constants(constants)
    try:
        count = operator.index(size)
    except TypeError:
        raise ValueError(f"size must be a whole number, got {size!r}") from None
    if count < 0:
        raise ValueError(f"size must be at least 0, got {count}")
    if not isinstance(rng, np.random.Generator):
        if rng is not None and not isinstance(rng, int | np.integer):
            raise ValueError(f"rng must be a numpy.random.Generator, an integer seed or None, got {rng!r}")
        rng = np.random.default_rng(rng)
    at = ", ".join(f"{name} = {value:g}" for name, value in theta.items())
    # Overflow is reported below, in the user's terms, rather than as numpy's warning.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            draws = np.asarray(fam.sample(rng, count, **theta, **checked), dtype=np.float64)
        except ValueError as error:  # numpy's own limits, e.g. "lam value too large"
            raise ValueError(f"cannot draw from the {fam.name} family at {at}: numpy refuses ({error})") from None
    if not np.isfinite(draws).all():
        raise ValueError(
            f"draws from the {fam.name} family at {at} overflow the largest float (about 1.8e308); "
            "choose parameters of a smaller magnitude"
        )
    return draws


def outside_support(family: str | Family, data, **constants) -> np.ndarray:
    """Return the indices of the observations in ``data`` that the family cannot produce (an int array).

    E.g. ``[1, 2]`` for ``[3, -1, 2.5, 0]`` and the Poisson family. ``data`` must be finite numbers
    (``as_observations``); an empty result means every observation lies in the support.
    """
    fam = get_family(family)
    checked = fam.check_constants(constants)
    observations = as_observations(data)
    return np.flatnonzero(~fam.support_mask(observations, **checked))
