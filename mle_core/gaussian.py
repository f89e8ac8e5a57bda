"""The Gaussian (normal) family N(μ, σ²).

Density:        f(x | μ, σ) = exp(−(x − μ)² / (2σ²)) / (σ √(2π))
Log-likelihood: ℓ(μ, σ) = −(n/2) ln(2π) − n ln σ − [S + n (x̄ − μ)²] / (2σ²),
                where n, x̄ and S = Σ (xᵢ − x̄)² are the sufficient statistics (in floating point
                a residual r = Σ (xᵢ − x̄) of the rounded x̄ is kept too; see GaussianStatistics).
MLE:            μ̂ = x̄,  σ̂ = √(S / n)   (divide by n, not n − 1).

The score, the observed and expected information, the profile likelihoods and a vectorised fit of
many samples are known in closed form too: ``FAMILY`` declares them for ``mle_core.inference``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._family import Family, FitResult, Parameter
from ._observations import MAX_MAGNITUDE, MAX_MAGNITUDE_TEXT, as_observations

LOG_2PI = math.log(2.0 * math.pi)

PARAMETERS = (
    Parameter("mu", "μ", -math.inf, math.inf, 0.0, "mean: where the bell curve is centred"),
    Parameter("sigma", "σ", 0.0, math.inf, 1.0, "standard deviation: how wide the bell curve is"),
)


#: Below this many observations the statistics are summed exactly with ``math.fsum`` in plain
#: Python, which is both more accurate and faster than numpy's call overhead.
_SMALL_SAMPLE = 64


def _check_value(x) -> float:
    x = float(x)
    if not (abs(x) <= MAX_MAGNITUDE):
        raise ValueError(f"an observation must be a finite number within ±{MAX_MAGNITUDE_TEXT}, got {x!r}")
    return x


@dataclass(frozen=True)
class GaussianStatistics:
    """Sufficient statistics of Gaussian observations.

    ``n`` is the count, ``mean`` the sample mean x̄ as a float, ``sum_sq_dev`` S = Σ (xᵢ − x̄)² and
    ``residual`` r = Σ (xᵢ − x̄), which is 0 in exact arithmetic but not for the rounded x̄: keeping it
    makes Σ (xᵢ − μ)² = S + 2 (x̄ − μ) r + n (x̄ − μ)² exact to rounding even for data far from 0
    (e.g. 1e8 + small noise), where the textbook Σxᵢ² − n x̄² loses every digit.

    Updates return new objects and cost O(1). ``add`` and ``merge`` are as accurate as a fresh
    computation; ``remove`` and ``replace`` subtract a point's share of S, which loses digits when
    that point dominated S (an outlier): recompute with ``from_observations`` where that matters.
    """

    n: int = 0
    mean: float = 0.0
    sum_sq_dev: float = 0.0
    residual: float = 0.0

    @classmethod
    def from_observations(cls, observations) -> GaussianStatistics:
        """Return the statistics of ``observations`` (validated first)."""
        return cls._from_valid(as_observations(observations))

    @classmethod
    def _from_valid(cls, x: np.ndarray) -> GaussianStatistics:
        n = x.size
        if n == 0:
            return cls()
        if n <= _SMALL_SAMPLE:
            values = x.tolist()
            mean = math.fsum(values) / n
            deviations = [v - mean for v in values]
            return cls(n, mean, math.fsum([d * d for d in deviations]), math.fsum(deviations))
        mean = float(np.add.reduce(x)) / n
        # No second pass to correct the rounded mean: the residual r = Σ(xᵢ − x̄) carries that
        # correction exactly (μ̂ = x̄ + r/n, S − r²/n about it), for one pass fewer.
        deviations = x - mean
        return cls(n, mean, float(np.dot(deviations, deviations)), float(np.add.reduce(deviations)))

    def _shifted(self, n: int, total_deviation: float, sum_sq_dev: float) -> GaussianStatistics:
        """Statistics of ``n`` points whose Σ (y − x̄) and Σ (y − x̄)² about the *old* mean are given.

        Re-centres on the new mean m' = x̄ + Σ(y − x̄)/n, using Σ (y − m')² = Σ (y − x̄)² + 2(x̄ − m')Σ(y − x̄) + n(x̄ − m')².
        """
        if n == 0:
            return GaussianStatistics()
        mean = self.mean + total_deviation / n
        shift = self.mean - mean
        sum_sq_dev = sum_sq_dev + 2.0 * shift * total_deviation + n * shift * shift
        return GaussianStatistics(n, mean, max(sum_sq_dev, 0.0), total_deviation + n * shift)

    def add(self, x: float) -> GaussianStatistics:
        """Return the statistics with one more observation ``x``."""
        d = _check_value(x) - self.mean
        return self._shifted(self.n + 1, self.residual + d, self.sum_sq_dev + d * d)

    def remove(self, x: float) -> GaussianStatistics:
        """Return the statistics without one observation ``x`` (which must be among them)."""
        if self.n == 0:
            raise ValueError("cannot remove an observation: there are none")
        d = _check_value(x) - self.mean
        if self.n == 1:
            return GaussianStatistics()
        if self.n == 2:  # the one left is known exactly: n x̄ + r − x
            remaining = self.mean + (self.residual - d)
            return GaussianStatistics(1, remaining, 0.0, 0.0)
        return self._shifted(self.n - 1, self.residual - d, self.sum_sq_dev - d * d)

    def replace(self, old: float, new: float) -> GaussianStatistics:
        """Return the statistics after the observation ``old`` moved to ``new``."""
        if self.n == 0:
            raise ValueError("cannot move an observation: there are none")
        d_old = _check_value(old) - self.mean
        d_new = _check_value(new) - self.mean
        if self.n == 1:
            return GaussianStatistics(1, float(new), 0.0, 0.0)
        return self._shifted(self.n, self.residual - d_old + d_new, self.sum_sq_dev - d_old * d_old + d_new * d_new)

    def merge(self, other: GaussianStatistics) -> GaussianStatistics:
        """Return the statistics of both samples together (Chan et al.'s pairwise update)."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        # The other sample about this sample's mean: shift its sums by c = other.mean − self.mean.
        c = other.mean - self.mean
        total = other.residual + other.n * c
        sum_sq = other.sum_sq_dev + 2.0 * c * other.residual + other.n * c * c
        return self._shifted(self.n + other.n, self.residual + total, self.sum_sq_dev + sum_sq)

    def extend(self, observations) -> GaussianStatistics:
        """Return the statistics with all of ``observations`` added."""
        return self.merge(GaussianStatistics.from_observations(observations))

    def sum_sq_about(self, mu: float) -> float:
        """Return Σ (xᵢ − μ)² = S + 2 (x̄ − μ) r + n (x̄ − μ)²."""
        offset = self.mean - mu
        return self.sum_sq_dev + offset * (2.0 * self.residual + self.n * offset)


def log_densities(observations: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Return ln f(xᵢ | μ, σ) = −½ ln(2π) − ln σ − (xᵢ − μ)² / (2σ²) for each observation."""
    # |xᵢ − μ|/σ beyond ~1e154 overflows its square: the density is 0 there, and ln f = −inf is right.
    with np.errstate(over="ignore"):
        z = (observations - mu) / sigma
        return -0.5 * LOG_2PI - math.log(sigma) - 0.5 * z * z


def log_likelihood(stats: GaussianStatistics, mu, sigma):
    """Return ℓ(μ, σ) = −(n/2) ln(2π) − n ln σ − Σ(xᵢ − μ)² / (2σ²) from the statistics alone (O(1)).

    ``mu`` and ``sigma`` may be numpy arrays (a grid of parameter values): ℓ then broadcasts over
    them, still without a pass over the observations.
    """
    n = stats.n
    scalar = isinstance(mu, float | int) and isinstance(sigma, float | int)
    if n == 0:
        return 0.0 if scalar else np.zeros(np.broadcast_shapes(np.shape(mu), np.shape(sigma)))
    # Σ(xᵢ − μ)²/σ² = S/σ/σ + z(2r/σ + n z) with z = (x̄ − μ)/σ: dividing before squaring, neither σ² nor
    # (x̄ − μ)² underflows to 0 for σ or x̄ − μ below 1e-154 (the square of (x̄ − μ) = 4e-277 was 0).
    with np.errstate(over="ignore", invalid="ignore"):
        z = (stats.mean - mu) / sigma
        quadratic = stats.sum_sq_dev / sigma / sigma + z * (2.0 * stats.residual / sigma + n * z)
    # inf − inf (S/σ² and the residual's 2r/σ both overflowing, at σ = 5e-324) is nan; the sum of squares
    # it stands for is never negative, so it is +inf, and ℓ = −inf.
    if scalar:
        quadratic = math.inf if math.isnan(quadratic) else quadratic
    else:
        quadratic = np.where(np.isnan(quadratic), np.inf, quadratic)
    log_sigma = math.log(sigma) if scalar else np.log(sigma)
    return -0.5 * n * LOG_2PI - n * log_sigma - 0.5 * quadratic


def fit(stats: GaussianStatistics) -> FitResult:
    """Return μ̂ = x̄ and σ̂ = √(S / n), with ℓ(μ̂, σ̂) = −(n/2)(ln(2π) + 1) − n ln σ̂.

    With the rounded x̄ the exact forms are μ̂ = x̄ + r/n and S − r²/n in place of S. When every
    observation is equal (n = 1 included) σ̂ = 0: the likelihood grows without bound as
    σ → 0, so ``log_likelihood`` is ``inf`` and ``converged`` is False. "Equal" means no spread
    beyond the rounding of x̄ itself, S − r²/n ≤ (ulp(x̄)/4)²: equal observations leave at most
    ε·n·ulp² of rounding there, and two that differ in the last bit already give ulp²/2.
    """
    if stats.n == 0:
        raise ValueError("cannot fit the gaussian family to no observations: add at least one")
    n = stats.n
    mu_hat = stats.mean + stats.residual / n
    # S about the exact mean: S − r²/n.
    sum_sq_dev = max(stats.sum_sq_dev - stats.residual * stats.residual / n, 0.0)
    resolution = math.ulp(mu_hat)
    if sum_sq_dev <= (resolution / 4) ** 2:
        return FitResult(
            MappingProxyType({"mu": mu_hat, "sigma": 0.0}),
            math.inf,
            converged=False,
            message=(
                "all observations are equal, so σ̂ = 0: the likelihood grows without bound as σ → 0 "
                "and has no finite maximum"
            ),
        )
    sigma_hat = math.sqrt(sum_sq_dev / n)
    params = MappingProxyType({"mu": mu_hat, "sigma": sigma_hat})
    return FitResult(params, -0.5 * n * (LOG_2PI + 1.0) - n * math.log(sigma_hat))


# --- closed forms for inference (the ``Family`` hooks) ----------------------------------------------


def derivatives(stats: GaussianStatistics, mu: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Return ∇ℓ and ∂²ℓ of ℓ = −(n/2) ln 2π − n ln σ − Q(μ)/(2σ²), Q(μ) = Σ(xᵢ − μ)², from the statistics.

    With D = Σ(xᵢ − μ) = r + n(x̄ − μ):
    ∂ℓ/∂μ = D/σ²,  ∂ℓ/∂σ = −n/σ + Q/σ³,
    ∂²ℓ/∂μ² = −n/σ²,  ∂²ℓ/∂μ∂σ = −2D/σ³,  ∂²ℓ/∂σ² = n/σ² − 3Q/σ⁴.
    """
    n = stats.n
    q = stats.sum_sq_about(mu)
    d = stats.residual + n * (stats.mean - mu)
    # Divide by σ repeatedly rather than by a power of σ, which underflows first.
    inv = 1.0 / sigma
    gradient = np.array([d * inv * inv, -n * inv + q * inv * inv * inv])
    h_mu_mu = -n * inv * inv
    h_mu_sigma = -2.0 * d * inv * inv * inv
    h_sigma_sigma = n * inv * inv - 3.0 * q * inv * inv * inv * inv
    hessian = np.array([[h_mu_mu, h_mu_sigma], [h_mu_sigma, h_sigma_sigma]])
    return gradient, hessian


def expected_information(stats: GaussianStatistics, mu: float, sigma: float) -> np.ndarray:
    """Return the Fisher information n·i(μ, σ) = diag(n/σ², 2n/σ²) of n observations (it does not depend on μ)."""
    return np.diag([stats.n / sigma / sigma, 2.0 * stats.n / sigma / sigma])


def profile(stats: GaussianStatistics, name: str, value: float) -> tuple[float, tuple[float, float]]:
    """Return the profile log-likelihood ℓ_p(v) and the maximiser (μ̃, σ̃), in closed form.

    μ = v: σ̃² = Σ(xᵢ − v)²/n, so ℓ_p(v) = −(n/2)(ln 2π + 1) − (n/2) ln(Σ(xᵢ − v)²/n); inf (with
    σ̃ = 0) when every observation equals v. σ = v: μ̃ = x̄ whatever σ, so ℓ_p(v) = ℓ(x̄, v).
    """
    n = stats.n
    if name == "mu":
        q = stats.sum_sq_about(value)
        if not q > 0.0:
            return math.inf, (value, 0.0)
        return -0.5 * n * (LOG_2PI + 1.0) - 0.5 * n * math.log(q / n), (value, math.sqrt(q / n))
    if name == "sigma":
        mu_hat = stats.mean + stats.residual / n
        return log_likelihood(stats, mu_hat, value), (mu_hat, value)
    raise ValueError(f"the gaussian family has no parameter {name!r} (it has mu, sigma)")


def fit_many(samples: np.ndarray) -> np.ndarray:
    """Return (μ̂, σ̂) of every row of ``samples`` at once, as ``fit`` computes them (two-pass).

    With m the row mean and r = Σ(xᵢ − m) its rounding residual: μ̂ = m + r/n and σ̂ = √(S/n), where
    S = Σ(xᵢ − μ̂)² = Σ(xᵢ − m)² − r²/n.
    """
    size = samples.shape[1]
    first = samples.mean(axis=1)
    deviations = samples - first[:, None]
    residual = deviations.sum(axis=1)
    sum_sq = np.maximum(np.einsum("ij,ij->i", deviations, deviations) - residual * residual / size, 0.0)
    return np.column_stack([first + residual / size, np.sqrt(sum_sq / size)])


def support_mask(x: np.ndarray) -> np.ndarray:
    """Every finite observation is in the support (the real line)."""
    return np.ones(x.shape, dtype=bool)


def sample(rng: np.random.Generator, size: int, mu: float, sigma: float) -> np.ndarray:
    """Return ``size`` independent draws from N(μ, σ²)."""
    return rng.normal(mu, sigma, size)


FAMILY = Family(
    name="gaussian",
    label="Gaussian (normal)",
    parameters=PARAMETERS,
    statistics=GaussianStatistics._from_valid,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=as_observations,
    statistics_type=GaussianStatistics,
    discrete=False,
    support="any real number",
    support_mask=support_mask,
    sample=sample,
    derivatives=derivatives,
    expected_information=expected_information,
    profile=profile,
    fit_many=fit_many,
)
