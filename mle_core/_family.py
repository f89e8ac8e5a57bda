"""Declarations shared by every likelihood family: parameters, fit results, the family record.

Also the two logarithms every discrete family needs at the edge of its parameter space,
``xlogy`` and ``xlog1my``, written for floats and numpy arrays alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np


def bound_text(value: float) -> str:
    """A parameter's bound as a message writes it: 0, 1, ∞ or −∞ (not Python's "inf")."""
    if math.isinf(value):
        return "∞" if value > 0 else "\u2212∞"
    return f"{value:g}"


@dataclass(frozen=True)
class Parameter:
    """One parameter (or known constant) of a family: what it is called, how it is written, where it may lie.

    ``lower`` and ``upper`` are bounds, open unless ``lower_closed`` / ``upper_closed`` say so:
    a Bernoulli p lies in [0, 1] (both closed), a Gaussian σ in (0, ∞). ``integer`` asks for a
    whole number (the binomial's number of trials). ``default`` is the value an app starts from
    when it knows nothing better; ``description`` is one short phrase.
    """

    name: str
    symbol: str
    lower: float
    upper: float
    default: float
    description: str = ""
    lower_closed: bool = False
    upper_closed: bool = False
    integer: bool = False

    @property
    def interval(self) -> str:
        """The allowed range in interval notation, e.g. ``"[0, 1]"`` or ``"(0, ∞)"``."""
        left = "[" if self.lower_closed else "("
        right = "]" if self.upper_closed else ")"
        return f"{left}{bound_text(self.lower)}, {bound_text(self.upper)}{right}"

    def contains(self, value: float) -> bool:
        """Return True when the (finite) ``value`` lies within the bounds."""
        above = value >= self.lower if self.lower_closed else value > self.lower
        below = value <= self.upper if self.upper_closed else value < self.upper
        return above and below

    def check(self, value: Any) -> float:
        """Return ``value`` as a float (an ``int`` for an integer parameter), or raise ``ValueError``.

        The message names the parameter and its bounds, e.g. "p must lie in [0, 1], got 1.5".
        """
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"{self.name} must be finite, got {number!r}")
        if not self.contains(number):
            raise ValueError(f"{self.name} must lie in {self.interval}, got {number!r}")
        if self.integer:
            if not number.is_integer():
                raise ValueError(f"{self.name} must be a whole number, got {number!r}")
            return int(number)
        return number

    def check_array(self, values: Any) -> np.ndarray:
        """Return ``values`` (a grid of parameter values) as a float array, or raise ``ValueError``.

        The message names the first offending value, as ``check`` does for one value.
        """
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be numbers, got {values!r}") from None
        valid = np.isfinite(array)
        valid &= (array >= self.lower) if self.lower_closed else (array > self.lower)
        valid &= (array <= self.upper) if self.upper_closed else (array < self.upper)
        if self.integer:
            valid &= array == np.round(array)
        if not valid.all():
            self.check(array[~valid].flat[0])  # raises with the message for that value
        return array


class FitResult(NamedTuple):
    """The outcome of maximising a likelihood.

    ``params`` maps each parameter name to its estimate (read-only); ``log_likelihood`` is the
    maximised ℓ (``inf`` when the likelihood is unbounded, as for a Gaussian with σ̂ = 0);
    ``converged`` is False when no finite maximiser exists or a numerical optimiser gave up, and
    ``message`` says why (it also notes an estimate on the boundary of the parameter space, such
    as p̂ = 0, which is a true maximum: ``converged`` stays True there).
    """

    params: Mapping[str, float]
    log_likelihood: float
    converged: bool = True
    message: str = ""


@dataclass(frozen=True)
class Family:
    """A parametric family of distributions, with what an MLE needs of it.

    Every callable takes the family's known constants (``constants``, e.g. the binomial's
    ``n_trials``) as keywords after its own arguments:

    - ``validate_observations(data, **constants)`` → 1-D float array of finite observations in the
      support, or ``ValueError`` naming the offending values and their indices;
    - ``support_mask(x, **constants)`` → bool array, True where a finite float observation lies in
      the support (``support`` says the same in words, e.g. "non-negative integers");
    - ``statistics(x, **constants)`` → the family's sufficient statistics (an instance of
      ``statistics_type``, which carries the constants);
    - ``log_densities(x, **theta, **constants)`` → ln f(xᵢ | θ) point by point;
    - ``log_likelihood(stats, **theta)`` → ℓ(θ) from the statistics alone; broadcasts when the
      parameters are numpy arrays (a grid), returns a float for floats;
    - ``fit(stats)`` → ``FitResult``;
    - ``sample(rng, size, **theta, **constants)`` → ``size`` float64 draws.

    ``discrete`` is True when f is a probability mass function (counts), False for a density.
    ``fit_requires`` names the optional modules ``fit`` imports (Weibull: ``scipy.optimize``), so
    that an app in the browser can load them before the first fit rather than fail in it.

    Closed forms ``mle_core.inference`` uses where a family declares them (each None by default, and
    then inference takes its generic numerical path; ``CLOSED_FORMS`` lists them):

    - ``derivatives(stats, **theta)`` → (∇ℓ(θ), ∂²ℓ(θ)): the score as a length-k array and the
      Hessian as a k × k array, in ``parameters`` order. Called only with θ strictly inside the
      parameter space and at least one observation (on a closed bound inference reports nan, as
      there is no two-sided derivative there);
    - ``expected_information(stats, **theta)`` → the Fisher information n·i(θ) = E[−∂²ℓ(θ)] as a
      k × k array; the score test uses it by default where it is declared;
    - ``profile(stats, name, value)`` → (ℓ_p(v), θ̃): the profile log-likelihood
      ℓ_p(v) = max over the other parameters of ℓ(θ_name = v, …) and the maximiser θ̃ (a sequence in
      ``parameters`` order), for ``value`` v in the parameter space and at least one observation;
    - ``fit_many(samples, **constants)`` → a (rows × k) array: the MLE of each row of the
      (rows × size) array ``samples``, vectorised; a family that declares it draws such a matrix
      with ``sample(rng, (rows, size), **theta, **constants)``.
    """

    name: str
    label: str
    parameters: tuple[Parameter, ...]
    statistics: Callable[..., Any]
    log_densities: Callable[..., np.ndarray]
    log_likelihood: Callable[..., Any]
    fit: Callable[[Any], FitResult]
    validate_observations: Callable[..., np.ndarray]
    statistics_type: type
    discrete: bool
    support: str
    support_mask: Callable[..., np.ndarray]
    sample: Callable[..., np.ndarray]
    constants: tuple[Parameter, ...] = ()
    fit_requires: tuple[str, ...] = ()
    derivatives: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    expected_information: Callable[..., np.ndarray] | None = None
    profile: Callable[..., tuple[float, Any]] | None = None
    fit_many: Callable[..., np.ndarray] | None = None

    def without_closed_forms(self) -> Family:
        """Return this family with none of its ``CLOSED_FORMS``: inference then takes its numerical paths.

        Useful to check a closed form against the generic numerics, or to show the two side by side.
        """
        return replace(self, **dict.fromkeys(CLOSED_FORMS))

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def constant_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.constants)

    def check_names(self, params: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` when a parameter name is unknown to the family or one it needs is missing."""
        names = self.parameter_names
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {', '.join(unknown)} for the {self.name} family (it takes {', '.join(names)})"
            )
        missing = [n for n in names if n not in params]
        if missing:
            raise ValueError(f"the {self.name} family needs parameter(s) {', '.join(missing)}")

    def check_params(self, params: Mapping[str, Any]) -> dict[str, float]:
        """Return the parameters as floats in declaration order; raise ``ValueError`` on any problem."""
        self.check_names(params)
        return {p.name: p.check(params[p.name]) for p in self.parameters}

    def check_constants(self, constants: Mapping[str, Any]) -> dict[str, Any]:
        """Return the known constants, checked, with each one not given set to its ``default``.

        Raises ``ValueError`` for a name the family does not know or a value out of bounds.
        """
        if not constants and not self.constants:  # the common case, kept cheap
            return {}
        unknown = sorted(set(constants) - set(self.constant_names))
        if unknown:
            takes = f"it takes {', '.join(self.constant_names)}" if self.constants else "it takes none"
            raise ValueError(f"unknown constant(s) {', '.join(unknown)} for the {self.name} family ({takes})")
        return {
            c.name: c.check(constants[c.name]) if c.name in constants else c.check(c.default) for c in self.constants
        }

    def split_arguments(self, arguments: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split keyword arguments into (parameters, constants) by name, unchecked.

        A name that is neither stays with the parameters, where ``check_params`` reports it.
        """
        constant_names = set(self.constant_names)
        params = {k: v for k, v in arguments.items() if k not in constant_names}
        constants = {k: v for k, v in arguments.items() if k in constant_names}
        return params, constants


#: The optional closed forms of a ``Family`` (see its docstring), by field name.
CLOSED_FORMS = ("derivatives", "expected_information", "profile", "fit_many")


# --- logarithms at the edge of the parameter space --------------------------------------------
# A probability p = 0 or 1 (or a Poisson rate λ = 0) is a valid parameter value: the likelihood is
# 0 there when an observation contradicts it (ℓ = −inf), and the term vanishes when nothing was
# observed that it could contradict (0 · ln 0 = 0, the limit of x ln x). numpy's x * log(0) would
# give nan and a RuntimeWarning instead, and math.log(0) raises.


def xlogy(count: float, y):
    """Return count · ln y with 0 · ln 0 = 0, for a scalar count ≥ 0 and y ≥ 0.

    A number ``y`` gives a float; a numpy array gives an array of its shape.
    """
    if not isinstance(y, np.ndarray):
        if count == 0:
            return 0.0
        return count * math.log(y) if y > 0 else -math.inf
    if count == 0:
        return np.zeros(y.shape)
    with np.errstate(divide="ignore"):
        return count * np.log(y)


def xlog1my(count: float, y):
    """Return count · ln(1 − y) with 0 · ln 0 = 0, for a scalar count ≥ 0 and y ≤ 1 (number or array).

    Uses log1p, so that ln(1 − y) keeps its digits for small y (p = 1e-12 gives −1e-12, not 0).
    """
    if not isinstance(y, np.ndarray):
        if count == 0:
            return 0.0
        return count * math.log1p(-y) if y < 1 else -math.inf
    if count == 0:
        return np.zeros(y.shape)
    with np.errstate(divide="ignore"):
        return count * np.log1p(-y)


def counts_times_log(counts: np.ndarray, log_value: float) -> np.ndarray:
    """Return countsᵢ · log_value point by point, with 0 · (−inf) = 0 (an event with probability 0 not seen)."""
    if log_value == -math.inf:
        return np.where(counts > 0, -math.inf, 0.0)
    return counts * log_value


def is_scalar(*values: Any) -> bool:
    """True when every value is a plain number (a float, an int or a numpy scalar), not an array."""
    return all(isinstance(v, float | int | np.floating | np.integer) for v in values)
