"""What every layer of ``mle_core.inference`` starts from: the family, its statistics, its parameter space.

Each public function takes a family (name or ``Family``) and either observations or the family's
sufficient statistics; ``_resolve`` turns them into (family, statistics) once, and the helpers here
move between a parameter mapping θ and a vector in ``family.parameters`` order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from .. import Family, FitResult, Parameter, get_family, sufficient_statistics


def _resolve(family, data, constants: Mapping[str, Any] | None = None) -> tuple[Family, Any]:
    """The family and the sufficient statistics of ``data`` (observations, or statistics as they are).

    Statistics carry the family's known constants (the binomial's ``n_trials``); constants given
    as well must agree with them. For observations, constants not given take their defaults.
    """
    fam = get_family(family)
    constants = dict(constants or {})
    if isinstance(data, fam.statistics_type):
        for name, value in fam.check_constants(constants).items():
            if name in constants and getattr(data, name, value) != value:
                raise ValueError(
                    f"{name} = {value} does not match the statistics, computed with {name} = {getattr(data, name)}"
                )
        return fam, data
    return fam, sufficient_statistics(fam, data, **constants)


def _split(fam: Family, arguments: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keyword arguments as (parameters, known constants)."""
    return fam.split_arguments(arguments)


def _inside(parameter: Parameter, value) -> np.ndarray | bool:
    """True where ``value`` lies strictly inside the open interval (lower, upper)."""
    return (value > parameter.lower) & (value < parameter.upper)


def _admissible(parameter: Parameter, value) -> np.ndarray | bool:
    """True where ``value`` is in the parameter space: inside, or on a closed end."""
    # A closed end is part of the space: p = 0 is a fine Bernoulli MLE when every toss is a tail.
    ok = _inside(parameter, value)
    if parameter.lower_closed:
        ok = ok | (value == parameter.lower)
    if parameter.upper_closed:
        ok = ok | (value == parameter.upper)
    return ok


def _index(fam: Family, name: str) -> int:
    try:
        return fam.parameter_names.index(name)
    except ValueError:
        raise ValueError(
            f"the {fam.name} family has no parameter {name!r} (it has {', '.join(fam.parameter_names)})"
        ) from None


def _vector(fam: Family, theta: Mapping[str, Any]) -> np.ndarray:
    checked = fam.check_params(dict(theta))
    return np.array([checked[name] for name in fam.parameter_names], dtype=float)


def _mapping(fam: Family, x) -> Mapping[str, float]:
    return MappingProxyType({name: float(value) for name, value in zip(fam.parameter_names, x, strict=True)})


def _named(fam: Family, x) -> dict[str, float]:
    """The vector ``x`` as keyword arguments: parameter name → float."""
    return {name: float(value) for name, value in zip(fam.parameter_names, x, strict=True)}


def _log_likelihood(fam: Family, stats, x) -> float:
    """ℓ at one point as a float; nan where the family cannot evaluate it."""
    theta = _named(fam, x)
    try:
        with np.errstate(all="ignore"):
            return float(fam.log_likelihood(stats, **theta))
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def _mle(fam: Family, stats) -> FitResult:
    """The family's fit, refusing (with the family's own explanation) when there is no finite maximum."""
    if getattr(stats, "n", None) == 0:
        raise ValueError(f"cannot fit the {fam.name} family to no observations: add at least one")
    fit = fam.fit(stats)
    values = [fit.params[name] for name in fam.parameter_names]
    if not (math.isfinite(fit.log_likelihood) and all(math.isfinite(v) for v in values)):
        raise ValueError(f"no finite maximum likelihood estimate: {fit.message or 'the fit failed'}")
    return fit


def _mle_vector(fam: Family, fit: FitResult) -> np.ndarray:
    return np.array([fit.params[name] for name in fam.parameter_names], dtype=float)
