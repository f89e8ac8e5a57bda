"""Inference and the likelihood landscape, for any registered family, from its sufficient statistics.

What is here (every function takes a family name or ``Family`` and either observations or the
family's sufficient statistics; none of them makes a pass over the observations):

- derivatives: ``score`` (∂ℓ/∂θ) and ``observed_information`` (−∂²ℓ/∂θ∂θᵀ);
- uncertainty: ``standard_errors``, ``wald_interval``, ``profile_interval``, ``profile_log_likelihood``;
- tests of θⱼ = θ₀: ``likelihood_ratio_test``, ``wald_test``, ``score_test``;
- the climb to the maximum: ``gradient_ascent_step``, ``newton_step``, ``climb``;
- the landscape: ``log_likelihood_surface``, ``log_likelihood_slice``, ``default_grid``;
- why logs: ``running_likelihood`` and ``underflow_point``;
- repeated sampling: ``sampling_distribution``, ``sigma_estimates``, ``unbiased_sigma``.

The Gaussian has closed forms for its derivatives, expected information and profile likelihoods;
every other family goes through generic numerics (Richardson-extrapolated central differences, a
bounded Brent maximiser, Brent's root finder), written here in pure Python and numpy: the app runs
as a static Pyodide page, which should not have to download scipy to show a confidence interval.

>>> data = [2.3, 1.9, 2.5, 2.8, 1.7]
>>> {name: round(value, 4) for name, value in standard_errors("gaussian", data).items()}
{'mu': 0.178, 'sigma': 0.1259}
>>> interval = profile_interval("gaussian", data, "sigma")
>>> round(interval.lower, 4), round(interval.upper, 4)
(0.238, 0.8672)
>>> result = climb("gaussian", data, {"mu": 0.0, "sigma": 1.0}, "newton")
>>> result.converged, len(result.steps), round(result.theta["sigma"], 6)
(True, 9, 0.397995)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from . import Family, FitResult, GaussianStatistics, Parameter, get_family, sufficient_statistics

__all__ = [
    "Climb",
    "ClimbStep",
    "HypothesisTestResult",
    "Interval",
    "SigmaEstimates",
    "chi2_1_quantile",
    "chi2_1_sf",
    "climb",
    "default_grid",
    "default_step_size",
    "expected_sigma_hat",
    "gradient_ascent_step",
    "likelihood_ratio_test",
    "log_likelihood_slice",
    "log_likelihood_surface",
    "newton_step",
    "observed_information",
    "profile_interval",
    "profile_log_likelihood",
    "running_likelihood",
    "sampling_distribution",
    "score",
    "score_test",
    "sigma_estimates",
    "standard_errors",
    "unbiased_sigma",
    "underflow_point",
    "wald_interval",
    "wald_test",
]

_EPS = sys.float_info.epsilon
_LOG_2PI = math.log(2.0 * math.pi)
_INVPHI = (math.sqrt(5.0) - 1.0) / 2.0  # 1/φ, the golden-section ratio


# --- χ²₁ distribution without scipy ------------------------------------------------------------------


def chi2_1_sf(x: float) -> float:
    """Return P(X ≥ x) for X ~ χ²₁: erfc(√(x/2)), since X = Z² with Z standard normal."""
    x = float(x)
    if math.isnan(x):
        return math.nan
    if x <= 0.0:
        return 1.0
    return math.erfc(math.sqrt(x / 2.0))


def chi2_1_quantile(level: float) -> float:
    """Return q with P(X ≤ q) = ``level`` for X ~ χ²₁: z², where erfc(z/√2) = 1 − level.

    ``chi2_1_quantile(0.95)`` = 3.841458820694124…; half of it, 1.920729…, is the drop in ℓ that
    bounds a 95 % profile-likelihood interval.
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    alpha = 1.0 - level
    # erfc(z/√2) falls from 1 at z = 0 to ~1e-314 at z = 38; for the levels a student picks the root
    # is well inside, and Brent's method finds it to the last bits.
    z = _find_root(lambda z: math.erfc(z / math.sqrt(2.0)) - alpha, 0.0, 38.0, xtol=1e-15)
    return z * z


def _z_for_level(level: float) -> float:
    return math.sqrt(chi2_1_quantile(level))


# --- pure-Python one-dimensional solvers ------------------------------------------------------------


def _find_root(
    f: Callable[[float], float],
    a: float,
    b: float,
    fa: float | None = None,
    fb: float | None = None,
    xtol: float = 0.0,
    maxiter: int = 200,
) -> float:
    """Brent's zeroin: a root of ``f`` in [a, b], where f(a) and f(b) have opposite signs.

    Inverse quadratic interpolation where it behaves, bisection where it does not: never slower
    than bisection, superlinear near a simple root. Stops when the bracket is below
    2ε|b| + ``xtol``/2 (Brent 1973, ch. 4; the netlib ``zeroin`` algorithm).
    """
    fa = f(a) if fa is None else fa
    fb = f(b) if fb is None else fb
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    if (fa > 0.0) == (fb > 0.0):
        raise ValueError("the root is not bracketed: f(a) and f(b) have the same sign")
    c, fc = a, fa
    d = e = b - a
    for _ in range(maxiter):
        if (fb > 0.0) == (fc > 0.0):
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 2.0 * _EPS * abs(b) + 0.5 * xtol
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0.0:
            return b
        if abs(e) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:  # secant
                p, q = 2.0 * m * s, 1.0 - s
            else:  # inverse quadratic interpolation
                q, r = fa / fc, fb / fc
                p = s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0))
                q = (q - 1.0) * (r - 1.0) * (s - 1.0)
            if p > 0.0:
                q = -q
            p = abs(p)
            if 2.0 * p < 3.0 * m * q - abs(tol * q) and p < abs(0.5 * e * q):
                e, d = d, p / q
            else:
                d = e = m
        else:
            d = e = m
        a, fa = b, fb
        b += d if abs(d) > tol else math.copysign(tol, m)
        fb = f(b)
    return b


def _maximize_on(f: Callable[[float], float], a: float, b: float, xtol: float) -> float:
    """Brent's fmin applied to −f: the maximiser of a unimodal ``f`` on [a, b], to within ``xtol``.

    Golden-section steps with parabolic interpolation through the three best points
    (Brent 1973, ch. 5; the netlib ``fmin`` algorithm). The netlib tolerance √ε·|x| assumes the
    function varies on the scale of |x|; a nuisance parameter μ ≈ 1e8 with σ = 1e-3 does not, so
    the caller gives an absolute ``xtol`` on the scale of the bracket instead (plus 2ε|x|).
    """
    c = 1.0 - _INVPHI  # (3 − √5)/2
    x = w = v = a + c * (b - a)
    fx = fw = fv = -f(x)
    d = e = 0.0
    for _ in range(500):
        xm = 0.5 * (a + b)
        tol1 = 2.0 * _EPS * abs(x) + xtol / 3.0
        tol2 = 2.0 * tol1
        if abs(x - xm) <= tol2 - 0.5 * (b - a):
            break
        golden = True
        if abs(e) > tol1:
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2.0 * (q - r)
            if q > 0.0:
                p = -p
            q = abs(q)
            r, e = e, d
            if abs(p) < abs(0.5 * q * r) and q * (a - x) < p < q * (b - x):
                d = p / q
                u = x + d
                if u - a < tol2 or b - u < tol2:
                    d = math.copysign(tol1, xm - x)
                golden = False
        if golden:
            e = (a - x) if x >= xm else (b - x)
            d = c * e
        u = x + (d if abs(d) >= tol1 else math.copysign(tol1, d))
        fu = -f(u)
        if fu <= fx:
            if u >= x:
                a = x
            else:
                b = x
            v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, fv, w, fw = w, fw, u, fu
            elif fu <= fv or v in (x, w):
                v, fv = u, fu
    return x


def _bracket_maximum(f: Callable[[float], float], x0: float, step: float, max_expansions: int = 200):
    """Return (a, b) with the maximiser of a unimodal ``f`` inside, searching outward from ``x0``.

    Steps grow by the golden ratio (as in Numerical Recipes' ``mnbrak``) until f turns down. If it
    never does (the supremum is approached at ±∞ of this coordinate) the last interval is returned.
    """
    f0 = f(x0)
    forward = f(x0 + step)
    if not forward > f0:
        backward = f(x0 - step)
        if not backward > f0:
            return x0 - step, x0 + step
        step = -step
        forward = backward
    a, b, fb = x0, x0 + step, forward
    for _ in range(max_expansions):
        step *= 1.0 + _INVPHI
        c = b + step
        fc = f(c)
        if not fc > fb:
            return (a, c) if a < c else (c, a)
        a, b, fb = b, c, fc
    return (a, b) if a < b else (b, a)


