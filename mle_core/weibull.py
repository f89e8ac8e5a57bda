"""The Weibull family of lifetimes: parts that wear out (shape k > 1), or fail early (k < 1).

Density:        f(x | k, λ) = (k/λ) (x/λ)^(k−1) exp(−(x/λ)^k)  for x > 0   (k = 1 is the exponential)
Log-likelihood: ℓ(k, λ) = n ln k − n ln λ + (k − 1) Σ ln(xᵢ/λ) − Σ (xᵢ/λ)^k
MLE:            no closed form. For a given k the best scale is λ̂(k)^k = mean(xᵢ^k); putting it back
                leaves the profile ℓₚ(k) = n ln k − n ln mean(xᵢ^k) + (k − 1) Σ ln xᵢ − n, whose
                stationary point solves  Σ wᵢ ln xᵢ − mean(ln x) − 1/k = 0  with wᵢ = xᵢ^k / Σ xⱼ^k.
                The left side increases with k from −∞ to max ln x − mean ln x > 0, so the root is
                unique; ``fit`` brackets it and solves with scipy's brentq (imported only there).

There is no fixed-size sufficient statistic: ``WeibullStatistics`` keeps the observations' logarithms,
and each ℓ costs O(n). Every Σ xᵢ^k is computed as exp(k max ln x) · Σ exp(k (ln xᵢ − max ln x)),
so that no power overflows however large k or x are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from ._family import Family, FitResult, Parameter, is_scalar
from ._observations import as_positive_observations, one_observation

SUPPORT = "positive numbers"

PARAMETERS = (
    Parameter("shape", "k", 0.0, math.inf, 1.0, "shape: above 1 parts wear out, below 1 they fail early"),
    Parameter("scale", "λ", 0.0, math.inf, 1.0, "scale: the age by which 63 % have failed"),
)

#: Largest number of n × (distinct shape values) terms held at once when ℓ is evaluated on a grid.
_CHUNK_ELEMENTS = 1 << 20
_SMALL_SAMPLE = 64
_LOG_MAX_FLOAT = math.log(np.finfo(np.float64).max)


def support_mask(x: np.ndarray) -> np.ndarray:
    """True where an observation is > 0."""
    return x > 0.0


def validate_observations(data) -> np.ndarray:
    """Return ``data`` as a float array of positive numbers, or raise ``ValueError`` naming the others."""
    return as_positive_observations(data, "weibull", SUPPORT)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _empty() -> np.ndarray:
    return _read_only(np.empty(0))


@dataclass(frozen=True, eq=False)
class WeibullStatistics:
    """What the Weibull likelihood needs of the observations: the logarithms ln xᵢ, and Σ ln xᵢ.

    Not a fixed-size summary (none exists for the Weibull family): ``observations`` and
    ``log_observations`` are read-only arrays of length ``n``, ``max_log`` is max ln xᵢ and
    ``sum_log`` Σ ln xᵢ. ``add`` and ``extend`` return new objects and cost O(n) (the arrays are
    copied); they equal a fresh computation exactly.
    """

    observations: np.ndarray = field(default_factory=_empty)
    log_observations: np.ndarray = field(default_factory=_empty)
    sum_log: float = 0.0
    max_log: float = -math.inf

    @property
    def n(self) -> int:
        return int(self.observations.size)

    @classmethod
    def from_observations(cls, observations) -> WeibullStatistics:
        """Return the statistics of ``observations`` (validated first)."""
        return cls._from_valid(validate_observations(observations))

    @classmethod
    def _from_valid(cls, x: np.ndarray) -> WeibullStatistics:
        if x.size == 0:
            return cls()
        x = _read_only(np.array(x, dtype=np.float64))
        logs = _read_only(np.log(x))
        sum_log = math.fsum(logs.tolist()) if x.size <= _SMALL_SAMPLE else float(np.add.reduce(logs))
        return cls(x, logs, sum_log, float(logs.max()))

    def add(self, x: float) -> WeibullStatistics:
        """Return the statistics with one more observation ``x`` > 0 (O(n): the arrays are copied)."""
        value = one_observation(x, support_mask, "weibull", SUPPORT)
        return WeibullStatistics._from_valid(np.append(self.observations, value))

    def extend(self, observations) -> WeibullStatistics:
        """Return the statistics with all of ``observations`` added (O(n + m))."""
        return WeibullStatistics._from_valid(np.concatenate([self.observations, validate_observations(observations)]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WeibullStatistics):
            return NotImplemented
        return self.sum_log == other.sum_log and np.array_equal(self.observations, other.observations)

    __hash__ = None  # mutable-looking contents (arrays): not hashable, like a list

    def log_sum_powers(self, shape: float) -> float:
        """Return ln Σ xᵢ^k, as k max ln x + ln Σ exp(k (ln xᵢ − max ln x)) (no overflow)."""
        with np.errstate(over="ignore", under="ignore"):
            return shape * self.max_log + math.log(float(np.add.reduce(np.exp(shape * self._shifted_logs()))))

    def _shifted_logs(self) -> np.ndarray:
        """ln xᵢ − max ln x (≤ 0, with 0 for the largest observation)."""
        return self.log_observations - self.max_log


def _log_sum_powers_grid(stats: WeibullStatistics, shapes: np.ndarray) -> np.ndarray:
    """ln Σ xᵢ^k for every k in the 1-D array ``shapes``, in chunks of at most _CHUNK_ELEMENTS terms."""
    shifted = stats._shifted_logs()
    out = np.empty(shapes.size)
    step = max(1, _CHUNK_ELEMENTS // max(stats.n, 1))
    with np.errstate(over="ignore", under="ignore"):
        for start in range(0, shapes.size, step):
            chunk = shapes[start : start + step]
            sums = np.exp(np.multiply.outer(chunk, shifted)).sum(axis=1)
            out[start : start + step] = chunk * stats.max_log + np.log(sums)
    return out


#: Above this k·(|ln λ| + 1), the rounding of ln xᵢ − ln λ (≈ ε|ln λ|), multiplied by k, shows in ℓ.
_AMPLIFIED_ROUNDING = 1e6


def _rounding_amplified(shape: float, log_scale: float) -> bool:
    """Whether k multiplies the rounding of ln xᵢ − ln λ into ℓ's shown digits (see ``_log_ratios``)."""
    return shape * (abs(log_scale) + 1.0) > _AMPLIFIED_ROUNDING


