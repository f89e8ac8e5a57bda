"""Declarations shared by every likelihood family: parameters, fit results, the family record."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np


@dataclass(frozen=True)
class Parameter:
    """One parameter of a family: what it is called, how it is written, where it may lie.

    ``lower`` and ``upper`` are open bounds (a value must satisfy ``lower < value < upper``);
    ``default`` is the value an app starts from when it knows nothing better.
    """

    name: str
    symbol: str
    lower: float
    upper: float
    default: float
    description: str = ""

    def check(self, value: Any) -> float:
        """Return ``value`` as a float, or raise ``ValueError`` naming the parameter and its bounds."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"{self.name} must be finite, got {number!r}")
        if not (self.lower < number < self.upper):
            raise ValueError(f"{self.name} must lie in ({self.lower:g}, {self.upper:g}), got {number!r}")
        return number


class FitResult(NamedTuple):
    """The outcome of maximising a likelihood.

    ``params`` maps each parameter name to its estimate (read-only); ``log_likelihood`` is the
    maximised ℓ (``inf`` when the likelihood is unbounded, as for a Gaussian with σ̂ = 0);
    ``converged`` is False when no finite maximiser exists or a numerical optimiser gave up, and
    ``message`` says why.
    """

    params: Mapping[str, float]
    log_likelihood: float
    converged: bool = True
    message: str = ""


@dataclass(frozen=True)
class Family:
    """A parametric family of distributions, with what an MLE needs of it.

    ``statistics`` turns validated observations into the family's sufficient statistics;
    ``log_likelihood`` and ``fit`` work from those statistics alone, so that a new parameter
    value costs no pass over the observations. ``log_densities`` gives ln f(xᵢ) point by point.
    """

    name: str
    label: str
    parameters: tuple[Parameter, ...]
    statistics: Callable[[np.ndarray], Any]
    log_densities: Callable[..., np.ndarray]
    log_likelihood: Callable[..., float]
    fit: Callable[[Any], FitResult]
    validate_observations: Callable[[np.ndarray], np.ndarray]
    statistics_type: type

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def check_params(self, params: Mapping[str, Any]) -> dict[str, float]:
        """Return the parameters as floats in declaration order; raise ``ValueError`` on any problem."""
        names = self.parameter_names
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {', '.join(unknown)} for the {self.name} family (it takes {', '.join(names)})"
            )
        missing = [n for n in names if n not in params]
        if missing:
            raise ValueError(f"the {self.name} family needs parameter(s) {', '.join(missing)}")
        return {p.name: p.check(params[p.name]) for p in self.parameters}