# --- families, statistics, parameter spaces ---------------------------------------------------------


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


def _log_likelihood(fam: Family, stats, x) -> float:
    """ℓ at one point as a float; nan where the family cannot evaluate it."""
    theta = {name: float(value) for name, value in zip(fam.parameter_names, x, strict=True)}
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


# Coordinates that map a parameter's open interval onto the whole real line, so that a 1-D search
# (the nuisance maximiser, the bracketing of a profile interval) can roam freely and never step out:
# identity for (−∞, ∞), log(x − lower) for (lower, ∞), log(upper − x) for (−∞, upper), logit otherwise.


def _to_free(parameter: Parameter, x: float) -> float:
    lo, hi = parameter.lower, parameter.upper
    if math.isinf(lo) and math.isinf(hi):
        return x
    if math.isinf(hi):
        return math.log(x - lo)
    if math.isinf(lo):
        return math.log(hi - x)
    return math.log(x - lo) - math.log(hi - x)


def _from_free(parameter: Parameter, u: float) -> float:
    lo, hi = parameter.lower, parameter.upper
    if math.isinf(lo) and math.isinf(hi):
        return u
    if math.isinf(hi):
        return lo + math.exp(min(u, 709.0))
    if math.isinf(lo):
        return hi - math.exp(min(u, 709.0))
    return lo + (hi - lo) / (1.0 + math.exp(min(-u, 709.0)))


def _free_per_unit(parameter: Parameter, x: float) -> float:
    """du/dx of the free coordinate: turns a standard error in x into a step in u."""
    lo, hi = parameter.lower, parameter.upper
    if math.isinf(lo) and math.isinf(hi):
        return 1.0
    if math.isinf(hi):
        return 1.0 / (x - lo)
    if math.isinf(lo):
        return 1.0 / (hi - x)
    return (hi - lo) / ((x - lo) * (hi - x))


# --- derivatives ----------------------------------------------------------------------------------


def _is_gaussian(fam: Family) -> bool:
    return (
        fam.name == "gaussian" and fam.statistics_type is GaussianStatistics and fam.parameter_names == ("mu", "sigma")
    )