def _log_ratios(observations: np.ndarray, log_observations: np.ndarray, shape: float, scale: float) -> np.ndarray:
    """Return ln(xᵢ/λ): ln xᵢ − ln λ, and, at a large k·ln λ, log1p((xᵢ − λ)/λ) for xᵢ within a factor 1.5 of λ.

    ln xᵢ − ln λ stays finite where xᵢ/λ would over- or underflow, but near λ it is the difference of two
    rounded logarithms: for data 1e-12 apart at 1e10, k̂ ≈ 1e12 multiplied that rounding into ℓ̂ (off by
    0.001). There xᵢ − λ is exact, and log1p of it keeps every digit. At ordinary k the rounding does not
    show, and the extra passes (4× the time of ℓ at 10⁶ observations) are skipped.
    """
    log_scale = math.log(scale)
    log_ratio = log_observations - log_scale
    if _rounding_amplified(shape, log_scale):
        near = np.abs(observations - scale) < 0.5 * scale
        log_ratio[near] = np.log1p((observations[near] - scale) / scale)
    return log_ratio


def log_densities(observations: np.ndarray, shape: float, scale: float) -> np.ndarray:
    """Return ln f(xᵢ | k, λ) = ln k − ln λ + (k − 1) ln(xᵢ/λ) − (xᵢ/λ)^k for each observation."""
    # A power beyond the largest float is a density of 0 to every digit, and ln f = −inf is right.
    log_ratio = _log_ratios(observations, np.log(observations), shape, scale)
    with np.errstate(over="ignore"):
        return math.log(shape) - math.log(scale) + (shape - 1.0) * log_ratio - np.exp(shape * log_ratio)


def log_likelihood(stats: WeibullStatistics, shape, scale):
    """Return ℓ(k, λ) = n ln k − n ln λ + (k − 1)(Σ ln xᵢ − n ln λ) − Σ (xᵢ/λ)^k (O(n) per value).

    Σ (xᵢ/λ)^k = exp(ln Σ xᵢ^k − k ln λ). ``shape`` and ``scale`` may be numpy arrays (a grid): ℓ
    then has their broadcast shape. The grid is evaluated one distinct shape value at a time (in
    vectorised chunks of at most 2²⁰ terms), and each Σ xᵢ^k is reused for every scale value on
    the grid, so an a × b grid costs O(n a) exponentials, not O(n a b). An empty sample has ℓ = 0.
    For one value at a large k·|ln λ| the sums are taken over each ln(xᵢ/λ) instead (``_log_ratios``).
    """
    n = stats.n
    if is_scalar(shape, scale):
        if n == 0:
            return 0.0
        k, log_scale = float(shape), math.log(scale)
        if _rounding_amplified(k, log_scale):
            # Each ln(xᵢ/λ) first, then the sums: k ln x_max − k ln λ and Σ ln xᵢ − n ln λ cancel to
            # nothing where the data sit at λ (k̂ = 3e97 for equal observations at 1e100 lost ln n of ℓ).
            log_ratio = _log_ratios(stats.observations, stats.log_observations, k, scale)
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                power_sum = float(np.add.reduce(np.exp(k * log_ratio)))
            sum_log_ratio = float(np.add.reduce(log_ratio))
        else:  # from Σ ln xᵢ and ln Σ xᵢ^k: one pass fewer at 10⁶ observations
            log_power_sum = stats.log_sum_powers(k) - k * log_scale
            power_sum = math.exp(log_power_sum) if log_power_sum < _LOG_MAX_FLOAT else math.inf
            sum_log_ratio = stats.sum_log - n * log_scale
        value = n * math.log(k) - n * log_scale + (k - 1.0) * sum_log_ratio - power_sum
        # inf − inf at an enormous shape: Σ(xᵢ/λ)^k grows exponentially in k, the other terms linearly.
        return -math.inf if math.isnan(value) else value
    k, lam = np.broadcast_arrays(np.asarray(shape, dtype=np.float64), np.asarray(scale, dtype=np.float64))
    if n == 0:
        return np.zeros(k.shape)
    distinct, inverse = np.unique(k, return_inverse=True)
    log_sums = _log_sum_powers_grid(stats, distinct)[inverse].reshape(k.shape)
    log_scale = np.log(lam)
    with np.errstate(over="ignore", invalid="ignore"):
        power_sum = np.exp(log_sums - k * log_scale)
        value = n * np.log(k) - n * log_scale + (k - 1.0) * (stats.sum_log - n * log_scale) - power_sum
    # inf − inf at an enormous shape: Σ(xᵢ/λ)^k grows exponentially in k, the other terms linearly.
    return np.where(np.isnan(value) & (k > 0) & (lam > 0), -np.inf, value)