def _gaussian_derivatives(stats: GaussianStatistics, mu: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """∇ℓ and ∂²ℓ of ℓ = −(n/2) ln 2π − n ln σ − Q(μ)/(2σ²), Q(μ) = Σ(xᵢ − μ)², from the statistics.

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


#: Central differences are taken at steps h₀·2⁻ᵐ for m = 0 … _LEVELS − 1, where h₀ is up to 2¹⁶ times
#: a tenth of the parameter's magnitude (capped at half the distance to a bound): wide enough to
#: find the scale on which ℓ varies even when |θ| says nothing about it (μ = 0, or μ = 1e8 with
#: σ = 1e-3). Each derivative is then extrapolated over consecutive levels (Richardson, in h²) and
#: the entry with the smallest error estimate is kept (Ridders' method).
_GROW_LEVELS = 16
_LEVELS = 60
_TABLEAU_COLUMNS = 6
#: A level is used only where ℓ's difference exceeds its rounding noise ε·|ℓ| by this factor (so
#: that the difference quotient carries at most ~1e-8 relative rounding error): otherwise the
#: smallest-error selection could trust two noisy quotients that agree by chance.
_SIGNAL_TO_NOISE = 1e8


def _richardson(values: np.ndarray) -> np.ndarray:
    """Extrapolate columns of D(h₀·2⁻ᵐ) (rows m) to h → 0; nan rows are levels not to be used.

    Tableau T[m, j] = (4ʲ T[m, j−1] − T[m−1, j−1]) / (4ʲ − 1) with error estimate
    max(|T[m, j] − T[m, j−1]|, |T[m, j] − T[m−1, j−1]|); the estimate with the smallest error wins.
    """
    levels, quantities = values.shape
    columns = np.arange(quantities)
    best = np.full(quantities, np.nan)
    best_error = np.full(quantities, np.inf)
    # A lone usable level (no neighbour to extrapolate with) is better than nothing.
    for q in columns:
        finite = np.flatnonzero(np.isfinite(values[:, q]))
        if finite.size:
            best[q] = values[finite[0], q]
    previous = values
    factor = 1.0
    for j in range(1, min(_TABLEAU_COLUMNS, levels)):
        factor *= 4.0
        current = np.full_like(values, np.nan)
        current[j:] = (factor * previous[j:] - previous[j - 1 : -1]) / (factor - 1.0)
        error = np.full_like(values, np.inf)
        error[j:] = np.maximum(np.abs(current[j:] - previous[j:]), np.abs(current[j:] - previous[j - 1 : -1]))
        error[~np.isfinite(error)] = np.inf
        rows = np.argmin(error, axis=0)
        candidate_error = error[rows, columns]
        better = candidate_error < best_error
        best[better] = current[rows, columns][better]
        best_error[better] = candidate_error[better]
        previous = current
    return best


def _evaluate(fam: Family, stats, points: np.ndarray) -> np.ndarray:
    """ℓ at each row of ``points`` (one column per parameter), in one broadcast call."""
    values = fam.log_likelihood(stats, **{name: points[:, j] for j, name in enumerate(fam.parameter_names)})
    return np.broadcast_to(np.asarray(values, dtype=float), (points.shape[0],))


def _power_of_two_below(value: np.ndarray) -> np.ndarray:
    """The largest power of two ≤ value (elementwise; 0 where value is not positive and finite)."""
    value = np.asarray(value, dtype=float)
    ok = np.isfinite(value) & (value > 0)
    return np.where(ok, np.exp2(np.floor(np.log2(np.where(ok, value, 1.0)))), 0.0)


def _taken(centre: float, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points θ + h, θ − h as rounded, the steps actually taken, and where to trust them.

    Where θ ± h carries into a neighbouring binade the two steps can differ by an ulp of θ; the
    difference quotients below use the steps actually taken, and a level counts only where they
    agree to 1e-6 (Richardson assumes steps halving from level to level).
    """
    plus, minus = centre + steps, centre - steps
    up, down = plus - centre, centre - minus
    ok = (up > 0) & (down > 0) & (np.abs(up - down) <= 1e-6 * steps)
    return up, down, ok


def _numeric_derivatives(fam: Family, stats, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∇ℓ and ∂²ℓ by Richardson-extrapolated central differences (Ridders' method), vectorised.

    With steps a = h₊ up and b = h₋ down (equal up to rounding; powers of two):
    ∂ℓ/∂θⱼ ≈ [b²ℓ(θ + a eⱼ) − a²ℓ(θ − b eⱼ) − (b² − a²)ℓ(θ)] / [ab(a + b)],
    ∂²ℓ/∂θⱼ² ≈ 2[bℓ(θ + a eⱼ) + aℓ(θ − b eⱼ) − (a + b)ℓ(θ)] / [ab(a + b)],
    ∂²ℓ/∂θᵢ∂θⱼ ≈ [ℓ(++) − ℓ(+−) − ℓ(−+) + ℓ(−−)] / [(aᵢ + bᵢ)(aⱼ + bⱼ)]: exact for quadratics, with
    errors even in h (for a = b), so Richardson applies. Every point lies strictly inside the
    parameter space (steps ≤ half the distance to a bound). nan where no step gave a usable
    difference (e.g. θ on a closed bound).
    """
    k = x.size
    params = fam.parameters
    room = np.array([min(x[j] - p.lower, p.upper - x[j]) for j, p in enumerate(params)])
    if not np.all(room > 0):
        return np.full(k, np.nan), np.full((k, k), np.nan)
    # The largest step, 0.1·max(|θ|, 1)·2^G capped at half the room, computed without overflowing for |θ| ≳ 1e303.
    scale, cap = 0.1 * np.maximum(np.abs(x), 1.0), 0.5 * room
    with np.errstate(over="ignore"):
        top = _power_of_two_below(np.where(scale <= cap * 2.0**-_GROW_LEVELS, scale * 2.0**_GROW_LEVELS, cap))
    steps = top[None, :] * 2.0 ** -np.arange(_LEVELS)[:, None]  # (levels, k)
    blocks = [x[None, :]]
    for j in range(k):
        for sign in (1.0, -1.0):
            block = np.repeat(x[None, :], _LEVELS, axis=0)
            block[:, j] += sign * steps[:, j]
            blocks.append(block)
    with np.errstate(all="ignore"):
        values = _evaluate(fam, stats, np.concatenate(blocks))
        f0 = values[0]
        first, second = [], []
        for j in range(k):
            plus = values[1 + 2 * j * _LEVELS : 1 + (2 * j + 1) * _LEVELS]
            minus = values[1 + (2 * j + 1) * _LEVELS : 1 + (2 * j + 2) * _LEVELS]
            a, b, agree = _taken(x[j], steps[:, j])
            # The formulas above divided through by b² (t = a/b ≈ 1): ab(a + b) itself under- or
            # overflows once |θ| passes ~1e±100 (a standard error of nan for data in units of 1e150).
            t = a / b
            d1 = (plus - t * t * minus - (1.0 - t * t) * f0) / (a * (1.0 + t))
            d2 = 2.0 * (plus + t * minus - (1.0 + t) * f0) / a / (a + b)
            h = steps[:, j]
            noise = _SIGNAL_TO_NOISE * _EPS * np.maximum(np.maximum(abs(f0), np.abs(plus)), np.abs(minus))
            usable = np.isfinite(d1) & np.isfinite(d2) & agree
            curved = usable & (np.abs(d2) * h * h > noise)
            # The rounding error of the first difference quotient, ~ε|ℓ|/h, must be small next to
            # the slope, or (near the maximum, where the slope is ~0) next to √|∂²ℓ| — the slope at
            # which ℓ changes by one unit over a standard error.
            sloped = usable & (noise / (2.0 * h) < np.maximum(np.abs(d1), np.sqrt(np.abs(d2))))
            first.append(np.where(sloped, d1, np.nan))
            second.append(np.where(curved, d2, np.nan))
        estimates = _richardson(np.column_stack(first + second))
    # A curvature below the smallest normal float (n/λ² for data in units of 1e-155) has lost its digits
    # to underflow; inverted, it made a standard error of inf. It is unknown, like one no step resolved.
    curvature = estimates[k:]
    estimates[k:] = np.where(np.abs(curvature) < np.finfo(np.float64).tiny, np.nan, curvature)
    gradient = estimates[:k].copy()
    hessian = np.diag(estimates[k:])
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    if not pairs:
        return gradient, hessian
    # Mixed differences on each parameter's own scale: steps c·uᵢ and c·uⱼ with u ≈ 1/√|∂²ℓ/∂θ²|
    # (where ℓ changes by ~c²/2 along each axis; a power of two), c = 4 … 2⁻⁴⁰, capped so both stay
    # within half the distance to their bounds. A level is usable where c² (the size of the cross
    # difference for a correlation of 1) exceeds the rounding noise of the four values.
    with np.errstate(all="ignore"):
        unit = _power_of_two_below(1.0 / np.sqrt(np.abs(np.diag(hessian))))
    size = _LEVELS - _GROW_LEVELS
    blocks, mixed_steps = [], []
    for i, j in pairs:
        with np.errstate(all="ignore"):
            cap = min(4.0, 0.5 * room[i] / unit[i], 0.5 * room[j] / unit[j])
        cap = float(_power_of_two_below(cap)) if math.isfinite(cap) else 0.0
        factors = cap * 2.0 ** -np.arange(size)
        hi, hj = factors * unit[i], factors * unit[j]
        mixed_steps.append((hi, hj))
        for si, sj in ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)):
            block = np.repeat(x[None, :], size, axis=0)
            block[:, i] += si * hi
            block[:, j] += sj * hj
            blocks.append(block)
    with np.errstate(all="ignore"):
        values = _evaluate(fam, stats, np.concatenate(blocks))
        columns = []
        for number, (i, j) in enumerate(pairs):
            base = 4 * number * size
            corners = np.array([values[base + s * size : base + (s + 1) * size] for s in range(4)])
            hi, hj = mixed_steps[number]
            ai, bi, agree_i = _taken(x[i], hi)
            aj, bj, agree_j = _taken(x[j], hj)
            cross = corners[0] - corners[1] - corners[2] + corners[3]
            noise = _SIGNAL_TO_NOISE * _EPS * np.max(np.abs(corners), axis=0)
            ok = np.isfinite(cross) & agree_i & agree_j & (hi * hj / (unit[i] * unit[j]) > noise)
            columns.append(np.where(ok, cross / ((ai + bi) * (aj + bj)), np.nan))
        mixed = _richardson(np.column_stack(columns))
    for number, (i, j) in enumerate(pairs):
        hessian[i, j] = hessian[j, i] = mixed[number]
    return gradient, hessian


def _derivatives(fam: Family, stats, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if _is_gaussian(fam) and x[1] > 0 and stats.n > 0:
        return _gaussian_derivatives(stats, float(x[0]), float(x[1]))
    return _numeric_derivatives(fam, stats, x)


def score(family, data, **theta_and_constants) -> dict[str, float]:
    """Return the score ∇ℓ(θ): parameter name → ∂ℓ/∂θⱼ at θ.

    Closed form for the Gaussian (∂ℓ/∂μ = Σ(xᵢ − μ)/σ², ∂ℓ/∂σ = −n/σ + Σ(xᵢ − μ)²/σ³), from the
    statistics; otherwise Richardson-extrapolated central differences of ℓ (about 1e-9 relative).
    nan on a closed bound of the parameter space, where no two-sided difference exists. Known
    constants (the binomial's ``n_trials``) go with the parameters when ``data`` are observations.
    """
    fam = get_family(family)
    theta, constants = _split(fam, theta_and_constants)
    fam, stats = _resolve(fam, data, constants)
    gradient, _ = _derivatives(fam, stats, _vector(fam, theta))
    return dict(zip(fam.parameter_names, gradient.tolist(), strict=True))


def observed_information(family, data, **theta_and_constants) -> np.ndarray:
    """Return the observed information J(θ) = −∂²ℓ/∂θ∂θᵀ as a k × k array (rows in ``family.parameters`` order).

    For the Gaussian, at the MLE it is diag(n/σ̂², 2n/σ̂²); elsewhere it can fail to be positive
    definite (far from the maximum ℓ need not be concave). Generic families: numeric, as ``score``.
    """
    fam = get_family(family)
    theta, constants = _split(fam, theta_and_constants)
    fam, stats = _resolve(fam, data, constants)
    _, hessian = _derivatives(fam, stats, _vector(fam, theta))
    return -hessian


def _gaussian_expected_information(stats: GaussianStatistics, sigma: float) -> np.ndarray:
    """Fisher information n·i(μ, σ) = diag(n/σ², 2n/σ²) of n Gaussian observations."""
    return np.diag([stats.n / sigma / sigma, 2.0 * stats.n / sigma / sigma])


def _inverse(matrix: np.ndarray) -> np.ndarray | None:
    """The inverse of a symmetric positive definite matrix, or None if it is not one."""
    if not np.all(np.isfinite(matrix)):
        return None
    try:
        lower = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return None
    inverse_lower = np.linalg.inv(lower)
    return inverse_lower.T @ inverse_lower


def _standard_errors(fam: Family, stats, x: np.ndarray) -> np.ndarray:
    if not all(bool(_inside(p, v)) for p, v in zip(fam.parameters, x, strict=True)):
        return np.full(x.size, np.nan)  # an MLE on a bound: no two-sided curvature there
    _, hessian = _derivatives(fam, stats, x)
    covariance = _inverse(-hessian)
    if covariance is None:
        return np.full(x.size, np.nan)
    return np.sqrt(np.diag(covariance))


def standard_errors(family, data, **constants) -> dict[str, float]:
    """Return SE(θ̂ⱼ) = √[J(θ̂)⁻¹]ⱼⱼ, the square roots of the diagonal of the inverse observed information at the MLE.

    Gaussian: SE(μ̂) = σ̂/√n, SE(σ̂) = σ̂/√(2n). nan when the MLE lies on a bound or J(θ̂) is not
    positive definite. Raises ``ValueError`` when there is no finite MLE (e.g. σ̂ = 0).
    """
    fam, stats = _resolve(family, data, constants)
    x = _mle_vector(fam, _mle(fam, stats))
    return dict(zip(fam.parameter_names, _standard_errors(fam, stats, x).tolist(), strict=True))


# --- profile likelihood ------------------------------------------------------------------------------


class _Profile:
    """ℓ_p(v) = max over the other parameters of ℓ(θⱼ = v, …), with the maximiser.

    Gaussian: σ̂(μ)² = Σ(xᵢ − μ)²/n gives ℓ_p(μ) = −(n/2)(ln 2π + 1) − (n/2) ln(Σ(xᵢ − μ)²/n), and
    μ̂(σ) = x̄ gives ℓ_p(σ) = ℓ(x̄, σ). One parameter: ℓ itself. Two: Brent's maximiser over the other
    parameter, in its free coordinate (log or logit of the distance to its bounds).
    """

    def __init__(self, fam: Family, stats, j: int, fit: FitResult):
        self.fam, self.stats, self.j = fam, stats, j
        self.mle = _mle_vector(fam, fit)
        k = self.mle.size
        if _is_gaussian(fam):
            self.kind = "gaussian"
        elif k == 1:
            self.kind = "direct"
        elif k == 2:
            self.kind = "maximise"
            other = 1 - j
            parameter = fam.parameters[other]
            se = _standard_errors(fam, stats, self.mle)[other]
            start = self.mle[other]
            per_unit = _free_per_unit(parameter, start) if _inside(parameter, start) else math.nan
            self.step = se * per_unit if math.isfinite(se * per_unit) and se * per_unit > 0 else 0.5
            if not bool(_inside(parameter, start)):
                start = parameter.default
            self.start = _to_free(parameter, start)
        else:
            raise NotImplementedError(
                f"profile likelihoods are implemented for families of up to two parameters; {fam.name} has {k}"
            )

    def __call__(self, v: float) -> tuple[float, np.ndarray]:
        fam, stats, j = self.fam, self.stats, self.j
        if not bool(_admissible(fam.parameters[j], v)):
            return math.nan, np.full(self.mle.size, np.nan)
        if self.kind == "gaussian":
            n = stats.n
            if j == 0:
                q = stats.sum_sq_about(v)
                if not q > 0.0:
                    return math.inf, np.array([v, 0.0])
                theta = np.array([v, math.sqrt(q / n)])
                return -0.5 * n * (_LOG_2PI + 1.0) - 0.5 * n * math.log(q / n), theta
            theta = np.array([stats.mean + stats.residual / n, v])
            return _log_likelihood(fam, stats, theta), theta
        if self.kind == "direct":
            theta = np.array([v])
            return _log_likelihood(fam, stats, theta), theta
        other = 1 - j
        parameter = fam.parameters[other]
        theta = self.mle.copy()
        theta[j] = v

        def objective(u: float) -> float:
            theta[other] = _from_free(parameter, u)
            if not bool(_inside(parameter, theta[other])):
                return -math.inf
            value = _log_likelihood(fam, stats, theta)
            return value if not math.isnan(value) else -math.inf

        low, high = _bracket_maximum(objective, self.start, self.step)
        # A billionth of the nuisance's standard error: ℓ is then within ~1e-18·ℓ'' of its maximum.
        u = _maximize_on(objective, low, high, xtol=1e-9 * abs(self.step))
        best = objective(u)
        return best, theta.copy()


def profile_log_likelihood(family, data, name: str, values, **constants) -> np.ndarray:
    """Return ℓ_p(v) = max over the other parameters of ℓ(θ_name = v, …) for each v in ``values``.

    Same shape as ``values``; nan outside the parameter space. For a one-parameter family ℓ_p = ℓ.
    """
    fam, stats = _resolve(family, data, constants)
    profile = _Profile(fam, stats, _index(fam, name), _mle(fam, stats))
    points = np.asarray(values, dtype=float)
    return np.array([profile(float(v))[0] for v in points.ravel()], dtype=float).reshape(points.shape)


# --- intervals ------------------------------------------------------------------------------------


class Interval(NamedTuple):
    """A confidence interval for one parameter.

    ``method`` is "wald" (θ̂ ± z·SE) or "profile" ({v : ℓ̂ − ℓ_p(v) ≤ χ²₁(level)/2}).
    ``critical_value`` is z for Wald and the drop χ²₁(level)/2 for profile. ``lower_at_bound`` /
    ``upper_at_bound``: a profile end is the parameter's bound (the likelihood never drops far
    enough before it, e.g. p̂ = 0 with all tails). ``leaves_parameter_space``: the Wald interval
    reaches past a bound (σ's can go below 0). ``message`` explains nan ends.
    """

    name: str
    method: str
    level: float
    estimate: float
    lower: float
    upper: float
    critical_value: float
    standard_error: float = math.nan
    lower_at_bound: bool = False
    upper_at_bound: bool = False
    leaves_parameter_space: bool = False
    message: str = ""


def wald_interval(family, data, name: str, level: float = 0.95, **constants) -> Interval:
    """Return θ̂ⱼ ± z·SE(θ̂ⱼ), z = Φ⁻¹((1 + level)/2) (1.959964 for 95 %), not clipped to the parameter space.

    Being symmetric it can leave the parameter space: for σ the lower end is σ̂(1 − z/√(2n)),
    below 0 when z > √(2n) (at 99 %, for n ≤ 3); ``leaves_parameter_space`` says so.
    """
    fam, stats = _resolve(family, data, constants)
    j = _index(fam, name)
    x = _mle_vector(fam, _mle(fam, stats))
    z = _z_for_level(level)
    se = float(_standard_errors(fam, stats, x)[j])
    estimate = float(x[j])
    if not math.isfinite(se):
        message = "no standard error: the MLE lies on a bound or the observed information is not positive definite"
        return Interval(name, "wald", level, estimate, math.nan, math.nan, z, se, message=message)
    lower, upper = estimate - z * se, estimate + z * se
    parameter = fam.parameters[j]
    leaves = not (bool(_admissible(parameter, lower)) and bool(_admissible(parameter, upper)))
    message = f"the interval reaches outside ({parameter.lower:g}, {parameter.upper:g})" if leaves else ""
    return Interval(name, "wald", level, estimate, lower, upper, z, se, leaves_parameter_space=leaves, message=message)


_SIDE = {-1.0: "lower", 1.0: "upper"}


def profile_interval(family, data, name: str, level: float = 0.95, **constants) -> Interval:
    """Return {v : ℓ̂ − ℓ_p(v) ≤ χ²₁(level)/2}, the profile-likelihood interval (1.920729… for 95 %).

    Each end is bracketed by stepping out from θ̂ⱼ in the parameter's free coordinate (steps of one
    standard error, doubling), so the search never leaves the parameter space, then found by Brent's
    method to ~1e-12 relative. If ℓ_p never drops that far before a bound, the bound is the end and
    ``lower_at_bound``/``upper_at_bound`` say so. Being likelihood-based it respects the space:
    its σ interval is always inside (0, ∞) and asymmetric.
    """
    fam, stats = _resolve(family, data, constants)
    j = _index(fam, name)
    fit = _mle(fam, stats)
    profile = _Profile(fam, stats, j, fit)
    parameter = fam.parameters[j]
    estimate = float(profile.mle[j])
    drop = chi2_1_quantile(level) / 2.0
    # ℓ̂ by the same arithmetic as ℓ_p, so that the drop is 0 at θ̂ⱼ itself.
    top = profile(estimate)[0]

    def excess(v: float) -> float:
        value = top - profile(v)[0] - drop
        return math.inf if math.isnan(value) else value

    se = float(_standard_errors(fam, stats, profile.mle)[j])
    ends, at_bound, notes = [], [], []
    for side in (-1.0, 1.0):
        bound = parameter.lower if side < 0 else parameter.upper
        if estimate == bound:
            ends.append(bound)
            at_bound.append(True)
            notes.append(f"{parameter.symbol}̂ = {bound:g} lies on the bound, which is then the {_SIDE[side]} end")
            continue
        # From an MLE on the other bound (p̂ = 0 with all tails) start one float inside it.
        start = estimate if bool(_inside(parameter, estimate)) else math.nextafter(estimate, bound)
        u_hat = _to_free(parameter, start)
        step = se * _free_per_unit(parameter, estimate) if math.isfinite(se) else math.nan
        if not (math.isfinite(step) and step > 0):
            step = 1.0 if not (math.isinf(parameter.lower) and math.isinf(parameter.upper)) else max(abs(estimate), 1)

        # March outward in the free coordinate with doubling steps; a step that lands outside the
        # space (rounded onto the bound) is bisected back, so a profile that keeps rising toward a
        # bound is followed right up to it (p̂ = 0: the upper end can be anywhere in (0, 1)).
        def excess_at(u: float) -> float:
            return excess(_from_free(parameter, u))

        inner, inner_excess, u_inner = estimate, -drop, u_hat
        outer_excess = u_outer = u_outside = None
        for _ in range(4000):
            if u_outside is None:
                step *= 2.0
                u = u_inner + side * step / 2.0
            else:
                u = 0.5 * (u_inner + u_outside)
                if u in (u_inner, u_outside):
                    break
            candidate = _from_free(parameter, u)
            if math.isinf(candidate) or not bool(_inside(parameter, candidate)):
                u_outside = u
                continue
            if candidate == inner:
                if u_outside is not None:
                    break
                continue
            value = excess(candidate)
            if value >= 0.0:
                u_outer, outer_excess = u, value
                break
            inner, inner_excess, u_inner = candidate, value, u
        if u_outer is None:
            ends.append(bound)
            at_bound.append(True)
            notes.append(f"ℓ_p does not drop by {drop:.6g} before {bound:g}, which is then the {_SIDE[side]} end")
            continue
        # ℓ_p = −∞ (excess = ∞) at the outer point: bisect until it is finite, for the root finder.
        for _ in range(200):
            if math.isfinite(outer_excess):
                break
            middle = 0.5 * (u_inner + u_outer)
            value = excess_at(middle)
            if value >= 0.0:
                u_outer, outer_excess = middle, value
            else:
                u_inner, inner_excess = middle, value
        # The root in the free coordinate: there a tolerance of 1e-13 is 1e-13 relative to the distance
        # from the bound (log, logit). In the identity coordinate (μ) it is 1e-13 of the distance from
        # θ̂ⱼ, not of |v|: for μ ≈ 1e8 with σ = 1e-3 the interval is only 1e-12 of |v| wide.
        identity = math.isinf(parameter.lower) and math.isinf(parameter.upper)
        xtol = 1e-13 * abs(u_outer - u_hat) if identity else 1e-13
        root = _find_root(excess_at, u_inner, u_outer, inner_excess, outer_excess, xtol=xtol)
        ends.append(_from_free(parameter, root))
        at_bound.append(False)
    return Interval(
        name, "profile", level, estimate, ends[0], ends[1], drop, se, at_bound[0], at_bound[1], False, "; ".join(notes)
    )


# --- tests of θⱼ = θ₀ ---------------------------------------------------------------------------------


class HypothesisTestResult(NamedTuple):
    """A test of the null hypothesis θ_name = ``null_value``, the other parameters unrestricted.

    ``statistic`` ~ χ²_df under the null (asymptotically); ``p_value`` = P(χ²_df ≥ statistic).
    ``estimate`` is the unrestricted MLE θ̂, ``restricted`` the restricted MLE θ̃ (θ_name fixed at
    the null value, the others maximised; None for the Wald test, which needs only θ̂).
    ``information`` is "observed" or "expected" (score and Wald tests), "" otherwise.
    """

    test: str
    name: str
    null_value: float
    statistic: float
    df: int
    p_value: float
    estimate: Mapping[str, float]
    restricted: Mapping[str, float] | None
    information: str = ""
    message: str = ""


def _null(fam: Family, name: str, null_value) -> tuple[int, float]:
    j = _index(fam, name)
    value = float(null_value)
    if not bool(_admissible(fam.parameters[j], value)):
        raise ValueError(f"the null value of {name} must lie in the parameter space {fam.parameters[j].interval}")
    return j, value


def likelihood_ratio_test(family, data, name: str, null_value: float, **constants) -> HypothesisTestResult:
    """Return the likelihood-ratio test: LR = 2[ℓ(θ̂) − ℓ_p(θ₀)] on 1 degree of freedom, p = erfc(√(LR/2))."""
    fam, stats = _resolve(family, data, constants)
    j, value = _null(fam, name, null_value)
    fit = _mle(fam, stats)
    profile = _Profile(fam, stats, j, fit)
    top = profile(float(profile.mle[j]))[0]
    restricted_value, restricted = profile(value)
    # Rounding can leave ℓ_p(θ₀) a hair above ℓ̂ when θ₀ ≈ θ̂; the statistic is ≥ 0 by definition.
    statistic = max(2.0 * (top - restricted_value), 0.0)
    return HypothesisTestResult(
        "likelihood ratio",
        name,
        value,
        statistic,
        1,
        chi2_1_sf(statistic),
        _mapping(fam, profile.mle),
        _mapping(fam, restricted),
    )


def wald_test(family, data, name: str, null_value: float, **constants) -> HypothesisTestResult:
    """Return the Wald test: W = (θ̂ⱼ − θ₀)² / SE(θ̂ⱼ)², SE from the observed information at θ̂; p = erfc(√(W/2))."""
    fam, stats = _resolve(family, data, constants)
    j, value = _null(fam, name, null_value)
    x = _mle_vector(fam, _mle(fam, stats))
    se = float(_standard_errors(fam, stats, x)[j])
    message = "" if math.isfinite(se) else "no standard error at the MLE (on a bound, or information not positive)"
    # Standardised first, in Python floats: (θ̂ − θ₀)² overflowed (with a warning) for θ₀ = 1e308.
    z = float(x[j] - value) / se if math.isfinite(se) else math.nan
    statistic = z * z
    return HypothesisTestResult(
        "wald", name, value, float(statistic), 1, chi2_1_sf(statistic), _mapping(fam, x), None, "observed", message
    )


def score_test(
    family, data, name: str, null_value: float, information: str | None = None, **constants
) -> HypothesisTestResult:
    """Return Rao's score test at the restricted MLE θ̃: S = Uⱼ*² / Iⱼⱼ*, p = erfc(√(S/2)).

    U = ∇ℓ(θ̃) and I the information at θ̃; with N the other parameters, the efficient score is
    Uⱼ* = Uⱼ − I_jN I_NN⁻¹ U_N (U_N ≈ 0 at θ̃) and the efficient information Iⱼⱼ* = Iⱼⱼ − I_jN I_NN⁻¹ I_Nj.
    ``information``: "expected" (Fisher; known in closed form for the Gaussian, where S for μ₀ is
    n(x̄ − μ₀)²/σ̃²) or "observed" (−∂²ℓ, for any family; it need not be positive far from θ̂, and
    S is then nan). Default: expected where known, else observed.
    """
    fam, stats = _resolve(family, data, constants)
    j, value = _null(fam, name, null_value)
    fit = _mle(fam, stats)
    profile = _Profile(fam, stats, j, fit)
    _, restricted = profile(value)
    if information is None:
        information = "expected" if _is_gaussian(fam) else "observed"
    if information not in ("expected", "observed"):
        raise ValueError(f"information must be 'expected' or 'observed', got {information!r}")
    gradient, hessian = _derivatives(fam, stats, restricted)
    if information == "expected":
        if not _is_gaussian(fam):
            raise ValueError(f"the expected information of the {fam.name} family is not known here: use 'observed'")
        matrix = _gaussian_expected_information(stats, float(restricted[1]))
    else:
        matrix = -hessian
    others = [i for i in range(restricted.size) if i != j]
    u_j, i_jj = gradient[j], matrix[j, j]
    if others:
        i_nn = matrix[np.ix_(others, others)]
        i_jn = matrix[j, others]
        try:
            solved = np.linalg.solve(i_nn, np.column_stack([gradient[others], i_jn]))
        except np.linalg.LinAlgError:
            solved = np.full((len(others), 2), np.nan)
        u_j = u_j - i_jn @ solved[:, 0]
        i_jj = i_jj - i_jn @ solved[:, 1]
    message = ""
    if not (math.isfinite(i_jj) and i_jj > 0 and math.isfinite(u_j)):
        statistic = math.nan
        message = f"the efficient {information} information at the restricted MLE is not positive ({i_jj:.3g})"
    else:
        z = float(u_j) / math.sqrt(float(i_jj))  # standardised first: Uⱼ² overflowed for data at ±1e150
        statistic = z * z
    return HypothesisTestResult(
        "score",
        name,
        value,
        statistic,
        1,
        chi2_1_sf(statistic),
        _mapping(fam, profile.mle),
        _mapping(fam, restricted),
        information,
        message,
    )


# --- the climb ------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.6g}"


@dataclass(frozen=True)
class ClimbStep:
    """One step of gradient ascent or Newton's method, with every number its update formula uses.

    Gradient ascent:  θ_new = θ + t·η·∇ℓ(θ)         ``direction`` = η·∇ℓ(θ)
    Newton:           θ_new = θ + t·I⁻¹∇ℓ(θ)        ``direction`` = I⁻¹∇ℓ(θ), I = −∂²ℓ(θ)

    ``theta``/``theta_new`` and ``log_likelihood``/``log_likelihood_new``: before and after.
    ``gradient``: ∇ℓ(θ). ``hessian``: ∂²ℓ(θ) (Newton; for gradient ascent the matrix η was chosen
    from, None for a fixed η). ``information``: the matrix Newton inverted, −∂²ℓ(θ) or, when that is
    not positive definite (no ascent direction: the local quadratic has a saddle or a minimum), the
    Levenberg-damped I + λ·diag|I| with ``levenberg`` = λ > 0 (twice the most negative eigenvalue of
    the unit-diagonal scaled I); None for gradient ascent. ``step_size``: η (1 for Newton).
    ``scale`` t starts at 1 and is halved ``halvings_outside`` times until θ_new is inside the
    parameter space, then ``halvings_downhill`` times until ℓ does not decrease; ``note`` says why
    a step was damped or changed. Matrices are tuples of rows, in ``family.parameters`` order;
    ``names``/``symbols`` give that order.
    """

    method: str
    names: tuple[str, ...]
    symbols: tuple[str, ...]
    theta: Mapping[str, float]
    theta_new: Mapping[str, float]
    log_likelihood: float
    log_likelihood_new: float
    gradient: Mapping[str, float]
    hessian: tuple[tuple[float, ...], ...] | None
    information: tuple[tuple[float, ...], ...] | None
    direction: Mapping[str, float]
    step_size: float
    scale: float
    halvings_outside: int
    halvings_downhill: int
    levenberg: float
    note: str

    @property
    def damped(self) -> bool:
        """True when the step was shortened (t < 1) to stay inside the space or to go uphill."""
        return self.halvings_outside > 0 or self.halvings_downhill > 0

    @property
    def delta(self) -> Mapping[str, float]:
        """θ_new − θ for each parameter."""
        return MappingProxyType({n: self.theta_new[n] - self.theta[n] for n in self.names})

    def formula(self) -> str:
        """The update written out with the numbers of this step, one line per parameter."""
        lines = []
        if self.method == "gradient":
            lines.append(f"θ_new = θ + t·η·∇ℓ(θ),  η = {_fmt(self.step_size)},  t = {_fmt(self.scale)}")
            for name, symbol in zip(self.names, self.symbols, strict=True):
                lines.append(
                    f"{symbol}_new = {_fmt(self.theta[name])} + {_fmt(self.scale)} × {_fmt(self.step_size)} × "
                    f"{_fmt(self.gradient[name])} = {_fmt(self.theta_new[name])}"
                )
        else:
            matrix = "; ".join(", ".join(_fmt(v) for v in row) for row in self.information or ())
            gradient = ", ".join(_fmt(self.gradient[n]) for n in self.names)
            if self.levenberg:
                head = f"θ_new = θ + t·(I + λ·diag|I|)⁻¹∇ℓ(θ),  λ = {_fmt(self.levenberg)},  I + λ·diag|I| = [{matrix}]"
            else:
                head = f"θ_new = θ + t·I⁻¹∇ℓ(θ),  I = −∂²ℓ = [{matrix}]"
            lines.append(f"{head},  ∇ℓ = [{gradient}],  t = {_fmt(self.scale)}")
            for name, symbol in zip(self.names, self.symbols, strict=True):
                lines.append(
                    f"{symbol}_new = {_fmt(self.theta[name])} + {_fmt(self.scale)} × {_fmt(self.direction[name])}"
                    f" = {_fmt(self.theta_new[name])}"
                )
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


def _rows(matrix: np.ndarray | None) -> tuple[tuple[float, ...], ...] | None:
    return None if matrix is None else tuple(tuple(float(v) for v in row) for row in matrix)


def _newton_direction(gradient: np.ndarray, hessian: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, str]:
    """Solve I·d = ∇ℓ with I = −∂²ℓ, Levenberg-damped when I is not positive definite."""
    information = -hessian
    if not (np.all(np.isfinite(information)) and np.all(np.isfinite(gradient))):
        return np.full(gradient.size, np.nan), information, 0.0, "the derivatives are not finite here"
    inverse = _inverse(information)
    if inverse is not None:
        return inverse @ gradient, information, 0.0, ""
    # Not positive definite: the Newton point is a saddle or a minimum of the local quadratic, and
    # stepping to it can go downhill. Scale to unit diagonal so that λ is unit-free, then add just
    # enough to the diagonal (twice the most negative eigenvalue) that I + λ·diag|I| is positive
    # definite: d is then an ascent direction (∇ℓ·d > 0), between Newton's and the gradient's.
    diagonal = np.abs(np.diag(information))
    diagonal[~(diagonal > 0)] = 1.0
    unit = 1.0 / np.sqrt(diagonal)
    smallest = float(np.linalg.eigvalsh(information * unit[:, None] * unit[None, :])[0])
    lam = 2.0 * max(-smallest, 0.0) + 1e-12
    damped = information + lam * np.diag(diagonal)
    inverse = _inverse(damped)
    if inverse is None:  # cannot happen in exact arithmetic; guard against rounding all the same
        lam, damped = lam + 1.0, information + (lam + 1.0) * np.diag(diagonal)
        inverse = _inverse(damped)
    note = (
        f"−∂²ℓ is not positive definite here (smallest eigenvalue of the scaled matrix {smallest:.3g}): "
        f"Levenberg damping with λ = {lam:.3g}"
    )
    return inverse @ gradient, damped, lam, note


def _take_step(
    fam: Family,
    stats,
    x: np.ndarray,
    method: str,
    step_size: float,
    gradient: np.ndarray,
    hessian: np.ndarray | None,
    direction: np.ndarray,
    information: np.ndarray | None,
    levenberg: float,
    note: str,
) -> ClimbStep:
    ell = _log_likelihood(fam, stats, x)
    scale, outside, downhill = 1.0, 0, 0
    if not np.all(np.isfinite(direction)):
        scale, new, ell_new = 0.0, x, ell
        note = note or "the step is not finite: no move"
    else:
        params = fam.parameters
        while not all(bool(_inside(p, v)) for p, v in zip(params, x + scale * direction, strict=True)):
            scale *= 0.5
            outside += 1
        new = x + scale * direction
        ell_new = _log_likelihood(fam, stats, new)
        # Accept a step that loses no more than rounding noise; halve otherwise (a backtracking line search).
        floor = ell - 8.0 * _EPS * max(1.0, abs(ell))
        while not ell_new >= floor:
            if downhill == 60:
                scale, new, ell_new = 0.0, x, ell
                note = (note + "; " if note else "") + "no increase of ℓ along this direction: no move"
                break
            scale *= 0.5
            downhill += 1
            new = x + scale * direction
            ell_new = _log_likelihood(fam, stats, new)
        if outside:
            note = (note + "; " if note else "") + f"step halved {outside}× to stay inside the parameter space"
        if downhill and scale > 0:
            note = (note + "; " if note else "") + f"step halved {downhill}× so that ℓ does not decrease"
    return ClimbStep(
        method=method,
        names=fam.parameter_names,
        symbols=tuple(p.symbol for p in fam.parameters),
        theta=_mapping(fam, x),
        theta_new=_mapping(fam, new),
        log_likelihood=ell,
        log_likelihood_new=ell_new,
        gradient=_mapping(fam, gradient),
        hessian=_rows(hessian),
        information=_rows(information),
        direction=_mapping(fam, direction),
        step_size=step_size,
        scale=scale,
        halvings_outside=outside,
        halvings_downhill=downhill,
        levenberg=levenberg,
        note=note,
    )


def _inside_vector(fam: Family, theta: Mapping[str, Any]) -> np.ndarray:
    x = _vector(fam, theta)
    for p, v in zip(fam.parameters, x, strict=True):
        if not bool(_inside(p, v)):
            raise ValueError(f"a climb starts strictly inside the parameter space: {p.name} = {v!r} is on a bound")
    return x


def _curvature_step_size(hessian: np.ndarray) -> float:
    largest = float(np.max(np.abs(np.linalg.eigvalsh(hessian)))) if np.all(np.isfinite(hessian)) else math.nan
    return 1.0 / largest if largest > 0 else math.nan


def gradient_ascent_step(
    family, data, theta: Mapping[str, float], step_size: float | None = None, **constants
) -> ClimbStep:
    """Return one gradient-ascent step θ_new = θ + t·η·∇ℓ(θ), t halved as needed (see ``ClimbStep``).

    η = ``step_size``; if None, η = 1/(largest |eigenvalue| of ∂²ℓ(θ)) (``default_step_size``), and
    the step's ``hessian`` is the matrix it came from.
    """
    fam, stats = _resolve(family, data, constants)
    x = _inside_vector(fam, theta)
    if step_size is not None and not (math.isfinite(float(step_size)) and float(step_size) > 0):
        raise ValueError(f"step_size must be a positive number, got {step_size!r}")
    gradient, hessian = _derivatives(fam, stats, x)
    if step_size is None:
        eta = _curvature_step_size(hessian)
    else:
        eta, hessian = float(step_size), None
    return _take_step(fam, stats, x, "gradient", eta, gradient, hessian, eta * gradient, None, 0.0, "")


def newton_step(family, data, theta: Mapping[str, float], **constants) -> ClimbStep:
    """Return one Newton step θ_new = θ + t·I(θ)⁻¹∇ℓ(θ), I = −∂²ℓ (Levenberg-damped when not positive definite)."""
    fam, stats = _resolve(family, data, constants)
    x = _inside_vector(fam, theta)
    gradient, hessian = _derivatives(fam, stats, x)
    direction, information, levenberg, note = _newton_direction(gradient, hessian)
    return _take_step(fam, stats, x, "newton", 1.0, gradient, hessian, direction, information, levenberg, note)


def default_step_size(family, data, theta: Mapping[str, float], **constants) -> float:
    """Return η = 1/(largest |eigenvalue| of ∂²ℓ(θ)): the gradient step that is stable near θ.

    A gradient step multiplies the error along an eigenvector of curvature c by (1 − ηc): η = 1/c_max
    does not overshoot in the steepest direction, and does not depend on the units of the data.
    nan where the curvature is not available.
    """
    fam, stats = _resolve(family, data, constants)
    _, hessian = _derivatives(fam, stats, _inside_vector(fam, theta))
    return _curvature_step_size(hessian)


class Climb(NamedTuple):
    """The steps of a climb (``ClimbStep``s), whether it converged, and where it ended.

    ``converged``: the last step moved ℓ by at most tol·max(1, |ℓ|) and every parameter by at most
    tol·(1 + |θⱼ|). ``step_size``: the fixed η of gradient ascent, or None (Newton, or gradient
    ascent with η chosen from the curvature at every step; each step records its own η).
    """

    method: str
    steps: tuple[ClimbStep, ...]
    converged: bool
    theta: Mapping[str, float]
    log_likelihood: float
    step_size: float | None
    message: str


def climb(
    family,
    data,
    theta: Mapping[str, float] | None,
    method: str = "newton",
    step_size: float | None = None,
    max_steps: int = 500,
    tol: float = 1e-10,
    **constants,
) -> Climb:
    """Climb ℓ from ``theta`` (the parameters' defaults if None) by "newton" or "gradient" steps.

    Stops after the first step with |Δℓ| ≤ tol·max(1, |ℓ|) and |Δθⱼ| ≤ tol·(1 + |θⱼ|) for every j
    (converged), or after ``max_steps`` steps, or when the derivatives cannot be computed. Gradient
    ascent uses the fixed η = ``step_size`` if given, else η = 1/(largest |eigenvalue| of ∂²ℓ) at each
    step (a fixed η tuned to the start crawls once the curvature changes).
    """
    fam, stats = _resolve(family, data, constants)
    if theta is None:
        theta = {p.name: p.default for p in fam.parameters}
    if method not in ("newton", "gradient"):
        raise ValueError(f"method must be 'newton' or 'gradient', got {method!r}")
    steps: list[ClimbStep] = []
    current = dict(theta)
    converged = False
    message = f"stopped after {max_steps} steps without meeting the tolerance"
    for _ in range(max_steps):
        if method == "newton":
            step = newton_step(fam, stats, current)
        else:
            step = gradient_ascent_step(fam, stats, current, step_size)
        steps.append(step)
        if not (math.isfinite(step.step_size) and all(math.isfinite(v) for v in step.direction.values())):
            message = step.note or "the derivatives are not finite here"
            break
        small_gain = abs(step.log_likelihood_new - step.log_likelihood) <= tol * max(1.0, abs(step.log_likelihood))
        small_move = all(abs(step.delta[n]) <= tol * (1.0 + abs(step.theta[n])) for n in step.names)
        current = dict(step.theta_new)
        if small_gain and small_move:
            converged, message = True, ""
            break
    final = _vector(fam, current)
    eta = float(step_size) if method == "gradient" and step_size is not None else None
    return Climb(
        method, tuple(steps), converged, _mapping(fam, final), _log_likelihood(fam, stats, final), eta, message
    )


# --- the landscape --------------------------------------------------------------------------------


def _axis(parameter: Parameter, values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values as a 1-D float array, where they are admissible, and values safe to evaluate."""
    axis = np.asarray(values, dtype=float)
    if axis.ndim != 1:
        raise ValueError(f"the values of {parameter.name} must be a 1-D array, got shape {axis.shape}")
    ok = np.isfinite(axis) & _admissible(parameter, axis)
    # Outside values are evaluated at the default (inside) and then overwritten with nan: no warnings.
    return axis, ok, np.where(ok, axis, parameter.default)


def _fixed(fam: Family, varying: list[str], others: Mapping[str, Any]) -> dict[str, float]:
    """The parameters held fixed for a surface or slice, checked (``others`` holds no constants)."""
    unknown = sorted(set(others) - set(fam.parameter_names))
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for the {fam.name} family")
    overlap = sorted(set(others) & set(varying))
    if overlap:
        raise ValueError(f"{', '.join(overlap)} given both as an axis and as a fixed value")
    fixed = {}
    for p in fam.parameters:
        if p.name in varying:
            continue
        if p.name not in others:
            raise ValueError(f"give a value for {p.name}: the {fam.name} family needs it to evaluate ℓ")
        fixed[p.name] = p.check(others[p.name])
    return fixed


def log_likelihood_surface(family, data, axes: Mapping[str, Any], **others_and_constants) -> np.ndarray:
    """Return ℓ on the grid of two parameters: ``result[i, j]`` = ℓ(first axis[i], second axis[j]).

    ``axes`` maps two parameter names to 1-D arrays, in the order of the result's dimensions (give
    σ first for an image with σ up the rows); any further parameters are fixed by keywords, next
    to known constants. One broadcast call of the family's ℓ from its statistics: for families
    with fixed-size statistics the cost does not grow with n. Values outside the parameter space
    give nan (without warnings); on a closed end ℓ may be −inf (data impossible there).
    """
    fam = get_family(family)
    others, constants = _split(fam, others_and_constants)
    fam, stats = _resolve(fam, data, constants)
    names = list(axes)
    if len(names) != 2:
        raise ValueError(f"give exactly two axes, got {len(names)}")
    first, second = (fam.parameters[_index(fam, name)] for name in names)
    fixed = _fixed(fam, names, others)
    a, a_ok, a_eval = _axis(first, axes[names[0]])
    b, b_ok, b_eval = _axis(second, axes[names[1]])
    with np.errstate(all="ignore"):
        values = fam.log_likelihood(stats, **{names[0]: a_eval[:, None], names[1]: b_eval[None, :]}, **fixed)
    surface = np.array(np.broadcast_to(np.asarray(values, dtype=float), (a.size, b.size)))
    surface[~(a_ok[:, None] & b_ok[None, :])] = np.nan
    return surface


def log_likelihood_slice(family, data, name: str, values, **others_and_constants) -> np.ndarray:
    """Return ℓ(θ_name = v, others) for each v in the 1-D ``values``; nan outside the parameter space."""
    fam = get_family(family)
    others, constants = _split(fam, others_and_constants)
    fam, stats = _resolve(fam, data, constants)
    parameter = fam.parameters[_index(fam, name)]
    fixed = _fixed(fam, [name], others)
    axis, ok, evaluate = _axis(parameter, values)
    with np.errstate(all="ignore"):
        result = fam.log_likelihood(stats, **{name: evaluate}, **fixed)
    line = np.array(np.broadcast_to(np.asarray(result, dtype=float), axis.shape))
    line[~ok] = np.nan
    return line


def default_grid(
    family, data, theta: Mapping[str, float] | None = None, size: int = 101, spread: float = 4.0, **constants
) -> dict[str, np.ndarray]:
    """Return an axis (``size`` evenly spaced values) for every parameter, for surfaces and slices.

    Each axis spans from ``spread`` standard errors below the lower to as many above the higher of
    θ̂ⱼ and the current θⱼ (if given). An end beyond a bound is pulled in to a tenth of the way from
    the bound to the nearer of those values, so the axis stays strictly inside the space. Without a
    finite MLE (e.g. σ̂ = 0) or a standard error, the spread falls back to the information at θ, or
    to half the magnitude of θⱼ.
    """
    fam, stats = _resolve(family, data, constants)
    if size < 2:
        raise ValueError(f"size must be at least 2, got {size!r}")
    centres: list[np.ndarray] = []
    errors = np.full(len(fam.parameters), np.nan)
    try:
        mle = _mle_vector(fam, _mle(fam, stats))
        centres.append(mle)
        errors = _standard_errors(fam, stats, mle)
    except ValueError:
        pass
    if theta is not None:
        x = _vector(fam, theta)
        centres.append(x)
        if not np.all(np.isfinite(errors)) and all(bool(_inside(p, v)) for p, v in zip(fam.parameters, x, strict=True)):
            _, hessian = _derivatives(fam, stats, x)
            covariance = _inverse(-hessian)
            if covariance is not None:
                errors = np.where(np.isfinite(errors), errors, np.sqrt(np.diag(covariance)))
    if not centres:
        centres.append(np.array([p.default for p in fam.parameters]))
    grid = {}
    for j, p in enumerate(fam.parameters):
        low_centre = min(c[j] for c in centres)
        high_centre = max(c[j] for c in centres)
        half = spread * errors[j] if math.isfinite(errors[j]) and errors[j] > 0 else 0.5 * max(abs(high_centre), 1.0)
        low, high = low_centre - half, high_centre + half
        if not low > p.lower:
            low = p.lower + 0.1 * (low_centre - p.lower) if low_centre > p.lower else p.lower + 0.1 * half
        if not high < p.upper:
            high = p.upper - 0.1 * (p.upper - high_centre) if high_centre < p.upper else p.upper - 0.1 * half
        grid[p.name] = np.linspace(low, high, int(size))
    return grid


# --- why we take logs -----------------------------------------------------------------------------


def running_likelihood(log_densities) -> np.ndarray:
    """Return L_k = f(x₁)·f(x₂)···f(x_k) for k = 1 … n, multiplied in float64 as a naive program would.

    ``log_densities`` are ln f(xᵢ) (e.g. ``mle_core.log_densities``); each factor is exp(ln f(xᵢ)).
    The products underflow to exactly 0.0 (or overflow to inf) long before ℓ = Σ ln f(xᵢ) does:
    that is why ℓ, not L, is what gets maximised.
    """
    terms = np.asarray(log_densities, dtype=float).ravel()
    with np.errstate(all="ignore"):
        return np.cumprod(np.exp(terms))


def underflow_point(log_densities) -> int | None:
    """Return the first k at which L_k (``running_likelihood``) is exactly 0.0 while ℓ_k = Σᵢ≤ₖ ln f(xᵢ) is finite.

    That is the number of observations after which the product of densities can no longer be told
    apart from 0 in float64 (|ℓ| beyond about 745 = −ln 4.9e-324, the smallest subnormal), though
    the log-likelihood still is. None when L never reaches 0, or reaches it through a density that
    is itself 0 (ℓ = −∞ then too).
    """
    terms = np.asarray(log_densities, dtype=float).ravel()
    products = running_likelihood(terms)
    zeros = np.flatnonzero(products == 0.0)
    if zeros.size == 0:
        return None
    k = int(zeros[0])
    with np.errstate(all="ignore"):
        ell = math.fsum(terms[: k + 1].tolist())
    return k + 1 if math.isfinite(ell) else None


# --- repeated sampling ----------------------------------------------------------------------------


def sampling_distribution(family, theta: Mapping[str, float], size: int, repeats: int, rng=None, **constants):
    """Return a (``repeats`` × k) array: the MLE θ̂ of each of ``repeats`` samples of ``size`` drawn at θ.

    Columns follow ``family.parameters``. The Gaussian draws one (repeats, size) matrix and fits every
    row at once (μ̂ = row mean, σ̂ = √(Σ(xᵢ − μ̂)²/n), two-pass as ``mle_core.gaussian`` does); other
    families call ``family.sample(rng, size, **theta, **constants)`` and ``family.fit`` per sample
    (constants not given take their defaults). A sample whose MLE is on a bound (p̂ = 0) or has no
    finite maximum (σ̂ = 0) contributes that estimate as the family's fit reports it.
    ``rng`` is a ``numpy.random.Generator`` or a seed.
    """
    fam = get_family(family)
    x = _vector(fam, theta)
    size, repeats = int(size), int(repeats)
    if size < 1 or repeats < 1:
        raise ValueError("size and repeats must be at least 1")
    rng = np.random.default_rng(rng)
    if _is_gaussian(fam):
        draws = rng.normal(x[0], x[1], size=(repeats, size))
        first = draws.mean(axis=1)
        deviations = draws - first[:, None]
        residual = deviations.sum(axis=1)
        # Σ(xᵢ − μ̂)² about the refined mean μ̂ = m + r/n is Σ(xᵢ − m)² − r²/n.
        sum_sq = np.maximum(np.einsum("ij,ij->i", deviations, deviations) - residual * residual / size, 0.0)
        return np.column_stack([first + residual / size, np.sqrt(sum_sq / size)])
    checked = fam.check_constants(constants)
    estimates = np.empty((repeats, x.size))
    named = dict(zip(fam.parameter_names, x.tolist(), strict=True))
    for r in range(repeats):
        observations = np.asarray(fam.sample(rng, size, **named, **checked), dtype=float)
        fit = fam.fit(fam.statistics(observations, **checked))
        estimates[r] = [fit.params[name] for name in fam.parameter_names]
    return estimates


def _c4(n: int) -> float:
    """E[s]/σ for n Gaussian observations: √(2/(n − 1))·Γ(n/2)/Γ((n − 1)/2)."""
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2.0) - math.lgamma((n - 1) / 2.0))


class SigmaEstimates(NamedTuple):
    """Three estimates of a Gaussian σ from n observations with S = Σ(xᵢ − x̄)².

    ``mle`` σ̂ = √(S/n) (biased low: E[σ̂] = σ·c4·√((n − 1)/n));
    ``sample_sd`` s = √(S/(n − 1)) (s² is unbiased for σ², but s is still low: E[s] = c4·σ);
    ``unbiased`` s/c4, whose expectation is σ; ``c4`` = √(2/(n − 1))·Γ(n/2)/Γ((n − 1)/2).
    """

    n: int
    mle: float
    sample_sd: float
    unbiased: float
    c4: float


def sigma_estimates(data) -> SigmaEstimates:
    """Return σ̂ (divide by n), s (divide by n − 1) and the unbiased s/c4 of Gaussian observations or statistics."""
    _, stats = _resolve("gaussian", data)
    n = stats.n
    if n < 2:
        raise ValueError(f"estimating σ needs at least two observations, got {n}")
    sum_sq = max(stats.sum_sq_dev - stats.residual * stats.residual / n, 0.0)
    c4 = _c4(n)
    s = math.sqrt(sum_sq / (n - 1))
    return SigmaEstimates(n, math.sqrt(sum_sq / n), s, s / c4, c4)


def unbiased_sigma(data) -> float:
    """Return s/c4(n), the estimate of a Gaussian σ whose expectation is σ (see ``sigma_estimates``)."""
    return sigma_estimates(data).unbiased


def expected_sigma_hat(sigma: float, n: int) -> float:
    """Return E[σ̂] = σ·c4(n)·√((n − 1)/n) for samples of n Gaussian observations (σ̂ divides by n)."""
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    return float(sigma) * _c4(n) * math.sqrt((n - 1) / n)