def _profile_equation(shape: float, shifted: np.ndarray, mean_shifted: float) -> float:
    """Σ wᵢ uᵢ − mean(u) − 1/k with uᵢ = ln xᵢ − max ln x and wᵢ ∝ exp(k uᵢ): 0 at the MLE of k."""
    with np.errstate(over="ignore", under="ignore"):
        weights = np.exp(shape * shifted)
    return float(np.dot(weights, shifted) / np.add.reduce(weights)) - mean_shifted - 1.0 / shape


def scale_given_shape(stats: WeibullStatistics, shape: float) -> float:
    """Return λ̂(k) = (mean xᵢ^k)^(1/k), the best scale for the shape k."""
    return math.exp((stats.log_sum_powers(shape) - math.log(stats.n)) / shape)


def fit(stats: WeibullStatistics) -> FitResult:
    """Return (k̂, λ̂) maximising ℓ, found by solving the profile equation for k (see the module docstring).

    The root is bracketed first: below k = 1 / (max ln x − mean ln x) the equation is negative, and
    the upper end doubles until it is positive; scipy.optimize.brentq then solves to about 4 ε · k.
    λ̂ = (mean xᵢ^k̂)^(1/k̂) and ℓ̂ = ℓ(k̂, λ̂). When every observation is equal (n = 1 included)
    the likelihood grows without bound as k → ∞: ``shape`` is ``inf``, ℓ̂ = ``inf``, and
    ``converged`` is False; so it is, with the optimiser's message, if brentq gives up.
    """
    if stats.n == 0:
        raise ValueError("cannot fit the weibull family to no observations: add at least one")
    shifted = stats._shifted_logs()
    mean_shifted = stats.sum_log / stats.n - stats.max_log
    if not mean_shifted < 0.0:  # every ln xᵢ equals the largest one
        return FitResult(
            MappingProxyType({"shape": math.inf, "scale": float(stats.observations[0])}),
            math.inf,
            converged=False,
            message=(
                "all observations are equal, so k̂ → ∞: the likelihood grows without bound as the shape "
                "increases and has no finite maximum"
            ),
        )
    from scipy.optimize import brentq  # lazily: the other families, and import mle_core, never need scipy

    lower = 1.0 / -mean_shifted
    upper = 2.0 * lower
    while _profile_equation(upper, shifted, mean_shifted) <= 0.0:
        upper *= 2.0
        if not math.isfinite(upper):
            return FitResult(
                MappingProxyType({"shape": math.inf, "scale": math.exp(stats.max_log)}),
                math.inf,
                converged=False,
                message="the observations are too close together to resolve the shape: k̂ exceeds the largest float",
            )
    shape_hat, report = brentq(
        _profile_equation,
        lower,
        upper,
        args=(shifted, mean_shifted),
        xtol=1e-300,
        rtol=4 * np.finfo(np.float64).eps,
        full_output=True,
        disp=False,
    )
    scale_hat = scale_given_shape(stats, shape_hat)
    params = MappingProxyType({"shape": float(shape_hat), "scale": scale_hat})
    log_lik = log_likelihood(stats, float(shape_hat), scale_hat)
    if not report.converged:
        return FitResult(params, log_lik, converged=False, message=f"the root finder did not converge: {report.flag}")
    return FitResult(params, log_lik)


def sample(rng: np.random.Generator, size: int, shape: float, scale: float) -> np.ndarray:
    """Return ``size`` independent Weibull(k, λ) lifetimes, λ · W with W ~ Weibull(k, 1)."""
    return scale * rng.weibull(shape, size)


FAMILY = Family(
    name="weibull",
    label="Weibull (lifetimes with wear-out)",
    parameters=PARAMETERS,
    statistics=WeibullStatistics._from_valid,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=validate_observations,
    statistics_type=WeibullStatistics,
    discrete=False,
    support=SUPPORT,
    support_mask=support_mask,
    sample=sample,
    fit_requires=("scipy.optimize",),
)
